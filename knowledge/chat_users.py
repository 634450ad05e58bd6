"""Who talks to the bot on which chat, and whether the chat can still be reached.

Platform-neutral: a channel records a row per (channel, chat, user) when someone talks to the
bot, and marks it inactive when the user blocks the bot or the bot leaves a group. Whoever
sends messages later (answers from the legal officer, class announcements) reads it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, UniqueConstraint, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from knowledge.db.models import Base, utcnow

logger = logging.getLogger(__name__)


class ChatUser(Base):
    """A user in a chat on a channel; ``active`` is false once the chat cannot be reached."""

    __tablename__ = "chat_users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    chat_type: Mapped[str] = mapped_column(String(20), default="private")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("channel", "chat_id", "user_id"),)


def _key(channel: str, chat_id: str, user_id: str) -> tuple[ColumnElement[bool], ...]:
    return (ChatUser.channel == channel, ChatUser.chat_id == chat_id, ChatUser.user_id == user_id)


# Rows per INSERT statement: well under SQLite's limit of 32,766 bound parameters.
_CHUNK = 500


class ChatUserStore:
    """Records who was seen where, and who can no longer be reached."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def seen(self, channel: str, chat_id: str, user_id: str, chat_type: str) -> None:
        """Note that the user wrote in the chat just now (and so can be reached there)."""
        await self.seen_many(channel, [(chat_id, user_id, chat_type)])

    async def seen_many(self, channel: str, sightings: Sequence[tuple[str, str, str]]) -> None:
        """Several sightings of (chat_id, user_id, chat_type) at once, in one transaction."""
        now = utcnow()
        rows = [
            {
                "channel": channel,
                "chat_id": chat_id,
                "user_id": user_id,
                "chat_type": chat_type,
                "active": True,
                "first_seen": now,
                "last_seen": now,
            }
            for chat_id, user_id, chat_type in sightings
        ]
        await self._upsert(rows, ("chat_type", "active", "last_seen"))

    async def set_active(
        self, channel: str, chat_id: str, user_id: str | None, active: bool
    ) -> None:
        """Mark one user in a chat, or with ``user_id=None`` everyone in it, (in)active."""
        if user_id is None:
            query = (
                update(ChatUser)
                .where(ChatUser.channel == channel, ChatUser.chat_id == chat_id)
                .values(active=active)
            )
            async with self._sessions.begin() as session:
                await session.execute(query)
        else:
            now = utcnow()
            row = {"channel": channel, "chat_id": chat_id, "user_id": user_id, "active": active}
            await self._upsert([row | {"first_seen": now, "last_seen": now}], ("active",))
        logger.debug("Chat %s on %s marked %s", chat_id, channel, "active" if active else "gone")

    async def get(self, channel: str, chat_id: str, user_id: str) -> ChatUser | None:
        """One row, or None when the user was never seen in that chat."""
        query = select(ChatUser).where(*_key(channel, chat_id, user_id))
        async with self._sessions() as session:
            return (await session.scalars(query)).one_or_none()

    async def _upsert(self, rows: list[dict[str, object]], changed: Sequence[str]) -> None:
        """Insert rows, or on an existing (channel, chat, user) update the ``changed`` columns;
        one statement, so two first sightings racing each other cannot both insert."""
        if not rows:
            return
        async with self._sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            for start in range(0, len(rows), _CHUNK):
                statement = insert(ChatUser).values(rows[start : start + _CHUNK])
                statement = statement.on_conflict_do_update(
                    index_elements=["channel", "chat_id", "user_id"],
                    set_={name: statement.excluded[name] for name in changed},
                )
                await session.execute(statement)
