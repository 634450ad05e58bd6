"""Read the JSON Lines corpus format: one article per line.

Each line is ``{"law", "number", "year", "article", "title", "text"}``; ``text`` is the
article body with clauses on their own lines. Lines of one document share ``number``.
Metadata beyond the name, number and year comes from the catalog when it knows the number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from knowledge.documents.catalog import CatalogEntry
from knowledge.documents.errors import DocumentError
from knowledge.documents.metadata import DOC_TYPES
from knowledge.documents.parser import split_clauses
from knowledge.documents.readers import check_size
from knowledge.documents.structure import Article, DocumentMeta, LegalDocument

REQUIRED = ("law", "number", "article")
MAX_PROBLEMS_SHOWN = 5


def _doc_type(name: str) -> str:
    return next((t for t in DOC_TYPES if name.startswith(t)), "Luật")


def _field(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _meta(
    row: Mapping[str, Any], catalog: Mapping[str, CatalogEntry], source: str
) -> DocumentMeta:
    number = _field(row, "number")
    entry = catalog.get(number)
    if entry is not None:
        return entry.meta(source)
    year = row.get("year")
    return DocumentMeta(
        name=_field(row, "law"),
        number=number,
        doc_type=_doc_type(_field(row, "law")),
        year=year if isinstance(year, int) else None,
        source=source,
    )


def read_corpus(
    path: Path, catalog: Mapping[str, CatalogEntry], source: str | None = None
) -> list[LegalDocument]:
    """Documents of a JSON Lines corpus file, in order of first appearance."""
    check_size(path)
    problems: list[str] = []
    metas: dict[str, DocumentMeta] = {}
    articles: dict[str, list[Article]] = {}
    seen: set[tuple[str, str]] = set()
    label = source or path.name
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise DocumentError(path, f"not UTF-8 text (byte {exc.start})") from exc

    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {line_number}: not JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"line {line_number}: expected a JSON object")
            continue
        missing = [key for key in REQUIRED if not _field(row, key)]
        if missing:
            problems.append(f"line {line_number}: missing {', '.join(missing)}")
            continue
        number, article = _field(row, "number"), _field(row, "article")
        if (number, article) in seen:
            problems.append(f"line {line_number}: Điều {article} of {number} appears twice")
            continue
        seen.add((number, article))
        metas.setdefault(number, _meta(row, catalog, label))
        clauses = split_clauses(_field(row, "text"))
        title = _field(row, "title")
        articles.setdefault(number, []).append(Article(article, title, clauses))

    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > 5 else ""
        raise DocumentError(path, f"{len(problems)} problem(s): {shown}{more}")
    if not articles:
        raise DocumentError(path, "no articles found in the JSON Lines file")
    return [LegalDocument(metas[n], tuple(articles[n])) for n in articles]
