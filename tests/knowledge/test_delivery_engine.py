"""The delivery engine with a fake sender, on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select

from knowledge.audiences import AudienceMember
from knowledge.core import KnowledgeBase
from knowledge.delivery.errors import Blocked, Permanent, RetryAfter, Transient
from knowledge.delivery.ledger import Requester
from knowledge.delivery.models import Delivery, Origin, State
from knowledge.delivery.sender import ChannelPacing
from knowledge.schedules import LOCAL
from tests.knowledge.delivery_support import (
    FakeSender,
    audience_with,
    engine_for,
    wait_done,
)


async def test_every_member_gets_one_copy_and_the_sender_a_report(kb: KnowledgeBase) -> None:
    sender = FakeSender()
    engine = engine_for(kb, sender)
    target = await audience_with(kb, 40)
    requester = Requester("telegram", "77", "77")
    broadcast = await engine.ledger.broadcast(
        target, "Mẹo: đội mũ bảo hiểm.", Origin.CHAT, requester
    )

    await engine.start()
    report = await wait_done(engine, broadcast.id)
    for _ in range(100):
        if "77" in sender.received():
            break
        await asyncio.sleep(0.02)
    await engine.stop()

    counts = sender.received()
    assert {k: report.as_json()[k] for k in ("total", "sent", "failed", "blocked", "pending")} == {
        "total": 40,
        "sent": 40,
        "failed": 0,
        "blocked": 0,
        "pending": 0,
    }
    assert (report.total, report.count(State.SENT), report.pending) == (40, 40, 0)
    assert all(counts[str(1000 + i)] == 1 for i in range(40))
    summary = [text for chat, text, _ in sender.sent if chat == "77"]
    assert len(summary) == 1 and "Đã nhận: 40/40" in summary[0] and "Telegram" in summary[0]


async def test_blocked_is_not_retried_and_leaves_the_audience(kb: KnowledgeBase) -> None:
    sender = FakeSender()
    sender.failures["1001"] = [Blocked("Forbidden: bot was blocked by the user")]
    engine = engine_for(kb, sender)
    target = await audience_with(kb, 3)
    broadcast = await engine.ledger.broadcast(target, "Tin", Origin.CLI)

    await engine.start()
    report = await wait_done(engine, broadcast.id)
    await engine.stop()

    assert (report.count(State.SENT), report.count(State.BLOCKED)) == (2, 1)
    assert sender.attempts["1001"] == 1
    async with kb.sessions() as session:
        member = (
            await session.scalars(select(AudienceMember).where(AudienceMember.chat_id == "1001"))
        ).one()
    assert member.active is False
    assert await engine.ledger.broadcast(target, "Tin 2", Origin.CLI) is not None


async def test_retry_after_pauses_then_retries_without_counting(kb: KnowledgeBase) -> None:
    sender = FakeSender()
    sender.failures["1000"] = [RetryAfter(0.3), RetryAfter(0.3)]
    engine = engine_for(kb, sender, delivery_max_attempts=1)
    target = await audience_with(kb, 2)
    broadcast = await engine.ledger.broadcast(target, "Tin", Origin.CLI)

    started = asyncio.get_running_loop().time()
    await engine.start()
    report = await wait_done(engine, broadcast.id)
    await engine.stop()

    assert report.count(State.SENT) == 2
    assert sender.received()["1000"] == 1 and sender.attempts["1000"] == 3
    assert asyncio.get_running_loop().time() - started >= 0.6


async def test_transient_failures_back_off_then_give_up(kb: KnowledgeBase) -> None:
    sender = FakeSender()
    sender.failures["1000"] = [Transient("Bad Gateway")] * 2
    sender.failures["1001"] = [Transient("Bad Gateway")] * 5
    sender.failures["1002"] = [Permanent("Bad Request: message is too long")]
    engine = engine_for(kb, sender, delivery_max_attempts=3)
    target = await audience_with(kb, 3)
    broadcast = await engine.ledger.broadcast(target, "Tin", Origin.CLI)

    await engine.start()
    report = await wait_done(engine, broadcast.id)
    await engine.stop()

    assert sender.received() == {"1000": 1}
    assert sender.attempts == {"1000": 3, "1001": 3, "1002": 1}
    assert (report.count(State.SENT), report.count(State.FAILED)) == (1, 2)


async def test_a_timeout_that_may_have_arrived_is_not_resent_at_most_once(
    kb: KnowledgeBase,
) -> None:
    sender = FakeSender()
    sender.failures["1000"] = [Transient("Timed out", maybe_delivered=True)]
    engine = engine_for(kb, sender, delivery_guarantee="at-most-once")
    target = await audience_with(kb, 2)
    broadcast = await engine.ledger.broadcast(target, "Tin", Origin.CLI)

    await engine.start()
    report = await wait_done(engine, broadcast.id)
    await engine.stop()

    assert sender.attempts["1000"] == 1 and report.count(State.UNCERTAIN) == 1


async def test_pacing_spaces_messages_to_one_chat_and_overall(kb: KnowledgeBase) -> None:
    sender = FakeSender()
    engine = engine_for(kb, sender, ChannelPacing(per_second=50, chat_interval=0.2))
    target = await audience_with(kb, 20)
    from knowledge.audiences import Recipient

    for i in range(3):
        await engine.ledger.direct(Recipient("telegram", "555"), f"Tin {i}", Origin.NOTIFY, "t")
    broadcast = await engine.ledger.broadcast(target, "Tin", Origin.CLI)

    await engine.start()
    await wait_done(engine, broadcast.id)
    for _ in range(100):
        if sender.received()["555"] == 3:
            break
        await asyncio.sleep(0.02)
    await engine.stop()

    to_one = [at for chat, _, at in sender.sent if chat == "555"]
    assert len(to_one) == 3
    assert all(b - a >= 0.19 for a, b in pairwise(to_one))
    times = sorted(at for _, _, at in sender.sent)
    # 23 messages at 50 per second cannot take less than 22 intervals of 20 ms.
    assert times[-1] - times[0] >= 22 * 0.02 * 0.95


async def test_quiet_hours_hold_messages_until_morning(kb: KnowledgeBase) -> None:
    # The fake clock must run ahead of the real one: the rows are queued due "now" in real
    # time, so a fixed date would stop them from ever being due once it has passed.
    tomorrow = datetime.now(LOCAL).date() + timedelta(days=1)
    evening = datetime.combine(tomorrow, time(22, 0), tzinfo=LOCAL)
    clock = {"now": evening.astimezone(UTC)}
    sender = FakeSender()
    engine = engine_for(kb, sender, quiet_hours="21:00-06:30")
    engine._now = lambda: clock["now"]
    target = await audience_with(kb, 3)
    broadcast = await engine.ledger.broadcast(target, "Tin", Origin.CLI)

    await engine.start()
    await asyncio.sleep(0.3)
    assert sender.sent == []
    morning = datetime.combine(tomorrow + timedelta(days=1), time(6, 30), tzinfo=LOCAL)
    clock["now"] = morning.astimezone(UTC)
    report = await wait_done(engine, broadcast.id)
    await engine.stop()
    assert report.count(State.SENT) == 3


@pytest.mark.parametrize("guarantee", ["at-least-once", "at-most-once"])
async def test_rows_in_flight_when_a_worker_died_are_uncertain(
    kb: KnowledgeBase, guarantee: str
) -> None:
    sender = FakeSender()
    engine = engine_for(kb, sender, delivery_guarantee=guarantee)
    target = await audience_with(kb, 10)
    broadcast = await engine.ledger.broadcast(target, "Tin", Origin.CLI)
    # A previous process claimed four rows and died before recording them.
    dead_worker = 424242
    claimed = await engine.ledger.claim(
        dead_worker, ["telegram"], 4, datetime.now(UTC), lambda *_: None
    )
    assert len(claimed) == 4

    await engine.start()
    report = await wait_done(engine, broadcast.id)
    await engine.stop()

    in_flight = {c.chat_id for c in claimed}
    counts = sender.received()
    if guarantee == "at-least-once":
        assert report.count(State.SENT) == 10 and report.resent == 4
        assert all(counts[chat] == 1 for chat in in_flight)
    else:
        assert report.count(State.SENT) == 6 and report.count(State.UNCERTAIN) == 4
        assert not in_flight & set(counts)
    assert sum(counts.values()) == report.count(State.SENT)


async def test_a_late_outcome_from_a_dead_worker_is_ignored(kb: KnowledgeBase) -> None:
    from knowledge.delivery.ledger import Outcome

    sender = FakeSender()
    engine = engine_for(kb, sender)
    target = await audience_with(kb, 1)
    await engine.ledger.broadcast(target, "Tin", Origin.CLI)
    claimed = await engine.ledger.claim(7, ["telegram"], 1, datetime.now(UTC), lambda *_: None)
    await engine.ledger.recover(99, {7}, resend=True)
    late = Outcome(claimed[0].id, State.FAILED, 1, False, datetime.now(UTC), "late")
    await engine.ledger.record(7, [late])

    async with kb.sessions() as session:
        row = await session.get(Delivery, claimed[0].id)
    assert row is not None and row.state == State.PENDING and row.uncertain


async def test_notifier_is_set_while_running_and_delivers_first(kb: KnowledgeBase) -> None:
    sender = FakeSender()
    engine = engine_for(kb, sender)
    target = await audience_with(kb, 30)
    await engine.ledger.broadcast(target, "Tin chung", Origin.CLI)
    assert kb.notifier is None

    await engine.start()
    assert kb.notifier is engine.notifier
    await kb.notifier.notify("telegram", "999", "Câu trả lời của cán bộ pháp chế", "answer 5")
    for _ in range(200):
        if "999" in sender.received():
            break
        await asyncio.sleep(0.01)
    await engine.stop()
    assert kb.notifier is None
    assert sender.received()["999"] == 1


async def test_two_engines_share_the_work_without_duplicates(kb: KnowledgeBase) -> None:
    senders = [FakeSender(delay=0.002), FakeSender(delay=0.002)]
    engines = [engine_for(kb, s, delivery_concurrency=4) for s in senders]
    target = await audience_with(kb, 120)
    broadcast = await engines[0].ledger.broadcast(target, "Tin", Origin.CLI)

    for engine in engines:
        await engine.start()
    report = await wait_done(engines[0], broadcast.id, timeout=20)
    for engine in engines:
        await engine.stop()

    total = senders[0].received() + senders[1].received()
    assert report.count(State.SENT) == 120 and len(total) == 120
    assert set(total.values()) == {1}
    if kb.engine.dialect.name == "postgresql":
        # Row locking lets both deliver at once; SQLite has a single writer.
        assert senders[0].sent and senders[1].sent


async def test_a_due_schedule_becomes_exactly_one_broadcast(kb: KnowledgeBase) -> None:
    from knowledge.content_schema import TipData
    from knowledge.schedules import parse_schedule
    from knowledge.tips_store import TipStore

    tip = {"topic": "T08", "audience": "students", "sources": [{"document": "L", "number": "1"}]}
    await TipStore(kb.sessions).load_if_empty(
        [TipData(id=f"tip-x-{i}", text=f"Mẹo {i}", **tip) for i in range(2)]
    )
    sender = FakeSender()
    engine = engine_for(kb, sender)
    target = await audience_with(kb, 2)
    now = datetime(2026, 12, 7, 0, 0, tzinfo=UTC) - timedelta(minutes=1)
    schedule = await engine.schedules.create(
        target, parse_schedule("thứ 2 07:00", now), now, Requester("telegram", "5", "5")
    )
    due = datetime(2026, 12, 7, 0, 0, 30, tzinfo=UTC)

    first = await engine.schedules.run_due(due)
    second = await engine.schedules.run_due(due)

    assert len(first) == 1 and first[0].broadcast_id is not None and second == []
    stored = await engine.schedules.get(schedule.id)
    assert stored is not None and stored.next_run_at is not None
    assert stored.next_run_at.replace(tzinfo=UTC) == datetime(2026, 12, 14, 0, 0, tzinfo=UTC)
