"""The Zalo API client and its pacing against the fake server: typed errors, 408 idle polls,
429 back-off, ``ok: false`` with HTTP 200, and a token that never shows."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.zalo.client import ZaloClient
from bot.zalo.errors import (
    ZaloApiError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloUnauthorized,
)
from bot.zalo.pacing import PacedSender, Pacer
from tests.bot.fake_zalo import TOKEN, FakeZalo, free_port, user

SECRET = TOKEN.split(":")[1]
LAN = user(1, "Lan")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def client(fake: FakeZalo) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(TOKEN, fake.base_url, timeout=5) as api:
        yield api


async def test_get_me_and_send(fake: FakeZalo, client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["account_name"] == "bot.trolyphapluat"
    sent = await client.send_message(LAN.id, "Chào bạn")
    assert sent["message_id"].startswith("bot-")
    assert fake.texts(LAN.id) == ["Chào bạn"]


async def test_an_idle_poll_is_an_empty_list_not_an_error(
    fake: FakeZalo, client: ZaloClient
) -> None:
    started = time.monotonic()
    assert await client.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9
    [call] = fake.calls
    assert call.params == {"timeout": "1"} and call.result.code == 408

    await fake.send(LAN, "Xin chào")
    [event] = await client.get_updates(timeout=1)
    assert event["message"]["text"] == "Xin chào"


async def test_ok_false_with_http_200_raises_with_its_code(
    fake: FakeZalo, client: ZaloClient
) -> None:
    fake.fail("sendMessage", 400, "Invalid chat_id", http_status=200)
    with pytest.raises(ZaloApiError) as caught:
        await client.send_message(LAN.id, "Chào")
    assert (caught.value.error_code, caught.value.description) == (400, "Invalid chat_id")
    assert str(caught.value) == "sendMessage: error 400: Invalid chat_id"


@pytest.mark.parametrize(
    ("code", "error"), [(429, ZaloRateLimited), (403, ZaloForbidden), (500, ZaloApiError)]
)
async def test_http_errors_raise_typed_errors(
    fake: FakeZalo, client: ZaloClient, code: int, error: type[ZaloApiError]
) -> None:
    fake.fail("sendMessage", code, "Quota exceeded")
    with pytest.raises(error) as caught:
        await client.send_message(LAN.id, "Chào")
    assert caught.value.error_code == code


async def test_a_wrong_token_is_unauthorized_and_never_shown(fake: FakeZalo) -> None:
    async with ZaloClient("123:" + "w" * 40, fake.base_url) as wrong:
        with pytest.raises(ZaloUnauthorized) as caught:
            await wrong.get_me()
    assert "w" * 40 not in str(caught.value)


async def test_texts_outside_1_to_2000_characters_are_not_sent(client: ZaloClient) -> None:
    for text in ("", "a" * 2001):
        with pytest.raises(ValueError, match="1-2000"):
            await client.send_message(LAN.id, text)


async def test_a_network_failure_hides_the_url(caplog: pytest.LogCaptureFixture) -> None:
    async with ZaloClient(TOKEN, f"http://127.0.0.1:{free_port()}", timeout=2) as client:
        with pytest.raises(ZaloNetworkError) as caught:
            await client.get_me()
    assert str(caught.value) == "getMe: ConnectError"
    assert caught.value.__suppress_context__
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").error("failed", exc_info=caught.value)
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("status", "body"), [(502, b"<html>Bad gateway</html>"), (200, b"[]"), (200, b"")]
)
async def test_a_body_that_is_not_a_json_object_is_an_api_error(status: int, body: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    async with ZaloClient(TOKEN, "http://127.0.0.1:9", transport=transport) as client:
        with pytest.raises(ZaloApiError, match="not a JSON object") as caught:
            await client.get_me()
    assert caught.value.error_code == status


async def test_a_429_pauses_every_sender_then_the_message_goes_out(
    fake: FakeZalo, client: ZaloClient, caplog: pytest.LogCaptureFixture
) -> None:
    pacer = Pacer(rate=0, backoff=0.2, max_backoff=1.0)
    sender = PacedSender(client, pacer)
    fake.fail("sendMessage", 429, "Quota exceeded", times=2)

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "bot.zalo.pacing"):
        await asyncio.gather(sender.send(LAN.id, "một"), sender.send(LAN.id, "hai"))
    # Both were refused at once: the second 429 doubled the pause to 0.4 s for both.
    assert time.monotonic() - started >= 0.38
    assert sorted(fake.texts(LAN.id)) == ["hai", "một"]
    assert caplog.text.count("Zalo quota exceeded (429)") == 2


def test_the_pause_doubles_up_to_its_ceiling_and_a_success_resets_it() -> None:
    now = [100.0]
    pacer = Pacer(rate=0, backoff=1.0, max_backoff=5.0, clock=lambda: now[0])
    assert [pacer.throttled() for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert pacer.paused_for == 5.0
    now[0] += 5.0
    assert pacer.paused_for == 0.0
    pacer.succeeded()
    assert pacer.throttled() == 1.0


async def test_429_after_every_retry_raises(fake: FakeZalo, client: ZaloClient) -> None:
    sender = PacedSender(client, Pacer(rate=0, backoff=0.01, max_backoff=0.02), retries=2)
    fake.fail("sendMessage", 429, "Quota exceeded", times=3)
    with pytest.raises(ZaloRateLimited):
        await sender.send(LAN.id, "một")
    assert len(fake.failed()) == 3 and fake.texts(LAN.id) == []


async def test_a_steady_rate_spaces_the_sends(fake: FakeZalo, client: ZaloClient) -> None:
    sender = PacedSender(client, Pacer(rate=20, backoff=1, max_backoff=1))
    started = time.monotonic()
    await asyncio.gather(*(sender.send(LAN.id, str(i)) for i in range(6)))
    # Six sends at 20 per second: the last leaves five intervals of 50 ms after the first.
    assert time.monotonic() - started >= 0.25
    assert len(fake.sent(LAN.id)) == 6
