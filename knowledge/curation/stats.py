"""Statistics for the legal officer: how many questions, how many answered, what to look at.

Counts come from the question log (one row per question the dialog handled; greetings and
invalid messages are not questions). Days and weeks are Vietnam's (Asia/Ho_Chi_Minh); weeks
start on Monday. "Answered" means the bot gave an answer (a curated entry or a clause of the
law); suggestions and unanswered questions are counted apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select

from knowledge.core import KnowledgeBase
from knowledge.curation.period import LOCAL, Period, last_days, this_week, today
from knowledge.curation.queue import ReviewQueue
from knowledge.db.models import FaqEntry, Feedback, QuestionLog

TOP = 10
TOP_DAYS = 30
EXAMPLES = 3


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime (SQLite hands stored times back without their zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Counts:
    """Questions in a period by outcome."""

    asked: int = 0
    answered: int = 0
    suggested: int = 0
    unanswered: int = 0
    # Messages the platform withheld (Zalo's protected accounts): not questions we could read.
    withheld: int = 0

    @property
    def answered_share(self) -> float | None:
        """Answered / asked, None when nothing was asked."""
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class TopQuestion:
    """An entry and how often it was given."""

    entry_id: str
    question: str
    count: int


@dataclass(frozen=True)
class OpenQuestion:
    """A question of the review queue."""

    group_id: int
    question: str
    count: int


@dataclass(frozen=True)
class Downvoted:
    """An answer people disliked since it was last changed (entry None: a clause of the law)."""

    entry_id: str | None
    question: str
    down: int
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Statistics:
    """Everything ``stats`` shows."""

    generated_at: datetime
    today: Counts
    week: Counts
    open_groups: int
    open_rows: int
    pending_notifications: int
    top_questions: list[TopQuestion]
    top_unanswered: list[OpenQuestion]
    downvoted: list[Downvoted]

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``legalbot-admin stats --json``."""
        data = asdict(self)
        data["generated_at"] = self.generated_at.astimezone(LOCAL).isoformat()
        for name in ("today", "week"):
            counts: Counts = getattr(self, name)
            data[name]["answered_share"] = counts.answered_share
        return data


async def counts(kb: KnowledgeBase, period: Period, channel: str | None = None) -> Counts:
    """Questions asked in a period, by outcome (optionally on one channel)."""
    query = (
        select(QuestionLog.status, func.count())
        .where(QuestionLog.asked_at >= period.start, QuestionLog.asked_at < period.end)
        .group_by(QuestionLog.status)
    )
    if channel is not None:
        query = query.where(QuestionLog.channel == channel)
    await kb.activity.flush()
    async with kb.sessions() as session:
        by_status = {status: int(n) for status, n in (await session.execute(query)).all()}
    withheld = by_status.pop("unsupported", 0)
    return Counts(
        asked=sum(by_status.values()),
        answered=by_status.get("answered", 0),
        suggested=by_status.get("suggest", 0),
        unanswered=by_status.get("unanswered", 0),
        withheld=withheld,
    )


async def top_questions(kb: KnowledgeBase, period: Period, limit: int = TOP) -> list[TopQuestion]:
    """Entries given most often in a period."""
    query = (
        select(QuestionLog.entry_id, func.count().label("n"))
        .where(
            QuestionLog.asked_at >= period.start,
            QuestionLog.asked_at < period.end,
            QuestionLog.entry_id.is_not(None),
        )
        .group_by(QuestionLog.entry_id)
        .order_by(func.count().desc(), QuestionLog.entry_id)
        .limit(limit)
    )
    await kb.activity.flush()
    async with kb.sessions() as session:
        rows = (await session.execute(query)).all()
    result = []
    for entry_id, n in rows:
        entry = kb.entry(entry_id)
        result.append(TopQuestion(entry_id, entry.main_question if entry else entry_id, int(n)))
    return result


async def downvoted(kb: KnowledgeBase, limit: int = TOP) -> list[Downvoted]:
    """Answers with 👎 votes cast after the entry was last changed, most disliked first."""
    unaddressed = (
        select(Feedback.entry_id, Feedback.question, Feedback.created_at)
        .outerjoin(FaqEntry, FaqEntry.id == Feedback.entry_id)
        .where(
            Feedback.vote < 0,
            or_(FaqEntry.id.is_(None), Feedback.created_at > FaqEntry.updated_at),
        )
        .order_by(Feedback.created_at.desc())
        .limit(5000)
    )
    async with kb.sessions() as session:
        rows = (await session.execute(unaddressed)).all()
    by_entry: dict[str | None, list[str]] = {}
    for entry_id, question, _ in rows:
        by_entry.setdefault(entry_id, []).append(question)
    ranked = sorted(by_entry.items(), key=lambda item: -len(item[1]))[:limit]
    result = []
    for entry_id, questions in ranked:
        entry = kb.entry(entry_id) if entry_id else None
        title = entry.main_question if entry else (entry_id or "(trích dẫn điều luật)")
        examples = list(dict.fromkeys(q for q in questions if q))[:EXAMPLES]
        result.append(Downvoted(entry_id, title, len(questions), examples))
    return result


async def statistics(kb: KnowledgeBase, now: datetime | None = None) -> Statistics:
    """Today, this week, the queue, top questions and disliked answers."""
    now = now or datetime.now(UTC)
    queue = ReviewQueue(kb)
    groups = await queue.groups()
    return Statistics(
        generated_at=now,
        today=await counts(kb, today(now)),
        week=await counts(kb, this_week(now)),
        open_groups=len(groups),
        open_rows=sum(g.count for g in groups),
        pending_notifications=await queue.pending_count(),
        top_questions=await top_questions(kb, last_days(TOP_DAYS, now)),
        top_unanswered=[OpenQuestion(g.id, g.question, g.count) for g in groups[:TOP]],
        downvoted=await downvoted(kb),
    )
