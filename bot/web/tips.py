"""The tip library as the web column shows it: the archive by topic and the tips of the week.

Tips come from the database (``knowledge.tips_store``), where the bundled ``faq_data/tips``
are loaded on first use and where operators edit them. Tips carry no publication date worth
showing (the bundled ones share their load time), so "latest" means the tips picked for the
current ISO week: tips for the season (exams, Tết, Law Day…) first, the rest in a rotation
that changes every Monday and is the same for every visitor that week.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.content_schema import TipData
from knowledge.tips_store import TipStore

logger = logging.getLogger(__name__)

# Months in which each occasion's tips are in season.
SEASONS = {
    "tet": (1, 2),
    "exams": (5, 6),
    "summer": (6, 7, 8),
    "school-start": (8, 9),
    "law-day": (11,),
}


async def stored_tips(sessions: async_sessionmaker[AsyncSession]) -> list[TipData]:
    """Every stored tip; one that no longer validates is skipped (and logged), so the rest
    of the column still works."""
    tips: list[TipData] = []
    for row in await TipStore(sessions).all():
        try:
            tips.append(row.data())
        except ValidationError:
            logger.warning("Tip %s is invalid in the database; the column leaves it out", row.id)
    return tips


class TipLibrary:
    """Tips by id and by topic."""

    def __init__(self, tips: Sequence[TipData]) -> None:
        self.tips = sorted(tips, key=lambda t: t.id)
        self.by_topic: dict[str, list[TipData]] = {}
        for tip in self.tips:
            self.by_topic.setdefault(tip.topic, []).append(tip)

    def __len__(self) -> int:
        return len(self.tips)

    def of_week(self, today: date | None = None, count: int = 3) -> list[TipData]:
        """The tips shown this week: seasonal ones first, then a weekly rotation."""
        if not self.tips:
            return []
        today = today or date.today()
        week = today.isocalendar()
        turn = week.year * 53 + week.week
        seasonal = [t for t in self.tips if t.occasion and today.month in SEASONS[t.occasion]]
        others = [t for t in self.tips if t not in seasonal]

        picked: list[TipData] = []
        for pool in (seasonal, others):
            if not pool:
                continue
            start = (turn * count) % len(pool)
            rotated = pool[start:] + pool[:start]
            picked += rotated[: count - len(picked)]
            if len(picked) == count:
                break
        return picked
