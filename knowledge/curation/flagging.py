"""When a cited law changes: flag every FAQ entry and tip that cites it for review.

The entry keeps answering (the officer decides what to change), but users see the
"being reviewed" note under it and the officer finds it in ``faq list`` and the chat tools.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from knowledge.content_schema import FaqEntryData, Source
from knowledge.core import KnowledgeBase
from knowledge.curation.citations import number_key
from knowledge.db.models import AuditLog
from knowledge.tips_store import Tip

logger = logging.getLogger(__name__)

STATUS_WORDS = {
    "amended": "đã được sửa đổi, bổ sung",
    "replaced": "đã bị thay thế",
    "expired": "đã hết hiệu lực",
    "in force": "được ghi nhận là còn hiệu lực",
}


@dataclass
class Flagged:
    """What was flagged: entries (newly or again) and tips, by id."""

    entries: list[FaqEntryData] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)


def review_note(number: str, status: str, changed_by: str | None) -> str:
    """The note an officer reads on a flagged entry, e.g. why it needs checking."""
    by = f" bởi {changed_by}" if changed_by else ""
    what = STATUS_WORDS.get(status, status)
    return f"Văn bản {number} {what}{by}: cần rà soát lại nội dung và căn cứ."


def cites(sources: Iterable[Source | Mapping[str, object]], number: str) -> bool:
    """Whether any source cites the document ``number``."""
    wanted = number_key(number)
    for source in sources:
        cited = source.number if isinstance(source, Source) else source.get("number")
        if isinstance(cited, str) and number_key(cited) == wanted:
            return True
    return False


def _with_note(current: str, note: str) -> str:
    if note in current:
        return current
    return f"{current.strip()} {note}".strip() if current.strip() else note


async def flag_citing(kb: KnowledgeBase, number: str, note: str, actor: str) -> Flagged:
    """Mark every entry and tip citing ``number`` needs-check with ``note``; audited."""
    flagged = Flagged()
    changed = []
    for entry in await kb.faq.all():
        if not cites(list(entry.sources), number):
            continue
        updated = entry.model_copy(
            update={"review": "needs-check", "review_note": _with_note(entry.review_note, note)}
        )
        flagged.entries.append(updated)
        changed.append(updated)
    if changed:
        await kb.faq.save_many(changed, actor)
        await kb.refresh()
    flagged.tips = await _flag_tips(kb, number, note, actor)
    logger.info(
        "Flagged %d FAQ entries and %d tips citing %s (%s)",
        len(flagged.entries),
        len(flagged.tips),
        number,
        actor,
    )
    return flagged


async def _flag_tips(kb: KnowledgeBase, number: str, note: str, actor: str) -> list[str]:
    """Flag the tips of the tip library that cite the document."""
    ids = []
    async with kb.sessions.begin() as session:
        for tip in (await session.scalars(select(Tip).order_by(Tip.id))).all():
            if not cites(tip.sources, number):
                continue
            before = {"review": tip.review, "review_note": tip.review_note}
            tip.review = "needs-check"
            tip.review_note = _with_note(tip.review_note, note)
            after = {"review": tip.review, "review_note": tip.review_note}
            if before != after:
                session.add(
                    AuditLog(
                        actor=actor, action="tip.flag", target=tip.id, before=before, after=after
                    )
                )
            ids.append(tip.id)
    return ids
