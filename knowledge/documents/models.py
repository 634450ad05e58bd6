"""Tables of the document base: documents, their articles (điều) and clauses (khoản).

A citation points to a clause: document number, article number, clause number. Points
(điểm) stay inside their clause's text, one per line, as printed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db.models import Base, utcnow


class LegalDocumentRow(Base):
    """A legal document with the metadata a citation and a status note need."""

    __tablename__ = "legal_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    doc_type: Mapped[str] = mapped_column(String(50))
    issuer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    issued: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="in force")
    changed_by: Mapped[str | None] = mapped_column(String(300), nullable=True)
    change_effective: Mapped[date | None] = mapped_column(Date, nullable=True)
    status_label: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100), default="system")


class LegalArticleRow(Base):
    """An article (điều) of a document, with the divisions it belongs to."""

    __tablename__ = "legal_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("legal_documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    part: Mapped[str] = mapped_column(Text, default="")
    chapter: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("document_id", "number"),)


class LegalClauseRow(Base):
    """A clause (khoản) of an article; ``number`` is empty for the text before clause 1."""

    __tablename__ = "legal_clauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("legal_articles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    text: Mapped[str] = mapped_column(Text)
