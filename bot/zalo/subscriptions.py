"""Subscription commands on Zalo, and joining by code.

The same commands as on Telegram, typed as text (Zalo has no command menu, deep links or
buttons): members join with ``/start MÃ``, ``/dangky MÃ`` or by sending the code alone, list
and leave; homeroom teachers and legal officers manage classes, send, schedule and read
delivery reports. Every call goes to :class:`~knowledge.subscriptions.Subscriptions`; its
refusals come back as their Vietnamese text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.zalo import messages as zmsg
from bot.zalo.conversations import CHANNEL
from bot.zalo.updates import Incoming
from knowledge import subscription_messages as smsg
from knowledge.audiences import CODE_ALPHABET, CODE_LENGTH, normalize_code
from knowledge.core import KnowledgeBase
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

# Arguments longer than this are cut before they reach the core (a code is 8 characters).
ARGUMENT_CHARS = 64


def looks_like_code(text: str) -> bool:
    """Whether a whole message has the shape of a join code (8 characters, no 0/O/1/I/L)."""
    code = normalize_code(text)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def actor_of(update: Incoming) -> Actor:
    """Who sent the event; Zalo bots talk in private chats only."""
    return Actor(CHANNEL, update.user_id, update.chat_id, in_group=False)


Command = Callable[[Actor, str], Awaitable[str]]


class ZaloSubscriptions:
    """The subscription commands, each taking the actor and what follows the command."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.subs = Subscriptions(kb)
        self.commands: dict[str, Command] = {
            "/dangky": self.subscribe,
            "/huy": self.leave,
            "/lopmoi": self.new_class,
            "/malop": self.class_code,
            "/lopcuatoi": self.my_classes,
            "/gui": self.send,
            "/meo": self.tip_topics,
            "/lich": self.schedule,
            "/tamdung": self._switch("tamdung"),
            "/tieptuc": self._switch("tieptuc"),
            "/xoalich": self._switch("xoalich"),
            "/baocao": self.report,
        }

    async def run(self, actor: Actor, command: str, argument: str) -> str:
        """Run one command; a refusal is answered with its reason."""
        try:
            return await self.commands[command](actor, argument.strip())
        except REFUSALS as exc:
            return str(exc)

    async def join(self, actor: Actor, code: str) -> str:
        """Join the audience behind ``code`` (``/start MÃ``, ``/dangky MÃ``)."""
        try:
            return await self.subs.join(actor, code.split()[0][:ARGUMENT_CHARS])
        except REFUSALS as exc:
            return str(exc)

    async def join_if_code(self, actor: Actor, text: str) -> str | None:
        """Join when the whole message is an existing code; None leaves it to the dialog."""
        if not looks_like_code(text) or await self.subs.audiences.by_code(text) is None:
            return None
        logger.debug("Join by a bare code from %s", actor.user_id)
        return await self.join(actor, text)

    async def help_parts(self, actor: Actor) -> list[str]:
        """The commands this person may use, after the dialog's own help."""
        parts = [smsg.HELP_MEMBER]
        role = await self.subs.role(actor)
        if allows(role, Permission.BROADCAST_OWN):
            parts.append(zmsg.HELP_TEACHER)
        if allows(role, Permission.BROADCAST_ALL):
            parts.append(smsg.HELP_OFFICER)
        return parts

    # Members --------------------------------------------------------------------------

    async def subscribe(self, actor: Actor, argument: str) -> str:
        """/dangky [MÃ]: join, or list the chat's subscriptions."""
        if not argument:
            return await self.subs.list_subscriptions(actor)
        return await self.subs.join(actor, argument.split()[0][:ARGUMENT_CHARS])

    async def leave(self, actor: Actor, argument: str) -> str:
        """/huy SỐ."""
        return await self.subs.leave(actor, argument[:ARGUMENT_CHARS])

    # Teachers -------------------------------------------------------------------------

    async def new_class(self, actor: Actor, argument: str) -> str:
        """/lopmoi TÊN: register a class and give its code to pass on."""
        audience = await self.subs.create_class(actor, argument)
        return zmsg.CLASS_CREATED.format(name=audience.name, code=audience.code)

    async def class_code(self, actor: Actor, argument: str) -> str:
        """/malop LỚP: the code of one of the teacher's classes again."""
        target = await self.subs.target(actor, argument or "-")
        audience = await self.subs.audiences.get(target.audience_id or 0)
        if audience is None:
            return smsg.NOT_YOUR_CLASS.format(name=argument[:40])
        return zmsg.CLASS_CODE.format(name=audience.name, code=audience.code)

    async def my_classes(self, actor: Actor, argument: str) -> str:
        """/lopcuatoi."""
        rows = await self.subs.classes(actor)
        if not rows:
            return smsg.NO_CLASSES
        lines = [smsg.CLASSES_HEADER]
        for audience, members, schedules in rows:
            lines.append(
                smsg.CLASS_LINE.format(
                    name=audience.name, code=audience.code, members=members, schedules=schedules
                )
            )
        return "\n".join(lines)

    async def send(self, actor: Actor, argument: str) -> str:
        """/gui LỚP NỘI DUNG | meo [CHỦ-ĐỀ | MÃ-MẸO]."""
        target, _, rest = argument.partition(" ")
        if not target or not rest.strip():
            await self.subs.require_teacher(actor)
            return smsg.SEND_USAGE
        _, reply = await self.subs.send_now(actor, target, parse_content(rest.strip()))
        return reply

    async def tip_topics(self, actor: Actor, argument: str) -> str:
        """/meo: topics that have tips."""
        lines = [smsg.TIP_TOPICS_HEADER]
        for code, count in await self.subs.tip_topics():
            name = self.subs.kb.topic_name(code)
            lines.append(smsg.TIP_TOPIC_LINE.format(code=code, name=name, count=count))
        return "\n".join(lines)

    async def schedule(self, actor: Actor, argument: str) -> str:
        """/lich: list; /lich LỚP LỊCH [CHỦ-ĐỀ]; /lich LỚP LỊCH | NỘI DUNG."""
        if not argument:
            found = await self.subs.list_schedules(actor)
            if not found:
                return smsg.NO_SCHEDULES
            return "\n".join([smsg.SCHEDULES_HEADER, *(describe_schedule(s) for s in found)])

        left, bar, text = argument.partition("|")
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

    def _switch(self, action: str) -> Command:
        """/tamdung SỐ, /tieptuc SỐ and /xoalich SỐ."""

        async def switch(actor: Actor, argument: str) -> str:
            number = argument.lstrip("#")
            if not number.isdecimal() or len(number) > 9:
                await self.subs.require_teacher(actor)
                return smsg.SCHEDULE_ID_USAGE.format(command=f"/{action}")
            if action == "xoalich":
                return await self.subs.delete_schedule(actor, int(number))
            return await self.subs.set_active(actor, int(number), action == "tieptuc")

        return switch

    async def report(self, actor: Actor, argument: str) -> str:
        """/baocao [SỐ]: delivery reports of what the actor sent, by channel."""
        number = argument.lstrip("#")
        if number and (not number.isdecimal() or len(number) > 9):
            await self.subs.require_teacher(actor)
            return smsg.REPORT_ID_USAGE
        reports = await self.subs.reports(actor, int(number) if number else None)
        if not reports:
            return smsg.NO_REPORTS
        return "\n\n".join(r.as_text() for r in reports)
