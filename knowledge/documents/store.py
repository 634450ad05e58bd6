"""Documents in the database: bulk import in one transaction, listing, and loading for search."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.db.models import AuditLog
from knowledge.documents.errors import DocumentError
from knowledge.documents.models import LegalArticleRow, LegalClauseRow, LegalDocumentRow
from knowledge.documents.structure import (
    Article,
    Clause,
    DocumentMeta,
    LegalDocument,
    Status,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentSummary:
    """A stored document with its size, for listings."""

    meta: DocumentMeta
    articles: int
    clauses: int


def _meta(row: LegalDocumentRow) -> DocumentMeta:
    status: Status = row.status  # type: ignore[assignment]  # checked when written
    return DocumentMeta(
        name=row.name,
        number=row.number,
        doc_type=row.doc_type,
        issuer=row.issuer,
        year=row.year,
        issued=row.issued,
        effective=row.effective,
        status=status,
        changed_by=row.changed_by,
        change_effective=row.change_effective,
        status_label=row.status_label,
        source=row.source,
    )


def _document_values(meta: DocumentMeta, actor: str) -> dict[str, Any]:
    return {
        "number": meta.number,
        "name": meta.name,
        "doc_type": meta.doc_type,
        "issuer": meta.issuer,
        "year": meta.year,
        "issued": meta.issued,
        "effective": meta.effective,
        "status": meta.status,
        "changed_by": meta.changed_by,
        "change_effective": meta.change_effective,
        "status_label": meta.status_label,
        "source": meta.source[:300],
        "imported_by": actor,
    }


class DocumentStore:
    """Reads and writes documents; every write is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def count(self) -> int:
        """Number of stored documents."""
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count(LegalDocumentRow.id))) or 0)

    async def add(
        self, documents: Sequence[LegalDocument], actor: str, replace: bool = False
    ) -> None:
        """Store documents all together or not at all.

        A document whose number is already stored is refused unless ``replace`` is set, in
        which case the stored one is deleted in the same transaction.
        """
        numbers = [d.meta.number for d in documents]
        async with self.sessions() as session, session.begin():
            existing = set(
                (
                    await session.scalars(
                        select(LegalDocumentRow.number).where(LegalDocumentRow.number.in_(numbers))
                    )
                ).all()
            )
            if existing and not replace:
                first = next(d for d in documents if d.meta.number in existing)
                raise DocumentError(
                    first.meta.source or first.meta.number,
                    f"document {', '.join(sorted(existing))} is already in the document base; "
                    "use --replace to replace it",
                )
            if existing:
                await self._delete(session, sorted(existing))
            for document in documents:
                await self._insert(session, document, actor)
            session.add_all(
                AuditLog(
                    actor=actor,
                    action="document.replace" if d.meta.number in existing else "document.add",
                    target=d.meta.number,
                    after={"name": d.meta.name, "articles": len(d.articles)},
                )
                for d in documents
            )
        logger.info("Stored %d documents (%d replaced)", len(documents), len(existing))

    @staticmethod
    async def _delete(session: AsyncSession, numbers: list[str]) -> None:
        ids = select(LegalDocumentRow.id).where(LegalDocumentRow.number.in_(numbers))
        articles = select(LegalArticleRow.id).where(LegalArticleRow.document_id.in_(ids))
        await session.execute(
            delete(LegalClauseRow).where(LegalClauseRow.article_id.in_(articles))
        )
        await session.execute(delete(LegalArticleRow).where(LegalArticleRow.document_id.in_(ids)))
        await session.execute(delete(LegalDocumentRow).where(LegalDocumentRow.number.in_(numbers)))

    @staticmethod
    async def _insert(session: AsyncSession, document: LegalDocument, actor: str) -> None:
        document_id = await session.scalar(
            insert(LegalDocumentRow)
            .values(**_document_values(document.meta, actor))
            .returning(LegalDocumentRow.id)
        )
        if not document.articles:
            return
        article_ids = (
            await session.scalars(
                insert(LegalArticleRow).returning(
                    LegalArticleRow.id, sort_by_parameter_order=True
                ),
                [
                    {
                        "document_id": document_id,
                        "position": position,
                        "number": article.number,
                        "title": article.title,
                        "part": article.part,
                        "chapter": article.chapter,
                        "section": article.section,
                    }
                    for position, article in enumerate(document.articles)
                ],
            )
        ).all()
        clauses = [
            {"article_id": article_id, "position": position, "number": c.number, "text": c.text}
            for article_id, article in zip(article_ids, document.articles, strict=True)
            for position, c in enumerate(article.clauses)
        ]
        if clauses:
            await session.execute(insert(LegalClauseRow), clauses)

    async def summaries(self) -> list[DocumentSummary]:
        """Every stored document with its article and clause counts, by name."""
        articles = (
            select(LegalArticleRow.document_id, func.count(LegalArticleRow.id).label("n"))
            .group_by(LegalArticleRow.document_id)
            .subquery()
        )
        clauses = (
            select(LegalArticleRow.document_id, func.count(LegalClauseRow.id).label("n"))
            .join(LegalClauseRow, LegalClauseRow.article_id == LegalArticleRow.id)
            .where(LegalClauseRow.number.is_not(None))
            .group_by(LegalArticleRow.document_id)
            .subquery()
        )
        query = (
            select(LegalDocumentRow, articles.c.n, clauses.c.n)
            .outerjoin(articles, articles.c.document_id == LegalDocumentRow.id)
            .outerjoin(clauses, clauses.c.document_id == LegalDocumentRow.id)
            .order_by(LegalDocumentRow.name, LegalDocumentRow.number)
        )
        async with self.sessions() as session:
            rows = (await session.execute(query)).all()
        return [DocumentSummary(_meta(row), a or 0, c or 0) for row, a, c in rows]

    async def get(self, number: str) -> LegalDocument | None:
        """One document with its articles and clauses."""
        documents = await self._load(LegalDocumentRow.number == number)
        return documents[0] if documents else None

    async def all_documents(self) -> list[LegalDocument]:
        """Every document with its articles and clauses, in import order."""
        return await self._load(None)

    async def _load(self, where: Any) -> list[LegalDocument]:
        query = select(LegalDocumentRow).order_by(LegalDocumentRow.id)
        article_query = select(
            LegalArticleRow.id,
            LegalArticleRow.document_id,
            LegalArticleRow.number,
            LegalArticleRow.title,
            LegalArticleRow.part,
            LegalArticleRow.chapter,
            LegalArticleRow.section,
        ).order_by(LegalArticleRow.document_id, LegalArticleRow.position)
        clause_query = (
            select(LegalClauseRow.article_id, LegalClauseRow.number, LegalClauseRow.text)
            .join(LegalArticleRow, LegalArticleRow.id == LegalClauseRow.article_id)
            .order_by(LegalClauseRow.article_id, LegalClauseRow.position)
        )
        if where is not None:
            ids = select(LegalDocumentRow.id).where(where)
            query = query.where(where)
            article_query = article_query.where(LegalArticleRow.document_id.in_(ids))
            clause_query = clause_query.where(LegalArticleRow.document_id.in_(ids))
        async with self.sessions() as session:
            documents = (await session.scalars(query)).all()
            article_rows = (await session.execute(article_query)).all()
            clause_rows = (await session.execute(clause_query)).all()

        clauses: dict[int, list[Clause]] = {}
        for article_id, number, text in clause_rows:
            clauses.setdefault(article_id, []).append(Clause(number, text))
        articles: dict[int, list[Article]] = {}
        for article_id, document_id, number, title, part, chapter, section in article_rows:
            articles.setdefault(document_id, []).append(
                Article(number, title, tuple(clauses.get(article_id, ())), part, chapter, section)
            )
        return [LegalDocument(_meta(row), tuple(articles.get(row.id, ()))) for row in documents]

    async def set_status(
        self,
        number: str,
        status: Status,
        changed_by: str | None,
        change_effective: Any,
        label: str,
        actor: str,
    ) -> DocumentMeta | None:
        """Change the status of a stored document; None when the number is unknown."""
        async with self.sessions() as session, session.begin():
            row = await session.scalar(
                select(LegalDocumentRow).where(LegalDocumentRow.number == number)
            )
            if row is None:
                return None
            before = {"status": row.status, "changed_by": row.changed_by}
            row.status = status
            row.changed_by = changed_by
            row.change_effective = change_effective
            row.status_label = label
            session.add(
                AuditLog(
                    actor=actor,
                    action="document.status",
                    target=number,
                    before=before,
                    after={"status": status, "changed_by": changed_by},
                )
            )
            return _meta(row)
