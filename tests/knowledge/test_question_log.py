"""The question log is written in batches off the answering path, and nothing is lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from knowledge import activity
from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.db.models import QuestionLog, Unanswered, utcnow
from knowledge.settings import Settings

ASKER = Asker("web", user_id="u1")


async def logged(kb: KnowledgeBase) -> list[QuestionLog]:
    async with kb.sessions() as session:
        return list((await session.scalars(select(QuestionLog).order_by(QuestionLog.id))).all())


async def test_rows_are_written_in_the_background_with_the_time_they_were_asked(
    kb: KnowledgeBase,
) -> None:
    before = utcnow()
    for status in ("answered", "suggest", "unanswered"):
        await kb.activity.log_question(ASKER, status, "faq", None, None, 50.0)

    # Not yet: the writer waits a fraction of a second to gather a batch.
    assert await logged(kb) == []
    await asyncio.sleep(activity.FLUSH_SECONDS + 0.5)

    rows = await logged(kb)
    assert [r.status for r in rows] == ["answered", "suggest", "unanswered"]
    for row in rows:
        asked = row.asked_at if row.asked_at.tzinfo else row.asked_at.replace(tzinfo=before.tzinfo)
        assert before - timedelta(seconds=1) <= asked <= before + timedelta(seconds=1)


async def test_closing_the_knowledge_base_writes_what_is_pending(
    tmp_path: Path, sample_data_dir: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'log.db'}",
        data_dir=sample_data_dir,
        _env_file=None,
    )
    kb = await KnowledgeBase.open(settings)
    for _ in range(5):
        await kb.activity.log_question(ASKER, "answered", "faq", None, None, 70.0)
    await kb.close()

    reopened = await KnowledgeBase.open(settings)
    try:
        async with reopened.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(QuestionLog))
        assert count == 5
    finally:
        await reopened.close()


async def test_a_failed_write_keeps_the_rows_for_the_next_one(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    await kb.activity.log_question(ASKER, "answered", "faq", None, None, 70.0)
    working = kb.activity._sessions

    class Refusing:
        def begin(self) -> object:
            raise ConnectionError("database unavailable")

    monkeypatch.setattr(kb.activity, "_sessions", Refusing())
    with pytest.raises(ConnectionError):
        await kb.activity.flush()
    assert await logged(kb) == []

    monkeypatch.setattr(kb.activity, "_sessions", working)
    await kb.activity.log_question(ASKER, "suggest", "faq", None, None, 30.0)
    await kb.activity.flush()

    assert [r.status for r in await logged(kb)] == ["answered", "suggest"]


async def test_unanswered_questions_are_batched_but_an_escalation_is_written_at_once(
    kb: KnowledgeBase,
) -> None:
    async def stored() -> list[str]:
        async with kb.sessions() as session:
            return list((await session.scalars(select(Unanswered.question))).all())

    await kb.activity.log_unanswered(ASKER, "câu hỏi một", "cau hoi mot", "no-match")
    assert await stored() == []

    await kb.activity.log_unanswered(
        ASKER, "câu hỏi hai", "cau hoi hai", "user-request", at_once=True
    )
    assert await stored() == ["câu hỏi một", "câu hỏi hai"]
    [row] = [r for r in await kb.activity.open_unanswered() if r.question == "câu hỏi hai"]
    assert row.status == "open" and row.reason == "user-request" and row.user_id == "u1"


async def test_pending_rows_are_capped_while_the_database_refuses_writes(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activity, "MAX_PENDING", 10)

    class Refusing:
        def begin(self) -> object:
            raise ConnectionError("database unavailable")

    monkeypatch.setattr(kb.activity, "_sessions", Refusing())
    for _ in range(25):
        await kb.activity.log_question(ASKER, "answered", "faq", None, None, 70.0)
    with pytest.raises(ConnectionError):
        await kb.activity.flush()

    assert len(kb.activity._pending[QuestionLog]) == 10
