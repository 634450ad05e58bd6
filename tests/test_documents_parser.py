"""Parsing legal texts: structure, numbering variants, and the usual mess of real files."""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.documents.lines import logical_lines, repair
from knowledge.documents.metadata import read_metadata
from knowledge.documents.parser import ParsedBody, parse_text, split_clauses
from knowledge.documents.readers import strip_page_furniture

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
SAMPLE = (FIXTURES / "luat_thanh_nien_trich.txt").read_text(encoding="utf-8")


def headings(body: ParsedBody) -> list[tuple[str, str]]:
    return [(a.number, a.title) for a in body.articles]


def test_sample_law_has_its_structure() -> None:
    body = parse_text(SAMPLE)

    assert headings(body) == [
        ("1", "Thanh niên"),
        ("2", "Phạm vi điều chỉnh"),
        ("3", "Đối tượng áp dụng"),
        ("4", "Vai trò, quyền và nghĩa vụ của thanh niên"),
        ("40", "Trách nhiệm của Hội đồng nhân dân, Ủy ban nhân dân cấp tỉnh"),
        ("41", "Hiệu lực thi hành"),
    ]
    article_4, article_40 = body.articles[3], body.articles[4]
    assert article_4.chapter == "Chương I. NHỮNG QUY ĐỊNH CHUNG"
    assert article_40.chapter == "Chương VI. TRÁCH NHIỆM CỦA CƠ QUAN NHÀ NƯỚC"
    assert [c.number for c in article_4.clauses] == ["1", "2"]
    assert [p.letter for p in article_40.clauses[0].points] == ["a", "b", "c", "d", "đ"]
    assert article_40.clauses[0].points[4].text.startswith("Quyết định biên chế")
    assert body.articles[0].clauses[0].number is None  # an article without numbered clauses


def test_closing_formula_and_signature_are_not_article_text() -> None:
    body = parse_text(SAMPLE)

    last = body.articles[-1]
    assert "Nguyễn Thị Kim Ngân" not in last.text
    assert "thông qua" not in last.text
    assert body.closing[-1] == "Nguyễn Thị Kim Ngân"


def test_metadata_is_read_from_the_text() -> None:
    body = parse_text(SAMPLE)
    meta = read_metadata(body.preamble, body.closing, body.articles)

    assert meta.doc_type == "Luật"
    assert meta.name == "Luật Thanh niên"
    assert meta.number == "57/2020/QH14"
    assert meta.issuer == "Quốc hội"
    assert meta.issued == date(2020, 6, 16)
    assert meta.effective == date(2021, 1, 1)
    assert meta.year == 2020


def test_numbering_variants_are_headings() -> None:
    text = "Điều 1. Một\nA.\nĐiều 2: Hai\nB.\nĐiều 3 . Ba\nC.\nĐiều 4 - Bốn\nD.\nĐIỀU 5. Năm\nE."

    assert headings(parse_text(text)) == [
        ("1", "Một"),
        ("2", "Hai"),
        ("3", "Ba"),
        ("4", "Bốn"),
        ("5", "Năm"),
    ]


def test_article_without_title_as_in_the_constitution() -> None:
    body = parse_text("Điều 1\nNước Cộng hòa xã hội chủ nghĩa Việt Nam là một nước độc lập.")

    assert headings(body) == [("1", "")]
    assert body.articles[0].text.startswith("Nước Cộng hòa")


def test_a_sentence_starting_with_dieu_is_not_a_heading() -> None:
    text = (
        "Điều 1. Phạm vi\nNội dung.\nĐiều 7 của Luật này không áp dụng cho trường hợp trên.\n"
        "Điều 2. Đối tượng\nNội dung."
    )
    body = parse_text(text)

    assert headings(body) == [("1", "Phạm vi"), ("2", "Đối tượng")]
    assert "Điều 7 của Luật này" in body.articles[0].text


def test_numbers_in_text_are_not_clauses() -> None:
    text = (
        "Điều 1. Mức phạt\n1. Phạt tiền từ\n1.000.000 đồng đến 2.000.000 đồng.\n"
        "5. Dòng này không phải khoản 5.\n2. Khoản hai."
    )
    clauses = parse_text(text).articles[0].clauses

    assert [c.number for c in clauses] == ["1", "2"]
    assert "1.000.000 đồng" in clauses[0].text
    assert "Dòng này không phải khoản 5" in clauses[0].text


def test_amended_clause_numbers_with_letters() -> None:
    clauses = split_clauses("1. Một.\n2. Hai.\n2a. Hai a.\n3. Ba.")

    assert [c.number for c in clauses] == ["1", "2", "2a", "3"]


def test_parts_chapters_and_sections() -> None:
    text = (
        "PHẦN THỨ NHẤT\nQUY ĐỊNH CHUNG\nChương I\nNHỮNG QUY ĐỊNH CHUNG\n"
        "Mục 1. NĂNG LỰC PHÁP LUẬT\nĐiều 1. Một\nNội dung.\nChương II. CÁ NHÂN\nĐiều 2. Hai\nB."
    )
    first, second = parse_text(text).articles

    assert first.part == "Phần THỨ NHẤT. QUY ĐỊNH CHUNG"
    assert first.chapter == "Chương I. NHỮNG QUY ĐỊNH CHUNG"
    assert first.section == "Mục 1. NĂNG LỰC PHÁP LUẬT"
    assert second.chapter == "Chương II. CÁ NHÂN"
    assert second.section == ""  # a new chapter closes the section


def test_words_like_muc_tieu_and_chuong_trinh_are_not_divisions() -> None:
    text = "Điều 1. Một\nMục tiêu của giáo dục là phát triển toàn diện.\nChương trình giáo dục."

    article = parse_text(text).articles[0]
    assert article.section == "" and article.chapter == ""
    assert "Mục tiêu" in article.text and "Chương trình" in article.text


def test_stray_line_breaks_inside_sentences_are_joined() -> None:
    body_text = parse_text(SAMPLE).articles[1].text
    wrapped = "\n".join(textwrap.wrap(body_text, 40))
    body = parse_text(f"Điều 2: Phạm vi điều chỉnh\n{wrapped}\nĐiều 3. Đối tượng\nNội dung.")

    assert "\n" in wrapped
    assert body.articles[0].text == body_text
    assert body.articles[0].title == "Phạm vi điều chỉnh"


def test_heading_wrapped_over_two_lines() -> None:
    body = parse_text(
        "Điều 43. Xem xét thỏa thuận trọng tài vô hiệu, thỏa thuận\n"
        "không thể thực hiện được\nNội dung."
    )

    assert body.articles[0].title.endswith("thỏa thuận không thể thực hiện được")
    assert body.articles[0].text == "Nội dung."


def test_decomposed_unicode_and_look_alike_letters() -> None:
    decomposed = unicodedata.normalize("NFD", SAMPLE)
    eth = SAMPLE.replace("Điều", "\u00d0iều")  # Ð (Icelandic eth) from old encodings

    assert headings(parse_text(decomposed)) == headings(parse_text(SAMPLE))
    assert headings(parse_text(eth)) == headings(parse_text(SAMPLE))
    assert parse_text(decomposed).articles[3].text == parse_text(SAMPLE).articles[3].text


def test_windows_line_endings_page_numbers_and_invisible_characters() -> None:
    messy = SAMPLE.replace("\n", "\r\n").replace("Điều 3 .", "- 2 -\r\nĐiều 3 .")
    messy = messy.replace("thanh niên;", "thanh\u00a0niên;\u200b")

    assert headings(parse_text(messy)) == headings(parse_text(SAMPLE))
    assert "- 2 -" not in parse_text(messy).articles[1].text


def test_table_rows_stay_rows() -> None:
    lines = logical_lines("Điều 1. Bảng\nMức phạt như sau:\nHành vi | Mức phạt\nA | 1 triệu")

    assert lines[-2:] == ["Hành vi | Mức phạt", "A | 1 triệu"]


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    body = [line for line in SAMPLE.splitlines() if line.strip()]
    pages = [
        ["CÔNG BÁO/Số 12/Ngày 01-07-2020", *body[i * 8 : i * 8 + 8], str(i + 1)] for i in range(4)
    ]

    cleaned = strip_page_furniture(pages)
    assert cleaned == [page[1:-1] for page in pages]


def test_repair_keeps_lines() -> None:
    assert repair("a\u00a0 b\r\nc\td") == "a b\nc d"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parser_never_fails_on_any_text(text: str) -> None:
    body = parse_text(text)
    for article in body.articles:
        assert article.number
