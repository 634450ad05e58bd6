"""Per-user flood control: a sliding window of recent questions for each user."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    """What to do with one incoming message."""

    ALLOW = "allow"
    NOTIFY = "notify"  # the first message over the limit: tell the user once
    DROP = "drop"  # further messages over the limit: ignore silently


@dataclass(frozen=True)
class Decision:
    """A verdict and, when limited, the seconds until the user may ask again."""

    verdict: Verdict
    retry_after: int = 0


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    notified: bool = False


class FloodGate:
    """At most ``limit`` messages per ``window`` seconds per key; memory bounded by LRU."""

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._windows: OrderedDict[Hashable, _Window] = OrderedDict()

    def check(self, key: Hashable) -> Decision:
        """Count one message from ``key`` unless it is over the limit."""
        now = self._clock()
        state = self._windows.pop(key, None) or _Window()
        self._windows[key] = state
        if len(self._windows) > self._max_keys:
            self._windows.popitem(last=False)

        while state.times and now - state.times[0] >= self.window:
            state.times.popleft()
        if len(state.times) < self.limit:
            state.times.append(now)
            state.notified = False
            return Decision(Verdict.ALLOW)

        retry_after = max(1, math.ceil(self.window - (now - state.times[0])))
        if state.notified:
            return Decision(Verdict.DROP, retry_after)
        state.notified = True
        return Decision(Verdict.NOTIFY, retry_after)
