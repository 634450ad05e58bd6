"""The Telegram bot in a private chat, end to end: python-telegram-bot's real HTTP stack
against the fake Bot API server, asserting what the user sees and what gets stored.

One bot per database serves the module; each test talks as a pupil of its own.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.telegram import messages as tmsg
from knowledge import messages as msg
from knowledge.chat_users import ChatUser
from knowledge.core import KnowledgeBase
from knowledge.db.models import Feedback, Unanswered
from tests.bot.fake_telegram import FakeTelegram, FakeUser, buttons, open_sample_kb, running_bot
from tests.conftest import DATABASES, POSTGRES_URL, reset_postgres

pytestmark = pytest.mark.asyncio(loop_scope="module")

HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
_user_ids = itertools.count(4201)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=DATABASES)
async def bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[KnowledgeBase, FakeTelegram]]:
    """The bot on a fresh database (SQLite, and PostgreSQL when configured)."""
    url = None
    if request.param == "postgres":
        assert POSTGRES_URL is not None
        await reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    kb = await open_sample_kb(tmp_path_factory.mktemp("private"), url)
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
def student() -> FakeUser:
    return FakeUser(next(_user_ids), "Lan", "lan_10a1")


async def ask(fake: FakeTelegram, user: FakeUser, text: str) -> dict[str, Any]:
    """Send a message and return the bot's (last) reply to it."""
    before = len(fake.sent(user.id))
    await fake.send(user, text)
    calls = await fake.wait_sent(user.id, before + 1)
    result: dict[str, Any] = calls[-1].result
    return result


async def toasts(fake: FakeTelegram, user: FakeUser, count: int = 1) -> list[str]:
    """The answerCallbackQuery texts of the user's button presses."""
    queries = {
        u["callback_query"]["id"]
        for u in fake.updates.values()
        if u.get("callback_query", {}).get("from", {}).get("id") == user.id
    }

    def mine() -> list[str]:
        calls = fake.sent(None, "answerCallbackQuery")
        return [
            c.params.get("text", "") for c in calls if c.params["callback_query_id"] in queries
        ]

    await fake.wait_for(lambda: len(mine()) >= count)
    return mine()


async def test_start_welcomes_with_the_automated_assistant_notice(
    fake: FakeTelegram, student: FakeUser
) -> None:
    reply = await ask(fake, student, "/start")
    assert "trợ lý tự động, không phải người thật" in reply["text"]
    assert "không thay thế tư vấn pháp lý" in reply["text"]
    assert any(c.method == "setMyCommands" for c in fake.calls)


async def test_start_with_a_code_says_joining_is_not_available(
    fake: FakeTelegram, student: FakeUser
) -> None:
    await fake.send(student, "/start lop10a1-2026")
    welcome, join = await fake.wait_sent(student.id, 2)
    assert msg.BOT_NAME in welcome.result["text"]
    assert join.result["text"] == tmsg.JOIN_UNKNOWN.format(code="lop10a1-2026")


async def test_answer_shows_its_legal_basis_and_vote_buttons(
    fake: FakeTelegram, student: FakeUser
) -> None:
    reply = await ask(fake, student, HELMET)
    assert "400.000 đến 600.000 đồng" in reply["text"]
    assert "Căn cứ: Nghị định 168/2024/NĐ-CP, Điều 7, khoản 2." in reply["text"]
    sent = fake.sent(student.id)[-1].params
    assert "<b>Căn cứ:</b>" in sent["text"] and sent["parse_mode"] == "HTML"
    assert buttons(reply) == [
        (tmsg.BUTTON_UP, "v:+:t02-mu-bao-hiem"),
        (tmsg.BUTTON_DOWN, "v:-:t02-mu-bao-hiem"),
        (msg.OPTION_ESCALATE, "x"),
    ]


async def test_a_vote_is_stored_with_entry_and_question(
    fake: FakeTelegram, kb: KnowledgeBase, student: FakeUser
) -> None:
    answer = await ask(fake, student, HELMET)
    await fake.press(student, answer, "v:-:t02-mu-bao-hiem")
    assert await toasts(fake, student) == [msg.FEEDBACK_THANKS_DOWN]
    edit = (await fake.wait_sent(student.id, 1, "editMessageReplyMarkup"))[0]
    assert buttons(edit.result) == [(msg.OPTION_ESCALATE, "x")]

    query = select(Feedback).where(Feedback.user_id == str(student.id))
    async with kb.sessions() as session:
        votes = (await session.scalars(query)).all()
    assert [(v.entry_id, v.question, v.vote, v.channel) for v in votes] == [
        ("t02-mu-bao-hiem", HELMET, -1, "telegram")
    ]


async def test_escalation_button_queues_the_question_with_the_chat(
    fake: FakeTelegram, kb: KnowledgeBase, student: FakeUser
) -> None:
    answer = await ask(fake, student, HELMET)
    await fake.press(student, answer, "x")
    confirmation = (await fake.wait_sent(student.id, 2))[-1].result
    assert "đã được chuyển cho cán bộ pháp chế" in confirmation["text"]
    edit = (await fake.wait_sent(student.id, 1, "editMessageReplyMarkup"))[0]
    assert all(data != "x" for _, data in buttons(edit.result))

    query = select(Unanswered).where(Unanswered.user_id == str(student.id))
    async with kb.sessions() as session:
        rows = (await session.scalars(query)).all()
    assert [(r.question, r.reason, r.channel, r.chat_id) for r in rows] == [
        (HELMET, "user-request", "telegram", str(student.id))
    ]


async def test_escalation_command_escapes_the_users_text(
    fake: FakeTelegram, kb: KnowledgeBase, student: FakeUser
) -> None:
    question = "Bạn <b>trai</b> & em đánh nhau ở trường thì sao?"
    await ask(fake, student, question)
    confirmation = await ask(fake, student, "/hoicanbo")
    assert question in confirmation["text"]
    assert "&lt;b&gt;trai&lt;/b&gt; &amp; em" in fake.sent(student.id)[-1].params["text"]
    query = select(Unanswered.reason).where(Unanswered.user_id == str(student.id))
    async with kb.sessions() as session:
        reasons = (await session.scalars(query)).all()
    assert "user-request" in reasons


async def test_topics_are_browsed_in_place(fake: FakeTelegram, student: FakeUser) -> None:
    menu = await ask(fake, student, "/chude")
    assert "Các chủ đề (trang 1/1)" in menu["text"]
    traffic = next(data for label, data in buttons(menu) if data == "t:T02")

    await fake.press(student, menu, traffic)
    listing = (await fake.wait_sent(student.id, 1, "editMessageText"))[-1].result
    assert "1. Không đội mũ bảo hiểm" in listing["text"]
    assert buttons(listing)[-1] == (tmsg.BUTTON_BACK_TO_TOPICS, "p:1")

    await fake.press(student, listing, "p:1")
    back = (await fake.wait_sent(student.id, 2, "editMessageText"))[-1].result
    assert "Các chủ đề" in back["text"]

    await fake.press(student, listing, "e:t02-mu-bao-hiem")
    answer = (await fake.wait_sent(student.id, 2))[-1].result
    assert "400.000 đến 600.000 đồng" in answer["text"]


async def test_flood_control_answers_twenty_then_warns_once(
    fake: FakeTelegram, student: FakeUser
) -> None:
    for _ in range(26):
        await fake.send(student, HELMET)
    await fake.wait_sent(student.id, 21)
    other = FakeUser(next(_user_ids))
    await fake.send(other, "/help")  # someone else is not held up
    await fake.wait_sent(other.id, 1)
    texts = fake.texts(student.id)
    assert len(texts) == 21
    assert sum("400.000" in t for t in texts) == 20
    assert texts[-1].startswith(tmsg.FLOOD.split(";")[0])  # once, with the seconds to wait


async def test_the_user_is_recorded_as_reachable(
    fake: FakeTelegram, kb: KnowledgeBase, student: FakeUser
) -> None:
    await ask(fake, student, "/help")
    query = select(ChatUser).where(ChatUser.user_id == str(student.id))
    found = None
    for _ in range(100):  # written in the background, after the reply
        async with kb.sessions() as session:
            found = (await session.scalars(query)).one_or_none()
        if found is not None:
            break
        await asyncio.sleep(0.02)
    assert found is not None and found.active and found.chat_type == "private"
    assert (found.channel, found.chat_id) == ("telegram", str(student.id))


@pytest.mark.asyncio(loop_scope="function")
async def test_a_suggestion_button_gives_that_answer(tmp_path: Path) -> None:
    # Thresholds set so that only an exact phrasing is answered: the rest is suggested.
    kb = await open_sample_kb(tmp_path, answer_threshold=100, suggest_threshold=1)
    student = FakeUser(4200, "Lan")
    try:
        async with FakeTelegram() as fake, running_bot(kb, fake):
            suggestion = await ask(fake, student, "mũ bảo hiểm xe máy")
            assert msg.SUGGEST_INTRO in suggestion["text"]
            assert f"1. {HELMET}" in suggestion["text"]
            label, data = buttons(suggestion)[0]
            assert label == f"1. {HELMET}" and data == "e:t02-mu-bao-hiem"
            assert buttons(suggestion)[-1] == (msg.OPTION_ESCALATE, "x")

            await fake.press(student, suggestion, data)
            answer = (await fake.wait_sent(student.id, 2))[-1].result
            assert "400.000 đến 600.000 đồng" in answer["text"]
            assert await toasts(fake, student) == [""]
    finally:
        await kb.close()
