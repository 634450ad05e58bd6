"""What members, homeroom teachers and legal officers do, with who may do what.

Channel-neutral: a chat front end parses its command and calls one method; the result is a
Vietnamese text (or a stored object the front end shows), and every refusal is one of
:data:`REFUSALS` carrying a Vietnamese message. Nothing is stored when a call is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from knowledge import subscription_messages as smsg
from knowledge.audiences import (
    EVERYONE,
    ROLE_RANK,
    Audience,
    AudienceError,
    AudienceKind,
    AudienceStore,
    ChatKind,
    Recipient,
    Target,
    audience_target,
    normalize_code,
    role_target,
)
from knowledge.core import KnowledgeBase
from knowledge.db.models import utcnow
from knowledge.delivery.ledger import Ledger, LedgerError, Requester
from knowledge.delivery.models import Broadcast, Origin
from knowledge.delivery.report import Report
from knowledge.delivery.settings import DeliverySettings
from knowledge.schedule_store import Schedule, ScheduleStore
from knowledge.schedules import ScheduleError, format_local, parse_schedule
from knowledge.tips_store import Tip, TipStore
from knowledge.users import ROLE_NAMES, Permission, PermissionDenied, Role, Roles, allows

logger = logging.getLogger(__name__)


class SubscriptionError(ValueError):
    """Refused; the message is Vietnamese."""


REFUSALS = (SubscriptionError, AudienceError, LedgerError, ScheduleError)

ROLE_WORDS = {
    "hocsinh": Role.STUDENT,
    "giaovien": Role.TEACHER,
    "canbo": Role.STAFF,
    "nhanvien": Role.STAFF,
    "phapche": Role.ADMIN,
}
EVERYONE_WORDS = ("tatca", "all", "moinguoi")
TIP_WORD = "meo"
_TOPIC_RE = re.compile(r"^[Tt]\d{2}$")
_TIP_ID_RE = re.compile(r"^tip-[a-z0-9-]+$")


@dataclass(frozen=True)
class Actor:
    """Who is asking, from which chat."""

    channel: str
    user_id: str
    chat_id: str
    in_group: bool = False

    @property
    def requester(self) -> Requester:
        """Where the delivery report goes: the person's private chat."""
        return Requester(self.channel, self.user_id, self.user_id)


@dataclass(frozen=True)
class Content:
    """What to send: a fixed text, or a tip (a given one, or the next by rotation)."""

    text: str | None = None
    tip_id: str | None = None
    topic: str | None = None


def parse_content(words: str) -> Content:
    """``meo``, ``meo T08``, ``meo tip-t08-01`` or any other text."""
    parts = words.split()
    if parts and parts[0].lower() == TIP_WORD and len(parts) <= 2:
        if len(parts) == 1:
            return Content()
        if _TOPIC_RE.match(parts[1]):
            return Content(topic=parts[1].upper())
        if _TIP_ID_RE.match(parts[1]):
            return Content(tip_id=parts[1])
    return Content(text=words)


class Subscriptions:
    """Joining, classes, sending, schedules and reports, with their permissions."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: DeliverySettings | None = None,
        *,
        ledger: Ledger | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.kb = kb
        self.settings = settings or DeliverySettings()
        self.audiences = AudienceStore(kb.sessions)
        self.roles = Roles(kb.sessions)
        self.tips = TipStore(kb.sessions)
        self.ledger = ledger or Ledger(kb.sessions, kb.engine.dialect.name)
        self.schedules = ScheduleStore(kb.sessions, self.ledger)
        self._now = now

    # Members --------------------------------------------------------------------------

    async def join(self, actor: Actor, code: str) -> str:
        """Join by code: the person, or (teachers, officers) the whole group chat."""
        if actor.in_group:
            audience = await self.audiences.by_code(code)
            if audience is None:
                raise AudienceError(smsg.UNKNOWN_CODE.format(code=code))
            if not await self._may_manage(actor, audience):
                raise SubscriptionError(smsg.GROUP_JOIN_REFUSED.format(code=audience.code))
            recipient = Recipient(actor.channel, actor.chat_id, ChatKind.GROUP)
            await self.audiences.join(code, recipient, None, self._now())
            return smsg.GROUP_JOINED.format(label=audience.label)

        recipient = Recipient(actor.channel, actor.chat_id, ChatKind.PERSON)
        audience, fresh = await self.audiences.join(code, recipient, actor.user_id, self._now())
        text = (smsg.JOINED if fresh else smsg.JOINED_AGAIN).format(label=audience.label)
        if audience.grants_role:
            role = await self._grant_by_join(actor, audience)
            text += "\n" + smsg.JOINED_ROLE.format(role=ROLE_NAMES[role])
        return text

    async def _grant_by_join(self, actor: Actor, audience: Audience) -> Role:
        assert audience.grants_role is not None
        granted = Role(audience.grants_role)
        current = await self.roles.role_of(actor.channel, actor.user_id)
        if ROLE_RANK[granted] <= ROLE_RANK[current]:
            return current
        note = f"joined {audience.label} ({audience.code})"
        await self.roles.grant(
            actor.channel, actor.user_id, granted, f"join:{audience.code}", note
        )
        return granted

    async def list_subscriptions(self, actor: Actor) -> str:
        """The chat's subscriptions, numbered for /huy."""
        found = await self.audiences.subscriptions(actor.channel, actor.chat_id)
        if not found:
            return smsg.NO_SUBSCRIPTIONS
        lines = [smsg.SUBSCRIPTIONS_HEADER]
        lines += [f"{i}. {a.label} (mã {a.code})" for i, a in enumerate(found, 1)]
        return "\n".join([*lines, smsg.SUBSCRIPTIONS_FOOTER])

    async def leave(self, actor: Actor, which: str) -> str:
        """Leave by number in the list, or by code."""
        which = which.strip()
        if not which:
            raise SubscriptionError(smsg.LEAVE_WHICH)
        found = await self.audiences.subscriptions(actor.channel, actor.chat_id)
        chosen: Audience | None
        if which.isdigit() and 1 <= int(which) <= len(found):
            chosen = found[int(which) - 1]
        else:
            chosen = next((a for a in found if a.code == normalize_code(which)), None)
        if chosen is None:
            raise SubscriptionError(smsg.LEAVE_UNKNOWN.format(which=which[:20]))
        if actor.in_group and not await self._may_manage(actor, chosen):
            raise SubscriptionError(smsg.TEACHERS_ONLY)
        await self.audiences.leave(chosen.id, actor.channel, actor.chat_id)
        return smsg.LEFT.format(label=chosen.label)

    # Teachers -------------------------------------------------------------------------

    async def role(self, actor: Actor) -> Role:
        """The actor's role."""
        return await self.roles.role_of(actor.channel, actor.user_id)

    async def require_teacher(self, actor: Actor, action: str = "teacher command") -> Role:
        """The actor's role if they may manage classes (teachers, officers), in private."""
        if actor.in_group:
            raise SubscriptionError(smsg.PRIVATE_ONLY)
        try:
            return await self.roles.require(
                actor.channel, actor.user_id, Permission.BROADCAST_OWN, action
            )
        except PermissionDenied as exc:
            raise SubscriptionError(smsg.TEACHERS_ONLY) from exc

    async def _may_manage(self, actor: Actor, audience: Audience) -> bool:
        role = await self.role(actor)
        if allows(role, Permission.BROADCAST_ALL):
            return True
        return (
            role is Role.TEACHER
            and audience.owner_channel == actor.channel
            and audience.owner_user_id == actor.user_id
        )

    async def create_class(self, actor: Actor, name: str) -> Audience:
        """Register a class the actor is homeroom teacher of."""
        await self.require_teacher(actor)
        name = name.strip()
        if not name:
            raise SubscriptionError(smsg.CLASS_USAGE)
        if len(name.split()) > 1:
            raise SubscriptionError(smsg.CLASS_NAME_SPACES)
        for existing in await self.audiences.owned(actor.channel, actor.user_id):
            if existing.name.lower() == name.lower():
                raise SubscriptionError(
                    smsg.CLASS_EXISTS.format(name=existing.name, code=existing.code)
                )
        unit = await self.audiences.home_unit(actor.channel, actor.user_id)
        return await self.audiences.create(
            AudienceKind.CLASS,
            name,
            f"{actor.channel}:{actor.user_id}",
            parent_id=unit,
            owner=(actor.channel, actor.user_id),
        )

    async def classes(self, actor: Actor) -> list[tuple[Audience, int, int]]:
        """The actor's classes with their member and schedule counts."""
        await self.require_teacher(actor)
        owned = await self.audiences.owned(actor.channel, actor.user_id)
        schedules = await self.schedules.find(audience_ids=[a.id for a in owned])
        return [
            (
                a,
                await self.audiences.member_count(a.id),
                sum(1 for s in schedules if s.audience_id == a.id and s.active),
            )
            for a in owned
        ]

    async def target(self, actor: Actor, name: str) -> Target:
        """Resolve what the actor typed to a target they may send to."""
        role = await self.require_teacher(actor)
        name = name.strip()
        owned = await self.audiences.owned(actor.channel, actor.user_id)
        for audience in owned:
            if name.lower() in (audience.name.lower(), audience.code.lower()):
                return audience_target(audience)
        if not allows(role, Permission.BROADCAST_ALL):
            raise SubscriptionError(smsg.NOT_YOUR_CLASS.format(name=name[:40]))
        return await resolve_target(self.audiences, name)

    async def _pick(self, target: Target, content: Content) -> tuple[str, str | None]:
        """The text to send and the tip it came from."""
        if content.text is not None:
            return content.text, None
        tip: Tip | None
        if content.tip_id is not None:
            tip = await self.tips.get(content.tip_id)
            if tip is None:
                raise SubscriptionError(smsg.UNKNOWN_TIP.format(tip_id=content.tip_id))
        else:
            tip = await self.tips.next_for(target, content.topic)
            if tip is None:
                topic = f" chủ đề {content.topic}" if content.topic else ""
                raise SubscriptionError(smsg.NO_TIP.format(topic=topic))
        return tip.text, tip.id

    async def send_now(self, actor: Actor, name: str, content: Content) -> tuple[Broadcast, str]:
        """Queue a message now; returns the broadcast and the confirmation text."""
        target = await self.target(actor, name)
        text, tip_id = await self._pick(target, content)
        origin_note = str(await self.role(actor))
        broadcast = await self.ledger.broadcast(
            target, text, Origin.CHAT, actor.requester, tip_id=tip_id, origin_note=origin_note
        )
        reply = smsg.QUEUED.format(id=broadcast.id, label=target.label, count=broadcast.total)
        quiet, now = self.settings.quiet, self._now()
        if quiet is not None and quiet.contains(now):
            at = format_local(quiet.ends_after(now))
            reply += "\n" + smsg.QUEUED_QUIET.format(quiet=quiet.label(), at=at)
        return broadcast, reply

    async def schedule(
        self, actor: Actor, name: str, spec: str, content: Content
    ) -> tuple[Schedule, str]:
        """Store a recurring (or one-off) message; returns it and the confirmation text."""
        target = await self.target(actor, name)
        now = self._now()
        recurrence = parse_schedule(spec, now)
        first = recurrence.next_after(now)
        assert first is not None
        quiet = self.settings.quiet
        if quiet is not None and quiet.contains(first):
            raise ScheduleError(
                smsg.SCHEDULE_IN_QUIET.format(at=format_local(first), quiet=quiet.label())
            )
        if content.tip_id is not None:
            raise SubscriptionError(smsg.SCHEDULE_USAGE)
        if content.text is None and await self.tips.next_for(target, content.topic) is None:
            topic = f" chủ đề {content.topic}" if content.topic else ""
            raise SubscriptionError(smsg.NO_TIP.format(topic=topic))
        schedule = await self.schedules.create(
            target, recurrence, now, actor.requester, topic=content.topic, text=content.text
        )
        reply = smsg.SCHEDULED.format(
            id=schedule.id,
            what=_what(schedule),
            label=target.label,
            when=recurrence.describe(),
            first=format_local(first),
        )
        return schedule, reply

    async def list_schedules(self, actor: Actor) -> list[Schedule]:
        """Schedules the actor may manage: of their classes (all of them for officers)."""
        role = await self.require_teacher(actor)
        if allows(role, Permission.BROADCAST_ALL):
            return await self.schedules.find()
        owned = await self.audiences.owned(actor.channel, actor.user_id)
        return await self.schedules.find(audience_ids=[a.id for a in owned])

    async def _own_schedule(self, actor: Actor, schedule_id: int) -> Schedule:
        mine = {s.id: s for s in await self.list_schedules(actor)}
        if schedule_id not in mine:
            raise SubscriptionError(smsg.UNKNOWN_SCHEDULE.format(id=schedule_id))
        return mine[schedule_id]

    async def set_active(self, actor: Actor, schedule_id: int, active: bool) -> str:
        """Pause or resume one of the actor's schedules."""
        await self._own_schedule(actor, schedule_id)
        schedule = await self.schedules.set_active(schedule_id, active, self._now())
        assert schedule is not None
        if not active:
            return smsg.PAUSED.format(id=schedule_id)
        assert schedule.next_run_at is not None
        return smsg.RESUMED.format(id=schedule_id, next=format_local(schedule.next_run_at))

    async def delete_schedule(self, actor: Actor, schedule_id: int) -> str:
        """Delete one of the actor's schedules."""
        await self._own_schedule(actor, schedule_id)
        await self.schedules.delete(schedule_id)
        return smsg.DELETED.format(id=schedule_id)

    async def reports(self, actor: Actor, broadcast_id: int | None = None) -> list[Report]:
        """Reports of what the actor sent (one, or the latest few)."""
        role = await self.require_teacher(actor)
        if broadcast_id is None:
            return await self.ledger.reports_by(actor.channel, actor.user_id)
        report = await self.ledger.report(broadcast_id)
        mine = {r.id for r in await self.ledger.reports_by(actor.channel, actor.user_id, 10_000)}
        if report is None or (
            not allows(role, Permission.BROADCAST_ALL) and report.id not in mine
        ):
            raise SubscriptionError(smsg.UNKNOWN_REPORT.format(id=broadcast_id))
        return [report]

    async def tip_topics(self) -> list[tuple[str, int]]:
        """Topic codes that have tips, with how many."""
        counts: dict[str, int] = {}
        for tip in await self.tips.all():
            counts[tip.topic] = counts.get(tip.topic, 0) + 1
        return sorted(counts.items())


async def resolve_target(audiences: AudienceStore, name: str) -> Target:
    """Any target by name: an audience code, ``tatca``/``all``, a role word or ``role:<role>``.

    Raises SubscriptionError naming what was not found.
    """
    name = name.strip()
    folded = name.lower().replace("-", "").replace("_", "")
    if folded in EVERYONE_WORDS:
        return EVERYONE
    if folded in ROLE_WORDS:
        return role_target(ROLE_WORDS[folded])
    if folded.startswith("role:") and folded[5:] in {r.value for r in Role}:
        return role_target(Role(folded[5:]))
    found = await audiences.by_code(name) if len(name) <= 16 else None
    if found is None:
        raise SubscriptionError(smsg.UNKNOWN_TARGET.format(name=name[:40]))
    return audience_target(found)


def _what(schedule: Schedule) -> str:
    if schedule.text is not None:
        return smsg.SCHEDULE_WHAT_TEXT
    if schedule.topic:
        return smsg.SCHEDULE_WHAT_TOPIC.format(topic=schedule.topic)
    return smsg.SCHEDULE_WHAT_TIP


def describe_schedule(schedule: Schedule) -> str:
    """One line of ``/lich``."""
    if schedule.active and schedule.next_run_at is not None:
        state = smsg.SCHEDULE_ACTIVE.format(next=format_local(schedule.next_run_at))
    elif schedule.next_run_at is None:
        state = smsg.SCHEDULE_DONE
    else:
        state = smsg.SCHEDULE_PAUSED
    return smsg.SCHEDULE_LINE.format(
        id=schedule.id,
        label=schedule.target_label,
        spec=schedule.spec,
        what=_what(schedule),
        state=state,
    )
