"""The Telegram bot in a class group and the chat membership updates, end to end.

One bot serves the module; each test has a class group and members of its own.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.telegram import messages as tmsg
from knowledge import messages as msg
from knowledge.chat_users import ChatUser, ChatUserStore
from knowledge.core import KnowledgeBase
from tests.bot.fake_telegram import (
    BOT_USERNAME,
    FakeTelegram,
    FakeUser,
    group_chat,
    open_sample_kb,
    running_bot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
_ids = itertools.count(1)


@dataclass(frozen=True)
class ClassGroup:
    """A group chat with a teacher and a pupil in it."""

    chat: dict[str, Any]
    teacher: FakeUser
    pupil: FakeUser

    @property
    def id(self) -> int:
        return int(self.chat["id"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[KnowledgeBase, FakeTelegram]]:
    kb = await open_sample_kb(tmp_path_factory.mktemp("group"))
    try:
        async with FakeTelegram() as server, running_bot(kb, server):
            yield kb, server
    finally:
        await kb.close()


@pytest.fixture
def fake(bot: tuple[KnowledgeBase, FakeTelegram]) -> FakeTelegram:
    return bot[1]


@pytest.fixture
def kb(bot: tuple[KnowledgeBase, FakeTelegram]) -> KnowledgeBase:
    return bot[0]


@pytest.fixture
def group() -> ClassGroup:
    n = next(_ids)
    return ClassGroup(
        group_chat(-1001000 - n, f"Lớp 10A{n}"),
        FakeUser(7000 + 2 * n, "Cô Hoa"),
        FakeUser(7001 + 2 * n, "Minh"),
    )


async def only_reply_is_to_the_marker(fake: FakeTelegram, group: ClassGroup) -> None:
    """After messages the bot must ignore, a /help in the same chat is the only answer.

    Updates of one chat are handled in order, so an answer to an ignored message would
    have arrived before the answer to the marker.
    """
    before = 0
    await fake.send(group.pupil, "/help", chat=group.chat)
    calls = await fake.wait_sent(group.id, before + 1)
    assert len(calls) == before + 1
    assert calls[-1].result["text"].startswith(msg.HELP.split("\n")[0])


async def test_group_chatter_is_ignored(fake: FakeTelegram, group: ClassGroup) -> None:
    await fake.send(group.pupil, HELMET, chat=group.chat)
    await fake.send(group.pupil, "/help@some_other_bot", chat=group.chat)
    await fake.send(group.pupil, "/lenhla@some_other_bot", chat=group.chat)
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1}
    sticker |= {"height": 1, "is_animated": False, "is_video": False}
    await fake.push({"message": fake.user_message(group.pupil, None, group.chat, sticker=sticker)})
    edited = fake.user_message(group.pupil, f"@{BOT_USERNAME} sửa", group.chat, edit_date=1)
    await fake.push({"edited_message": edited})
    await only_reply_is_to_the_marker(fake, group)


async def test_a_mention_is_answered_quoting_the_question(
    fake: FakeTelegram, group: ClassGroup
) -> None:
    update_id = await fake.send(group.pupil, f"@{BOT_USERNAME} {HELMET}", chat=group.chat)
    [call] = await fake.wait_sent(group.id)
    assert "400.000 đến 600.000 đồng" in call.result["text"]
    asked = fake.updates[update_id]["message"]["message_id"]
    assert call.params["reply_parameters"]["message_id"] == asked


async def test_a_reply_to_the_bot_is_answered(fake: FakeTelegram, group: ClassGroup) -> None:
    await fake.send(group.teacher, "/start", chat=group.chat)
    [welcome] = await fake.wait_sent(group.id)
    await fake.send(group.pupil, HELMET, chat=group.chat, reply_to=welcome.result)
    answer = (await fake.wait_sent(group.id, 2))[-1]
    assert "400.000 đến 600.000 đồng" in answer.result["text"]


async def test_commands_naming_the_bot_work_and_bare_mentions_get_a_hint(
    fake: FakeTelegram, group: ClassGroup
) -> None:
    await fake.send(group.pupil, f"/chude@{BOT_USERNAME} trang 2", chat=group.chat)
    await fake.send(group.pupil, f"@{BOT_USERNAME}", chat=group.chat)
    await fake.send(group.pupil, f"/khongco@{BOT_USERNAME}", chat=group.chat)
    menu, hint, unknown = await fake.wait_sent(group.id, 3)
    assert "Các chủ đề" in menu.result["text"]
    assert hint.result["text"] == tmsg.GROUP_EMPTY_MENTION.format(username=BOT_USERNAME)
    assert unknown.result["text"] == tmsg.UNKNOWN_COMMAND


async def test_each_member_has_their_own_conversation(
    fake: FakeTelegram, kb: KnowledgeBase, group: ClassGroup
) -> None:
    await fake.send(group.teacher, f"@{BOT_USERNAME} {HELMET}", chat=group.chat)
    await fake.wait_sent(group.id, 1)
    await fake.send(group.pupil, f"/hoicanbo@{BOT_USERNAME}", chat=group.chat)
    refused = (await fake.wait_sent(group.id, 2))[-1]
    assert refused.result["text"] == msg.NOTHING_TO_ESCALATE


async def rows(kb: KnowledgeBase) -> dict[tuple[str, str], bool]:
    async with kb.sessions() as session:
        found = (await session.scalars(select(ChatUser))).all()
    return {(r.chat_id, r.user_id): r.active for r in found}


async def test_being_added_greets_the_group_and_removal_marks_it_gone(
    fake: FakeTelegram, kb: KnowledgeBase, group: ClassGroup
) -> None:
    await fake.membership(group.teacher, group.chat, "left", "member")
    [hello] = await fake.wait_sent(group.id)
    assert hello.result["text"] == tmsg.GROUP_HELLO.format(username=BOT_USERNAME)
    await ChatUserStore(kb.sessions).seen(
        "telegram", str(group.id), str(group.pupil.id), "supergroup"
    )

    await fake.membership(group.teacher, group.chat, "member", "left")
    await _wait_for_row(kb, (str(group.id), str(group.teacher.id)), False)
    assert (await rows(kb))[(str(group.id), str(group.pupil.id))] is False


async def test_blocking_and_unblocking_in_private(
    fake: FakeTelegram, kb: KnowledgeBase, group: ClassGroup
) -> None:
    chat: dict[str, Any] = group.pupil.private_chat()
    await fake.send(group.pupil, "/help")
    await fake.wait_sent(group.pupil.id)
    await fake.membership(group.pupil, chat, "member", "kicked")
    await fake.send(group.teacher, "/help")  # another chat, to let the update through
    await fake.wait_sent(group.teacher.id)
    await _wait_for_row(kb, (str(group.pupil.id), str(group.pupil.id)), False)

    await fake.membership(group.pupil, chat, "kicked", "member")
    await _wait_for_row(kb, (str(group.pupil.id), str(group.pupil.id)), True)


async def test_a_blocked_chat_found_while_sending_is_marked_gone(
    fake: FakeTelegram, kb: KnowledgeBase, group: ClassGroup
) -> None:
    await ChatUserStore(kb.sessions).seen(
        "telegram", str(group.pupil.id), str(group.pupil.id), "private"
    )
    fake.blocked.add(group.pupil.id)
    await fake.send(group.pupil, HELMET)
    await fake.wait_for(
        lambda: any(c.params.get("chat_id") == group.pupil.id for c in fake.failed())
    )
    await _wait_for_row(kb, (str(group.pupil.id), str(group.pupil.id)), False)


async def _wait_for_row(kb: KnowledgeBase, key: tuple[str, str], active: bool) -> None:
    for _ in range(200):
        if (await rows(kb)).get(key) is active:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{key} never became active={active}: {await rows(kb)}")
