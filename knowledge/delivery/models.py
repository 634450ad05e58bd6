"""Ledger tables: one broadcast per message, one delivery row per (broadcast, recipient)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db.models import Base, utcnow


class State(StrEnum):
    """Where one delivery row stands.

    ``pending`` waits for its turn (``next_attempt_at``); ``sending`` is claimed by a worker
    and in flight; the rest are final. ``uncertain`` is final only under at-most-once: the
    row was in flight when its worker died, and nobody can know whether it arrived.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNCERTAIN = "uncertain"


OPEN_STATES = (State.PENDING, State.SENDING)


class Origin(StrEnum):
    """Why a broadcast exists."""

    CHAT = "chat"
    CLI = "cli"
    SCHEDULE = "schedule"
    NOTIFY = "notify"
    REPORT = "report"


class Broadcast(Base):
    """One message to a target, with who asked for it and whether it is done."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(40), index=True)
    target_label: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    tip_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    origin: Mapped[str] = mapped_column(String(20))
    origin_note: Mapped[str] = mapped_column(String(200), default="")
    requested_channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    requested_chat: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_user: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # No foreign key: a deleted schedule leaves its past broadcasts in the report.
    schedule_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    schedule_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    total: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="sending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # A schedule run becomes exactly one broadcast, however many workers race for it.
    __table_args__ = (
        UniqueConstraint("schedule_id", "schedule_run_at"),
        Index("ix_broadcasts_requester", "requested_channel", "requested_user"),
    )


class Delivery(Base):
    """One recipient of one broadcast, and the state of that copy."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_kind: Mapped[str] = mapped_column(String(10), default="person")
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)
    state: Mapped[str] = mapped_column(String(10), default=State.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # In flight when a worker died or a send timed out: it may have arrived already.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)

    __table_args__ = (
        UniqueConstraint("broadcast_id", "channel", "chat_id"),
        Index("ix_deliveries_due", "state", "priority", "next_attempt_at"),
        Index("ix_deliveries_broadcast_state", "broadcast_id", "state"),
    )
