"""``legalbot run`` with Zalo as an operator starts it: alone, beside Telegram, misconfigured,
with a refused token; and the token kept out of every log line."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.telegram.settings import MISSING_TOKEN as MISSING_TELEGRAM_TOKEN
from bot.zalo.app import serve
from bot.zalo.errors import ZaloListenError
from bot.zalo.settings import MISSING_TOKEN as MISSING_ZALO_TOKEN
from bot.zalo.settings import MISSING_WEBHOOK_SECRET, MISSING_WEBHOOK_URL, ZaloSettings, explain
from knowledge import messages as msg
from knowledge.core import KnowledgeBase
from tests.bot.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.bot.fake_telegram import FakeTelegram, FakeUser
from tests.bot.fake_zalo import TOKEN, WEBHOOK_SECRET, FakeZalo, bot_settings, free_port, user

SECRET = TOKEN.split(":")[1]
LAN = user(9901, "Lan")


@pytest.fixture
def env(tmp_path: Path, sample_data_dir: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return kept | {
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


def test_nothing_configured_names_both_tokens(env: dict[str, str], tmp_path: Path) -> None:
    done = legalbot_run(env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [MISSING_TELEGRAM_TOKEN, MISSING_ZALO_TOKEN]


def test_zalo_webhook_mode_says_what_else_to_set(env: dict[str, str], tmp_path: Path) -> None:
    done = legalbot_run(env | {"ZALO_BOT_TOKEN": TOKEN, "ZALO_MODE": "webhook"}, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [MISSING_WEBHOOK_URL, MISSING_WEBHOOK_SECRET]
    assert SECRET not in done.stderr


def test_an_invalid_setting_is_reported_without_its_value(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = legalbot_run(env | {"ZALO_BOT_TOKEN": TOKEN, "ZALO_MODE": "carrier-pigeon"}, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Error: invalid Zalo settings.",
        "ZALO_MODE: Input should be 'polling' or 'webhook'",
    ]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("webhook_secret", "short", "ZALO_WEBHOOK_SECRET: Value error, must be 8-256"),
        ("webhook_secret", "has a space", "ZALO_WEBHOOK_SECRET: Value error, must be 8-256"),
        ("bot_token", "12/../x?y=1", "ZALO_BOT_TOKEN: Value error, must be the token"),
        ("base_url", "ftp://example", "ZALO_BASE_URL: Value error, must start with https"),
        ("webhook_port", "0", "ZALO_WEBHOOK_PORT: Input should be greater than or equal to 1"),
    ],
)
def test_invalid_settings_are_explained_by_variable(
    setting: str, value: str, message: str
) -> None:
    values: dict[str, Any] = {setting: value}
    with pytest.raises(ValidationError) as caught:
        ZaloSettings(_env_file=None, **values)
    [line] = explain(caught.value)
    assert line.startswith(message)
    assert value not in line


def test_blank_settings_are_unset_and_the_base_url_is_tidied() -> None:
    settings = ZaloSettings(
        _env_file=None, bot_token=" ", webhook_secret="", base_url="http://127.0.0.1:9/bot/"
    )
    assert settings.bot_token is None and settings.webhook_secret is None
    assert settings.base_url == "http://127.0.0.1:9"
    assert settings.problems() == [MISSING_ZALO_TOKEN]


async def test_a_refused_token_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    async with FakeZalo() as fake:
        wrong = "123456:" + "x" * 40
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env | {"ZALO_BOT_TOKEN": wrong, "ZALO_BASE_URL": fake.base_url},
            cwd=tmp_path,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert stderr.decode().strip().endswith("Error: Zalo: getMe: error 401: Unauthorized")
    assert "x" * 40 not in stderr.decode()


async def test_zalo_alone_answers_and_stops_on_sigterm(
    env: dict[str, str], tmp_path: Path
) -> None:
    async with FakeZalo() as fake:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env
            | {"ZALO_BOT_TOKEN": TOKEN, "ZALO_BASE_URL": fake.base_url, "LOG_LEVEL": "DEBUG"},
            cwd=tmp_path,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_for(lambda: "getUpdates" in fake.requested, timeout=30)
            await fake.send(LAN, "/start")
            [welcome] = await fake.wait_sent(LAN.id)
            assert msg.DISCLAIMER in welcome
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Zalo bot bot.trolyphapluat started (polling)" in log
    assert "Zalo bot stopped" in log
    assert "Telegram" not in log
    assert SECRET not in log


async def test_telegram_and_zalo_run_side_by_side(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    async with FakeZalo() as zalo, FakeTelegram() as telegram:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env
            | {
                "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
                "TELEGRAM_BASE_URL": telegram.base_url,
                "ZALO_BOT_TOKEN": TOKEN,
                "ZALO_BASE_URL": zalo.base_url,
                "ZALO_MODE": "webhook",
                "ZALO_WEBHOOK_LISTEN": "127.0.0.1",
                "ZALO_WEBHOOK_PORT": str(port),
                "ZALO_WEBHOOK_URL": f"http://127.0.0.1:{port}/zalo",
                "ZALO_WEBHOOK_SECRET": WEBHOOK_SECRET,
            },
            cwd=tmp_path,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await zalo.wait_for(lambda: "setWebhook" in zalo.requested, timeout=30)
            await telegram.wait_for(lambda: "getUpdates" in telegram.requested, timeout=30)
            student = FakeUser(8802, "Chi")
            await zalo.send(LAN, "ko đội mũ bh bị phạt bn tiền")
            await telegram.send(student, "ko đội mũ bh bị phạt bn tiền")
            notice, on_zalo = await zalo.wait_sent(LAN.id, 2, timeout=10)
            [on_telegram] = await telegram.wait_sent(student.id, timeout=10)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert msg.DISCLAIMER in notice
    # The same answer on both channels.
    assert "400.000 đến 600.000 đồng" in on_zalo
    assert "400.000 đến 600.000 đồng" in on_telegram.result["text"]
    for line in ("Zalo bot bot.trolyphapluat started (webhook)", "Telegram bot @", "stopped"):
        assert line in log
    assert SECRET not in log and TELEGRAM_TOKEN.split(":")[1] not in log


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_taken_webhook_port_is_a_clear_error(kb: KnowledgeBase) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeZalo() as fake:
            settings = bot_settings(fake, "webhook", webhook_port=port)
            refused = f"could not listen on 127.0.0.1:{port} .Address already in use"
            with pytest.raises(ZaloListenError, match=refused):
                await serve(kb, settings, asyncio.Event())
        # Zalo was never told about a webhook nobody listens on.
        assert "setWebhook" not in fake.requested
