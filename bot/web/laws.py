"""The document base as web pages see it: documents by URL slug, articles, clause anchors and
links from a citation to the exact clause."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from knowledge.documents.status import document_title, status_note
from knowledge.documents.structure import Article, Clause, LegalDocument
from knowledge.normalize import fold

logger = logging.getLogger(__name__)

# A lettered point as printed: ``a) …``, ``đ) …``, ``a1) …`` (the same shape the parser reads).
_POINT_RE = re.compile(r"^([a-zđ]\d?)\)")

STATUS_LABELS = {
    "in force": "Còn hiệu lực",
    "amended": "Đã được sửa đổi, bổ sung",
    "replaced": "Đã được thay thế",
    "expired": "Hết hiệu lực",
}
PENDING_LABELS = {
    "amended": "Còn hiệu lực, sắp được sửa đổi, bổ sung",
    "replaced": "Còn hiệu lực, sắp được thay thế",
}


def slugify(text: str) -> str:
    """A URL path segment: ``43/2019/QH14`` becomes ``43-2019-qh14``."""
    return "-".join(fold(text).split()) or "van-ban"


def article_anchor(number: str) -> str:
    """Anchor of an article in a document's table of contents: ``dieu-5a``."""
    return f"dieu-{slugify(number)}"


def clause_anchor(number: str) -> str:
    """Anchor of a clause on its article page: ``khoan-2``."""
    return f"khoan-{slugify(number)}"


def point_anchor(clause: str, letter: str) -> str:
    """Anchor of a point (điểm): ``khoan-2-diem-a``; ``đ`` becomes ``dd`` to stay apart
    from ``d``."""
    return f"{clause_anchor(clause)}-diem-{'dd' if letter.startswith('đ') else slugify(letter)}"


@dataclass(frozen=True)
class Division:
    """A run of articles under the same part, chapter and section, for tables of contents."""

    heading: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class LawPage:
    """One document with everything its pages show."""

    slug: str
    document: LegalDocument

    @property
    def title(self) -> str:
        """``Luật Giáo dục số 43/2019/QH14``."""
        return document_title(self.document.meta)

    def status_label(self, today: date | None = None) -> str:
        """The status in a few Vietnamese words, for a badge."""
        meta = self.document.meta
        when = meta.change_effective
        if meta.status in PENDING_LABELS and when is not None and when > (today or date.today()):
            return PENDING_LABELS[meta.status]
        return STATUS_LABELS[meta.status]

    def status_note(self, today: date | None = None) -> str:
        """The status sentence the chat shows too; empty for a document in force."""
        return status_note(self.document.meta, today)

    def divisions(self) -> list[Division]:
        """Articles grouped by consecutive part / chapter / section headings."""
        groups: list[Division] = []
        current: tuple[str, str, str] | None = None
        run: list[Article] = []
        for article in self.document.articles:
            key = (article.part, article.chapter, article.section)
            if key != current and run:
                groups.append(Division(_heading(current), tuple(run)))
                run = []
            current = key
            run.append(article)
        if run:
            groups.append(Division(_heading(current), tuple(run)))
        return groups

    def article(self, number: str) -> tuple[Article, Article | None, Article | None] | None:
        """An article with the one before and after it, or None."""
        articles = self.document.articles
        for position, article in enumerate(articles):
            if article.number == number:
                before = articles[position - 1] if position > 0 else None
                after = articles[position + 1] if position + 1 < len(articles) else None
                return article, before, after
        return None


def _heading(key: tuple[str, str, str] | None) -> str:
    return " — ".join(part for part in key or () if part)


class LawLibrary:
    """Every stored document, addressable by slug and by number."""

    def __init__(self, documents: Sequence[LegalDocument]) -> None:
        self.pages: list[LawPage] = []
        self._by_slug: dict[str, LawPage] = {}
        self._by_number: dict[str, LawPage] = {}
        self._articles: dict[str, set[str]] = {}
        for document in sorted(documents, key=lambda d: (d.meta.name, d.meta.number)):
            slug = slugify(document.meta.number)
            while slug in self._by_slug:
                slug += "-1"
            page = LawPage(slug, document)
            self.pages.append(page)
            self._by_slug[slug] = page
            self._by_number[document.meta.number] = page
            self._articles[slug] = {a.number for a in document.articles}
        logger.debug("Law library: %d documents", len(self.pages))

    def __len__(self) -> int:
        return len(self.pages)

    def page(self, slug: str) -> LawPage | None:
        """A document by its URL slug."""
        return self._by_slug.get(slug)

    def by_number(self, number: str) -> LawPage | None:
        """A document by its number as cited (``43/2019/QH14``)."""
        return self._by_number.get(number)

    def link(self, source: Mapping[str, str | None]) -> str | None:
        """Path (without the school prefix) of what a citation points at, or None when the
        document or the article is not in the document base."""
        page = self._by_number.get(source.get("number") or "")
        if page is None:
            return None
        article = source.get("article")
        if not article:
            return f"/van-ban/{page.slug}"
        if article not in self._articles[page.slug]:
            return None
        clause = source.get("clause")
        anchor = f"#{clause_anchor(clause)}" if clause else ""
        return f"/van-ban/{page.slug}/dieu-{article}{anchor}"


def clause_points(clause: Clause) -> list[tuple[str, str, str | None]]:
    """The paragraphs of a clause as (text, kind, anchor): the lead, then points or further
    paragraphs; points carry their anchor."""
    lines = clause.lines
    if not lines:
        return []
    rows: list[tuple[str, str, str | None]] = [(lines[0], "lead", None)]
    for line in lines[1:]:
        match = _POINT_RE.match(line)
        if match is not None and clause.number is not None:
            rows.append((line, "point", point_anchor(clause.number, match.group(1))))
        else:
            rows.append((line, "para", None))
    return rows
