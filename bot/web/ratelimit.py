"""Per-address rate limiting of the API and the search page: a token bucket per client.

Memory stays bounded: the least recently seen addresses are forgotten first. IPv6 clients
are counted per /64 network, since one home or phone usually holds a whole /64.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 50_000


@dataclass(frozen=True)
class Decision:
    """Whether a request may go on, and if not, after how many seconds it may."""

    allowed: bool
    retry_after: int = 0


def client_key(address: str) -> str:
    """The key an address is counted under: itself for IPv4, its /64 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip.ipv4_mapped or ip) if isinstance(ip, ipaddress.IPv6Address) else str(ip)


class RateLimiter:
    """Allows ``burst`` requests at once, then ``per_minute`` a minute, per client."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``per_minute`` 0 turns the limiter off."""
        self.enabled = per_minute > 0
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def check(self, address: str) -> Decision:
        """Take one token for ``address``; refuse with the wait when none is left."""
        if not self.enabled:
            return Decision(True)
        key = client_key(address)
        now = self.clock()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)

        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return Decision(False, max(1, math.ceil((1.0 - tokens) / self.rate)))

        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return Decision(True)

    def __len__(self) -> int:
        return len(self._buckets)
