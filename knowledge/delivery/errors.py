"""What a channel's sender raises when a message could not be delivered.

The engine's reaction depends only on the type: :class:`Blocked` marks the chat inactive
and never retries, :class:`RetryAfter` pauses the channel for the given seconds and retries,
:class:`Transient` retries with bounded backoff, :class:`Permanent` gives up on that copy.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """Base of the errors a :class:`~knowledge.delivery.sender.Sender` raises."""


class Blocked(DeliveryError):
    """The recipient blocked the bot, left, or the bot was removed from the group."""


class RetryAfter(DeliveryError):
    """The platform asks to wait ``seconds`` before sending again (HTTP 429)."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"retry after {seconds} s")
        self.seconds = max(0.0, float(seconds))


class Transient(DeliveryError):
    """A failure that may pass (network, server error).

    ``maybe_delivered`` is true when the request may have reached the platform (a read
    timeout): retrying it can duplicate the message, and at-most-once delivery will not.
    """

    def __init__(self, message: str, *, maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class Permanent(DeliveryError):
    """A failure that retrying cannot fix (the text was refused, the chat does not exist)."""
