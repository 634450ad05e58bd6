"""Alembic environment: runs on a connection handed over by knowledge.db.engine.migrate."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import knowledge.chat_users  # registers the chat_users table on Base.metadata
import knowledge.documents.models  # registers the document base tables
import knowledge.subscriptions
import knowledge.users  # noqa: F401  (registers the user_roles table)
from knowledge.db.engine import create_engine
from knowledge.db.models import Base
from knowledge.settings import get_settings


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    engine = create_engine(get_settings().database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_with_own_engine())
