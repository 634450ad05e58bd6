"""One delivery engine for every chat channel of a process: ``legalbot run`` with Telegram
and Zalo side by side on SQLite sends one broadcast to a class with a member on each."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from knowledge.audiences import Recipient
from knowledge.core import KnowledgeBase
from knowledge.delivery.ledger import Ledger
from knowledge.delivery.models import State
from knowledge.settings import Settings
from tests.bot import fake_telegram, fake_zalo
from tests.knowledge.delivery_support import broadcast_to

TIP = "Mẹo tuần này: đội mũ bảo hiểm đạt chuẩn, cài quai đúng cách."
MINH = fake_telegram.FakeUser(8811, "Minh")
LAN = fake_zalo.user(9911, "Lan")


def bot_env(database_url: str, data_dir: Path, telegram: str, zalo: str) -> dict[str, str]:
    """Both bots polling their fake servers, delivering at once (no quiet hours)."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return kept | {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "TELEGRAM_BOT_TOKEN": fake_telegram.TOKEN,
        "TELEGRAM_BASE_URL": telegram,
        "ZALO_BOT_TOKEN": fake_zalo.TOKEN,
        "ZALO_BASE_URL": zalo,
        "ZALO_POLL_TIMEOUT": "2",
        "QUIET_HOURS": "",
        "DELIVERY_POLL_SECONDS": "0.1",
    }


async def test_legalbot_run_sends_a_broadcast_to_both_channels_from_one_engine(
    tmp_path: Path, sample_data_dir: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    kb = await KnowledgeBase.open(
        Settings(database_url=url, data_dir=sample_data_dir, _env_file=None)
    )
    try:
        async with fake_telegram.FakeTelegram() as telegram, fake_zalo.FakeZalo() as zalo:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=bot_env(url, sample_data_dir, telegram.base_url, zalo.base_url),
                cwd=tmp_path,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                await telegram.wait_for(lambda: "getUpdates" in telegram.requested, timeout=30)
                await zalo.wait_for(lambda: "getUpdates" in zalo.requested, timeout=30)
                # Queued from the command line while the bots run, as an operator would.
                members = [Recipient("telegram", str(MINH.id)), Recipient("zalo", LAN.id)]
                broadcast = await broadcast_to(kb, members, TIP)
                await telegram.wait_sent(MINH.id, timeout=15)
                await zalo.wait_sent(LAN.id, timeout=15)
            finally:
                process.send_signal(signal.SIGTERM)
                _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        log = stderr.decode()
        assert process.returncode == 0, log

        # Exactly once each, and nothing else: neither member ever wrote to the bot.
        assert telegram.texts(MINH.id) == [TIP]
        assert zalo.texts(LAN.id) == [TIP]
        report = await Ledger(kb.sessions, kb.engine.dialect.name).report(broadcast)
        assert report is not None
        assert (report.total, report.count(State.SENT), report.status) == (2, 2, "done")

        # One engine, one worker, serving both channels; no second one waiting for the lock.
        started = re.findall(r"Delivery engine started for ([a-z, ]+) \(worker (\d+)", log)
        assert [channels for channels, _ in started] == ["telegram, zalo"], log
        assert log.count("Delivery engine stopped") == 1
        assert "Another process delivers" not in log
        # The engine stopped before the bots closed the connections it sends through.
        assert log.index("Delivery engine stopped") < log.index("Zalo bot stopped")
        assert log.index("Delivery engine stopped") < log.index("Telegram bot stopped")
    finally:
        await kb.close()
