"""``legalbot-admin users``: who is a legal officer (admin), teacher or staff member."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from admin_cli.actor import cli_actor
from admin_cli.common import console, fail, run_with_kb
from knowledge.core import KnowledgeBase
from knowledge.curation.period import LOCAL
from knowledge.curation.stats import as_utc
from knowledge.users import Grant, LastAdminError, Role, Roles

app = typer.Typer(
    help="Roles: admin (legal officer), teacher, staff, student.", no_args_is_help=True
)

TelegramIdOpt = Annotated[
    int | None, typer.Option("--telegram-id", help="The person's numeric Telegram user id.")
]
ChannelOpt = Annotated[str | None, typer.Option(help="Another channel, e.g. zalo (with --id).")]
IdOpt = Annotated[str | None, typer.Option("--id", help="The person's id on --channel.")]


def _who(telegram_id: int | None, channel: str | None, external_id: str | None) -> tuple[str, str]:
    if telegram_id is not None and (channel or external_id):
        raise fail("give --telegram-id, or --channel with --id, not both", 2)
    if telegram_id is not None:
        if telegram_id <= 0:
            raise fail("--telegram-id must be a person's positive user id", 2)
        return "telegram", str(telegram_id)
    if not channel or not external_id:
        raise fail("say who: --telegram-id ID, or --channel NAME --id ID", 2)
    channel, external_id = channel.strip().lower(), external_id.strip()
    if not channel.isalnum() or len(channel) > 20 or not external_id or len(external_id) > 64:
        raise fail("--channel is a short name like zalo; --id at most 64 characters", 2)
    return channel, external_id


@app.command()
def grant(
    role: Annotated[Role, typer.Option(help="The role to give.")],
    telegram_id: TelegramIdOpt = None,
    channel: ChannelOpt = None,
    external_id: IdOpt = None,
    note: Annotated[str, typer.Option(help="Who this is, e.g. 'Cô Lan, THPT A'.")] = "",
    actor: Annotated[str | None, typer.Option(help="Name for the audit log.")] = None,
) -> None:
    """Give someone a role (the first admin is created this way)."""
    where, who = _who(telegram_id, channel, external_id)

    async def _grant(kb: KnowledgeBase) -> Role | None:
        try:
            return await Roles(kb.sessions).grant(where, who, role, cli_actor(actor), note)
        except LastAdminError as exc:
            raise fail(str(exc)) from exc

    before = run_with_kb(_grant)
    was = f" (was {before.value})" if before is not None and before is not role else ""
    console.print(f"{where}:{who} is now {role.value}{was}.", highlight=False)


@app.command()
def revoke(
    telegram_id: TelegramIdOpt = None,
    channel: ChannelOpt = None,
    external_id: IdOpt = None,
    actor: Annotated[str | None, typer.Option(help="Name for the audit log.")] = None,
) -> None:
    """Take someone's role away (they are a student again)."""
    where, who = _who(telegram_id, channel, external_id)

    async def _revoke(kb: KnowledgeBase) -> Role | None:
        try:
            return await Roles(kb.sessions).revoke(where, who, cli_actor(actor))
        except LastAdminError as exc:
            raise fail(str(exc)) from exc

    before = run_with_kb(_revoke)
    if before is None:
        raise fail(f"{where}:{who} has no role")
    console.print(f"{where}:{who} is no longer {before.value}.", highlight=False)


def _grant_json(grant: Grant) -> dict[str, str]:
    return {
        "channel": grant.channel,
        "id": grant.external_id,
        "role": grant.role.value,
        "note": grant.note,
        "granted_by": grant.granted_by,
        "granted_at": as_utc(grant.granted_at).isoformat(),
    }


@app.command("list")
def list_users(
    role: Annotated[Role | None, typer.Option(help="Only this role.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array for scripts.")] = False,
) -> None:
    """Everyone with a role other than student."""

    async def _list(kb: KnowledgeBase) -> list[Grant]:
        return await Roles(kb.sessions).grants(role)

    grants = run_with_kb(_list)
    if as_json:
        sys.stdout.write(json.dumps([_grant_json(g) for g in grants], ensure_ascii=False) + "\n")
        return
    table = Table("channel", "id", "role", "note", "granted by", "granted at")
    for g in grants:
        when = as_utc(g.granted_at).astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")
        table.add_row(g.channel, g.external_id, g.role.value, g.note, g.granted_by, when)
    console.print(table)
    if not any(g.role is Role.ADMIN for g in grants) and role in (None, Role.ADMIN):
        console.print(
            "No admin yet: grant one with `legalbot-admin users grant --telegram-id ID "
            "--role admin`."
        )
