"""The packed sparse index: bounded recall, unit-grouped scoring, and the FAQ matcher on it."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from knowledge.lexical import Bm25Params, IndexBuilder, SparseIndex, segment_sums, spans
from knowledge.matcher import FaqMatcher, IndexedEntry, RecallLimits
from knowledge.normalize import normalize

WORDS = [f"w{i}" for i in range(60)]


def random_index(seed: int, units: int, forward: bool) -> tuple[SparseIndex, list[list[str]]]:
    rng = random.Random(seed)
    # A skewed vocabulary, as in real text: a few words occur in most units.
    texts = [
        [WORDS[min(int(rng.expovariate(0.12)), len(WORDS) - 1)] for _ in range(rng.randint(0, 30))]
        for _ in range(units)
    ]
    builder = IndexBuilder()
    for text in texts:
        builder.add(text)
    return builder.build(Bm25Params(), forward=forward), texts


def query_positions(index: SparseIndex, words: list[str]) -> np.ndarray:
    keys, _ = index.query_keys(words)
    positions, _ = index.lookup(keys)
    return positions


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 6)), max_size=12))
def test_spans_lists_every_position_of_every_range_in_order(ranges: list[tuple[int, int]]) -> None:
    starts = np.array([s for s, _ in ranges], dtype=np.int64)
    ends = np.array([s + n for s, n in ranges], dtype=np.int64)

    at, heads = spans(starts, ends)

    expected = [p for s, n in ranges for p in range(s, s + n)]
    assert at.tolist() == expected
    assert heads.tolist() == [sum(n for _, n in ranges[:i]) for i in range(len(ranges))]


def test_segment_sums_gives_zero_for_empty_segments() -> None:
    values = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    heads = np.array([0, 2, 2, 3], dtype=np.int64)
    nonempty = np.array([True, False, True, False])

    assert segment_sums(values, heads, nonempty).tolist() == [3.0, 0.0, 4.0, 0.0]


def test_scoring_chosen_units_agrees_with_scoring_them_all() -> None:
    grouped, _ = random_index(1, 400, forward=True)
    plain, _ = random_index(1, 400, forward=False)
    rng = random.Random(2)

    for _ in range(30):
        words = rng.sample(WORDS, 8)
        terms = query_positions(grouped, words)
        units = np.sort(rng.sample(range(400), 50)).astype(np.int32)
        everything = grouped.exact(terms)[units]

        assert np.allclose(grouped.score_units(terms, units), everything, atol=1e-5)
        assert np.allclose(plain.score_units(terms, units), everything, atol=1e-5)


def test_units_without_any_posting_score_zero() -> None:
    index, texts = random_index(3, 50, forward=True)
    empty = np.array([i for i, t in enumerate(texts) if not t], dtype=np.int32)
    assert len(empty)

    terms = query_positions(index, WORDS[:10])

    assert not index.score_units(terms, empty).any()


def test_reach_is_exact_within_budget_and_bounded_beyond_it() -> None:
    index, _ = random_index(4, 600, forward=False)
    terms = query_positions(index, WORDS[:12])
    total = index.exact(terms)

    units, scores, left = index.reach(terms, candidates=600, budget=10**9)
    assert not len(left)
    assert np.allclose(scores, total[units])
    assert set(units.tolist()) == set(np.flatnonzero(total).tolist())

    units, _, left = index.reach(terms, candidates=20, budget=50)
    # The common terms are left out and at most 20 candidates come back, in unit order.
    assert len(left) > 0 and len(units) <= 20
    assert units.tolist() == sorted(units.tolist())


def test_bounded_recall_finds_what_exhaustive_recall_finds() -> None:
    rng = random.Random(5)
    vocabulary = (
        "học sinh giáo viên trường lớp xe máy mũ bảo hiểm điện thoại bắt nạt mạng xã hội "
        "tài khoản bị phạt kỷ luật quyền nghĩa vụ thi cử gian lận hút thuốc rượu bia tiền"
    ).split()
    entries = [
        IndexedEntry(
            f"e{i}",
            [" ".join(rng.choices(vocabulary, k=rng.randint(3, 12))) for _ in range(4)],
            " ".join(rng.choices(vocabulary, k=40)),
        )
        for i in range(800)
    ]
    tight = FaqMatcher(entries, normalize, recall=RecallLimits(pool=30, budget=2_000, exact=30))
    everything = RecallLimits(pool=800, budget=10**9, exact=800)
    exhaustive = FaqMatcher(entries, normalize, recall=everything)
    questions = [" ".join(rng.choices(vocabulary, k=rng.randint(2, 25))) for _ in range(100)]

    agree = sum(
        tight.rank(q, limit=1)[0].entry_id == exhaustive.rank(q, limit=1)[0].entry_id
        for q in questions
    )

    # Random word salad is the hard case for pruning (no rare term stands out); real
    # questions agree more often (339 of 340 at 20,000 entries in bench/faq_matcher.py).
    assert agree >= 85


def test_a_question_of_unknown_words_only_finds_nothing() -> None:
    matcher = FaqMatcher([IndexedEntry("a", ["mũ bảo hiểm"], "đội mũ")], normalize)

    assert matcher.rank("zzqx wwvy") == []
