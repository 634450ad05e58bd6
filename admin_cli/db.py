"""``legalbot-admin db``: schema migrations."""

from __future__ import annotations

import asyncio

import typer

from admin_cli.common import console
from knowledge.db.engine import create_engine, migrate
from knowledge.settings import get_settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply every pending migration (the bot also does this on start)."""

    async def _run() -> None:
        engine = create_engine(get_settings().database_url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(_run())
    console.print("Database schema is up to date.")
