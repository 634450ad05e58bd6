"""Delivery benchmark: one broadcast to 10,000 recipients through a rate-limiting fake Bot API.

Usage (from the repository root, in the project's virtualenv):

    python bench/delivery_load.py                      # 10,000 recipients, limits x10
    python bench/delivery_load.py --scale 1            # Telegram's real limits (~6 min)
    python bench/delivery_load.py --recipients 1000    # a quick look

The bot runs as ``legalbot run`` in a subprocess, exactly as an operator starts it, against
the fake server of tests/bot/fake_telegram_limits.py in this process. The fake enforces
Telegram's limits (30 messages a second overall, 1 a second per chat, 20 a minute per
group), multiplied by ``--scale``, and answers 429 with ``retry_after`` when they are broken;
it counts what each chat received.

Two runs, each on a fresh SQLite database with one class of N members and one queued
broadcast:

1. clean: wall time from the first to the last message the fake accepted, against the
   theoretical minimum N / (30 x scale) seconds, 429 answers, duplicates;
2. crash: the bot is killed with SIGKILL once half the messages arrived, then started
   again; lost (recipients that never got the message) and duplicated messages, against
   the in-flight window (DELIVERY_CONCURRENCY), and the rows the ledger marked uncertain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.audiences import (  # noqa: E402
    AudienceKind,
    AudienceStore,
    Recipient,
    audience_target,
)
from knowledge.core import KnowledgeBase  # noqa: E402
from knowledge.delivery.ledger import Ledger  # noqa: E402
from knowledge.delivery.models import Origin  # noqa: E402
from knowledge.settings import Settings  # noqa: E402
from tests.bot.fake_telegram import TOKEN  # noqa: E402
from tests.bot.fake_telegram_limits import FakeTelegramLimits  # noqa: E402

FIRST_CHAT = 10_000_000
TELEGRAM_PER_SECOND = 30.0
TEXT = (
    "Mẹo pháp luật tuần này: người dưới 16 tuổi không được điều khiển xe gắn máy. "
    "Căn cứ: Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15, Điều 59."
)


async def prepare(url: str, recipients: int) -> int:
    """A class with ``recipients`` members and one queued broadcast; returns its id."""
    kb = await KnowledgeBase.open(Settings(database_url=url, _env_file=None))
    try:
        store = AudienceStore(kb.sessions)
        audience = await store.create(AudienceKind.CLASS, "Khối 10", "bench")
        members = [Recipient("telegram", str(FIRST_CHAT + i)) for i in range(recipients)]
        await store.add_members(audience.id, members)
        ledger = Ledger(kb.sessions, kb.engine.dialect.name)
        broadcast = await ledger.broadcast(audience_target(audience), TEXT, Origin.CLI)
        return broadcast.id
    finally:
        await kb.close()


async def ledger_report(url: str, broadcast_id: int) -> dict[str, Any]:
    """The broadcast's report, read by this process while the bot runs."""
    from knowledge.db.engine import create_engine, session_factory

    engine = create_engine(url)
    try:
        report = await Ledger(session_factory(engine), "sqlite").report(broadcast_id)
        assert report is not None
        return report.as_json()
    finally:
        await engine.dispose()


def bot_env(
    fake: FakeTelegramLimits, url: str, scale: float, concurrency: int, pace: float
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DELIVERY_"))}
    return env | {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_RATE_LIMIT_PER_SECOND": str(TELEGRAM_PER_SECOND * scale),
        "DATABASE_URL": url,
        "QUIET_HOURS": "",
        "DELIVERY_CONCURRENCY": str(concurrency),
        "DELIVERY_TELEGRAM_PER_SECOND": str(pace * scale),
        "DELIVERY_TELEGRAM_CHAT_INTERVAL": str(1.0 / scale),
        "DELIVERY_TELEGRAM_GROUP_PER_MINUTE": str(round(20 * scale)),
        "LOG_LEVEL": "WARNING",
    }


async def start_bot(env: dict[str, str], workdir: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=workdir,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=(workdir / "bot.log").open("ab"),
    )


def delivered(fake: FakeTelegramLimits, recipients: int) -> tuple[int, int, int]:
    """(recipients reached, lost so far, duplicates) among the broadcast's recipients."""
    counts = [fake.received.get(FIRST_CHAT + i, 0) for i in range(recipients)]
    reached = sum(1 for c in counts if c)
    return reached, recipients - reached, sum(c - 1 for c in counts if c > 1)


def accepted_times(fake: FakeTelegramLimits) -> list[float]:
    return sorted(
        c.at
        for c in fake.sent()
        if isinstance(c.params.get("chat_id"), int) and c.params["chat_id"] >= FIRST_CHAT
    )


async def wait_until(check: Any, timeout: float, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if process.returncode is not None:
            raise RuntimeError(f"the bot exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not finish in time")
        await asyncio.sleep(0.1)


async def stop(process: asyncio.subprocess.Process, how: int) -> None:
    process.send_signal(how)
    await asyncio.wait_for(process.wait(), 60)


async def run(
    recipients: int, scale: float, concurrency: int, pace: float, crash: bool
) -> dict[str, Any]:
    """One run (clean, or killed halfway and restarted); returns its figures."""
    minimum = recipients / (TELEGRAM_PER_SECOND * scale)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        broadcast_id = await prepare(url, recipients)
        async with FakeTelegramLimits(scale=scale) as fake:
            env = bot_env(fake, url, scale, concurrency, pace)
            process = await start_bot(env, workdir)
            figures: dict[str, Any] = {"run": "crash" if crash else "clean"}
            timeout = minimum * 3 + 60
            if crash:
                await wait_until(
                    lambda: delivered(fake, recipients)[0] >= recipients // 2, timeout, process
                )
                await stop(process, signal.SIGKILL)
                figures["killed_after"] = delivered(fake, recipients)[0]
                process = await start_bot(env, workdir)
            await wait_until(lambda: delivered(fake, recipients)[1] == 0, timeout, process)
            await asyncio.sleep(1.0)  # anything duplicated arrives by now
            await stop(process, signal.SIGTERM)

            times = accepted_times(fake)
            _, lost, duplicates = delivered(fake, recipients)
            report = await ledger_report(url, broadcast_id)
            figures |= {
                "recipients": recipients,
                "scale": scale,
                "in_flight_window": concurrency,
                "engine_pace_per_second": pace * scale,
                "wall_seconds": round(times[-1] - times[0], 2),
                "theoretical_minimum_seconds": round(minimum, 2),
                "over_minimum_percent": round(100 * ((times[-1] - times[0]) / minimum - 1), 1),
                "answers_429": fake.too_many,
                "lost": lost,
                "duplicates": duplicates,
                "ledger": {k: report[k] for k in ("sent", "failed", "blocked", "pending")},
                "ledger_resent_uncertain": report["resent_after_crash_or_timeout"],
                # Other work on the machine delays both sides and bunches requests.
                "load_average_1min": round(os.getloadavg()[0], 1),
            }
            return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--scale", type=float, default=10.0, help="limits multiplied by this")
    parser.add_argument("--concurrency", type=int, default=16, help="DELIVERY_CONCURRENCY")
    parser.add_argument("--pace", type=float, default=29.0, help="engine messages/s (x scale)")
    parser.add_argument("--only", choices=["clean", "crash"], default=None)
    args = parser.parse_args()

    results = []
    for crash in (False, True):
        if args.only and args.only != ("crash" if crash else "clean"):
            continue
        figures = asyncio.run(run(args.recipients, args.scale, args.concurrency, args.pace, crash))
        print(json.dumps(figures, ensure_ascii=False), flush=True)
        results.append(figures)


if __name__ == "__main__":
    main()
