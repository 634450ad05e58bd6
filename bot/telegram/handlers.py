"""Update handlers: each turns one kind of Telegram update into a dialog call and sends the
rendered reply. No matching or business logic lives here."""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.telegram import messages as tmsg
from bot.telegram.conversations import CHANNEL, Conversations
from bot.telegram.filters import without_mention
from bot.telegram.flood import FloodGate, Verdict
from bot.telegram.join import is_join_code, join_by_code
from bot.telegram.render import (
    ESCALATE,
    VOTE_DOWN,
    VOTE_UP,
    CallbackCodec,
    Outgoing,
    render,
    without_escalation,
    without_votes,
)
from bot.telegram.settings import TelegramSettings
from bot.telegram.sightings import Sightings
from knowledge.chat_users import ChatUserStore
from knowledge.core import KnowledgeBase
from knowledge.dialog import Conversation, Dialog, Reply, ReplyKind

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

# Toasts (answerCallbackQuery texts) are cut by Telegram at 200 characters.
TOAST_CHARS = 200

_GONE = (ChatMember.LEFT, ChatMember.BANNED)
CORE_SLOTS = 2


class TelegramChannel:
    """The Telegram side of the dialog, shared by all handlers of one application."""

    def __init__(self, kb: KnowledgeBase, settings: TelegramSettings) -> None:
        self.kb = kb
        self.dialog = Dialog(kb)
        self.users = ChatUserStore(kb.sessions)
        self.flood = FloodGate(settings.flood_max_questions, settings.flood_window_seconds)
        self.codec = CallbackCodec()
        self.conversations = Conversations(settings.max_conversations)
        self.sightings = Sightings(self.users, settings.max_conversations)
        # Dialog calls (matching, then a database write) run two at a time: matching is CPU
        # work anyway, and on SQLite more writers only queue on the write lock, whose
        # busy-wait backoff turns milliseconds into hundreds of them (docs/benchmarks.md:
        # p99 36-42 ms with 2, 120-140 ms with 4). Sending to Telegram stays concurrent.
        self.core = asyncio.Semaphore(CORE_SLOTS)

    # Plumbing -------------------------------------------------------------------------

    def conversation(self, update: Update) -> Conversation:
        """The conversation of the update's user in the update's chat."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        return self.conversations.get(chat.id, user.id)

    async def admit(self, update: Update, context: Context) -> bool:
        """Flood control for one message or button press; True when it should be answered."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return False

        decision = self.flood.check(user.id)
        query = update.callback_query
        if decision.verdict is Verdict.NOTIFY:
            logger.info("User %s reached the flood limit in chat %s", user.id, chat.id)
            if query is not None:
                await query.answer(tmsg.FLOOD_SHORT)
            else:
                await self.send_text(
                    update, context, tmsg.FLOOD.format(seconds=decision.retry_after)
                )
            return False
        if decision.verdict is Verdict.DROP:
            if query is not None:
                await query.answer()
            return False

        self.sightings.note(context.application, chat.id, user.id, chat.type)
        return True

    async def send(self, update: Update, context: Context, reply: Reply) -> Message | None:
        """Send a reply; in groups it quotes the user's message."""
        return await self.send_rendered(update, context, render(reply, self.codec))

    async def send_text(self, update: Update, context: Context, text: str) -> Message | None:
        """Send a plain text of the channel's own."""
        return await self.send(update, context, Reply(ReplyKind.INFO, text))

    async def send_rendered(
        self, update: Update, context: Context, messages: list[Outgoing]
    ) -> Message | None:
        """Send rendered messages in order; returns the last one."""
        chat = update.effective_chat
        assert chat is not None
        quote = None
        if chat.type != Chat.PRIVATE and update.message is not None:
            quote = ReplyParameters(update.message.message_id, allow_sending_without_reply=True)
        sent = None
        for out in messages:
            sent = await context.bot.send_message(
                chat.id, out.text, reply_markup=out.markup, reply_parameters=quote
            )
            quote = None
        return sent

    # Commands -------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        """/start, with an optional deep-link code that joins a class or group."""
        if not await self.admit(update, context):
            return
        await self.send(update, context, self.dialog.welcome())
        if not context.args:
            return

        code = context.args[0] if len(context.args) == 1 else ""
        if not is_join_code(code):
            await self.send_text(update, context, tmsg.JOIN_INVALID)
            return
        async with self.core:
            text = await join_by_code(self.kb, self.conversation(update).asker, code)
        await self.send_text(update, context, text or tmsg.JOIN_UNKNOWN.format(code=code))

    async def help(self, update: Update, context: Context) -> None:
        """/help and its Vietnamese aliases; arguments are ignored."""
        if await self.admit(update, context):
            await self.send(update, context, self.dialog.help())

    async def topics(self, update: Update, context: Context) -> None:
        """/chude: the first page of the topic browser."""
        if await self.admit(update, context):
            await self.send(update, context, self.dialog.topics(self.conversation(update)))

    async def escalate(self, update: Update, context: Context) -> None:
        """/hoicanbo: pass the last question to the legal officer."""
        if await self.admit(update, context):
            async with self.core:
                reply = await self.dialog.escalate(self.conversation(update))
            await self.send(update, context, reply)

    async def unknown_command(self, update: Update, context: Context) -> None:
        """Any other command: in groups only when it names this bot, then a pointer to /help."""
        message = update.message
        chat = update.effective_chat
        if message is None or chat is None or message.text is None:
            return
        command = message.text.split(maxsplit=1)[0]
        named = command.partition("@")[2].lower()
        if chat.type != Chat.PRIVATE and named != (context.bot.username or "").lower():
            return
        if await self.admit(update, context):
            await self.send_text(update, context, tmsg.UNKNOWN_COMMAND)

    # Messages -------------------------------------------------------------------------

    async def text(self, update: Update, context: Context) -> None:
        """A question (or a number picking a shown option)."""
        message = update.message
        if message is None or message.text is None or not await self.admit(update, context):
            return
        text = message.text
        if message.chat.type != Chat.PRIVATE:
            text = without_mention(text, context.bot.username or "")
            if not text.strip():
                hint = tmsg.GROUP_EMPTY_MENTION.format(username=context.bot.username)
                await self.send_text(update, context, hint)
                return
        async with self.core:
            reply = await self.dialog.handle_text(self.conversation(update), text)
        await self.send(update, context, reply)

    async def edited(self, update: Update, context: Context) -> None:
        """An edited message in a private chat: ask for a new message instead."""
        if await self.admit(update, context):
            await self.send_text(update, context, tmsg.EDITED)

    async def unsupported(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice, files and the like in a private chat."""
        if await self.admit(update, context):
            await self.send_text(update, context, tmsg.UNSUPPORTED)

    # Buttons --------------------------------------------------------------------------

    async def button(self, update: Update, context: Context) -> None:
        """An inline button: a suggestion, a topic page, a vote or escalation."""
        query = update.callback_query
        if query is None or not await self.admit(update, context):
            return
        payload = self.codec.decode(query.data) if isinstance(query.data, str) else None
        if payload is None:
            await query.answer(tmsg.STALE_BUTTON)
            return

        kind, _, value = payload.partition(":")
        if payload == ESCALATE:
            await self._escalate_button(update, context, query)
        elif kind == "v":
            await self._vote(update, query, value)
        elif kind in ("e", "t", "p"):
            await self._choose(update, context, query, payload)
        else:
            logger.debug("Unknown callback payload of %d characters", len(payload))
            await query.answer(tmsg.STALE_BUTTON)

    async def _choose(
        self, update: Update, context: Context, query: CallbackQuery, payload: str
    ) -> None:
        async with self.core:
            reply = await self.dialog.choose(self.conversation(update), payload)
        if reply.kind is ReplyKind.INVALID:
            await query.answer(reply.text[:TOAST_CHARS])
            return
        await query.answer()
        rendered = render(reply, self.codec)
        # Browsing topics edits the list in place; an answer arrives as a new message, and so
        # does the list when its message can no longer be edited (too old, deleted).
        message = query.message
        in_place = reply.kind is ReplyKind.MENU and len(rendered) == 1
        if in_place and isinstance(message, Message):
            edited = await _edit(message, rendered[0].text, rendered[0].markup)
            if edited:
                return
        await self.send_rendered(update, context, rendered)

    async def _vote(self, update: Update, query: CallbackQuery, value: str) -> None:
        sign, _, entry_id = value.partition(":")
        vote = {VOTE_UP: 1, VOTE_DOWN: -1}.get(sign)
        if vote is None or (entry_id and self.kb.entry(entry_id) is None):
            await query.answer(tmsg.STALE_BUTTON)
            return
        async with self.core:
            reply = await self.dialog.feedback(self.conversation(update), entry_id or None, vote)
        await query.answer(reply.text[:TOAST_CHARS])
        if isinstance(query.message, Message):
            await _edit_markup(query.message, without_votes(query.message.reply_markup))

    async def _escalate_button(
        self, update: Update, context: Context, query: CallbackQuery
    ) -> None:
        async with self.core:
            reply = await self.dialog.escalate(self.conversation(update))
        await query.answer()
        await self.send(update, context, reply)
        if reply.kind is not ReplyKind.INVALID and isinstance(query.message, Message):
            await _edit_markup(query.message, without_escalation(query.message.reply_markup))

    # Membership -----------------------------------------------------------------------

    async def membership(self, update: Update, context: Context) -> None:
        """The bot was blocked, unblocked, added to or removed from a chat."""
        change = update.my_chat_member
        if change is None or change.chat.type == Chat.CHANNEL:
            return
        chat, user = change.chat, change.from_user
        was_in = change.old_chat_member.status not in _GONE
        is_in = change.new_chat_member.status not in _GONE
        private = chat.type == Chat.PRIVATE

        if was_in and not is_in:
            logger.info("Bot %s chat %s", "blocked in" if private else "removed from", chat.id)
            self.sightings.discard(chat.id)
            user_id = str(user.id) if private else None
            await self.users.set_active(CHANNEL, str(chat.id), user_id, active=False)
        elif is_in and not was_in:
            logger.info("Bot %s chat %s", "unblocked in" if private else "added to", chat.id)
            await self.users.seen(CHANNEL, str(chat.id), str(user.id), chat.type)
            if not private:
                hello = tmsg.GROUP_HELLO.format(username=context.bot.username)
                await self.send_text(update, context, hello)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Edit a message in place; False when Telegram refuses (it is too old or gone)."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        # Pressing the page that is already shown changes nothing; Telegram says so.
        if "not modified" in str(exc).lower():
            return True
        logger.debug("Could not edit message %s: %s", message.message_id, exc)
        return False
    return True


async def _edit_markup(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    """Change the buttons under a message, if Telegram still allows it."""
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        logger.debug("Could not change the buttons of %s: %s", message.message_id, exc)
