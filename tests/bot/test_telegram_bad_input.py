"""Bad input reaches the Telegram bot: a short helpful reply or silence, never a crash.

One bot serves the whole module (starting one per test would dominate the run time); each
test talks as a user of its own, and sees only the calls made since it started.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.telegram import messages as tmsg
from knowledge import messages as msg
from knowledge.core import KnowledgeBase
from tests.bot.fake_telegram import (
    BOT_USERNAME,
    FakeTelegram,
    FakeUser,
    open_sample_kb,
    running_bot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

_user_ids = itertools.count(5501)
HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
FILE = {"file_id": "AgAD", "file_unique_id": "AQAD"}
MEDIA: dict[str, Any] = {
    "sticker": FILE
    | {"type": "regular", "width": 512, "height": 512}
    | {"is_animated": False, "is_video": False},
    "photo": [FILE | {"width": 90, "height": 90}],
    "voice": FILE | {"duration": 3},
    "document": FILE | {"file_name": "de-cuong.pdf"},
    "location": {"latitude": 21.0, "longitude": 105.8},
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[KnowledgeBase, FakeTelegram]]:
    kb = await open_sample_kb(tmp_path_factory.mktemp("bad-input"))
    try:
        async with FakeTelegram() as server, running_bot(kb, server):
            yield kb, server
    finally:
        await kb.close()


@pytest.fixture
def fake(bot: tuple[KnowledgeBase, FakeTelegram]) -> FakeTelegram:
    server = bot[1]
    server.calls.clear()
    return server


@pytest.fixture
def kb(bot: tuple[KnowledgeBase, FakeTelegram]) -> KnowledgeBase:
    return bot[0]


@pytest.fixture
def user() -> FakeUser:
    return FakeUser(next(_user_ids), "An")


@pytest.mark.parametrize("kind", sorted(MEDIA))
async def test_media_get_a_request_for_text(fake: FakeTelegram, user: FakeUser, kind: str) -> None:
    await fake.push({"message": fake.user_message(user, None, **{kind: MEDIA[kind]})})
    [reply] = await fake.wait_sent(user.id)
    assert reply.result["text"] == tmsg.UNSUPPORTED


async def test_a_photo_with_a_caption_is_still_media(fake: FakeTelegram, user: FakeUser) -> None:
    message = fake.user_message(user, None, photo=MEDIA["photo"], caption="phạt bao nhiêu?")
    await fake.push({"message": message})
    [reply] = await fake.wait_sent(user.id)
    assert reply.result["text"] == tmsg.UNSUPPORTED


async def test_an_edited_message_asks_for_a_new_one(fake: FakeTelegram, user: FakeUser) -> None:
    await fake.push({"edited_message": fake.user_message(user, HELMET, edit_date=2)})
    [reply] = await fake.wait_sent(user.id)
    assert reply.result["text"] == tmsg.EDITED


async def test_a_forwarded_question_is_answered(fake: FakeTelegram, user: FakeUser) -> None:
    origin = {"type": "hidden_user", "date": 1, "sender_user_name": "Bạn cùng lớp"}
    await fake.send(user, HELMET, forward_origin=origin)
    [reply] = await fake.wait_sent(user.id)
    assert "400.000 đến 600.000 đồng" in reply.result["text"]


async def test_very_long_text_gets_a_request_to_shorten(
    fake: FakeTelegram, user: FakeUser
) -> None:
    await fake.send(user, "Cho em hỏi " + "rất dài " * 500)
    [reply] = await fake.wait_sent(user.id)
    assert reply.result["text"] == msg.TOO_LONG.format(limit=1000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/help linh tinh 123 <b>", [msg.HELP]),
        ("/chude 99 abc", ["Các chủ đề (trang 1/1):"]),
        ("/start a b c", [msg.WELCOME, tmsg.JOIN_INVALID]),
        ("/start <script>", [msg.WELCOME, tmsg.JOIN_INVALID]),
        ("/start " + "x" * 65, [msg.WELCOME, tmsg.JOIN_INVALID]),
        ("/hoicanbo gấp lắm", [msg.NOTHING_TO_ESCALATE]),
        ("/khonglenh abc", [tmsg.UNKNOWN_COMMAND]),
        (f"/help@{BOT_USERNAME} x", [msg.HELP]),
    ],
)
async def test_commands_with_junk_arguments(
    fake: FakeTelegram, user: FakeUser, text: str, expected: list[str]
) -> None:
    await fake.send(user, text)
    replies = await fake.wait_sent(user.id, len(expected))
    for reply, start in zip(replies, expected, strict=True):
        assert reply.result["text"].startswith(start.split("\n")[0])


@pytest.mark.parametrize(
    ("data", "toast"),
    [
        ("k:00112233445566778899aabbccddeeff", tmsg.STALE_BUTTON),
        ("zzz", tmsg.STALE_BUTTON),
        ("v:?:t02-mu-bao-hiem", tmsg.STALE_BUTTON),
        ("v:+:khong-co-muc-nay", tmsg.STALE_BUTTON),
        ("e:khong-co-muc-nay", msg.UNKNOWN_CHOICE),
        ("e:", msg.UNKNOWN_CHOICE),
        ("p:abc", msg.UNKNOWN_CHOICE),
        ("t:T99", msg.TOPIC_EMPTY),
        ("x", msg.NOTHING_TO_ESCALATE),
    ],
)
async def test_stale_or_forged_buttons_get_a_polite_answer(
    fake: FakeTelegram, user: FakeUser, data: str, toast: str
) -> None:
    welcome = await _welcome(fake, user)
    await fake.press(user, welcome, data)
    [answer] = await fake.wait_answered(1)
    if data == "x":  # escalation answers with a message, as the command does
        reply = (await fake.wait_sent(user.id, 2))[-1]
        assert reply.result["text"] == toast
    else:
        assert answer.params["text"] == toast
    assert not fake.failed()


async def test_a_button_without_data_or_on_an_old_message(
    fake: FakeTelegram, user: FakeUser
) -> None:
    welcome = await _welcome(fake, user)
    query = {"id": "77", "from": user.to_dict(), "chat_instance": "1", "message": welcome}
    await fake.push({"callback_query": query | {"game_short_name": "x"}})
    [answer] = await fake.wait_answered(1)
    assert answer.params["text"] == tmsg.STALE_BUTTON

    old = {"chat": user.private_chat(), "message_id": 3, "date": 0}  # inaccessible message
    await fake.press(user, old, "p:1")
    menu = (await fake.wait_sent(user.id, 2))[-1]
    assert "Các chủ đề" in menu.result["text"]


async def test_channel_posts_are_ignored(fake: FakeTelegram, user: FakeUser) -> None:
    channel = {"id": -100777, "type": "channel", "title": "Tin nhà trường"}
    post = {"message_id": 1, "date": 1, "chat": channel, "sender_chat": channel}
    await fake.push({"channel_post": post | {"text": f"@{BOT_USERNAME} /help"}})
    await fake.push({"edited_channel_post": post | {"text": "/help", "edit_date": 2}})
    await fake.membership(user, channel, "left", "administrator")
    group = {"id": -100888, "type": "supergroup", "title": "Lớp"}
    forwarded = fake.user_message(
        FakeUser(777000, "Telegram"),
        f"@{BOT_USERNAME} {HELMET}",
        group,
        sender_chat=channel,
        is_automatic_forward=True,
    )
    await fake.push({"message": forwarded})
    await fake.send(user, "/help")
    await fake.wait_sent(user.id)
    await fake.send(user, "/help")
    await fake.wait_sent(user.id, 2)
    assert {c.params.get("chat_id") for c in fake.sent()} == {user.id}


async def test_an_error_is_logged_with_context_and_the_user_gets_an_apology(
    fake: FakeTelegram,
    user: FakeUser,
    kb: KnowledgeBase,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("index is broken")

    monkeypatch.setattr(kb, "match", broken)
    with caplog.at_level(logging.ERROR, logger="bot.telegram.errors"):
        await fake.send(user, HELMET)
        [reply] = await fake.wait_sent(user.id)
    assert reply.result["text"] == msg.ERROR
    [record] = [r for r in caplog.records if r.name == "bot.telegram.errors"]
    assert f"chat {user.id} (private), user {user.id}" in record.getMessage()
    assert HELMET not in record.getMessage()
    assert record.exc_info is not None and "index is broken" in str(record.exc_info[1])


async def _welcome(fake: FakeTelegram, user: FakeUser) -> dict[str, Any]:
    await fake.send(user, "/start")
    [welcome] = await fake.wait_sent(user.id)
    result: dict[str, Any] = welcome.result
    return result
