"""The Zalo bot in a private chat, end to end: the bot's own client against the fake Zalo
Bot API server (long polling), asserting what the user reads and what gets stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.zalo import messages as zmsg
from knowledge import messages as msg
from knowledge import subscription_messages as smsg
from knowledge.chat_users import ChatUser
from knowledge.core import KnowledgeBase
from knowledge.db.models import Feedback, Unanswered
from knowledge.settings import Settings
from tests.bot.fake_zalo import FakeUser, FakeZalo, running_bot, user

STUDENT = user(4201, "Lan")
HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"


@pytest.fixture
async def fake(kb: KnowledgeBase) -> AsyncIterator[FakeZalo]:
    """The fake Zalo Bot API with the bot polling it."""
    async with FakeZalo() as server, running_bot(kb, server):
        yield server


async def ask(fake: FakeZalo, text: str, sender: FakeUser = STUDENT) -> str:
    """Send a message and return the bot's last message after it."""
    before = len(fake.sent(sender.id))
    await fake.send(sender, text)
    return (await fake.wait_sent(sender.id, before + 1))[-1]


async def test_first_contact_starts_with_the_automated_assistant_notice(
    fake: FakeZalo, kb: KnowledgeBase
) -> None:
    await fake.send(STUDENT, HELMET)
    notice, answer = await fake.wait_sent(STUDENT.id, 2)
    assert "trợ lý tự động, không phải người thật" in notice
    assert "thông tin pháp luật chung" in notice and "không thay thế tư vấn pháp lý" in notice
    assert "400.000 đến 600.000 đồng" in answer

    # Known from now on: the next question is answered without the notice.
    reply = await ask(fake, "ko đội mũ bh bị phạt bn tiền")
    assert "400.000 đến 600.000 đồng" in reply
    assert len(fake.sent(STUDENT.id)) == 3
    async with kb.sessions() as session:
        row = (await session.scalars(select(ChatUser))).one()
    assert (row.channel, row.chat_id, row.user_id, row.chat_type) == (
        "zalo",
        STUDENT.id,
        STUDENT.id,
        "private",
    )


async def test_start_is_only_the_welcome(fake: FakeZalo) -> None:
    reply = await ask(fake, "/start")
    assert reply.startswith(f"Xin chào! Mình là {msg.BOT_NAME}.")
    assert msg.DISCLAIMER in reply
    await fake.wait_for(lambda: len(fake.sent(STUDENT.id)) == 1)


async def test_answer_shows_its_basis_and_asks_for_a_numbered_vote(
    fake: FakeZalo, kb: KnowledgeBase
) -> None:
    await ask(fake, "/start")
    answer = await ask(fake, HELMET)
    assert "Căn cứ: Nghị định 168/2024/NĐ-CP, Điều 7, khoản 2." in answer
    assert zmsg.FEEDBACK_PROMPT in answer and zmsg.ESCALATE_HINT in answer

    assert await ask(fake, "1") == msg.FEEDBACK_THANKS_UP
    # The vote is spent: another number is no longer a vote.
    assert await ask(fake, "1") == msg.NOT_UNDERSTOOD
    await ask(fake, HELMET)
    assert await ask(fake, "👎🏻") == msg.FEEDBACK_THANKS_DOWN
    await ask(fake, HELMET)
    assert await ask(fake, "/-strong") == msg.FEEDBACK_THANKS_UP

    async with kb.sessions() as session:
        votes = (await session.scalars(select(Feedback).order_by(Feedback.id))).all()
    assert [(v.vote, v.entry_id, v.channel, v.user_id) for v in votes] == [
        (1, "t02-mu-bao-hiem", "zalo", STUDENT.id),
        (-1, "t02-mu-bao-hiem", "zalo", STUDENT.id),
        (1, "t02-mu-bao-hiem", "zalo", STUDENT.id),
    ]
    assert votes[0].question == HELMET


async def test_a_number_out_of_range_shows_the_votes_again(fake: FakeZalo) -> None:
    await ask(fake, "/start")
    await ask(fake, HELMET)
    reply = await ask(fake, "7")
    assert reply.startswith(msg.CHOICE_OUT_OF_RANGE.format(number=7, count=2))
    assert f"1. {zmsg.VOTE_UP}\n2. {zmsg.VOTE_DOWN}" in reply
    assert "Trả lời 1 hoặc 2 để chọn." in reply


async def test_thumbs_without_an_answer_to_rate(fake: FakeZalo) -> None:
    await ask(fake, "/start")
    assert await ask(fake, "👍") == zmsg.NOTHING_TO_RATE


async def test_topics_are_numbered_and_picked_by_number(fake: FakeZalo) -> None:
    await ask(fake, "/start")
    menu = await ask(fake, "/chude")
    assert menu.startswith(msg.TOPICS_INTRO.format(page=1, pages=1))
    lines = menu.splitlines()
    numbered = [line for line in lines if line[:1].isdigit()]
    assert len(numbered) == 3 and numbered[0].startswith("1. ")
    assert "Trả lời 1, 2 hoặc 3 để chọn." in lines

    topic = await ask(fake, "2")
    assert topic.startswith("Chủ đề “")
    assert "1. Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?" in topic
    assert zmsg.TOPIC_BACK in topic

    answer = await ask(fake, "1")
    assert "400.000 đến 600.000 đồng" in answer


async def test_escalation_passes_the_last_question_on(fake: FakeZalo, kb: KnowledgeBase) -> None:
    await ask(fake, "/start")
    assert await ask(fake, "/hoicanbo") == msg.NOTHING_TO_ESCALATE
    await ask(fake, HELMET)
    reply = await ask(fake, "/hoicanbo")
    assert reply.startswith("Cảm ơn bạn. Câu hỏi “Không đội mũ bảo hiểm")
    async with kb.sessions() as session:
        row = (await session.scalars(select(Unanswered))).one()
    assert (row.channel, row.chat_id, row.reason) == ("zalo", STUDENT.id, "user-request")


async def test_help_explains_numbers_votes_and_joining(fake: FakeZalo) -> None:
    await ask(fake, "/start")
    reply = await ask(fake, "/HELP")
    assert reply.startswith("Cách dùng trợ lý:")
    assert f"\n\n{zmsg.HELP_ZALO}\n\n{smsg.HELP_MEMBER}" in reply
    assert zmsg.HELP_TEACHER not in reply  # a student's help


async def test_unknown_commands_point_to_help(fake: FakeZalo) -> None:
    await ask(fake, "/start")
    assert await ask(fake, "/xoa_du_lieu") == zmsg.UNKNOWN_COMMAND


async def test_suggestions_are_numbered_and_the_number_answers(
    database_url: str, sample_data_dir: Path
) -> None:
    # Thresholds set so that only an exact phrasing is answered: the rest is suggested.
    settings = Settings(
        database_url=database_url,
        data_dir=sample_data_dir,
        answer_threshold=100,
        suggest_threshold=1,
        _env_file=None,
    )
    kb = await KnowledgeBase.open(settings)
    try:
        async with FakeZalo() as fake, running_bot(kb, fake):
            await ask(fake, "/start")
            reply = await ask(fake, "mũ bảo hiểm xe máy")
            assert reply.startswith(msg.SUGGEST_INTRO)
            numbered = [line for line in reply.splitlines() if line[:2] in ("1.", "2.", "3.")]
            assert numbered[0] == "1. Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
            assert "hoặc gõ lại câu hỏi rõ hơn." in reply and zmsg.ESCALATE_HINT in reply
            answer = await ask(fake, "1")
            assert "400.000 đến 600.000 đồng" in answer
            assert zmsg.FEEDBACK_PROMPT in answer
    finally:
        await kb.close()
