"""Sending a message to one chat from the core, without knowing the chat platform.

The core decides that someone should hear back (an answer to a question they passed to the
legal officer, a delivery report for a teacher); the delivery engine owns how and when it
reaches them. This protocol is the seam between the two.
"""

from __future__ import annotations

from typing import Protocol


class Notifier(Protocol):
    """Queues a direct message to one chat on one channel."""

    async def notify(self, channel: str, chat_id: str, text: str, origin: str) -> None:
        """Queue ``text`` for ``chat_id`` on ``channel``; ``origin`` says why (for reports)."""
        ...
