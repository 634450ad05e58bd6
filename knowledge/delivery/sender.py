"""The one thing a chat channel implements to receive scheduled and broadcast messages.

A channel plugs into the engine with a :class:`Sender` and a :class:`ChannelPacing`::

    engine = DeliveryEngine(kb, settings)
    engine.add_channel("zalo", ZaloSender(client), ChannelPacing(per_second=10))

``send`` delivers plain text (the sender escapes or formats it for its platform) to one
chat and maps every platform failure to the errors of :mod:`knowledge.delivery.errors`.
Anything else it raises is treated as a transient failure that may have been delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Sender(Protocol):
    """Sends one plain-text message to one chat of one channel."""

    async def send(self, chat_id: str, text: str) -> None:
        """Deliver ``text``; raise Blocked, RetryAfter, Transient or Permanent on failure."""
        ...


@dataclass(frozen=True)
class ChannelPacing:
    """How fast a channel may send; Telegram's documented limits by default.

    Attributes:
        per_second: messages per second over all chats (Telegram: about 30).
        chat_interval: seconds between two messages to the same chat (Telegram: 1).
        group_per_minute: messages per minute to one group chat (Telegram: 20); 0 is none.
    """

    per_second: float = 29.0
    chat_interval: float = 1.0
    group_per_minute: int = 20

    def scaled(self, factor: float) -> ChannelPacing:
        """The same limits ``factor`` times faster (time-scaled benchmarks)."""
        return ChannelPacing(
            self.per_second * factor,
            self.chat_interval / factor,
            round(self.group_per_minute * factor),
        )
