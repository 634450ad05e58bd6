"""Building the python-telegram-bot application and running it by polling or webhook."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

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

from bot.telegram import messages as tmsg
from bot.telegram.admin_handlers import register as register_admin
from bot.telegram.errors import ErrorHandler
from bot.telegram.filters import AddressedToBot
from bot.telegram.handlers import TelegramChannel
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.sender import start_delivery
from bot.telegram.settings import TelegramSettings
from bot.telegram.subscription_handlers import register as register_subscriptions
from bot.telegram.webhook import WebhookServer, webhook_app
from knowledge.core import KnowledgeBase

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


def _freeze_loaded_objects() -> None:
    """Hide what is loaded by now (the knowledge base: indexes, documents, some 100,000
    objects) from the garbage collector. Every full collection would otherwise walk all of
    it, pausing every chat for about 85 ms each time; new objects are collected as usual."""
    gc.collect()
    gc.freeze()


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


async def serve(kb: KnowledgeBase, settings: TelegramSettings, stop: asyncio.Event) -> None:
    """Run the bot until ``stop`` is set, then shut down cleanly."""
    application = build_application(kb, settings)
    async with application:
        await _set_commands(application)
        _freeze_loaded_objects()
        await application.start()
        delivery = await start_delivery(kb, application.bot)
        server: WebhookServer | None = None
        try:
            if settings.mode == "webhook":
                assert settings.webhook_url and settings.webhook_secret
                secret = settings.webhook_secret.get_secret_value()
                app = webhook_app(application, settings.webhook_path, secret)
                server = WebhookServer(app, settings.webhook_listen, settings.webhook_port)
                await server.start()
                await application.bot.set_webhook(
                    settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
                )
            else:
                assert application.updater is not None
                await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            logger.info("Telegram bot @%s started (%s)", application.bot.username, settings.mode)
            await stop.wait()
        finally:
            if server is not None:
                await server.stop()
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await delivery.stop()
            await application.stop()
    logger.info("Telegram bot stopped")
