"""Stored schedules: recurring or one-off messages to a target, run by the delivery engine.

A schedule lives in the database, so it survives restarts. Each run becomes exactly one
broadcast: the engine takes due schedules (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), queues
the broadcast and moves ``next_run_at`` forward in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, DateTime, Integer, String, Text, delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.audiences import Target, aware, recipients_in, target_from_key
from knowledge.db.models import Base, utcnow
from knowledge.delivery.ledger import Ledger, LedgerError, Requester, check_text
from knowledge.delivery.models import Origin
from knowledge.schedules import Recurrence, ScheduleError, parse_schedule
from knowledge.tips_store import next_tip

logger = logging.getLogger(__name__)

# A run missed by more than this (the bot was down) is skipped rather than sent late.
MISSED_GRACE = timedelta(hours=6)
DUE_BATCH = 20


class Schedule(Base):
    """A recurring (or one-off) message: a fixed text, or the next tip by rotation."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(40))
    target_label: Mapped[str] = mapped_column(String(200))
    audience_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    spec: Mapped[str] = mapped_column(String(100))
    once_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    topic: Mapped[str | None] = mapped_column(String(10), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    created_channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_chat: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_user: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def recurrence(self, now: datetime) -> Recurrence:
        """The parsed schedule."""
        if self.once_at is not None:
            return Recurrence(self.spec, once=aware(self.once_at))
        return parse_schedule(self.spec, now)


@dataclass(frozen=True)
class RunResult:
    """One due schedule handled: the broadcast it queued, or why it queued none."""

    schedule_id: int
    broadcast_id: int | None
    skipped: str | None = None


class ScheduleStore:
    """Creates, lists, pauses and runs schedules."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ledger: Ledger) -> None:
        self._sessions = sessions
        self._ledger = ledger
        bind = sessions.kw.get("bind")
        url = str(bind.url) if bind is not None else "sqlite://"
        self._postgres = make_url(url).get_backend_name() == "postgresql"

    async def create(
        self,
        target: Target,
        recurrence: Recurrence,
        now: datetime,
        requester: Requester,
        *,
        topic: str | None = None,
        text: str | None = None,
    ) -> Schedule:
        """Store a schedule whose first run is the next one after ``now``."""
        if text is not None:
            text = check_text(text)
        first = recurrence.next_after(now)
        if first is None:
            raise ScheduleError(f"Lịch “{recurrence.spec}” không còn lần chạy nào.")
        schedule = Schedule(
            target=target.key,
            target_label=target.label[:200],
            audience_id=target.audience_id,
            spec=recurrence.spec,
            once_at=recurrence.once,
            topic=topic,
            text=text,
            next_run_at=first,
            created_channel=requester.channel,
            created_chat=requester.chat_id,
            created_user=requester.user_id,
        )
        async with self._sessions.begin() as session:
            session.add(schedule)
        logger.info("Schedule %d for %s: %s", schedule.id, target.key, recurrence.spec)
        return schedule

    async def get(self, schedule_id: int) -> Schedule | None:
        """One schedule."""
        async with self._sessions() as session:
            return await session.get(Schedule, schedule_id)

    async def find(
        self, *, audience_ids: list[int] | None = None, created_user: str | None = None
    ) -> list[Schedule]:
        """Schedules of some audiences, or created by a user, or all; by id."""
        query = select(Schedule).order_by(Schedule.id)
        if audience_ids is not None:
            query = query.where(Schedule.audience_id.in_(audience_ids))
        if created_user is not None:
            query = query.where(Schedule.created_user == created_user)
        async with self._sessions() as session:
            return list((await session.scalars(query)).all())

    async def set_active(self, schedule_id: int, active: bool, now: datetime) -> Schedule | None:
        """Pause or resume; a resumed schedule continues from its next run after now."""
        async with self._sessions.begin() as session:
            schedule = await session.get(Schedule, schedule_id)
            if schedule is None:
                return None
            if active and not schedule.active:
                schedule.next_run_at = schedule.recurrence(now).next_after(now)
                if schedule.next_run_at is None:
                    raise ScheduleError("Lịch này đã chạy xong, không thể tiếp tục.")
            schedule.active = active
        return schedule

    async def delete(self, schedule_id: int) -> bool:
        """Remove a schedule (its past broadcasts stay in the reports)."""
        async with self._sessions.begin() as session:
            done = await session.execute(delete(Schedule).where(Schedule.id == schedule_id))
        return bool(getattr(done, "rowcount", 0))

    async def next_run(self) -> datetime | None:
        """When the earliest active schedule is due."""
        query = select(Schedule.next_run_at).where(Schedule.active.is_(True))
        async with self._sessions() as session:
            found = [aware(t) for t in (await session.scalars(query)).all() if t is not None]
        return min(found, default=None)

    async def run_due(self, now: datetime) -> list[RunResult]:
        """Queue a broadcast for every due schedule and move each to its next run."""
        query = (
            select(Schedule)
            .where(Schedule.active.is_(True), Schedule.next_run_at <= now)
            .order_by(Schedule.next_run_at, Schedule.id)
            .limit(DUE_BATCH)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        results = []
        async with self._sessions.begin() as session:
            for schedule in (await session.scalars(query)).all():
                results.append(await self._run_one(session, schedule, now))
        if any(r.broadcast_id for r in results) and self._ledger.on_enqueue:
            self._ledger.on_enqueue()
        return results

    async def _run_one(
        self, session: AsyncSession, schedule: Schedule, now: datetime
    ) -> RunResult:
        assert schedule.next_run_at is not None
        run_at = aware(schedule.next_run_at)
        skipped = None
        broadcast_id = None
        target = await target_from_key(session, schedule.target)

        if target is None:
            skipped = "target no longer exists"
        elif now - run_at > MISSED_GRACE:
            skipped = "missed while the bot was not running"
        else:
            broadcast_id, skipped = await self._queue(session, schedule, target, run_at)

        schedule.last_run_at = run_at
        schedule.runs += 1
        try:
            following = schedule.recurrence(now).next_after(max(now, run_at))
        except ScheduleError:
            following = None
        schedule.next_run_at = following
        if following is None or target is None:
            schedule.active = False
        if skipped:
            logger.warning("Schedule %d run at %s skipped: %s", schedule.id, run_at, skipped)
        return RunResult(schedule.id, broadcast_id, skipped)

    async def _queue(
        self, session: AsyncSession, schedule: Schedule, target: Target, run_at: datetime
    ) -> tuple[int | None, str | None]:
        text, tip_id = schedule.text, None
        if text is None:
            tip = await next_tip(session, target, schedule.topic)
            if tip is None:
                return None, "no tip suits this audience"
            text, tip_id = tip.text, tip.id
        recipients = await recipients_in(session, target)
        if not recipients:
            return None, "the audience has no members"
        requester = Requester(
            schedule.created_channel, schedule.created_chat, schedule.created_user
        )
        try:
            broadcast = await self._ledger.enqueue(
                session,
                target,
                recipients,
                text,
                Origin.SCHEDULE,
                requester,
                tip_id=tip_id,
                origin_note=f"schedule {schedule.id}",
                schedule_id=schedule.id,
                run_at=run_at,
            )
        except LedgerError as exc:
            return None, str(exc)
        return broadcast.id, None
