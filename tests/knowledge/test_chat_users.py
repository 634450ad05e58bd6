"""The chat users store on a real database: sightings, blocking, and racing first sightings."""

from __future__ import annotations

import asyncio

from knowledge.chat_users import ChatUserStore
from knowledge.core import KnowledgeBase


async def test_a_sighting_creates_then_refreshes_the_row(kb: KnowledgeBase) -> None:
    store = ChatUserStore(kb.sessions)
    assert await store.get("telegram", "1", "1") is None
    await store.seen("telegram", "1", "1", "private")
    first = await store.get("telegram", "1", "1")
    assert first is not None and first.active and first.chat_type == "private"

    await store.seen("telegram", "1", "1", "private")
    again = await store.get("telegram", "1", "1")
    assert again is not None and again.id == first.id
    assert again.first_seen == first.first_seen and again.last_seen >= first.last_seen


async def test_blocking_marks_one_user_and_leaving_marks_the_whole_chat(
    kb: KnowledgeBase,
) -> None:
    store = ChatUserStore(kb.sessions)
    for user in ("7", "8"):
        await store.seen("telegram", "-100", user, "supergroup")
    await store.seen("zalo", "-100", "7", "group")

    await store.set_active("telegram", "-100", "7", active=False)
    assert [await _active(store, "telegram", "-100", u) for u in ("7", "8")] == [False, True]

    await store.set_active("telegram", "-100", None, active=False)
    assert await _active(store, "telegram", "-100", "8") is False
    assert await _active(store, "zalo", "-100", "7") is True  # another channel is untouched

    await store.seen("telegram", "-100", "8", "supergroup")
    assert await _active(store, "telegram", "-100", "8") is True


async def test_blocking_before_any_sighting_is_remembered(kb: KnowledgeBase) -> None:
    store = ChatUserStore(kb.sessions)
    await store.set_active("telegram", "5", "5", active=False)
    assert await _active(store, "telegram", "5", "5") is False


async def test_racing_first_sightings_make_one_row(kb: KnowledgeBase) -> None:
    store = ChatUserStore(kb.sessions)
    await asyncio.gather(*(store.seen("telegram", "9", "9", "private") for _ in range(5)))
    row = await store.get("telegram", "9", "9")
    assert row is not None and row.active


async def _active(store: ChatUserStore, channel: str, chat: str, user: str) -> bool | None:
    row = await store.get(channel, chat, user)
    return None if row is None else row.active
