"""``legalbot serve``: the web column and every configured chat channel on one port.

Channels in webhook mode get their webhook route mounted in the web application, so a
deployment needs one port and one TLS front; channels in polling mode run beside it. A
channel without a token is simply not started. The channels share one delivery engine, as
under ``legalbot run`` (``bot.channels``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import typer
from pydantic import ValidationError
from starlette.routing import BaseRoute

from bot.channels import RunningChannel, running_channels
from bot.logging_setup import configure_logging
from bot.memory import freeze_loaded_objects
from bot.telegram.settings import TelegramSettings
from bot.telegram.settings import explain as explain_telegram
from bot.web.app import create_app
from bot.web.schools import SchoolsError, load_schools
from bot.web.server import WebServer
from bot.web.settings import WebSettings
from bot.web.settings import explain as explain_web
from bot.web.site import Site
from bot.zalo.settings import ZaloSettings
from bot.zalo.settings import explain as explain_zalo
from knowledge.content import ContentError
from knowledge.core import KnowledgeBase
from knowledge.settings import get_settings

logger = logging.getLogger(__name__)


@dataclass
class HostedChannel:
    """A started chat channel: routes to mount, what to do once the port is open, and the
    task of a polling channel (which ends only by failing)."""

    name: str
    routes: list[BaseRoute] = field(default_factory=list)
    on_listening: Callable[[], Awaitable[Any]] | None = None
    task: asyncio.Task[None] | None = None


@contextlib.asynccontextmanager
async def _hosted(channel: RunningChannel) -> AsyncIterator[HostedChannel]:
    """A channel's webhook mounted in the web application, or its polling beside it."""
    if channel.webhook:
        yield HostedChannel(channel.name, channel.bot.routes(), channel.bot.register_webhook)
        return

    stop = asyncio.Event()
    task = asyncio.create_task(channel.bot.receive(stop), name=f"{channel.name.lower()}-polling")
    try:
        yield HostedChannel(channel.name, task=task)
    finally:
        stop.set()
        # A failure was already reported by serve(); here the task is only awaited.
        with contextlib.suppress(Exception):
            await task


def _check_paths(site: Site, channels: list[HostedChannel]) -> None:
    """A webhook path must not hide the site's own pages."""
    for channel in channels:
        for route in channel.routes:
            path = getattr(route, "path", "")
            first = path.split("/", 2)[1] if path.count("/") else ""
            if first in ("api", "static") or (first and first in site.schools):
                raise ValueError(
                    f"the {channel.name} webhook path {path} overlaps the web column's "
                    f"/{first}/ pages; choose another path in its webhook URL"
                )


async def serve(
    kb: KnowledgeBase,
    web: WebSettings,
    stop: asyncio.Event,
    telegram: TelegramSettings | None = None,
    zalo: ZaloSettings | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Run the web column and the given channels until ``stop`` is set or a channel fails."""
    site = await Site.load(kb, web)
    async with (
        running_channels(kb, telegram, zalo) as running,
        contextlib.AsyncExitStack() as stack,
    ):
        channels = [await stack.enter_async_context(_hosted(c)) for c in running]
        _check_paths(site, channels)

        app = create_app(site, [route for c in channels for route in c.routes])
        server = WebServer(app, web.host, web.port, web.forwarded_allow_ips)
        await server.start()
        # Closed first on the way out: no webhook request arrives at a stopping channel.
        stack.push_async_callback(server.stop)
        for channel in channels:
            if channel.on_listening is not None:
                await channel.on_listening()
        if ready is not None:
            ready.set()

        stopping = asyncio.create_task(stop.wait())
        tasks = [c.task for c in channels if c.task is not None]
        await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        for task in tasks:
            error = task.exception() if task.done() and not task.cancelled() else None
            if error is not None:
                logger.error("A chat channel stopped with an error; shutting down")
                raise error
    logger.info("Web column stopped")


def _settings() -> tuple[WebSettings, TelegramSettings | None, ZaloSettings | None]:
    """Every setting, checked; a clear message and exit code 2 when one is wrong."""
    try:
        web = WebSettings()
        load_schools(web)
    except ValidationError as exc:
        typer.echo("Error: invalid web settings.\n" + "\n".join(explain_web(exc)), err=True)
        raise typer.Exit(2) from exc
    except SchoolsError as exc:
        typer.echo(f"Error: invalid schools setting.\n{exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        telegram = TelegramSettings()
    except ValidationError as exc:
        typer.echo(
            "Error: invalid Telegram settings.\n" + "\n".join(explain_telegram(exc)), err=True
        )
        raise typer.Exit(2) from exc
    try:
        zalo = ZaloSettings()
    except ValidationError as exc:
        typer.echo("Error: invalid Zalo settings.\n" + "\n".join(explain_zalo(exc)), err=True)
        raise typer.Exit(2) from exc

    problems = telegram.problems() if telegram.bot_token else []
    problems += zalo.problems() if zalo.bot_token else []
    if problems:
        typer.echo("\n".join(problems), err=True)
        raise typer.Exit(2)
    return web, telegram if telegram.bot_token else None, zalo if zalo.bot_token else None


def serve_command() -> None:
    """What ``legalbot serve`` does: check the settings, open the knowledge base, serve."""
    web, telegram, zalo = _settings()
    configure_logging(get_settings().log_level)
    running = [name for name, s in (("Telegram", telegram), ("Zalo", zalo)) if s is not None]
    logger.info("Chat channels: %s", ", ".join(running) or "none (web column only)")

    async def _run() -> None:
        try:
            kb = await KnowledgeBase.open()
        except ContentError as exc:
            typer.echo(f"Error: the curated data is invalid.\n{exc}", err=True)
            raise typer.Exit(2) from exc
        freeze_loaded_objects()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await serve(kb, web, stop, telegram, zalo)
        finally:
            await kb.close()

    try:
        asyncio.run(_run())
    except typer.Exit:
        # Click's Exit is a RuntimeError: let the code chosen above through unchanged.
        raise
    except (RuntimeError, ValueError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
