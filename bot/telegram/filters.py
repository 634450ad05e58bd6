"""Which group messages are meant for the bot: mentions of it and replies to it."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.ext.filters import MessageFilter


def mentions_bot(message: Message) -> bool:
    """Whether the message names the bot (``@username``, or a mention of its account)."""
    bot = message.get_bot()
    username = f"@{bot.username}".lower()
    entities = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
    for entity, text in entities.items():
        if entity.type == MessageEntity.MENTION and text.lower() == username:
            return True
        if entity.user is not None and entity.user.id == bot.id:
            return True
    return False


def replies_to_bot(message: Message) -> bool:
    """Whether the message answers one of the bot's own messages."""
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


def without_mention(text: str, username: str) -> str:
    """The text with ``@username`` taken out, e.g. "@bot mấy tuổi…" → "mấy tuổi…"."""
    pattern = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)
    return " ".join(pattern.sub(" ", text).split())


class AddressedToBot(MessageFilter):
    """Group messages that mention the bot or reply to it; with privacy mode on these are,
    with commands, all the group messages Telegram delivers anyway."""

    def filter(self, message: Message) -> bool:
        """Apply the filter."""
        return replies_to_bot(message) or mentions_bot(message)
