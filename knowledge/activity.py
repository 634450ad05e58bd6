"""What users did: asked questions, unanswered questions for the legal officer, feedback.

The question log (one row per question, for statistics) and the unanswered questions are
written in batches off the answering path: a row is stamped when the question is answered
and inserted with the others of the same fraction of a second in one statement. Written one
by one, each insert's round trips to the database thread waited behind every other
request's matching on the event loop, and at saturation an unanswered question took seconds
(bench/web_load.py). Readers flush first; a question the user explicitly passes to the legal
officer is written before the reply, and feedback is written at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.db.models import Base, Feedback, QuestionLog, Unanswered, utcnow

logger = logging.getLogger(__name__)

# A crash loses at most this much of the log; in exchange an answer costs no database round
# trip. At 200 questions a second it is one transaction of about 50 rows.
FLUSH_SECONDS = 0.25
# Rows kept while the database refuses writes, before the oldest are dropped.
MAX_PENDING = 20_000

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
        self._pending: dict[type[Base], list[dict[str, Any]]] = {
            QuestionLog: [],
            Unanswered: [],
        }
        self._flusher: asyncio.Task[None] | None = None
        self._writing = asyncio.Lock()

    async def log_question(
        self,
        asker: Asker,
        status: str,
        kind: str | None,
        entry_id: str | None,
        topic: str | None,
        score: float | None,
    ) -> None:
        """Record the outcome of one question (not its text); written within FLUSH_SECONDS."""
        row = {
            "asked_at": utcnow(),
            "channel": asker.channel,
            "user_id": asker.user_id,
            "status": status,
            "kind": kind,
            "entry_id": entry_id,
            "topic": topic,
            "score": score,
        }
        self._queue(QuestionLog, row)

    async def log_unanswered(
        self,
        asker: Asker,
        question: str,
        normalized: str,
        reason: str,
        best_entry_id: str | None = None,
        best_score: float | None = None,
        at_once: bool = False,
    ) -> None:
        """Queue a question for the legal officer: written within FLUSH_SECONDS, or before
        returning with ``at_once`` (when the user was told it has been passed on)."""
        row = {
            "created_at": utcnow(),
            "question": question[:STORED_QUESTION_CHARS],
            "normalized": normalized[:STORED_QUESTION_CHARS],
            "channel": asker.channel,
            "chat_id": asker.chat_id,
            "user_id": asker.user_id,
            "reason": reason,
            "best_entry_id": best_entry_id,
            "best_score": best_score,
            "status": "open",
        }
        self._queue(Unanswered, row)
        logger.debug("Unanswered question queued (%s)", reason)
        if at_once:
            await self.flush()

    def _queue(self, model: type[Base], row: dict[str, Any]) -> None:
        self._pending[model].append(row)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon(), name="activity-writer")

    async def flush(self) -> None:
        """Write every queued row now (before reading them, and on shutdown)."""
        async with self._writing:
            batches = {model: rows for model, rows in self._pending.items() if rows}
            if not batches:
                return
            for model in batches:
                self._pending[model] = []
            try:
                async with self._sessions.begin() as session:
                    for model, rows in batches.items():
                        await session.execute(insert(model), rows)
            except Exception:
                # Keep the rows for the next flush rather than lose them.
                for model, rows in batches.items():
                    kept = rows + self._pending[model]
                    self._pending[model] = kept[-MAX_PENDING:]
                raise

    async def close(self) -> None:
        """Stop the background writer and write what is left."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_SECONDS)
        try:
            await self.flush()
        except Exception:
            logger.exception(
                "Could not write activity; %d rows kept for the next attempt",
                sum(len(rows) for rows in self._pending.values()),
            )

    async def open_unanswered(self, limit: int = 100) -> list[Unanswered]:
        """Open questions, oldest first."""
        await self.flush()
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
