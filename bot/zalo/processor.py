"""Handling events in the background: bounded concurrency, each chat in order, no repeats.

The webhook answers Zalo at once and hands the event over here; long polling does the same.
Events of different chats are handled concurrently (up to a limit), those of one chat one
after the other (``asyncio.Lock`` is FIFO) so answers come back in the order of the
questions. A delivery Zalo retries carries the same message id and is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from enum import Enum

from bot.zalo.updates import Incoming

logger = logging.getLogger(__name__)

Handler = Callable[[Incoming], Awaitable[None]]


class Verdict(Enum):
    """What became of a submitted event."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    BUSY = "busy"  # the backlog is full: the event was not taken, Zalo should retry


class UpdateProcessor:
    """Runs a handler for each event, in the background."""

    def __init__(
        self, handle: Handler, max_concurrent: int, max_backlog: int, remember: int = 100_000
    ) -> None:
        self._handle = handle
        self._slots = asyncio.Semaphore(max_concurrent)
        self._max_backlog = max_backlog
        self._remember = remember
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._room = asyncio.Event()
        self._room.set()

    @property
    def pending(self) -> int:
        """Events accepted and not yet handled."""
        return len(self._tasks)

    def submit(self, update: Incoming) -> Verdict:
        """Take an event for handling unless it was seen before or the backlog is full."""
        key = update.key
        if key is not None and key in self._seen:
            self._seen.move_to_end(key)
            logger.info("Ignored a repeated delivery of %s", update.describe())
            return Verdict.DUPLICATE
        if len(self._tasks) >= self._max_backlog:
            logger.warning("Backlog full (%d events); refused %s", self.pending, update.describe())
            return Verdict.BUSY

        if key is not None:
            self._seen[key] = None
            if len(self._seen) > self._remember:
                self._seen.popitem(last=False)
        task = asyncio.create_task(self._run(update), name="zalo-event")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        if len(self._tasks) >= self._max_backlog:
            self._room.clear()
        return Verdict.ACCEPTED

    async def wait_for_room(self) -> None:
        """Return once another event can be accepted (long polling waits here)."""
        await self._room.wait()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if len(self._tasks) < self._max_backlog:
            self._room.set()

    async def _run(self, update: Incoming) -> None:
        chat = update.chat_id
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock, self._slots:
                await self._handle(update)
        except Exception:
            logger.exception("Failed to handle %s", update.describe())
        finally:
            # Forget idle chats so the table does not grow with every chat ever seen.
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat]
                del self._locks[chat]

    async def drain(self, timeout: float) -> None:
        """Wait for the accepted events to be handled; cancel what is left after ``timeout``."""
        if not self._tasks:
            return
        _, left = await asyncio.wait(set(self._tasks), timeout=timeout)
        if left:
            logger.warning("Stopped with %d events unhandled", len(left))
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)
