"""``legalbot serve``: the web column and the chat channels in one process on one port, the
webhooks of Telegram and Zalo mounted beside the pages, one delivery engine sending to both;
and its settings errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bot.telegram.settings import TelegramSettings
from bot.web.serve import serve
from bot.web.settings import WebSettings
from bot.zalo.settings import ZaloSettings
from knowledge.audiences import Recipient
from knowledge.core import KnowledgeBase
from knowledge.paths import bundled_data_dir
from tests.bot import fake_telegram, fake_zalo
from tests.bot.web_support import SAFE_SCHOOL, open_web_kb, web_settings
from tests.knowledge.delivery_support import broadcast_to

pytestmark = pytest.mark.asyncio(loop_scope="module")

HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
TIP = "Mẹo tuần này: đội mũ bảo hiểm đạt chuẩn, cài quai đúng cách."


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[KnowledgeBase]:
    base = await open_web_kb(tmp_path_factory.mktemp("web-serve"))
    yield base
    await base.close()


@contextlib.asynccontextmanager
async def serving(
    kb: KnowledgeBase,
    web: WebSettings,
    telegram: TelegramSettings | None = None,
    zalo: ZaloSettings | None = None,
) -> AsyncIterator[asyncio.Task[None]]:
    """``serve`` in the background until the block ends; fails if it stops early."""
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(kb, web, stop, telegram, zalo, ready))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([task, waiting], timeout=15, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():
        task.result()
    assert ready.is_set(), "serve() did not become ready"
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


def telegram_webhook(fake: fake_telegram.FakeTelegram, port: int) -> TelegramSettings:
    return TelegramSettings(
        _env_file=None,
        bot_token=fake.token,
        base_url=fake.base_url,
        mode="webhook",
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret="test-secret_123",
        # Ignored by `serve`: the webhook is on the web port.
        webhook_port=1,
    )


def zalo_webhook(fake: fake_zalo.FakeZalo, port: int) -> ZaloSettings:
    return fake_zalo.bot_settings(
        fake, "webhook", webhook_url=f"http://127.0.0.1:{port}/zalo/hook", webhook_port=1
    )


async def test_pages_api_and_both_webhooks_share_one_port(kb: KnowledgeBase) -> None:
    port = fake_telegram.free_port()
    web = web_settings(port=port)
    async with (
        fake_telegram.FakeTelegram() as telegram_api,
        fake_zalo.FakeZalo() as zalo_api,
        serving(kb, web, telegram_webhook(telegram_api, port), zalo_webhook(zalo_api, port)),
    ):
        [registered] = telegram_api.sent(None, "setWebhook")
        assert registered.params["url"] == f"http://127.0.0.1:{port}/telegram/hook"
        assert zalo_api.webhook is not None
        assert zalo_api.webhook["url"] == f"http://127.0.0.1:{port}/zalo/hook"

        student = fake_telegram.FakeUser(7001, "An")
        await telegram_api.send(student, HELMET)
        [answer] = await telegram_api.wait_sent(student.id, 1)
        assert "Nghị định 168/2024/NĐ-CP" in answer.result["text"]

        pupil = fake_zalo.user(7002)
        await zalo_api.send(pupil, HELMET)
        # A first message gets the welcome, then the answer.
        texts = await zalo_api.wait_sent(pupil.id, 2)
        assert "Nghị định 168/2024/NĐ-CP" in texts[-1]

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            home = await client.get("/")
            asked = await client.post("/api/ask", json={"question": SAFE_SCHOOL})
            refused = await client.post("/telegram/hook", json={"update_id": 1})
            browsed = await client.get("/telegram/hook")
        assert home.status_code == 200 and asked.json()["status"] == "answered"
        assert refused.status_code == 403  # no secret header
        assert browsed.status_code == 404  # a GET falls through to the pages


async def test_one_engine_delivers_to_both_webhook_channels(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("QUIET_HOURS", "")
    monkeypatch.setenv("DELIVERY_POLL_SECONDS", "0.05")
    caplog.set_level(logging.INFO, logger="knowledge.delivery.engine")
    student, pupil = fake_telegram.FakeUser(7201, "Chi"), fake_zalo.user(7202)
    port = fake_telegram.free_port()
    async with fake_telegram.FakeTelegram() as telegram_api, fake_zalo.FakeZalo() as zalo_api:
        telegram, zalo = telegram_webhook(telegram_api, port), zalo_webhook(zalo_api, port)
        async with serving(kb, web_settings(port=port), telegram, zalo):
            members = [Recipient("telegram", str(student.id)), Recipient("zalo", pupil.id)]
            await broadcast_to(kb, members, TIP)
            await telegram_api.wait_sent(student.id, timeout=10)
            await zalo_api.wait_sent(pupil.id, timeout=10)

    # Stopped and recorded by now: exactly one copy each.
    assert telegram_api.texts(student.id) == [TIP]
    assert zalo_api.texts(pupil.id) == [TIP]
    logged = [record.getMessage() for record in caplog.records]
    started = [line for line in logged if line.startswith("Delivery engine started")]
    assert len(started) == 1 and " for telegram, zalo (worker " in started[0]
    assert sum(line.startswith("Delivery engine stopped") for line in logged) == 1


async def test_polling_channels_run_beside_the_web_column(kb: KnowledgeBase) -> None:
    port = fake_telegram.free_port()
    async with fake_telegram.FakeTelegram() as telegram_api, fake_zalo.FakeZalo() as zalo_api:
        telegram = TelegramSettings(
            _env_file=None, bot_token=telegram_api.token, base_url=telegram_api.base_url
        )
        zalo = fake_zalo.bot_settings(zalo_api)
        async with serving(kb, web_settings(port=port), telegram, zalo):
            student = fake_telegram.FakeUser(7101, "Bình")
            await telegram_api.send(student, HELMET)
            [answer] = await telegram_api.wait_sent(student.id, 1, timeout=10)
            assert "Nghị định 168/2024/NĐ-CP" in answer.result["text"]
            async with httpx.AsyncClient() as client:
                assert (await client.get(f"http://127.0.0.1:{port}/healthz")).text == "ok"


async def test_a_refused_token_stops_everything_with_the_error(kb: KnowledgeBase) -> None:
    from bot.zalo.errors import ZaloError

    port = fake_telegram.free_port()
    async with fake_zalo.FakeZalo() as zalo_api:
        zalo = fake_zalo.bot_settings(zalo_api, bot_token="999:WrongTokenForThisFakeServer")
        with pytest.raises(ZaloError):
            await asyncio.wait_for(
                serve(kb, web_settings(port=port), asyncio.Event(), None, zalo), 15
            )
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/healthz")


async def test_a_webhook_path_may_not_hide_a_school(kb: KnowledgeBase) -> None:
    async with fake_zalo.FakeZalo() as zalo_api:
        zalo = fake_zalo.bot_settings(
            zalo_api, "webhook", webhook_url="https://bot.example.vn/thpt-a/zalo"
        )
        web = web_settings(
            port=fake_telegram.free_port(), schools='{"thpt-a": {"name": "Trường THPT A"}}'
        )
        with pytest.raises(ValueError, match="overlaps the web column's /thpt-a/ pages"):
            await asyncio.wait_for(serve(kb, web, asyncio.Event(), None, zalo), 15)


async def test_a_taken_port_is_reported(kb: KnowledgeBase) -> None:
    port = fake_telegram.free_port()
    async with serving(kb, web_settings(port=port)):
        with pytest.raises(RuntimeError, match=f"cannot listen on 127.0.0.1:{port}"):
            await serve(kb, web_settings(port=port), asyncio.Event())


# The command -------------------------------------------------------------------------------


def legalbot_serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    variables = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WEB_", "TELEGRAM_", "ZALO_"))
    }
    variables |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=variables,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEB_PORT": "eighty"}, "WEB_PORT: "),
        ({"WEB_FRAME_ANCESTORS": "evil.example"}, "WEB_FRAME_ANCESTORS: "),
        ({"WEB_SCHOOLS": '{"api": {"name": "A"}}'}, "is a path the site uses itself"),
        ({"WEB_SCHOOLS": "/no/such/schools.yaml"}, "/no/such/schools.yaml: cannot read"),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_MODE": "webhook"},
            "Set TELEGRAM_WEBHOOK_URL",
        ),
        ({"ZALO_BOT_TOKEN": "has space"}, "ZALO_BOT_TOKEN: "),
    ],
)
async def test_bad_settings_stop_the_command_with_a_clear_message(
    tmp_path: Path, env: dict[str, Any], message: str
) -> None:
    result = await asyncio.to_thread(legalbot_serve, tmp_path, **env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "serve.db").exists()


async def test_invalid_curated_data_stops_serve_with_the_file_and_code_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    (data / "scope_terms.yaml").write_text("terms:\n  Nhật: nhat ban\n", encoding="utf-8")

    result = await asyncio.to_thread(legalbot_serve, tmp_path, DATA_DIR=str(data))

    assert result.returncode == 2
    assert "scope_terms.yaml: Nhật: terms: expected a non-empty list" in result.stderr
    assert "Traceback" not in result.stderr and "Error: 2" not in result.stderr
