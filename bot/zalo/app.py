"""Running the Zalo bot: the client, the channel, delivery, and the webhook or long polling.

``running`` assembles everything but the source of events, so a shared web server can mount
``ZaloBot.routes()`` on its own port; ``ZaloBot.receive`` is the source (its own webhook
server, or long polling), and ``serve`` runs both until told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.zalo.client import ZaloClient
from bot.zalo.conversations import CHANNEL
from bot.zalo.handlers import ZaloChannel
from bot.zalo.pacing import PacedSender, Pacer
from bot.zalo.polling import Poller
from bot.zalo.processor import UpdateProcessor
from bot.zalo.sender import ZaloSender, zalo_pacing
from bot.zalo.settings import ZaloSettings
from bot.zalo.webhook import WebhookServer, webhook_routes
from knowledge.core import KnowledgeBase
from knowledge.delivery.engine import DeliveryEngine
from knowledge.delivery.settings import DeliverySettings

logger = logging.getLogger(__name__)

# Events still being answered at shutdown get this long to finish.
DRAIN_SECONDS = 10.0


def build_client(settings: ZaloSettings) -> ZaloClient:
    """The API client for the configured token and server."""
    if settings.bot_token is None:
        raise ValueError("ZALO_BOT_TOKEN is not set")
    return ZaloClient(
        settings.bot_token.get_secret_value(),
        settings.base_url,
        timeout=settings.request_timeout,
        max_connections=max(10, settings.max_concurrent * 2),
    )


@dataclass
class ZaloBot:
    """A started Zalo bot, waiting for events."""

    name: str
    settings: ZaloSettings
    client: ZaloClient
    channel: ZaloChannel
    processor: UpdateProcessor

    def routes(self) -> list[BaseRoute]:
        """The webhook route, to mount on a web server (webhook mode)."""
        secret = self.settings.webhook_secret
        assert secret is not None, "webhook mode needs ZALO_WEBHOOK_SECRET"
        return webhook_routes(
            self.processor, self.settings.webhook_path, secret.get_secret_value()
        )

    async def register_webhook(self) -> None:
        """Have Zalo post events to the webhook URL (once the route is being served)."""
        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        assert url and secret is not None, "webhook mode needs ZALO_WEBHOOK_URL and _SECRET"
        await self.client.set_webhook(url, secret.get_secret_value())
        logger.info("Zalo bot %s started (webhook)", self.name)

    async def poll(self) -> None:
        """Long-poll until cancelled (polling mode); raises ZaloUnauthorized."""
        # Polling and the webhook exclude each other: drop a webhook left registered.
        await self.client.delete_webhook()
        logger.info("Zalo bot %s started (polling)", self.name)
        await Poller(self.client, self.processor, self.settings.poll_timeout).run()

    async def receive(self, stop: asyncio.Event) -> None:
        """Take events on the bot's own webhook server, or by long polling, until ``stop``
        is set; raises a ZaloError when polling fails for good (a revoked token)."""
        settings = self.settings
        server: WebhookServer | None = None
        poller: asyncio.Task[None] | None = None
        try:
            if settings.mode == "webhook":
                app = Starlette(routes=self.routes())
                server = WebhookServer(app, settings.webhook_listen, settings.webhook_port)
                await server.start()
                await self.register_webhook()
            else:
                poller = asyncio.create_task(self.poll(), name="zalo-polling")

            stopping = asyncio.create_task(stop.wait())
            waiting = {stopping} | ({poller} if poller is not None else set())
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if poller is not None and poller.done():
                poller.result()  # polling ends only by failing
        finally:
            if poller is not None and not poller.done():
                poller.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller
            if server is not None:
                await server.stop()


@contextlib.asynccontextmanager
async def running(
    kb: KnowledgeBase, settings: ZaloSettings, delivery: DeliveryEngine | None = None
) -> AsyncIterator[ZaloBot]:
    """The bot, with deliveries to Zalo users, until the block ends.

    Zalo's sender joins ``delivery`` when given (the caller starts that engine, and stops it
    before the block ends: the engine sends through a client that closes here); otherwise an
    engine of its own runs for the block. Raises a ZaloError when Zalo refuses the token.
    """
    async with build_client(settings) as client:
        me = await client.get_me()
        name = str(me.get("account_name") or me.get("display_name") or me.get("id") or "?")
        pacer = Pacer(
            settings.reply_rate_per_second, settings.backoff_seconds, settings.max_backoff_seconds
        )
        channel = ZaloChannel(kb, settings, PacedSender(client, pacer))
        processor = UpdateProcessor(channel.handle, settings.max_concurrent, settings.max_backlog)

        engine = delivery or DeliveryEngine(kb, DeliverySettings())
        sender = ZaloSender(client, settings.backoff_seconds, settings.max_backoff_seconds)
        engine.add_channel(CHANNEL, sender, zalo_pacing(settings))
        if delivery is None:
            await engine.start()
        try:
            yield ZaloBot(name, settings, client, channel, processor)
        finally:
            await processor.drain(DRAIN_SECONDS)
            if delivery is None:
                await engine.stop()
    logger.info("Zalo bot stopped")


async def serve(
    kb: KnowledgeBase,
    settings: ZaloSettings,
    stop: asyncio.Event,
    delivery: DeliveryEngine | None = None,
) -> None:
    """Run the bot on its own webhook server or by long polling until ``stop`` is set.

    Raises a ZaloError when Zalo refuses the token, at start or while polling.
    """
    async with running(kb, settings, delivery) as bot:
        await bot.receive(stop)
