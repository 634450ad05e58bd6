"""``legalbot-admin broadcast``: send to any audience and read delivery reports.

``send`` only queues: the running bot (``legalbot run``) delivers within Telegram's limits,
outside quiet hours, and the report fills in as it goes.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from admin_cli.common import console, fail, run_with_kb
from knowledge.audiences import AudienceStore
from knowledge.core import KnowledgeBase
from knowledge.delivery.ledger import Ledger, LedgerError, Requester
from knowledge.delivery.models import Origin
from knowledge.delivery.report import Report
from knowledge.subscriptions import SubscriptionError, resolve_target
from knowledge.tips_store import TipStore

app = typer.Typer(
    help="Broadcasts to audiences, and their delivery reports.", no_args_is_help=True
)


@app.command()
def send(
    audience: Annotated[
        str,
        typer.Option(help="Join code, 'all', or a role: role:teacher, role:staff, role:student."),
    ],
    text: Annotated[str | None, typer.Option(help="The message (plain text).")] = None,
    tip: Annotated[str | None, typer.Option(help="Send this tip of the library instead.")] = None,
    actor: Annotated[str, typer.Option(help="Who sends it (for the report).")] = "admin-cli",
) -> None:
    """Queue a message for every member of an audience; prints the broadcast id."""
    if (text is None) == (tip is None):
        raise fail("give exactly one of --text or --tip", 2)

    async def _send(kb: KnowledgeBase) -> int:
        target = await resolve_target(AudienceStore(kb.sessions), audience)
        body, tip_id = text, None
        if tip is not None:
            found = await TipStore(kb.sessions).get(tip)
            if found is None:
                raise SubscriptionError(
                    f"no tip with id {tip!r}; see `legalbot-admin tips export`"
                )
            body, tip_id = found.text, found.id
        assert body is not None
        ledger = Ledger(kb.sessions, kb.engine.dialect.name)
        broadcast = await ledger.broadcast(
            target, body, Origin.CLI, Requester(user_id=actor), tip_id=tip_id, origin_note=actor
        )
        return broadcast.id

    try:
        broadcast_id = run_with_kb(_send)
    except (SubscriptionError, LedgerError) as exc:
        raise fail(f"{exc}\nNothing was sent.") from exc
    sys.stdout.write(f"{broadcast_id}\n")


@app.command()
def report(
    broadcast_id: Annotated[int, typer.Argument(help="The id printed by `broadcast send`.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Show what became of a broadcast: sent, failed, blocked, pending."""

    async def _report(kb: KnowledgeBase) -> Report | None:
        return await Ledger(kb.sessions, kb.engine.dialect.name).report(broadcast_id)

    found = run_with_kb(_report)
    if found is None:
        raise fail(f"no broadcast with id {broadcast_id}")
    if as_json:
        sys.stdout.write(json.dumps(found.as_json(), ensure_ascii=False) + "\n")
        return
    console.print(found.as_text(), highlight=False)
