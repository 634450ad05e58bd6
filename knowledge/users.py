"""Roles and permissions of the people who use the bot, stored per (channel, external id).

Four roles: the legal officer (``admin``), ``teacher``, ``staff`` and ``student``. Anyone
without a stored role is a student, who may ask questions and nothing more. The first admin
is granted from the command line (``legalbot-admin users grant``); from then on every grant
and revocation is audited, and every refused action is logged with who tried what.

Other modules check permissions through :class:`Roles`: ``await roles.require(channel,
external_id, Permission.FAQ_EDIT)`` raises :class:`PermissionDenied` (already logged and
audited) when the actor may not do it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db.models import AuditLog, Base, utcnow

logger = logging.getLogger(__name__)


class Role(StrEnum):
    """What a person is to the school."""

    ADMIN = "admin"
    TEACHER = "teacher"
    STAFF = "staff"
    STUDENT = "student"


class Permission(StrEnum):
    """Things only some roles may do."""

    FAQ_EDIT = "faq.edit"
    REVIEW = "review.answer"
    STATS = "stats.view"
    REPORT = "report.write"
    USERS = "users.manage"
    DOCUMENTS = "documents.status"
    # Broadcasting to any audience, or only to the classes and groups one owns (ownership is
    # checked by the subscriptions code, which knows who owns what).
    BROADCAST_ALL = "broadcast.all"
    BROADCAST_OWN = "broadcast.own"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.TEACHER: frozenset({Permission.BROADCAST_OWN}),
    Role.STAFF: frozenset(),
    Role.STUDENT: frozenset(),
}

# Label of the role in Vietnamese, for chat messages.
ROLE_NAMES = {
    Role.ADMIN: "cán bộ pháp chế (quản trị)",
    Role.TEACHER: "giáo viên",
    Role.STAFF: "cán bộ, nhân viên",
    Role.STUDENT: "học sinh",
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` may do what ``permission`` names."""
    return permission in PERMISSIONS[role]


def actor_name(channel: str, external_id: str) -> str:
    """How an actor is written in the audit log, e.g. ``telegram:4201``."""
    return f"{channel}:{external_id}"


class UserRole(Base):
    """A role granted to one person on one channel."""

    __tablename__ = "user_roles"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("channel", "external_id"),)


@dataclass(frozen=True)
class Grant:
    """A stored role, for listings."""

    channel: str
    external_id: str
    role: Role
    note: str
    granted_by: str
    granted_at: datetime


class PermissionDenied(Exception):
    """Raised when an actor may not do something; the refusal is already logged."""

    def __init__(self, actor: str, role: Role, needed: Permission | Role) -> None:
        super().__init__(f"{actor} ({role}) may not {needed}")
        self.actor = actor
        self.role = role
        self.needed = needed


class LastAdminError(Exception):
    """Raised instead of removing the only remaining admin."""


class Roles:
    """Reads, grants and checks roles; every change and every refusal is audited."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def role_of(self, channel: str, external_id: str) -> Role:
        """The person's role; students for anyone without a stored role."""
        query = select(UserRole.role).where(
            UserRole.channel == channel, UserRole.external_id == external_id
        )
        async with self._sessions() as session:
            stored = await session.scalar(query)
        return Role(stored) if stored is not None else Role.STUDENT

    async def require(
        self, channel: str, external_id: str, needed: Permission | Role, action: str = ""
    ) -> Role:
        """Return the actor's role, or raise PermissionDenied (logged and audited).

        ``needed`` is a permission, or a role the actor must have (admins pass every check).
        ``action`` says what was attempted, for the log.
        """
        role = await self.role_of(channel, external_id)
        if isinstance(needed, Permission):
            permitted = allows(role, needed)
        else:
            permitted = role in (needed, Role.ADMIN)
        if permitted:
            return role

        actor = actor_name(channel, external_id)
        logger.warning("Refused %s to %s (%s): needs %s", action or needed, actor, role, needed)
        async with self._sessions.begin() as session:
            session.add(
                AuditLog(
                    actor=actor,
                    action="permission.denied",
                    target=str(needed),
                    before=None,
                    after={"role": str(role), "attempted": action or str(needed)},
                )
            )
        raise PermissionDenied(actor, role, needed)

    async def grant(
        self, channel: str, external_id: str, role: Role, granted_by: str, note: str = ""
    ) -> Role | None:
        """Give a person a role (replacing any other); returns the role they had before."""
        async with self._sessions.begin() as session:
            row = await self._row(session, channel, external_id)
            before = Role(row.role) if row is not None else None
            if row is not None and before is Role.ADMIN and role is not Role.ADMIN:
                await self._keep_one_admin(session)
            if row is None:
                row = UserRole(channel=channel, external_id=external_id)
                session.add(row)
            row.role = role.value
            row.note = note[:200] if note else row.note or ""
            row.granted_by = granted_by
            row.granted_at = utcnow()
            session.add(
                AuditLog(
                    actor=granted_by,
                    action="role.grant",
                    target=actor_name(channel, external_id),
                    before={"role": before.value} if before else None,
                    after={"role": role.value, "note": row.note},
                )
            )
        logger.info(
            "Role %s granted to %s by %s", role, actor_name(channel, external_id), granted_by
        )
        return before

    async def revoke(self, channel: str, external_id: str, revoked_by: str) -> Role | None:
        """Take a person's role away (they become a student); returns the role they had.

        Raises LastAdminError rather than leave the bot without any admin.
        """
        async with self._sessions.begin() as session:
            row = await self._row(session, channel, external_id)
            if row is None:
                return None
            before = Role(row.role)
            if before is Role.ADMIN:
                await self._keep_one_admin(session)
            await session.delete(row)
            session.add(
                AuditLog(
                    actor=revoked_by,
                    action="role.revoke",
                    target=actor_name(channel, external_id),
                    before={"role": before.value, "note": row.note},
                    after=None,
                )
            )
        logger.info(
            "Role %s revoked from %s by %s", before, actor_name(channel, external_id), revoked_by
        )
        return before

    async def grants(self, role: Role | None = None) -> list[Grant]:
        """Every stored role (or those of one role), by channel and id."""
        query = select(UserRole).order_by(UserRole.role, UserRole.channel, UserRole.external_id)
        if role is not None:
            query = query.where(UserRole.role == role.value)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            Grant(r.channel, r.external_id, Role(r.role), r.note, r.granted_by, r.granted_at)
            for r in rows
        ]

    async def members(self, channel: str, role: Role) -> list[str]:
        """External ids of everyone with ``role`` on ``channel`` (e.g. whom to alert)."""
        query = select(UserRole.external_id).where(
            UserRole.channel == channel, UserRole.role == role.value
        )
        async with self._sessions() as session:
            return list((await session.scalars(query.order_by(UserRole.external_id))).all())

    @staticmethod
    async def _row(session: AsyncSession, channel: str, external_id: str) -> UserRole | None:
        query = select(UserRole).where(
            UserRole.channel == channel, UserRole.external_id == external_id
        )
        return (await session.scalars(query)).one_or_none()

    @staticmethod
    async def _keep_one_admin(session: AsyncSession) -> None:
        count = await session.scalar(
            select(func.count()).select_from(UserRole).where(UserRole.role == Role.ADMIN.value)
        )
        if (count or 0) <= 1:
            raise LastAdminError("this is the only admin; grant admin to someone else first")
