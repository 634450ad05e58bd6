"""Long-polling mode (for development): ``getUpdates`` in a loop, events to the processor.

Zalo hands out one event per call and answers 408 when none arrived in time, which the
client turns into an empty list. Trouble other than a refused token is logged and retried
after a growing pause; a refused token stops the bot, since no retry can fix it.
"""

from __future__ import annotations

import asyncio
import logging

from bot.zalo.client import ZaloClient
from bot.zalo.errors import ZaloError, ZaloUnauthorized
from bot.zalo.processor import UpdateProcessor, Verdict
from bot.zalo.updates import MalformedUpdate, UnknownEvent, parse_update

logger = logging.getLogger(__name__)


class Poller:
    """Fetches events until cancelled."""

    def __init__(
        self,
        client: ZaloClient,
        processor: UpdateProcessor,
        timeout: int,
        first_retry: float = 1.0,
        max_retry: float = 30.0,
    ) -> None:
        self.client = client
        self.processor = processor
        self.timeout = timeout
        self.first_retry = first_retry
        self.max_retry = max_retry

    async def run(self) -> None:
        """Poll forever; returns only by cancellation, raises ZaloUnauthorized."""
        delay = self.first_retry
        while True:
            # Back pressure: fetch nothing more while the backlog is full.
            await self.processor.wait_for_room()
            try:
                events = await self.client.get_updates(self.timeout)
            except ZaloUnauthorized:
                raise
            except ZaloError as exc:
                logger.warning("Polling Zalo failed (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry)
                continue

            delay = self.first_retry
            for event in events:
                await self._submit(event)

    async def _submit(self, event: object) -> None:
        try:
            update = parse_update(event)
        except UnknownEvent as exc:
            logger.info("Ignored a polled event: %s", exc)
            return
        except MalformedUpdate as exc:
            logger.warning("Ignored a polled event that is not a Zalo event: %s", exc)
            return
        while self.processor.submit(update) is Verdict.BUSY:
            await self.processor.wait_for_room()
