"""From extracted text to clean logical lines: Unicode repair and stray line breaks.

Text taken out of Word or PDF files is messy: decomposed or look-alike characters, page
numbers, sentences broken over several lines. The parser wants one paragraph per line, so this
module repairs characters and joins the pieces of a paragraph back together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Look-alikes found in Vietnamese files converted from old encodings: the Icelandic eth
# instead of đ, and invisible characters that break words.
_REPLACE = str.maketrans(
    {
        "\u00d0": "\u0110",  # Ð → Đ
        "\u00f0": "\u0111",  # ð → đ
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        "\t": " ",
        "\r": "\n",
        "\x0c": "\n",
    }
)
_NEEDS_REPLACE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _REPLACE) + "]")
_SPACES_RE = re.compile(r"[ \u2000-\u200a\u3000]+")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-–—]\s*\d{1,4}\s*[-–—]|(?i:trang)\s*\d{1,4}(?:\s*/\s*\d{1,4})?)$"
)

HEADING_RE = re.compile(
    r"^(?:(?i:phần)\s+(?:(?i:thứ)\s+\w+|[IVXLCDM]+\b|\d+\b)"
    r"|(?i:chương)\s+(?:[IVXLCDM]+|\d+)\b"
    r"|(?i:mục)\s+(?:[IVXLCDM]+|\d+)\b"
    r"|(?i:điều)\s+\d+[a-zđ]?\b)"
)
CLAUSE_RE = re.compile(r"^(\d{1,3}[a-zđ]?)\s*[.)](?!\d)\s*(\S.*)$")
POINT_RE = re.compile(r"^([a-zđ]\d?)\)\s*(\S.*)$")
TABLE_SEPARATOR = " | "

_TERMINAL = (".", ";", ":", "!", "?", "…", "”", '"')


def repair(text: str) -> str:
    """NFC, look-alike letters fixed, control characters dropped, spaces collapsed per line."""
    text = text.replace("\r\n", "\n")
    if _NEEDS_REPLACE_RE.search(text):
        text = text.translate(_REPLACE)
    text = unicodedata.normalize("NFC", text)
    if not text.replace("\n", "").isprintable():
        text = "".join(
            ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Co")
        )
    return "\n".join(_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))


def is_caps(line: str) -> bool:
    """Whether a line is written in capitals (a title such as ``NHỮNG QUY ĐỊNH CHUNG``)."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def starts_block(line: str) -> bool:
    """Whether a line begins a new element: a heading, clause, point, title or table row."""
    return bool(
        HEADING_RE.match(line)
        or CLAUSE_RE.match(line)
        or POINT_RE.match(line)
        or is_caps(line)
        or TABLE_SEPARATOR in line
    )


def _continues(previous: str, line: str, after_blank: bool) -> bool:
    """Whether ``line`` is the rest of the paragraph that ``previous`` began."""
    if starts_block(line) or TABLE_SEPARATOR in previous:
        return False
    lower_start = line[0].islower()
    if after_blank or HEADING_RE.match(previous) or is_caps(previous):
        # A heading is one line, and a blank line usually ends a paragraph: only an obvious
        # continuation (a lowercase start) is joined there.
        return lower_start
    return lower_start or not previous.endswith(_TERMINAL)


def logical_lines(text: str) -> list[str]:
    """Repaired text as paragraphs, one per line; blank lines and page numbers dropped."""
    return join_lines(repair(text).split("\n"))


def join_lines(lines: Iterable[str]) -> list[str]:
    """Join the lines of a paragraph that was broken over several lines."""
    out: list[str] = []
    after_blank = True
    for raw in lines:
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if _PAGE_NUMBER_RE.match(line):
            continue
        if out and _continues(out[-1], line, after_blank):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        after_blank = False
    return out
