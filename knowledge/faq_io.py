"""FAQ entries in files: YAML, CSV and XLSX, read with every problem named, and written.

Reading never stops at the first problem: every row is checked and every problem is reported
with the file, the row (a spreadsheet row number, or the YAML line of the entry) and the field,
so one round of corrections fixes the file. Whoever imports writes nothing unless the whole
file is valid. The formats themselves (columns, encodings, limits) are in knowledge.faq_files.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from knowledge.content import ContentProblem
from knowledge.content_schema import FaqEntryData
from knowledge.curation.citations import CitationError, source_columns
from knowledge.curation.validation import EntryChecker, Problem
from knowledge.faq_files import (
    COLUMNS,
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    REQUIRED_COLUMNS,
    FileFormat,
    FileProblem,
    RawRow,
    decode,
    read_rows,
)

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "FileFormat",
    "ImportPlan",
    "ReadResult",
    "decode",
    "export_bytes",
    "plan_import",
    "read_faq_file",
    "validate_rows",
]

logger = logging.getLogger(__name__)


@dataclass
class ReadResult:
    """Valid entries of a file, and every problem found; ``encoding`` as detected."""

    file: str
    entries: list[FaqEntryData] = field(default_factory=list)
    errors: list[ContentProblem] = field(default_factory=list)
    warnings: list[ContentProblem] = field(default_factory=list)
    encoding: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing blocks an import."""
        return not self.errors

    def error(self, where: str, field_name: str, message: str) -> None:
        """Record an error."""
        self.errors.append(ContentProblem(self.file, where, field_name, message))


def _from_table(
    raw: dict[str, Any], checker: EntryChecker
) -> tuple[dict[str, Any], list[Problem]]:
    """A spreadsheet record as the mapping FaqEntryData expects."""
    problems = []
    if raw.get("_extra"):
        problems.append(Problem("-", "cells beyond the last named column"))
    record: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "_extra":
            continue
        if len(value) > MAX_CELL_CHARS:
            problems.append(Problem(name, f"cell longer than {MAX_CELL_CHARS} characters"))
            continue
        value = value.strip()
        if name == "questions":
            record[name] = [q.strip() for q in value.splitlines() if q.strip()]
        elif name == "sources":
            sources = []
            for i, line in enumerate(x for x in value.splitlines() if x.strip()):
                try:
                    sources.append(checker.citations.parse_one(line).model_dump())
                except CitationError as exc:
                    problems.append(Problem(f"sources.{i}", str(exc)))
            record[name] = sources
        elif value or name in REQUIRED_COLUMNS:
            record[name] = value.replace("\r\n", "\n")
    return record, problems


def validate_rows(
    file: str,
    rows: list[RawRow],
    checker: EntryChecker,
    progress: Callable[[int, int], None] | None = None,
) -> ReadResult:
    """Check every row; the result lists the valid entries and all problems.

    ``progress(done, total)`` is called after each row (for progress bars).
    """
    result = ReadResult(file)
    first_row: dict[str, str] = {}
    for done, row in enumerate(rows, start=1):
        if progress is not None:
            progress(done, len(rows))
        data: Any = row.data
        problems: list[Problem] = []
        if row.table:
            data, problems = _from_table(data, checker)
        entry_id = data.get("id") if isinstance(data, dict) else None
        where = (
            f"{row.where} ({entry_id})" if isinstance(entry_id, str) and entry_id else row.where
        )
        checked = checker.check(data)
        for problem in [*problems, *checked.errors]:
            result.error(where, problem.field, problem.message)
        for problem in checked.warnings:
            result.warnings.append(ContentProblem(file, where, problem.field, problem.message))
        if isinstance(entry_id, str) and entry_id:
            if entry_id in first_row:
                result.error(where, "id", f"duplicate id (first used at {first_row[entry_id]})")
            first_row.setdefault(entry_id, row.where)
        if checked.entry is not None and not problems:
            result.entries.append(checked.entry)
    return result


def read_faq_file(
    path: Path, checker: EntryChecker, progress: Callable[[int, int], None] | None = None
) -> ReadResult:
    """Read and check a YAML, CSV or XLSX file of FAQ entries."""
    try:
        rows, encoding = read_rows(path)
    except FileProblem as exc:
        result = ReadResult(str(path))
        result.error(exc.where, "-", str(exc))
        return result
    result = validate_rows(str(path), rows, checker, progress)
    result.encoding = encoding
    if not rows:
        result.error("-", "-", "the file has no entries")
    logger.debug("Read %d rows from %s (%s)", len(rows), path, encoding or "xlsx")
    return result


# Writing ----------------------------------------------------------------------------------


def table_record(entry: FaqEntryData) -> list[str]:
    """One entry as a spreadsheet row in COLUMNS order."""
    values = {
        "id": entry.id,
        "topic": entry.topic,
        "audience": entry.audience,
        "questions": "\n".join(entry.questions),
        "answer": entry.answer,
        "sources": "\n".join(source_columns(s) for s in entry.sources),
        "status": entry.status,
        "review": entry.review,
        "review_note": entry.review_note,
    }
    return [values[c] for c in COLUMNS]


def yaml_text(entries: Sequence[FaqEntryData]) -> str:
    """Entries in the format of ``faq_data/faq/*.yaml``."""
    data = {"entries": [e.model_dump(mode="json") for e in entries]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=99)


def csv_bytes(entries: Sequence[FaqEntryData]) -> bytes:
    """Entries as CSV in UTF-8 with a BOM, so Excel shows the Vietnamese letters right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(table_record(e) for e in entries)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(entries: Sequence[FaqEntryData]) -> bytes:
    """Entries as an XLSX workbook with one sheet, ``FAQ``."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "FAQ"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries:
        sheet.append(table_record(entry))
    widths = {"id": 30, "questions": 60, "answer": 80, "sources": 50, "review_note": 30}
    for i, name in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=i).column_letter
        sheet.column_dimensions[letter].width = widths.get(name, 12)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_bytes(entries: Sequence[FaqEntryData], fmt: FileFormat) -> bytes:
    """Entries in one of the file formats."""
    if fmt is FileFormat.yaml:
        return yaml_text(entries).encode("utf-8")
    if fmt is FileFormat.csv:
        return csv_bytes(entries)
    return xlsx_bytes(entries)


# Comparing with the database --------------------------------------------------------------


@dataclass
class ImportPlan:
    """What an import would do: new entries, changed ones (with the changed fields), and
    entries already identical."""

    created: list[FaqEntryData] = field(default_factory=list)
    updated: list[tuple[FaqEntryData, list[str]]] = field(default_factory=list)
    unchanged: list[FaqEntryData] = field(default_factory=list)

    @property
    def changes(self) -> list[FaqEntryData]:
        """The entries to write."""
        return [*self.created, *(entry for entry, _ in self.updated)]


def plan_import(entries: Sequence[FaqEntryData], existing: Sequence[FaqEntryData]) -> ImportPlan:
    """Compare entries read from a file with the stored ones."""
    stored = {e.id: e.model_dump(mode="json") for e in existing}
    plan = ImportPlan()
    for entry in entries:
        before = stored.get(entry.id)
        after = entry.model_dump(mode="json")
        if before is None:
            plan.created.append(entry)
        elif before == after:
            plan.unchanged.append(entry)
        else:
            plan.updated.append((entry, [k for k in after if after[k] != before.get(k)]))
    return plan
