"""Audiences: the Department and its schools (units), classes, staff groups, and their members.

A member is a chat on a channel: a person's private chat, or a whole class group chat
registered as one recipient. People join with a join code (or the deep link that carries
it). Messages are addressed to a :class:`Target`: one audience with everything under it, a
role, or everyone.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from knowledge import subscription_messages as smsg
from knowledge.chat_users import ChatUser
from knowledge.db.models import Base, utcnow
from knowledge.normalize import clean
from knowledge.users import ROLE_NAMES, Role, UserRole

logger = logging.getLogger(__name__)

# Printed on paper and typed by hand: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
NAME_MAX = 100


class AudienceKind(StrEnum):
    """What an audience is."""

    UNIT = "unit"
    CLASS = "class"
    STAFF = "staff"


KIND_LABELS = {
    AudienceKind.UNIT: "đơn vị",
    AudienceKind.CLASS: "lớp",
    AudienceKind.STAFF: "nhóm cán bộ",
}


class ChatKind(StrEnum):
    """A member is a person's private chat or a group chat."""

    PERSON = "person"
    GROUP = "group"


class AudienceError(ValueError):
    """Refused; the message is Vietnamese, for whoever asked."""


class Audience(Base):
    """A unit, class or staff group, with the code that joins it."""

    __tablename__ = "audiences"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("audiences.id", ondelete="SET NULL"), nullable=True, index=True
    )
    owner_channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    owner_user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    grants_role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def label(self) -> str:
        """``lớp 10A1``."""
        return f"{KIND_LABELS[AudienceKind(self.kind)]} {self.name}"


class AudienceMember(Base):
    """A chat that receives an audience's messages; ``active`` is false once it left."""

    __tablename__ = "audience_members"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    audience_id: Mapped[int] = mapped_column(
        ForeignKey("audiences.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    chat_kind: Mapped[str] = mapped_column(String(10), default=ChatKind.PERSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("audience_id", "channel", "chat_id"),)


@dataclass(frozen=True)
class Recipient:
    """Where one copy of a message goes."""

    channel: str
    chat_id: str
    chat_kind: str = ChatKind.PERSON


@dataclass(frozen=True)
class Target:
    """Whom a message is for: ``aud:<id>``, ``role:<role>`` or ``all``."""

    key: str
    label: str
    audience_id: int | None = None
    role: Role | None = None

    @property
    def tip_audiences(self) -> tuple[str, ...]:
        """Which tips (by their ``audience`` field) suit this target."""
        if self.role in (Role.TEACHER, Role.STAFF, Role.ADMIN):
            return ("staff", "everyone")
        if self.role is Role.STUDENT:
            return ("students", "everyone")
        return ("students", "staff", "everyone") if self.audience_id else ("everyone",)


EVERYONE = Target("all", "tất cả người dùng")


def role_target(role: Role) -> Target:
    """Everyone holding ``role`` (students: everyone without another role who joined)."""
    return Target(f"role:{role}", f"mọi {ROLE_NAMES[role]}", role=role)


# A role granted by joining never replaces a more trusted one.
ROLE_RANK = {Role.STUDENT: 0, Role.STAFF: 1, Role.TEACHER: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class AudienceSummary:
    """An audience with its member count, for lists."""

    audience: Audience
    members: int
    parent_code: str | None


def new_code() -> str:
    """A fresh random join code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Codes are typed in any case."""
    return code.strip().upper()


class AudienceStore:
    """Creates audiences, joins and leaves them, and lists who is in them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self,
        kind: AudienceKind,
        name: str,
        actor: str,
        *,
        parent_code: str | None = None,
        parent_id: int | None = None,
        owner: tuple[str, str] | None = None,
        grants_role: Role | None = None,
        expires_at: datetime | None = None,
    ) -> Audience:
        """A new audience with a fresh join code; raises AudienceError on bad input."""
        name = clean(name)
        if not name:
            raise AudienceError(smsg.NAME_EMPTY)
        if len(name) > NAME_MAX:
            raise AudienceError(smsg.NAME_TOO_LONG.format(limit=NAME_MAX))
        if grants_role is not None and kind is not AudienceKind.STAFF:
            raise AudienceError(smsg.GRANT_ONLY_STAFF)

        async with self._sessions.begin() as session:
            if parent_code is not None:
                parent = await _by_code(session, parent_code)
                if parent is None:
                    raise AudienceError(smsg.UNKNOWN_CODE.format(code=parent_code))
                parent_id = parent.id
            if parent_id is not None:
                parent_row = await session.get(Audience, parent_id)
                if parent_row is None or parent_row.kind != AudienceKind.UNIT:
                    raise AudienceError(smsg.PARENT_NOT_UNIT)
            audience = Audience(
                code=new_code(),
                kind=kind,
                name=name,
                parent_id=parent_id,
                owner_channel=owner[0] if owner else None,
                owner_user_id=owner[1] if owner else None,
                grants_role=grants_role,
                code_expires_at=expires_at,
                created_by=actor,
            )
            session.add(audience)
        logger.info("Audience %s (%s %r) created by %s", audience.code, kind, name, actor)
        return audience

    async def by_code(self, code: str) -> Audience | None:
        """The audience with this join code, or None."""
        async with self._sessions() as session:
            return await _by_code(session, code)

    async def get(self, audience_id: int) -> Audience | None:
        """An audience by id."""
        async with self._sessions() as session:
            return await session.get(Audience, audience_id)

    async def join(
        self,
        code: str,
        recipient: Recipient,
        user_id: str | None,
        now: datetime,
    ) -> tuple[Audience, bool]:
        """Add the chat to the audience behind ``code``; returns (audience, newly joined).

        Raises AudienceError when the code is unknown or has expired.
        """
        async with self._sessions() as session:
            try:
                async with session.begin():
                    audience = await _by_code(session, code)
                    if audience is None:
                        raise AudienceError(smsg.UNKNOWN_CODE.format(code=code))
                    expires = audience.code_expires_at
                    if expires is not None and aware(expires) <= now:
                        raise AudienceError(smsg.EXPIRED_CODE.format(code=code))
                    fresh = await self._add_member(session, audience, recipient, user_id)
            except IntegrityError:
                # The same chat joined twice at the same moment: the other one won.
                logger.debug("Concurrent join of %s", recipient.chat_id)
                return await self._existing(code), False
        return audience, fresh

    async def _existing(self, code: str) -> Audience:
        audience = await self.by_code(code)
        assert audience is not None
        return audience

    @staticmethod
    async def _add_member(
        session: AsyncSession, audience: Audience, recipient: Recipient, user_id: str | None
    ) -> bool:
        query = select(AudienceMember).where(
            AudienceMember.audience_id == audience.id,
            AudienceMember.channel == recipient.channel,
            AudienceMember.chat_id == recipient.chat_id,
        )
        member = (await session.scalars(query)).one_or_none()
        if member is not None:
            fresh = not member.active
            member.active = True
            return fresh
        session.add(
            AudienceMember(
                audience_id=audience.id,
                channel=recipient.channel,
                chat_id=recipient.chat_id,
                user_id=user_id,
                chat_kind=recipient.chat_kind,
            )
        )
        return True

    async def add_members(self, audience_id: int, recipients: list[Recipient]) -> int:
        """Bulk-add chats (imports, benchmarks); returns how many were added."""
        rows = [
            {
                "audience_id": audience_id,
                "channel": r.channel,
                "chat_id": r.chat_id,
                "user_id": r.chat_id if r.chat_kind == ChatKind.PERSON else None,
                "chat_kind": r.chat_kind,
                "active": True,
                "joined_at": utcnow(),
            }
            for r in recipients
        ]
        async with self._sessions.begin() as session:
            if rows:
                await session.execute(insert(AudienceMember), rows)
        return len(rows)

    async def leave(self, audience_id: int, channel: str, chat_id: str) -> bool:
        """Stop the chat's subscription; False when it was not subscribed."""
        query = (
            update(AudienceMember)
            .where(
                AudienceMember.audience_id == audience_id,
                AudienceMember.channel == channel,
                AudienceMember.chat_id == chat_id,
                AudienceMember.active.is_(True),
            )
            .values(active=False)
        )
        async with self._sessions.begin() as session:
            done = await session.execute(query)
        return bool(getattr(done, "rowcount", 0))

    async def subscriptions(self, channel: str, chat_id: str) -> list[Audience]:
        """The audiences the chat receives, oldest subscription first."""
        query = (
            select(Audience)
            .join(AudienceMember, AudienceMember.audience_id == Audience.id)
            .where(
                AudienceMember.channel == channel,
                AudienceMember.chat_id == chat_id,
                AudienceMember.active.is_(True),
            )
            .order_by(AudienceMember.joined_at, AudienceMember.id)
        )
        async with self._sessions() as session:
            return list((await session.scalars(query)).all())

    async def owned(self, channel: str, user_id: str) -> list[Audience]:
        """Classes whose homeroom teacher is this user."""
        query = (
            select(Audience)
            .where(
                Audience.owner_channel == channel,
                Audience.owner_user_id == user_id,
                Audience.kind == AudienceKind.CLASS,
            )
            .order_by(Audience.id)
        )
        async with self._sessions() as session:
            return list((await session.scalars(query)).all())

    async def home_unit(self, channel: str, user_id: str) -> int | None:
        """The unit a staff member belongs to: the parent of their first staff group."""
        query = (
            select(Audience.parent_id, Audience.kind, Audience.id)
            .join(AudienceMember, AudienceMember.audience_id == Audience.id)
            .where(
                AudienceMember.channel == channel,
                AudienceMember.chat_id == user_id,
                AudienceMember.active.is_(True),
                Audience.kind.in_([AudienceKind.STAFF, AudienceKind.UNIT]),
            )
            .order_by(AudienceMember.id)
        )
        async with self._sessions() as session:
            for parent_id, kind, own_id in (await session.execute(query)).all():
                return own_id if kind == AudienceKind.UNIT else parent_id
        return None

    async def member_count(self, audience_id: int) -> int:
        """Active members of this audience itself (not of the ones below it)."""
        query = select(func.count()).where(
            AudienceMember.audience_id == audience_id, AudienceMember.active.is_(True)
        )
        async with self._sessions() as session:
            return int((await session.scalar(query)) or 0)

    async def summaries(self) -> list[AudienceSummary]:
        """Every audience with its active member count, by id."""
        counts = (
            select(AudienceMember.audience_id, func.count().label("n"))
            .where(AudienceMember.active.is_(True))
            .group_by(AudienceMember.audience_id)
            .subquery()
        )
        query = (
            select(Audience, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.audience_id == Audience.id)
            .order_by(Audience.id)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        codes = {a.id: a.code for a, _ in rows}
        return [
            AudienceSummary(a, int(n), codes.get(a.parent_id) if a.parent_id else None)
            for a, n in rows
        ]

    async def recipients(self, target: Target) -> list[Recipient]:
        """Every active chat the target reaches, once each, in a stable order."""
        async with self._sessions() as session:
            return await recipients_in(session, target)


async def _by_code(session: AsyncSession, code: str) -> Audience | None:
    query = select(Audience).where(Audience.code == normalize_code(code))
    return (await session.scalars(query)).one_or_none()


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _descendants(session: AsyncSession, root: int) -> list[int]:
    found, frontier = [root], [root]
    while frontier:
        query = select(Audience.id).where(Audience.parent_id.in_(frontier))
        frontier = [i for i in (await session.scalars(query)).all() if i not in found]
        found += frontier
    return found


async def recipients_in(session: AsyncSession, target: Target) -> list[Recipient]:
    """Resolve a target inside the caller's transaction (see AudienceStore.recipients)."""
    members = select(
        AudienceMember.channel, AudienceMember.chat_id, AudienceMember.chat_kind
    ).where(AudienceMember.active.is_(True))
    found: dict[tuple[str, str], str] = {}

    if target.audience_id is not None:
        ids = await _descendants(session, target.audience_id)
        query = members.where(AudienceMember.audience_id.in_(ids)).order_by(AudienceMember.id)
        for channel, chat_id, kind in (await session.execute(query)).all():
            found.setdefault((channel, chat_id), kind)
    elif target.role is not None:
        people = await _role_people(session, target.role)
        found.update(dict.fromkeys(people, ChatKind.PERSON.value))
    else:
        for channel, chat_id, kind in (await session.execute(members)).all():
            found.setdefault((channel, chat_id), kind)
        private = select(ChatUser.channel, ChatUser.chat_id).where(
            ChatUser.active.is_(True), ChatUser.chat_type == "private"
        )
        for channel, chat_id in (await session.execute(private)).all():
            found.setdefault((channel, chat_id), ChatKind.PERSON)
        holders = select(UserRole.channel, UserRole.external_id)
        for channel, user_id in (await session.execute(holders)).all():
            found.setdefault((channel, user_id), ChatKind.PERSON)
    return [Recipient(c, i, k) for (c, i), k in found.items()]


async def _role_people(session: AsyncSession, role: Role) -> list[tuple[str, str]]:
    roles = select(UserRole.channel, UserRole.external_id, UserRole.role)
    granted = {(c, u): r for c, u, r in (await session.execute(roles)).all()}
    if role is not Role.STUDENT:
        return sorted(k for k, r in granted.items() if r == role)
    # Students are the people in audiences (and private chats) without another role.
    people = select(AudienceMember.channel, AudienceMember.chat_id).where(
        AudienceMember.active.is_(True), AudienceMember.chat_kind == ChatKind.PERSON
    )
    private = select(ChatUser.channel, ChatUser.chat_id).where(
        ChatUser.active.is_(True), ChatUser.chat_type == "private"
    )
    seen: dict[tuple[str, str], None] = {}
    for query in (people, private):
        for channel, chat_id in (await session.execute(query)).all():
            if (channel, chat_id) not in granted:
                seen.setdefault((channel, chat_id), None)
    return list(seen)


async def deactivate_chats(session: AsyncSession, gone: list[tuple[str, str]]) -> None:
    """Mark chats that blocked the bot or removed it as inactive everywhere."""
    for channel, chat_id in gone:
        await session.execute(
            update(AudienceMember)
            .where(AudienceMember.channel == channel, AudienceMember.chat_id == chat_id)
            .values(active=False)
        )
        await session.execute(
            update(ChatUser)
            .where(ChatUser.channel == channel, ChatUser.chat_id == chat_id)
            .values(active=False)
        )


async def target_from_key(session: AsyncSession, key: str) -> Target | None:
    """Rebuild a stored target key (``aud:<id>``, ``role:<role>``, ``all``); None if gone."""
    if key == EVERYONE.key:
        return EVERYONE
    kind, _, value = key.partition(":")
    if kind == "role" and value in Role.__members__.values():
        return role_target(Role(value))
    if kind == "aud" and value.isdigit():
        audience = await session.get(Audience, int(value))
        if audience is not None:
            return audience_target(audience)
    return None


def audience_target(audience: Audience) -> Target:
    """The target of one audience and everything under it."""
    return Target(f"aud:{audience.id}", audience.label, audience_id=audience.id)
