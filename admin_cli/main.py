"""``legalbot-admin`` entry point: one Typer app with a sub-app per area."""

from __future__ import annotations

import typer

from admin_cli.db import app as db_app
from admin_cli.faq import app as faq_app
from admin_cli.tips import app as tips_app
from bot.logging_setup import configure_logging

app = typer.Typer(
    help="Công cụ quản trị trợ lý pháp luật: operators' and legal officers' command line.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db_app, name="db")
app.add_typer(faq_app, name="faq")
app.add_typer(tips_app, name="tips")


def main() -> None:
    """Console entry point."""
    configure_logging("WARNING")
    app()
