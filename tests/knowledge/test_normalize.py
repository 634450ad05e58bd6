"""Normalization: examples, abbreviation rules, and properties over arbitrary text."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import normalize as normalize_module
from knowledge.normalize import (
    Abbreviations,
    Normalizer,
    _fold_words,
    clean,
    fold,
    fold_words,
    normalize,
)
from knowledge.paths import bundled_data_dir


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đội MŨ bảo hiểm!!!", "doi mu bao hiem"),
        ("Hs lớp 10 đi xe máy có bị phạt ko?", "hoc sinh lop 10 di xe may co bi phat khong"),
        ("bn tuổi đc lái xe", "bao nhieu tuoi duoc lai xe"),
        ("bn ơi cho mk hỏi", "ban oi cho minh hoi"),
        ("Sở GD&ĐT", "so giao duc dao tao"),
        ("BLHS điều 12", "bo luat hinh su dieu 12"),
        ("ATGT cho hs", "an toan giao thong cho hoc sinh"),
        ("nón bảo hiểm", "mu bao hiem"),
        ("", ""),
        ("   \t\n ", ""),
        ("😀🙏", ""),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("học kì 1", "Học kỳ 1"),
        ("vật lí", "Vật lý"),
        ("qui định", "quy định"),
        ("kĩ năng sống", "kỹ năng sống"),
        ("mĩ thuật", "mỹ thuật"),
        ("một tỉ đồng", "một tỷ đồng"),
        ("hi sinh", "hy sinh"),
    ],
)
def test_i_and_y_spellings_of_a_syllable_meet(one: str, other: str) -> None:
    assert normalize(one) == normalize(other)


@pytest.mark.parametrize("word", ["y tế", "uy tín", "tay", "quyết định", "yêu"])
def test_y_inside_a_syllable_or_alone_is_kept(word: str) -> None:
    assert normalize(word) == fold(word) and "y" in normalize(word)


def test_ny_stays_chat_for_nguoi_yeu() -> None:
    assert normalize("ny e") == "nguoi yeu em"


def test_decomposed_input_equals_composed() -> None:
    composed = "Người chưa thành niên được làm thêm không?"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert normalize(decomposed) == normalize(composed)


def test_other_scripts_keep_their_letters() -> None:
    assert fold("Привет, мир!") == "привет мир"


def test_clean_removes_controls_and_composes() -> None:
    text = unicodedata.normalize("NFD", "Xin\x00 chào\u200b\r\n bạn\x1b[31m")
    cleaned = clean(text)
    assert cleaned == unicodedata.normalize("NFC", cleaned)
    assert "\x00" not in cleaned and "\x1b" not in cleaned
    assert cleaned.startswith("Xin chào")


def test_bundled_rules_load() -> None:
    rules = Abbreviations.load(bundled_data_dir() / "abbreviations.yaml")
    assert rules.tokens["ko"] == "khong"
    assert "gddt" in rules.tokens


def test_rules_that_would_expand_twice_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("tokens:\n  ko: khong\n  hs: hoc sinh ko\n", encoding="utf-8")
    with pytest.raises(ValueError, match="contains key"):
        Abbreviations.load(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("con trai 17t có phải đi nghĩa vụ", "con trai 17 tuoi co phai di nghia vu"),
        ("e gái 4t ngồi sau xe", "em gai 4 tuoi ngoi sau xe"),
        ("góp 5tr, mỗi trận 30k", "gop 5 trieu moi tran 30 nghin"),
        ("làm thêm 4h/ngày", "lam them 4 gio ngay"),
        ("xe 50cc, bằng A1, Điều 12", "xe 50cc bang a1 dieu 12"),
    ],
)
def test_numbers_typed_with_their_unit(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_a_unit_rule_must_be_letters(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("units:\n  t: '17'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="letters only"):
        Abbreviations.load(path)


def test_multiword_token_rule_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("tokens:\n  sao z: sao vay\n", encoding="utf-8")
    with pytest.raises(ValueError, match="one word"):
        Abbreviations.load(path)


def test_custom_rules_apply() -> None:
    rules = Abbreviations(tokens={"xm": "xe may"}, phrases={"xe moto": "xe may"})
    normalizer = Normalizer(rules)
    assert normalizer("XM hay xe moto?") == "xe may hay xe may"


_PIECES = (
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợ")
    + list("ùủũúụừửữứựỳỷỹýỵĐÂ0123456789 .,?!&-/")
    + ["ko ", " đc ", "bn ", " hs", "gv", "GD&ĐT", "nón bảo hiểm", "\u0301", "\u0323", "\n"]
)
vietnamese_text = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalize_is_idempotent_on_any_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(vietnamese_text)
def test_normalize_is_idempotent_on_vietnamese_like_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_clean_is_idempotent_and_nfc(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert unicodedata.normalize("NFC", once) == once


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=120), vietnamese_text))
def test_folding_token_by_token_gives_the_words_of_folding_the_whole_text(text: str) -> None:
    # fold_words memoizes each whitespace-separated token; the memo must change nothing.
    assert fold_words(text) == _fold_words(text)
    assert fold_words(text) == _fold_words(text)  # second time from the memo


def test_the_token_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize_module, "TOKEN_MEMO_LIMIT", 100)
    monkeypatch.setattr(normalize_module, "_TOKEN_MEMO", {})

    words = fold_words(" ".join(f"từ{i}" for i in range(1_000)))

    assert words[:2] == ["tu0", "tu1"] and len(words) == 1_000
    assert len(normalize_module._TOKEN_MEMO) <= 100
