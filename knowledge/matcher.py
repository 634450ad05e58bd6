"""FAQ matching: lexical candidates, re-ranking, and the answer/suggest/reject decision.

Stage one scores the active entries with BM25 over folded syllables and syllable bigrams
(after correcting unknown words to the nearest known syllable), twice: against all of the
entry's phrasings taken as one document, and against its answer text, which carries the
words people use when they tell their story rather than ask the textbook question. Both
indexes are packed sparse indexes (``knowledge.lexical``); at tens of thousands of entries
stage one reads a bounded share of the postings (``RecallLimits``). Stage
two re-scores the best entries with bounded signals (the two BM25 scores divided by the
query's own weight, the IDF-weighted overlap with the single best phrasing, and a
rapidfuzz token ratio for typos) fused into one 0-100 score, so the thresholds are fixed
numbers that mean the same thing for every question.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.answer_kinds import asked, given
from knowledge.conditions import unmet_conditions
from knowledge.coverage import content_words, word_coverage
from knowledge.lexical import (
    Bm25Params,
    FloatArray,
    IdArray,
    IndexBuilder,
    SparseIndex,
    UnitArray,
    spans,
    terms,
)
from knowledge.scope import NO_SCOPE, ScopeFinder

logger = logging.getLogger(__name__)

MatchStatus = Literal["answered", "suggest", "unanswered"]

# How many entries stage one hands to stage two: measured candidate recall at 15 was 98 %
# on held-out phrasings, and re-ranking more costs time without changing the top.
CANDIDATE_ENTRIES = 15
# Stage one ranks by phrasings plus this share of the answer score.
ANSWER_SHARE_IN_RECALL = 0.8
# A question told as a story spreads its weight over words no entry uses, so its best score
# is lower for the same fit. From this many words on, entries are suggested from this share
# of the suggest threshold: on the dev paraphrases 13 such stories got their entry offered
# instead of "no answer" (the answer threshold is unchanged).
LONG_QUESTION_WORDS = 20
LONG_QUESTION_SUGGEST_SHARE = 0.8


@dataclass(frozen=True)
class Thresholds:
    """Score limits on the 0-100 scale."""

    answer: float = 40.0
    suggest: float = 25.0
    margin: float = 12.0
    max_suggestions: int = 3
    # Largest share (0-1) of the question's content weight that the entry may leave
    # unexplained and still be answered with (knowledge.coverage); 1 turns the check off.
    unexplained: float = 0.25


@dataclass(frozen=True)
class RecallLimits:
    """How much of the index stage one reads.

    Each index proposes its ``pool`` best entries by the question's rarer terms, reading at
    most ``budget`` postings; the ``exact`` best of the union by those partial scores are
    then scored with every term. Below ``exact`` entries sharing a term with the question,
    and ``budget`` postings, this is the same as scoring every entry. How often the top
    entry differs from exhaustive scoring at 20,000 entries is measured by
    bench/faq_matcher.py.
    """

    pool: int = 100
    budget: int = 10_000
    exact: int = 80


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
    # Why the best entry was only suggested: scope terms it never mentions (knowledge.scope),
    # figures its answer does not give (knowledge.answer_kinds), conditions it never speaks
    # to (knowledge.conditions) and question words it never uses (knowledge.coverage).
    out_of_scope: tuple[str, ...] = ()
    # Suggested only because a long question lowers the suggest threshold: the best score is
    # under the threshold itself.
    lenient: bool = False

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None


class FaqMatcher:
    """Matches free text against the active FAQ entries."""

    def __init__(
        self,
        entries: Sequence[IndexedEntry],
        normalize: Callable[[str], str],
        thresholds: Thresholds | None = None,
        weights: FusionWeights | None = None,
        params: Bm25Params | None = None,
        recall: RecallLimits | None = None,
        scope: ScopeFinder = NO_SCOPE,
        check_answer_kinds: bool = True,
    ) -> None:
        """Build the indexes; ``scope`` finds the narrowing words an answer must cover, and
        ``check_answer_kinds`` asks that an answer give the figure a question asks for."""
        self.normalize = normalize
        self.scope = scope
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or FusionWeights()
        self.recall = recall or RecallLimits()
        self._entry_ids = [e.id for e in entries]
        self._position = {entry_id: i for i, entry_id in enumerate(self._entry_ids)}
        params = params or Bm25Params(k1=1.2, b=0.75)

        # Unit i of both indexes is entry i: all its phrasings as one text, and its answer.
        questions = IndexBuilder()
        answers = IndexBuilder()
        phrasings = _PhrasingsBuilder()
        nothing: frozenset[int] = frozenset()
        self._scope_of: list[frozenset[int]] = []
        # Figures each answer gives (an amount, a duration, an age); None: no answer text.
        self._gives: list[frozenset[str] | None] = []
        for entry in entries:
            words: list[str] = []
            texts: list[list[str]] = []
            for text in entry.questions:
                phrasing = normalize(text).split()
                if phrasing:
                    phrasings.add(text, phrasing, questions.vocabulary)
                    words.extend(phrasing)
                    texts.append(phrasing)
            questions.add(words)
            answer = normalize(entry.answer).split()
            answers.add(answer)
            phrasings.end_entry()
            texts.append(answer)
            self._scope_of.append(scope.find_all(texts) if scope else nothing)
            known = answer and check_answer_kinds
            self._gives.append(given(" ".join(answer), entry.answer) if known else None)
        self.index = questions.build(params, forward=True)
        self.answers = answers.build(params, forward=True)
        self._phrasings = phrasings.build(self.index)

    @property
    def size(self) -> int:
        """Number of indexed entries."""
        return len(self._entry_ids)

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """Entries ordered by fused score, best first."""
        return self._rank(self._words(text), limit)

    def _words(self, text: str) -> list[str]:
        """The question's normalized words, unknown ones corrected to the nearest known."""
        return self.index.correct(self.normalize(text).split())

    def _rank(self, words: list[str], limit: int) -> list[Candidate]:
        """:meth:`rank` of a question's :meth:`_words`."""
        if not words or not self._entry_ids:
            return []
        distinct = len(set(terms(words)))
        by_questions = _Query(self.index, words, distinct)
        by_answer = _Query(self.answers, words, distinct)

        # Stage one: the best entries by either index, then both scores for each of them.
        pool = self._pool(by_questions, by_answer)
        phrasing_share = by_questions.scores(pool)
        answer_share = by_answer.scores(pool)
        recall = phrasing_share + ANSWER_SHARE_IN_RECALL * answer_share
        k = min(CANDIDATE_ENTRIES, len(pool))
        if not k:
            return []
        shortlist = np.argpartition(-recall, k - 1)[:k]

        shortlist = shortlist[recall[shortlist] > 0.0]
        entries = pool[shortlist].tolist()
        closest = self._phrasings.best(
            entries, by_questions.positions, by_questions.weight, " ".join(sorted(words))
        )
        w = self.weights
        scored: list[Candidate] = []
        for at, entry, (coverage, similarity, phrasing) in zip(
            shortlist.tolist(), entries, closest, strict=True
        ):
            fused = (
                w.phrasings * min(1.0, float(phrasing_share[at]))
                + w.answer * min(1.0, float(answer_share[at]))
                + w.coverage * coverage
                + w.fuzzy * similarity
            )
            scored.append(Candidate(self._entry_ids[entry], round(100.0 * fused, 2), phrasing))
        scored.sort(key=lambda c: -c.score)
        return scored[:limit]

    def _pool(self, by_questions: _Query, by_answer: _Query) -> UnitArray:
        """Entries worth scoring exactly: the best by either index's partial scores."""
        limits = self.recall
        from_questions, question_partial = by_questions.top(limits)
        from_answers, answer_partial = by_answer.top(limits)
        pool = np.union1d(from_questions, from_answers)
        if len(pool) <= limits.exact:
            return pool
        partial = np.zeros(len(pool), dtype=np.float32)
        partial[np.searchsorted(pool, from_questions)] += question_partial
        partial[np.searchsorted(pool, from_answers)] += ANSWER_SHARE_IN_RECALL * answer_partial
        keep = np.argpartition(-partial, limits.exact - 1)[: limits.exact]
        return pool[np.sort(keep)]

    def match(self, text: str) -> MatchResult:
        """Answer, suggest or reject, by the thresholds and the ambiguity margin."""
        limits = self.thresholds
        words = self._words(text)
        candidates = self._rank(words, limit=max(limits.max_suggestions, 2) + 1)
        suggest = limits.suggest
        if len(words) >= LONG_QUESTION_WORDS:
            suggest *= LONG_QUESTION_SUGGEST_SHARE
        if not candidates or candidates[0].score < suggest:
            return MatchResult("unanswered", candidates)

        top = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        # A clear winner is answered; two near-equal entries mean the question is ambiguous.
        close = top.score - runner_up < limits.margin
        unexplained: tuple[str, ...] = ()
        if top.score >= limits.answer and not close:
            unexplained = self._unexplained(words, top.entry_id)
            if not unexplained:
                return MatchResult("answered", candidates)

        plausible = [c for c in candidates if c.score >= suggest]
        lenient = top.score < limits.suggest
        return MatchResult("suggest", plausible[: limits.max_suggestions], unexplained, lenient)

    def _unexplained(self, words: list[str], entry_id: str) -> tuple[str, ...]:
        """What the question (its normalized words) asks about that the entry does not
        cover. Such a question is only suggested the entry."""
        position = self._position[entry_id]
        text_words = set(self.index.unit_words(position))
        text_words.update(self.answers.unit_words(position))
        names = coverage_gaps(
            self.scope,
            " ".join(words),
            self._scope_of[position],
            self._gives[position],
            text_words,
        )
        content = content_words(words)
        found = word_coverage(content, self.index.word_weights(content), text_words)
        if found.unexplained_share > self.thresholds.unexplained:
            names.append(f"ngoài câu trả lời: {', '.join(found.unexplained)}")
        if names:
            logger.debug("Not answering with %s: not covered %s", entry_id, names)
        return tuple(names)


def coverage_gaps(
    scope: ScopeFinder,
    key: str,
    covered: frozenset[int],
    gives: frozenset[str] | None,
    text_words: Collection[str] | None = None,
) -> list[str]:
    """What the normalized question ``key`` asks about that a text does not cover.

    In order: scope terms outside the text's ``covered`` labels (another country, group or
    thing), figures it asks for that are not in ``gives`` (an amount, a duration, an age;
    ``None``: no answer text to judge by), and words of its conditions ("nếu …") that are
    not among the text's words (``text_words``; ``None``: not checked).
    """
    names = scope.names(scope.find(key.split()) - covered) if scope else []
    if gives is not None:
        names += sorted(asked(key) - gives)
    if text_words is not None:
        names += [f"nếu … {word}" for word in unmet_conditions(key, text_words)]
    return names


class _Query:
    """A question's terms in one index: their postings and the question's total weight."""

    def __init__(self, index: SparseIndex, words: Sequence[str], distinct: int) -> None:
        self.index = index
        keys, _ = index.query_keys(words)
        self.positions, _ = index.lookup(keys)
        # Terms the index does not know weigh as much as its rarest term.
        unknown = distinct - len(self.positions)
        self.weight = float(index.idf[self.positions].sum()) + unknown * index.max_idf

    def top(self, limits: RecallLimits) -> tuple[UnitArray, FloatArray]:
        """The units with the best scores by the rarer terms (all terms when they are few),
        and those scores as a share of the question's weight."""
        units, scores, _ = self.index.reach(self.positions, limits.pool, limits.budget)
        return units, scores / self.weight

    def scores(self, units: UnitArray) -> FloatArray:
        """Scores of the given units (sorted), as a share of the question's own weight."""
        return self.index.score_units(self.positions, units) / self.weight


class _Phrasings:
    """Every phrasing's term positions in the question index, packed for vectorized overlap.

    Phrasings of entry ``e`` are ``first[e]:first[e + 1]``; the term positions of phrasing
    ``p`` are ``positions[offsets[p]:offsets[p + 1]]`` (distinct, sorted), with their IDF
    alongside.
    """

    def __init__(
        self,
        texts: list[str],
        keys: list[str],
        first: IdArray,
        offsets: IdArray,
        positions: IdArray,
        idf: FloatArray,
    ) -> None:
        self.texts = texts
        self.keys = keys
        self.first = first
        self.offsets = offsets
        self.positions = positions
        self.idf = idf
        self.weight = np.add.reduceat(idf, offsets[:-1]) if len(idf) else idf

    def best(
        self, entries: list[int], query: IdArray, query_weight: float, query_key: str
    ) -> list[tuple[float, float, str]]:
        """For each entry: overlap with its closest phrasing, its best token ratio, and the
        closest phrasing's text. One vectorized pass over all the entries' phrasings."""
        ranges = [(int(self.first[e]), int(self.first[e + 1])) for e in entries]
        if not ranges:
            return []
        phrasings = np.concatenate([np.arange(low, high) for low, high in ranges])
        at, heads = spans(self.offsets[phrasings], self.offsets[phrasings + 1])
        terms = self.positions[at]
        shared_idf = np.where(np.isin(terms, query), self.idf[at], np.float32(0.0))
        # Every phrasing has at least one term, so no segment is empty.
        shared = np.add.reduceat(shared_idf, heads) if len(heads) else shared_idf
        coverage = np.sqrt(shared / query_weight * shared / self.weight[phrasings])

        results: list[tuple[float, float, str]] = []
        done = 0
        for low, high in ranges:
            count = high - low
            if not count:
                results.append((0.0, 0.0, ""))
                continue
            mine = coverage[done : done + count]
            done += count
            best = int(np.argmax(mine))
            # Keys are words sorted at build time, so a plain ratio is the token-sort ratio.
            similar = process.extractOne(query_key, self.keys[low:high], scorer=fuzz.ratio)
            similarity = similar[1] / 100.0 if similar is not None else 0.0
            text = self.texts[low + best] if mine[best] > 0.0 else self.texts[low]
            results.append((float(mine[best]), similarity, text))
        return results


class _PhrasingsBuilder:
    """Collects phrasings entry by entry while the question index is being built."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.keys: list[str] = []
        self.first = array("q", [0])
        self.lengths = array("q")
        self.word_ids = array("q")

    def add(self, text: str, words: list[str], vocabulary: dict[str, int]) -> None:
        """One phrasing; ``vocabulary`` is the question index builder's (ids are stable)."""
        self.texts.append(text)
        self.keys.append(" ".join(sorted(words)))
        self.lengths.append(len(words))
        self.word_ids.extend([vocabulary.setdefault(w, len(vocabulary)) for w in words])

    def end_entry(self) -> None:
        """Close the current entry's run of phrasings."""
        self.first.append(len(self.texts))

    def build(self, index: SparseIndex) -> _Phrasings:
        """Term positions of every phrasing in the finished index."""
        ids = np.frombuffer(self.word_ids, dtype=np.int64)
        lengths = np.frombuffer(self.lengths, dtype=np.int64)
        owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        same = np.flatnonzero(owner[1:] == owner[:-1])
        keys = np.concatenate([ids, (ids[same] + 1) * index.span + ids[same + 1]])
        owners = np.concatenate([owner, owner[same]])
        positions, found = index.lookup(keys)
        # Every term of a phrasing is in the index built over the same words.
        assert bool(found.all())
        # One sort by (phrasing, position) groups each phrasing's terms; drop repeats.
        packed = np.unique(owners << 32 | positions)
        phrasing_of, positions = packed >> 32, packed & 0xFFFFFFFF
        offsets = np.searchsorted(phrasing_of, np.arange(len(lengths) + 1))
        idf = index.idf[positions]
        first = np.frombuffer(self.first, dtype=np.int64)
        return _Phrasings(self.texts, self.keys, first, offsets, positions, idf)
