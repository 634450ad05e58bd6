"""``legalbot-admin faq``: list, show and export the curated FAQ."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from admin_cli.common import console, fail, run_with_kb
from knowledge.content_schema import FaqEntryData
from knowledge.core import KnowledgeBase

app = typer.Typer(help="Curated questions and answers.", no_args_is_help=True)


class ExportFormat(StrEnum):
    """Formats of ``faq export``."""

    jsonl = "jsonl"
    yaml = "yaml"


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
) -> None:
    """Write every entry to standard output."""

    async def _all(kb: KnowledgeBase) -> list[FaqEntryData]:
        return await kb.faq.all()

    entries = run_with_kb(_all)
    if fmt is ExportFormat.jsonl:
        for entry in entries:
            sys.stdout.write(json.dumps(export_record(entry), ensure_ascii=False) + "\n")
    else:
        data = {"entries": [entry.model_dump(mode="json") for entry in entries]}
        sys.stdout.write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=99))


@app.command("list")
def list_entries(
    topic: Annotated[str | None, typer.Option(help="Only this topic code, e.g. T01.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines for scripts.")] = False,
) -> None:
    """List entries with their topic, audience, status and review mark."""

    async def _all(kb: KnowledgeBase) -> list[FaqEntryData]:
        return await kb.faq.all()

    entries = [e for e in run_with_kb(_all) if topic is None or e.topic == topic.upper()]
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
    console.print(f"[bold]{entry.id}[/] ({entry.topic}, {entry.audience}, {entry.status})")
    for i, question in enumerate(entry.questions):
        console.print(f"  {'Q' if i == 0 else '-'} {question}", highlight=False)
    console.print(entry.answer, highlight=False)
    if entry.review == "needs-check":
        console.print(f"[yellow]needs-check:[/] {entry.review_note}", highlight=False)
