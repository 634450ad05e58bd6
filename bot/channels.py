"""Every configured chat channel in one process, sharing one delivery engine.

``legalbot run`` and ``legalbot serve`` start their channels here. Each channel's bot adds
its sender to the same :class:`~knowledge.delivery.engine.DeliveryEngine`, so a process is
one delivery worker (one lease on the ledger) sending to every channel at that channel's
pace. Two engines in one process would compete for the ledger: on SQLite the second would
wait for the first one's lock forever, and its channel would never receive a broadcast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from starlette.routing import BaseRoute

from bot.telegram.settings import TelegramSettings
from bot.zalo.settings import ZaloSettings
from knowledge.core import KnowledgeBase
from knowledge.delivery.engine import DeliveryEngine
from knowledge.delivery.settings import DeliverySettings

logger = logging.getLogger(__name__)


class ChatBot(Protocol):
    """A started chat bot: the ways it can take its updates."""

    def routes(self) -> list[BaseRoute]:
        """The webhook route, to mount on a web server (webhook mode)."""
        ...

    async def register_webhook(self) -> None:
        """Have the platform post updates to the webhook URL."""
        ...

    async def receive(self, stop: asyncio.Event) -> None:
        """Take updates on its own webhook server, or by polling, until ``stop`` is set."""
        ...


@dataclass(frozen=True)
class RunningChannel:
    """One chat channel whose bot is started, and how its updates arrive."""

    name: str  # "Telegram" or "Zalo", for people reading logs and errors
    webhook: bool  # updates are posted to its webhook route (else it polls)
    bot: ChatBot


@contextlib.asynccontextmanager
async def running_channels(
    kb: KnowledgeBase,
    telegram: TelegramSettings | None,
    zalo: ZaloSettings | None,
) -> AsyncIterator[list[RunningChannel]]:
    """Start the bots of the given channels with one delivery engine, for the block.

    The engine starts once every channel has added its sender, and stops when the block
    ends, before the channels close the connections it sends through. Updates arrive only
    once the caller has the bots receive them (``receive``, or their webhook routes).
    Raises what a channel raises on start, such as a ZaloError for a refused token.
    """
    engine = DeliveryEngine(kb, DeliverySettings())
    async with contextlib.AsyncExitStack() as stack:
        channels: list[RunningChannel] = []
        if telegram is not None:
            # python-telegram-bot is imported only when Telegram runs.
            from bot.telegram.app import running as running_telegram

            bot: ChatBot = await stack.enter_async_context(running_telegram(kb, telegram, engine))
            channels.append(RunningChannel("Telegram", telegram.mode == "webhook", bot))
        if zalo is not None:
            from bot.zalo.app import running as running_zalo

            bot = await stack.enter_async_context(running_zalo(kb, zalo, engine))
            channels.append(RunningChannel("Zalo", zalo.mode == "webhook", bot))

        # With no chat channel (the web column alone) no engine runs: it would hold the
        # SQLite delivery lock that a `legalbot run` elsewhere needs.
        if channels:
            await engine.start()
            stack.push_async_callback(engine.stop)
        yield channels
