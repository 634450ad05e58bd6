"""``legalbot-admin backup FILE`` and ``restore FILE``: a copy of the whole database.

SQLite: a consistent copy of the live database through SQLite's online backup API, page by
page, while the bot keeps running; restoring writes it back the same way (stop the bot
first: it keeps its indexes in memory). PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean --if-exists --single-transaction`` of the PostgreSQL client tools,
which must be installed and of the server's major version or newer.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from sqlalchemy.engine import URL, make_url

from admin_cli.common import console, err_console, fail
from knowledge.settings import get_settings

PAGES_PER_STEP = 256
SQLITE_MAGIC = b"SQLite format 3\x00"


def _url() -> URL:
    return make_url(get_settings().database_url)


def _sqlite_copy(source: str, target: str, label: str) -> None:
    """Copy one SQLite database into another with the online backup API."""
    with Progress(
        TextColumn(label), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), console=err_console
    ) as progress:
        task: TaskID = progress.add_task(label, total=None)

        def step(_status: int, remaining: int, total: int) -> None:
            progress.update(task, completed=total - remaining, total=total)

        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        finally:
            dst.close()
            src.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from exc
    if header != SQLITE_MAGIC:
        raise fail(f"{path} is not an SQLite database backup")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = connection.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise fail(f"{path} is damaged: {exc}") from exc
    finally:
        connection.close()
    if problems != ("ok",):
        raise fail(f"{path} is damaged: {problems[0] if problems else 'unknown'}")
    if not {"alembic_version", "faq_entries"} <= tables:
        raise fail(f"{path} is an SQLite database, but not one of this bot")


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools; the password goes in the environment."""
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return [*args, "--dbname", url.database or "postgres"], env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise fail(f"{name} is not installed (install the PostgreSQL client tools)")
    return tool


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise fail(f"{Path(command[0]).name} failed:\n{done.stderr.strip()}")


def backup(
    target: Annotated[Path, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a consistent copy of the database to a file (the bot may keep running)."""
    if target.exists() and not force:
        raise fail(f"{target} exists; use --force to overwrite it", 2)
    url = _url()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if not database or database == ":memory:" or not Path(database).exists():
            raise fail(f"no SQLite database at {database!r}")
        _sqlite_copy(database, str(partial), "Backing up")
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_env(url)
        _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(partial), *args], env)
    else:
        raise fail(f"backups of {url.get_backend_name()} databases are not supported")
    partial.replace(target)
    console.print(f"Backup written to {target} ({target.stat().st_size:,} bytes).")


def restore(
    source: Annotated[Path, typer.Argument(help="A file written by `legalbot-admin backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the whole database with a backup (stop the bot first)."""
    if not source.is_file():
        raise fail(f"no backup file {source}", 2)
    url = _url()
    backend = url.get_backend_name()
    if backend == "sqlite":
        _check_sqlite_backup(source)
    if not yes:
        typer.confirm(
            f"Replace everything in the database with {source}? Stop the bot first.", abort=True
        )
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise fail("DATABASE_URL names no SQLite file")
        _sqlite_copy(str(source), url.database, "Restoring")
    elif backend == "postgresql":
        args, env = _pg_env(url)
        command = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction"]
        _run([*command, "--no-owner", *args, str(source)], env)
    else:
        raise fail(f"restoring {backend} databases is not supported")
    console.print(f"Database restored from {source}. Start the bot again.")
