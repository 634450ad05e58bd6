"""``legalbot-admin`` entry point: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer

from admin_cli import backup, report, stats
from admin_cli.audience import app as audience_app
from admin_cli.broadcast import app as broadcast_app
from admin_cli.db import app as db_app
from admin_cli.docs import app as docs_app
from admin_cli.faq import app as faq_app
from admin_cli.tips import app as tips_app
from admin_cli.unanswered import app as unanswered_app
from admin_cli.users import app as users_app
from bot.logging_setup import configure_logging
from knowledge.settings import checked_settings

app = typer.Typer(
    help="Công cụ quản trị trợ lý pháp luật: operators' and legal officers' command line.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(audience_app, name="audience")
app.add_typer(broadcast_app, name="broadcast")
app.add_typer(db_app, name="db")
app.add_typer(docs_app, name="docs")
app.add_typer(faq_app, name="faq")
app.add_typer(tips_app, name="tips")
app.add_typer(unanswered_app, name="unanswered")
app.add_typer(users_app, name="users")
app.command("stats")(stats.stats)
app.command("report")(report.report)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)


def main() -> None:
    """Console entry point."""
    configure_logging("WARNING")
    checked_settings()
    app()
