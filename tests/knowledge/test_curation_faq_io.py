"""FAQ files (knowledge.faq_io): YAML, CSV and XLSX round trips, encodings from Windows and
Excel, and every kind of bad row reported with its place while nothing is accepted."""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from knowledge.content import load_topics
from knowledge.content_schema import FaqEntryData
from knowledge.curation.citations import CitationChecker, bundled_known_documents
from knowledge.curation.validation import EntryChecker
from knowledge.faq_io import (
    COLUMNS,
    MAX_FILE_BYTES,
    FileFormat,
    decode,
    export_bytes,
    plan_import,
    read_faq_file,
)
from knowledge.paths import bundled_data_dir
from tests.conftest import SAMPLE_ENTRIES
from tests.knowledge.curation_support import windows_1258

EDUCATION = "43/2019/QH14"
OLD_LAW = "38/2005/QH11"


@pytest.fixture(scope="module")
def checker() -> EntryChecker:
    """Bundled topics; the known list plus a small document base with articles."""
    names = dict(bundled_known_documents()) | {
        EDUCATION: "Luật Giáo dục",
        OLD_LAW: "Luật Giáo dục 2005",
    }
    citations = CitationChecker(
        names,
        articles={EDUCATION: {"1", "83"}, OLD_LAW: {"1"}},
        status={EDUCATION: "in force", OLD_LAW: "replaced"},
    )
    return EntryChecker({t.code for t in load_topics(bundled_data_dir())}, citations)


def entries() -> list[FaqEntryData]:
    return [FaqEntryData.model_validate(e) for e in SAMPLE_ENTRIES]


def raw_entries() -> list[dict[str, Any]]:
    return copy.deepcopy(SAMPLE_ENTRIES)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


def table(data: list[FaqEntryData]) -> list[list[str]]:
    """Header and rows of a CSV export, as strings."""
    text = export_bytes(data, FileFormat.csv).decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


# Round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_an_export_reads_back_to_the_same_entries(
    fmt: FileFormat, tmp_path: Path, checker: EntryChecker
) -> None:
    path = write(tmp_path, f"faq.{fmt.value}", export_bytes(entries(), fmt))
    result = read_faq_file(path, checker)
    assert result.errors == [] and result.warnings == []
    assert [e.model_dump() for e in result.entries] == [e.model_dump() for e in entries()]
    plan = plan_import(result.entries, entries())
    assert (plan.created, plan.updated, len(plan.unchanged)) == ([], [], 3)


def test_the_bundled_faq_reads_back_cleanly_from_a_spreadsheet(
    tmp_path: Path, checker: EntryChecker
) -> None:
    from knowledge.content import load_faq

    bundled = load_faq(bundled_data_dir())
    # The document base of this checker is small: the bundled FAQ's laws come from the
    # catalog, so their numbers are known (articles of the full base are checked elsewhere).
    from knowledge.documents.catalog import load_catalog

    catalog = load_catalog(bundled_data_dir() / "documents" / "documents.yaml").by_number()
    names = checker.citations.names | {n: c.name for n, c in catalog.items()}
    full = EntryChecker(checker.topics, CitationChecker(names))
    path = write(tmp_path, "all.xlsx", export_bytes(bundled, FileFormat.xlsx))
    result = read_faq_file(path, full)
    assert result.errors == []
    assert len(result.entries) == len(bundled) >= 240


def test_the_csv_export_is_utf8_with_a_bom_and_a_fixed_header() -> None:
    data = export_bytes(entries(), FileFormat.csv)
    assert data.startswith(b"\xef\xbb\xbf")
    header, first = table(entries())[:2]
    assert header == COLUMNS
    assert first[3].split("\n")[0] == "Bao nhiêu tuổi thì được đi xe gắn máy?"
    assert first[5] == "Luật Trật tự, an toàn giao thông đường bộ | 36/2024/QH15 | 59"


def test_a_plan_names_new_and_changed_entries_and_their_fields() -> None:
    stored = entries()
    changed = stored[1].model_copy(update={"audience": "everyone"})
    new = stored[0].model_copy(update={"id": "t01-moi-hoan-toan"})
    plan = plan_import([stored[0], changed, new], stored)
    assert [e.id for e in plan.created] == ["t01-moi-hoan-toan"]
    assert [(e.id, fields) for e, fields in plan.updated] == [("t02-mu-bao-hiem", ["audience"])]
    assert [e.id for e in plan.unchanged] == ["t01-tuoi-xe-gan-may"]


# Encodings ----------------------------------------------------------------------------------

QUESTION = "Học sinh có được dùng điện thoại trong giờ học không? “ngoặc” – ỗ Ợ ệ"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (QUESTION.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + QUESTION.encode("utf-8"), "utf-8-sig"),
        (QUESTION.encode("utf-16"), "utf-16-le"),
        (b"\xfe\xff" + QUESTION.encode("utf-16-be"), "utf-16-be"),
        (QUESTION.encode("utf-16-le"), "utf-16-le"),
        (b"\xff\xfe\x00\x00" + QUESTION.encode("utf-32-le"), "utf-32-le"),
        (windows_1258(QUESTION), "windows-1258"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16-no-bom", "utf32", "cp1258"],
)
def test_text_is_decoded_and_normalised_to_nfc(data: bytes, encoding: str) -> None:
    assert decode(data) == (QUESTION, encoding)


def test_a_decomposed_utf8_file_is_normalised_to_nfc() -> None:
    import unicodedata

    assert decode(unicodedata.normalize("NFD", QUESTION).encode())[0] == QUESTION


def test_a_windows_1258_csv_from_excel_imports(tmp_path: Path, checker: EntryChecker) -> None:
    rows = table(entries())
    path = write(tmp_path, "excel.csv", windows_1258(csv_text(rows, ";")))
    result = read_faq_file(path, checker)
    assert result.errors == [] and result.encoding == "windows-1258"
    assert (
        result.entries[2].questions[0] == "Học sinh có được dùng điện thoại trong giờ học không?"
    )


def test_a_utf16_tab_separated_file_from_excel_imports(
    tmp_path: Path, checker: EntryChecker
) -> None:
    path = write(tmp_path, "unicode.txt", csv_text(table(entries()), "\t").encode("utf-16"))
    result = read_faq_file(path, checker)
    assert result.errors == [] and len(result.entries) == 3


def test_undecodable_bytes_are_named(tmp_path: Path, checker: EntryChecker) -> None:
    path = write(tmp_path, "bad.csv", b"id,topic\n\x81\x8a\x8d\x9e\n")
    (problem,) = read_faq_file(path, checker).errors
    assert problem.file == str(path) and "unknown text encoding" in problem.message


# Every kind of bad row, all reported at once -----------------------------------------------


def test_every_problem_of_a_spreadsheet_is_reported_with_row_and_field(
    tmp_path: Path, checker: EntryChecker
) -> None:
    header, *rows = table(entries())
    extra = list(rows[0])
    rows[0][4] = "Trả lời. " + "x" * 1600 + "\nCăn cứ: Luật Giáo dục số 43/2019/QH14."
    rows[1][5] = "Luật Ma | 99/2099/QH99 | 1"
    rows[2][0] = rows[1][0]
    rows[2][1] = "T99"
    extra[0], extra[3] = "t01-it-cach-hoi", "một\nhai"
    extra[5] = "Luật Giáo dục | 43/2019/QH14 | 999"
    extra[2] = "parents"
    path = write(tmp_path, "bad.csv", csv_text([header, *rows, extra]).encode())

    result = read_faq_file(path, checker)
    found = {(p.item, p.field): p.message for p in result.errors}
    assert found == {
        ("row 2 (t01-tuoi-xe-gan-may)", "answer"): "String should have at most 1500 characters",
        ("row 3 (t02-mu-bao-hiem)", "sources.0.number"): found[
            ("row 3 (t02-mu-bao-hiem)", "sources.0.number")
        ],
        ("row 4 (t02-mu-bao-hiem)", "topic"): "unknown topic T99 (known: T01, …, T40)",
        ("row 4 (t02-mu-bao-hiem)", "id"): "duplicate id (first used at row 3)",
        ("row 5 (t01-it-cach-hoi)", "audience"): found[("row 5 (t01-it-cach-hoi)", "audience")],
        ("row 5 (t01-it-cach-hoi)", "questions"): (
            "List should have at least 4 items after validation, not 2"
        ),
    }
    assert (
        "unknown document '99/2099/QH99'" in found[("row 3 (t02-mu-bao-hiem)", "sources.0.number")]
    )
    assert "'students', 'staff' or 'everyone'" in found[("row 5 (t01-it-cach-hoi)", "audience")]
    assert {p.file for p in result.errors} == {str(path)}
    assert result.entries[:1] == []


def test_an_article_missing_from_the_document_base_is_an_error(
    tmp_path: Path, checker: EntryChecker
) -> None:
    raw = raw_entries()[:1]
    raw[0]["sources"] = [{"document": "Luật Giáo dục", "number": EDUCATION, "article": "999"}]
    path = write(tmp_path, "a.yaml", yaml.safe_dump({"entries": raw}, allow_unicode=True).encode())
    (problem,) = read_faq_file(path, checker).errors
    assert (problem.item, problem.field) == (
        "line 2 (entry 1) (t01-tuoi-xe-gan-may)",
        "sources.0.number",
    )
    assert problem.message == "43/2019/QH14 has no Điều 999 in the document base"


def test_citing_a_replaced_law_is_a_warning_not_an_error(
    tmp_path: Path, checker: EntryChecker
) -> None:
    raw = raw_entries()[:1]
    raw[0]["sources"] = [{"document": "Luật Giáo dục", "number": OLD_LAW, "article": "1"}]
    path = write(tmp_path, "a.yaml", yaml.safe_dump({"entries": raw}, allow_unicode=True).encode())
    result = read_faq_file(path, checker)
    assert result.errors == [] and len(result.entries) == 1
    assert "replaced" in result.warnings[0].message


def test_a_typed_citation_in_a_cell_is_understood(tmp_path: Path, checker: EntryChecker) -> None:
    header, *rows = table(entries()[:1])
    rows[0][5] = "Điều 59 Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15"
    result = read_faq_file(write(tmp_path, "a.csv", csv_text([header, *rows]).encode()), checker)
    assert result.errors == []
    assert result.entries[0].sources[0].number == "36/2024/QH15"
    assert result.entries[0].sources[0].article == "59"


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        (b"entries:\n  - id: [unclosed\n", "line 3", "invalid YAML"),
        (b"just a string\n", "-", "expected a list of entries"),
        (b"", "-", "the file is empty"),
        (b"a: &x [1, 2]\nb: *x\n", "line 1", "anchors and aliases are not allowed"),
        (b"[" * 5000 + b"]" * 5000, "-", "nested too deeply"),
    ],
    ids=["unclosed", "not-a-list", "empty", "alias", "deep"],
)
def test_malformed_yaml_is_named(
    tmp_path: Path, checker: EntryChecker, content: bytes, where: str, message: str
) -> None:
    result = read_faq_file(write(tmp_path, "x.yaml", content), checker)
    (problem,) = result.errors
    assert problem.item == where and message in problem.message


def test_an_entry_that_is_not_a_mapping_is_named(tmp_path: Path, checker: EntryChecker) -> None:
    path = write(tmp_path, "x.yaml", b"entries:\n  - just text\n  - 42\n")
    result = read_faq_file(path, checker)
    assert [(p.item, p.message) for p in result.errors] == [
        ("line 2 (entry 1)", "expected a mapping of fields"),
        ("line 3 (entry 2)", "expected a mapping of fields"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,topic,colour\n", "unknown column(s) colour"),
        (b"id,topic,audience,questions,answer\n", "missing column(s) sources"),
        (b"id,id,topic,audience,questions,answer,sources\n", "column(s) given twice: id"),
        (b'id,topic,audience,questions,answer,sources\n"unclosed\n', "malformed CSV"),
        (b"\n\n", "no header row"),
    ],
    ids=["unknown-column", "missing-column", "twice", "quote", "empty"],
)
def test_malformed_csv_is_named(
    tmp_path: Path, checker: EntryChecker, content: bytes, message: str
) -> None:
    (problem,) = read_faq_file(write(tmp_path, "x.csv", content), checker).errors
    assert message in problem.message


def test_control_characters_in_a_cell_are_an_error(tmp_path: Path, checker: EntryChecker) -> None:
    header, *rows = table(entries()[:1])
    rows[0][4] = rows[0][4].replace("Từ đủ", "Từ\x00 đủ\x1b[31m")
    result = read_faq_file(write(tmp_path, "x.csv", csv_text([header, *rows]).encode()), checker)
    assert [(p.item, p.field, p.message) for p in result.errors] == [
        ("row 2 (t01-tuoi-xe-gan-may)", "answer", "contains control characters")
    ]


def test_cells_beyond_the_header_are_an_error(tmp_path: Path, checker: EntryChecker) -> None:
    header, *rows = table(entries()[:1])
    rows[0].append("stray")
    result = read_faq_file(write(tmp_path, "x.csv", csv_text([header, *rows]).encode()), checker)
    assert [(p.item, p.message) for p in result.errors] == [
        ("row 2 (t01-tuoi-xe-gan-may)", "cells beyond the last named column")
    ]


def test_vietnamese_headers_are_accepted(tmp_path: Path, checker: EntryChecker) -> None:
    header, *rows = table(entries())
    vietnamese = ["Mã", "Chủ đề", "Đối tượng", "Câu hỏi", "Trả lời", "Căn cứ", *header[6:]]
    path = write(tmp_path, "vi.csv", csv_text([vietnamese, *rows]).encode())
    assert read_faq_file(path, checker).errors == []


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path, checker: EntryChecker) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)
    (problem,) = read_faq_file(path, checker).errors
    assert "at most 20 MB" in problem.message


def test_too_many_rows_are_refused(tmp_path: Path, checker: EntryChecker) -> None:
    header = ",".join(COLUMNS) + "\n"
    path = write(tmp_path, "many.csv", (header + "x,T01\n" * 5001).encode())
    (problem,) = read_faq_file(path, checker).errors
    assert problem.item == "row 5002" and "more than 5000 entries" in problem.message


def test_unknown_and_mislabelled_file_types_are_refused(
    tmp_path: Path, checker: EntryChecker
) -> None:
    (odd,) = read_faq_file(write(tmp_path, "x.pdf", b"%PDF"), checker).errors
    assert "use .yaml, .csv or .xlsx" in odd.message
    xlsx = export_bytes(entries(), FileFormat.xlsx)
    (renamed,) = read_faq_file(write(tmp_path, "x.csv", xlsx), checker).errors
    assert "rename it .xlsx" in renamed.message


def test_a_damaged_workbook_is_named(tmp_path: Path, checker: EntryChecker) -> None:
    data = export_bytes(entries(), FileFormat.xlsx)
    (cut,) = read_faq_file(write(tmp_path, "cut.xlsx", data[: len(data) // 2]), checker).errors
    assert "not an XLSX workbook" in cut.message
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    (other,) = read_faq_file(write(tmp_path, "zip.xlsx", buffer.getvalue()), checker).errors
    assert "not a readable XLSX workbook" in other.message


def test_a_zip_bomb_is_refused_unopened(tmp_path: Path, checker: EntryChecker) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (101 * 1024 * 1024))
    (problem,) = read_faq_file(write(tmp_path, "bomb.xlsx", buffer.getvalue()), checker).errors
    assert "unpacks to more than 100 MB" in problem.message


def test_a_workbook_from_excel_with_numbers_and_blank_rows_imports(
    tmp_path: Path, checker: EntryChecker
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([])
    for row in table(entries()):
        sheet.append(row)
    sheet.append([None] * len(COLUMNS))
    path = tmp_path / "excel.xlsx"
    workbook.save(path)
    result = read_faq_file(path, checker)
    assert result.errors == [] and len(result.entries) == 3
    assert load_workbook(path).active is not None
