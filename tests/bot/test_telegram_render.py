"""Rendering dialog replies for Telegram: HTML escaping, keyboards, callback data, splitting."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram import messages as tmsg
from bot.telegram.render import (
    CallbackCodec,
    render,
    split_text,
    to_html,
    utf16_len,
    without_escalation,
    without_votes,
)
from knowledge import messages as msg
from knowledge.dialog import Option, Reply, ReplyKind

LONG_ID = "t99-" + "cau-hoi-rat-dai-" * 6


def datas(markup: InlineKeyboardMarkup | None) -> list[str]:
    assert markup is not None
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def test_text_is_escaped_and_the_basis_label_is_bold() -> None:
    html = to_html('Phạt <b> & "x"\nCăn cứ: Nghị định 168/2024/NĐ-CP <Điều 7>.')
    assert html == (
        "Phạt &lt;b&gt; &amp; &quot;x&quot;\n"
        "<b>Căn cứ:</b> Nghị định 168/2024/NĐ-CP &lt;Điều 7&gt;."
    )


def test_answer_without_a_basis_line_gets_one_from_its_sources() -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        "Từ đủ 16 tuổi.",
        entry_id="t01-x",
        sources=[{"document": "Luật Giao thông", "number": "36/2024/QH15", "article": "59"}],
        feedback=True,
    )
    [message] = render(reply, CallbackCodec())
    assert message.text.endswith("<b>Căn cứ:</b> Điều 59, Luật Giao thông số 36/2024/QH15.")
    assert datas(message.markup) == ["v:+:t01-x", "v:-:t01-x"]


def test_suggestions_are_numbered_in_text_and_buttons() -> None:
    options = [Option("Câu hỏi thứ nhất?", "e:a-1"), Option("Câu " + "dài " * 40, "e:b-2")]
    reply = Reply(ReplyKind.SUGGEST, msg.SUGGEST_INTRO, options, escalate=True)
    [message] = render(reply, CallbackCodec())
    assert "1. Câu hỏi thứ nhất?" in message.text and tmsg.SUGGEST_HINT in message.text
    assert message.markup is not None
    labels = [row[0].text for row in message.markup.inline_keyboard]
    assert labels[0] == "1. Câu hỏi thứ nhất?"
    assert labels[1].startswith("2. Câu dài") and labels[1].endswith("…")
    assert len(labels[1]) <= 64
    assert labels[2] == msg.OPTION_ESCALATE
    assert datas(message.markup) == ["e:a-1", "e:b-2", "x"]


def test_topic_pages_put_navigation_on_one_row() -> None:
    options = [Option("Giao thông", "t:T01"), Option("« Trang trước", "p:1")]
    options.append(Option("Trang sau »", "p:3"))
    [message] = render(Reply(ReplyKind.MENU, "Các chủ đề", options), CallbackCodec())
    assert message.markup is not None
    assert [len(row) for row in message.markup.inline_keyboard] == [1, 2]


def test_topic_entries_get_a_way_back() -> None:
    reply = Reply(ReplyKind.MENU, "Chủ đề", [Option("Câu hỏi?", "e:a-1")])
    [message] = render(reply, CallbackCodec())
    assert datas(message.markup) == ["e:a-1", "p:1"]


def test_long_payloads_are_kept_within_64_bytes_and_resolved() -> None:
    codec = CallbackCodec()
    reply = Reply(ReplyKind.ANSWER, "Đáp.", entry_id=LONG_ID, feedback=True, escalate=True)
    [message] = render(reply, codec)
    for data in datas(message.markup):
        assert 1 <= len(data.encode()) <= 64
    up = datas(message.markup)[0]
    assert up.startswith("k:") and codec.decode(up) == f"v:+:{LONG_ID}"
    assert CallbackCodec().decode(up) is None  # another process: stale
    assert codec.decode("e:short-id") == "e:short-id"


def test_codec_forgets_the_oldest_keys() -> None:
    codec = CallbackCodec(max_keys=2)
    keys = [codec.encode(f"e:{LONG_ID}-{i}") for i in range(3)]
    assert codec.decode(keys[0]) is None
    assert codec.decode(keys[2]) == f"e:{LONG_ID}-2"


def test_short_text_is_one_message() -> None:
    assert split_text("Một đoạn.\n\nHai đoạn.") == ["Một đoạn.\n\nHai đoạn."]


def test_long_text_is_split_at_paragraphs() -> None:
    paragraphs = [f"Đoạn {i}: " + "chữ " * 300 for i in range(8)]
    chunks = split_text("\n\n".join(paragraphs))
    assert len(chunks) > 1
    assert all(utf16_len(c) <= 4096 for c in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(paragraphs)
    for chunk in chunks:
        assert chunk.startswith("Đoạn ")


def test_a_huge_paragraph_is_split_at_lines_then_words_then_characters() -> None:
    lines = "\n".join("dòng " * 50 for _ in range(40))
    words = "từ " * 3000
    glyphs = "😀" * 5000 + "<&>" * 2000
    for text in (lines, words, glyphs):
        chunks = split_text(text)
        assert len(chunks) > 1
        assert all(0 < utf16_len(c) <= 4096 for c in chunks)
    assert "".join(split_text(glyphs)).count("&lt;&amp;&gt;") == 2000


def test_the_keyboard_goes_under_the_last_part() -> None:
    text = "\n\n".join("đoạn " * 400 for _ in range(4))
    reply = Reply(ReplyKind.ARTICLE, text, feedback=True, escalate=True)
    messages = render(reply, CallbackCodec())
    assert len(messages) > 1
    assert [m.markup is None for m in messages] == [True] * (len(messages) - 1) + [False]


@pytest.mark.parametrize(
    ("edit", "left"),
    [(without_votes, ["x"]), (without_escalation, ["v:+:a", "v:-:a"])],
)
def test_pressed_buttons_are_taken_away(edit: object, left: list[str]) -> None:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👍", callback_data="v:+:a"),
                InlineKeyboardButton("👎", callback_data="v:-:a"),
            ],
            [InlineKeyboardButton("Hỏi", callback_data="x")],
        ]
    )
    assert callable(edit)
    assert datas(edit(markup)) == left
    assert without_votes(None) is None
