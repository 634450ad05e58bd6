"""``legalbot-admin faq``: list, show, search, add, edit, retire, import and export the FAQ."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from admin_cli import faq_edit, faq_import
from admin_cli.common import console, fail, run_with_kb
from knowledge.content_schema import FaqEntryData
from knowledge.core import KnowledgeBase
from knowledge.curation.entries import search_entries
from knowledge.faq_io import FileFormat, export_bytes

app = typer.Typer(help="Curated questions and answers.", no_args_is_help=True)


class ExportFormat(StrEnum):
    """Formats of ``faq export``."""

    jsonl = "jsonl"
    yaml = "yaml"
    csv = "csv"
    xlsx = "xlsx"


def export_record(entry: FaqEntryData) -> dict[str, Any]:
    """The JSON shape of an exported entry."""
    return {
        "id": entry.id,
        "questions": list(entry.questions),
        "answer": entry.answer,
        "topic": entry.topic,
        "audience": entry.audience,
        "sources": KnowledgeBase.source_dicts(entry.sources),
        "status": entry.status,
        "review": entry.review,
    }


@app.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format.")] = (
        ExportFormat.jsonl
    ),
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (needed for xlsx)."),
    ] = None,
) -> None:
    """Write every entry to standard output or a file (``faq import`` reads yaml/csv/xlsx)."""
    if fmt is ExportFormat.xlsx and output is None:
        raise fail("an XLSX workbook is a binary file: give --output FILE.xlsx", 2)

    async def _all(kb: KnowledgeBase) -> list[FaqEntryData]:
        return await kb.faq.all()

    entries = run_with_kb(_all)
    if fmt is ExportFormat.jsonl:
        lines = (json.dumps(export_record(e), ensure_ascii=False) + "\n" for e in entries)
        payload = "".join(lines).encode("utf-8")
    else:
        payload = export_bytes(entries, FileFormat(fmt.value))

    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(payload)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from exc
    console.print(f"Exported {len(entries)} entries to {output} ({fmt.value}).")


@app.command("list")
def list_entries(
    topic: Annotated[str | None, typer.Option(help="Only this topic code, e.g. T01.")] = None,
    status: Annotated[str | None, typer.Option(help="Only 'active' or 'disabled'.")] = None,
    needs_check: Annotated[
        bool, typer.Option("--needs-check", help="Only entries flagged for review.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines for scripts.")] = False,
) -> None:
    """List entries with their topic, audience, status and review mark."""

    async def _all(kb: KnowledgeBase) -> list[FaqEntryData]:
        return await kb.faq.all()

    entries = [
        e
        for e in run_with_kb(_all)
        if (topic is None or e.topic == topic.upper())
        and (status is None or e.status == status)
        and (not needs_check or e.review == "needs-check")
    ]
    if as_json:
        for entry in entries:
            sys.stdout.write(json.dumps(export_record(entry), ensure_ascii=False) + "\n")
        return
    table = Table("id", "topic", "audience", "status", "review", "main question")
    for e in entries:
        table.add_row(e.id, e.topic, e.audience, e.status, e.review, e.main_question)
    console.print(table)
    console.print(f"{len(entries)} entries")


@app.command()
def show(entry_id: str) -> None:
    """Show one entry in full."""

    async def _get(kb: KnowledgeBase) -> FaqEntryData | None:
        return await kb.faq.get(entry_id)

    entry = run_with_kb(_get)
    if entry is None:
        raise fail(f"no FAQ entry with id {entry_id!r}")
    print_entry(entry)


def print_entry(entry: FaqEntryData) -> None:
    """An entry in full, as ``faq show`` prints it."""
    console.print(f"[bold]{entry.id}[/] ({entry.topic}, {entry.audience}, {entry.status})")
    for i, question in enumerate(entry.questions):
        console.print(f"  {'Q' if i == 0 else '-'} {question}", highlight=False)
    console.print(entry.answer, highlight=False)
    if entry.review == "needs-check":
        console.print(f"[yellow]needs-check:[/] {entry.review_note}", highlight=False)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to look for, or an entry id.")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="Entries shown at most.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines for scripts.")] = False,
) -> None:
    """Find entries by id, by meaning (as the bot matches) or by words, disabled ones too."""

    async def _search(kb: KnowledgeBase) -> list[FaqEntryData]:
        return await search_entries(kb, text, limit)

    found = run_with_kb(_search)
    if as_json:
        for entry in found:
            sys.stdout.write(json.dumps(export_record(entry), ensure_ascii=False) + "\n")
        return
    if not found:
        console.print(f"No entry matches {text!r}.", highlight=False)
        return
    table = Table("id", "topic", "status", "review", "main question")
    for e in found:
        table.add_row(e.id, e.topic, e.status, e.review, e.main_question)
    console.print(table)


app.command("add")(faq_edit.add)
app.command("edit")(faq_edit.edit)
app.command("disable")(faq_edit.disable)
app.command("enable")(faq_edit.enable)
app.command("import")(faq_import.import_file)
