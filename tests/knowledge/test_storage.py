"""Storage on SQLite and PostgreSQL: bootstrap, saving with audit, live index updates."""

from __future__ import annotations

from sqlalchemy import select

from knowledge.content_schema import FaqEntryData
from knowledge.core import KnowledgeBase
from knowledge.db.models import AuditLog


async def test_bundled_sample_is_loaded_once(kb: KnowledgeBase) -> None:
    assert await kb.faq.count() == 3
    await kb.bootstrap()
    assert await kb.faq.count() == 3


async def test_new_entry_is_matched_without_restart(kb: KnowledgeBase) -> None:
    question = "Học sinh đánh bạc ăn tiền bằng bài lá bị xử lý ra sao?"
    assert kb.match(question).status != "answered"

    entry = FaqEntryData.model_validate(
        {
            "id": "t27-danh-bac",
            "topic": "T27",
            "audience": "students",
            "questions": [question, "đánh bài ăn tiền", "chơi bài ăn tiền có sao không", "cờ bạc"],
            "answer": "Đánh bạc trái phép bị xử phạt.\n\nCăn cứ: Nghị định 282/2025/NĐ-CP.",
            "sources": [{"document": "Nghị định 282/2025/NĐ-CP", "number": "282/2025/NĐ-CP"}],
            "review": "needs-check",
            "review_note": "article not known",
        }
    )
    await kb.faq.save(entry, actor="officer-1")
    await kb.refresh()
    result = kb.match(question)
    assert result.status == "answered" and result.best is not None
    assert result.best.entry_id == "t27-danh-bac"


async def test_changes_are_audited_and_disabled_entries_are_not_matched(
    kb: KnowledgeBase,
) -> None:
    entry = await kb.faq.get("t02-mu-bao-hiem")
    assert entry is not None
    changed = entry.model_copy(update={"answer": entry.answer.replace("400.000", "400 nghìn")})
    await kb.faq.save(changed, actor="officer-1")
    await kb.faq.save(changed, actor="officer-1")
    assert await kb.faq.set_status("t02-mu-bao-hiem", "disabled", actor="officer-1")
    assert not await kb.faq.set_status("no-such-entry", "disabled", actor="officer-1")
    await kb.refresh()

    assert kb.match("mức phạt lỗi mũ bảo hiểm").best is None or all(
        c.entry_id != "t02-mu-bao-hiem" for c in kb.match("mức phạt lỗi mũ bảo hiểm").candidates
    )
    async with kb.sessions() as session:
        rows = (await session.scalars(select(AuditLog).order_by(AuditLog.id))).all()
    actions = [(r.action, r.actor) for r in rows if r.target == "t02-mu-bao-hiem"]
    assert actions == [
        ("faq.create", "bundled-data"),
        ("faq.update", "officer-1"),
        ("faq.disabled", "officer-1"),
    ]
    update = next(r for r in rows if r.action == "faq.update")
    assert update.before is not None and "400.000" in str(update.before["answer"])
    assert update.after is not None and "400 nghìn" in str(update.after["answer"])
