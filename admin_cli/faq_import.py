"""``faq import FILE``: all or nothing, after every row was checked.

Every problem of the file is listed (file, row, field, what is wrong) and nothing is written
unless all rows are valid. ``--dry-run`` shows what would be created and changed. Entries of
the database missing from the file are left as they are (retire them with ``faq disable``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from admin_cli.actor import cli_actor
from admin_cli.common import console, err_console, fail, run_with_kb
from knowledge.content import ContentProblem
from knowledge.core import KnowledgeBase
from knowledge.curation.validation import EntryChecker
from knowledge.faq_io import ImportPlan, ReadResult, plan_import, read_faq_file

# Files with more rows than this get a progress bar while they are checked.
PROGRESS_FROM_ROWS = 200
# Problems listed in full; beyond this only their count (a wrong file can have thousands).
SHOWN_PROBLEMS = 200


def problem_table(title: str, problems: list[ContentProblem], style: str) -> Table:
    """Problems as a table: file, row, field, problem."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_style=style, title_justify="left")
    table.add_column("File", overflow="fold")
    table.add_column("Row", overflow="fold")
    table.add_column("Field", overflow="fold")
    table.add_column("Problem", overflow="fold")
    for p in problems[:SHOWN_PROBLEMS]:
        table.add_row(p.file, p.item, p.field, p.message)
    return table


def _read(kb_checker: EntryChecker, path: Path) -> ReadResult:
    with Progress(
        TextColumn("Checking {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(path.name, total=None, visible=False)

        def advance(done: int, total: int) -> None:
            if total >= PROGRESS_FROM_ROWS:
                progress.update(task, completed=done, total=total, visible=True)

        return read_faq_file(path, kb_checker, advance)


def _plan_table(plan: ImportPlan) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Change", no_wrap=True)
    table.add_column("id", overflow="fold")
    table.add_column("Fields", overflow="fold")
    for entry in plan.created:
        table.add_row("[green]new[/]", entry.id, "")
    for entry, fields in plan.updated:
        table.add_row("[yellow]changed[/]", entry.id, ", ".join(fields))
    return table


def import_file(
    path: Annotated[Path, typer.Argument(help="A .yaml, .csv or .xlsx file of FAQ entries.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show the changes; write nothing.")
    ] = False,
    actor: Annotated[str | None, typer.Option(help="Name for the audit log.")] = None,
) -> None:
    """Import FAQ entries from YAML, CSV or XLSX: every row checked, all or nothing."""
    who = cli_actor(actor)

    async def _import(kb: KnowledgeBase) -> tuple[ReadResult, ImportPlan | None]:
        result = _read(await EntryChecker.for_kb(kb), path)
        if not result.ok:
            return result, None
        plan = plan_import(result.entries, await kb.faq.all())
        if not dry_run and plan.changes:
            await kb.faq.save_many(plan.changes, who)
            await kb.refresh()
        return result, plan

    result, plan = run_with_kb(_import)
    if result.encoding not in ("", "utf-8", "utf-8-sig"):
        console.print(f"Read {path} as {result.encoding} text.", highlight=False)
    if result.warnings:
        console.print(problem_table("Warnings", result.warnings, "yellow"))
    if plan is None:
        err_console.print(problem_table("Problems", result.errors, "bold red"))
        more = len(result.errors) - SHOWN_PROBLEMS
        if more > 0:
            err_console.print(f"... and {more} more problem(s).")
        raise fail(f"{len(result.errors)} problem(s) in {path}; nothing was imported.")

    if plan.changes:
        console.print(_plan_table(plan))
    summary = (
        f"{len(plan.created)} new, {len(plan.updated)} changed, "
        f"{len(plan.unchanged)} unchanged entries"
    )
    if dry_run:
        console.print(f"Dry run: {summary}; nothing was written.")
    else:
        console.print(f"Imported {path}: {summary}.", highlight=False)
