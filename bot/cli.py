"""``legalbot``: run the bot, chat in the terminal, or ask questions from the shell."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from bot.ask_json import reply_json
from bot.channels import running_channels
from bot.logging_setup import configure_logging
from bot.memory import freeze_loaded_objects
from bot.telegram.settings import MISSING_TOKEN as MISSING_TELEGRAM_TOKEN
from bot.telegram.settings import TelegramSettings, explain
from bot.terminal import chat as terminal_chat
from bot.terminal import render_plain
from bot.zalo.errors import ZaloError
from bot.zalo.settings import MISSING_TOKEN as MISSING_ZALO_TOKEN
from bot.zalo.settings import ZaloSettings
from bot.zalo.settings import explain as explain_zalo
from knowledge import messages as msg
from knowledge.activity import Asker
from knowledge.content import ContentError
from knowledge.core import KnowledgeBase
from knowledge.dialog import Conversation, Dialog, Reply, ReplyKind
from knowledge.settings import checked_settings, get_settings

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


def _documents_only(kb: KnowledgeBase, dialog: Dialog, question: str, top: int) -> dict[str, Any]:
    """The JSON line of a question answered from the document base alone."""
    hits = kb.documents.search(question, limit=top) if kb.documents and question.strip() else []
    if hits and hits[0].score >= kb.settings.document_threshold:
        # The same reply the chat shows for an article.
        reply = dialog._article_reply(Conversation(Asker("cli")), hits[0])
    else:
        officer = kb.settings.legal_officer_contact
        score = hits[0].score if hits else None
        reply = Reply(
            ReplyKind.UNANSWERED,
            msg.UNANSWERED.format(officer=officer),
            status="unanswered",
            score=score,
        )
    line = reply_json(question, reply)
    line["results"] = [
        {
            "document": h.document,
            "number": h.number,
            "article": h.article,
            "clause": h.clause,
            "score": h.score,
        }
        for h in hits
    ]
    return line


async def _ask_lines(
    lines: list[str], as_json: bool, documents_only: bool = False, top: int = 5
) -> None:
    kb = await _open()
    try:
        dialog = Dialog(kb)
        for line in lines:
            question = line.rstrip("\n")
            if documents_only:
                sys.stdout.write(
                    json.dumps(_documents_only(kb, dialog, question, top), ensure_ascii=False)
                )
                sys.stdout.write("\n")
                sys.stdout.flush()
                continue
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
    documents_only: Annotated[
        bool,
        typer.Option(
            "--documents-only", help="With --json: search only the document base, add results."
        ),
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, max=50, help="With --documents-only: results kept.")
    ] = 5,
) -> None:
    """Answer one question as a chat user would see it, or many as JSON lines."""
    configure_logging("WARNING")
    if documents_only and not as_json:
        typer.echo("Error: --documents-only needs --json.")
        raise typer.Exit(2)
    if question is None:
        if not as_json:
            typer.echo("Error: give a question, or use --json to read questions from stdin.")
            raise typer.Exit(2)
        lines = [line for line in sys.stdin]
    else:
        lines = [question]
    asyncio.run(_ask_lines(lines, as_json, documents_only, top))


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


async def _serve_channels(
    kb: KnowledgeBase, telegram: TelegramSettings | None, zalo: ZaloSettings | None
) -> None:
    """Run every configured channel in this process until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    async with running_channels(kb, telegram, zalo) as channels:
        tasks = [asyncio.create_task(channel.bot.receive(stop)) for channel in channels]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        # One channel failing (a token revoked while polling) stops the others cleanly,
        # then is reported.
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        error = task.exception()
        if error is not None:
            raise error


@app.command()
def run() -> None:
    """Run the chat bots whose tokens are set (Telegram, Zalo) until stopped."""
    settings = get_settings()
    try:
        telegram = TelegramSettings()
    except ValidationError as exc:
        typer.echo("Error: invalid Telegram settings.\n" + "\n".join(explain(exc)), err=True)
        raise typer.Exit(2) from exc
    try:
        zalo = ZaloSettings()
    except ValidationError as exc:
        typer.echo("Error: invalid Zalo settings.\n" + "\n".join(explain_zalo(exc)), err=True)
        raise typer.Exit(2) from exc
    if telegram.bot_token is None and zalo.bot_token is None:
        typer.echo(f"{MISSING_TELEGRAM_TOKEN}\n{MISSING_ZALO_TOKEN}", err=True)
        raise typer.Exit(2)
    problems = telegram.problems() if telegram.bot_token else []
    problems += zalo.problems() if zalo.bot_token else []
    if problems:
        typer.echo("\n".join(problems), err=True)
        raise typer.Exit(2)
    configure_logging(settings.log_level)

    async def _run() -> None:
        kb = await _open()
        freeze_loaded_objects()
        try:
            await _serve_channels(
                kb, telegram if telegram.bot_token else None, zalo if zalo.bot_token else None
            )
        finally:
            await kb.close()

    try:
        asyncio.run(_run())
    except ZaloError as exc:
        typer.echo(f"Error: Zalo: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def serve() -> None:
    """Run the web column (pages, API, chat widget) and every configured chat channel on
    WEB_HOST:WEB_PORT (default 127.0.0.1:8080), webhooks included, until stopped."""
    from bot.web.serve import serve_command

    serve_command()


def main() -> None:
    """Console entry point."""
    checked_settings()
    app()
