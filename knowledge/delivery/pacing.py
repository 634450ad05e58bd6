"""Spacing sends so a channel never exceeds its limits (and waits when told to).

The pacer hands out send times: one slot every ``1 / per_second`` seconds over the whole
channel, no two sends to a chat closer than ``chat_interval``, and at most
``group_per_minute`` to a group in any 60 seconds. A RetryAfter answer pauses the channel;
sends whose slot fell inside the pause take fresh slots after it, so they do not all go out
in one burst when it ends. Times are ``time.monotonic()`` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from knowledge.delivery.sender import ChannelPacing

GROUP_WINDOW = 60.0
# Chats not written to for this long are forgotten (their limits no longer bind).
FORGET_AFTER = GROUP_WINDOW + 1.0
MAX_REMEMBERED = 50_000


class Pacer:
    """Send times for one channel, in one process."""

    def __init__(self, pacing: ChannelPacing, clock: Callable[[], float] = time.monotonic) -> None:
        self.pacing = pacing
        self._clock = clock
        self._interval = 1.0 / pacing.per_second if pacing.per_second > 0 else 0.0
        self._next = 0.0
        self.paused_until = 0.0
        self._chats: dict[str, deque[float]] = {}
        self._sent: deque[float] = deque()
        # When the last message to each chat actually left (slots can be taken late).
        self._left: dict[str, float] = {}
        self._per_second_cap = max(1, int(pacing.per_second)) if pacing.per_second > 0 else 10**9

    def chat_ready_at(self, chat_id: str, is_group: bool) -> float:
        """The earliest time the chat may receive its next message."""
        sent = self._chats.get(chat_id)
        if not sent:
            return 0.0
        ready = sent[-1] + self.pacing.chat_interval
        limit = self.pacing.group_per_minute
        if is_group and limit and len(sent) >= limit:
            ready = max(ready, sent[-limit] + GROUP_WINDOW)
        return ready

    def reserve(self, chat_id: str, is_group: bool) -> float:
        """Book the next slot for the chat and return its time (now or later)."""
        now = self._clock()
        slot = max(now, self._next, self.paused_until, self.chat_ready_at(chat_id, is_group))
        self._next = max(self._next, slot + self._interval)
        size = max(1, self.pacing.group_per_minute) if is_group else 1
        sent = self._chats.setdefault(chat_id, deque(maxlen=size))
        sent.append(slot)
        if len(self._chats) > MAX_REMEMBERED:
            self._forget(now)
        return slot

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a RetryAfter answer)."""
        until = self._clock() + seconds
        self.paused_until = max(self.paused_until, until)
        self._next = max(self._next, self.paused_until)

    async def wait_turn(self, slot: float, chat_id: str | None = None) -> None:
        """Sleep until ``slot``, until the last second holds room for one more send, and
        until ``chat_interval`` has passed since the chat's previous send actually left.

        A slot overtaken by a pause is replaced by a fresh one. The rolling count and the
        per-chat check guard against bursts: sends that woke late (a busy machine) would
        otherwise go out together.
        """
        while True:
            now = self._clock()
            if self.paused_until > slot:
                # Re-space after the pause instead of bursting at its end.
                slot = max(self._next, self.paused_until)
                self._next = slot + self._interval
            if slot > now:
                await asyncio.sleep(slot - now)
                continue
            last = self._left.get(chat_id) if chat_id is not None else None
            if last is not None and now < last + self.pacing.chat_interval:
                await asyncio.sleep(last + self.pacing.chat_interval - now)
                continue
            while self._sent and self._sent[0] <= now - 1.0:
                self._sent.popleft()
            if len(self._sent) < self._per_second_cap:
                self._sent.append(now)
                if chat_id is not None:
                    self._left[chat_id] = now
                return
            await asyncio.sleep(self._sent[0] + 1.0 - now)

    def _forget(self, now: float) -> None:
        stale = [c for c, sent in self._chats.items() if not sent or sent[-1] < now - FORGET_AFTER]
        for chat in stale:
            del self._chats[chat]
            self._left.pop(chat, None)
