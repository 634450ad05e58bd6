"""The dialog on a real database: answers, suggestions, the unanswered log, bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from knowledge import messages as msg
from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.db.models import Feedback, QuestionLog, Unanswered
from knowledge.dialog import Conversation, Dialog, ReplyKind


def conversation() -> Conversation:
    return Conversation(Asker("test", "chat-1", "user-1"))


async def count(kb: KnowledgeBase, model: type) -> int:
    await kb.activity.flush()
    async with kb.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_answer_has_its_legal_basis(kb: KnowledgeBase) -> None:
    reply = await Dialog(kb).ask(conversation(), "ko đội mũ bảo hiểm bị phạt bao nhiêu tiền")
    assert reply.kind is ReplyKind.ANSWER
    assert reply.entry_id == "t02-mu-bao-hiem"
    assert "Căn cứ: Nghị định 168/2024/NĐ-CP" in reply.text
    assert reply.sources[0]["number"] == "168/2024/NĐ-CP"
    assert reply.feedback and reply.escalate
    assert await count(kb, QuestionLog) == 1


async def test_needs_check_entries_carry_a_note(kb: KnowledgeBase) -> None:
    reply = await Dialog(kb).ask(
        conversation(), "Học sinh có được dùng điện thoại trong giờ học không?"
    )
    assert reply.entry_id == "t15-dien-thoai-trong-lop"
    assert msg.NEEDS_CHECK_NOTE in reply.text


async def test_unknown_question_is_logged_for_the_officer(kb: KnowledgeBase) -> None:
    reply = await Dialog(kb).ask(conversation(), "Thủ tục mua bán đất đai cần giấy tờ gì?")
    assert reply.kind is ReplyKind.UNANSWERED
    await kb.activity.flush()
    async with kb.sessions() as session:
        rows = (await session.scalars(select(Unanswered))).all()
    assert [r.question for r in rows] == ["Thủ tục mua bán đất đai cần giấy tờ gì?"]
    assert rows[0].chat_id == "chat-1" and rows[0].status == "open"


async def test_numbered_suggestion_is_answered(kb: KnowledgeBase) -> None:
    dialog = Dialog(kb)
    conv = conversation()
    topics = await dialog.handle_text(conv, "/chude")
    assert topics.kind is ReplyKind.MENU and topics.options
    traffic = next(i for i, o in enumerate(topics.options, 1) if o.payload == "t:T02")
    listing = await dialog.handle_text(conv, str(traffic))
    assert listing.options[0].payload == "e:t02-mu-bao-hiem"
    answer = await dialog.handle_text(conv, "1")
    assert answer.kind is ReplyKind.ANSWER and answer.entry_id == "t02-mu-bao-hiem"


async def test_out_of_range_number(kb: KnowledgeBase) -> None:
    dialog = Dialog(kb)
    conv = conversation()
    await dialog.handle_text(conv, "/chude")
    reply = await dialog.handle_text(conv, "99")
    assert reply.kind is ReplyKind.INVALID and "99" in reply.text


async def test_escalation_and_feedback(kb: KnowledgeBase) -> None:
    dialog = Dialog(kb)
    conv = conversation()
    nothing = await dialog.escalate(conv)
    assert nothing.kind is ReplyKind.INVALID
    await dialog.ask(conv, "mức phạt lỗi mũ bảo hiểm")
    await dialog.feedback(conv, conv.last_entry_id, -1)
    reply = await dialog.handle_text(conv, "/hoicanbo")
    assert "mức phạt lỗi mũ bảo hiểm" in reply.text
    async with kb.sessions() as session:
        row = (await session.scalars(select(Unanswered))).one()
        vote = (await session.scalars(select(Feedback))).one()
    assert row.reason == "user-request" and row.best_entry_id == "t02-mu-bao-hiem"
    assert vote.vote == -1 and vote.entry_id == "t02-mu-bao-hiem"


async def test_bad_input_gets_a_polite_vietnamese_reply(kb: KnowledgeBase) -> None:
    dialog = Dialog(kb)
    cases = {
        "": msg.EMPTY,
        "   \n\t ": msg.EMPTY,
        "x" * 10_000: msg.TOO_LONG.format(limit=kb.settings.max_question_chars),
        "😀😀🙏": msg.NOT_UNDERSTOOD,
        "\x00\x01\x02": msg.EMPTY,
        "Как оформить паспорт?": msg.NOT_VIETNAMESE,
        "什么是法律": msg.NOT_VIETNAMESE,
        "What is the legal age to ride a motorbike?": msg.NOT_VIETNAMESE,
    }
    for text, expected in cases.items():
        reply = await dialog.ask(conversation(), text)
        assert reply.text == expected, text
        assert reply.kind is ReplyKind.INVALID
    assert await count(kb, Unanswered) == 0


async def test_hostile_text_is_stored_verbatim_and_clean(kb: KnowledgeBase) -> None:
    dialog = Dialog(kb)
    hostile = "'; DROP TABLE faq_entries; -- <script>alert(1)</script>\x07 luật đất đai"
    reply = await dialog.ask(conversation(), hostile)
    assert reply.kind is ReplyKind.UNANSWERED
    assert await kb.faq.count() == 3
    await kb.activity.flush()
    async with kb.sessions() as session:
        stored = (await session.scalars(select(Unanswered.question))).one()
    assert "\x07" not in stored and stored.startswith("'; DROP TABLE")


async def test_unaccented_vietnamese_is_not_taken_for_english(kb: KnowledgeBase) -> None:
    reply = await Dialog(kb).ask(conversation(), "khong doi mu bao hiem bi phat bao nhieu")
    assert reply.kind is ReplyKind.ANSWER


async def test_small_talk_is_answered_kindly_and_not_logged(kb: KnowledgeBase) -> None:
    dialog = Dialog(kb)
    for text, kind in [
        ("Xin chào!", "greeting"),
        ("cảm ơn bạn nhé", "thanks"),
        ("bye", "goodbye"),
    ]:
        reply = await dialog.ask(conversation(), text)
        assert reply.text == msg.SMALL_TALK[kind]
    assert await count(kb, Unanswered) == 0
