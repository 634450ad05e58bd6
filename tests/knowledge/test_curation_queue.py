"""The review queue round trip: a question is asked and logged, grouped with its repeats,
answered by the legal officer, and the askers receive the answer through the notifier."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from knowledge.activity import Asker
from knowledge.content_schema import FaqEntryData
from knowledge.core import KnowledgeBase
from knowledge.curation import messages as cm
from knowledge.curation.queue import QueueError, ReviewQueue, group_rows
from knowledge.db.models import Unanswered, utcnow
from knowledge.dialog import Conversation, Dialog
from tests.knowledge.curation_support import RecordingNotifier, audit_rows

DOG = "Nuôi chó trong chung cư có cần đăng ký không?"
DOG_TYPO = "nuoi cho trong chung cu co can dang ky ko"
DOG_AGAIN = "Nuôi chó ở chung cư có phải đăng ký không ạ"
BIKE = "Đi xe đạp điện có cần bằng lái không?"

PETS = FaqEntryData.model_validate(
    {
        "id": "t17-nuoi-cho-chung-cu",
        "topic": "T17",
        "audience": "everyone",
        "questions": [
            "Nuôi chó trong chung cư có cần đăng ký không?",
            "nuôi chó chung cư",
            "Có phải đăng ký chó nuôi không?",
            "chó nuôi trong chung cư",
        ],
        "answer": "Có, chó nuôi phải được khai báo với chính quyền cấp xã.\n\n"
        "Căn cứ: Nghị định 90/2026/NĐ-CP.",
        "sources": [{"document": "Nghị định 90/2026/NĐ-CP", "number": "90/2026/NĐ-CP"}],
    }
)


async def ask(kb: KnowledgeBase, question: str, chat: str | None) -> str:
    """A Telegram user asks (``chat`` None: someone at the terminal); returns the status."""
    asker = Asker("telegram", chat, chat) if chat else Asker("cli")
    reply = await Dialog(kb).ask(Conversation(asker), question)
    return reply.status or ""


async def rows(kb: KnowledgeBase) -> list[Unanswered]:
    async with kb.sessions() as session:
        return list((await session.scalars(select(Unanswered).order_by(Unanswered.id))).all())


def unanswered(row_id: int, question: str, normalized: str, minutes: int = 0) -> Unanswered:
    return Unanswered(
        id=row_id,
        question=question,
        normalized=normalized,
        channel="telegram",
        chat_id=str(row_id),
        user_id=str(row_id),
        created_at=utcnow() + timedelta(minutes=minutes),
    )


def test_repeats_of_a_question_are_grouped_with_their_count() -> None:
    groups = group_rows(
        [
            unanswered(1, DOG, "nuoi cho trong chung cu co can dang ky khong"),
            unanswered(2, BIKE, "di xe dap dien co can bang lai khong"),
            unanswered(3, DOG_TYPO, "nuoi cho trong chung cu co can dang ky khong", 1),
            unanswered(4, DOG_AGAIN, "nuoi cho o chung cu co phai dang ky khong a", 2),
            unanswered(5, "xe dap dien can bang lai ko", "xe dap dien can bang lai khong", 3),
        ]
    )
    assert [(g.id, g.question, g.count, g.row_ids) for g in groups] == [
        (1, DOG, 3, [1, 3, 4]),
        (2, BIKE, 2, [2, 5]),
    ]
    assert len(groups[0].askers) == 3


async def test_a_question_is_answered_and_every_asker_receives_the_answer(
    kb: KnowledgeBase,
) -> None:
    notifier = RecordingNotifier()
    kb.notifier = notifier
    assert await ask(kb, DOG, "4201") == "unanswered"
    assert await ask(kb, DOG_TYPO, "4202") == "unanswered"
    assert await ask(kb, DOG, "4201") == "unanswered"
    assert await ask(kb, BIKE, "4203") == "unanswered"

    queue = ReviewQueue(kb)
    first, second = await queue.groups()
    assert (first.question, first.count, len(first.askers)) == (DOG, 3, 2)
    assert (second.question, second.count) == (BIKE, 1)

    await kb.faq.save(PETS, "telegram:1")
    await kb.refresh()
    outcome = await queue.answer(first, PETS.id, "telegram:1")
    assert (outcome.rows, outcome.notified.sent, outcome.notified.waiting) == (3, 2, 0)

    # One message per chat, even for someone who asked twice.
    assert sorted((c, chat) for c, chat, _, _ in notifier.sent) == [
        ("telegram", "4201"),
        ("telegram", "4202"),
    ]
    text = notifier.sent[0][2]
    assert text == cm.ANSWER_TO_ASKER.format(question=DOG, answer=PETS.answer)
    assert notifier.sent[0][3].startswith("review-answer:")

    stored = [r for r in await rows(kb) if r.question != BIKE]
    assert {(r.status, r.answered_entry_id, r.answered_by) for r in stored} == {
        ("answered", PETS.id, "telegram:1")
    }
    assert all(r.notified_at is not None and r.resolved_at is not None for r in stored)
    assert [g.question for g in await queue.groups()] == [BIKE]

    (audit,) = await audit_rows(kb, "unanswered.answer")
    assert audit.actor == "telegram:1" and audit.target == f"unanswered:{first.id}"
    assert audit.before == {"status": "open", "question": DOG, "rows": first.row_ids}
    assert audit.after == {"status": "answered", "entry_id": PETS.id, "rows": 3}

    # Nothing is sent twice.
    assert (await queue.notify_pending()).sent == 0
    assert len(notifier.sent) == 2


async def test_answering_with_an_existing_entry_keeps_the_question_as_a_phrasing(
    kb: KnowledgeBase,
) -> None:
    kb.notifier = RecordingNotifier()
    await ask(kb, BIKE, "4203")
    queue = ReviewQueue(kb)
    (group,) = await queue.groups()
    outcome = await queue.answer(group, "t01-tuoi-xe-gan-may", "cli:lan", add_phrasing=True)
    assert outcome.phrasing_added

    entry = await kb.faq.get("t01-tuoi-xe-gan-may")
    assert entry is not None and entry.questions[-1] == BIKE
    (change,) = [r for r in await audit_rows(kb, "faq.update") if r.actor == "cli:lan"]
    assert change.before is not None and change.after is not None
    assert BIKE not in str(change.before["questions"])
    assert change.after["questions"] == [*entry.questions]
    # The matcher was rebuilt: the same question is answered now.
    assert await ask(kb, BIKE, "4204") == "answered"


async def test_without_delivery_the_askers_stay_queued_until_it_runs(kb: KnowledgeBase) -> None:
    await ask(kb, DOG, "4201")
    await ask(kb, DOG, None)
    await kb.faq.save(PETS, "cli:lan")
    queue = ReviewQueue(kb)
    (group,) = await queue.groups()

    outcome = await queue.answer(group, PETS.id, "cli:lan")
    assert (outcome.notified.sent, outcome.notified.waiting) == (0, 1)
    assert cm.QUEUE_NOT_DELIVERED.format(waiting=1) in outcome.notified.describe()
    assert await queue.pending_count() == 1

    notifier = RecordingNotifier()
    kb.notifier = notifier
    assert (await queue.notify_pending()).sent == 1
    assert [chat for _, chat, _, _ in notifier.sent] == ["4201"]
    assert await queue.pending_count() == 0


async def test_a_failing_channel_leaves_the_asker_queued(kb: KnowledgeBase) -> None:
    kb.notifier = RecordingNotifier(fail=True)
    await ask(kb, DOG, "4201")
    await kb.faq.save(PETS, "cli:lan")
    queue = ReviewQueue(kb)
    (group,) = await queue.groups()
    outcome = await queue.answer(group, PETS.id, "cli:lan")
    assert (outcome.notified.sent, outcome.notified.failed) == (0, 1)
    assert await queue.pending_count() == 1


async def test_a_handled_question_cannot_be_answered_twice(kb: KnowledgeBase) -> None:
    await ask(kb, DOG, "4201")
    queue = ReviewQueue(kb)
    (group,) = await queue.groups()
    assert await queue.dismiss(group, "cli:lan") == 1
    with pytest.raises(QueueError, match="already handled"):
        await queue.answer(group, "t01-tuoi-xe-gan-may", "cli:lan")
    with pytest.raises(QueueError, match="no active FAQ entry"):
        await queue.answer(group, "no-such-entry", "cli:lan")
    (row,) = await rows(kb)
    assert (row.status, row.answered_by) == ("dismissed", "cli:lan")
    (audit,) = await audit_rows(kb, "unanswered.dismiss")
    assert audit.after == {"status": "dismissed", "entry_id": None, "rows": 1}


async def test_a_question_too_long_for_a_phrasing_is_answered_without_it(
    kb: KnowledgeBase,
) -> None:
    long_question = "Cho em hỏi về việc đi xe đạp điện " + "rất " * 80 + "có cần bằng không?"
    await ask(kb, long_question, "4201")
    queue = ReviewQueue(kb)
    (group,) = await queue.groups()
    outcome = await queue.answer(group, "t01-tuoi-xe-gan-may", "cli:lan", add_phrasing=True)
    assert not outcome.phrasing_added and "300" in outcome.phrasing_skipped
    entry = await kb.faq.get("t01-tuoi-xe-gan-may")
    assert entry is not None and len(entry.questions) == 4


async def test_the_answer_goes_out_through_the_delivery_engine(kb: KnowledgeBase) -> None:
    from tests.knowledge.delivery_support import FakeSender, engine_for

    sender = FakeSender()
    engine = engine_for(kb, sender)
    await engine.start()
    try:
        await ask(kb, DOG, "4201")
        await kb.faq.save(PETS, "cli:lan")
        queue = ReviewQueue(kb)
        (group,) = await queue.groups()
        outcome = await queue.answer(group, PETS.id, "telegram:1")
        assert outcome.notified.sent == 1
        deadline = time.monotonic() + 10
        while not sender.sent and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        await engine.stop()
    ((chat, text, _),) = sender.sent
    assert chat == "4201" and PETS.answer in text and DOG in text
    assert kb.notifier is None


async def test_rows_answered_elsewhere_are_not_reanswered(kb: KnowledgeBase) -> None:
    await ask(kb, DOG, "4201")
    queue = ReviewQueue(kb)
    (group,) = await queue.groups()
    async with kb.sessions.begin() as session:
        await session.execute(update(Unanswered).values(status="answered"))
    with pytest.raises(QueueError):
        await queue.answer(group, "t01-tuoi-xe-gan-may", "cli:lan")
    assert await queue.group(group.id) is None
