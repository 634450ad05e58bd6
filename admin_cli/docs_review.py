"""What ``docs status`` does for curation: a changed law flags what cites it for review.

``--amended-by``, ``--replaced-by`` and ``--expired`` are shorthands for ``--status`` with
``--changed-by``; after the status is stored, every FAQ entry and tip citing the document is
marked needs-check with a note, and listed.
"""

from __future__ import annotations

from rich.table import Table

from admin_cli.common import console, fail
from knowledge.core import KnowledgeBase
from knowledge.curation.flagging import Flagged, flag_citing, review_note


def resolve(
    status: str | None,
    changed_by: str | None,
    amended_by: str | None,
    replaced_by: str | None,
    expired: bool,
) -> tuple[str, str | None]:
    """(status choice as typed, changed by) from the options; exactly one way must be used."""
    given = [
        ("--status", status is not None),
        ("--amended-by", amended_by is not None),
        ("--replaced-by", replaced_by is not None),
        ("--expired", expired),
    ]
    used = [name for name, present in given if present]
    if len(used) != 1:
        raise fail(
            "say what happened with one of --amended-by TEXT, --replaced-by TEXT, --expired "
            f"or --status (given: {', '.join(used) or 'none'})",
            2,
        )
    if amended_by is not None:
        return "amended", amended_by
    if replaced_by is not None:
        return "replaced", replaced_by
    if expired:
        return "expired", changed_by
    assert status is not None
    return status, changed_by


async def flag(
    kb: KnowledgeBase, number: str, status: str, changed_by: str | None, actor: str
) -> Flagged:
    """Flag what cites the document, unless it is (again) in force."""
    if status == "in force":
        return Flagged()
    return await flag_citing(kb, number, review_note(number, status, changed_by), actor)


def show_flagged(flagged: Flagged) -> None:
    """List what was flagged for review."""
    if not flagged.entries and not flagged.tips:
        console.print("No FAQ entry or tip cites it.")
        return
    table = Table("kind", "id", "main question / note", title="Flagged for review (needs-check)")
    for entry in flagged.entries:
        table.add_row("FAQ", entry.id, entry.main_question)
    for tip_id in flagged.tips:
        table.add_row("tip", tip_id, "")
    console.print(table)
    console.print(
        f"{len(flagged.entries)} FAQ entries and {len(flagged.tips)} tips flagged; "
        "see `legalbot-admin faq list --needs-check`."
    )
