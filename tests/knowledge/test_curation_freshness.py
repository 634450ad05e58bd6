"""A running bot picks up FAQ changes made by another process (the command line)."""

from __future__ import annotations

from knowledge.core import KnowledgeBase
from knowledge.curation.freshness import FaqFreshness
from knowledge.faq_store import FaqStore


async def test_changes_from_another_process_rebuild_the_matcher(kb: KnowledgeBase) -> None:
    freshness = FaqFreshness(kb, interval=3600)
    assert await freshness.check()  # the first look rebuilds once, to be sure
    assert not await freshness.check(force=True)  # nothing changed since

    # Another process (its own store over the same database) disables an entry.
    await FaqStore(kb.sessions).set_status("t02-mu-bao-hiem", "disabled", "cli:lan")
    entry = kb.entry("t02-mu-bao-hiem")
    assert entry is not None and entry.status == "active"  # this process does not know yet

    assert not await freshness.check()  # not due: the interval has not passed
    assert await freshness.check(force=True)
    entry = kb.entry("t02-mu-bao-hiem")
    assert entry is not None and entry.status == "disabled"
    helmet = kb.match("Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?")
    assert all(c.entry_id != "t02-mu-bao-hiem" for c in helmet.candidates)
