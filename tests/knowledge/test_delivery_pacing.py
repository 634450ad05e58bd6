"""The pacer's send times, on a fake clock."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest

from knowledge.delivery.pacing import Pacer
from knowledge.delivery.sender import ChannelPacing


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_slots_are_spaced_overall_and_per_chat() -> None:
    clock = Clock()
    pacer = Pacer(ChannelPacing(per_second=10, chat_interval=1.0, group_per_minute=3), clock)
    slots = [pacer.reserve(str(i), False) for i in range(3)]
    assert slots == pytest.approx([100.0, 100.1, 100.2])
    assert pacer.chat_ready_at("0", False) == 101.0
    assert pacer.reserve("0", False) == 101.0


def test_a_group_gets_at_most_its_quota_per_minute() -> None:
    clock = Clock()
    pacer = Pacer(ChannelPacing(per_second=100, chat_interval=1.0, group_per_minute=3), clock)
    times = [pacer.reserve("-5", True) for _ in range(4)]
    assert times[:3] == [100.0, 101.0, 102.0]
    assert times[3] == 160.0


async def test_a_pause_respaces_waiting_sends() -> None:
    pacer = Pacer(ChannelPacing(per_second=50, chat_interval=0, group_per_minute=0))
    loop = asyncio.get_running_loop()
    slots = [pacer.reserve(str(i), False) for i in range(5)]
    pacer.pause(0.2)
    started = loop.time()
    done: list[float] = []

    async def one(slot: float) -> None:
        await pacer.wait_turn(slot)
        done.append(loop.time() - started)

    await asyncio.gather(*(one(s) for s in slots))
    assert min(done) >= 0.19
    ordered = sorted(done)
    assert all(b - a >= 0.015 for a, b in pairwise(ordered))


async def test_late_sends_never_exceed_the_rate_in_any_second() -> None:
    pacer = Pacer(ChannelPacing(per_second=20, chat_interval=0, group_per_minute=0))
    loop = asyncio.get_running_loop()
    # Slots all in the past, as after the process was descheduled for a while.
    slots = [loop.time() - 1.0] * 30
    started = loop.time()
    done: list[float] = []

    async def one(slot: float) -> None:
        await pacer.wait_turn(slot)
        done.append(loop.time() - started)

    await asyncio.gather(*(one(s) for s in slots))
    assert sum(1 for t in done if t < 0.9) == 20
    assert max(done) >= 1.0
