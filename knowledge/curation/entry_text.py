"""Text helpers for entries as officers type them: tidy multi-line text, the answer's
legal-basis line, comparing phrasings, and making an id for a new entry."""

from __future__ import annotations

import re
import unicodedata

from knowledge.core import KnowledgeBase
from knowledge.normalize import clean, fold_words

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def multiline(text: str) -> str:
    """Typed text with its line breaks: NFC, no control characters, tidy blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def same_text(text: str) -> str:
    """Comparison key of two phrasings: case and spacing ignored, diacritics kept (a
    phrasing without diacritics is a phrasing of its own for the matcher)."""
    return " ".join(clean(text).casefold().split())


def split_basis(answer: str) -> tuple[str, str]:
    """(body, ``Căn cứ:`` line) of an answer; the line is empty when there is none."""
    lines = answer.rstrip().split("\n")
    if lines and lines[-1].startswith("Căn cứ:"):
        return "\n".join(lines[:-1]).rstrip(), lines[-1]
    return answer.strip(), ""


def new_entry_id(kb: KnowledgeBase, topic: str, question: str) -> str:
    """A free slug like ``t05-hut-thuoc-la-dien-tu-o-truong``."""
    words = [w for w in fold_words(question) if re.fullmatch(r"[a-z0-9]+", w)]
    stem = f"{topic.lower()}-" + "-".join(words[:7])
    stem = stem[:80].rstrip("-") if words else f"{topic.lower()}-cau-hoi"
    candidate, n = stem, 2
    while kb.entry(candidate) is not None:
        candidate, n = f"{stem}-{n}", n + 1
    return candidate
