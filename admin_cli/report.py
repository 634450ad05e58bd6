"""``legalbot-admin report --year YYYY``: the yearly report for the Department, XLSX and CSV.

The period is 1 December of the year before through 30 November of ``--year`` in Vietnam's
time, so the report is ready before units report to the Department on 8 December.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from admin_cli.common import console, err_console, fail, run_with_kb
from knowledge.core import KnowledgeBase
from knowledge.curation.period import report_year
from knowledge.curation.report import HEADERS, YearReport, build_report, report_csv, report_xlsx


def report(
    year: Annotated[
        int, typer.Option(min=2020, max=2100, help="Report year: Dec of year-1 to Nov 30.")
    ],
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder for the two files.")
    ] = Path("."),
) -> None:
    """Write the yearly report per unit as bao-cao-YYYY.xlsx and bao-cao-YYYY.csv."""
    period = report_year(year)
    if period.start > datetime.now(UTC):
        raise fail(f"the {year} report period ({period.label()}) has not started yet", 2)
    if not output_dir.is_dir():
        raise fail(f"{output_dir} is not a folder", 2)

    async def _build(kb: KnowledgeBase) -> tuple[YearReport, bytes, bytes]:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), console=err_console, transient=True
        ) as progress:
            progress.add_task(f"Counting {period.label()}…", total=None)
            built = await build_report(kb, year)
            return built, report_xlsx(built, kb), report_csv(built, kb)

    built, xlsx, csv_data = run_with_kb(_build)
    paths = [output_dir / f"bao-cao-{year}.xlsx", output_dir / f"bao-cao-{year}.csv"]
    try:
        # Written to temporary names first: a half-written report is never left behind.
        for path, data in zip(paths, (xlsx, csv_data), strict=True):
            temporary = path.with_suffix(path.suffix + ".tmp")
            temporary.write_bytes(data)
            temporary.replace(path)
    except OSError as exc:
        raise fail(f"cannot write the report: {exc.strerror}") from exc

    table = Table(*HEADERS[1:9], title=f"Report {year} ({period.label()})")
    for row in built.rows():
        share = row.answered_share
        table.add_row(
            row.name,
            str(row.members),
            str(row.new_members),
            str(row.questions),
            str(row.answered),
            "-" if share is None else f"{share:.0%}",
            str(row.tips),
            str(row.announcements),
        )
    console.print(table)
    console.print("Written: " + ", ".join(str(p) for p in paths), highlight=False)
