"""Helpers shared by the admin commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from knowledge.content import ContentError
from knowledge.core import KnowledgeBase

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


def run_with_kb(work: Callable[[KnowledgeBase], Awaitable[T]]) -> T:
    """Open the knowledge base, run ``work`` on it, close it."""

    async def _run() -> T:
        try:
            kb = await KnowledgeBase.open()
        except ContentError as exc:
            raise fail(f"the curated data is invalid.\n{exc}", 2) from exc
        try:
            return await work(kb)
        finally:
            await kb.close()

    return asyncio.run(_run())
