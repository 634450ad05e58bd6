"""Picking up FAQ changes made by another process (the command line) without a restart.

A running bot changes its own FAQ through the chat tools and refreshes its matcher at once.
Changes from ``legalbot-admin`` happen in another process; the bot notices them by looking,
at most every ``interval`` seconds, at how many entries there are and when one was last
changed (every write sets ``updated_at``), and rebuilds its matcher when that moved.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import func, select

from knowledge.core import KnowledgeBase
from knowledge.db.models import FaqEntry

logger = logging.getLogger(__name__)

INTERVAL = 30.0


class FaqFreshness:
    """Rebuilds the matcher when the stored FAQ changed behind this process's back."""

    def __init__(self, kb: KnowledgeBase, interval: float = INTERVAL) -> None:
        self.kb = kb
        self.interval = interval
        self._stamp: tuple[Any, ...] | None = None
        self._checked = 0.0

    async def stamp(self) -> tuple[Any, ...]:
        """(entry count, last change) of the stored FAQ."""
        query = select(func.count(FaqEntry.id), func.max(FaqEntry.updated_at))
        async with self.kb.sessions() as session:
            return tuple((await session.execute(query)).one())

    async def check(self, force: bool = False) -> bool:
        """Refresh when due and changed; True when the matcher was rebuilt."""
        now = time.monotonic()
        if not force and self._stamp is not None and now - self._checked < self.interval:
            return False
        self._checked = now
        stamp = await self.stamp()
        # The first look cannot know what the matcher was built from: rebuild to be sure.
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        await self.kb.refresh()
        logger.info("FAQ changed in the database; matcher rebuilt")
        return True
