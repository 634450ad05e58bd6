"""The conditions of a hypothetical question, and whether an answer speaks to them.

"Nếu người mượn xe gây tai nạn rồi bỏ trốn thì chủ xe có phải bồi thường không?" shares
almost every word with the entry on who pays when a borrowed vehicle causes an accident;
the entry says nothing about the driver running away, which is the whole point of the
question. When a condition ("nếu …", "giả sử …", "trường hợp …") has a content word that the
chosen text never uses, the text answers the general rule, not the case asked about; the bot
then suggests it instead of answering with it. The checks run on normalized text.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from knowledge.function_words import FUNCTION_WORDS

# Words that open a condition, longest first so "neu nhu" is one marker.
_MARKER_RE = re.compile(
    r"(?<![a-z0-9])(?:neu nhu|neu ma|neu|gia su|gia dinh la|trong truong hop|truong hop"
    r"|lo nhu|nho nhu|lo may|nho may)(?![a-z0-9])"
)
# "thì" closes a condition; a condition without one ends after this many words.
_CONDITION_WORDS = 10


def condition_words(question: str) -> list[str]:
    """Content words of the conditions of a normalized question, in order, without repeats."""
    words: list[str] = []
    for marker in _MARKER_RE.finditer(question):
        for word in question[marker.end() :].split()[:_CONDITION_WORDS]:
            if word == "thi":
                break
            if word not in FUNCTION_WORDS and word.isalpha() and word not in words:
                words.append(word)
    return words


def unmet_conditions(question: str, text_words: Collection[str]) -> list[str]:
    """Condition words of a normalized ``question`` that are not among ``text_words``, the
    words of the text that would answer it."""
    return [word for word in condition_words(question) if word not in text_words]
