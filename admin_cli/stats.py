"""``legalbot-admin stats``: questions today and this week, what to answer, what to fix."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.common import console, run_with_kb
from knowledge.core import KnowledgeBase
from knowledge.curation.period import LOCAL
from knowledge.curation.stats import TOP_DAYS, Counts, Statistics, statistics


def _share(counts: Counts) -> str:
    share = counts.answered_share
    return "-" if share is None else f"{share:.0%}"


def _print(stats: Statistics) -> None:
    generated = stats.generated_at.astimezone(LOCAL)
    overview = Table(title=f"Questions (Vietnam time, {generated:%d/%m/%Y %H:%M})")
    for column in ("period", "asked", "answered", "suggested", "unanswered", "answered share"):
        overview.add_column(column, justify="right" if column != "period" else "left")
    for label, counts in (("today", stats.today), ("this week", stats.week)):
        overview.add_row(
            label,
            str(counts.asked),
            str(counts.answered),
            str(counts.suggested),
            str(counts.unanswered),
            _share(counts),
        )
    console.print(overview)
    console.print(
        f"Review queue: {stats.open_groups} question(s), {stats.open_rows} asking(s); "
        f"{stats.pending_notifications} answer(s) waiting to be sent."
    )

    top = Table("entry", "given", "main question", title=f"Top questions ({TOP_DAYS} days)")
    for q in stats.top_questions:
        top.add_row(q.entry_id, str(q.count), q.question)
    console.print(top)

    open_table = Table("id", "asked", "question", title="Top unanswered")
    for o in stats.top_unanswered:
        open_table.add_row(str(o.group_id), str(o.count), o.question)
    console.print(open_table)

    down = Table("entry", "👎", "question", "asked as", title="👎 since the last change")
    for d in stats.downvoted:
        down.add_row(
            d.entry_id or "(clause of law)", str(d.down), d.question, "\n".join(d.examples)
        )
    console.print(down)


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object for scripts.")] = False,
) -> None:
    """Questions today and this week, the share answered, top and unanswered questions, 👎."""

    async def _stats(kb: KnowledgeBase) -> Statistics:
        return await statistics(kb)

    result = run_with_kb(_stats)
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        return
    _print(result)
