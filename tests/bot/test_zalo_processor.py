"""Background handling of events: bounded concurrency, per-chat order, no repeats, a full
backlog refused, and a clean drain at shutdown."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.zalo.processor import UpdateProcessor, Verdict
from bot.zalo.updates import Event, Incoming


def text_event(chat: str, message: str, text: str = "câu hỏi") -> Incoming:
    return Incoming(Event.TEXT, chat_id=chat, user_id=chat, message_id=message, text=text)


class Recorder:
    """A handler that takes a little time and notes what ran, and how much at once."""

    def __init__(self, delay: float = 0.01) -> None:
        self.delay = delay
        self.handled: list[tuple[str, str | None]] = []
        self.running = 0
        self.most = 0

    async def __call__(self, update: Incoming) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await asyncio.sleep(self.delay)
            self.handled.append((update.chat_id, update.message_id))
        finally:
            self.running -= 1


async def test_events_of_a_chat_are_handled_in_order_and_chats_concurrently() -> None:
    recorder = Recorder()
    processor = UpdateProcessor(recorder, max_concurrent=4, max_backlog=100)
    for n in range(5):
        for chat in ("a", "b", "c", "d", "e", "f"):
            assert processor.submit(text_event(chat, f"{chat}{n}")) is Verdict.ACCEPTED
    await processor.drain(5)

    assert len(recorder.handled) == 30
    for chat in "abcdef":
        assert [m for c, m in recorder.handled if c == chat] == [f"{chat}{n}" for n in range(5)]
    assert recorder.most == 4


async def test_a_repeated_delivery_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(0)
    processor = UpdateProcessor(recorder, max_concurrent=2, max_backlog=10)
    assert processor.submit(text_event("a", "m1")) is Verdict.ACCEPTED
    with caplog.at_level(logging.INFO, "bot.zalo.processor"):
        assert processor.submit(text_event("a", "m1")) is Verdict.DUPLICATE
    await processor.drain(1)
    assert processor.submit(text_event("a", "m1")) is Verdict.DUPLICATE
    # The same message id in another chat is another message.
    assert processor.submit(text_event("b", "m1")) is Verdict.ACCEPTED
    await processor.drain(1)
    assert recorder.handled == [("a", "m1"), ("b", "m1")]
    assert "Ignored a repeated delivery of message.text.received, chat a" in caplog.text


async def test_events_without_an_id_are_never_taken_for_repeats() -> None:
    recorder = Recorder(0)
    processor = UpdateProcessor(recorder, max_concurrent=2, max_backlog=10)
    bare = Incoming(Event.UNSUPPORTED, chat_id="a", user_id="a")
    assert [processor.submit(bare) for _ in range(2)] == [Verdict.ACCEPTED] * 2
    await processor.drain(1)
    assert len(recorder.handled) == 2


async def test_a_full_backlog_refuses_until_there_is_room() -> None:
    gate = asyncio.Event()

    async def blocked(update: Incoming) -> None:
        await gate.wait()

    processor = UpdateProcessor(blocked, max_concurrent=1, max_backlog=3)
    verdicts = [processor.submit(text_event("a", f"m{n}")) for n in range(4)]
    assert verdicts == [Verdict.ACCEPTED] * 3 + [Verdict.BUSY]
    waiting = asyncio.create_task(processor.wait_for_room())
    await asyncio.sleep(0.01)
    assert not waiting.done()

    gate.set()
    await asyncio.wait_for(waiting, 1)
    # A refused event was not remembered: Zalo's retry of it is taken.
    assert processor.submit(text_event("a", "m3")) is Verdict.ACCEPTED
    await processor.drain(1)


async def test_a_failing_handler_is_logged_and_the_chat_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handled: list[str | None] = []

    async def flaky(update: Incoming) -> None:
        if update.message_id == "m1":
            raise RuntimeError("boom")
        handled.append(update.message_id)

    processor = UpdateProcessor(flaky, max_concurrent=2, max_backlog=10)
    processor.submit(text_event("a", "m1", "một câu hỏi riêng tư"))
    processor.submit(text_event("a", "m2"))
    await processor.drain(1)
    assert handled == ["m2"]
    assert "Failed to handle message.text.received, chat a" in caplog.text
    assert "riêng tư" not in caplog.text


async def test_drain_cancels_what_does_not_finish(caplog: pytest.LogCaptureFixture) -> None:
    processor = UpdateProcessor(Recorder(10), max_concurrent=2, max_backlog=10)
    processor.submit(text_event("a", "m1"))
    await asyncio.sleep(0)
    await processor.drain(0.05)
    assert processor.pending == 0
    assert "Stopped with 1 events unhandled" in caplog.text
