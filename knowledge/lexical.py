"""A sparse BM25 index over folded syllables and syllable bigrams, laid out for large corpora.

Shared by the FAQ matcher (a unit is an entry's phrasings, or its answer) and the document
base (a unit is a clause).

Terms are integers: a syllable is its vocabulary id, a bigram packs the ids of its two
syllables into one ``int64``. Postings live in three flat arrays (term offsets, unit ids,
precomputed BM25 weights), built with a single sort, so 100,000 articles index in seconds and
take a few hundred bytes of postings per clause.

A query scores exactly when its posting lists are short. When they are long, it first scores
the units reached by its rarest terms (within a posting budget), keeps the best candidates,
and adds the weights of the common terms to those candidates only, by binary search.
Common terms carry little IDF, so the ranking of the head barely changes while a query
touches a bounded number of postings.
"""

from __future__ import annotations

import logging
import math
import threading
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

logger = logging.getLogger(__name__)

# Elements per step of the build, to bound its temporary memory.
CHUNK = 1 << 22

FloatArray = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]
UnitArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Bm25Params:
    """BM25 saturation (k1) and length normalization (b)."""

    k1: float = 1.2
    b: float = 0.75


def terms(words: Sequence[str]) -> list[str]:
    """Syllables plus adjacent syllable pairs (``xe may`` → ``xe``, ``may``, ``xe_may``)."""
    return [*words, *(f"{a}_{b}" for a, b in pairwise(words))]


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, CHUNK):
        yield start, min(total, start + CHUNK)


class IndexBuilder:
    """Collects units (lists of normalized words) and builds a :class:`SparseIndex`."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._ids = array("q")
        self._lengths = array("q")

    def add(self, words: Sequence[str]) -> int:
        """Add one unit; return its position."""
        ids = self.vocabulary
        self._ids.extend([ids.setdefault(w, len(ids)) for w in words])
        self._lengths.append(len(words))
        return len(self._lengths) - 1

    def build(self, params: Bm25Params, forward: bool = False) -> SparseIndex:
        """The index of every unit added so far; ``forward`` also groups it by unit."""
        return SparseIndex(
            self.vocabulary,
            np.frombuffer(self._ids, dtype=np.int64),
            np.frombuffer(self._lengths, dtype=np.int64),
            params,
            forward,
        )


class SparseIndex:
    """BM25 postings of unigram and bigram terms over units."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        ids: IdArray,
        lengths: IdArray,
        params: Bm25Params,
        forward: bool = False,
    ) -> None:
        self.vocabulary = vocabulary
        self.params = params
        self.size = len(lengths)
        self.span = 1 << max(1, (len(vocabulary) + 1).bit_length())
        self.words = sorted(w for w in vocabulary if w.isalpha() and len(w) >= 3)
        # Syllable of each vocabulary id, made on the first :meth:`unit_words`.
        self._spellings: list[str] | None = None
        self._build(ids, lengths)
        self.forward = Forward.of(self) if forward else None

    def _build(self, ids: IdArray, lengths: IdArray) -> None:
        unit_bits = max(1, self.size.bit_length())
        if ((len(self.vocabulary) + 1) * self.span).bit_length() + unit_bits > 62:
            raise ValueError("vocabulary too large for packed postings")

        # One in-place sort of (term, unit) pairs packed into int64 groups the postings by
        # term, then unit; runs of equal values are the term frequencies.
        packed = self._pack(ids, lengths, unit_bits)
        packed.sort()
        first = np.empty(len(packed), dtype=bool)
        first[:1] = True
        np.not_equal(packed[1:], packed[:-1], out=first[1:])
        positions = np.flatnonzero(first)
        del first
        count = len(positions)
        tf = np.empty(count, dtype=np.float32)
        for start, end in _chunks(count):
            following = positions[start + 1 : end + 1]
            if end == count:
                following = np.append(following, len(packed))
            tf[start:end] = following - positions[start:end]
            # Compact in place: positions[i] >= i, so no chunk reads what was overwritten.
            packed[start:end] = packed[positions[start:end]]
        del positions
        self._split(packed[:count], unit_bits)
        del packed
        self._weigh(tf, lengths)
        logger.debug("Indexed %d units: %d terms, %d postings", self.size, len(self.terms), count)

    def _pack(self, ids: IdArray, lengths: IdArray, unit_bits: int) -> IdArray:
        """Every (term, unit) occurrence as one int64: unigrams, then adjacent pairs."""
        units = np.repeat(np.arange(self.size, dtype=np.int32), lengths)
        same = units[1:] == units[:-1]
        count = len(ids)
        packed = np.empty(count + int(same.sum()), dtype=np.int64)
        for start, end in _chunks(count):
            chunk = ids[start:end] << unit_bits
            chunk |= units[start:end]
            packed[start:end] = chunk
        filled = count
        for start, end in _chunks(len(same)):
            at = np.flatnonzero(same[start:end]) + start
            chunk = ids[at] + 1
            chunk *= self.span
            chunk += ids[at + 1]
            chunk <<= unit_bits
            chunk |= units[at]
            packed[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
        return packed

    def _split(self, packed: IdArray, unit_bits: int) -> None:
        """Unit ids, distinct terms and their offsets from sorted, distinct packed pairs."""
        self.units: UnitArray = np.empty(len(packed), dtype=np.int32)
        starts: list[IdArray] = []
        terms: list[IdArray] = []
        previous = -1
        for start, end in _chunks(len(packed)):
            chunk = packed[start:end]
            self.units[start:end] = chunk & ((1 << unit_bits) - 1)
            term_of = chunk >> unit_bits
            changed = np.flatnonzero(np.r_[term_of[0] != previous, term_of[1:] != term_of[:-1]])
            starts.append(changed + start)
            terms.append(term_of[changed])
            previous = int(term_of[-1])
        empty = np.zeros(0, dtype=np.int64)
        self.terms: IdArray = np.concatenate(terms) if terms else empty
        term_starts = np.concatenate(starts) if starts else empty
        self.offsets: IdArray = np.append(term_starts, len(packed)).astype(np.int64)
        self.df = np.diff(self.offsets)

    def _weigh(self, tf: FloatArray, lengths: IdArray) -> None:
        """BM25 weight of every posting, written over the term frequencies."""
        size = self.size
        k1, b = self.params.k1, self.params.b
        term_lengths = np.maximum(2 * lengths - 1, 1).astype(np.float32)
        average = float(term_lengths.mean()) if size else 1.0
        self.idf: FloatArray = np.log1p((size - self.df + 0.5) / (self.df + 0.5)).astype(
            np.float32
        )
        idf = np.repeat(self.idf, self.df)
        for start, end in _chunks(len(tf)):
            norm = term_lengths[self.units[start:end]]
            norm *= k1 * b / average
            norm += k1 * (1.0 - b)
            chunk = tf[start:end]
            norm += chunk
            chunk *= idf[start:end] * (k1 + 1.0)
            chunk /= norm
        self.weights: FloatArray = tf
        self.max_idf = math.log1p((size + 0.5) / 1.5) if size else 1.0

    # Queries ----------------------------------------------------------------------------

    def correct(self, words: Iterable[str]) -> list[str]:
        """Replace unknown words by the nearest known word within a small edit distance."""
        fixed: list[str] = []
        for word in words:
            if word in self.vocabulary or len(word) < 3 or not word.isalpha() or not self.words:
                fixed.append(word)
                continue
            limit = 1 if len(word) < 7 else 2
            best = process.extractOne(
                word, self.words, scorer=Levenshtein.distance, score_cutoff=limit
            )
            fixed.append(best[0] if best is not None else word)
        return fixed

    def query_keys(self, words: Sequence[str]) -> tuple[IdArray, int]:
        """Distinct term keys of a query, and how many of its syllables are unknown."""
        ids = np.array([self.vocabulary.get(w, -1) for w in words], dtype=np.int64)
        known = ids >= 0
        pairs = known[:-1] & known[1:]
        keys = np.concatenate([ids[known], (ids[:-1][pairs] + 1) * self.span + ids[1:][pairs]])
        return np.unique(keys), int((~known).sum())

    def key_set(self, words: Sequence[str]) -> set[int]:
        """Term keys of a text's words (known syllables and their adjacent pairs)."""
        ids = [self.vocabulary.get(w, -1) for w in words]
        keys = {i for i in ids if i >= 0}
        keys.update((a + 1) * self.span + b for a, b in pairwise(ids) if a >= 0 and b >= 0)
        return keys

    def unit_words(self, unit: int) -> list[str]:
        """The distinct syllables of unit ``unit`` (needs the forward grouping)."""
        if self.forward is None:
            return []
        if self._spellings is None:
            spellings = [""] * len(self.vocabulary)
            for word, word_id in self.vocabulary.items():
                spellings[word_id] = word
            self._spellings = spellings
        forward = self.forward
        keys = self.terms[forward.terms[forward.offsets[unit] : forward.offsets[unit + 1]]]
        # Syllable keys are vocabulary ids, below the span that bigram keys start from.
        return [self._spellings[key] for key in keys[keys < self.span].tolist()]

    def word_weights(self, words: Sequence[str]) -> list[float]:
        """IDF of each syllable; one the index does not know weighs as its rarest term."""
        ids = np.array([self.vocabulary.get(w, -1) for w in words], dtype=np.int64)
        weights = np.full(len(words), self.max_idf, dtype=np.float64)
        known = np.flatnonzero(ids >= 0)
        if len(known):
            positions, found = self.lookup(ids[known])
            weights[known[found]] = self.idf[positions]
        return weights.tolist()

    def lookup(self, keys: IdArray) -> tuple[IdArray, npt.NDArray[np.bool_]]:
        """Positions of the keys' terms in the index, and which keys were found."""
        if not len(self.terms):
            return np.zeros(0, dtype=np.int64), np.zeros(len(keys), dtype=bool)
        positions = np.searchsorted(self.terms, keys)
        np.minimum(positions, len(self.terms) - 1, out=positions)
        found = self.terms[positions] == keys
        return positions[found], found

    def exact(self, terms: IdArray) -> FloatArray:
        """BM25 score of every unit."""
        total = np.zeros(self.size, dtype=np.float32)
        for term in terms.tolist():
            start, end = self.offsets[term], self.offsets[term + 1]
            total[self.units[start:end]] += self.weights[start:end]
        return total

    def top_units(
        self, terms: IdArray, candidates: int, budget: int
    ) -> tuple[UnitArray, FloatArray]:
        """The best units for the given terms and their scores, in unit order.

        Exact when the query's postings fit in four budgets; otherwise the two-pass search
        described in the module docstring.
        """
        if not len(terms) or not self.size:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        df = self.df[terms]
        if int(df.sum()) <= 4 * budget:
            total = self.exact(terms)
            units = np.flatnonzero(total).astype(np.int32)
            scores = total[units]
            if len(units) > candidates:
                keep = np.sort(np.argpartition(-scores, candidates - 1)[:candidates])
                units, scores = units[keep], scores[keep]
            return units, scores

        units, scores, common = self.reach(terms, candidates, budget)
        scores += self.score_units(common, units)
        return units, scores

    def reach(
        self, terms: IdArray, candidates: int, budget: int
    ) -> tuple[UnitArray, FloatArray, IdArray]:
        """The first pass: units scored by the query's rarest terms only.

        Returns the best ``candidates`` units in unit order, their partial scores, and the
        common terms left out (none when every posting fits in ``budget``).
        """
        if not len(terms) or not self.size:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), terms
        df = self.df[terms]
        order = np.argsort(df, kind="stable")
        terms, df = terms[order], df[order]
        rare = max(1, int(np.searchsorted(np.cumsum(df), budget, side="right")))
        total = np.zeros(self.size, dtype=np.float32)
        for term in terms[:rare].tolist():
            start, end = self.offsets[term], self.offsets[term + 1]
            total[self.units[start:end]] += self.weights[start:end]
        # Every weight is positive, so the reached units are the nonzero ones, in unit order.
        units = np.flatnonzero(total).astype(np.int32)
        scores = total[units]
        if len(units) > candidates:
            keep = np.sort(np.argpartition(-scores, candidates - 1)[:candidates])
            units, scores = units[keep], scores[keep]
        return units, scores, terms[rare:]

    def score_units(self, terms: IdArray, units: UnitArray) -> FloatArray:
        """BM25 scores of the given units (sorted ascending) only.

        With a forward index, one vectorized pass over the units' own terms; otherwise a
        binary search in each term's postings. Either way the cost follows the number of
        units, not the length of the posting lists.
        """
        if self.forward is not None:
            return self.forward.scores(np.sort(terms), units)
        scores = np.zeros(len(units), dtype=np.float32)
        if not len(units):
            return scores
        for term in terms.tolist():
            start, end = self.offsets[term], self.offsets[term + 1]
            postings = self.units[start:end]
            at = np.searchsorted(postings, units)
            np.minimum(at, len(postings) - 1, out=at)
            hit = postings[at] == units
            scores += np.where(hit, self.weights[start:end][at], 0.0).astype(np.float32)
        return scores


class Forward:
    """The postings again, grouped by unit: each unit's term positions (ascending) and weights.

    It doubles the postings' memory, so only an index that scores a few hundred units against
    long queries builds it (the FAQ matcher's): per unit it costs the unit's length, where a
    binary search per term costs a NumPy call per query term.
    """

    def __init__(
        self, offsets: IdArray, terms: UnitArray, weights: FloatArray, term_count: int
    ) -> None:
        self.offsets = offsets
        self.terms = terms
        self.weights = weights
        self.term_count = term_count
        # One flag per term of the index, reused by every query: allocating (and faulting in)
        # megabytes per query would cost more than the scoring. The lock only guards against
        # a second thread; a query that finds it taken uses flags of its own.
        self._flags = np.zeros(term_count, dtype=bool)
        self._flags_lock = threading.Lock()

    @classmethod
    def of(cls, index: SparseIndex) -> Forward:
        """Regroup ``index``'s postings by unit; a stable sort keeps each unit's terms in order."""
        order = np.argsort(index.units, kind="stable")
        term_of = np.repeat(np.arange(len(index.df), dtype=np.int32), index.df)
        offsets = np.zeros(index.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(index.units, minlength=index.size), out=offsets[1:])
        return cls(offsets, term_of[order], index.weights[order], len(index.df))

    def scores(self, terms: IdArray, units: UnitArray) -> FloatArray:
        """Sum of the weights of ``terms`` in each unit."""
        starts, ends = self.offsets[units], self.offsets[units + 1]
        at, heads = spans(starts, ends)
        present = self.terms[at]
        # A flag per term of the index: one lookup per posting instead of a search.
        if self._flags_lock.acquire(blocking=False):
            try:
                self._flags[terms] = True
                hit = self._flags[present]
                self._flags[terms] = False
            finally:
                self._flags_lock.release()
        else:
            flags = np.zeros(self.term_count, dtype=bool)
            flags[terms] = True
            hit = flags[present]
        weights = np.where(hit, self.weights[at], np.float32(0.0))
        return segment_sums(weights, heads, ends > starts)


def spans(starts: IdArray, ends: IdArray) -> tuple[IdArray, IdArray]:
    """The positions of the ranges ``starts[i]:ends[i]`` laid end to end, and where each
    range begins in that sequence."""
    lengths = ends - starts
    heads = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=heads[1:])
    total = int(lengths.sum())
    # Step by one inside a range; at a range's head, jump from the previous range's end.
    steps = np.ones(total, dtype=np.int64)
    nonempty = lengths > 0
    jump_at = heads[nonempty]
    first = starts[nonempty]
    if len(first):
        steps[jump_at[0]] = first[0]
        steps[jump_at[1:]] = first[1:] - ends[nonempty][:-1] + 1
    return np.cumsum(steps), heads


def segment_sums(
    values: FloatArray, heads: IdArray, nonempty: npt.NDArray[np.bool_]
) -> FloatArray:
    """Sum of ``values`` over each segment starting at ``heads``; empty segments sum to 0."""
    sums = np.zeros(len(heads), dtype=np.float32)
    if len(values):
        sums[nonempty] = np.add.reduceat(values, heads[nonempty])
    return sums
