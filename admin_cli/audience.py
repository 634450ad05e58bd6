"""``legalbot-admin audience``: units, classes and staff groups, and their join codes."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from admin_cli.common import console, fail, run_with_kb
from knowledge.audiences import (
    Audience,
    AudienceError,
    AudienceKind,
    AudienceStore,
    AudienceSummary,
)
from knowledge.core import KnowledgeBase
from knowledge.db.models import utcnow
from knowledge.users import Role

app = typer.Typer(
    help="Audiences: units, classes, staff groups and join codes.", no_args_is_help=True
)


class KindChoice(StrEnum):
    """Audience kinds as typed on the command line."""

    unit = "unit"
    class_ = "class"
    staff = "staff"


class GrantChoice(StrEnum):
    """Roles a staff group's code may grant."""

    teacher = "teacher"
    staff = "staff"


def join_link(bot: str, code: str) -> str:
    """The Telegram deep link of a code."""
    return f"https://t.me/{bot.lstrip('@')}?start={code}"


def write_qr(link: str, path: Path) -> None:
    """A printable QR code of ``link``; PNG or SVG by the file's suffix."""
    import segno

    if path.suffix.lower() not in (".png", ".svg"):
        raise fail(f"{path}: the QR file must end in .png or .svg")
    try:
        segno.make(link, error="m").save(str(path), scale=10, border=4)
    except OSError as exc:
        raise fail(f"{path}: cannot write the QR code ({exc.strerror})") from exc


@app.command()
def create(
    kind: Annotated[
        KindChoice, typer.Option(help="unit (the Department, a school), class or staff.")
    ],
    name: Annotated[str, typer.Option(help="Name, e.g. 'THPT Nguyễn Du' or '10A1'.")],
    parent: Annotated[
        str | None, typer.Option(help="Join code of the unit it belongs to.")
    ] = None,
    grants: Annotated[
        GrantChoice | None, typer.Option(help="Staff groups only: role given to who joins.")
    ] = None,
    expires_days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="The code stops working after N days.")
    ] = None,
    bot: Annotated[str | None, typer.Option(help="Bot username, to print the join link.")] = None,
    qr: Annotated[Path | None, typer.Option(help="Write the link's QR code (.png/.svg).")] = None,
    actor: Annotated[str, typer.Option(help="Who creates it (for the log).")] = "admin-cli",
) -> None:
    """Create an audience and print its join code (then its link with --bot)."""
    if qr is not None and bot is None:
        raise fail("--qr needs --bot (the link in the QR code names the bot)")
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    role = Role(grants.value) if grants else None

    async def _create(kb: KnowledgeBase) -> Audience:
        return await AudienceStore(kb.sessions).create(
            AudienceKind(kind.value),
            name,
            actor,
            parent_code=parent,
            grants_role=role,
            expires_at=expires,
        )

    try:
        audience = run_with_kb(_create)
    except AudienceError as exc:
        raise fail(str(exc)) from exc
    sys.stdout.write(audience.code + "\n")
    if bot is not None:
        link = join_link(bot, audience.code)
        sys.stdout.write(link + "\n")
        if qr is not None:
            write_qr(link, qr)


def _summary_json(summary: AudienceSummary) -> dict[str, Any]:
    a = summary.audience
    return {
        "code": a.code,
        "kind": a.kind,
        "name": a.name,
        "parent": summary.parent_code,
        "members": summary.members,
        "owner": f"{a.owner_channel}:{a.owner_user_id}" if a.owner_user_id else None,
        "grants_role": a.grants_role,
        "expires_at": a.code_expires_at.isoformat() if a.code_expires_at else None,
    }


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array on stdout.")] = False,
) -> None:
    """List audiences with their codes and member counts."""

    async def _all(kb: KnowledgeBase) -> list[AudienceSummary]:
        return await AudienceStore(kb.sessions).summaries()

    summaries = run_with_kb(_all)
    if as_json:
        sys.stdout.write(json.dumps([_summary_json(s) for s in summaries], ensure_ascii=False))
        sys.stdout.write("\n")
        return
    table = Table("code", "kind", "name", "parent", "members", "owner")
    for s in summaries:
        row = _summary_json(s)
        table.add_row(
            s.audience.code,
            s.audience.kind,
            s.audience.name,
            s.parent_code or "",
            str(s.members),
            row["owner"] or "",
        )
    console.print(table)
    console.print(f"{len(summaries)} audiences")


@app.command("qr")
def qr_code(
    code: Annotated[str, typer.Argument(help="The audience's join code.")],
    bot: Annotated[str, typer.Option(help="Bot username.")],
    out: Annotated[Path, typer.Option(help="File to write (.png or .svg).")],
) -> None:
    """Write a printable QR code of an audience's join link."""

    async def _get(kb: KnowledgeBase) -> Audience | None:
        return await AudienceStore(kb.sessions).by_code(code)

    audience = run_with_kb(_get)
    if audience is None:
        raise fail(f"no audience with join code {code!r}; see `legalbot-admin audience list`")
    write_qr(join_link(bot, audience.code), out)
    console.print(f"Wrote {out}")
