"""Concurrent update processing that keeps each chat's updates in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)


def chat_key(update: object) -> int | None:
    """The chat an update belongs to, or None for updates without one."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Many chats at once, one update at a time within a chat.

    Different chats are answered concurrently, so one slow answer does not hold up the
    others; updates of the same chat wait for each other (``asyncio.Lock`` is FIFO), so
    a user's answers come back in the order of the questions and the chat's conversation
    state is never changed by two updates at once.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once the chat's earlier updates are done."""
        key = chat_key(update)
        if key is None:
            await coroutine
            return

        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            # Forget idle chats so the table does not grow with every chat ever seen.
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
        logger.debug("Update processor stopped with %d busy chats", len(self._locks))
