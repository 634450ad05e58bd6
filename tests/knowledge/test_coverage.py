"""Questions whose words an entry never uses: the share check of knowledge.coverage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.coverage import content_words, word_coverage
from knowledge.matcher import FaqMatcher, IndexedEntry, Thresholds
from knowledge.normalize import normalize


def test_content_words_leave_out_particles_digits_and_repeats() -> None:
    words = normalize("Xin hỏi ad, học sinh 16 tuổi có được đi xe máy không ạ? xe máy").split()
    assert content_words(words) == ["hoc", "sinh", "tuoi", "xe"]


def test_the_share_is_weighted_by_the_words_weights() -> None:
    words = ["hoc", "phi", "trung", "cap"]
    weights = [1.0, 2.0, 3.0, 4.0]
    text = {"hoc", "phi", "sinh", "mien"}

    found = word_coverage(words, weights, text)

    assert found.unexplained == ("trung", "cap")
    assert found.unexplained_share == pytest.approx(0.7)


def test_a_typo_one_edit_from_a_word_of_the_text_is_explained() -> None:
    # "thuong" typed as "thung"; short words must match exactly.
    assert word_coverage(["thung"], [1.0], {"boi", "thuong"}).unexplained == ()
    assert word_coverage(["hoa"], [1.0], {"hoc"}).unexplained == ("hoa",)


def test_no_content_words_leave_nothing_unexplained() -> None:
    assert word_coverage([], [], {"xe"}).unexplained_share == 0.0
    assert word_coverage(["xe"], [0.0], set()).unexplained_share == 0.0


ENTRIES = [
    IndexedEntry(
        "school-fees",
        [
            "Học sinh trường công lập có phải đóng học phí không?",
            "hs cấp 2 trường công có mất học phí ko",
            "Năm học này học sinh THPT công lập được miễn học phí chưa?",
        ],
        "Từ năm học 2025-2026, học sinh mầm non, phổ thông công lập được miễn học phí.",
    ),
    IndexedEntry(
        "uniforms",
        ["Trường có được bắt mua đồng phục tại trường không?"],
        "Nhà trường không được ép phụ huynh mua đồng phục tại trường.",
    ),
]


def test_a_question_adding_words_the_entry_never_uses_is_only_suggested() -> None:
    matcher = FaqMatcher(ENTRIES, normalize, Thresholds(answer=40, suggest=25, margin=5))
    asked = "học sinh trường công lập có phải đóng học phí không"
    # Fees for extra afternoon classes are another matter, which the entry never mentions.
    elsewhere = "học sinh trường công lập có phải đóng học phí học thêm buổi chiều không"

    plain = matcher.match(asked)
    other = matcher.match(elsewhere)

    assert plain.status == "answered"
    assert other.status == "suggest"
    assert other.best is not None and other.best.entry_id == "school-fees"
    assert other.out_of_scope == ("ngoài câu trả lời: them, buoi, chieu",)


def test_the_check_can_be_turned_off() -> None:
    limits = Thresholds(answer=40, suggest=25, margin=5, unexplained=1.0)
    matcher = FaqMatcher(ENTRIES, normalize, limits)
    question = "học sinh trường công lập có phải đóng học phí học thêm buổi chiều không"
    assert matcher.match(question).status == "answered"


@given(
    st.lists(st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=1, max_size=8), max_size=12),
    st.sets(st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=1, max_size=8), max_size=12),
)
def test_the_share_is_a_share(words: list[str], text: set[str]) -> None:
    content = content_words(words)
    found = word_coverage(content, [1.0] * len(content), text)
    assert 0.0 <= found.unexplained_share <= 1.0
    assert set(found.unexplained) <= set(content) - text
