"""Reading documents from files: text, Word and PDF, and refusing what cannot be read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from knowledge.documents.errors import DocumentError
from knowledge.documents.importer import Overrides, read_documents
from knowledge.documents.readers import MAX_FILE_BYTES
from knowledge.documents.structure import LegalDocument
from tests.fixtures.documents.files import SAMPLE, SAMPLE_FILE, sample_docx, sample_pdf
from tests.fixtures.documents.minipdf import image_pdf

EXPECTED = ["1", "2", "3", "4", "40", "41"]


def read_one(path: Path, overrides: Overrides | None = None) -> LegalDocument:
    (document,) = read_documents([path], {}, overrides)
    return document


def test_plain_text_file() -> None:
    document = read_one(SAMPLE_FILE)

    assert [a.number for a in document.articles] == EXPECTED
    assert document.meta.number == "57/2020/QH14"
    assert document.meta.name == "Luật Thanh niên"
    assert document.meta.source == SAMPLE_FILE.name


def test_utf16_text_file(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_text(SAMPLE, encoding="utf-16")

    assert [a.number for a in read_one(path).articles] == EXPECTED


def test_word_file_with_table_header_and_footer(tmp_path: Path) -> None:
    document = read_one(sample_docx(tmp_path / "law.docx"))

    assert [a.number for a in document.articles] == EXPECTED
    article_4 = document.articles[3]
    assert "Độ tuổi | Nhóm" in article_4.clauses[-1].text
    assert "16-30 | Thanh niên" in article_4.clauses[-1].text
    assert all("CÔNG BÁO" not in a.text for a in document.articles)
    assert document.meta.effective is not None and document.meta.effective.year == 2021


def test_text_pdf_with_running_header_and_page_numbers(tmp_path: Path) -> None:
    document = read_one(sample_pdf(tmp_path / "law.pdf"))
    from_text = read_one(SAMPLE_FILE)

    assert [a.number for a in document.articles] == EXPECTED
    assert [a.title for a in document.articles] == [a.title for a in from_text.articles]
    assert [a.text for a in document.articles] == [a.text for a in from_text.articles]
    assert document.meta.number == "57/2020/QH14"


def test_overrides_win(tmp_path: Path) -> None:
    document = read_one(SAMPLE_FILE, Overrides(name="Luật Thanh niên (trích)", status="amended"))

    assert document.meta.name == "Luật Thanh niên (trích)"
    assert document.meta.status == "amended"


def test_a_known_number_takes_the_catalog_metadata() -> None:
    from knowledge.documents.catalog import load_catalog
    from knowledge.paths import bundled_data_dir

    catalog = load_catalog(bundled_data_dir() / "documents" / "documents.yaml").by_number()
    (document,) = read_documents([SAMPLE_FILE], catalog)

    assert document.meta.status_label == "several sources"
    assert document.meta.effective is not None


# Bad input: every error names the file and the problem ------------------------------------


def assert_refused(path: Path, *words: str) -> None:
    with pytest.raises(DocumentError) as raised:
        read_documents([path], {})
    message = str(raised.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_refused(path, "empty")


def test_blank_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\n ", encoding="utf-8")
    assert_refused(path, "no text")


def test_not_a_legal_document(tmp_path: Path) -> None:
    path = tmp_path / "recipe.txt"
    path.write_text("Cách nấu phở bò.\nBước 1: ninh xương.\nBước 2: thái thịt.", encoding="utf-8")
    assert_refused(path, "no articles", "legal document")


def test_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written to disk
    assert_refused(path, "too large")


def test_not_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_bytes(SAMPLE.encode("utf-8")[:200] + b"\xff\xfe\xfa" + b"abc")
    assert_refused(path, "not UTF-8")


def test_binary_data_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_bytes(b"\x00\x01\x02binary\x00")
    assert_refused(path, "binary")


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf(3))
    assert_refused(path, "no text layer", "OCR")


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "law.pdf"
    path.write_text(SAMPLE, encoding="utf-8")
    assert_refused(path, "not a PDF")


def test_broken_pdf(tmp_path: Path) -> None:
    path = tmp_path / "law.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"garbage " * 100)
    with pytest.raises(DocumentError) as raised:
        read_documents([path], {})
    assert str(path) in str(raised.value)


def test_word_file_with_tracked_changes(tmp_path: Path) -> None:
    path = sample_docx(tmp_path / "law.docx")
    document = docx.Document(str(path))
    inserted = OxmlElement("w:ins")
    inserted.set(qn("w:id"), "1")
    inserted.set(qn("w:author"), "Pháp chế")
    inserted.set(qn("w:date"), "2026-01-01T00:00:00Z")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "nội dung sửa đổi"
    run.append(text)
    inserted.append(run)
    document.paragraphs[20]._p.append(inserted)
    document.save(str(path))

    assert_refused(path, "tracked changes")


def test_not_a_word_file(tmp_path: Path) -> None:
    path = tmp_path / "law.docx"
    path.write_text(SAMPLE, encoding="utf-8")
    assert_refused(path, "not a valid .docx")


def test_zip_that_is_not_a_word_file(tmp_path: Path) -> None:
    path = tmp_path / "law.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("hello.txt", "xin chào")
    assert_refused(path, "no word/document.xml")


def test_old_word_and_other_formats(tmp_path: Path) -> None:
    old = tmp_path / "law.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0 old word")
    other = tmp_path / "law.odt"
    other.write_bytes(b"PK")

    assert_refused(old, ".doc", ".docx")
    assert_refused(other, "unsupported file type")


def test_missing_file(tmp_path: Path) -> None:
    assert_refused(tmp_path / "nowhere.txt", "no such file")


def test_document_without_number(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_text(SAMPLE.replace("Luật số: 57/2020/QH14", ""), encoding="utf-8")

    assert_refused(path, "--number")
    assert read_one(path, Overrides(number="57/2020/QH14")).meta.number == "57/2020/QH14"


def test_duplicate_article_numbers(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_text(SAMPLE.replace("Điều 41.", "Điều 40."), encoding="utf-8")
    assert_refused(path, "Điều 40 appears more than once")


def test_bad_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text(
        '{"law": "Luật A", "number": "1/2020/QH14", "article": "1", "text": "Nội dung."}\n'
        "not json\n"
        '{"law": "Luật A", "article": "2", "text": "Thiếu số hiệu."}\n',
        encoding="utf-8",
    )
    assert_refused(path, "line 2: not JSON", "line 3: missing number")


def test_one_bad_file_stops_the_whole_read(tmp_path: Path) -> None:
    good = tmp_path / "a_good.txt"
    good.write_text(SAMPLE, encoding="utf-8")
    bad = tmp_path / "b_bad.txt"
    bad.write_bytes(b"")

    with pytest.raises(DocumentError, match=r"b_bad\.txt"):
        read_documents([tmp_path], {})
