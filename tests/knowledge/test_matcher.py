"""The FAQ matcher on small synthetic entries: answer, suggest, reject."""

from __future__ import annotations

import pytest

from knowledge.matcher import (
    LONG_QUESTION_SUGGEST_SHARE,
    LONG_QUESTION_WORDS,
    FaqMatcher,
    IndexedEntry,
    Thresholds,
)
from knowledge.normalize import normalize

ENTRIES = [
    IndexedEntry(
        "helmet",
        [
            "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu?",
            "ngồi sau xe máy không đội nón bảo hiểm có sao không",
            "mức phạt lỗi mũ bảo hiểm",
        ],
    ),
    IndexedEntry(
        "moped-age",
        [
            "Bao nhiêu tuổi thì được đi xe gắn máy?",
            "mấy tuổi được chạy xe 50 phân khối",
            "Con tôi 15 tuổi đã được lái xe gắn máy chưa?",
        ],
    ),
    IndexedEntry(
        "vape",
        [
            "Học sinh hút thuốc lá điện tử bị xử lý thế nào?",
            "hút vape ở trường có bị phạt không",
            "thuốc lá điện tử có bị cấm không",
        ],
    ),
    IndexedEntry(
        "phone-class",
        [
            "Học sinh có được dùng điện thoại trong giờ học không?",
            "thầy cô có quyền thu điện thoại không",
            "điện thoại trong lớp",
        ],
    ),
]


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher(ENTRIES, normalize, Thresholds(answer=60, suggest=40, margin=4))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Không đội mũ bảo hiểm bị phạt bao nhiêu?", "helmet"),
        ("khong doi mu bao hiem bi phat bao nhieu", "helmet"),
        ("ko đội nón bh bị phạt bn", "helmet"),
        ("khong doi mu bao hem bi phat bao nhieu", "helmet"),
        ("may tuoi dc chay xe 50 phan khoi", "moped-age"),
        ("hut vape o truong bi phat ko", "vape"),
        ("hs dùng đt trong giờ học đc ko", "phone-class"),
    ],
)
def test_ranks_the_right_entry_first(matcher: FaqMatcher, question: str, expected: str) -> None:
    ranked = matcher.rank(question)
    assert ranked and ranked[0].entry_id == expected


def test_exact_phrasing_is_answered(matcher: FaqMatcher) -> None:
    result = matcher.match("Học sinh hút thuốc lá điện tử bị xử lý thế nào?")
    assert result.status == "answered"
    assert result.best is not None and result.best.entry_id == "vape"
    assert 0 <= result.best.score <= 100


@pytest.mark.parametrize(
    "question",
    ["thời tiết hôm nay thế nào", "giải giúp em bài toán lớp 8", "asdkjh qwe zxc", "ok"],
)
def test_out_of_scope_is_not_answered(matcher: FaqMatcher, question: str) -> None:
    assert matcher.match(question).status != "answered"


def test_close_candidates_are_suggested_not_answered() -> None:
    twins = [
        IndexedEntry("a", ["phạt lỗi không đội mũ bảo hiểm xe máy"]),
        IndexedEntry("b", ["phạt lỗi không đội mũ bảo hiểm xe đạp điện"]),
    ]
    matcher = FaqMatcher(twins, normalize, Thresholds(answer=50, suggest=30, margin=10))
    result = matcher.match("phạt lỗi không đội mũ bảo hiểm")
    assert result.status == "suggest"
    assert {c.entry_id for c in result.candidates} == {"a", "b"}


def test_empty_index_and_empty_query() -> None:
    empty = FaqMatcher([], normalize)
    assert empty.match("mũ bảo hiểm").status == "unanswered"
    assert FaqMatcher(ENTRIES, normalize).match("   ").status == "unanswered"


STORY = (
    "Hôm qua trên đường đi học về em đi cùng mấy bạn trong lớp, trời nắng quá nên em cởi "
    "nón ra cầm tay, ngồi sau xe máy của bạn thì bị chú công an thổi lại, vậy có sao không"
)


def test_a_long_story_is_offered_entries_from_a_lower_score() -> None:
    assert len(normalize(STORY).split()) >= LONG_QUESTION_WORDS
    score = FaqMatcher(ENTRIES, normalize).rank(STORY)[0].score
    # Just under the suggest threshold, within the share a story is allowed.
    barely = score / (LONG_QUESTION_SUGGEST_SHARE + (1 - LONG_QUESTION_SUGGEST_SHARE) / 2)
    within = FaqMatcher(ENTRIES, normalize, Thresholds(answer=99, suggest=barely))
    beyond = FaqMatcher(ENTRIES, normalize, Thresholds(answer=99, suggest=score / 0.7))

    story = within.match(STORY)
    assert story.status == "suggest" and story.best is not None
    assert story.best.entry_id == "helmet"
    assert beyond.match(STORY).status == "unanswered"


def test_a_short_question_under_the_suggest_threshold_is_not_offered_entries() -> None:
    question = "ngồi sau không đội nón có sao không"
    score = FaqMatcher(ENTRIES, normalize).rank(question)[0].score
    matcher = FaqMatcher(ENTRIES, normalize, Thresholds(answer=99, suggest=score / 0.9))
    assert matcher.match(question).status == "unanswered"
