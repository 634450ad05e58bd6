"""Webhook mode end to end: the fake Bot API posts updates to the bot's own HTTP server."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.settings import TelegramSettings
from bot.telegram.webhook import SECRET_HEADER
from tests.bot.fake_telegram import FakeTelegram, FakeUser, open_sample_kb, running_bot

# One bot in webhook mode serves the module; each test is a different user.
pytestmark = pytest.mark.asyncio(loop_scope="module")

HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
_user_ids = itertools.count(6601)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[FakeTelegram, TelegramSettings]]:
    kb = await open_sample_kb(tmp_path_factory.mktemp("webhook"))
    try:
        async with FakeTelegram() as fake, running_bot(kb, fake, mode="webhook") as settings:
            yield fake, settings
    finally:
        await kb.close()


@pytest.fixture
def webhook(
    bot: tuple[FakeTelegram, TelegramSettings],
) -> tuple[FakeTelegram, TelegramSettings]:
    return bot


@pytest.fixture
def user() -> FakeUser:
    return FakeUser(next(_user_ids), "Bình")


async def test_the_webhook_is_registered_with_its_secret(
    webhook: tuple[FakeTelegram, TelegramSettings],
) -> None:
    fake, settings = webhook
    [call] = fake.sent(None, "setWebhook")
    assert call.params["url"] == settings.webhook_url
    assert call.params["secret_token"] == "test-secret_123"
    assert call.params["allowed_updates"] == ALLOWED_UPDATES


async def test_updates_posted_to_the_webhook_are_answered(
    webhook: tuple[FakeTelegram, TelegramSettings], user: FakeUser
) -> None:
    fake, _ = webhook
    await fake.send(user, "/start")
    await fake.send(user, HELMET)
    welcome, answer = await fake.wait_sent(user.id, 2)
    assert "trợ lý tự động" in welcome.result["text"]
    assert "Căn cứ: Nghị định 168/2024/NĐ-CP" in answer.result["text"]
    assert not any(c.method == "getUpdates" for c in fake.calls)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "test-secret_1234"])
async def test_requests_without_the_secret_are_refused(
    webhook: tuple[FakeTelegram, TelegramSettings], user: FakeUser, secret: str | None
) -> None:
    fake, settings = webhook
    assert settings.webhook_url is not None
    update = {"update_id": 1, "message": fake.user_message(user, "/start")}
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with httpx.AsyncClient() as client:
        response = await client.post(settings.webhook_url, json=update, headers=headers)
    assert response.status_code == 403

    await fake.send(user, "/help")  # a genuine update after the forged one
    [reply] = await fake.wait_sent(user.id)
    assert "Cách dùng trợ lý" in reply.result["text"]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "x", "message": 5}'])
async def test_a_body_that_is_not_an_update_is_refused(
    webhook: tuple[FakeTelegram, TelegramSettings], body: bytes
) -> None:
    _, settings = webhook
    assert settings.webhook_url is not None
    async with httpx.AsyncClient() as client:
        response = await client.post(
            settings.webhook_url, content=body, headers={SECRET_HEADER: "test-secret_123"}
        )
    assert response.status_code == 400
