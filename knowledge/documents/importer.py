"""Turn files into documents ready to store, and describe what was found.

Reading and checking happen before anything is written: :func:`read_documents` either returns
every document of every given path, or raises a :class:`DocumentError` naming the first file
that cannot be imported. The store then writes them in one transaction.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.documents.catalog import CatalogEntry
from knowledge.documents.corpus import read_corpus
from knowledge.documents.errors import DocumentError
from knowledge.documents.metadata import read_metadata
from knowledge.documents.parser import parse_text
from knowledge.documents.readers import TEXT_SUFFIXES, read_document_text
from knowledge.documents.structure import DocumentMeta, LegalDocument, Status

logger = logging.getLogger(__name__)

MAX_ARTICLES = 5000
SUPPORTED = (*TEXT_SUFFIXES, ".docx", ".pdf", ".jsonl")


@dataclass(frozen=True)
class Overrides:
    """Metadata given on the command line; it wins over the text and the catalog."""

    name: str | None = None
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    status: Status | None = None
    changed_by: str | None = None

    def apply(self, meta: DocumentMeta) -> DocumentMeta:
        """``meta`` with every given override set."""
        changes = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        return dataclasses.replace(meta, **changes)


@dataclass(frozen=True)
class Preview:
    """What an import found in one document."""

    name: str
    number: str
    status: str
    chapters: int
    articles: int
    clauses: int
    first_article: str
    last_article: str
    source: str


def preview(document: LegalDocument) -> Preview:
    """Counts and first and last article headings of a document."""
    articles = document.articles
    return Preview(
        name=document.meta.name,
        number=document.meta.number,
        status=document.meta.status,
        chapters=len(document.chapters),
        articles=len(articles),
        clauses=document.clause_count,
        first_article=articles[0].heading if articles else "",
        last_article=articles[-1].heading if articles else "",
        source=document.meta.source,
    )


def document_from_text(
    text: str,
    source: Path,
    catalog: Mapping[str, CatalogEntry],
    overrides: Overrides | None = None,
) -> LegalDocument:
    """Parse the text of one document and settle its metadata."""
    overrides = overrides or Overrides()
    if not text.strip():
        raise DocumentError(source, "the file has no text")
    body = parse_text(text)
    if not body.articles:
        raise DocumentError(
            source, "no articles (lines such as 'Điều 1. …') found; is this a legal document?"
        )
    if len(body.articles) > MAX_ARTICLES:
        raise DocumentError(source, f"{len(body.articles)} articles (at most {MAX_ARTICLES})")
    if body.warnings:
        raise DocumentError(source, "; ".join(body.warnings) + " (check the numbering)")

    found = read_metadata(body.preamble, body.closing, body.articles)
    number = overrides.number or found.number
    if not number:
        raise DocumentError(source, "no document number found in the text; give it with --number")
    entry = catalog.get(number)
    if entry is not None:
        meta = entry.meta(source.name)
    else:
        name = overrides.name or found.name
        if not name:
            raise DocumentError(source, "no document name found in the text; give it with --name")
        meta = DocumentMeta(
            name=name,
            number=number,
            doc_type=found.doc_type or "Luật",
            issuer=found.issuer,
            year=found.year,
            issued=found.issued,
            effective=found.effective,
            source=source.name,
        )
    meta = overrides.apply(meta)
    logger.debug("Parsed %s: %s, %d articles", source, meta.number, len(body.articles))
    return LegalDocument(meta, tuple(body.articles))


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED)
        if not files:
            raise DocumentError(path, f"no {', '.join(SUPPORTED)} files in this folder")
        return files
    if not path.exists():
        raise DocumentError(path, "no such file")
    return [path]


def read_documents(
    paths: Sequence[Path],
    catalog: Mapping[str, CatalogEntry],
    overrides: Overrides | None = None,
) -> list[LegalDocument]:
    """Every document in the given files and folders; raise on the first bad file."""
    files = [f for path in paths for f in _files(path)]
    if overrides and (overrides.number or overrides.name) and len(files) > 1:
        raise DocumentError(files[0], "--number and --name apply to a single file only")
    documents: list[LegalDocument] = []
    for file in files:
        if file.suffix.lower() == ".jsonl":
            documents.extend(read_corpus(file, catalog))
        else:
            documents.append(
                document_from_text(read_document_text(file), file, catalog, overrides)
            )
    numbers = [d.meta.number for d in documents]
    twice = sorted({n for n in numbers if numbers.count(n) > 1})
    if twice:
        raise DocumentError(files[0], f"document {', '.join(twice)} is given more than once")
    return documents
