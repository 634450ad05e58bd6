"""Legal bases as officers type them, and the check that a cited document exists.

A citation is typed the way it is printed: ``Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 1``
or ``Điều 7 khoản 2 Nghị định 168/2024/NĐ-CP``; several are separated by ``;`` or new lines.
Spreadsheets may also use the exact form ``document | number | article | clause``.

A document is known when it is in the document base or in ``known_documents.yaml`` (the
decrees, circulars and laws the bundled FAQ cites whose text is not in the base). Citing any
other number is an error: it is almost always a typo, and an answer citing a non-existent
decree is worse than no answer. Citing an article that the document base shows does not exist
is an error too; citing a replaced document is a warning (entries flagged after a law changed
must still be exportable and importable while the officer rewrites them).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.content_schema import Source

KNOWN_DOCUMENTS_FILE = Path(__file__).with_name("known_documents.yaml")

_NUMBER_RE = re.compile(
    r"(?<![\w/])(\d{1,4}(?:/\d{4})?/[A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*|Hiến pháp(?: năm)? \d{4})",
    re.IGNORECASE,
)
_ARTICLE_RE = re.compile(r"\bđiều\s+(\d{1,4}[a-zđ]?)\b", re.IGNORECASE)
_CLAUSE_RE = re.compile(r"\bkhoản\s+(\d{1,3}[a-zđ]?)\b", re.IGNORECASE)
_SPLIT_RE = re.compile(r"[;\n]+")
_LEAD_RE = re.compile(r"^\s*(căn cứ|cơ sở pháp lý)\s*:?\s*", re.IGNORECASE)


class CitationError(ValueError):
    """A legal basis that cannot be read."""


@dataclass(frozen=True)
class Issue:
    """A problem with a citation, in English (for files and logs) and Vietnamese (for chat)."""

    message: str
    vi: str


@lru_cache(maxsize=1)
def bundled_known_documents() -> dict[str, str]:
    """Number to name of the documents in ``known_documents.yaml``."""
    raw = yaml.safe_load(KNOWN_DOCUMENTS_FILE.read_text(encoding="utf-8"))
    return {str(d["number"]): str(d["name"]) for d in raw["documents"]}


def number_key(number: str) -> str:
    """Comparison key of a document number: NFC, case and spacing ignored."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", number)).strip().casefold()


@dataclass
class CitationChecker:
    """What documents exist, their articles where the text is stored, and their status."""

    names: dict[str, str] = field(default_factory=dict)
    articles: dict[str, set[str]] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_key = {number_key(n): n for n in self.names}

    @classmethod
    async def load(cls, sessions: async_sessionmaker[AsyncSession]) -> CitationChecker:
        """The documents of the database's document base plus the bundled known list."""
        # Imported here: the document base is an optional part of the knowledge base.
        from knowledge.documents.models import LegalArticleRow, LegalDocumentRow

        names = dict(bundled_known_documents())
        articles: dict[str, set[str]] = {}
        status: dict[str, str] = {}
        async with sessions() as session:
            documents = (
                await session.execute(
                    select(
                        LegalDocumentRow.id,
                        LegalDocumentRow.number,
                        LegalDocumentRow.name,
                        LegalDocumentRow.status,
                    )
                )
            ).all()
            rows = (
                await session.execute(select(LegalArticleRow.document_id, LegalArticleRow.number))
            ).all()
        numbers = {}
        for document_id, number, name, state in documents:
            names[number] = name
            status[number] = state
            articles[number] = set()
            numbers[document_id] = number
        for document_id, article in rows:
            articles[numbers[document_id]].add(article)
        return cls(names, articles, status)

    def canonical(self, number: str) -> str | None:
        """The number as the document base or the known list writes it; None when unknown."""
        return self._by_key.get(number_key(number))

    def problems(self, source: Source) -> tuple[list[Issue], list[Issue]]:
        """(errors, warnings) about one source."""
        errors: list[Issue] = []
        warnings: list[Issue] = []
        number = self.canonical(source.number)
        if number is None:
            errors.append(
                Issue(
                    f"unknown document {source.number!r}: not in the document base nor in the "
                    "known documents; check the number, or import the document first",
                    f"không có văn bản số “{source.number}” trong cơ sở văn bản; hãy kiểm tra "
                    "lại số hiệu",
                )
            )
            return errors, warnings
        if number != source.number:
            errors.append(
                Issue(
                    f"document number should be written {number!r}",
                    f"số hiệu văn bản phải viết là “{number}”",
                )
            )
        articles = self.articles.get(number)
        if articles and source.article and source.article not in articles:
            errors.append(
                Issue(
                    f"{number} has no Điều {source.article} in the document base",
                    f"văn bản {number} không có Điều {source.article}",
                )
            )
        state = self.status.get(number)
        if state in ("replaced", "expired"):
            warnings.append(
                Issue(
                    f"{number} is {state}; the entry should cite what replaced it",
                    f"văn bản {number} đã "
                    + ("bị thay thế" if state == "replaced" else "hết hiệu lực")
                    + "; nên dẫn văn bản mới",
                )
            )
        return errors, warnings

    def parse(self, text: str) -> list[Source]:
        """Sources from typed citations, one per ``;`` or line; raises CitationError."""
        sources = []
        for part in _SPLIT_RE.split(_LEAD_RE.sub("", unicodedata.normalize("NFC", text))):
            part = part.strip().rstrip(".").strip()
            if part:
                sources.append(self.parse_one(part))
        if not sources:
            raise CitationError("no legal basis given")
        return sources

    def parse_one(self, text: str) -> Source:
        """One source from ``document | number | article | clause`` or a typed citation."""
        text = unicodedata.normalize("NFC", text)
        if "|" in text:
            return _from_columns(text)
        found = _NUMBER_RE.search(text)
        if found is None:
            raise CitationError(
                f"no document number in {text!r} (write e.g. 'Luật Giáo dục số 43/2019/QH14, "
                "Điều 83, khoản 1')"
            )
        typed = found.group(1)
        number = self.canonical(typed) or typed
        article = _ARTICLE_RE.search(text)
        clause = _CLAUSE_RE.search(text)
        name = self.names.get(number) or _name_before(text[: found.start()]) or number
        return _source(
            text,
            document=name,
            number=number,
            article=article.group(1) if article else None,
            clause=clause.group(1) if clause else None,
        )


def _name_before(text: str) -> str:
    """The document's name typed before its number, without articles, clauses and 'số'."""
    text = _CLAUSE_RE.sub("", _ARTICLE_RE.sub("", text))
    text = re.sub(r"\bsố\s*$", "", text.strip(" ,"), flags=re.IGNORECASE)
    return " ".join(text.replace(",", " ").split())


def _from_columns(text: str) -> Source:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 4 or len(parts) < 2 or not parts[0] or not parts[1]:
        raise CitationError(
            f"{text!r}: write 'document | number | article | clause' (article and clause "
            "may be left out)"
        )
    parts += [""] * (4 - len(parts))
    return _source(
        text, document=parts[0], number=parts[1], article=parts[2] or None, clause=parts[3] or None
    )


def _source(text: str, **fields: str | None) -> Source:
    try:
        return Source.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CitationError(f"{text[:80]!r}: {where}: {first['msg']}") from exc


def source_columns(source: Source) -> str:
    """The exact form of a source for spreadsheets: ``document | number | article | clause``."""
    parts = [source.document, source.number, source.article or "", source.clause or ""]
    while parts and not parts[-1]:
        parts.pop()
    return " | ".join(parts)


def basis_line(sources: list[Source]) -> str:
    """The ``Căn cứ:`` line an answer ends with."""
    return "Căn cứ: " + "; ".join(s.citation() for s in sources) + "."
