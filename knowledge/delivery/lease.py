"""Who may deliver, and which workers are gone, per database.

A worker's rows in flight (``sending``) must be recovered once the worker is dead, and
only then. Liveness is taken from a lock the operating system or the database drops by
itself when the process dies, even by SIGKILL:

- PostgreSQL: each worker holds a session advisory lock on its own id on a connection it
  keeps open. A worker id whose lock can be taken belongs to a dead worker. Any number of
  workers deliver side by side.
- SQLite: one writer. The worker holds an exclusive ``flock`` on a file next to the
  database; a second ``legalbot run`` on the same file waits until the first one stops.
  Whoever holds the lock knows every other worker id is dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)

# First key of the advisory locks (the second is the worker id): "LBDL".
LOCK_CLASS = 0x4C42444C & 0x7FFFFFFF
RETRY_SECONDS = 2.0


def new_worker_id() -> int:
    """A random positive 31-bit id (PostgreSQL advisory lock keys are int4)."""
    return secrets.randbelow(2**31 - 2) + 1


class Lease(Protocol):
    """The right to deliver, and knowledge of which other workers are gone."""

    worker_id: int

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait for the right to deliver; False when ``stop`` was set first."""
        ...

    async def dead(self, candidates: set[int]) -> set[int]:
        """Which of ``candidates`` (other workers' ids) are no longer running."""
        ...

    async def release(self) -> None:
        """Give the right up."""
        ...


def lease_for(engine: AsyncEngine) -> Lease:
    """The lease that fits the database behind ``engine``."""
    url = make_url(str(engine.url))
    if url.get_backend_name() == "postgresql":
        return AdvisoryLease(engine)
    database = url.database
    if not database or database == ":memory:":
        return SoleLease()
    return FileLease(Path(database).with_name(Path(database).name + ".delivery-lock"))


class SoleLease:
    """An in-memory database: only this process can see it."""

    def __init__(self) -> None:
        self.worker_id = new_worker_id()

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Always granted."""
        return True

    async def dead(self, candidates: set[int]) -> set[int]:
        """Nobody else exists."""
        return set(candidates)

    async def release(self) -> None:
        """Nothing held."""


class FileLease:
    """The single-writer lock of a SQLite database."""

    def __init__(self, path: Path) -> None:
        self.worker_id = new_worker_id()
        self.path = path
        self._file: IO[bytes] | None = None

    def _try(self) -> bool:
        import fcntl

        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until no other process delivers from this database."""
        warned = False
        while not stop.is_set():
            if self._try():
                return True
            if not warned:
                logger.warning(
                    "Another process delivers from this SQLite database (%s is locked); "
                    "waiting for it to stop",
                    self.path,
                )
                warned = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RETRY_SECONDS)
        return False

    async def dead(self, candidates: set[int]) -> set[int]:
        """Holding the lock, every other worker is gone."""
        return set(candidates) - {self.worker_id}

    async def release(self) -> None:
        """Unlock (closing the file drops the lock)."""
        if self._file is not None:
            self._file.close()
            self._file = None


class AdvisoryLease:
    """A PostgreSQL session advisory lock per worker."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.worker_id = new_worker_id()
        self._engine = engine
        self._connection: AsyncConnection | None = None

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Hold this worker's own lock on a connection kept open while it runs."""
        connection = await self._engine.connect()
        await connection.execute(
            text("SELECT pg_advisory_lock(:c, :w)"), {"c": LOCK_CLASS, "w": self.worker_id}
        )
        await connection.commit()
        self._connection = connection
        return True

    async def dead(self, candidates: set[int]) -> set[int]:
        """Workers whose lock is free: their connection, and so their process, is gone."""
        if self._connection is None:
            return set()
        gone = set()
        for worker in candidates - {self.worker_id}:
            params = {"c": LOCK_CLASS, "w": worker}
            taken = await self._connection.scalar(
                text("SELECT pg_try_advisory_lock(:c, :w)"), params
            )
            if taken:
                gone.add(worker)
                await self._connection.execute(text("SELECT pg_advisory_unlock(:c, :w)"), params)
        await self._connection.commit()
        return gone

    async def release(self) -> None:
        """Close the connection, which drops the lock."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
