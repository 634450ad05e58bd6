"""``legalbot-admin tips``: the library of short legal tips."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.common import console, fail, run_with_kb
from knowledge.content import ContentError, load_tips
from knowledge.content_schema import TipData
from knowledge.core import KnowledgeBase
from knowledge.tips_store import TipStore

app = typer.Typer(help="Legal tips for scheduled delivery.", no_args_is_help=True)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help="Only jsonl is supported.")] = "jsonl",
    from_db: Annotated[
        bool, typer.Option("--from-db", help="The tips stored in the database (what is sent).")
    ] = False,
) -> None:
    """Write every tip as one JSON object per line."""
    if fmt != "jsonl":
        raise fail(f"unknown format {fmt!r}; use --format jsonl", 2)

    async def _stored(kb: KnowledgeBase) -> list[TipData]:
        return [tip.data() for tip in await TipStore(kb.sessions).all()]

    try:
        tips = run_with_kb(_stored) if from_db else load_tips()
    except ContentError as exc:
        raise fail(str(exc), 2) from exc
    for tip in tips:
        record = {
            "id": tip.id,
            "text": tip.text,
            "topic": tip.topic,
            "audience": tip.audience,
            "sources": KnowledgeBase.source_dicts(tip.sources),
            "occasion": tip.occasion,
            "review": tip.review,
        }
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@app.command("stats")
def stats() -> None:
    """Count tips by audience and topic."""
    try:
        tips = load_tips()
    except ContentError as exc:
        raise fail(str(exc), 2) from exc
    table = Table("audience", "tips")
    for audience, count in sorted(Counter(t.audience for t in tips).items()):
        table.add_row(audience, str(count))
    console.print(table)
    console.print(f"{len(tips)} tips in {len({t.topic for t in tips})} topics")
