"""FAQ entries in the database: read, write, import, with an audit record for every change."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.content_schema import Audience, FaqEntryData, Review, Source, Status
from knowledge.db.models import AuditLog, FaqEntry, FaqQuestion, FaqSource, utcnow

logger = logging.getLogger(__name__)


def to_data(row: FaqEntry) -> FaqEntryData:
    """Domain view of a stored entry (no re-validation: stored rows were valid when written)."""
    return FaqEntryData.model_construct(
        id=row.id,
        topic=row.topic,
        audience=cast(Audience, row.audience),
        questions=[q.text for q in row.questions],
        answer=row.answer,
        sources=[
            Source.model_construct(
                document=s.document, number=s.number, article=s.article, clause=s.clause
            )
            for s in row.sources
        ],
        status=cast(Status, row.status),
        review=cast(Review, row.review),
        review_note=row.review_note,
    )


def snapshot(data: FaqEntryData) -> dict[str, Any]:
    """JSON-ready state of an entry for the audit log and exports."""
    return data.model_dump(mode="json")


def _apply(row: FaqEntry, data: FaqEntryData, actor: str) -> None:
    row.topic = data.topic
    row.audience = data.audience
    row.answer = data.answer
    row.status = data.status
    row.review = data.review
    row.review_note = data.review_note
    row.updated_at = utcnow()
    row.updated_by = actor
    row.questions = [FaqQuestion(position=i, text=q) for i, q in enumerate(data.questions)]
    row.sources = [
        FaqSource(
            position=i, document=s.document, number=s.number, article=s.article, clause=s.clause
        )
        for i, s in enumerate(data.sources)
    ]


class FaqStore:
    """Reads and writes FAQ entries; every write is audited in the same transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def count(self) -> int:
        """Number of stored entries, active or not."""
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(FaqEntry)) or 0)

    async def all(self, include_disabled: bool = True) -> list[FaqEntryData]:
        """Every entry, ordered by id."""
        query = select(FaqEntry).order_by(FaqEntry.id)
        if not include_disabled:
            query = query.where(FaqEntry.status == "active")
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
            return [to_data(row) for row in rows]

    async def get(self, entry_id: str) -> FaqEntryData | None:
        """One entry by id."""
        async with self._sessions() as session:
            row = await session.get(FaqEntry, entry_id)
            return to_data(row) if row is not None else None

    async def save(self, data: FaqEntryData, actor: str) -> None:
        """Create or replace one entry."""
        await self.save_many([data], actor)

    async def save_many(self, entries: Sequence[FaqEntryData], actor: str) -> tuple[int, int]:
        """Create or replace entries in one transaction; returns (created, updated)."""
        created = updated = 0
        async with self._sessions.begin() as session:
            existing = {
                row.id: row
                for row in (
                    await session.scalars(
                        select(FaqEntry).where(FaqEntry.id.in_([e.id for e in entries]))
                    )
                ).all()
            }
            for data in entries:
                row = existing.get(data.id)
                before = snapshot(to_data(row)) if row is not None else None
                if row is None:
                    row = FaqEntry(id=data.id, created_at=utcnow())
                    session.add(row)
                    created += 1
                else:
                    if before == snapshot(data):
                        continue
                    updated += 1
                _apply(row, data, actor)
                action = "faq.create" if before is None else "faq.update"
                session.add(_audit(actor, action, data.id, before, snapshot(data)))
        logger.info("Saved FAQ entries: %d created, %d updated by %s", created, updated, actor)
        return created, updated

    async def set_status(self, entry_id: str, status: str, actor: str) -> bool:
        """Enable or disable an entry; False when it does not exist."""
        async with self._sessions.begin() as session:
            row = await session.get(FaqEntry, entry_id)
            if row is None:
                return False
            if row.status != status:
                before = {"status": row.status}
                row.status = status
                row.updated_at = utcnow()
                row.updated_by = actor
                session.add(_audit(actor, f"faq.{status}", entry_id, before, {"status": status}))
        return True


def _audit(
    actor: str,
    action: str,
    target: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditLog:
    return AuditLog(actor=actor, action=action, target=target, before=before, after=after)
