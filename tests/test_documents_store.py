"""Documents in the database (SQLite always, PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from knowledge.core import KnowledgeBase
from knowledge.db.engine import alembic_config, create_engine, migrate, session_factory
from knowledge.db.models import AuditLog
from knowledge.documents.errors import DocumentError
from knowledge.documents.importer import read_documents
from knowledge.documents.search import DocumentIndex
from knowledge.documents.store import DocumentStore
from knowledge.documents.structure import Article, Clause, LegalDocument
from knowledge.paths import bundled_data_dir
from knowledge.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
TABLES = {"legal_documents", "legal_articles", "legal_clauses"}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def store(engine: AsyncEngine) -> DocumentStore:
    return DocumentStore(session_factory(engine))


def sample() -> LegalDocument:
    (document,) = read_documents([FIXTURES / "luat_thanh_nien_trich.txt"], {})
    return document


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "0001")


async def test_migration_creates_and_drops_the_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) >= TABLES
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)
    async with engine.connect() as connection:
        assert not TABLES & await connection.run_sync(_tables)
    await migrate(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) >= TABLES


async def test_round_trip_keeps_articles_clauses_and_metadata(store: DocumentStore) -> None:
    document = sample()
    await store.add([document], "tester")

    stored = await store.get("57/2020/QH14")
    assert stored is not None
    assert stored.meta == document.meta
    assert stored.articles == document.articles
    assert await store.get("nothing") is None


async def test_import_is_all_or_nothing(store: DocumentStore) -> None:
    good = sample()
    clause = (Clause("1", "Nội dung."),)
    twice = LegalDocument(
        dataclasses.replace(good.meta, number="99/2020/QH14"),
        (Article("1", "Một", clause), Article("1", "Lặp lại", clause)),
    )

    with pytest.raises(IntegrityError):
        await store.add([good, twice], "tester")
    assert await store.count() == 0


async def test_same_number_needs_replace(store: DocumentStore) -> None:
    document = sample()
    await store.add([document], "tester")

    with pytest.raises(DocumentError, match="already in the document base"):
        await store.add([document], "tester")
    shorter = dataclasses.replace(document, articles=document.articles[:2])
    await store.add([shorter], "tester", replace=True)

    stored = await store.get("57/2020/QH14")
    assert stored is not None and len(stored.articles) == 2
    async with store.sessions() as session:
        actions = (await session.scalars(select(AuditLog.action).order_by(AuditLog.id))).all()
    assert actions == ["document.add", "document.replace"]


async def test_summaries_and_status_change(store: DocumentStore) -> None:
    await store.add([sample()], "tester")

    (summary,) = await store.summaries()
    assert (summary.articles, summary.clauses) == (6, 6)
    meta = await store.set_status(
        "57/2020/QH14", "replaced", "Luật Thanh niên 999/2030/QH99", None, "test", "tester"
    )
    assert meta is not None and meta.status == "replaced"
    assert (await store.summaries())[0].meta.changed_by == "Luật Thanh niên 999/2030/QH99"
    assert await store.set_status("nope", "expired", None, None, "", "tester") is None


async def test_bundled_documents_load_on_first_open(
    database_url: str, sample_data_dir: Path
) -> None:
    shutil.copytree(bundled_data_dir() / "documents", sample_data_dir / "documents")
    settings = Settings(database_url=database_url, data_dir=sample_data_dir, _env_file=None)

    started = time.perf_counter()
    kb = await KnowledgeBase.open(settings)
    first_open = time.perf_counter() - started
    try:
        assert isinstance(kb.documents, DocumentIndex)
        assert kb.documents.size == 2249
        assert len(kb.documents.documents) == 17
        assert first_open < 30
    finally:
        await kb.close()

    kb = await KnowledgeBase.open(settings)  # a second start loads nothing again
    try:
        assert isinstance(kb.documents, DocumentIndex) and kb.documents.size == 2249
        async with kb.sessions() as session:
            added = await session.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action == "document.add")
            )
        assert added == 17
    finally:
        await kb.close()


async def test_no_documents_folder_means_no_document_search(kb: KnowledgeBase) -> None:
    assert kb.documents is None
