"""Long polling and sending when Zalo misbehaves: idle 408 polls, failing polls, a revoked
token, 429 while answering, ``ok: false`` with HTTP 200, a blocked user, a flooding one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.zalo import messages as zmsg
from bot.zalo.app import serve
from bot.zalo.errors import ZaloUnauthorized
from knowledge import messages as msg
from knowledge.chat_users import ChatUser
from knowledge.core import KnowledgeBase
from tests.bot.fake_zalo import FakeZalo, bot_settings, running_bot, user

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

LAN = user(7001, "Lan")
HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


def idle_polls(fake: FakeZalo) -> int:
    return sum(1 for c in fake.calls if c.method == "getUpdates" and c.failed)


async def test_idle_polls_go_on_and_a_later_message_is_answered(
    kb: KnowledgeBase, fake: FakeZalo
) -> None:
    async with running_bot(kb, fake, poll_timeout=1):
        await fake.wait_for(lambda: idle_polls(fake) >= 1, timeout=5)
        await fake.send(LAN, "/start")
        [welcome] = await fake.wait_sent(LAN.id)
    assert msg.DISCLAIMER in welcome
    assert fake.requested[:3] == ["getMe", "deleteWebhook", "getUpdates"]


async def test_failing_polls_are_retried(
    kb: KnowledgeBase, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("getUpdates", 500, "Internal error", http_status=200)
    async with running_bot(kb, fake):
        await fake.send(LAN, "/start")
        await fake.wait_sent(LAN.id)
    assert "Polling Zalo failed (getUpdates: error 500: Internal error); retrying in 1 s" in (
        caplog.text
    )


async def test_odd_polled_events_are_skipped(
    kb: KnowledgeBase, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "bot.zalo.polling")
    async with running_bot(kb, fake):
        await fake.push({"event_name": "message.reaction.received", "message": {}})
        await fake.push({"event_name": "message.text.received", "message": {"chat": {}}})
        await fake.send(LAN, "/start")
        await fake.wait_sent(LAN.id)
    assert "Ignored a polled event: unknown event 'message.reaction.received'" in caplog.text
    assert "Ignored a polled event that is not a Zalo event: no chat.id" in caplog.text


async def test_a_revoked_token_stops_the_bot(kb: KnowledgeBase, fake: FakeZalo) -> None:
    fake.fail("getUpdates", 401, "Unauthorized")
    with pytest.raises(ZaloUnauthorized):
        await serve(kb, bot_settings(fake), asyncio.Event())


async def test_an_answer_refused_with_429_goes_out_after_the_pause(
    kb: KnowledgeBase, fake: FakeZalo
) -> None:
    async with running_bot(kb, fake, backoff_seconds=0.1):
        await fake.send(LAN, "/start")
        await fake.wait_sent(LAN.id)
        fake.fail("sendMessage", 429, "Quota exceeded", times=2)
        await fake.send(LAN, HELMET)
        texts = await fake.wait_sent(LAN.id, 2)
    assert "400.000 đến 600.000 đồng" in texts[1]
    assert len(fake.failed()) >= 2


async def test_a_send_refused_with_ok_false_gets_an_apology(
    kb: KnowledgeBase, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(kb, fake):
        await fake.send(LAN, "/start")
        await fake.wait_sent(LAN.id)
        fake.fail("sendMessage", 500, "Internal error", http_status=200)
        await fake.send(LAN, HELMET)
        texts = await fake.wait_sent(LAN.id, 2)
    assert texts[1] == msg.ERROR
    assert "Failed to handle message.text.received" in caplog.text
    assert "text of 59 characters" in caplog.text and "mũ bảo hiểm" not in caplog.text


async def test_a_user_who_blocked_the_bot_is_marked_unreachable(
    kb: KnowledgeBase, fake: FakeZalo
) -> None:
    async with running_bot(kb, fake):
        await fake.send(LAN, "/start")
        await fake.wait_sent(LAN.id)
        fake.blocked.add(LAN.id)
        await fake.send(LAN, HELMET)
        await fake.wait_for(lambda: len(fake.failed()) == 1)
    # Leaving the block waited for the event's handling to finish.
    async with kb.sessions() as session:
        row = (await session.scalars(select(ChatUser).where(ChatUser.user_id == LAN.id))).one()
    assert not row.active


async def test_flooding_gets_one_notice_then_silence(
    kb: KnowledgeBase, fake: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "bot.zalo.handlers")
    async with running_bot(kb, fake, flood_max_questions=2):
        for _ in range(4):
            await fake.send(LAN, HELMET)
        await fake.wait_for(lambda: len(fake.sent(LAN.id)) >= 4)
    texts = fake.texts(LAN.id)
    # The first-contact notice, two answers, the flood notice; the fourth question is dropped.
    assert len(texts) == 4
    assert texts[3] == zmsg.FLOOD.format(seconds=60)
    assert f"User {LAN.id} reached the flood limit" in caplog.text
