"""``legalbot run`` as an operator starts it, and the bot token kept out of every log line."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logging_setup import configure_logging
from bot.telegram.settings import MISSING_TOKEN, MISSING_WEBHOOK_SECRET, MISSING_WEBHOOK_URL
from knowledge.core import KnowledgeBase
from tests.bot.fake_telegram import TOKEN, FakeTelegram, FakeUser, running_bot

USER = FakeUser(8801, "Chi")
SECRET = TOKEN.split(":")[1]


@pytest.fixture
def env(tmp_path: Path, sample_data_dir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return clean | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "DATA_DIR": str(sample_data_dir),
    }


def legalbot_run(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_says_what_to_set(env: dict[str, str], tmp_path: Path) -> None:
    done = legalbot_run(env, tmp_path)
    assert done.returncode == 2
    assert MISSING_TOKEN in done.stderr.splitlines()


def test_webhook_mode_says_what_else_to_set(env: dict[str, str], tmp_path: Path) -> None:
    done = legalbot_run(env | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "webhook"}, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [MISSING_WEBHOOK_URL, MISSING_WEBHOOK_SECRET]
    assert SECRET not in done.stderr


def test_an_invalid_setting_is_reported(env: dict[str, str], tmp_path: Path) -> None:
    done = legalbot_run(
        env | {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MODE": "carrier-pigeon"}, tmp_path
    )
    assert done.returncode == 2
    assert "TELEGRAM_MODE: Input should be 'polling' or 'webhook'" in done.stderr
    assert "carrier-pigeon" not in done.stderr


async def test_legalbot_run_answers_and_stops_on_sigterm(
    env: dict[str, str], tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env
            | {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": fake.base_url,
                "LOG_LEVEL": "DEBUG",
            },
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_for(lambda: "getUpdates" in fake.requested, timeout=30)
            await fake.send(USER, "/start")
            [welcome] = await fake.wait_sent(USER.id)
            assert "trợ lý tự động" in welcome.result["text"]
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Telegram bot @legalbot_test_bot started (polling)" in log
    assert "Telegram bot stopped" in log
    assert SECRET not in log


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    names = ("httpx", "httpcore", "telegram", "telegram.ext.Updater", "aiosqlite", "alembic")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_token_never_reaches_a_log_line(
    kb: KnowledgeBase, restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    assert logging.getLogger("httpx").level == logging.WARNING
    # Worst case: an operator turns the HTTP client's request log back on.
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    capture = Capture()
    logging.getLogger().addHandler(capture)

    async with FakeTelegram() as fake, running_bot(kb, fake):
        await fake.send(USER, "/start")
        await fake.send(USER, "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?")
        await fake.wait_sent(USER.id, 2)

    printed = capsys.readouterr().err
    assert any("httpx" in line and "bot<redacted>" in line for line in capture.lines)
    assert any(line.startswith("telegram.") for line in capture.lines)
    for line in [*capture.lines, printed]:
        assert SECRET not in line
