"""``legalbot-admin docs``: import, list and show the legal documents the bot quotes."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from admin_cli import docs_review
from admin_cli.common import console, fail, run_with_kb
from knowledge.core import KnowledgeBase
from knowledge.documents.catalog import CATALOG_FILE, load_catalog
from knowledge.documents.errors import DocumentError
from knowledge.documents.importer import Overrides, Preview, preview, read_documents
from knowledge.documents.loader import DOCUMENTS_DIR
from knowledge.documents.status import status_note
from knowledge.documents.store import DocumentStore, DocumentSummary
from knowledge.documents.structure import LegalDocument, Status
from knowledge.paths import data_dir

app = typer.Typer(
    help="Legal documents (laws) quoted when no FAQ entry fits.", no_args_is_help=True
)


class StatusChoice(StrEnum):
    """Document status as typed on the command line."""

    in_force = "in-force"
    amended = "amended"
    replaced = "replaced"
    expired = "expired"

    @property
    def status(self) -> Status:
        """The stored form."""
        return {
            "in-force": "in force",
            "amended": "amended",
            "replaced": "replaced",
            "expired": "expired",
        }[self.value]  # type: ignore[return-value]


def _preview_table(previews: list[Preview]) -> Table:
    table = Table(title="Found", box=box.SIMPLE_HEAD)
    table.add_column("Number", no_wrap=True)
    table.add_column("Document")
    table.add_column("Status", no_wrap=True)
    for column in ("Chap.", "Art.", "Cl."):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("First and last article", overflow="fold")
    for p in previews:
        table.add_row(
            p.number,
            p.name,
            p.status,
            str(p.chapters),
            str(p.articles),
            str(p.clauses),
            f"{_short(p.first_article)}\n{_short(p.last_article)}",
        )
    return table


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@app.command("import")
def import_(
    paths: Annotated[
        list[Path], typer.Argument(help="Files (.jsonl, .docx, .pdf, .txt) or folders.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what was found; import nothing.")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace documents with the same number.")
    ] = False,
    number: Annotated[str | None, typer.Option(help="Document number, e.g. 43/2019/QH14.")] = None,
    name: Annotated[str | None, typer.Option(help="Document name, e.g. 'Luật Giáo dục'.")] = None,
    status: Annotated[StatusChoice | None, typer.Option(help="Status of the document.")] = None,
    changed_by: Annotated[
        str | None, typer.Option(help="What amended or replaced it (shown to users).")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option(help="Metadata file (default: the bundled documents.yaml).")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who imports (for the audit log).")] = "admin-cli",
) -> None:
    """Import legal documents, all or nothing, after showing what was found."""
    overrides = Overrides(
        name=name,
        number=number,
        status=status.status if status else None,
        changed_by=changed_by,
    )
    try:
        known = load_catalog(catalog or data_dir() / DOCUMENTS_DIR / CATALOG_FILE).by_number()
        documents = read_documents(paths, known, overrides)
    except DocumentError as exc:
        raise fail(str(exc)) from exc

    console.print(_preview_table([preview(d) for d in documents]))
    total = sum(len(d.articles) for d in documents)
    if dry_run:
        console.print(
            f"Dry run: {len(documents)} document(s), {total} articles; nothing imported."
        )
        return

    async def _store(kb: KnowledgeBase) -> None:
        await DocumentStore(kb.sessions).add(documents, actor, replace=replace)

    try:
        run_with_kb(_store)
    except DocumentError as exc:
        raise fail(f"{exc}\nNothing was imported.") from exc
    console.print(
        f"Imported {len(documents)} document(s), {total} articles. Restart the bot to search them."
    )


def _summary_json(summary: DocumentSummary) -> dict[str, Any]:
    meta = summary.meta
    return {
        "name": meta.name,
        "number": meta.number,
        "type": meta.doc_type,
        "issuer": meta.issuer,
        "year": meta.year,
        "issued": meta.issued.isoformat() if meta.issued else None,
        "effective": meta.effective.isoformat() if meta.effective else None,
        "status": meta.status,
        "changed_by": meta.changed_by,
        "change_effective": meta.change_effective.isoformat() if meta.change_effective else None,
        "status_label": meta.status_label,
        "source": meta.source,
        "articles": summary.articles,
        "clauses": summary.clauses,
    }


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List the stored documents with their status and size."""

    async def _summaries(kb: KnowledgeBase) -> list[DocumentSummary]:
        return await DocumentStore(kb.sessions).summaries()

    summaries = run_with_kb(_summaries)
    if as_json:
        sys.stdout.write(json.dumps([_summary_json(s) for s in summaries], ensure_ascii=False))
        sys.stdout.write("\n")
        return
    table = Table(title=f"{len(summaries)} documents", box=box.SIMPLE_HEAD)
    table.add_column("Number", no_wrap=True)
    table.add_column("Name")
    table.add_column("Status", no_wrap=True)
    table.add_column("Art.", justify="right", no_wrap=True)
    table.add_column("Cl.", justify="right", no_wrap=True)
    table.add_column("Changed by", overflow="fold")
    for s in summaries:
        meta = s.meta
        table.add_row(
            meta.number,
            meta.name,
            meta.status,
            str(s.articles),
            str(s.clauses),
            meta.changed_by or "",
        )
    console.print(table)


def _show_document(document: LegalDocument, article: str | None) -> None:
    meta = document.meta
    if article is not None:
        found = next((a for a in document.articles if a.number == article), None)
        if found is None:
            raise fail(f"{meta.number} has no Điều {article}")
        console.print(f"[bold]{found.heading}[/]", highlight=False)
        for clause in found.clauses:
            prefix = f"{clause.number}. " if clause.number else ""
            console.print(f"{prefix}{clause.text}\n", highlight=False)
        return
    rows = [
        ("Name", meta.name),
        ("Number", meta.number),
        ("Type", meta.doc_type),
        ("Issuer", meta.issuer or ""),
        ("Issued", meta.issued.isoformat() if meta.issued else ""),
        ("In force from", meta.effective.isoformat() if meta.effective else ""),
        ("Status", meta.status + (f" ({meta.status_label})" if meta.status_label else "")),
        ("Changed by", meta.changed_by or ""),
        ("Change effective", meta.change_effective.isoformat() if meta.change_effective else ""),
        ("Source", meta.source),
        ("Chapters", str(len(document.chapters))),
        ("Articles", str(len(document.articles))),
        ("Clauses", str(document.clause_count)),
        ("Note to users", status_note(meta) or "-"),
    ]
    info = Table(show_header=False, box=None)
    info.add_column(style="bold")
    info.add_column(overflow="fold")
    for label, value in rows:
        info.add_row(label, value)
    console.print(info)
    articles = Table(title="Articles")
    for column in ("Điều", "Title", "Clauses", "Chapter"):
        articles.add_column(column, overflow="fold")
    for a in document.articles:
        count = sum(1 for c in a.clauses if c.number is not None)
        articles.add_row(a.number, a.title, str(count), a.chapter)
    console.print(articles)


@app.command()
def show(
    number: Annotated[str, typer.Argument(help="Document number, e.g. 43/2019/QH14.")],
    article: Annotated[str | None, typer.Option(help="Print the text of this article.")] = None,
) -> None:
    """Show a document's metadata and articles, or the text of one article."""

    async def _get(kb: KnowledgeBase) -> LegalDocument | None:
        return await DocumentStore(kb.sessions).get(number)

    document = run_with_kb(_get)
    if document is None:
        raise fail(f"no document numbered {number!r}; see `legalbot-admin docs list`")
    _show_document(document, article)


@app.command("status")
def set_status(
    number: Annotated[str, typer.Argument(help="Document number, e.g. 73/2021/QH14.")],
    status: Annotated[StatusChoice | None, typer.Option(help="The new status.")] = None,
    changed_by: Annotated[
        str | None, typer.Option(help="What amended or replaced it, in Vietnamese.")
    ] = None,
    amended_by: Annotated[str | None, typer.Option(help="Amended by (sets the status).")] = None,
    replaced_by: Annotated[str | None, typer.Option(help="Replaced by (sets the status).")] = None,
    expired: Annotated[bool, typer.Option("--expired", help="It has expired.")] = False,
    effective: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="When the change applies.")
    ] = None,
    label: Annotated[str, typer.Option(help="How sure this is (e.g. 'several sources').")] = "",
    actor: Annotated[str, typer.Option(help="Who changes it (for the audit log).")] = "admin-cli",
) -> None:
    """Record that a document was amended, replaced or has expired (takes effect on restart);
    FAQ entries and tips citing it are flagged for review."""
    typed, changed_by = docs_review.resolve(status, changed_by, amended_by, replaced_by, expired)
    status = StatusChoice(typed.replace(" ", "-"))
    flagged = docs_review.Flagged()

    async def _set(kb: KnowledgeBase) -> str | None:
        nonlocal flagged
        meta = await DocumentStore(kb.sessions).set_status(
            number,
            status.status,
            changed_by,
            effective.date() if effective else None,
            label,
            actor,
        )
        if meta is not None:
            flagged = await docs_review.flag(kb, meta.number, status.status, changed_by, actor)
        return None if meta is None else status_note(meta)

    note = run_with_kb(_set)
    if note is None:
        raise fail(f"no document numbered {number!r}; see `legalbot-admin docs list`")
    console.print(f"Status of {number} is now {status.status}.")
    if note:
        console.print(f"Users will read: {note}", highlight=False)
    docs_review.show_flagged(flagged)
