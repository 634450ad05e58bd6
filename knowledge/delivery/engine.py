"""The delivery loop: run due schedules, claim due rows, send them at each channel's pace.

One engine runs per process (inside ``legalbot run`` or ``legalbot serve``), with every chat
channel of the process added to it. It keeps at most ``DELIVERY_CONCURRENCY`` rows claimed
at a time: that is the whole in-flight window, the only messages a crash can leave in doubt.
Outcomes are written back in small batches by one flusher task; a slot is freed only once
its outcome is committed, so the window never grows while the database is slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.audiences import Recipient
from knowledge.chat_users import ChatUser
from knowledge.core import KnowledgeBase
from knowledge.db.models import utcnow
from knowledge.delivery.errors import Blocked, Permanent, RetryAfter, Transient
from knowledge.delivery.lease import Lease, lease_for
from knowledge.delivery.ledger import Claimed, Ledger, Outcome
from knowledge.delivery.models import Origin, State
from knowledge.delivery.pacing import Pacer
from knowledge.delivery.sender import ChannelPacing, Sender
from knowledge.delivery.settings import DeliverySettings
from knowledge.schedule_store import ScheduleStore

logger = logging.getLogger(__name__)

# Schedules are looked at least this often (sooner when one is due earlier).
SCHEDULE_POLL = 30.0
# How often PostgreSQL workers look for rows left by dead workers.
RECOVER_EVERY = 15.0
# Rows whose chat may receive within this many seconds are claimed now and wait in memory.
CLAIM_AHEAD = 0.05
# How long stopping waits for messages already on their way.
STOP_GRACE = 20.0


class DeliveryEngine:
    """Sends what the ledger holds, for every channel that registered a sender."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: DeliverySettings | None = None,
        *,
        now: Callable[[], datetime] = utcnow,
        lease: Lease | None = None,
    ) -> None:
        self.kb = kb
        self.settings = settings or DeliverySettings()
        self._now = now
        self.ledger = Ledger(kb.sessions, kb.engine.dialect.name)
        self.ledger.on_enqueue = self.wake
        self.schedules = ScheduleStore(kb.sessions, self.ledger)
        self.notifier = LedgerNotifier(self.ledger, kb.sessions)
        self._lease = lease or lease_for(kb.engine)
        self.worker_id = self._lease.worker_id
        self._postgres = kb.engine.dialect.name == "postgresql"
        self._senders: dict[str, Sender] = {}
        self._pacers: dict[str, Pacer] = {}
        self._slots: dict[tuple[str, str], float] = {}
        self._inflight: dict[int, Claimed] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._results: list[Outcome] = []
        self._results_ready = asyncio.Event()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._main: asyncio.Task[None] | None = None
        self._closing = False
        self._next_schedules = 0.0
        self._next_recover = 0.0
        self.sent_count = 0

    def add_channel(self, name: str, sender: Sender, pacing: ChannelPacing) -> None:
        """Deliver rows of channel ``name`` through ``sender`` within ``pacing``."""
        self._senders[name] = sender
        self._pacers[name] = Pacer(pacing)

    def wake(self) -> None:
        """Something was queued: look for work now rather than at the next poll."""
        self._wake.set()

    # Lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start delivering in the background and accept direct messages from the core."""
        self.kb.notifier = self.notifier
        self._main = asyncio.create_task(self._run(), name="delivery-engine")
        logger.info(
            "Delivery engine started for %s (worker %d, %s, quiet hours %s)",
            ", ".join(self._senders) or "no channel",
            self.worker_id,
            self.settings.delivery_guarantee,
            self.settings.quiet.label() if self.settings.quiet else "off",
        )

    async def stop(self) -> None:
        """Finish the messages on their way, record them, and stop."""
        self._stop.set()
        self._wake.set()
        if self._main is not None:
            await self._main
        if self.kb.notifier is self.notifier:
            self.kb.notifier = None
        logger.info("Delivery engine stopped (%d messages sent)", self.sent_count)

    async def _run(self) -> None:
        if not await self._lease.acquire(self._stop):
            return
        flusher = asyncio.create_task(self._flush_forever(), name="delivery-flusher")
        try:
            await self._recover()
            while not self._stop.is_set():
                try:
                    await self._step()
                except Exception:
                    # A database hiccup must not end delivery; the rows wait in the ledger.
                    logger.exception("Delivery step failed; retrying shortly")
                    await self._pause(self.settings.delivery_poll_seconds * 5)
        finally:
            await self._drain_sends()
            # Let the flusher finish its transaction: cancelling it half-way through would
            # leave SQLite locked and the outcomes unrecorded.
            self._closing = True
            self._results_ready.set()
            await flusher
            await self._lease.release()

    async def _drain_sends(self) -> None:
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in late:
                # Left "sending": the next start treats them as the in-flight window.
                task.cancel()

    # The loop -------------------------------------------------------------------------

    async def _step(self) -> None:
        now = self._now()
        clock = time.monotonic()
        if clock >= self._next_schedules:
            await self._run_schedules(now, clock)
        if self._postgres and clock >= self._next_recover:
            await self._recover()
            self._next_recover = clock + RECOVER_EVERY

        quiet = self.settings.quiet
        if quiet is not None and quiet.contains(now):
            wait = (quiet.ends_after(now) - now).total_seconds()
            await self._pause(min(wait, self.settings.delivery_poll_seconds))
            return

        free = self.settings.delivery_concurrency - len(self._inflight)
        # Claim in batches while busy: one claim transaction per few sends, not per send.
        batch = max(1, self.settings.delivery_concurrency // 4) if self._inflight else 1
        if free < batch or not self._senders:
            await self._pause(self.settings.delivery_poll_seconds)
            return

        self._slots.clear()
        claimed = await self.ledger.claim(
            self.worker_id, list(self._senders), free, now, self._admit
        )
        for row in claimed:
            self._inflight[row.id] = row
            slot = self._slots.pop((row.channel, row.chat_id), 0.0)
            task = asyncio.create_task(self._send(row, slot), name=f"deliver-{row.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if len(claimed) < free:
            await self._pause(await self._idle_wait(now))

    async def _run_schedules(self, now: datetime, clock: float) -> None:
        for result in await self.schedules.run_due(now):
            if result.broadcast_id:
                logger.info(
                    "Schedule %d queued broadcast %d", result.schedule_id, result.broadcast_id
                )
        wait = SCHEDULE_POLL
        following = await self.schedules.next_run()
        if following is not None:
            wait = min(wait, max(0.0, (following - self._now()).total_seconds()))
        self._next_schedules = clock + wait

    async def _idle_wait(self, now: datetime) -> float:
        """How long to sleep when nothing more is due: until the next due row, or a poll."""
        wait = self.settings.delivery_poll_seconds
        due = await self.ledger.next_due(list(self._senders))
        if due is not None:
            wait = min(wait, max(0.0, (due - now).total_seconds()))
        return max(wait, 0.005)

    async def _pause(self, seconds: float) -> None:
        """Sleep up to ``seconds``; a wake-up, a freed slot or stop() ends it early."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    def _admit(self, channel: str, chat_id: str, chat_kind: str) -> datetime | None:
        pacer = self._pacers[channel]
        is_group = chat_kind == "group"
        clock = time.monotonic()
        ready = pacer.chat_ready_at(chat_id, is_group)
        if ready > clock + CLAIM_AHEAD:
            return self._now() + timedelta(seconds=ready - clock)
        self._slots[(channel, chat_id)] = pacer.reserve(chat_id, is_group)
        return None

    # Sending --------------------------------------------------------------------------

    async def _send(self, row: Claimed, slot: float) -> None:
        pacer = self._pacers[row.channel]
        try:
            await pacer.wait_turn(slot, row.chat_id)
            outcome = await self._attempt(row, pacer)
        except asyncio.CancelledError:
            # Stopping took too long: the row stays "sending" for the next start to recover.
            self._inflight.pop(row.id, None)
            raise
        self._results.append(outcome)
        self._results_ready.set()

    async def _attempt(self, row: Claimed, pacer: Pacer) -> Outcome:
        now = self._now()
        sender = self._senders[row.channel]
        try:
            await sender.send(row.chat_id, row.text)
        except RetryAfter as exc:
            logger.warning(
                "%s asks to wait %.1f s (chat %s)", row.channel, exc.seconds, row.chat_id
            )
            pacer.pause(exc.seconds)
            # Not the recipient's fault: the attempt does not count.
            later = now + timedelta(seconds=exc.seconds)
            return Outcome(row.id, State.PENDING, row.attempts - 1, row.uncertain, later, str(exc))
        except Blocked as exc:
            logger.info("Chat %s on %s is gone: %s", row.chat_id, row.channel, exc)
            return Outcome(row.id, State.BLOCKED, row.attempts, row.uncertain, now, str(exc))
        except Permanent as exc:
            logger.warning("Message to %s on %s refused: %s", row.chat_id, row.channel, exc)
            return Outcome(row.id, State.FAILED, row.attempts, row.uncertain, now, str(exc))
        except Transient as exc:
            return self._retry(row, now, str(exc), exc.maybe_delivered)
        except Exception as exc:
            logger.exception("Sender of %s failed unexpectedly", row.channel)
            return self._retry(row, now, repr(exc), maybe_delivered=True)
        self.sent_count += 1
        return Outcome(row.id, State.SENT, row.attempts, row.uncertain, now)

    def _retry(self, row: Claimed, now: datetime, error: str, maybe_delivered: bool) -> Outcome:
        settings = self.settings
        uncertain = row.uncertain or maybe_delivered
        if maybe_delivered and not settings.resend_uncertain:
            return Outcome(row.id, State.UNCERTAIN, row.attempts, True, now, error)
        if row.attempts >= settings.delivery_max_attempts:
            logger.warning("Giving up on chat %s after %d attempts", row.chat_id, row.attempts)
            return Outcome(row.id, State.FAILED, row.attempts, uncertain, now, error)
        delay = settings.delivery_backoff_seconds * 2 ** (row.attempts - 1)
        delay = min(delay, settings.delivery_backoff_max_seconds) * random.uniform(0.8, 1.2)
        later = now + timedelta(seconds=delay)
        return Outcome(row.id, State.PENDING, row.attempts, uncertain, later, error)

    # Recording ------------------------------------------------------------------------

    async def _flush_forever(self) -> None:
        while True:
            await self._results_ready.wait()
            self._results_ready.clear()
            try:
                await self._flush()
            except Exception:
                if self._closing:
                    # Left "sending": the next start recovers them as the in-flight window.
                    logger.exception("Could not record %d outcomes on stop", len(self._results))
                    return
                logger.exception("Could not record delivery outcomes; retrying")
                await asyncio.sleep(1.0)
                self._results_ready.set()
            if self._closing and not self._results:
                return

    async def _flush(self) -> None:
        batch, self._results = self._results, []
        if not batch:
            return
        try:
            await self.ledger.record(self.worker_id, batch)
        except BaseException:
            self._results = batch + self._results
            raise
        for outcome in batch:
            self._inflight.pop(outcome.id, None)
        # A slot is free: claim the next row now.
        self._wake.set()

    async def _recover(self) -> None:
        holders = await self.ledger.holders(self.worker_id)
        dead = await self._lease.dead(holders)
        await self.ledger.recover(self.worker_id, dead, self.settings.resend_uncertain)


class LedgerNotifier:
    """The core's :class:`~knowledge.notify.Notifier` on top of the ledger."""

    def __init__(self, ledger: Ledger, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._ledger = ledger
        self._sessions = sessions

    async def notify(self, channel: str, chat_id: str, text: str, origin: str) -> None:
        """Queue ``text`` for one chat; it goes out before broadcasts, outside quiet hours.

        Raises LedgerError (a ValueError) when the text is empty or over the limit.
        """
        kind = "group" if await self._is_group(channel, chat_id) else "person"
        await self._ledger.direct(Recipient(channel, chat_id, kind), text, Origin.NOTIFY, origin)

    async def _is_group(self, channel: str, chat_id: str) -> bool:
        query = select(ChatUser.chat_type).where(
            ChatUser.channel == channel, ChatUser.chat_id == chat_id
        )
        async with self._sessions() as session:
            kinds = set((await session.scalars(query)).all())
        return bool(kinds) and "private" not in kinds
