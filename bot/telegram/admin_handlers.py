"""The legal officers' tools in a private Telegram chat: add and edit entries, retire them,
search, the review queue and statistics.

Everything here is rendering: the guided flow is knowledge.curation.wizard, the queue
knowledge.curation.queue, and so on. The handlers sit in group -1, ahead of the users'
handlers: an admin's command or button is handled here and goes no further
(ApplicationHandlerStop); anyone else's falls through to the users' handlers, which answer
it as an unknown command, so the tools stay invisible to students. Who is an admin is
decided by bot.telegram.admin_access.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.telegram.admin_access import AdminCodec, AdminGate
from bot.telegram.admin_texts import answered_text, day, stats_text
from bot.telegram.conversations import CHANNEL
from bot.telegram.render import Outgoing, render
from knowledge.core import KnowledgeBase
from knowledge.curation import messages as cm
from knowledge.curation.entries import search_entries, set_active
from knowledge.curation.freshness import FaqFreshness
from knowledge.curation.queue import QueueError, QueueGroup, ReviewQueue
from knowledge.curation.stats import statistics
from knowledge.curation.validation import EntryChecker
from knowledge.curation.wizard import EntryWizard, Prompt
from knowledge.dialog import Option, Reply, ReplyKind
from knowledge.users import Roles, actor_name

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = BaseHandler[Update, Any, Any]

ADMIN_GROUP = -1
HOUSEKEEPING_GROUP = -2
HOUSEKEEPING_INTERVAL = 30.0
QUEUE_SHOWN = 10
SEARCH_SHOWN = 8
WIZARD, PICK = range(2)
END = ConversationHandler.END


def _stop(state: object = None) -> ApplicationHandlerStop:
    """Stop the update here (and move the conversation to ``state``)."""
    return ApplicationHandlerStop(state)


class AdminTools:
    """State and handlers of the admin tools of one application."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.roles = Roles(kb.sessions)
        self.queue = ReviewQueue(kb)
        self.codec = AdminCodec(max_keys=2000)
        self.freshness = FaqFreshness(kb)
        self.wizards: dict[int, EntryWizard] = {}
        self.answering: dict[int, int] = {}
        self.gate = AdminGate(self.roles)
        self._next_housekeeping = 0.0

    async def admin(self, update: Update, action: str) -> bool:
        """Whether the update comes from an admin in a private chat (see AdminGate)."""
        return await self.gate.admin(update, action)

    @staticmethod
    def actor(update: Update) -> str:
        """The audit-log name of the update's user."""
        assert update.effective_user is not None
        return actor_name(CHANNEL, str(update.effective_user.id))

    # Sending -----------------------------------------------------------------------------

    async def send(
        self, update: Update, context: Context, text: str, options: list[Option] | None = None
    ) -> None:
        """A text with buttons."""
        await self._send(
            update, context, render(Reply(ReplyKind.MENU, text, options or []), self.codec)
        )

    async def show(self, update: Update, context: Context, prompt: Prompt) -> None:
        """A wizard prompt: the preview as users see it, then the question and buttons."""
        if prompt.preview is not None:
            await self.send(update, context, cm.PREVIEW_INTRO)
            await self._send(update, context, render(prompt.preview, self.codec))
        await self.send(update, context, prompt.text, prompt.options)

    async def _send(self, update: Update, context: Context, messages: list[Outgoing]) -> None:
        chat = update.effective_chat
        assert chat is not None
        for out in messages:
            await context.bot.send_message(chat.id, out.text, reply_markup=out.markup)

    async def _payload(self, update: Update) -> str | None:
        """The pressed button's payload, the button answered; None when stale."""
        query = update.callback_query
        assert query is not None
        payload = self.codec.decode(query.data) if isinstance(query.data, str) else None
        if payload is None:
            await query.answer(cm.BUTTON_STALE)
        else:
            await query.answer()
        return payload

    # Housekeeping ------------------------------------------------------------------------

    async def housekeeping(self, update: Update, context: Context) -> None:
        """On any update, at most every ``HOUSEKEEPING_INTERVAL`` seconds: pick up FAQ changes
        made from the command line, and send answers that were waiting for delivery."""
        now = time.monotonic()
        if now < self._next_housekeeping:
            return
        self._next_housekeeping = now + HOUSEKEEPING_INTERVAL
        try:
            await self.freshness.check(force=True)
            if self.kb.notifier is not None:
                await self.queue.notify_pending()
        except Exception:  # bookkeeping must never keep an update from its handlers
            logger.exception("Admin housekeeping failed")

    # Commands ----------------------------------------------------------------------------

    async def menu(self, update: Update, context: Context) -> None:
        """/admin: what the tools are."""
        if await self.admin(update, "admin.menu"):
            await self.send(update, context, cm.ADMIN_MENU)
            raise _stop()

    async def search(self, update: Update, context: Context) -> None:
        """/timcauhoi <words>: entries with buttons to edit them."""
        if not await self.admin(update, "faq.search"):
            return
        text = " ".join(context.args or [])[:200]
        if not text.strip():
            await self.send(update, context, cm.SEARCH_USAGE)
            raise _stop()
        found = await search_entries(self.kb, text, SEARCH_SHOWN)
        if not found:
            await self.send(update, context, cm.SEARCH_NONE.format(text=text))
            raise _stop()
        lines = [
            cm.SEARCH_ITEM.format(
                id=e.id, status=cm.STATUS_NAMES[e.status], question=e.main_question
            )
            for e in found
        ]
        options = [Option(f"✏️ {e.id}", f"ed:{e.id}") for e in found]
        text = cm.SEARCH_RESULTS.format(text=text) + "\n" + "\n".join(lines)
        await self.send(update, context, text, options)
        raise _stop()

    async def disable(self, update: Update, context: Context) -> None:
        """/tatcauhoi <id>: stop answering with an entry."""
        await self._set_status(update, context, "/tatcauhoi", active=False)

    async def enable(self, update: Update, context: Context) -> None:
        """/batcauhoi <id>: answer with a disabled entry again."""
        await self._set_status(update, context, "/batcauhoi", active=True)

    async def _set_status(
        self, update: Update, context: Context, command: str, active: bool
    ) -> None:
        if not await self.admin(update, "faq.enable" if active else "faq.disable"):
            return
        entry_id = (context.args or [""])[0].strip().lower()[:100]
        if not entry_id:
            await self.send(update, context, cm.ENTRY_USAGE.format(command=command))
            raise _stop()
        changed = await set_active(self.kb, entry_id, active, self.actor(update))
        if changed is None:
            text = cm.ENTRY_UNKNOWN.format(id=entry_id)
        elif not changed:
            text = cm.ENTRY_STATUS_SAME.format(id=entry_id)
        else:
            text = (cm.ENTRY_ENABLED if active else cm.ENTRY_DISABLED).format(id=entry_id)
        await self.send(update, context, text)
        raise _stop()

    async def stats(self, update: Update, context: Context) -> None:
        """/thongke: today, this week, the queue, top questions, 👎."""
        if not await self.admin(update, "stats.view"):
            return
        await self.send(update, context, stats_text(await statistics(self.kb)))
        raise _stop()

    async def review(self, update: Update, context: Context) -> None:
        """/choduyet: the open questions, most asked first."""
        if not await self.admin(update, "review.list"):
            return
        if self.kb.notifier is not None:
            await self.queue.notify_pending()
        groups = await self.queue.groups()
        if not groups:
            await self.send(update, context, cm.QUEUE_EMPTY)
            raise _stop()
        lines = [
            f"{i}. " + cm.QUEUE_ITEM.format(question=g.question[:150], count=g.count, last=day(g))
            for i, g in enumerate(groups[:QUEUE_SHOWN], start=1)
        ]
        intro = cm.QUEUE_INTRO.format(groups=len(groups), rows=sum(g.count for g in groups))
        options = [
            Option(f"{i}. {g.question}", f"q:{g.id}")
            for i, g in enumerate(groups[:QUEUE_SHOWN], start=1)
        ]
        await self.send(update, context, intro + "\n\n" + "\n".join(lines), options)
        raise _stop()

    async def cancel_outside(self, update: Update, context: Context) -> None:
        """/huybo with nothing going on."""
        if await self.admin(update, "admin.cancel"):
            await self.send(update, context, cm.CANCELLED)
            raise _stop()

    # Buttons outside a conversation -------------------------------------------------------

    async def button(self, update: Update, context: Context) -> None:
        """A button of the tools pressed outside a conversation."""
        if not await self.admin(update, "admin.button"):
            assert update.callback_query is not None
            await update.callback_query.answer(cm.NOT_ALLOWED)
            raise _stop()
        payload = await self._payload(update)
        await self._dispatch(update, context, payload or "")
        raise _stop()

    async def _dispatch(self, update: Update, context: Context, payload: str) -> object:
        """Act on a button's payload; returns the conversation state it leads to."""
        assert update.effective_user is not None
        kind, _, value = payload.partition(":")
        if kind == "ed":
            return await self._edit(update, context, value)
        if kind == "qb":
            group_id, _, entry_id = value.partition(":")
            if group_id.isdigit():
                await self._answer(update, context, int(group_id), entry_id, add_phrasing=True)
            return END
        if kind not in ("q", "qn", "qe", "qd") or not value.isdigit():
            return END
        group = await self.queue.group(int(value))
        if group is None:
            await self.send(update, context, cm.QUEUE_GONE)
            return END
        if kind == "q":
            await self._open_group(update, context, group)
            return END
        if kind == "qd":
            rows = await self.queue.dismiss(group, self.actor(update))
            await self.send(update, context, cm.QUEUE_DISMISSED.format(rows=rows))
            return END
        self.answering[update.effective_user.id] = group.id
        if kind == "qn":
            await self._start(update, context, group)
            return WIZARD
        cancel = Option(cm.BUTTON_CANCEL, "w:cancel")
        await self.send(update, context, cm.QUEUE_ASK_ENTRY, [cancel])
        return PICK

    async def _open_group(self, update: Update, context: Context, group: QueueGroup) -> None:
        best = self.kb.entry(group.best_entry_id) if group.best_entry_id else None
        if best is not None and best.status == "active":
            closest = cm.QUEUE_BEST.format(
                id=best.id, question=best.main_question, score=group.best_score or 0
            )
        else:
            best, closest = None, cm.QUEUE_NO_BEST
        text = cm.QUEUE_DETAIL.format(
            question=group.question,
            count=group.count,
            askers=max(1, len(group.askers)),
            first=day(group, first=True),
            last=day(group),
            best=closest,
        )
        options = [Option(cm.BUTTON_NEW_ENTRY, f"qn:{group.id}")]
        if best is not None:
            options.append(
                Option(cm.BUTTON_USE_BEST.format(id=best.id), f"qb:{group.id}:{best.id}")
            )
        options += [
            Option(cm.BUTTON_EXISTING, f"qe:{group.id}"),
            Option(cm.BUTTON_DISMISS, f"qd:{group.id}"),
        ]
        await self.send(update, context, text, options)

    async def _answer(
        self, update: Update, context: Context, group_id: int, entry_id: str, add_phrasing: bool
    ) -> None:
        group = await self.queue.group(group_id)
        if group is None:
            await self.send(update, context, cm.QUEUE_GONE)
            return
        try:
            outcome = await self.queue.answer(group, entry_id, self.actor(update), add_phrasing)
        except QueueError:
            await self.send(update, context, cm.QUEUE_GONE)
            return
        await self.send(update, context, answered_text(outcome, entry_id))

    # The guided add/edit (a ConversationHandler) ----------------------------------------

    async def start_add(self, update: Update, context: Context) -> int:
        """/themcauhoi: add an entry step by step."""
        if not await self.admin(update, "faq.add"):
            return END
        self.answering.pop(update.effective_user.id if update.effective_user else 0, None)
        await self._start(update, context, None)
        raise _stop(WIZARD)

    async def start_edit(self, update: Update, context: Context) -> int:
        """/suacauhoi <id>: edit an entry from its menu."""
        if not await self.admin(update, "faq.edit"):
            return END
        entry_id = (context.args or [""])[0].strip().lower()[:100]
        if not entry_id:
            await self.send(update, context, cm.ENTRY_USAGE.format(command="/suacauhoi"))
            raise _stop(END)
        raise _stop(await self._edit(update, context, entry_id))

    async def start_from_button(self, update: Update, context: Context) -> int:
        """A button that may open a conversation: a new entry or a search for a queued
        question, or the edit of a search result."""
        if not await self.admin(update, "admin.button"):
            assert update.callback_query is not None
            await update.callback_query.answer(cm.NOT_ALLOWED)
            raise _stop(END)
        payload = await self._payload(update)
        raise _stop(await self._dispatch(update, context, payload or ""))

    async def _start(self, update: Update, context: Context, group: QueueGroup | None) -> None:
        assert update.effective_user is not None
        checker = await EntryChecker.for_kb(self.kb)
        wizard, prompt = EntryWizard.add(
            self.kb, checker, self.actor(update), asked=group.question if group else None
        )
        self.wizards[update.effective_user.id] = wizard
        await self.show(update, context, prompt)

    async def _edit(self, update: Update, context: Context, entry_id: str) -> int:
        assert update.effective_user is not None
        entry = await self.kb.faq.get(entry_id)
        if entry is None:
            await self.send(update, context, cm.ENTRY_UNKNOWN.format(id=entry_id))
            return END
        checker = await EntryChecker.for_kb(self.kb)
        wizard, prompt = EntryWizard.edit(self.kb, checker, self.actor(update), entry)
        self.wizards[update.effective_user.id] = wizard
        self.answering.pop(update.effective_user.id, None)
        await self.show(update, context, prompt)
        return WIZARD

    async def wizard_text(self, update: Update, context: Context) -> int:
        """Text typed during the guided flow."""
        message = update.message
        assert message is not None and message.text is not None
        wizard = await self._wizard(update)
        if wizard is None:
            raise _stop(END)
        raise _stop(await self._step(update, context, await wizard.text(message.text)))

    async def wizard_button(self, update: Update, context: Context) -> int:
        """A button pressed during the guided flow."""
        wizard = await self._wizard(update)
        payload = await self._payload(update)
        if wizard is None or payload is None:
            raise _stop(END if wizard is None else WIZARD)
        raise _stop(await self._step(update, context, await wizard.choose(payload)))

    async def _wizard(self, update: Update) -> EntryWizard | None:
        user = update.effective_user
        if user is None or not await self.admin(update, "faq.edit"):
            return None
        return self.wizards.get(user.id)

    async def _step(self, update: Update, context: Context, prompt: Prompt) -> int:
        assert update.effective_user is not None
        user_id = update.effective_user.id
        await self.show(update, context, prompt)
        if not prompt.done:
            return WIZARD
        self.wizards.pop(user_id, None)
        group_id = self.answering.pop(user_id, None)
        if prompt.saved is not None and group_id is not None:
            await self._answer(update, context, group_id, prompt.saved.id, add_phrasing=False)
        return END

    async def pick_text(self, update: Update, context: Context) -> int:
        """Words to find the existing entry that answers a queued question."""
        message = update.message
        assert message is not None and message.text is not None
        if not await self.admin(update, "review.answer"):
            raise _stop(END)
        found = [e for e in await search_entries(self.kb, message.text[:200], SEARCH_SHOWN)]
        found = [e for e in found if e.status == "active"]
        if not found:
            await self.send(update, context, cm.QUEUE_NO_ENTRY)
            raise _stop(PICK)
        options = [Option(f"{e.id}: {e.main_question}", f"qp:{e.id}") for e in found]
        await self.send(
            update, context, cm.QUEUE_PICK_ENTRY, [*options, Option(cm.BUTTON_CANCEL, "w:cancel")]
        )
        raise _stop(PICK)

    async def pick_button(self, update: Update, context: Context) -> int:
        """The entry picked for a queued question, or cancel."""
        assert update.effective_user is not None
        if not await self.admin(update, "review.answer"):
            raise _stop(END)
        payload = await self._payload(update) or ""
        kind, _, entry_id = payload.partition(":")
        group_id = self.answering.get(update.effective_user.id)
        if kind != "qp" or group_id is None:
            self.answering.pop(update.effective_user.id, None)
            await self.send(update, context, cm.CANCELLED)
            raise _stop(END)
        self.answering.pop(update.effective_user.id, None)
        await self._answer(update, context, group_id, entry_id, add_phrasing=True)
        raise _stop(END)

    async def cancel(self, update: Update, context: Context) -> int:
        """/huybo during a conversation."""
        assert update.effective_user is not None
        self.wizards.pop(update.effective_user.id, None)
        self.answering.pop(update.effective_user.id, None)
        await self.send(update, context, cm.CANCELLED)
        raise _stop(END)

    # Wiring ------------------------------------------------------------------------------

    def handlers(self) -> list[Handler]:
        """Every handler of the tools, in the order they are tried."""
        private = filters.ChatType.PRIVATE
        text = filters.TEXT & ~filters.COMMAND & private
        with warnings.catch_warnings():
            # PTB warns that per_message=False cannot track buttons per message; the state
            # is per user in a private chat on purpose, so any of the user's buttons counts.
            warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
            conversation = ConversationHandler(
                entry_points=[
                    CommandHandler("themcauhoi", self.start_add, filters=private),
                    CommandHandler("suacauhoi", self.start_edit, filters=private),
                    CallbackQueryHandler(self.start_from_button, pattern=r"^a\|(qn|qe|ed|k):"),
                ],
                states={
                    WIZARD: [
                        MessageHandler(text, self.wizard_text),
                        CallbackQueryHandler(self.wizard_button, pattern=r"^a\|w:"),
                    ],
                    PICK: [
                        MessageHandler(text, self.pick_text),
                        CallbackQueryHandler(self.pick_button, pattern=r"^a\|(qp:|w:|k:)"),
                    ],
                },
                fallbacks=[CommandHandler("huybo", self.cancel, filters=private)],
                allow_reentry=True,
                name="admin-curation",
            )
        return [
            conversation,
            CommandHandler("admin", self.menu, filters=private),
            CommandHandler("timcauhoi", self.search, filters=private),
            CommandHandler("tatcauhoi", self.disable, filters=private),
            CommandHandler("batcauhoi", self.enable, filters=private),
            CommandHandler("choduyet", self.review, filters=private),
            CommandHandler("thongke", self.stats, filters=private),
            CommandHandler("huybo", self.cancel_outside, filters=private),
            CallbackQueryHandler(self.button, pattern=r"^a\|"),
        ]


def register(application: Any, kb: KnowledgeBase) -> AdminTools:
    """Add the admin tools to a python-telegram-bot application (ahead of the users')."""
    tools = AdminTools(kb)
    application.add_handler(TypeHandler(Update, tools.housekeeping), group=HOUSEKEEPING_GROUP)
    application.add_handlers(tools.handlers(), group=ADMIN_GROUP)
    return tools
