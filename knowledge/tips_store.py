"""The tip library in the database, and the rotation that picks the next tip for a target.

Tips are loaded from ``faq_data/tips/*.yaml`` the first time the database has none, like
the FAQ. Rotation never repeats a tip to the same target until every suitable tip has been
sent to it: it picks among the tips sent there least often, in an order of its own per
target (so two classes on the same schedule do not read the same tip on the same day).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, DateTime, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.audiences import Target
from knowledge.content import load_tips
from knowledge.content_schema import Source, TipData
from knowledge.db.models import Base, utcnow
from knowledge.delivery.models import Broadcast

logger = logging.getLogger(__name__)


class Tip(Base):
    """A short legal tip."""

    __tablename__ = "tips"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    topic: Mapped[str] = mapped_column(String(10), index=True)
    audience: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[dict[str, str | None]]] = mapped_column(JSON, default=list)
    occasion: Mapped[str | None] = mapped_column(String(20), nullable=True)
    review: Mapped[str] = mapped_column(String(20), default="ok")
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def data(self) -> TipData:
        """The tip in the content schema's shape (for export)."""
        return TipData(
            id=self.id,
            topic=self.topic,
            audience=self.audience,
            text=self.text,
            sources=[Source.model_validate(s) for s in self.sources],
            occasion=self.occasion,
            review=self.review,
            review_note=self.review_note,
        )


def _order_key(target: str, tip_id: str) -> str:
    return hashlib.blake2b(f"{target}|{tip_id}".encode(), digest_size=8).hexdigest()


class TipStore:
    """Reads the tip library and picks tips by rotation."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def count(self) -> int:
        """Number of stored tips."""
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Tip)) or 0)

    async def load_if_empty(self, tips: list[TipData]) -> int:
        """Store ``tips`` when the library is empty; returns how many were stored."""
        async with self._sessions.begin() as session:
            if await session.scalar(select(func.count()).select_from(Tip)):
                return 0
            for tip in tips:
                session.add(
                    Tip(
                        id=tip.id,
                        topic=tip.topic,
                        audience=tip.audience,
                        text=tip.text,
                        sources=[s.model_dump() for s in tip.sources],
                        occasion=tip.occasion,
                        review=tip.review,
                        review_note=tip.review_note,
                    )
                )
        if tips:
            logger.info("Loaded %d bundled tips", len(tips))
        return len(tips)

    async def get(self, tip_id: str) -> Tip | None:
        """One tip by id."""
        async with self._sessions() as session:
            return await session.get(Tip, tip_id)

    async def all(self, topic: str | None = None) -> list[Tip]:
        """Every tip (of one topic), in id order."""
        query = select(Tip).order_by(Tip.id)
        if topic is not None:
            query = query.where(Tip.topic == topic)
        async with self._sessions() as session:
            return list((await session.scalars(query)).all())

    async def next_for(self, target: Target, topic: str | None = None) -> Tip | None:
        """The next tip for the target by rotation, or None when none suits it."""
        async with self._sessions() as session:
            return await next_tip(session, target, topic)


async def next_tip(session: AsyncSession, target: Target, topic: str | None) -> Tip | None:
    """Rotation inside the caller's transaction (see :meth:`TipStore.next_for`)."""
    query = select(Tip).where(Tip.audience.in_(target.tip_audiences), Tip.review == "ok")
    if topic is not None:
        query = query.where(Tip.topic == topic)
    tips = list((await session.scalars(query)).all())
    if not tips:
        return None
    sent = select(Broadcast.tip_id, func.count()).where(
        Broadcast.target == target.key, Broadcast.tip_id.is_not(None)
    )
    rows = (await session.execute(sent.group_by(Broadcast.tip_id))).all()
    counts = {tip_id: count for tip_id, count in rows}
    return min(tips, key=lambda t: (counts.get(t.id, 0), _order_key(target.key, t.id)))


async def load_bundled_tips(sessions: async_sessionmaker[AsyncSession], data_dir: Path) -> None:
    """Load ``tips/*.yaml`` of the data directory the first time the library is empty."""
    store = TipStore(sessions)
    if await store.count() == 0:
        await store.load_if_empty(load_tips(data_dir))
