"""What users did: asked questions, unanswered questions for the legal officer, feedback."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.db.models import Feedback, QuestionLog, Unanswered

logger = logging.getLogger(__name__)

# Stored questions are capped: the log is for a human reader, not an archive of essays.
STORED_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class Asker:
    """Who asked, on which channel; ids are strings whatever the platform uses."""

    channel: str
    chat_id: str | None = None
    user_id: str | None = None


class ActivityStore:
    """Append-only records of questions and feedback."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def log_question(
        self,
        asker: Asker,
        status: str,
        kind: str | None,
        entry_id: str | None,
        topic: str | None,
        score: float | None,
    ) -> None:
        """Record the outcome of one question (not its text)."""
        async with self._sessions.begin() as session:
            session.add(
                QuestionLog(
                    channel=asker.channel,
                    user_id=asker.user_id,
                    status=status,
                    kind=kind,
                    entry_id=entry_id,
                    topic=topic,
                    score=score,
                )
            )

    async def log_unanswered(
        self,
        asker: Asker,
        question: str,
        normalized: str,
        reason: str,
        best_entry_id: str | None = None,
        best_score: float | None = None,
    ) -> int:
        """Queue a question for the legal officer; returns its id."""
        row = Unanswered(
            question=question[:STORED_QUESTION_CHARS],
            normalized=normalized[:STORED_QUESTION_CHARS],
            channel=asker.channel,
            chat_id=asker.chat_id,
            user_id=asker.user_id,
            reason=reason,
            best_entry_id=best_entry_id,
            best_score=best_score,
        )
        async with self._sessions.begin() as session:
            session.add(row)
        logger.debug("Unanswered question %d queued (%s)", row.id, reason)
        return row.id

    async def open_unanswered(self, limit: int = 100) -> list[Unanswered]:
        """Open questions, oldest first."""
        query = (
            select(Unanswered)
            .where(Unanswered.status == "open")
            .order_by(Unanswered.created_at, Unanswered.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            return list((await session.scalars(query)).all())

    async def add_feedback(
        self, asker: Asker, entry_id: str | None, question: str, vote: int
    ) -> None:
        """Store a 👍 (+1) or 👎 (-1)."""
        if vote not in (1, -1):
            raise ValueError("vote must be +1 or -1")
        async with self._sessions.begin() as session:
            session.add(
                Feedback(
                    entry_id=entry_id,
                    question=question[:STORED_QUESTION_CHARS],
                    vote=vote,
                    channel=asker.channel,
                    user_id=asker.user_id,
                )
            )
