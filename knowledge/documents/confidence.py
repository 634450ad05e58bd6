"""How sure the document base is that a clause answers a question, on a 0-100 scale.

The score is the IDF-weighted share of the question that the chosen unit contains, counting
syllables and adjacent syllable pairs, then damped when the matched weight is small (a
question of one or two common words proves little). Three details make it separate legal
questions from chat:

- question words (``là gì``, ``bao nhiêu``, ``không``) are left out: every question has them;
- a pair of question syllables that never occurs in the corpus still counts against the
  score (``phở bò`` is not a phrase of any law, even if ``pho`` and ``bo`` are syllables);
- when the question is written with diacritics, a syllable only counts if the clause has
  it with the same diacritics: folded, ``phở bò`` and ``phó bộ`` are the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from knowledge.lexical import SparseIndex
from knowledge.normalize import fold, fold_words

QUESTION_WORDS = (
    "dung hay sai",
    "nhu the nao",
    "the nao",
    "bao nhieu",
    "la gi",
    "o dau",
    "khi nao",
    "tai sao",
    "vi sao",
    "hay khong",
    "duoc khong",
    "co phai",
    "nhung gi",
    "nao",
    "gi",
    "sao",
    "khong",
    "chua",
    "nhi",
    "vay",
    "a",
    "ha",
)
_QUESTION_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(re.escape(q) for q in sorted(QUESTION_WORDS, key=len, reverse=True))
    + r")(?![a-z0-9])"
)
_WORD_RE = re.compile(r"[^\W_]+")
CORRECTED_CREDIT = 0.5


def accented_words(text: str) -> list[str]:
    """Lowercase words of a text with their diacritics kept."""
    return _WORD_RE.findall(unicodedata.normalize("NFC", text).lower())


def accent_forms(text: str) -> dict[str, set[str]]:
    """Folded word → the accented forms the text used for it (only words with diacritics)."""
    words = accented_words(text)
    if [fold(w) for w in words] != fold_words(text):
        return {}
    forms: dict[str, set[str]] = {}
    for word in words:
        folded = fold(word)
        if folded != word:
            forms.setdefault(folded, set()).add(word)
    return forms


def content_words(words: Sequence[str]) -> list[int]:
    """Positions of the words that are not question words."""
    text = " ".join(words)
    starts: list[int] = []
    position = 0
    for word in words:
        starts.append(position)
        position += len(word) + 1
    dropped: set[int] = set()
    for match in _QUESTION_RE.finditer(text):
        dropped.update(i for i, s in enumerate(starts) if match.start() <= s < match.end())
    return [i for i in range(len(words)) if i not in dropped]


# Syllables in this share of the rarest term's IDF or less (``có``, ``của``: in more than
# half of all clauses) say nothing about which clause a question is about.
COMMON_IDF_SHARE = 0.1


def content_keys(index: SparseIndex, words: Sequence[str]) -> set[int]:
    """Term keys of a question that say what it is about: its syllables and adjacent pairs
    without question words (``gì``, ``bao nhiêu``) and without syllables found nearly
    everywhere (``có``, ``của``)."""
    keep = content_words(words)
    ids = {i: index.vocabulary.get(words[i], -1) for i in keep}
    keys = {k for k in ids.values() if k >= 0}
    keys.update(
        (ids[i] + 1) * index.span + ids[i + 1]
        for i in keep
        if i + 1 in ids and ids[i] >= 0 and ids[i + 1] >= 0
    )
    ordered = np.array(sorted(keys), dtype=np.int64)
    terms, found = index.lookup(ordered)
    informative = index.idf[terms] > COMMON_IDF_SHARE * index.max_idf
    return set(ordered[found][informative].tolist())


class Confidence:
    """A question's evidence, computed once, scored against any unit."""

    def __init__(
        self,
        index: SparseIndex,
        words: Sequence[str],
        corrected: Sequence[bool],
        text: str,
        evidence: float,
    ) -> None:
        """``words`` as searched (after typo correction), ``text`` as the user typed it;
        ``evidence`` in units of the rarest term's IDF."""
        self.index = index
        self.evidence = evidence * index.max_idf
        self.forms = accent_forms(text)
        keep = content_words(words)
        self.words = [words[i] for i in keep]
        self.credit = [CORRECTED_CREDIT if corrected[i] else 1.0 for i in keep]
        self.ids = [index.vocabulary.get(w, -1) for w in self.words]
        ids = self.ids
        pairs = [(a + 1) * index.span + b for a, b in pairwise(ids) if a >= 0 and b >= 0]
        keys = np.array([i for i in ids if i >= 0] + pairs, dtype=np.int64)
        terms, found = index.lookup(keys)
        self.idf = dict(zip(keys[found].tolist(), index.idf[terms].tolist(), strict=True))
        self.word_weight = [self.idf.get(i, index.max_idf) for i in ids]

        # Pairs: (position, key or None, weight). A pair the corpus never uses weighs as
        # much as its rarer syllable, as evidence against the match.
        self.pairs: list[tuple[int, int | None, float]] = []
        for i in range(len(ids) - 1):
            if ids[i] < 0 or ids[i + 1] < 0:
                self.pairs.append((i, None, index.max_idf))
                continue
            key = (ids[i] + 1) * index.span + ids[i + 1]
            weight = self.idf.get(key)
            if weight is None:
                self.pairs.append((i, None, max(self.word_weight[i], self.word_weight[i + 1])))
            else:
                self.pairs.append((i, key, weight))
        self.total = sum(self.word_weight) + sum(weight for _, _, weight in self.pairs)

    def score(self, unit_words: Sequence[str], unit_text: str) -> float:
        """Confidence (0-100) that a unit, given by its indexed words and its text, answers."""
        if self.total <= 0.0:
            return 0.0
        unit_keys = self.index.key_set(unit_words)
        unit_forms = set(accented_words(unit_text)) if self.forms else set()

        ok = [
            i >= 0
            and i in unit_keys
            and (self.forms.get(w) is None or not self.forms[w].isdisjoint(unit_forms))
            for i, w in zip(self.ids, self.words, strict=True)
        ]
        matched = sum(
            weight * credit
            for weight, hit, credit in zip(self.word_weight, ok, self.credit, strict=True)
            if hit
        )
        matched += sum(
            weight
            for i, key, weight in self.pairs
            if key is not None and key in unit_keys and ok[i] and ok[i + 1]
        )
        coverage = matched / self.total
        return round(100.0 * coverage * min(1.0, matched / self.evidence), 2)
