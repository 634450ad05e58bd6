"""Dialog replies as Zalo texts: numbered choices, votes, and cutting to 2,000 characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text_split import utf16_len
from bot.zalo import messages as zmsg
from bot.zalo.render import (
    TEXT_LIMIT,
    choose_hint,
    compose,
    render,
    split_text,
    vote_options,
)
from knowledge import messages as msg
from knowledge.dialog import Option, Reply, ReplyKind, Suggestion

SOURCES: list[dict[str, str | None]] = [
    {"document": "Luật Giáo dục", "number": "43/2019/QH14", "article": "83", "clause": "1"}
]


@pytest.mark.parametrize(
    ("count", "hint"),
    [
        (1, "Trả lời 1 để chọn"),
        (2, "Trả lời 1 hoặc 2 để chọn"),
        (3, "Trả lời 1, 2 hoặc 3 để chọn"),
        (5, "Trả lời 1, 2, 3, 4 hoặc 5 để chọn"),
        (10, "Trả lời một số từ 1 đến 10 để chọn"),
    ],
)
def test_choose_hint(count: int, hint: str) -> None:
    assert choose_hint(count) == hint


def test_suggestions_are_numbered_with_the_hint_and_escalation() -> None:
    options = [Option("Câu một?", "e:a"), Option("Câu hai?", "e:b"), Option("Câu ba?", "e:c")]
    reply = Reply(
        ReplyKind.SUGGEST,
        msg.SUGGEST_INTRO,
        options,
        status="suggest",
        suggestions=[Suggestion("a", "Câu một?", 30.0)],
        escalate=True,
    )
    assert compose(reply) == (
        f"{msg.SUGGEST_INTRO}\n\n1. Câu một?\n2. Câu hai?\n3. Câu ba?\n\n"
        f"Trả lời 1, 2 hoặc 3 để chọn, hoặc gõ lại câu hỏi rõ hơn.\n\n{zmsg.ESCALATE_HINT}"
    )


def test_topic_pages_number_the_page_links_too() -> None:
    options = [Option("Giao thông", "t:T01"), Option("Trang sau »", "p:2")]
    text = compose(Reply(ReplyKind.MENU, "Các chủ đề (trang 1/2):", options))
    assert "1. Giao thông\n2. Trang sau »\n\nTrả lời 1 hoặc 2 để chọn." in text
    assert zmsg.TOPIC_BACK not in text


def test_an_answer_gets_its_basis_when_missing_and_the_vote_prompt() -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        "Người học có quyền được tôn trọng.",
        entry_id="t09-quyen",
        sources=SOURCES,
        feedback=True,
        escalate=True,
    )
    assert compose(reply).split("\n\n") == [
        "Người học có quyền được tôn trọng.",
        "Căn cứ: Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 1.",
        zmsg.FEEDBACK_PROMPT,
        zmsg.ESCALATE_HINT,
    ]
    assert [o.payload for o in vote_options(reply)] == ["v:+:t09-quyen", "v:-:t09-quyen"]


def test_an_answer_that_states_its_basis_is_not_given_a_second() -> None:
    reply = Reply(ReplyKind.ANSWER, "Đúng vậy.\n\nCăn cứ: Luật Giáo dục.", sources=SOURCES)
    assert compose(reply).count("Căn cứ:") == 1


def test_votes_on_a_clause_of_the_law_carry_no_entry() -> None:
    reply = Reply(ReplyKind.ARTICLE, "Điều 83.", feedback=True)
    assert [o.payload for o in vote_options(reply)] == ["v:+:", "v:-:"]
    assert vote_options(Reply(ReplyKind.INFO, "Chào bạn!")) == []


def test_a_long_reply_is_cut_at_paragraphs() -> None:
    paragraphs = [f"{i}. " + "Người học có quyền được tôn trọng. " * 20 for i in range(1, 12)]
    chunks = render(Reply(ReplyKind.INFO, "\n\n".join(p.strip() for p in paragraphs)))
    assert len(chunks) > 2
    assert all(utf16_len(c) <= TEXT_LIMIT for c in chunks)
    assert all(c.split(".", 1)[0].isdigit() for c in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(p.strip() for p in paragraphs)


def test_a_text_without_spaces_is_cut_hard_and_emoji_count_double() -> None:
    assert split_text("a" * 4500) == ["a" * 2000, "a" * 2000, "a" * 500]
    chunks = split_text("👍" * 1500)
    assert [len(c) for c in chunks] == [1000, 500]


def test_combining_marks_stay_with_their_letter() -> None:
    decomposed = "a\u0301" * 1500  # NFD text, as some keyboards send it
    chunks = split_text(decomposed)
    assert all(not c[0].isspace() and c[0] == "a" for c in chunks)
    assert "".join(chunks) == decomposed


def test_nothing_to_send_for_an_empty_text() -> None:
    assert split_text("  \n\n ") == []


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=9000))
def test_chunks_always_fit_and_lose_no_words(text: str) -> None:
    chunks = split_text(text)
    assert all(1 <= utf16_len(c) <= TEXT_LIMIT for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())
