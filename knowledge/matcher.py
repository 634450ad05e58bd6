"""FAQ matching: lexical candidates, fuzzy re-ranking, and the answer/suggest/reject decision.

Stage one scores every phrasing of every active entry with BM25 over folded syllables and
syllable bigrams (after correcting unknown words to the nearest known syllable). Stage two
re-scores the phrasings of the best entries with a bounded similarity that fuses
IDF-weighted coverage in both directions with a rapidfuzz token ratio, so a score means the
same thing for every question and the thresholds can be fixed numbers on a 0-100 scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from rapidfuzz import fuzz

from knowledge.lexical import Bm25Params, LexicalIndex, terms

MatchStatus = Literal["answered", "suggest", "unanswered"]

# How many phrasings stage one hands to stage two. Large enough that a paraphrase whose
# best phrasing ranks low by BM25 still reaches the re-ranker, small enough to stay cheap.
CANDIDATE_PHRASINGS = 60
LONG_QUERY_WORDS = 18


@dataclass(frozen=True)
class Thresholds:
    """Score limits on the 0-100 scale."""

    answer: float = 62.0
    suggest: float = 42.0
    margin: float = 4.0
    max_suggestions: int = 3


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the re-ranking signals; they sum to one."""

    coverage: float = 0.8
    fuzzy: float = 0.2


@dataclass(frozen=True)
class IndexedEntry:
    """What the matcher needs to know of an FAQ entry."""

    id: str
    questions: Sequence[str]


@dataclass(frozen=True)
class Candidate:
    """An entry with its score and the phrasing that matched best."""

    entry_id: str
    score: float
    phrasing: str


@dataclass(frozen=True)
class MatchResult:
    """The decision for one question."""

    status: MatchStatus
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class _Phrasing:
    entry: int
    text: str
    key: str
    terms: frozenset[str]
    weight: float


class FaqMatcher:
    """Matches free text against the phrasings of the active FAQ entries."""

    def __init__(
        self,
        entries: Sequence[IndexedEntry],
        normalize: Callable[[str], str],
        thresholds: Thresholds | None = None,
        weights: FusionWeights | None = None,
        params: Bm25Params | None = None,
    ) -> None:
        """Build the index; entries without phrasings are skipped."""
        self.normalize = normalize
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or FusionWeights()
        self._entry_ids = [e.id for e in entries]

        documents: list[list[str]] = []
        owners: list[tuple[int, str]] = []
        for position, entry in enumerate(entries):
            for question in entry.questions:
                words = normalize(question).split()
                if words:
                    documents.append(words)
                    owners.append((position, question))
        self.index = LexicalIndex(documents, params or Bm25Params(k1=1.2, b=0.5))
        self._phrasings = [
            self._phrasing(entry, text, words)
            for (entry, text), words in zip(owners, documents, strict=True)
        ]
        self._doc_entry = np.array([p.entry for p in self._phrasings], dtype=np.int32)

    def _phrasing(self, entry: int, text: str, words: list[str]) -> _Phrasing:
        term_set = frozenset(terms(words))
        weight = sum(self.index.weight(t) for t in term_set)
        return _Phrasing(entry, text, " ".join(sorted(words)), term_set, weight)

    @property
    def size(self) -> int:
        """Number of indexed entries."""
        return len(self._entry_ids)

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """Entries ordered by fused score, best first."""
        words = self.normalize(text).split()
        if not words or not self._phrasings:
            return []
        words = self.index.correct(words)
        query_terms = set(terms(words))
        query_weight = sum(self.index.weight(t) for t in query_terms)
        query_key = " ".join(sorted(words))
        # Long stories carry many words that no phrasing has; judge them by how much of a
        # phrasing they contain rather than how much of them a phrasing explains.
        query_share = min(1.0, LONG_QUERY_WORDS / len(words)) * 0.5

        best: dict[int, tuple[float, str]] = {}
        for doc, _ in self.index.top(query_terms, CANDIDATE_PHRASINGS):
            phrasing = self._phrasings[doc]
            score = self._score(phrasing, query_terms, query_weight, query_key, query_share)
            current = best.get(phrasing.entry)
            if current is None or score > current[0]:
                best[phrasing.entry] = (score, phrasing.text)

        ranked = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
        return [
            Candidate(self._entry_ids[entry], round(score, 2), text)
            for entry, (score, text) in ranked
        ]

    def _score(
        self,
        phrasing: _Phrasing,
        query_terms: set[str],
        query_weight: float,
        query_key: str,
        query_share: float,
    ) -> float:
        shared = sum(self.index.weight(t) for t in query_terms & phrasing.terms)
        cover_query = shared / query_weight if query_weight else 0.0
        cover_phrasing = shared / phrasing.weight if phrasing.weight else 0.0
        if cover_query <= 0.0 or cover_phrasing <= 0.0:
            return 0.0
        coverage = math.exp(
            query_share * math.log(cover_query) + (1.0 - query_share) * math.log(cover_phrasing)
        )
        similarity = fuzz.token_sort_ratio(query_key, phrasing.key) / 100.0
        fused = self.weights.coverage * coverage + self.weights.fuzzy * similarity
        return 100.0 * fused

    def match(self, text: str) -> MatchResult:
        """Answer, suggest or reject, by the thresholds and the ambiguity margin."""
        limits = self.thresholds
        candidates = self.rank(text, limit=max(limits.max_suggestions, 2) + 1)
        if not candidates or candidates[0].score < limits.suggest:
            return MatchResult("unanswered", candidates)

        top = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        close = top.score - runner_up < limits.margin and runner_up >= limits.suggest
        if top.score >= limits.answer and not close:
            return MatchResult("answered", candidates)

        plausible = [c for c in candidates if c.score >= limits.suggest]
        return MatchResult("suggest", plausible[: limits.max_suggestions])
