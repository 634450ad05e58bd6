"""The review queue: questions the bot could not answer, grouped, answered, and sent back.

Many people ask the same thing in slightly different words; the officer sees each question
once with how often it was asked. Rows are grouped greedily, oldest first, by rapidfuzz's
token-sort ratio over their normalised text (the matcher's own normalisation, so "ko" and
"không", with or without diacritics, compare equal). A group is named by its oldest row.

Answering a group marks every row answered (who, with which entry, when; audited) and then
sends each asker the answer through ``kb.notifier``. Without a notifier (the delivery engine
is not running in this process) the rows stay answered-but-not-notified and are sent by
:meth:`ReviewQueue.notify_pending` whenever a notifier is present: every answer and every
look at the queue calls it, and the delivery engine may call it when it starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, func, select, update

from knowledge.content_schema import QUESTION_MAX, FaqEntryData
from knowledge.core import KnowledgeBase
from knowledge.curation import messages as cm
from knowledge.curation.entry_text import same_text
from knowledge.db.models import AuditLog, Unanswered, utcnow
from knowledge.normalize import clean, fold

logger = logging.getLogger(__name__)

# Token-sort ratio (0-100) from which two questions count as the same question.
SAME_QUESTION = 85.0
# Open rows read at once; the oldest beyond this wait for the next look.
MAX_OPEN_ROWS = 5000


@dataclass
class QueueGroup:
    """Askings of one question; ``id`` is the id of its oldest row."""

    id: int
    question: str
    key: str
    row_ids: list[int] = field(default_factory=list)
    askers: set[tuple[str, str]] = field(default_factory=set)
    first_at: datetime | None = None
    last_at: datetime | None = None
    best_entry_id: str | None = None
    best_score: float | None = None

    @property
    def count(self) -> int:
        """How many times it was asked."""
        return len(self.row_ids)


@dataclass(frozen=True)
class NotifyOutcome:
    """What happened to the answered questions that were waiting to be sent."""

    sent: int = 0
    waiting: int = 0
    failed: int = 0

    def describe(self) -> str:
        """One Vietnamese paragraph for the officer."""
        parts = []
        if self.sent:
            parts.append(cm.QUEUE_NOTIFIED.format(sent=self.sent))
        if self.waiting or self.failed:
            parts.append(cm.QUEUE_NOT_DELIVERED.format(waiting=self.waiting + self.failed))
        return "\n".join(parts)


@dataclass(frozen=True)
class AnswerOutcome:
    """The result of answering a group."""

    rows: int
    phrasing_added: bool
    phrasing_skipped: str
    notified: NotifyOutcome


class QueueError(Exception):
    """The group or entry is not there any more."""


def group_rows(rows: list[Unanswered], threshold: float = SAME_QUESTION) -> list[QueueGroup]:
    """Group rows (oldest first) into questions; groups are ordered by count, then recency."""
    groups: list[QueueGroup] = []
    # Each group's key with its words sorted: plain ratio over these is rapidfuzz's
    # token-sort ratio, without sorting every group's words again for every row.
    keys: list[str] = []
    exact: dict[str, int] = {}
    for row in rows:
        key = " ".join(sorted((row.normalized or fold(row.question)).split()))
        index = exact.get(key)
        if index is None:
            found = process.extractOne(
                key, keys, scorer=fuzz.ratio, processor=None, score_cutoff=threshold
            )
            index = found[2] if found is not None else None
        if index is None:
            index = len(groups)
            groups.append(QueueGroup(row.id, row.question, key))
            keys.append(key)
        exact[key] = index
        group = groups[index]
        group.row_ids.append(row.id)
        if row.user_id or row.chat_id:
            group.askers.add((row.channel, row.user_id or row.chat_id or ""))
        group.first_at = group.first_at or row.created_at
        group.last_at = row.created_at
        if row.best_score is not None and (group.best_score or 0) <= row.best_score:
            group.best_entry_id, group.best_score = row.best_entry_id, row.best_score
    groups.sort(key=lambda g: (-g.count, -(g.last_at.timestamp() if g.last_at else 0)))
    return groups


class ReviewQueue:
    """The open questions of a knowledge base, and what the officer does with them."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    async def groups(self) -> list[QueueGroup]:
        """Open questions grouped, most asked first."""
        query = (
            select(Unanswered)
            .where(Unanswered.status == "open")
            .order_by(Unanswered.created_at, Unanswered.id)
            .limit(MAX_OPEN_ROWS)
        )
        await self.kb.activity.flush()
        async with self.kb.sessions() as session:
            rows = list((await session.scalars(query)).all())
        return group_rows(rows)

    async def group(self, group_id: int) -> QueueGroup | None:
        """The open group that holds row ``group_id`` (any row of it), or None."""
        return next((g for g in await self.groups() if group_id in g.row_ids), None)

    async def answer(
        self, group: QueueGroup, entry_id: str, actor: str, add_phrasing: bool = False
    ) -> AnswerOutcome:
        """Answer every asking of the group with an entry, optionally keeping the question as
        a phrasing of it, and send the answer to the askers."""
        entry = await self.kb.faq.get(entry_id)
        if entry is None or entry.status != "active":
            raise QueueError(f"no active FAQ entry {entry_id!r}")
        added, skipped = False, ""
        if add_phrasing:
            added, skipped = await self._add_phrasing(entry, group.question, actor)

        rows = await self._resolve(group, "answered", actor, entry_id)
        if rows == 0:
            raise QueueError(f"question {group.id} was already handled")
        logger.info(
            "Queue group %d (%d rows) answered with %s by %s", group.id, rows, entry_id, actor
        )
        return AnswerOutcome(rows, added, skipped, await self.notify_pending())

    async def dismiss(self, group: QueueGroup, actor: str) -> int:
        """Take a group off the queue without an answer (spam, not a legal question)."""
        rows = await self._resolve(group, "dismissed", actor, None)
        logger.info("Queue group %d (%d rows) dismissed by %s", group.id, rows, actor)
        return rows

    async def _resolve(
        self, group: QueueGroup, status: str, actor: str, entry_id: str | None
    ) -> int:
        now = utcnow()
        async with self.kb.sessions.begin() as session:
            done = await session.execute(
                update(Unanswered)
                .where(Unanswered.id.in_(group.row_ids), Unanswered.status == "open")
                .values(
                    status=status,
                    answered_entry_id=entry_id,
                    answered_by=actor,
                    resolved_at=now,
                )
            )
            rows = int(getattr(done, "rowcount", 0) or 0)
            if rows:
                session.add(
                    AuditLog(
                        actor=actor,
                        action=f"unanswered.{'answer' if status == 'answered' else 'dismiss'}",
                        target=f"unanswered:{group.id}",
                        before={
                            "status": "open",
                            "question": group.question,
                            "rows": group.row_ids,
                        },
                        after={"status": status, "entry_id": entry_id, "rows": rows},
                    )
                )
        return rows

    async def _add_phrasing(
        self, entry: FaqEntryData, question: str, actor: str
    ) -> tuple[bool, str]:
        """Keep the asked question as a phrasing; (added, why not)."""
        phrasing = clean(question)
        if len(phrasing) > QUESTION_MAX:
            return False, f"dài hơn {QUESTION_MAX} ký tự"
        if same_text(phrasing) in {same_text(q) for q in entry.questions}:
            return False, "đã có"
        if not any(ch.isalpha() for ch in phrasing):
            return False, "không có chữ"
        updated = entry.model_copy(update={"questions": [*entry.questions, phrasing]})
        await self.kb.faq.save(updated, actor)
        await self.kb.refresh()
        return True, ""

    async def pending_count(self) -> int:
        """Answered askings whose asker has not been sent the answer yet."""
        async with self.kb.sessions() as session:
            return int(await session.scalar(select(func.count()).where(*_pending())) or 0)

    async def notify_pending(self) -> NotifyOutcome:
        """Send every answered-but-not-yet-sent question to its asker, once per chat."""
        notifier = self.kb.notifier
        query = select(Unanswered).where(*_pending()).order_by(Unanswered.id).limit(MAX_OPEN_ROWS)
        async with self.kb.sessions() as session:
            rows = list((await session.scalars(query)).all())
        if not rows:
            return NotifyOutcome()
        if notifier is None:
            return NotifyOutcome(waiting=len({(r.channel, r.chat_id) for r in rows}))

        # One message per chat and entry, even when someone asked the same thing three times.
        batches: dict[tuple[str, str, str], list[Unanswered]] = {}
        for row in rows:
            key = (row.channel, row.chat_id or "", row.answered_entry_id or "")
            batches.setdefault(key, []).append(row)
        sent = failed = 0
        for (channel, chat_id, entry_id), batch in batches.items():
            entry = self.kb.entry(entry_id) or await self.kb.faq.get(entry_id)
            if entry is None:
                logger.warning("Answer %s of queued question %d is gone", entry_id, batch[0].id)
                failed += 1
                continue
            text = cm.ANSWER_TO_ASKER.format(
                question=_short(batch[0].question), answer=entry.answer
            )
            try:
                await notifier.notify(channel, chat_id, text, f"review-answer:{batch[0].id}")
            except Exception:  # a failing channel must not stop the other askers' answers
                logger.exception("Could not queue the answer for chat %s on %s", chat_id, channel)
                failed += 1
                continue
            await self._mark_notified([r.id for r in batch])
            sent += 1
        return NotifyOutcome(sent=sent, failed=failed)

    async def _mark_notified(self, row_ids: list[int]) -> None:
        async with self.kb.sessions.begin() as session:
            await session.execute(
                update(Unanswered).where(Unanswered.id.in_(row_ids)).values(notified_at=utcnow())
            )


def _pending() -> tuple[ColumnElement[bool], ...]:
    return (
        Unanswered.status == "answered",
        Unanswered.notified_at.is_(None),
        Unanswered.chat_id.is_not(None),
    )


def _short(question: str, limit: int = 200) -> str:
    return question if len(question) <= limit else question[: limit - 1] + "…"
