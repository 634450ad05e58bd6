"""``legalbot-admin backup`` and ``restore``: a consistent copy, and the database back from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.core import KnowledgeBase
from knowledge.settings import get_settings
from tests.admin_cli.conftest import Cli
from tests.conftest import POSTGRES_URL, reset_postgres


def statuses(cli: Cli) -> dict[str, str]:
    async def _all(kb: KnowledgeBase) -> dict[str, str]:
        return {e.id: e.status for e in await kb.faq.all()}

    return cli.db(_all)


def round_trip(cli: Cli, tmp_path: Path) -> None:
    """Back up, change the FAQ, restore, and find the FAQ as it was."""
    before = statuses(cli)
    target = tmp_path / "legalbot.backup"
    done = cli("backup", str(target))
    assert done.exit_code == 0, done.output
    assert target.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))

    assert cli("faq", "disable", "t02-mu-bao-hiem").exit_code == 0
    assert statuses(cli)["t02-mu-bao-hiem"] == "disabled"

    refused = cli("restore", str(target), input="n\n")
    assert refused.exit_code == 1 and statuses(cli)["t02-mu-bao-hiem"] == "disabled"
    done = cli("restore", str(target), "--yes")
    assert done.exit_code == 0, done.output
    assert statuses(cli) == before


def test_a_sqlite_database_is_backed_up_while_open_and_restored(cli: Cli, tmp_path: Path) -> None:
    statuses(cli)  # creates the database
    round_trip(cli, tmp_path)
    again = cli("backup", str(tmp_path / "legalbot.backup"))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert cli("backup", str(tmp_path / "legalbot.backup"), "--force").exit_code == 0


def test_a_file_that_is_not_a_backup_of_this_bot_is_refused(cli: Cli, tmp_path: Path) -> None:
    statuses(cli)
    before = statuses(cli)
    text = tmp_path / "notes.txt"
    text.write_text("not a database", "utf-8")
    done = cli("restore", str(text), "--yes")
    assert done.exit_code == 1 and "not an SQLite database backup" in done.stderr

    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    done = cli("restore", str(other), "--yes")
    assert done.exit_code == 1 and "not one of this bot" in done.stderr

    damaged = tmp_path / "damaged.db"
    cli("backup", str(damaged))
    data = bytearray(damaged.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    damaged.write_bytes(bytes(data))
    done = cli("restore", str(damaged), "--yes")
    assert done.exit_code == 1 and "damaged" in done.stderr
    assert cli("restore", str(tmp_path / "missing.db"), "--yes").exit_code == 2
    assert statuses(cli) == before


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
async def test_a_postgresql_database_is_dumped_and_restored(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert POSTGRES_URL is not None
    await reset_postgres(POSTGRES_URL)
    monkeypatch.setenv("DATABASE_URL", POSTGRES_URL)
    get_settings.cache_clear()
    cli.url = POSTGRES_URL
    # The CLI runs its own event loop: hand it a thread of its own.
    import asyncio

    await asyncio.to_thread(round_trip, cli, tmp_path)
