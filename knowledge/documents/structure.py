"""The structure of a legal text: document, article (Điều), clause (Khoản), point (Điểm)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Status = Literal["in force", "amended", "replaced", "expired"]
STATUSES: tuple[Status, ...] = ("in force", "amended", "replaced", "expired")

_POINT_RE = re.compile(r"^([a-zđ]\d?)\)\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Point:
    """A lettered point (điểm) of a clause: ``a) …``."""

    letter: str
    text: str


@dataclass(frozen=True)
class Clause:
    """A numbered clause (khoản) of an article, or the unnumbered text before the first one.

    ``text`` holds the clause as printed, one paragraph per line: its lead sentence first, then
    its points (``a) …``) or further paragraphs.
    """

    number: str | None
    text: str

    @property
    def lines(self) -> list[str]:
        """Paragraphs of the clause, the lead first."""
        return [line for line in self.text.split("\n") if line.strip()]

    @property
    def points(self) -> list[Point]:
        """The lettered points of the clause, in order."""
        found: list[Point] = []
        for line in self.lines[1:]:
            match = _POINT_RE.match(line)
            if match:
                found.append(Point(match.group(1), match.group(2)))
        return found


@dataclass(frozen=True)
class Article:
    """An article (điều): number, title and clauses, with the divisions it belongs to."""

    number: str
    title: str
    clauses: tuple[Clause, ...]
    part: str = ""
    chapter: str = ""
    section: str = ""

    @property
    def text(self) -> str:
        """The body without the title, clauses separated by blank lines."""
        return "\n\n".join(c.text for c in self.clauses)

    @property
    def heading(self) -> str:
        """``Điều 5. Title`` as printed."""
        return f"Điều {self.number}. {self.title}" if self.title else f"Điều {self.number}"


@dataclass(frozen=True)
class DocumentMeta:
    """What a legal officer knows about a document besides its text."""

    name: str
    number: str
    doc_type: str = "Luật"
    issuer: str | None = None
    year: int | None = None
    issued: date | None = None
    effective: date | None = None
    status: Status = "in force"
    changed_by: str | None = None
    change_effective: date | None = None
    status_label: str = ""
    source: str = ""


@dataclass(frozen=True)
class LegalDocument:
    """A parsed or stored document: metadata and articles in order."""

    meta: DocumentMeta
    articles: tuple[Article, ...]

    @property
    def chapters(self) -> list[str]:
        """Distinct chapters, in order of appearance."""
        seen: dict[str, None] = {}
        for article in self.articles:
            if article.chapter:
                seen.setdefault(article.chapter, None)
        return list(seen)

    @property
    def clause_count(self) -> int:
        """Numbered clauses over all articles."""
        return sum(1 for a in self.articles for c in a.clauses if c.number is not None)
