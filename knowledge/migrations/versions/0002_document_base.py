"""document base: legal documents, articles and clauses

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "legal_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("doc_type", sa.String(length=50), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("issued", sa.Date(), nullable=True),
        sa.Column("effective", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.String(length=300), nullable=True),
        sa.Column("change_effective", sa.Date(), nullable=True),
        sa.Column("status_label", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_legal_documents_number")),
    )
    op.create_table(
        "legal_articles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("chapter", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["legal_documents.id"],
            name=op.f("fk_legal_articles_document_id_legal_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_articles")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_legal_articles_document_id")),
    )
    op.create_index(
        op.f("ix_legal_articles_document_id"), "legal_articles", ["document_id"], unique=False
    )
    op.create_table(
        "legal_clauses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["legal_articles.id"],
            name=op.f("fk_legal_clauses_article_id_legal_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_clauses")),
    )
    op.create_index(
        op.f("ix_legal_clauses_article_id"), "legal_clauses", ["article_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_legal_clauses_article_id"), table_name="legal_clauses")
    op.drop_table("legal_clauses")
    op.drop_index(op.f("ix_legal_articles_document_id"), table_name="legal_articles")
    op.drop_table("legal_articles")
    op.drop_table("legal_documents")
