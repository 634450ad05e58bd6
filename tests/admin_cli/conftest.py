"""Running ``legalbot-admin`` in-process against a fresh SQLite database with the sample FAQ."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from typer.testing import CliRunner, Result

from admin_cli.main import app
from knowledge.core import KnowledgeBase
from knowledge.settings import Settings, get_settings

T = TypeVar("T")


@dataclass
class Cli:
    """Invokes the admin command line and opens the same database for checks."""

    url: str
    data_dir: Path
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None) -> Result:
        """Run ``legalbot-admin ARGS``."""
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)

    def db(self, work: Callable[[KnowledgeBase], Awaitable[T]]) -> T:
        """Run ``work`` on a knowledge base over the same database."""

        async def _run() -> T:
            kb = await KnowledgeBase.open(
                Settings(database_url=self.url, data_dir=self.data_dir, _env_file=None)
            )
            try:
                return await work(kb)
            finally:
                await kb.close()

        return asyncio.run(_run())


@pytest.fixture
def cli(tmp_path: Path, sample_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """The command line on a SQLite file with the three sample entries."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(sample_data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield Cli(url, sample_data_dir, CliRunner())
    get_settings.cache_clear()
