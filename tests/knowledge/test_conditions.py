"""Hypothetical questions whose condition the chosen entry never speaks to."""

from __future__ import annotations

import pytest
from hypothesis import given as for_any
from hypothesis import strategies as st

from knowledge.conditions import condition_words, unmet_conditions
from knowledge.matcher import FaqMatcher, IndexedEntry, Thresholds
from knowledge.normalize import normalize


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Nếu người mượn xe bỏ trốn thì chủ xe có phải đền không?", ["muon", "xe", "bo", "tron"]),
        ("giả sử em đã đủ 18 tuổi thì sao", ["tuoi"]),
        ("trong trường hợp bố mẹ ly hôn thì con ở với ai", ["bo", "me", "li", "hon"]),
        ("neu nhu bi mat xe thi bao ai", ["mat", "xe"]),
        # No condition, or a condition that is all function words.
        ("Học sinh có được đi xe máy không?", []),
        ("nếu vậy thì sao", []),
        ("nếu", []),
    ],
)
def test_the_words_of_a_condition(question: str, words: list[str]) -> None:
    assert condition_words(normalize(question)) == words


def test_a_condition_ends_at_thi_or_after_ten_words() -> None:
    key = normalize("nếu một hai ba bốn năm sáu bảy tám chín mười mười một thì sao")
    assert len(condition_words(key)) <= 10
    assert condition_words(normalize("nếu trời mưa thì nghỉ học không")) == ["troi", "mua"]


def test_unmet_conditions_are_those_the_text_never_uses() -> None:
    text = set(normalize("Người sử dụng xe mượn gây tai nạn thì phải bồi thường").split())

    key = normalize("Nếu người mượn xe bỏ trốn thì chủ xe có phải đền không")
    assert unmet_conditions(key, text) == ["bo", "tron"]
    assert unmet_conditions(normalize("xe mượn gây tai nạn ai đền"), text) == []


def test_a_hypothetical_the_entry_does_not_cover_is_only_suggested() -> None:
    entries = [
        IndexedEntry(
            "borrowed-vehicle",
            [
                "Mượn xe của bạn rồi gây tai nạn thì ai phải bồi thường?",
                "cho bạn mượn xe máy, bạn đâm người thì ai đền",
            ],
            "Người đang sử dụng xe gây tai nạn phải bồi thường; chủ xe cho mượn đúng quy định "
            "không phải bồi thường thay.",
        ),
        IndexedEntry("helmet", ["Không đội mũ bảo hiểm bị phạt bao nhiêu?"], "Phạt tiền."),
    ]
    matcher = FaqMatcher(entries, normalize, Thresholds(answer=40, suggest=25, margin=5))

    plain = matcher.match("nếu bạn mượn xe máy gây tai nạn thì ai phải bồi thường")
    fled = matcher.match("nếu bạn mượn xe máy gây tai nạn rồi bỏ trốn thì ai phải bồi thường")

    assert plain.status == "answered"
    assert fled.status == "suggest"
    assert fled.out_of_scope[:2] == ("nếu … bo", "nếu … tron")
    assert fled.best is not None and fled.best.entry_id == "borrowed-vehicle"


@for_any(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    words = condition_words(normalize(text))
    assert all(word.isalpha() and " " not in word for word in words)
