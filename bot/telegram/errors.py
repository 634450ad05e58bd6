"""The application's error handler: log the failing update with context, answer politely."""

from __future__ import annotations

import html
import logging

from telegram import Chat, Update
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.telegram.conversations import CHANNEL
from bot.telegram.sightings import Sightings
from knowledge import messages as msg
from knowledge.chat_users import ChatUserStore

logger = logging.getLogger(__name__)

TOAST_CHARS = 200


def describe(update: object) -> str:
    """A one-line summary of an update for the log.

    The text of a message is left out on purpose (pupils write about personal matters);
    its length is enough to tell an empty message from a very long one.
    """
    if not isinstance(update, Update):
        return repr(update)[:200]
    parts = [f"update {update.update_id}"]
    chat, user = update.effective_chat, update.effective_user
    if chat is not None:
        parts.append(f"chat {chat.id} ({chat.type})")
    if user is not None:
        parts.append(f"user {user.id}")
    if update.callback_query is not None:
        parts.append(f"button {update.callback_query.data!r}"[:120])
    message = update.effective_message
    if message is not None and message.text is not None:
        parts.append(f"text of {len(message.text)} characters")
    return ", ".join(parts)


class ErrorHandler:
    """Logs what failed and tells the user something went wrong, never the details."""

    def __init__(self, users: ChatUserStore, sightings: Sightings) -> None:
        self.users = users
        self.sightings = sightings

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle one error raised while processing ``update`` (None for polling errors)."""
        error = context.error
        if not isinstance(update, Update):
            # Polling hiccups and the like: the updater retries by itself.
            if isinstance(error, NetworkError):
                logger.warning("Network trouble talking to Telegram: %s", error)
            else:
                logger.error("Error outside an update", exc_info=error)
            return

        chat = update.effective_chat
        if isinstance(error, Forbidden) and chat is not None:
            logger.info("Chat %s cannot be reached (%s); marked inactive", chat.id, error)
            user_id = str(chat.id) if chat.type == Chat.PRIVATE else None
            self.sightings.discard(chat.id)
            await self.users.set_active(CHANNEL, str(chat.id), user_id, active=False)
            return

        logger.error("Failed to handle %s", describe(update), exc_info=error)
        await self._apologise(update)

    async def _apologise(self, update: Update) -> None:
        chat = update.effective_chat
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(msg.ERROR[:TOAST_CHARS])
            elif update.message is not None and chat is not None and chat.type != Chat.CHANNEL:
                await update.get_bot().send_message(chat.id, html.escape(msg.ERROR))
        except TelegramError as exc:
            logger.warning("Could not tell the user about the error: %s", exc)
