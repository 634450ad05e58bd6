"""Telegram commands of subscriptions: members join and leave, teachers manage their classes,
legal officers broadcast. Each handler parses its command, calls
:class:`~knowledge.subscriptions.Subscriptions` and sends the Vietnamese result.

The handlers sit in group -1, ahead of the channel's catch-all "unknown command" handler,
and stop the update there once they have answered it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, filters

from bot.telegram.conversations import CHANNEL
from bot.telegram.handlers import Context, TelegramChannel
from knowledge import subscription_messages as smsg
from knowledge.audiences import Audience
from knowledge.subscriptions import (
    REFUSALS,
    Actor,
    Content,
    Subscriptions,
    describe_schedule,
    parse_content,
)
from knowledge.users import Permission, allows

logger = logging.getLogger(__name__)

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
GROUP = -1


def join_link(username: str, code: str, group: bool = False) -> str:
    """The deep link that joins ``code`` (``startgroup`` adds the bot to a group first)."""
    return f"https://t.me/{username}?{'startgroup' if group else 'start'}={code}"


def qr_png(link: str) -> bytes:
    """A printable QR code of ``link`` as PNG."""
    import segno

    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def _raw_args(update: Update) -> str:
    """Everything after the command, as typed (``context.args`` loses the spacing)."""
    message = update.message
    text = message.text if message is not None and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


class SubscriptionHandlers:
    """The commands, sharing the channel's flood control and sending."""

    def __init__(self, channel: TelegramChannel, subscriptions: Subscriptions) -> None:
        self.channel = channel
        self.subs = subscriptions

    def actor(self, update: Update) -> Actor:
        """Who sent the update, from which chat."""
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        return Actor(CHANNEL, str(user.id), str(chat.id), chat.type != chat.PRIVATE)

    def command(self, work: Callable[[Update, Context, Actor], Awaitable[str | None]]) -> Handler:
        """Wrap ``work``: flood control, refusals as text, and no further handlers."""

        async def handle(update: Update, context: Context) -> None:
            if await self.channel.admit(update, context):
                try:
                    text = await work(update, context, self.actor(update))
                except REFUSALS as exc:
                    text = str(exc)
                if text:
                    await self.channel.send_text(update, context, text)
            raise ApplicationHandlerStop

        return handle

    # Members --------------------------------------------------------------------------

    async def subscribe(self, update: Update, context: Context, actor: Actor) -> str:
        """/dangky [MÃ]: join, or list the chat's subscriptions."""
        code = _raw_args(update)
        if not code:
            return await self.subs.list_subscriptions(actor)
        return await self.subs.join(actor, code.split()[0][:64])

    async def leave(self, update: Update, context: Context, actor: Actor) -> str:
        """/huy SỐ."""
        return await self.subs.leave(actor, _raw_args(update)[:64])

    async def help(self, update: Update, context: Context, actor: Actor) -> str:
        """/help: the dialog's help, then the commands this person may use."""
        parts = [self.channel.dialog.help().text, smsg.HELP_MEMBER]
        role = await self.subs.role(actor)
        if allows(role, Permission.BROADCAST_OWN):
            parts.append(smsg.HELP_TEACHER)
        if allows(role, Permission.BROADCAST_ALL):
            parts.append(smsg.HELP_OFFICER)
        return "\n\n".join(parts)

    # Teachers -------------------------------------------------------------------------

    async def new_class(self, update: Update, context: Context, actor: Actor) -> str | None:
        """/lopmoi TÊN: register a class, answer with its links and a QR code to print."""
        audience = await self.subs.create_class(actor, _raw_args(update))
        await self._send_links(update, context, audience)
        return None

    async def _send_links(self, update: Update, context: Context, audience: Audience) -> None:
        username = context.bot.username or ""
        link = join_link(username, audience.code)
        text = smsg.CLASS_CREATED.format(
            name=audience.name,
            code=audience.code,
            link=link,
            group_link=join_link(username, audience.code, group=True),
        )
        await self.channel.send_text(update, context, text)
        chat = update.effective_chat
        assert chat is not None
        try:
            await context.bot.send_photo(
                chat.id, qr_png(link), caption=f"{audience.label}: {link}"
            )
        except TelegramError as exc:
            # The links above are enough; the picture is a convenience for printing.
            logger.warning("Could not send the QR code of %s: %s", audience.code, exc)

    async def class_link(self, update: Update, context: Context, actor: Actor) -> str | None:
        """/malop LỚP: the links and QR code of one of the teacher's classes again."""
        target = await self.subs.target(actor, _raw_args(update) or "-")
        audience = await self.subs.audiences.get(target.audience_id or 0)
        if audience is None:
            return smsg.NOT_YOUR_CLASS.format(name=_raw_args(update)[:40])
        await self._send_links(update, context, audience)
        return None

    async def my_classes(self, update: Update, context: Context, actor: Actor) -> str:
        """/lopcuatoi."""
        rows = await self.subs.classes(actor)
        if not rows:
            return smsg.NO_CLASSES
        lines = [smsg.CLASSES_HEADER]
        for audience, members, schedules in rows:
            lines.append(
                smsg.CLASS_LINE.format(
                    name=audience.name,
                    code=audience.code,
                    members=members,
                    schedules=schedules,
                )
            )
        return "\n".join(lines)

    async def send(self, update: Update, context: Context, actor: Actor) -> str:
        """/gui LỚP NỘI DUNG | meo [CHỦ-ĐỀ | MÃ-MẸO]."""
        target, _, rest = _raw_args(update).partition(" ")
        if not target or not rest.strip():
            await self.subs.require_teacher(actor)
            return smsg.SEND_USAGE
        _, reply = await self.subs.send_now(actor, target, parse_content(rest.strip()))
        return reply

    async def tip_topics(self, update: Update, context: Context, actor: Actor) -> str:
        """/meo: topics that have tips."""
        topics = await self.subs.tip_topics()
        lines = [smsg.TIP_TOPICS_HEADER]
        for code, count in topics:
            name = self.subs.kb.topic_name(code)
            lines.append(smsg.TIP_TOPIC_LINE.format(code=code, name=name, count=count))
        return "\n".join(lines)

    async def schedule(self, update: Update, context: Context, actor: Actor) -> str:
        """/lich: list; /lich LỚP LỊCH [CHỦ-ĐỀ]; /lich LỚP LỊCH | NỘI DUNG."""
        raw = _raw_args(update)
        if not raw:
            found = await self.subs.list_schedules(actor)
            if not found:
                return smsg.NO_SCHEDULES
            return "\n".join([smsg.SCHEDULES_HEADER, *(describe_schedule(s) for s in found)])

        left, bar, text = raw.partition("|")
        words = left.split()
        if len(words) < 2:
            await self.subs.require_teacher(actor)
            return smsg.SCHEDULE_USAGE
        target, spec_words = words[0], words[1:]
        content = Content(text=text) if bar else Content()
        if not bar and len(spec_words) > 1 and parse_content(f"meo {spec_words[-1]}").topic:
            content = Content(topic=spec_words.pop().upper())
        _, reply = await self.subs.schedule(actor, target, " ".join(spec_words), content)
        return reply

    def schedule_switch(self, action: str) -> Callable[[Update, Context, Actor], Awaitable[str]]:
        """/tamdung SỐ, /tieptuc SỐ and /xoalich SỐ."""

        async def switch(update: Update, context: Context, actor: Actor) -> str:
            raw = _raw_args(update).lstrip("#")
            if not raw.isdigit() or len(raw) > 9:
                await self.subs.require_teacher(actor)
                return smsg.SCHEDULE_ID_USAGE.format(command=f"/{action}")
            if action == "xoalich":
                return await self.subs.delete_schedule(actor, int(raw))
            return await self.subs.set_active(actor, int(raw), action == "tieptuc")

        return switch

    async def report(self, update: Update, context: Context, actor: Actor) -> str:
        """/baocao [SỐ]: delivery reports of what the actor sent."""
        raw = _raw_args(update).lstrip("#")
        if raw and (not raw.isdigit() or len(raw) > 9):
            await self.subs.require_teacher(actor)
            return smsg.REPORT_ID_USAGE
        reports = await self.subs.reports(actor, int(raw) if raw else None)
        if not reports:
            return smsg.NO_REPORTS
        return "\n\n".join(r.as_text() for r in reports)


def register(
    application: Application[Any, Any, Any, Any, Any, Any], channel: TelegramChannel
) -> None:
    """Add the subscription commands ahead of the channel's own handlers."""
    h = SubscriptionHandlers(channel, Subscriptions(channel.kb))
    message = filters.UpdateType.MESSAGE & ~filters.SenderChat.CHANNEL
    commands: dict[str | tuple[str, ...], Handler] = {
        ("help", "huongdan", "trogiup"): h.command(h.help),
        "dangky": h.command(h.subscribe),
        "huy": h.command(h.leave),
        "lopmoi": h.command(h.new_class),
        "malop": h.command(h.class_link),
        "lopcuatoi": h.command(h.my_classes),
        "gui": h.command(h.send),
        "meo": h.command(h.tip_topics),
        "lich": h.command(h.schedule),
        "tamdung": h.command(h.schedule_switch("tamdung")),
        "tieptuc": h.command(h.schedule_switch("tieptuc")),
        "xoalich": h.command(h.schedule_switch("xoalich")),
        "baocao": h.command(h.report),
    }
    application.add_handlers(
        [CommandHandler(names, handler, filters=message) for names, handler in commands.items()],
        group=GROUP,
    )
