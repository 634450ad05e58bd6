"""``legalbot``: run the bot, chat in the terminal, or ask questions from the shell."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated

import typer

from bot.ask_json import reply_json
from bot.logging_setup import configure_logging
from bot.terminal import chat as terminal_chat
from bot.terminal import render_plain
from knowledge.activity import Asker
from knowledge.content import ContentError
from knowledge.core import KnowledgeBase
from knowledge.dialog import Conversation, Dialog
from knowledge.settings import get_settings

app = typer.Typer(
    help="Trợ lý pháp luật học đường: legal Q&A bot for schools.",
    no_args_is_help=True,
    add_completion=False,
)


async def _open() -> KnowledgeBase:
    try:
        return await KnowledgeBase.open()
    except ContentError as exc:
        typer.echo(f"Error: the curated data is invalid.\n{exc}", err=True)
        raise typer.Exit(2) from exc


async def _ask_lines(lines: list[str], as_json: bool) -> None:
    kb = await _open()
    try:
        dialog = Dialog(kb)
        for line in lines:
            question = line.rstrip("\n")
            conversation = Conversation(Asker("cli"))
            reply = await dialog.ask(conversation, question)
            if as_json:
                sys.stdout.write(json.dumps(reply_json(question, reply), ensure_ascii=False))
                sys.stdout.write("\n")
                sys.stdout.flush()
            else:
                typer.echo(render_plain(reply, hints=False))
    finally:
        await kb.close()


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question; omit with --json.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per question; reads stdin.")
    ] = False,
) -> None:
    """Answer one question as a chat user would see it, or many as JSON lines."""
    configure_logging("WARNING")
    if question is None:
        if not as_json:
            typer.echo("Error: give a question, or use --json to read questions from stdin.")
            raise typer.Exit(2)
        lines = [line for line in sys.stdin]
    else:
        lines = [question]
    asyncio.run(_ask_lines(lines, as_json))


@app.command()
def chat() -> None:
    """Chat with the bot in the terminal (no token, no network). Ctrl-D leaves."""
    configure_logging("WARNING")

    async def _run() -> None:
        kb = await _open()
        try:
            await terminal_chat(kb)
        finally:
            await kb.close()

    try:
        asyncio.run(_run())
    except KeyboardInterrupt:
        typer.echo("")


def main() -> None:
    """Console entry point."""
    get_settings()
    app()
