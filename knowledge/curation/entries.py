"""Small FAQ operations shared by the chat tools and the command line: find, retire, restore.

Every change goes through FaqStore (which audits it) and is followed by ``kb.refresh()`` so
the matcher of this process answers from the new state at once.
"""

from __future__ import annotations

import logging

from knowledge.content_schema import FaqEntryData, Source
from knowledge.core import KnowledgeBase
from knowledge.curation.citations import basis_line
from knowledge.normalize import fold

logger = logging.getLogger(__name__)

SEARCH_LIMIT = 10


async def search_entries(
    kb: KnowledgeBase, text: str, limit: int = SEARCH_LIMIT
) -> list[FaqEntryData]:
    """Entries for a search: the id itself, then what the matcher finds (active entries),
    then entries whose id, phrasings or answer contain the words (disabled ones too)."""
    text = text.strip()
    if not text:
        return []
    entries = await kb.faq.all()
    by_id = {e.id: e for e in entries}
    found: dict[str, FaqEntryData] = {}
    if text.lower() in by_id:
        found[text.lower()] = by_id[text.lower()]
    for candidate in kb.match(text).candidates:
        # Weak candidates are noise in a search (the matcher returns them for its decision).
        if candidate.entry_id in by_id and candidate.score >= kb.settings.suggest_threshold:
            found.setdefault(candidate.entry_id, by_id[candidate.entry_id])
    words = fold(text).split()
    for entry in entries:
        haystack = fold(" ".join([entry.id.replace("-", " "), *entry.questions, entry.answer]))
        if words and all(word in haystack for word in words):
            found.setdefault(entry.id, entry)
    return list(found.values())[:limit]


async def set_active(kb: KnowledgeBase, entry_id: str, active: bool, actor: str) -> bool | None:
    """Enable or disable an entry; None when there is no such entry, False when it already
    was in that state."""
    entry = await kb.faq.get(entry_id)
    if entry is None:
        return None
    status = "active" if active else "disabled"
    if entry.status == status:
        return False
    await kb.faq.set_status(entry_id, status, actor)
    await kb.refresh()
    logger.info("FAQ entry %s %s by %s", entry_id, status, actor)
    return True


def answer_with_basis(body: str, sources: list[Source]) -> str:
    """The answer text: the body, then the ``Căn cứ:`` line (unless the body has one)."""
    body = body.strip()
    last = body.splitlines()[-1] if body else ""
    if last.startswith("Căn cứ:"):
        return body
    return f"{body}\n\n{basis_line(sources)}"
