"""FAQ files as raw rows, before validation: decoding, YAML documents, CSV and XLSX tables.

Spreadsheet columns (the first row is the header; Vietnamese headers are accepted too):

- ``id``, ``topic``, ``audience``, ``answer``, ``status``, ``review``, ``review_note``;
- ``questions``: one phrasing per line in the cell, the main question first;
- ``sources``: one legal basis per line, as ``document | number | article | clause`` or typed
  as printed (``Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 1``).

Text files may come from Excel on Windows: a BOM selects UTF-8, UTF-16 or UTF-32; without
one, UTF-8 is tried and then Windows-1258 (Vietnamese), and everything is normalised to NFC.
Whatever makes a whole file unreadable (size, format, encoding, YAML syntax, a missing
column) raises :class:`FileProblem` naming the place.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL_CHARS = 20_000
MAX_YAML_NODES = 500_000

COLUMNS = [
    "id",
    "topic",
    "audience",
    "questions",
    "answer",
    "sources",
    "status",
    "review",
    "review_note",
]
REQUIRED_COLUMNS = {"id", "topic", "audience", "questions", "answer", "sources"}
HEADER_ALIASES = {
    "mã": "id",
    "chủ đề": "topic",
    "đối tượng": "audience",
    "câu hỏi": "questions",
    "trả lời": "answer",
    "câu trả lời": "answer",
    "căn cứ": "sources",
    "trạng thái": "status",
    "rà soát": "review",
    "ghi chú rà soát": "review_note",
}

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class FileFormat(StrEnum):
    """File formats of import and export."""

    yaml = "yaml"
    csv = "csv"
    xlsx = "xlsx"

    @classmethod
    def of(cls, path: Path) -> FileFormat | None:
        """The format a file name says, or None."""
        suffix = path.suffix.lower().lstrip(".")
        aliases = {"yml": "yaml", "tsv": "csv", "txt": "csv"}
        suffix = aliases.get(suffix, suffix)
        return cls(suffix) if suffix in cls.__members__ else None


@dataclass(frozen=True)
class RawRow:
    """One entry as read from a file, before validation; ``where`` names its place."""

    where: str
    data: Any
    table: bool = False


class FileProblem(Exception):
    """The file as a whole cannot be read (format, size, encoding)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where


# Decoding ---------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Text of a file and the encoding used, NFC-normalised; raises FileProblem."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise FileProblem("-", f"invalid {encoding} text at byte {exc.start}") from exc
            return unicodedata.normalize("NFC", text), encoding
    head = data[:4000]
    if head and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a BOM: NULs in every other byte of ASCII text.
        encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        try:
            return unicodedata.normalize("NFC", data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            raise FileProblem("-", "binary data, not a text file") from exc
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258")), "windows-1258"
    except UnicodeDecodeError as exc:
        raise FileProblem(
            "-", f"unknown text encoding (not UTF-8, UTF-16 or Windows-1258; byte {exc.start})"
        ) from exc


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileProblem(
                "-", f"file is {size // (1024 * 1024)} MB; at most {MAX_FILE_BYTES // 2**20} MB"
            )
        return path.read_bytes()
    except OSError as exc:
        raise FileProblem("-", f"cannot read the file: {exc.strerror}") from exc


# YAML -------------------------------------------------------------------------------------


def _yaml_rows(text: str) -> list[RawRow]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise FileProblem("-", "the file is empty")
        _check_yaml_nodes(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else "-"
        raise FileProblem(where, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise FileProblem("-", f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise FileProblem("-", "YAML nested too deeply") from exc
    finally:
        loader.dispose()

    items, item_nodes = _entries_of(data, node)
    rows = []
    for i, (item, item_node) in enumerate(zip(items, item_nodes, strict=True)):
        rows.append(RawRow(f"line {item_node.start_mark.line + 1} (entry {i + 1})", item))
    return rows


def _entries_of(data: Any, node: yaml.Node) -> tuple[list[Any], list[yaml.Node]]:
    if isinstance(data, list) and isinstance(node, yaml.SequenceNode):
        return data, list(node.value)
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        assert isinstance(node, yaml.MappingNode)
        for key, value in node.value:
            if key.value == "entries" and isinstance(value, yaml.SequenceNode):
                return data["entries"], list(value.value)
    raise FileProblem("-", "expected a list of entries under 'entries:'")


def _check_yaml_nodes(root: yaml.Node) -> None:
    """Refuse anchors/aliases (a few lines can expand to gigabytes) and huge documents."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise FileProblem(
                f"line {node.start_mark.line + 1}", "YAML anchors and aliases are not allowed"
            )
        seen.add(id(node))
        if len(seen) > MAX_YAML_NODES:
            raise FileProblem("-", "the YAML file has too many items")
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


# Spreadsheets -----------------------------------------------------------------------------


def _header(cells: Sequence[Any]) -> list[str]:
    names = []
    for cell in cells:
        name = " ".join(str(cell or "").split()).casefold()
        names.append(HEADER_ALIASES.get(name, name.replace(" ", "_")))
    return names


def _check_header(names: list[str]) -> None:
    unknown = [n for n in names if n and n not in COLUMNS]
    missing = sorted(REQUIRED_COLUMNS - set(names))
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if duplicated:
        problems.append(f"column(s) given twice: {', '.join(duplicated)}")
    if problems:
        raise FileProblem("row 1", "; ".join(problems) + f" (columns are: {', '.join(COLUMNS)})")


def _table_rows(table: Iterable[Sequence[Any]]) -> list[RawRow]:
    rows: list[RawRow] = []
    names: list[str] | None = None
    for number, cells in enumerate(table, start=1):
        values = ["" if c is None else str(c) for c in cells]
        if not any(v.strip() for v in values):
            continue
        if names is None:
            names = _header(values)
            _check_header(names)
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(f"row {number}", f"more than {MAX_ROWS} entries in one file")
        record = {
            n: unicodedata.normalize("NFC", v) for n, v in zip(names, values, strict=False) if n
        }
        extra = [v for v in values[len(names) :] if v.strip()]
        if extra:
            record["_extra"] = "\n".join(extra)
        rows.append(RawRow(f"row {number}", record, table=True))
    if names is None:
        raise FileProblem("-", "the file has no header row")
    return rows


def _csv_rows(text: str) -> list[RawRow]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return _table_rows(reader)
    except csv.Error as exc:
        raise FileProblem(f"row {reader.line_num}", f"malformed CSV: {exc}") from exc


def _xlsx_rows(path: Path) -> list[RawRow]:
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(
            "-", "not an XLSX workbook (the file is damaged or of another kind)"
        ) from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise FileProblem(
            "-", f"the workbook unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB"
        )
    try:
        with warnings.catch_warnings():
            # Workbooks saved by other tools make openpyxl warn about styles it ignores.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged workbooks
        raise FileProblem("-", f"not a readable XLSX workbook ({type(exc).__name__})") from exc
    try:
        sheet = workbook["FAQ"] if "FAQ" in workbook.sheetnames else workbook.worksheets[0]
        return _table_rows(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def read_rows(path: Path) -> tuple[list[RawRow], str]:
    """Raw entries of a file and the text encoding (empty for XLSX); raises FileProblem."""
    fmt = FileFormat.of(path)
    if fmt is None:
        raise FileProblem("-", "unknown file type; use .yaml, .csv or .xlsx")
    data = _read_bytes(path)
    if fmt is FileFormat.xlsx:
        return _xlsx_rows(path), ""
    if data.startswith(b"PK\x03\x04"):
        raise FileProblem(
            "-", f"this is a ZIP/XLSX file, not {fmt.value.upper()}; rename it .xlsx"
        )
    text, encoding = decode(data)
    rows = _yaml_rows(text) if fmt is FileFormat.yaml else _csv_rows(text)
    return rows, encoding
