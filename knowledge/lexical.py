"""A sparse lexical index over folded syllables and syllable bigrams, scored BM25-style.

Shared by the FAQ matcher (documents are phrasings) and the document base (documents are
clauses). Postings are NumPy arrays so that scoring a query touches each posting list once in
C, which keeps a query well under a millisecond at a few hundred thousand documents.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


def terms(words: Sequence[str]) -> list[str]:
    """Syllables plus adjacent syllable pairs (``xe may`` → ``xe``, ``may``, ``xe_may``)."""
    pairs = [f"{a}_{b}" for a, b in pairwise(words)]
    return [*words, *pairs]


@dataclass(frozen=True)
class Bm25Params:
    """BM25 saturation (k1) and length normalization (b)."""

    k1: float = 1.2
    b: float = 0.75


class LexicalIndex:
    """Inverted index from terms to (document, BM25 weight) postings."""

    def __init__(self, documents: Sequence[Sequence[str]], params: Bm25Params | None = None):
        """Index documents given as lists of words (already normalized)."""
        self.params = params or Bm25Params()
        self.size = len(documents)
        doc_terms = [Counter(terms(words)) for words in documents]
        lengths = np.array([sum(c.values()) for c in doc_terms], dtype=np.float32)
        average = float(lengths.mean()) if self.size else 1.0

        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc, counts in enumerate(doc_terms):
            for term, tf in counts.items():
                postings[term].append((doc, tf))

        k1, b = self.params.k1, self.params.b
        self.idf: dict[str, float] = {}
        self._ids: dict[str, IntArray] = {}
        self._weights: dict[str, FloatArray] = {}
        for term, plist in postings.items():
            df = len(plist)
            idf = math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
            ids = np.fromiter((d for d, _ in plist), dtype=np.int32, count=df)
            tfs = np.fromiter((t for _, t in plist), dtype=np.float32, count=df)
            norm = k1 * (1.0 - b + b * lengths[ids] / average)
            self.idf[term] = idf
            self._ids[term] = ids
            self._weights[term] = (idf * tfs * (k1 + 1.0) / (tfs + norm)).astype(np.float32)

        self.vocabulary = sorted(t for t in self.idf if "_" not in t)
        self._vocabulary_set = frozenset(self.vocabulary)
        self.max_idf = math.log(1.0 + (self.size + 0.5) / 1.5) if self.size else 1.0

    def correct(self, words: Iterable[str]) -> list[str]:
        """Replace unknown words by the nearest known word within a small edit distance.

        Numbers and very short words are left alone: a one-letter change there is as likely
        to be a different word as a typo.
        """
        fixed: list[str] = []
        for word in words:
            if word in self._vocabulary_set or len(word) < 3 or not word.isalpha():
                fixed.append(word)
                continue
            limit = 1 if len(word) < 7 else 2
            best = process.extractOne(
                word, self.vocabulary, scorer=Levenshtein.distance, score_cutoff=limit
            )
            fixed.append(best[0] if best is not None else word)
        return fixed

    def scores(self, query_terms: Iterable[str]) -> FloatArray:
        """BM25 score of every document for the given query terms."""
        total = np.zeros(self.size, dtype=np.float32)
        for term in set(query_terms):
            ids = self._ids.get(term)
            if ids is not None:
                total[ids] += self._weights[term]
        return total

    def top(self, query_terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best documents with a positive score, best first."""
        total = self.scores(query_terms)
        if not self.size:
            return []
        k = min(k, self.size)
        best = np.argpartition(-total, k - 1)[:k]
        ranked = sorted(((int(d), float(total[d])) for d in best), key=lambda x: -x[1])
        return [(d, s) for d, s in ranked if s > 0.0]

    def weight(self, term: str) -> float:
        """IDF of a term; unknown terms weigh as much as the rarest known term."""
        return self.idf.get(term, self.max_idf)
