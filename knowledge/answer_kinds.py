"""What kind of figure a question asks for, and whether a text gives one.

"Bán bia cho học sinh bị phạt bao nhiêu tiền?" asks for an amount. An entry whose answer
says the seller "can be fined" without an amount matches every word of it and still does
not answer it; the matcher then suggests the entry instead of answering with it. The checks
run on normalized text (folded, abbreviations expanded, "5tr" read as "5 trieu").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Spelled-out numbers that answers use for durations ("mười hai tháng", "hai năm").
_NUMBER_WORDS = r"(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|muoi hai|nua)"


@dataclass(frozen=True)
class AnswerKind:
    """A kind of figure: how questions ask for it and how answers give it."""

    name: str
    asked: re.Pattern[str]
    given: re.Pattern[str]


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


KINDS = (
    AnswerKind(
        "số tiền",
        _words(
            "bao nhieu tien|bao nhieu dong|bao nhieu trieu|bao nhieu nghin|phat bao nhieu"
            "|muc phat|het bao nhieu|ton bao nhieu|mat bao nhieu|phi bao nhieu|gia bao nhieu"
            "|nhieu tien|may trieu|may nghin|may tram nghin"
            # "lương tối thiểu vùng 1 là bao nhiêu": a money word, then "bao nhiêu".
            "|(?:luong|tien|phi|tro cap|muc huong|muc tham chieu|gia)"
            "(?: [a-z0-9]+){0,10} bao nhieu"
        ),
        # "tỷ" is normalized to "ti" (knowledge.normalize writes final i for y).
        _words(r"[0-9]+ (?:[0-9]+ )*(?:dong|nghin|ngan|trieu|ti)|mien phi|khong mat phi"),
    ),
    AnswerKind(
        "thời gian",
        # "xe máy năm 2020" folds to "xe may nam": not a question about years.
        _words(
            "bao lau|(?<!xe )may (?:ngay|thang|nam|tuan|tieng|gio)"
            "|bao nhieu (?:ngay|thang|nam|tuan|tieng|gio)"
        ),
        _words(rf"(?:[0-9]+|{_NUMBER_WORDS}) (?:ngay|thang|nam|tuan|tieng|gio|phut)"),
    ),
    AnswerKind(
        "độ tuổi",
        _words("bao nhieu tuoi|may tuoi"),
        _words(rf"(?:[0-9]+|{_NUMBER_WORDS}) tuoi"),
    ),
)


def asked(question: str) -> frozenset[str]:
    """Names of the figures a normalized question asks for."""
    return frozenset(kind.name for kind in KINDS if kind.asked.search(question))


# Folding drops "%"; a share ("100% mức lương") answers "how much money" too.
_PERCENT_RE = re.compile(r"[0-9]\s?%")


def given(text: str, raw: str = "") -> frozenset[str]:
    """Names of the figures a normalized text gives; ``raw`` is the text as written, for the
    signs that folding removes."""
    names = {kind.name for kind in KINDS if kind.given.search(text)}
    if _PERCENT_RE.search(raw):
        names.add("số tiền")
    return frozenset(names)
