"""Splitting long replies into messages that fit a chat platform's length limit."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

# Paragraphs first, then lines, then words; characters only as a last resort.
SEPARATORS = ("\n\n", "\n", " ")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram and Zalo count (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_to_fit(
    text: str,
    limit: int,
    measure: Callable[[str], int] = utf16_len,
    separators: Sequence[str] = SEPARATORS,
) -> list[str]:
    """Chunks of ``text`` whose ``measure`` is at most ``limit``, cut at the coarsest
    separator that works, packing as many pieces per chunk as fit."""
    if measure(text) <= limit:
        return [text]
    if not separators:
        return _hard_split(text, limit, measure)

    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current: str | None = None
    for part in text.split(separator):
        for piece in split_to_fit(part, limit, measure, finer):
            candidate = piece if current is None else current + separator + piece
            if measure(candidate) <= limit:
                current = candidate
            else:
                if current is not None:
                    chunks.append(current)
                current = piece
    if current is not None:
        chunks.append(current)
    return chunks


def _hard_split(text: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    chunks = []
    while text:
        size = _longest_prefix(text, limit, measure)
        # Never cut between a character and its combining marks.
        while 1 < size < len(text) and unicodedata.category(text[size]).startswith("M"):
            size -= 1
        chunks.append(text[:size])
        text = text[size:]
    return chunks


def _longest_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """The largest prefix length whose measure fits (at least one character).

    A binary search: measures grow with the prefix, and measuring is linear in its length,
    so stepping down one character at a time would be quadratic on a long unbroken text.
    """
    low, high = 1, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
