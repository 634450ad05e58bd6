"""FAQ matching: lexical candidates, re-ranking, and the answer/suggest/reject decision.

Stage one scores every active entry with BM25 over folded syllables and syllable bigrams
(after correcting unknown words to the nearest known syllable), twice: against all of the
entry's phrasings taken as one document, and against its answer text, which carries the
words people use when they tell their story rather than ask the textbook question. Stage
two re-scores the best entries with bounded signals (the two BM25 scores divided by the
query's own weight, the IDF-weighted overlap with the single best phrasing, and a
rapidfuzz token ratio for typos) fused into one 0-100 score, so the thresholds are fixed
numbers that mean the same thing for every question.
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

# How many entries stage one hands to stage two: measured candidate recall at 15 was 98 %
# on held-out phrasings, and re-ranking more costs time without changing the top.
CANDIDATE_ENTRIES = 15
# Stage one ranks by phrasings plus this share of the answer score.
ANSWER_SHARE_IN_RECALL = 0.8


@dataclass(frozen=True)
class Thresholds:
    """Score limits on the 0-100 scale."""

    answer: float = 40.0
    suggest: float = 25.0
    margin: float = 12.0
    max_suggestions: int = 3


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the re-ranking signals; they sum to one."""

    phrasings: float = 0.3
    answer: float = 0.4
    coverage: float = 0.25
    fuzzy: float = 0.05


@dataclass(frozen=True)
class IndexedEntry:
    """What the matcher needs to know of an FAQ entry."""

    id: str
    questions: Sequence[str]
    answer: str = ""


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
    text: str
    key: str
    terms: frozenset[str]
    weight: float


class FaqMatcher:
    """Matches free text against the active FAQ entries."""

    def __init__(
        self,
        entries: Sequence[IndexedEntry],
        normalize: Callable[[str], str],
        thresholds: Thresholds | None = None,
        weights: FusionWeights | None = None,
        params: Bm25Params | None = None,
    ) -> None:
        """Build the indexes."""
        self.normalize = normalize
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or FusionWeights()
        self._entry_ids = [e.id for e in entries]
        params = params or Bm25Params(k1=1.2, b=0.75)

        keyed = [[(q, normalize(q).split()) for q in e.questions] for e in entries]
        self.index = LexicalIndex(
            [[w for _, words in phrasings for w in words] for phrasings in keyed], params
        )
        self.answers = LexicalIndex([normalize(e.answer).split() for e in entries], params)
        self._phrasings = [
            [self._phrasing(text, words) for text, words in phrasings if words]
            for phrasings in keyed
        ]

    def _phrasing(self, text: str, words: list[str]) -> _Phrasing:
        term_set = frozenset(terms(words))
        weight = sum(self.index.weight(t) for t in term_set)
        return _Phrasing(text, " ".join(sorted(words)), term_set, weight)

    @property
    def size(self) -> int:
        """Number of indexed entries."""
        return len(self._entry_ids)

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """Entries ordered by fused score, best first."""
        words = self.normalize(text).split()
        if not words or not self._entry_ids:
            return []
        words = self.index.correct(words)
        query_terms = set(terms(words))
        query_weight = sum(self.index.weight(t) for t in query_terms)
        answer_weight = sum(self.answers.weight(t) for t in query_terms)
        by_phrasings = self.index.scores(query_terms) / query_weight
        by_answer = self.answers.scores(query_terms) / answer_weight
        recall = by_phrasings + ANSWER_SHARE_IN_RECALL * by_answer

        k = min(CANDIDATE_ENTRIES, len(recall))
        shortlist = np.argpartition(-recall, k - 1)[:k]
        query_key = " ".join(sorted(words))
        scored: list[Candidate] = []
        for entry in shortlist:
            if recall[entry] <= 0.0:
                continue
            coverage, similarity, phrasing = self._best_phrasing(
                int(entry), query_terms, query_weight, query_key
            )
            w = self.weights
            fused = (
                w.phrasings * min(1.0, float(by_phrasings[entry]))
                + w.answer * min(1.0, float(by_answer[entry]))
                + w.coverage * coverage
                + w.fuzzy * similarity
            )
            scored.append(Candidate(self._entry_ids[entry], round(100.0 * fused, 2), phrasing))
        scored.sort(key=lambda c: -c.score)
        return scored[:limit]

    def _best_phrasing(
        self, entry: int, query_terms: set[str], query_weight: float, query_key: str
    ) -> tuple[float, float, str]:
        """Overlap with the entry's closest phrasing, its token ratio, and its text."""
        best_coverage = best_similarity = 0.0
        best_text = ""
        for phrasing in self._phrasings[entry]:
            shared = sum(self.index.weight(t) for t in query_terms & phrasing.terms)
            if shared > 0.0:
                coverage = math.sqrt(shared / query_weight * shared / phrasing.weight)
                if coverage > best_coverage:
                    best_coverage, best_text = coverage, phrasing.text
            similarity = fuzz.token_sort_ratio(query_key, phrasing.key) / 100.0
            best_similarity = max(best_similarity, similarity)
        return best_coverage, best_similarity, best_text or self._phrasings[entry][0].text

    def match(self, text: str) -> MatchResult:
        """Answer, suggest or reject, by the thresholds and the ambiguity margin."""
        limits = self.thresholds
        candidates = self.rank(text, limit=max(limits.max_suggestions, 2) + 1)
        if not candidates or candidates[0].score < limits.suggest:
            return MatchResult("unanswered", candidates)

        top = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        # A clear winner is answered; two near-equal entries mean the question is ambiguous.
        close = top.score - runner_up < limits.margin
        if top.score >= limits.answer and not close:
            return MatchResult("answered", candidates)

        plausible = [c for c in candidates if c.score >= limits.suggest]
        return MatchResult("suggest", plausible[: limits.max_suggestions])
