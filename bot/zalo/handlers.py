"""Event handlers: each turns one kind of Zalo event into a dialog call and sends the
rendered reply. No matching or business logic lives here."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from bot.telegram.flood import FloodGate, Verdict
from bot.zalo import messages as zmsg
from bot.zalo.conversations import CHANNEL, Conversations
from bot.zalo.errors import ZaloError, ZaloForbidden
from bot.zalo.pacing import PacedSender
from bot.zalo.render import VOTE_DOWN, VOTE_PREFIX, VOTE_UP, render, vote_options
from bot.zalo.settings import ZaloSettings
from bot.zalo.subscriptions import ZaloSubscriptions, actor_of
from bot.zalo.updates import Event, Incoming
from knowledge import messages as msg
from knowledge.activity import Asker
from knowledge.chat_users import ChatUserStore
from knowledge.core import KnowledgeBase
from knowledge.dialog import Conversation, Dialog, Option, Reply, ReplyKind
from knowledge.normalize import clean

logger = logging.getLogger(__name__)

# How often the "last seen" time of a chat user is written, at most.
SEEN_INTERVAL = 600.0

START_COMMANDS = ("/start", "/batdau")
HELP_COMMANDS = ("/help", "/huongdan", "/trogiup")
DIALOG_COMMANDS = ("/chude", "/hoicanbo")

# Zalo's own emoticon codes for a thumbs up and down, typed or picked from its emoji panel.
THUMBS = {"👍": 1, "👎": -1, "/-strong": 1, "/-weak": -1}
_SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)} | {"\ufe0f"}


def thumbs_vote(text: str) -> int | None:
    """+1 or -1 when the message is only 👍 or only 👎 (any skin tone, repeated), else None."""
    stripped = "".join(ch for ch in text.strip() if ch not in _SKIN_TONES and not ch.isspace())
    for symbol, vote in THUMBS.items():
        if stripped and stripped == symbol * (len(stripped) // len(symbol)):
            return vote
    return None


def chosen_vote(conversation: Conversation, text: str) -> Option | None:
    """The vote option a number picks, when the options shown last were votes."""
    stripped = text.strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if not (stripped.isdecimal() and len(stripped) <= 3):
        return None
    number = int(stripped)
    if 1 <= number <= len(conversation.options):
        option = conversation.options[number - 1]
        if option.payload.startswith(VOTE_PREFIX):
            return option
    return None


def withheld_text(column_url: str | None) -> str:
    """The reply to an event whose content Zalo withholds."""
    column = zmsg.COLUMN_WITH_URL.format(url=column_url) if column_url else zmsg.COLUMN_WITHOUT_URL
    return zmsg.WITHHELD.format(column=column)


class ZaloChannel:
    """The Zalo side of the dialog, shared by every event of one running bot."""

    def __init__(self, kb: KnowledgeBase, settings: ZaloSettings, outbox: PacedSender) -> None:
        self.kb = kb
        self.dialog = Dialog(kb)
        self.users = ChatUserStore(kb.sessions)
        self.outbox = outbox
        self.flood = FloodGate(settings.flood_max_questions, settings.flood_window_seconds)
        self.conversations = Conversations(settings.max_conversations)
        self.subscriptions = ZaloSubscriptions(kb)
        self.withheld_reply = withheld_text(settings.legal_column_url)
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._max_seen = settings.max_conversations

    # Entry point ----------------------------------------------------------------------

    async def handle(self, update: Incoming) -> None:
        """Answer one event; failures are logged and the user is told, never raised."""
        if update.chat_type != "private":
            # Zalo bots are not generally available in groups; never chatter in one.
            logger.info("Ignored %s in a %s chat", update.event.value, update.chat_type)
            return
        try:
            if update.event is Event.TEXT:
                await self.text(update)
            elif update.event is Event.UNSUPPORTED:
                await self.withheld(update)
            else:
                await self.media(update)
        except ZaloForbidden as exc:
            logger.info("Chat %s cannot be reached (%s); marked inactive", update.chat_id, exc)
            await self.users.set_active(CHANNEL, update.chat_id, update.user_id, active=False)
        except Exception:
            logger.exception("Failed to handle %s", update.describe())
            await self._apologise(update)

    # Plumbing -------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send a reply as one or more messages, in order."""
        for text in render(reply):
            await self.outbox.send(chat_id, text)

    async def send_text(self, chat_id: str, text: str) -> None:
        """Send a plain text of the channel's own."""
        await self.send(chat_id, Reply(ReplyKind.INFO, text))

    async def admit(self, update: Incoming) -> bool:
        """Flood control for one message; True when it should be answered."""
        decision = self.flood.check(update.user_id)
        if decision.verdict is Verdict.NOTIFY:
            logger.info("User %s reached the flood limit", update.user_id)
            await self.send_text(update.chat_id, zmsg.FLOOD.format(seconds=decision.retry_after))
            return False
        return decision.verdict is Verdict.ALLOW

    async def _note_seen(self, update: Incoming) -> None:
        key = (update.chat_id, update.user_id)
        now = time.monotonic()
        last = self._seen.get(key)
        if last is not None and now - last < SEEN_INTERVAL:
            return
        self._seen[key] = now
        self._seen.move_to_end(key)
        if len(self._seen) > self._max_seen:
            self._seen.popitem(last=False)
        await self.users.seen(CHANNEL, update.chat_id, update.user_id, update.chat_type)

    async def _apologise(self, update: Incoming) -> None:
        try:
            await self.send_text(update.chat_id, msg.ERROR)
        except ZaloError as exc:
            logger.warning("Could not tell chat %s about the error: %s", update.chat_id, exc)

    # Events ---------------------------------------------------------------------------

    async def text(self, update: Incoming) -> None:
        """A question, a command, a number picking a shown option, or a vote."""
        assert update.text is not None
        conversation, created = self.conversations.get(update.chat_id, update.user_id)
        if not await self.admit(update):
            return
        # Zalo sends no /start on first contact: the automated-assistant notice comes first.
        first_contact = (
            created and await self.users.get(CHANNEL, update.chat_id, update.user_id) is None
        )
        await self._note_seen(update)

        text = clean(update.text)
        command, _, argument = text.partition(" ") if text.startswith("/") else ("", "", "")
        command = command.lower()
        if first_contact and command not in START_COMMANDS:
            await self.send(update.chat_id, self.dialog.welcome())

        replies = await self._replies(update, conversation, text, command, argument.strip())
        for reply in replies:
            await self.send(update.chat_id, reply)
        if replies[-1].feedback:
            conversation.options = vote_options(replies[-1])

    async def _replies(
        self,
        update: Incoming,
        conversation: Conversation,
        text: str,
        command: str,
        argument: str,
    ) -> list[Reply]:
        vote = chosen_vote(conversation, text)
        if vote is not None:
            return [await self._vote(conversation, vote.payload)]
        thumbs = thumbs_vote(text)
        if thumbs is not None:
            sign = VOTE_UP if thumbs > 0 else VOTE_DOWN
            shown = [o for o in conversation.options if o.payload.startswith(VOTE_PREFIX + sign)]
            if shown:
                return [await self._vote(conversation, shown[0].payload)]
            return [Reply(ReplyKind.INFO, zmsg.NOTHING_TO_RATE)]

        actor = actor_of(update)
        if command in START_COMMANDS:
            replies = [self.dialog.welcome()]
            if argument:
                result = await self.subscriptions.join(actor, argument)
                replies.append(Reply(ReplyKind.INFO, result))
            return replies
        if command in HELP_COMMANDS:
            parts = [self.dialog.help().text, zmsg.HELP_ZALO]
            parts += await self.subscriptions.help_parts(actor)
            return [Reply(ReplyKind.INFO, "\n\n".join(parts))]
        if command in self.subscriptions.commands:
            return [Reply(ReplyKind.INFO, await self.subscriptions.run(actor, command, argument))]
        if command and command not in DIALOG_COMMANDS:
            return [Reply(ReplyKind.INFO, zmsg.UNKNOWN_COMMAND)]

        joined = await self.subscriptions.join_if_code(actor, text)
        if joined is not None:
            return [Reply(ReplyKind.INFO, joined)]
        return [await self.dialog.handle_text(conversation, text)]

    async def _vote(self, conversation: Conversation, payload: str) -> Reply:
        sign, _, entry_id = payload.removeprefix(VOTE_PREFIX).partition(":")
        conversation.options = []
        return await self.dialog.feedback(
            conversation, entry_id or None, 1 if sign == VOTE_UP else -1
        )

    async def media(self, update: Incoming) -> None:
        """An image or a sticker: only text is read."""
        if await self.admit(update):
            await self.send_text(update.chat_id, zmsg.MEDIA)

    async def withheld(self, update: Incoming) -> None:
        """A message whose content Zalo withholds (protected accounts).

        Counted for the statistics without anything about the sender; the reply goes to the
        chat id Zalo gave, which is not stored.
        """
        await self.kb.activity.log_question(Asker(CHANNEL), "unsupported", None, None, None, None)
        if await self.admit(update):
            await self.send_text(update.chat_id, self.withheld_reply)
