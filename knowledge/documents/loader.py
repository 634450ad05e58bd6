"""Start-up of the document base: bundled documents on first use, then the in-memory index.

The index is never stored: it is rebuilt from the database on every start, which takes about
a second for the bundled laws.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.documents.catalog import CATALOG_FILE, CORPUS_FILE, load_catalog
from knowledge.documents.corpus import read_corpus
from knowledge.documents.search import DocumentIndex
from knowledge.documents.store import DocumentStore
from knowledge.documents.structure import LegalDocument

logger = logging.getLogger(__name__)

BUNDLED_ACTOR = "bundled-data"
DOCUMENTS_DIR = "documents"


def bundled_documents(data_dir: Path) -> list[LegalDocument]:
    """The documents shipped in ``<data_dir>/documents``; none when the folder is absent."""
    folder = data_dir / DOCUMENTS_DIR
    corpus = folder / CORPUS_FILE
    if not corpus.exists():
        logger.info("No bundled documents in %s", folder)
        return []
    catalog = load_catalog(folder / CATALOG_FILE).by_number()
    return read_corpus(corpus, catalog, source=f"bundled:{CORPUS_FILE}")


async def load_bundled(sessions: async_sessionmaker[AsyncSession], data_dir: Path) -> int:
    """Store the bundled documents when the document base is empty; return how many."""
    store = DocumentStore(sessions)
    if await store.count() > 0:
        return 0
    started = time.perf_counter()
    documents = await asyncio.to_thread(bundled_documents, data_dir)
    if documents:
        await store.add(documents, BUNDLED_ACTOR)
        logger.info(
            "Loaded %d bundled documents (%d articles) in %.1f s",
            len(documents),
            sum(len(d.articles) for d in documents),
            time.perf_counter() - started,
        )
    return len(documents)


async def build_index(sessions: async_sessionmaker[AsyncSession]) -> DocumentIndex | None:
    """The search index over every stored document; None when there are none."""
    started = time.perf_counter()
    documents = await DocumentStore(sessions).all_documents()
    if not documents:
        return None
    index = await asyncio.to_thread(DocumentIndex, documents)
    logger.debug("Document index ready in %.2f s", time.perf_counter() - started)
    return index
