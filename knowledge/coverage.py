"""How much of a question an answer speaks to, word by word.

A near miss shares most of its words with an entry and adds the one that matters: "Học sinh
trung cấp nghề có được miễn học phí không?" against the entry on fees for pupils of general
schools. The scope terms (``knowledge.scope``) name such words when the project has foreseen
them; this check needs no list. It weighs each content word of the question by its IDF in
the FAQ's phrasings and measures the share of that weight on words the entry never uses, in
any phrasing or in its answer. A large share means the question is about something the
entry does not talk about, so the entry is suggested rather than answered with.

Typos must not look like new words, so a word one edit away from a word of the entry counts
as used. That also forgives some real words one letter away from the entry's; on the dev
questions it still kept more right answers per near miss caught than forgiving only words
that were unknown as typed (docs/benchmarks.md). Function words, particles and digits are
left out; figures have a check of their own (``knowledge.answer_kinds``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.function_words import FUNCTION_WORDS

# Words shorter than this must match exactly: one edit turns "ho" into "hoc".
_TYPO_MIN_LENGTH = 4


@dataclass(frozen=True)
class Coverage:
    """The share of a question's content weight that a text leaves unexplained."""

    unexplained_share: float
    unexplained: tuple[str, ...]


def content_words(words: Sequence[str]) -> list[str]:
    """The distinct words of a normalized question that can carry its topic, in order."""
    return [w for w in dict.fromkeys(words) if w.isalpha() and w not in FUNCTION_WORDS]


def word_coverage(
    words: Sequence[str], weights: Sequence[float], text_words: Collection[str]
) -> Coverage:
    """How much of the question's ``words`` (each with its weight) ``text_words`` leave out.

    ``words`` are the question's :func:`content_words`; ``text_words`` are every word of the
    text (an entry's phrasings and answer).
    """
    total = sum(weights)
    if not words or total <= 0.0:
        return Coverage(0.0, ())

    spelled = list(text_words)
    missing: list[str] = []
    missing_weight = 0.0
    for word, weight in zip(words, weights, strict=True):
        if word in text_words or _near(word, spelled):
            continue
        missing.append(word)
        missing_weight += weight
    return Coverage(missing_weight / total, tuple(missing))


def _near(word: str, spelled: list[str]) -> bool:
    """Whether ``word`` is one edit from a word of ``spelled`` (a typo of it)."""
    if len(word) < _TYPO_MIN_LENGTH or not spelled:
        return False
    found = process.extractOne(word, spelled, scorer=Levenshtein.distance, score_cutoff=1)
    return found is not None
