"""Telegram channel load benchmark: simulated users against the fake Bot API server.

Usage (from the repository root, in the project's virtualenv):

    python bench/telegram_load.py                         # 1,000 users x 5 questions, 50/s,
                                                          # polling then webhook
    python bench/telegram_load.py --mode webhook --rate 0 # as fast as possible
    python bench/telegram_load.py --users 50 --questions 2 --rate 100   # a quick look

The bot runs as ``legalbot run`` in a subprocess, exactly as an operator starts it, on the
bundled data and a fresh SQLite database, with ``TELEGRAM_BASE_URL`` pointing at the fake
Bot API server (tests/bot/fake_telegram.py) in this process. Each simulated user has a
private chat and asks its questions in rounds, so the load is spread over all chats; updates
arrive at ``--rate`` per second (0: all at once). Questions are the phrasings of
faq_data/faq/*.yaml and the paraphrases of bench/data, varied (lower case, no diacritics).

Latency is measured inside the fake server, from the moment an update is queued for the bot
(polling: ready for getUpdates; webhook: about to be posted) to the moment the bot's
sendMessage for it arrives, so it covers the whole round trip through python-telegram-bot.
The n-th reply in a chat answers its n-th question (the bot keeps each chat's order), and
every chat must get exactly one reply per question: fewer means an update was lost, more
that one was answered twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bot.fake_telegram import TOKEN, FakeTelegram, FakeUser, free_port  # noqa: E402

FIRST_USER_ID = 10_000_000
SECRET = "bench-secret"


def questions_pool() -> list[str]:
    """Realistic questions: FAQ phrasings and held-out paraphrases, as users type them."""
    pool: list[str] = []
    for path in sorted((ROOT / "faq_data" / "faq").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            pool += entry["questions"]
    for path in sorted((ROOT / "bench" / "data").glob("faq_paraphrases_*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            pool += [json.loads(line)["question"] for line in lines if line.strip()]
    return pool


def without_diacritics(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")


def vary(question: str, rng: random.Random) -> str:
    """The way a pupil might type it: as written, lower case, or without diacritics."""
    roll = rng.random()
    if roll < 0.4:
        return question
    if roll < 0.7:
        return question.lower().rstrip("?.! ")
    return without_diacritics(question).lower()


def bot_environment(
    fake: FakeTelegram, mode: str, workdir: Path, rate_limit: float
) -> dict[str, str]:
    # Only the Telegram channel, on the bundled data.
    foreign = ("TELEGRAM_", "ZALO_", "DATA_DIR")
    env = {k: v for k, v in os.environ.items() if not k.startswith(foreign)}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_MODE": mode,
        "TELEGRAM_RATE_LIMIT_PER_SECOND": str(rate_limit),
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),  # the bot of this tree, whatever is installed
    }
    if mode == "webhook":
        port = free_port()
        env |= {
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
            "TELEGRAM_WEBHOOK_PORT": str(port),
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
    return env


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(
    mode: str, users: int, questions: int, rate: float, rate_limit: float
) -> dict[str, Any]:
    """One load run; returns its figures."""
    rng = random.Random(20261203)
    pool = questions_pool()
    people = [FakeUser(FIRST_USER_ID + i, f"HS{i}") for i in range(users)]
    plan = [
        (person, vary(rng.choice(pool), rng))
        for _ in range(questions)
        for person in rng.sample(people, len(people))
    ]

    with tempfile.TemporaryDirectory() as workdir:
        async with FakeTelegram() as fake:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=bot_environment(fake, mode, Path(workdir), rate_limit),
                cwd=workdir,
                stderr=asyncio.subprocess.PIPE,
            )
            ready = "setWebhook" if mode == "webhook" else "getUpdates"
            await fake.wait_for(lambda: ready in fake.requested, timeout=120)

            # Warm up (first database writes, first matches) with users outside the sample.
            for i in range(20):
                await fake.send(FakeUser(i + 1, "warm"), vary(rng.choice(pool), rng))
            await fake.wait_for(lambda: fake.counts["sendMessage"] >= 20, timeout=60)
            fake.calls.clear()
            fake.counts.clear()
            bot_cpu = cpu_seconds(process.pid)
            own_cpu = time.process_time()
            load_before = os.getloadavg()[0]

            sent_by_chat: dict[int, list[int]] = {}
            started = time.perf_counter()
            for k, (person, text) in enumerate(plan):
                if rate > 0:
                    delay = started + k / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                update_id = await fake.send(person, text)
                sent_by_chat.setdefault(person.id, []).append(update_id)
            pushed = time.perf_counter()

            expected = len(plan)
            # Lost updates show up as missing replies below, not as an exception here.
            with contextlib.suppress(TimeoutError):
                await fake.wait_for(lambda: fake.counts["sendMessage"] >= expected, timeout=120)
            await asyncio.sleep(1.0)  # would a duplicate still come?
            bot_cpu = cpu_seconds(process.pid) - bot_cpu
            own_cpu = time.process_time() - own_cpu
            load_after = os.getloadavg()[0]

            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    replies: dict[int, list[float]] = {}
    for call in fake.sent():
        replies.setdefault(call.params["chat_id"], []).append(call.at)
    latencies: list[float] = []
    lost = duplicated = 0
    for chat, update_ids in sent_by_chat.items():
        answered = replies.get(chat, [])
        lost += max(0, len(update_ids) - len(answered))
        duplicated += max(0, len(answered) - len(update_ids))
        for update_id, at in zip(update_ids, answered, strict=False):
            latencies.append((at - fake.arrivals[update_id]) * 1000)
    last_answer = max((c.at for c in fake.sent()), default=pushed)
    fetch = [
        (fake.delivered[u] - fake.arrivals[u]) * 1000
        for ids in sent_by_chat.values()
        for u in ids
        if u in fake.delivered
    ]

    return {
        "mode": mode,
        "users": users,
        "questions_per_user": questions,
        "offered_rate": rate or None,
        "outgoing_rate_limit": rate_limit or None,
        "updates": expected,
        "answers": sum(len(v) for v in replies.values()),
        "lost": lost,
        "answered_twice": duplicated,
        "refused_by_api": len(fake.failed()),
        "arrival_rate": round(expected / max(pushed - started, 1e-9), 1),
        "answers_per_second": round(len(latencies) / max(last_answer - started, 1e-9), 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1) if latencies else None,
            "p90": round(percentile(latencies, 0.90), 1) if latencies else None,
            "p99": round(percentile(latencies, 0.99), 1) if latencies else None,
            "max": round(max(latencies), 1) if latencies else None,
        },
        "fetched_ms": {
            "p50": round(statistics.median(fetch), 1) if fetch else None,
            "p99": round(percentile(fetch, 0.99), 1) if fetch else None,
        },
        "bot_cpu_ms_per_update": round(bot_cpu * 1000 / expected, 2),
        "fake_cpu_ms_per_update": round(own_cpu * 1000 / expected, 2),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "bot_exit_code": process.returncode,
        "bot_stderr_tail": stderr.decode(errors="replace")[-500:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["polling", "webhook", "both"], default="both")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--rate", type=float, default=50.0, help="updates per second; 0: burst")
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=60.0,
        help="TELEGRAM_RATE_LIMIT_PER_SECOND for the bot (0: no outgoing limit)",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()

    modes = ["polling", "webhook"] if args.mode == "both" else [args.mode]
    results = []
    for mode in modes:
        result = asyncio.run(run(mode, args.users, args.questions, args.rate, args.rate_limit))
        results.append(result)
        shown = {k: v for k, v in result.items() if k != "bot_stderr_tail"}
        print(json.dumps(shown, ensure_ascii=False))
        if result["bot_exit_code"] != 0 or result["lost"] or result["answered_twice"]:
            print(result["bot_stderr_tail"], file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    failed = any(r["lost"] or r["answered_twice"] or r["bot_exit_code"] for r in results)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
