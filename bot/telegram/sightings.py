"""Who wrote in which chat, written to ``chat_users`` in batches off the answering path."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any, Protocol

from knowledge.chat_users import ChatUserStore

logger = logging.getLogger(__name__)

CHANNEL = "telegram"


class Spawner(Protocol):
    """Anything that runs a background task, like ``telegram.ext.Application``."""

    def create_task(
        self,
        coroutine: Coroutine[Any, Any, Any],
        update: object = None,
        *,
        name: str | None = None,
    ) -> asyncio.Task[Any]:
        """Run ``coroutine`` in the background."""
        ...


class Sightings:
    """Collects sightings and stores them every ``interval`` seconds in one transaction.

    A user already stored within ``refresh`` seconds is not written again, so a busy chat
    costs one write per user every ten minutes rather than one per message, and answers
    never wait for this bookkeeping (nor compete with it for SQLite's write lock).
    """

    def __init__(
        self,
        store: ChatUserStore,
        max_size: int,
        interval: float = 0.25,
        refresh: float = 600.0,
    ) -> None:
        self._store = store
        self._max_size = max_size
        self._interval = interval
        self._refresh = refresh
        self._written: OrderedDict[tuple[int, int], float] = OrderedDict()
        self._pending: dict[tuple[int, int], str] = {}
        self._timer: asyncio.Task[None] | None = None

    def note(self, application: Spawner, chat_id: int, user_id: int, chat_type: str) -> None:
        """Remember that the user wrote in the chat; stored within ``interval`` seconds.

        The timer is a task of the application, so stopping the application waits for it
        and nothing noted is lost on shutdown.
        """
        key = (chat_id, user_id)
        last = self._written.get(key)
        if last is not None and time.monotonic() - last < self._refresh:
            return
        self._pending[key] = chat_type
        if self._timer is None:
            self._timer = application.create_task(self._flush_soon(), name="sightings.flush")

    def discard(self, chat_id: int) -> None:
        """Drop what is pending for a chat that just became unreachable, so that a message
        sent before the user blocked the bot does not mark the chat reachable again."""
        for key in [k for k in self._pending if k[0] == chat_id]:
            del self._pending[key]
        for key in [k for k in self._written if k[0] == chat_id]:
            del self._written[key]

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self._interval)
        self._timer = None
        await self.flush()

    async def flush(self) -> None:
        """Store what is pending now."""
        batch, self._pending = self._pending, {}
        if not batch:
            return
        rows = [(str(chat), str(user), kind) for (chat, user), kind in batch.items()]
        try:
            await self._store.seen_many(CHANNEL, rows)
        except Exception:
            logger.exception("Could not store %d chat sightings", len(rows))
            return
        now = time.monotonic()
        for key in batch:
            self._written[key] = now
            self._written.move_to_end(key)
        while len(self._written) > self._max_size:
            self._written.popitem(last=False)
        logger.debug("Stored %d chat sightings", len(rows))
