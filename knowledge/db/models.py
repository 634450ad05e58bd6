"""Database tables of the core."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING)


class FaqEntry(Base):
    """A curated question-and-answer pair."""

    __tablename__ = "faq_entries"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    topic: Mapped[str] = mapped_column(String(10), index=True)
    audience: Mapped[str] = mapped_column(String(10))
    answer: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="active")
    review: Mapped[str] = mapped_column(String(20), default="ok")
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="system")

    questions: Mapped[list[FaqQuestion]] = relationship(
        back_populates="entry",
        order_by="FaqQuestion.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    sources: Mapped[list[FaqSource]] = relationship(
        back_populates="entry",
        order_by="FaqSource.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class FaqQuestion(Base):
    """One phrasing of an entry; position 0 is the main question."""

    __tablename__ = "faq_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(
        ForeignKey("faq_entries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    entry: Mapped[FaqEntry] = relationship(back_populates="questions")


class FaqSource(Base):
    """A legal basis of an entry: document, number, article and clause."""

    __tablename__ = "faq_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(
        ForeignKey("faq_entries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(100))
    article: Mapped[str | None] = mapped_column(String(20), nullable=True)
    clause: Mapped[str | None] = mapped_column(String(20), nullable=True)

    entry: Mapped[FaqEntry] = relationship(back_populates="sources")


class Unanswered(Base):
    """A question the bot could not answer, kept for the legal officer."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, index=False)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str] = mapped_column(String(20), default="no-match")
    best_entry_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    best_score: Mapped[float | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    answered_entry_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Who answered it, and when the asker was sent the answer (None: not yet; see curation).
    answered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_unanswered_status_created", "status", "created_at"),)


class QuestionLog(Base):
    """One asked question and what the bot did with it, for statistics.

    The question text itself is not kept here: statistics need the outcome, not the words.
    """

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    entry_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    topic: Mapped[str | None] = mapped_column(String(10), nullable=True)
    score: Mapped[float | None] = mapped_column(nullable=True)

    __table_args__ = (Index("ix_question_log_asked_at", "asked_at"),)


class Feedback(Base):
    """A 👍 or 👎 on an answer."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    question: Mapped[str] = mapped_column(Text, default="")
    vote: Mapped[int] = mapped_column(SmallInteger)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditLog(Base):
    """Who changed what and when, with the state before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
