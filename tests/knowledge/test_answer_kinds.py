"""Questions that ask for a figure, and answers that give one."""

from __future__ import annotations

import pytest
from hypothesis import given as for_any
from hypothesis import strategies as st

from knowledge.answer_kinds import asked, given
from knowledge.matcher import FaqMatcher, IndexedEntry, Thresholds
from knowledge.normalize import normalize


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Bán bia cho học sinh bị phạt bao nhiêu tiền?", {"số tiền"}),
        ("ko đội mũ bh bị phạt bn tiền", {"số tiền"}),
        ("nghỉ thai sản được mấy tháng", {"thời gian"}),
        ("tạm giữ xe bao lâu", {"thời gian"}),
        ("mấy tuổi được đi xe máy", {"độ tuổi"}),
        ("Lương tối thiểu theo giờ ở vùng 1 hiện nay là bao nhiêu?", {"số tiền"}),
        ("sinh con được nhận trợ cấp một lần mấy triệu", {"số tiền"}),
        ("lớp em có bao nhiêu bạn được miễn học phí", set()),
        # "xe máy năm 2020" is not a question about years; a contract term is not either.
        ("xe máy năm 2020 có phải đổi biển không", set()),
        ("hợp đồng không xác định thời hạn là gì", set()),
        ("Học sinh có được dùng điện thoại không?", set()),
    ],
)
def test_what_a_question_asks_for(question: str, kinds: set[str]) -> None:
    assert asked(normalize(question)) == kinds


@pytest.mark.parametrize(
    ("answer", "kinds"),
    [
        ("Phạt từ 400.000 đến 600.000 đồng.", {"số tiền"}),
        ("Người giao xe bị phạt 8–10 triệu đồng.", {"số tiền"}),
        ("Doanh nghiệp bị phạt tới 1 tỷ.", {"số tiền"}),
        ("Được hưởng 100% mức bình quân tiền lương.", {"số tiền"}),
        ("Trong vòng 60 ngày kể từ ngày sinh con.", {"thời gian"}),
        ("Được nghỉ sáu tháng.", {"thời gian"}),
        ("Từ đủ 16 tuổi được lái xe gắn máy.", {"độ tuổi"}),
        ("Người bán có thể bị phạt tiền.", set()),
    ],
)
def test_what_an_answer_gives(answer: str, kinds: set[str]) -> None:
    assert given(normalize(answer), answer) == kinds


def test_an_entry_that_does_not_give_the_amount_is_only_suggested() -> None:
    entries = [
        IndexedEntry(
            "selling-beer",
            ["Bán bia cho học sinh có bị phạt không?", "quán bán rượu bia cho hs có sao ko"],
            "Có. Người bán rượu, bia cho người chưa đủ 18 tuổi bị phạt tiền.",
        ),
        IndexedEntry(
            "helmet",
            ["Không đội mũ bảo hiểm bị phạt bao nhiêu?"],
            "Phạt từ 400.000 đến 600.000 đồng.",
        ),
    ]
    matcher = FaqMatcher(entries, normalize, Thresholds(answer=40, suggest=25, margin=5))

    yes_or_no = matcher.match("quán bán bia cho học sinh có bị phạt không")
    how_much = matcher.match("quán bán bia cho học sinh bị phạt bao nhiêu tiền")
    helmet = matcher.match("không đội mũ bảo hiểm bị phạt bao nhiêu tiền")

    assert yes_or_no.status == "answered"
    assert how_much.status == "suggest" and how_much.out_of_scope == ("số tiền",)
    assert helmet.status == "answered"


@for_any(st.text(max_size=300))
def test_never_raises(text: str) -> None:
    key = normalize(text)
    assert asked(key) <= {"số tiền", "thời gian", "độ tuổi"}
    assert given(key, text) <= {"số tiền", "thời gian", "độ tuổi"}
