"""The part of an article to show: the matching clause, not a 3,000-character article."""

from __future__ import annotations

from knowledge.documents.structure import Article

MAX_EXCERPT_CHARS = 900
ELLIPSIS = "…"


def _fit(lines: list[str], limit: int = MAX_EXCERPT_CHARS) -> str:
    """Whole lines up to the limit (at least the first one), with an ellipsis when cut."""
    kept: list[str] = []
    used = 0
    for line in lines:
        if kept and used + len(line) > limit:
            kept.append(ELLIPSIS)
            break
        kept.append(line)
        used += len(line) + 1
    text = "\n".join(kept)
    if len(text) > limit + len(ELLIPSIS) + 1 and len(kept) == 1:
        text = text[:limit].rsplit(" ", 1)[0] + " " + ELLIPSIS
    return text


def _numbered(article: Article, start: int) -> list[str]:
    text = "\n".join(
        f"{c.number}. {c.text}" if c.number else c.text for c in article.clauses[start:]
    )
    return [line for line in text.split("\n") if line.strip()]


def excerpt(
    article: Article, clause_index: int, line_index: int, opening: bool = False
) -> tuple[str | None, str]:
    """Clause number (None when the excerpt is not one clause) and the text to show.

    A short clause is shown whole. A long one is shown as its lead sentence plus the point
    that matched. Text before clause 1 (``Người học có các quyền sau đây:``) means little
    alone, so it is shown with the clauses that follow, as far as they fit; so is the
    article's beginning when only its title matched the question (``opening``).
    """
    if clause_index < 0 or not article.clauses:
        return None, article.title
    if opening:
        return None, _fit(_numbered(article, 0))
    clause = article.clauses[clause_index]
    lines = clause.lines or [clause.text]
    if len(clause.text) <= MAX_EXCERPT_CHARS:
        if clause.number is None and clause_index + 1 < len(article.clauses):
            return None, _fit([*lines, *_numbered(article, clause_index + 1)])
        return clause.number, clause.text
    if 0 < line_index < len(lines):
        picked = [lines[0], lines[line_index]]
        if line_index > 1:
            picked.insert(1, ELLIPSIS)
        if line_index < len(lines) - 1:
            picked.append(ELLIPSIS)
        return clause.number, _fit(picked, MAX_EXCERPT_CHARS * 2)
    return clause.number, _fit(lines)
