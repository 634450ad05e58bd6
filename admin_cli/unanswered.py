"""``legalbot-admin unanswered``: the review queue of questions the bot could not answer."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from admin_cli.actor import cli_actor
from admin_cli.common import console, fail, run_with_kb
from admin_cli.wizard_prompt import run_wizard
from knowledge.core import KnowledgeBase
from knowledge.curation.period import LOCAL
from knowledge.curation.queue import AnswerOutcome, QueueError, QueueGroup, ReviewQueue
from knowledge.curation.stats import as_utc
from knowledge.curation.validation import EntryChecker
from knowledge.curation.wizard import EntryWizard

app = typer.Typer(help="Questions waiting for the legal officer.", no_args_is_help=True)


def _when(group: QueueGroup) -> str:
    return (
        as_utc(group.last_at).astimezone(LOCAL).strftime("%d/%m/%Y %H:%M") if group.last_at else ""
    )


def group_json(group: QueueGroup) -> dict[str, Any]:
    """The JSON shape of one queued question."""
    return {
        "id": group.id,
        "question": group.question,
        "count": group.count,
        "askers": len(group.askers),
        "rows": group.row_ids,
        "first_asked": as_utc(group.first_at).isoformat() if group.first_at else None,
        "last_asked": as_utc(group.last_at).isoformat() if group.last_at else None,
        "closest_entry": group.best_entry_id,
        "closest_score": group.best_score,
    }


@app.command("list")
def list_groups(
    limit: Annotated[int, typer.Option(min=1, help="Questions shown at most.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array for scripts.")] = False,
) -> None:
    """Open questions, the same question asked many times shown once with its count."""

    async def _groups(kb: KnowledgeBase) -> list[QueueGroup]:
        return await ReviewQueue(kb).groups()

    groups = run_with_kb(_groups)
    if as_json:
        sys.stdout.write(json.dumps([group_json(g) for g in groups[:limit]], ensure_ascii=False))
        sys.stdout.write("\n")
        return
    table = Table("id", "asked", "people", "last asked", "question", "closest entry")
    for g in groups[:limit]:
        closest = f"{g.best_entry_id} ({g.best_score:.0f})" if g.best_entry_id else ""
        table.add_row(str(g.id), str(g.count), str(len(g.askers)), _when(g), g.question, closest)
    console.print(table)
    console.print(f"{len(groups)} open question(s), {sum(g.count for g in groups)} askings.")


def _report(outcome: AnswerOutcome, entry_id: str) -> None:
    console.print(f"Answered {outcome.rows} asking(s) with {entry_id}.")
    if outcome.phrasing_added:
        console.print("The question was added as a phrasing of the entry.")
    elif outcome.phrasing_skipped:
        console.print(f"Not added as a phrasing: {outcome.phrasing_skipped}.", highlight=False)
    notified = outcome.notified
    if notified.sent:
        console.print(f"Sent the answer to {notified.sent} chat(s).")
    if notified.waiting or notified.failed:
        console.print(
            f"{notified.waiting + notified.failed} asker(s) will get the answer when the bot's "
            "delivery runs (it is not running in this command)."
        )


@app.command("answer")
def answer(
    group_id: Annotated[int, typer.Argument(help="The question's id (from `unanswered list`).")],
    entry: Annotated[
        str | None, typer.Option("--entry", "-e", help="Answer with this existing entry.")
    ] = None,
    add_phrasing: Annotated[
        bool, typer.Option(help="Keep the question as a phrasing of the entry.")
    ] = True,
    new: Annotated[
        bool, typer.Option("--new", help="Write a new entry step by step, then answer with it.")
    ] = False,
    actor: Annotated[str | None, typer.Option(help="Name for the audit log.")] = None,
) -> None:
    """Answer a question (every asking of it) and send the answer to the askers."""
    if (entry is None) == (not new):
        raise fail("give --entry ID to answer with an existing entry, or --new", 2)
    who = cli_actor(actor)

    async def _answer(kb: KnowledgeBase) -> tuple[AnswerOutcome, str] | None:
        queue = ReviewQueue(kb)
        group = await queue.group(group_id)
        if group is None:
            raise fail(f"no open question {group_id}; see `legalbot-admin unanswered list`")
        entry_id = entry
        if new:
            checker = await EntryChecker.for_kb(kb)
            wizard, prompt = EntryWizard.add(kb, checker, who, asked=group.question)
            saved = await run_wizard(wizard, prompt, console)
            if saved is None:
                return None
            entry_id = saved.id
        assert entry_id is not None
        try:
            outcome = await queue.answer(group, entry_id, who, add_phrasing and not new)
        except QueueError as exc:
            raise fail(str(exc)) from exc
        return outcome, entry_id

    done = run_with_kb(_answer)
    if done is not None:
        _report(*done)


@app.command("dismiss")
def dismiss(
    group_id: Annotated[int, typer.Argument(help="The question's id (from `unanswered list`).")],
    actor: Annotated[str | None, typer.Option(help="Name for the audit log.")] = None,
) -> None:
    """Take a question off the queue without answering (not a legal question, spam)."""

    async def _dismiss(kb: KnowledgeBase) -> int:
        queue = ReviewQueue(kb)
        group = await queue.group(group_id)
        if group is None:
            raise fail(f"no open question {group_id}; see `legalbot-admin unanswered list`")
        return await queue.dismiss(group, cli_actor(actor))

    rows = run_with_kb(_dismiss)
    console.print(f"Dismissed {rows} asking(s).")
