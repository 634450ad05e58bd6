"""The per-address token bucket."""

from __future__ import annotations

import pytest

from bot.web.ratelimit import RateLimiter, client_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.check("10.0.0.1").allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.check("10.0.0.1").retry_after == 1
    clock.now += 1.0
    assert limiter.check("10.0.0.1").allowed
    assert not limiter.check("10.0.0.1").allowed


def test_addresses_are_counted_apart() -> None:
    limiter = RateLimiter(per_minute=1, burst=1, clock=Clock())
    assert limiter.check("10.0.0.1").allowed and limiter.check("10.0.0.2").allowed
    refused = limiter.check("10.0.0.1")
    assert not refused.allowed and refused.retry_after == 60


def test_zero_turns_it_off() -> None:
    limiter = RateLimiter(per_minute=0, burst=1)
    assert all(limiter.check("10.0.0.1").allowed for _ in range(1000))
    assert len(limiter) == 0


def test_memory_is_bounded_and_the_oldest_are_forgotten() -> None:
    limiter = RateLimiter(per_minute=1, burst=1, max_clients=100, clock=Clock())
    for n in range(1000):
        limiter.check(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100
    assert limiter.check("10.0.0.0").allowed  # forgotten, so it starts afresh


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("unknown", "unknown"),
    ],
)
def test_ipv6_clients_count_per_64(address: str, key: str) -> None:
    assert client_key(address) == key
