"""A fake Sender and helpers shared by the delivery engine tests."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from knowledge.audiences import AudienceKind, AudienceStore, Recipient, Target, audience_target
from knowledge.core import KnowledgeBase
from knowledge.delivery.engine import DeliveryEngine
from knowledge.delivery.errors import DeliveryError
from knowledge.delivery.ledger import Ledger
from knowledge.delivery.models import Origin
from knowledge.delivery.report import Report
from knowledge.delivery.sender import ChannelPacing
from knowledge.delivery.settings import DeliverySettings

FAST = ChannelPacing(per_second=500.0, chat_interval=0.0, group_per_minute=0)


def fast_settings(**values: Any) -> DeliverySettings:
    """Settings for tests: no quiet hours, quick polls and backoff."""
    base: dict[str, Any] = {
        "quiet_hours": "",
        "delivery_poll_seconds": 0.02,
        "delivery_backoff_seconds": 0.01,
        "delivery_backoff_max_seconds": 0.05,
    }
    return DeliverySettings(_env_file=None, **(base | values))  # type: ignore[call-arg]


class FakeSender:
    """Records every send; raises the errors queued for a chat, one per attempt."""

    def __init__(self, delay: float = 0.0) -> None:
        self.sent: list[tuple[str, str, float]] = []
        self.failures: dict[str, list[DeliveryError]] = {}
        self.attempts: Counter[str] = Counter()
        self.delay = delay

    async def send(self, chat_id: str, text: str) -> None:
        self.attempts[chat_id] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        queued = self.failures.get(chat_id)
        if queued:
            raise queued.pop(0)
        self.sent.append((chat_id, text, time.monotonic()))

    def received(self) -> Counter[str]:
        return Counter(chat for chat, _, _ in self.sent)


async def audience_with(kb: KnowledgeBase, members: int, channel: str = "telegram") -> Target:
    """A class with ``members`` private chats (ids 1000, 1001, ...)."""
    store = AudienceStore(kb.sessions)
    audience = await store.create(AudienceKind.CLASS, "10A1", "test")
    await store.add_members(
        audience.id, [Recipient(channel, str(1000 + i)) for i in range(members)]
    )
    return audience_target(audience)


async def broadcast_to(kb: KnowledgeBase, members: list[Recipient], text: str) -> int:
    """Queue ``text`` from the command line for a new class of ``members``; its id."""
    store = AudienceStore(kb.sessions)
    audience = await store.create(AudienceKind.CLASS, "10A9", "test")
    await store.add_members(audience.id, members)
    ledger = Ledger(kb.sessions, kb.engine.dialect.name)
    return (await ledger.broadcast(audience_target(audience), text, Origin.CLI)).id


def engine_for(
    kb: KnowledgeBase, sender: FakeSender, pacing: ChannelPacing = FAST, **settings: Any
) -> DeliveryEngine:
    engine = DeliveryEngine(kb, fast_settings(**settings))
    engine.add_channel("telegram", sender, pacing)
    return engine


async def wait_done(engine: DeliveryEngine, broadcast_id: int, timeout: float = 10.0) -> Report:
    """Poll the report until the broadcast is complete."""
    deadline = time.monotonic() + timeout
    while True:
        report = await engine.ledger.report(broadcast_id)
        assert report is not None
        if report.status == "done":
            return report
        if time.monotonic() > deadline:
            raise AssertionError(f"broadcast {broadcast_id} not done: {report.as_json()}")
        await asyncio.sleep(0.02)
