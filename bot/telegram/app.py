"""Building the python-telegram-bot application and running it by polling or webhook.

``running`` assembles the bot and its deliveries but not the source of updates, so a shared
web server can mount ``TelegramBot.routes()`` on its own port; ``serve`` adds the source
(its own webhook server, or polling) and runs until told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.memory import freeze_loaded_objects
from bot.telegram import messages as tmsg
from bot.telegram.admin_handlers import register as register_admin
from bot.telegram.errors import ErrorHandler
from bot.telegram.filters import AddressedToBot
from bot.telegram.handlers import TelegramChannel
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.sender import join_delivery
from bot.telegram.settings import TelegramSettings
from bot.telegram.subscription_handlers import register as register_subscriptions
from bot.telegram.webhook import WebhookServer, webhook_routes
from knowledge.core import KnowledgeBase
from knowledge.delivery.engine import DeliveryEngine
from knowledge.delivery.settings import DeliverySettings

logger = logging.getLogger(__name__)

TelegramApp = Application[Any, Any, Any, Any, Any, Any]

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


async def _set_commands(application: TelegramApp) -> None:
    commands = [BotCommand(name, text) for name, text in tmsg.COMMANDS.items()]
    await application.bot.set_my_commands(commands)


def register(application: TelegramApp, channel: TelegramChannel) -> None:
    """Route each kind of update to its handler; anything else is ignored."""
    message = filters.UpdateType.MESSAGE & ~filters.SenderChat.CHANNEL
    private = filters.ChatType.PRIVATE
    addressed = private | (filters.ChatType.GROUPS & AddressedToBot())

    application.add_handlers(
        [
            CommandHandler(["start", "batdau"], channel.start, filters=message),
            CommandHandler(["help", "huongdan", "trogiup"], channel.help, filters=message),
            CommandHandler("chude", channel.topics, filters=message),
            CommandHandler("hoicanbo", channel.escalate, filters=message),
            MessageHandler(message & filters.COMMAND, channel.unknown_command),
            MessageHandler(message & filters.TEXT & addressed, channel.text),
            MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, channel.edited),
            MessageHandler(
                message & private & ~filters.TEXT & ~filters.StatusUpdate.ALL, channel.unsupported
            ),
            CallbackQueryHandler(channel.button),
            ChatMemberHandler(channel.membership, ChatMemberHandler.MY_CHAT_MEMBER),
        ]
    )
    application.add_error_handler(ErrorHandler(channel.users, channel.sightings))


def build_application(kb: KnowledgeBase, settings: TelegramSettings) -> TelegramApp:
    """The application with its handlers, rate limiter and per-chat update processor."""
    if settings.bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        Application.builder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.rate_limit_per_second,
                group_max_rate=settings.rate_limit_group_per_minute,
                max_retries=2,
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
        .job_queue(None)
    )
    if settings.mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    channel = TelegramChannel(kb, settings)
    register(application, channel)
    register_subscriptions(application, channel)
    register_admin(application, kb)
    return application


@dataclass
class TelegramBot:
    """A started Telegram bot, waiting for updates."""

    application: TelegramApp
    settings: TelegramSettings

    def routes(self) -> list[BaseRoute]:
        """The webhook route, to mount on a web server (webhook mode)."""
        secret = self.settings.webhook_secret
        assert secret is not None, "webhook mode needs TELEGRAM_WEBHOOK_SECRET"
        return webhook_routes(
            self.application, self.settings.webhook_path, secret.get_secret_value()
        )

    async def register_webhook(self) -> None:
        """Have Telegram post updates to the webhook URL (once the route is being served)."""
        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        assert url and secret is not None, "webhook mode needs TELEGRAM_WEBHOOK_URL and _SECRET"
        bot = self.application.bot
        await bot.set_webhook(
            url, secret_token=secret.get_secret_value(), allowed_updates=ALLOWED_UPDATES
        )
        logger.info("Telegram bot @%s started (webhook)", bot.username)

    async def receive(self, stop: asyncio.Event) -> None:
        """Take updates on the bot's own webhook server, or by polling, until ``stop`` is set."""
        settings = self.settings
        updater = self.application.updater
        server: WebhookServer | None = None
        try:
            if settings.mode == "webhook":
                app = Starlette(routes=self.routes())
                server = WebhookServer(app, settings.webhook_listen, settings.webhook_port)
                await server.start()
                await self.register_webhook()
            else:
                assert updater is not None
                await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
                logger.info("Telegram bot @%s started (polling)", self.application.bot.username)
            await stop.wait()
        finally:
            if server is not None:
                await server.stop()
            if updater is not None and updater.running:
                await updater.stop()


@contextlib.asynccontextmanager
async def running(
    kb: KnowledgeBase, settings: TelegramSettings, delivery: DeliveryEngine | None = None
) -> AsyncIterator[TelegramBot]:
    """The bot, with deliveries to Telegram chats, until the block ends.

    Telegram joins ``delivery`` when given (the caller starts that engine, and stops it
    before the block ends: the engine sends through a bot that closes here); otherwise an
    engine of its own runs for the block.
    """
    application = build_application(kb, settings)
    engine = delivery or DeliveryEngine(kb, DeliverySettings())
    async with application, join_delivery(engine, application.bot):
        await _set_commands(application)
        freeze_loaded_objects()
        await application.start()
        try:
            if delivery is None:
                await engine.start()
            yield TelegramBot(application, settings)
        finally:
            if delivery is None:
                await engine.stop()
            await application.stop()
    logger.info("Telegram bot stopped")


async def serve(
    kb: KnowledgeBase,
    settings: TelegramSettings,
    stop: asyncio.Event,
    delivery: DeliveryEngine | None = None,
) -> None:
    """Run the bot on its own webhook server or by polling until ``stop`` is set."""
    async with running(kb, settings, delivery) as bot:
        await bot.receive(stop)
