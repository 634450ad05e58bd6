"""Parse a Vietnamese legal text into Phần/Chương/Mục, Điều, Khoản and Điểm.

The parser works on logical lines (see :mod:`knowledge.documents.lines`). Headings are taken
only where the numbering makes sense: an ``Điều`` line without a separator (``Điều 5.``,
``Điều 5:``, ``Điều 5 .``) is a heading only when it is the next article number, and a line
starting ``3.`` opens a clause only when clause 3 is due, so a sentence that happens to start
with a number or with ``Điều 12 của Luật này`` stays text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from knowledge.documents.lines import CLAUSE_RE, is_caps, logical_lines
from knowledge.documents.structure import Article, Clause

logger = logging.getLogger(__name__)

PART_RE = re.compile(r"^(?i:phần)\s+((?i:thứ)\s+\w+|[IVXLCDM]+\b|\d+\b)\s*[.:\-–]?\s*(.*)$")
CHAPTER_RE = re.compile(r"^(?i:chương)\s+([IVXLCDM]+|\d+)\b\s*[.:\-–]?\s*(.*)$")
SECTION_RE = re.compile(r"^(?i:mục)\s+([IVXLCDM]+|\d+)\b\s*[.:\-–]?\s*(.*)$")
ARTICLE_RE = re.compile(r"^(?i:điều)\s+(\d+)([a-zđ]?)\s*([.:\-–])?\s*(.*)$")
CLOSING_RE = re.compile(
    r"^(?:(?:Luật|Bộ luật|Hiến pháp|Pháp lệnh|Nghị quyết|Nghị định|Thông tư)\s+này\s+"
    r"(?:đã\s+)?được\s.{0,160}?thông qua"
    r"|(?i:nơi nhận)\s*:"
    r"|(?:TM|KT|TL|Q)\.\s"
    r"|CHỦ TỊCH QUỐC HỘI$)"
)
# How many clause numbers may be missing before a numbered line stops counting as a clause.
CLAUSE_GAP = 2
MAX_HEADING_CHARS = 300


@dataclass
class ParsedBody:
    """Articles plus what came before the first heading and after the closing formula."""

    articles: list[Article]
    preamble: list[str]
    closing: list[str]
    warnings: list[str] = field(default_factory=list)


def _clause_due(number: str, last: str | None) -> bool:
    digits = int(re.match(r"\d+", number).group(0))  # type: ignore[union-attr]
    if last is None:
        return digits == 1 or (digits <= 1 + CLAUSE_GAP and not number[-1].isalpha())
    last_digits = int(re.match(r"\d+", last).group(0))  # type: ignore[union-attr]
    if number[-1].isalpha():
        # 2a follows 2 (or 2a, 2b …) in amended texts.
        return digits == last_digits
    return last_digits < digits <= last_digits + 1 + CLAUSE_GAP


class _ClauseGrouper:
    """Collects the paragraphs of one article into clauses."""

    def __init__(self) -> None:
        self.clauses: list[Clause] = []
        self._number: str | None = None
        self._lines: list[str] = []
        self._last: str | None = None

    def add(self, line: str) -> None:
        match = CLAUSE_RE.match(line)
        if match and _clause_due(match.group(1), self._last):
            self._flush()
            self._number = self._last = match.group(1)
            self._lines = [match.group(2)]
            return
        self._lines.append(line)

    def _flush(self) -> None:
        if self._lines:
            self.clauses.append(Clause(self._number, "\n".join(self._lines)))
        self._lines = []

    def finish(self) -> tuple[Clause, ...]:
        self._flush()
        return tuple(self.clauses)


def split_clauses(text: str) -> tuple[Clause, ...]:
    """Clauses of an article body given as plain text (clauses on their own lines)."""
    grouper = _ClauseGrouper()
    for line in logical_lines(text):
        if CLOSING_RE.match(line):
            break  # the adoption formula and signature that follow the last article
        grouper.add(line)
    return grouper.finish()


@dataclass
class _Divisions:
    part: str = ""
    chapter: str = ""
    section: str = ""
    pending: str | None = None  # the division whose title is on the next line


class _BodyParser:
    def __init__(self) -> None:
        self.body = ParsedBody([], [], [])
        self.divisions = _Divisions()
        self.article: tuple[str, str, _Divisions] | None = None
        self.grouper = _ClauseGrouper()
        self.last_article = 0
        self.closed = False

    def feed(self, line: str) -> None:
        if self.closed:
            self.body.closing.append(line)
            return
        if self.article is not None and CLOSING_RE.match(line):
            self._finish_article()
            self.closed = True
            self.body.closing.append(line)
            return
        if self._division_title(line) or self._division(line) or self._article(line):
            return
        if self.article is None:
            self.body.preamble.append(line)
        else:
            self.grouper.add(line)

    def _division_title(self, line: str) -> bool:
        pending, self.divisions.pending = self.divisions.pending, None
        if pending is None or not (is_caps(line) or len(line) <= MAX_HEADING_CHARS // 2):
            return False
        if ARTICLE_RE.match(line) or CLAUSE_RE.match(line):
            return False
        value = f"{getattr(self.divisions, pending)}. {line}"
        setattr(self.divisions, pending, value)
        return True

    def _division(self, line: str) -> bool:
        if len(line) > MAX_HEADING_CHARS:
            return False
        for name, pattern in (("part", PART_RE), ("chapter", CHAPTER_RE), ("section", SECTION_RE)):
            match = pattern.match(line)
            if match is None:
                continue
            label = {"part": "Phần", "chapter": "Chương", "section": "Mục"}[name]
            number, title = match.group(1), match.group(2).strip()
            value = f"{label} {number}" + (f". {title}" if title else "")
            if name == "part":
                self.divisions = _Divisions(part=value)
            elif name == "chapter":
                self.divisions = _Divisions(part=self.divisions.part, chapter=value)
            else:
                self.divisions.section = value
            self.divisions.pending = None if title else name
            return True
        return False

    def _article(self, line: str) -> bool:
        match = ARTICLE_RE.match(line)
        if match is None or len(line) > MAX_HEADING_CHARS:
            return False
        digits, suffix, separator, title = match.groups()
        number = int(digits)
        if not (separator or not title or number == self.last_article + 1):
            return False
        self._finish_article()
        self.last_article = number
        divisions = _Divisions(self.divisions.part, self.divisions.chapter, self.divisions.section)
        self.article = (f"{digits}{suffix}", title.strip().rstrip("."), divisions)
        return True

    def _finish_article(self) -> None:
        if self.article is None:
            return
        number, title, divisions = self.article
        clauses = self.grouper.finish()
        self.body.articles.append(
            Article(number, title, clauses, divisions.part, divisions.chapter, divisions.section)
        )
        self.article = None
        self.grouper = _ClauseGrouper()

    def finish(self) -> ParsedBody:
        self._finish_article()
        seen: set[str] = set()
        for article in self.body.articles:
            if article.number in seen:
                self.body.warnings.append(f"Điều {article.number} appears more than once")
            seen.add(article.number)
        return self.body


def parse_lines(lines: list[str]) -> ParsedBody:
    """Articles, preamble and closing lines of a document given as logical lines."""
    parser = _BodyParser()
    for line in lines:
        parser.feed(line)
    body = parser.finish()
    logger.debug(
        "Parsed %d articles (%d preamble, %d closing lines)",
        len(body.articles),
        len(body.preamble),
        len(body.closing),
    )
    return body


def parse_text(text: str) -> ParsedBody:
    """Articles, preamble and closing lines of a document given as raw text."""
    return parse_lines(logical_lines(text))
