"""Scope terms: a question about another country, group or thing is suggested, not answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.content import ContentError
from knowledge.matcher import FaqMatcher, IndexedEntry, Thresholds
from knowledge.normalize import default_normalizer, normalize
from knowledge.paths import bundled_data_dir
from knowledge.scope import FILE_NAME, ScopeFinder, ScopeTerms

ENTRIES = [
    IndexedEntry(
        "drinking-age",
        [
            "Bao nhiêu tuổi thì được uống rượu, bia?",
            "mấy tuổi được uống bia rượu",
            "Học sinh 16 tuổi uống bia có bị phạt không?",
        ],
        "Người chưa đủ 18 tuổi không được uống rượu, bia.",
    ),
    IndexedEntry(
        "rehab-minor",
        [
            "Người nghiện ma túy dưới 18 tuổi có bị đưa đi cai nghiện bắt buộc không?",
            "con 15 tuổi nghiện ma túy phải cai nghiện thế nào",
        ],
        "Người nghiện ma túy từ đủ 12 đến dưới 18 tuổi được cai nghiện tự nguyện.",
    ),
    IndexedEntry(
        "study-abroad",
        ["Du học sinh ở Nhật được làm thêm bao nhiêu giờ?"],
        "Tại Nhật Bản, du học sinh được làm thêm tối đa 28 giờ một tuần.",
    ),
]


@pytest.fixture(scope="module")
def finder() -> ScopeFinder:
    return ScopeTerms.load(bundled_data_dir() / FILE_NAME).compile(default_normalizer())


@pytest.fixture(scope="module")
def matcher(finder: ScopeFinder) -> FaqMatcher:
    # Scope terms alone: the share of unexplained words (tests/knowledge/test_coverage.py)
    # is off, since these three entries give a vocabulary too small to weigh words by.
    limits = Thresholds(answer=40, suggest=25, margin=5, unexplained=1.0)
    return FaqMatcher(ENTRIES, normalize, limits, scope=finder)


def labels(finder: ScopeFinder, text: str) -> list[str]:
    return finder.names(finder.find(normalize(text).split()))


def test_the_bundled_file_finds_whole_phrases_only(finder: ScopeFinder) -> None:
    assert labels(finder, "Ở Nhật bao nhiêu tuổi được uống rượu?") == ["Nhật Bản", "rượu"]
    assert labels(finder, "o han quoc tuoi ket hon la bao nhieu") == ["Hàn Quốc"]
    assert labels(finder, "lái ô tô vượt đèn đỏ") == ["ô tô"]
    # Everyday words that fold like a country or a vehicle are not scope terms.
    assert labels(finder, "Em ở tổ dân phố 5, anh trai em học giỏi nhất lớp") == []
    assert labels(finder, "Nhà ở trung tâm, gần ngã tư") == []
    assert labels(finder, "Luật Giáo dục năm 2019 quy định gì") == []
    assert labels(finder, "hồi năm 2010 thì nghĩa vụ quân sự bao lâu") == ["năm đã qua"]
    assert labels(finder, "Trước ngày 1/7/2026 đăng tin sai bị phạt bao nhiêu") == [
        "trước một ngày đã qua"
    ]
    assert labels(finder, "trước ngày 15/1 phải nộp hồ sơ") == []
    assert labels(finder, "theo quy định cũ thì sao") == ["luật cũ"]
    assert labels(finder, "có dự thảo nào bắt đội mũ khi đi xe đạp không") == [
        "luật sắp tới",
        "xe đạp",
    ]


def test_a_question_on_another_country_is_only_suggested(matcher: FaqMatcher) -> None:
    at_home = matcher.match("bao nhiêu tuổi thì được uống rượu bia vậy")
    abroad = matcher.match("Ở Nhật bao nhiêu tuổi thì được uống rượu bia vậy?")

    assert at_home.status == "answered" and at_home.out_of_scope == ()
    assert abroad.status == "suggest" and abroad.out_of_scope == ("Nhật Bản",)
    # The ranking is the same: the entry is still offered first.
    assert abroad.best is not None and abroad.best.entry_id == "drinking-age"


def test_another_substance_than_the_entry_covers_is_only_suggested(matcher: FaqMatcher) -> None:
    result = matcher.match("Người nghiện rượu có bị đưa đi cai nghiện bắt buộc không?")

    assert result.status == "suggest" and "rượu" in result.out_of_scope


def test_an_entry_that_names_the_country_answers(matcher: FaqMatcher) -> None:
    result = matcher.match("du học sinh bên Nhật đi làm thêm được mấy tiếng")

    assert result.status == "answered"
    assert result.best is not None and result.best.entry_id == "study-abroad"


def test_a_missing_file_means_no_scope_terms(tmp_path: Path) -> None:
    finder = ScopeTerms.load(tmp_path / FILE_NAME).compile(normalize)

    assert not finder and finder.find(["o", "nhat"]) == frozenset()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("terms: [a, b]", "terms: must map labels"),
        ("terms:\n  Nhật: nhat ban", "Nhật"),
        ("terms:\n  Nhật: []", "non-empty list"),
        ("terms:\n  Nhật: [1, 2]", "every item must be text"),
        ("terms:\n  Nhật: ['  ']", "empty spelling"),
        ("patterns:\n  năm: ['(unclosed']", "invalid regular expression"),
        ("patterns:\n  cũ: ['quy dinh cu']", "writes 'qui'"),
        ("terms: [unclosed", "YAML"),
        ("- just a list", "sections"),
    ],
)
def test_a_malformed_file_names_file_label_and_problem(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ContentError) as raised:
        ScopeTerms.load(path)

    assert str(path) in str(raised.value) and fragment in str(raised.value)


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes("terms:\n  Nhật: [nhật bản]".encode("utf-16"))

    with pytest.raises(ContentError, match="cannot be read"):
        ScopeTerms.load(path)


@given(st.text(max_size=300))
def test_finding_never_raises(text: str) -> None:
    finder = ScopeTerms.load(bundled_data_dir() / FILE_NAME).compile(default_normalizer())
    found = finder.find(normalize(text).split())
    assert found <= set(range(len(finder.labels)))
