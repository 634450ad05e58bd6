"""Every database step of delivery: enqueue, claim, record, recover and report.

A broadcast and all its delivery rows are written in one transaction, so a message is
either queued for everyone or for no one. A worker claims due rows (``pending`` →
``sending``, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so several processes never
claim the same row) before sending them, and records each outcome afterwards only if it
still holds the claim. Rows left ``sending`` by a worker that died are the in-flight window:
they are resent (at-least-once, flagged ``uncertain``) or closed as ``uncertain``
(at-most-once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import subscription_messages as smsg
from knowledge.audiences import Recipient, Target, aware, deactivate_chats, recipients_in
from knowledge.db.models import utcnow
from knowledge.delivery.models import OPEN_STATES, Broadcast, Delivery, Origin, State
from knowledge.delivery.report import Report

logger = logging.getLogger(__name__)

# Channel-neutral ceiling of a message text: fits Telegram (4,096) and Zalo (2,000).
TEXT_MAX = 2000
# Direct messages (answers, reports) go before broadcasts.
PRIORITY_DIRECT = 0
PRIORITY_BROADCAST = 1
INSERT_CHUNK = 2000


class LedgerError(ValueError):
    """A broadcast that cannot be queued; the message is Vietnamese."""


@dataclass(frozen=True)
class Claimed:
    """A row this worker now holds, with the text to send."""

    id: int
    broadcast_id: int
    channel: str
    chat_id: str
    chat_kind: str
    attempts: int
    uncertain: bool
    text: str


@dataclass(frozen=True)
class Outcome:
    """What to write back for one claimed row."""

    id: int
    state: State
    attempts: int
    uncertain: bool
    next_attempt_at: datetime
    error: str | None = None

    @property
    def final(self) -> bool:
        """Whether the row is done."""
        return self.state not in OPEN_STATES


@dataclass(frozen=True)
class Requester:
    """Who asked for a broadcast, so the report can go back to them."""

    channel: str | None = None
    chat_id: str | None = None
    user_id: str | None = None


def check_text(text: str) -> str:
    """A message text fit to queue, or LedgerError."""
    text = text.strip()
    if not text:
        raise LedgerError(smsg.TEXT_EMPTY)
    if len(text) > TEXT_MAX:
        raise LedgerError(smsg.TEXT_TOO_LONG.format(limit=TEXT_MAX, length=len(text)))
    return text


class Ledger:
    """The delivery ledger over one database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], dialect: str) -> None:
        self._sessions = sessions
        self._postgres = dialect == "postgresql"
        # Called after a commit that queued something, so a local engine wakes at once.
        self.on_enqueue: Callable[[], None] | None = None

    # Queueing -------------------------------------------------------------------------

    async def broadcast(
        self,
        target: Target,
        text: str,
        origin: Origin,
        requester: Requester | None = None,
        *,
        tip_id: str | None = None,
        origin_note: str = "",
    ) -> Broadcast:
        """Queue ``text`` for every chat the target reaches, all at once or not at all."""
        async with self._sessions.begin() as session:
            recipients = await recipients_in(session, target)
            broadcast = await self.enqueue(
                session,
                target,
                recipients,
                text,
                origin,
                requester,
                tip_id=tip_id,
                origin_note=origin_note,
            )
        self._woke()
        return broadcast

    async def direct(
        self, recipient: Recipient, text: str, origin: Origin, origin_note: str
    ) -> Broadcast:
        """Queue a message to one chat (an answer, a report): a one-recipient broadcast."""
        target = Target(f"chat:{recipient.channel}:{recipient.chat_id}"[:40], "một người dùng")
        async with self._sessions.begin() as session:
            broadcast = await self.enqueue(
                session, target, [recipient], text, origin, origin_note=origin_note
            )
        self._woke()
        return broadcast

    async def enqueue(
        self,
        session: AsyncSession,
        target: Target,
        recipients: Sequence[Recipient],
        text: str,
        origin: Origin,
        requester: Requester | None = None,
        *,
        tip_id: str | None = None,
        origin_note: str = "",
        schedule_id: int | None = None,
        run_at: datetime | None = None,
    ) -> Broadcast:
        """Queue inside the caller's transaction (schedules advance in the same one)."""
        text = check_text(text)
        if not recipients:
            label = target.label[:1].upper() + target.label[1:]
            raise LedgerError(smsg.AUDIENCE_EMPTY.format(target=label))
        requester = requester or Requester()
        direct = origin in (Origin.NOTIFY, Origin.REPORT)
        broadcast = Broadcast(
            target=target.key,
            target_label=target.label[:200],
            text=text,
            tip_id=tip_id,
            origin=origin,
            origin_note=origin_note[:200],
            requested_channel=requester.channel,
            requested_chat=requester.chat_id,
            requested_user=requester.user_id,
            schedule_id=schedule_id,
            schedule_run_at=run_at,
            total=len(recipients),
        )
        session.add(broadcast)
        await session.flush()
        now = utcnow()
        rows = [
            {
                "broadcast_id": broadcast.id,
                "channel": r.channel,
                "chat_id": r.chat_id,
                "chat_kind": r.chat_kind,
                "priority": PRIORITY_DIRECT if direct else PRIORITY_BROADCAST,
                "state": State.PENDING,
                "attempts": 0,
                "uncertain": False,
                "next_attempt_at": now,
            }
            for r in recipients
        ]
        for start in range(0, len(rows), INSERT_CHUNK):
            await session.execute(insert(Delivery), rows[start : start + INSERT_CHUNK])
        logger.info(
            "Broadcast %d (%s) queued for %d chats: %s",
            broadcast.id,
            origin,
            len(rows),
            target.key,
        )
        return broadcast

    def _woke(self) -> None:
        if self.on_enqueue is not None:
            self.on_enqueue()

    # Working --------------------------------------------------------------------------

    async def claim(
        self,
        worker: int,
        channels: Sequence[str],
        limit: int,
        now: datetime,
        admit: Callable[[str, str, str], datetime | None],
    ) -> list[Claimed]:
        """Take up to ``limit`` due rows of ``channels`` for ``worker``.

        ``admit(channel, chat_id, chat_kind)`` returns None when the row may be sent now
        (and books its slot), or the time before which that chat may not receive anything;
        such rows are pushed back to that time instead of being claimed.
        """
        query = (
            select(
                Delivery.id,
                Delivery.broadcast_id,
                Delivery.channel,
                Delivery.chat_id,
                Delivery.chat_kind,
                Delivery.attempts,
                Delivery.uncertain,
                Broadcast.text,
            )
            .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
            .where(
                Delivery.state == State.PENDING,
                Delivery.next_attempt_at <= now,
                Delivery.channel.in_(list(channels)),
            )
            .order_by(Delivery.priority, Delivery.next_attempt_at, Delivery.id)
            .limit(limit * 4)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True, of=Delivery)

        async with self._sessions.begin() as session:
            taken: list[Claimed] = []
            later: list[dict[str, object]] = []
            for row in (await session.execute(query)).all():
                if len(taken) >= limit:
                    break
                wait = admit(row.channel, row.chat_id, row.chat_kind)
                if wait is not None:
                    later.append({"_id": row.id, "_at": wait})
                    continue
                taken.append(
                    Claimed(
                        row.id,
                        row.broadcast_id,
                        row.channel,
                        row.chat_id,
                        row.chat_kind,
                        row.attempts + 1,
                        row.uncertain,
                        row.text,
                    )
                )
            if taken:
                await session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_([c.id for c in taken]))
                    .values(
                        state=State.SENDING,
                        claimed_by=worker,
                        claimed_at=now,
                        attempts=Delivery.attempts + 1,
                    )
                )
            if later:
                table = cast(Table, Delivery.__table__)
                await session.execute(
                    update(table)
                    .where(table.c.id == bindparam("_id"))
                    .values(next_attempt_at=bindparam("_at")),
                    later,
                )
        return taken

    async def record(self, worker: int, outcomes: Sequence[Outcome]) -> list[int]:
        """Write outcomes of rows ``worker`` still holds; returns broadcasts now complete."""
        if not outcomes:
            return []
        table = cast(Table, Delivery.__table__)
        now = utcnow()
        rows = [
            {
                "_id": o.id,
                "_state": o.state,
                "_attempts": o.attempts,
                "_uncertain": o.uncertain,
                "_next": o.next_attempt_at,
                "_error": o.error[:300] if o.error else None,
                "_finished": now if o.final else None,
            }
            for o in outcomes
        ]
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("_id"),
                table.c.state == State.SENDING,
                table.c.claimed_by == worker,
            )
            .values(
                state=bindparam("_state"),
                attempts=bindparam("_attempts"),
                uncertain=bindparam("_uncertain"),
                next_attempt_at=bindparam("_next"),
                error=bindparam("_error"),
                finished_at=bindparam("_finished"),
                claimed_by=None,
            )
        )
        ids = [o.id for o in outcomes]
        async with self._sessions.begin() as session:
            await session.execute(statement, rows)
            blocked = [o.id for o in outcomes if o.state is State.BLOCKED]
            if blocked:
                gone = select(Delivery.channel, Delivery.chat_id).where(Delivery.id.in_(blocked))
                chats = [(c, i) for c, i in (await session.execute(gone)).all()]
                await deactivate_chats(session, chats)
            owners = select(Delivery.broadcast_id).where(Delivery.id.in_(ids)).distinct()
            touched = list((await session.scalars(owners)).all())
        # Check for completion only after the outcomes are committed: two workers finishing
        # the last rows at once would otherwise each see the other's rows still open (READ
        # COMMITTED) and neither would close the broadcast.
        async with self._sessions.begin() as session:
            done = await self._complete(session, touched)
        if done:
            self._woke()
        return done

    async def _complete(self, session: AsyncSession, broadcast_ids: list[int]) -> list[int]:
        """Close broadcasts without open rows; queue the report to whoever asked."""
        if not broadcast_ids:
            return []
        open_rows = (
            select(Delivery.broadcast_id)
            .where(Delivery.broadcast_id.in_(broadcast_ids), Delivery.state.in_(OPEN_STATES))
            .distinct()
        )
        still_open = set((await session.scalars(open_rows)).all())
        done = []
        for broadcast_id in broadcast_ids:
            if broadcast_id in still_open:
                continue
            closed = await session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.status == "sending")
                .values(status="done", completed_at=utcnow())
            )
            # Only the worker whose update closed it reports it.
            if getattr(closed, "rowcount", 0):
                done.append(broadcast_id)
                await self._report_back(session, broadcast_id)
        return done

    async def _report_back(self, session: AsyncSession, broadcast_id: int) -> None:
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        report = await _report(session, broadcast)
        logger.info(
            "Broadcast %d finished: %d sent, %d blocked, %d failed, %d uncertain of %d",
            broadcast_id,
            report.count(State.SENT),
            report.count(State.BLOCKED),
            report.count(State.FAILED),
            report.count(State.UNCERTAIN),
            report.total,
        )
        if broadcast.origin in (Origin.NOTIFY, Origin.REPORT):
            return
        if broadcast.requested_channel is None or broadcast.requested_chat is None:
            return
        recipient = Recipient(broadcast.requested_channel, broadcast.requested_chat)
        target = Target(f"report:{broadcast_id}", "người gửi")
        await self.enqueue(
            session,
            target,
            [recipient],
            report.as_text(),
            Origin.REPORT,
            origin_note=f"broadcast {broadcast_id}",
        )

    async def recover(self, worker: int, dead: set[int], resend: bool) -> int:
        """Deal with rows that dead workers left in flight; returns how many there were.

        At-least-once (``resend``) puts them back in the queue flagged ``uncertain``; they
        may arrive twice. At-most-once closes them as ``uncertain``; they may never arrive.
        """
        if not dead:
            return 0
        where = (Delivery.state == State.SENDING, Delivery.claimed_by.in_(list(dead)))
        now = utcnow()
        async with self._sessions.begin() as session:
            touched = list(
                await session.scalars(select(Delivery.broadcast_id).where(*where).distinct())
            )
            if resend:
                values: dict[str, object] = {
                    "state": State.PENDING,
                    "uncertain": True,
                    "next_attempt_at": now,
                    "claimed_by": None,
                }
            else:
                values = {
                    "state": State.UNCERTAIN,
                    "uncertain": True,
                    "finished_at": now,
                    "claimed_by": None,
                }
            result = await session.execute(update(Delivery).where(*where).values(values))
            count = int(getattr(result, "rowcount", 0) or 0)
            if not resend:
                await self._complete(session, touched)
        if count:
            logger.warning(
                "%d message(s) were in flight when worker(s) %s stopped; %s",
                count,
                sorted(dead),
                "resending them (at-least-once)" if resend else "marked uncertain (at-most-once)",
            )
        return count

    async def holders(self, worker: int) -> set[int]:
        """Workers other than ``worker`` that hold rows in flight."""
        query = (
            select(Delivery.claimed_by)
            .where(Delivery.state == State.SENDING, Delivery.claimed_by != worker)
            .distinct()
        )
        async with self._sessions() as session:
            return {w for w in (await session.scalars(query)).all() if w is not None}

    async def next_due(self, channels: Sequence[str]) -> datetime | None:
        """When the earliest pending row of ``channels`` becomes due."""
        query = select(func.min(Delivery.next_attempt_at)).where(
            Delivery.state == State.PENDING, Delivery.channel.in_(list(channels))
        )
        async with self._sessions() as session:
            found = await session.scalar(query)
        return aware(found) if found is not None else None

    # Reports --------------------------------------------------------------------------

    async def report(self, broadcast_id: int) -> Report | None:
        """The report of one broadcast, or None when there is no such broadcast."""
        async with self._sessions() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            if broadcast is None:
                return None
            return await _report(session, broadcast)

    async def reports_by(self, channel: str, user_id: str, limit: int = 5) -> list[Report]:
        """Reports of the latest broadcasts a user asked for, newest first."""
        query = (
            select(Broadcast)
            .where(Broadcast.requested_channel == channel, Broadcast.requested_user == user_id)
            .order_by(Broadcast.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            broadcasts = list((await session.scalars(query)).all())
            return [await _report(session, b) for b in broadcasts]


async def _report(session: AsyncSession, broadcast: Broadcast) -> Report:
    query = (
        select(Delivery.channel, Delivery.state, Delivery.uncertain, func.count())
        .where(Delivery.broadcast_id == broadcast.id)
        .group_by(Delivery.channel, Delivery.state, Delivery.uncertain)
    )
    report = Report(
        id=broadcast.id,
        target=broadcast.target,
        target_label=broadcast.target_label,
        origin=broadcast.origin,
        status=broadcast.status,
        created_at=aware(broadcast.created_at),
        completed_at=aware(broadcast.completed_at) if broadcast.completed_at else None,
    )
    for channel, state, uncertain, count in (await session.execute(query)).all():
        report.total += count
        report.counts[state] = report.counts.get(state, 0) + count
        per_channel = report.by_channel.setdefault(channel, {})
        per_channel[state] = per_channel.get(state, 0) + count
        if uncertain and state == State.SENT:
            report.resent += count
    return report
