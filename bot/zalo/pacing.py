"""Outgoing pace: an optional steady rate, and a pause for everyone after Zalo's 429.

Zalo publishes no numeric limit; a 429 says the quota is used up. Then every send waits
(one pause shared by all senders, doubling on each further 429 up to a ceiling, reset by the
next success) and the refused message is tried again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.zalo.client import Json, ZaloClient
from bot.zalo.errors import ZaloRateLimited

logger = logging.getLogger(__name__)


class Pacer:
    """At most ``rate`` sends per second (0: no limit), and a shared pause after a 429."""

    def __init__(
        self,
        rate: float,
        backoff: float,
        max_backoff: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._clock = clock
        self._next = 0.0
        self._paused_until = 0.0
        self._step = 0

    @property
    def paused_for(self) -> float:
        """Seconds left of the current 429 pause (0 when none)."""
        return max(0.0, self._paused_until - self._clock())

    async def wait(self) -> None:
        """Return when the next send may go out."""
        while True:
            now = self._clock()
            start = max(now, self._paused_until)
            if self._interval:
                start = max(start, self._next)
                self._next = start + self._interval
            if start <= now:
                return
            await asyncio.sleep(start - now)
            # A 429 may have arrived meanwhile and moved the pause further out.
            if self._clock() >= self._paused_until:
                return

    def throttled(self) -> float:
        """Note a 429: pause every sender; returns the pause in seconds."""
        pause = min(self._max_backoff, self._backoff * 2**self._step)
        self._step += 1
        self._paused_until = max(self._paused_until, self._clock() + pause)
        return pause

    def succeeded(self) -> None:
        """Note a send that went through: the next 429 starts from the shortest pause."""
        self._step = 0


class PacedSender:
    """Sends texts through a pacer and tries again after a 429, a few times."""

    def __init__(self, client: ZaloClient, pacer: Pacer, retries: int = 3) -> None:
        self.client = client
        self.pacer = pacer
        self.retries = retries

    async def send(self, chat_id: str, text: str) -> Json:
        """Send one message; raises ZaloRateLimited once the retries are used up."""
        attempt = 0
        while True:
            await self.pacer.wait()
            try:
                result = await self.client.send_message(chat_id, text)
            except ZaloRateLimited:
                pause = self.pacer.throttled()
                if attempt >= self.retries:
                    raise
                attempt += 1
                logger.warning("Zalo quota exceeded (429); pausing sends for %.1f s", pause)
                continue
            self.pacer.succeeded()
            return result
