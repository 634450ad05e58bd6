"""The knowledge base as one object: storage, the FAQ matcher and the document base."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from knowledge import answer_kinds
from knowledge.activity import ActivityStore
from knowledge.content import load_faq, load_topics
from knowledge.content_schema import FaqEntryData, Source, Topic
from knowledge.db.engine import create_engine, migrate, session_factory
from knowledge.faq_store import FaqStore
from knowledge.matcher import FaqMatcher, IndexedEntry, MatchResult, Thresholds, coverage_gaps
from knowledge.normalize import default_normalizer, normalize
from knowledge.notify import Notifier
from knowledge.paths import bundled_data_dir
from knowledge.scope import FILE_NAME as SCOPE_FILE
from knowledge.scope import ScopeFinder, ScopeTerms
from knowledge.settings import Settings, get_settings

logger = logging.getLogger(__name__)

BUNDLED_ACTOR = "bundled-data"


@dataclass(frozen=True)
class ArticleHit:
    """A clause of a legal document that answers a question."""

    document: str
    number: str
    article: str
    article_title: str
    clause: str | None
    text: str
    score: float
    status: str
    status_note: str


class DocumentSearch(Protocol):
    """The document base, as the dialog sees it."""

    def search(self, text: str, limit: int = 5) -> list[ArticleHit]:
        """Best clauses for a question, best first, scores on 0-100."""
        ...


class KnowledgeBase:
    """Everything the dialog needs, behind one object that no chat platform knows about."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.sessions = session_factory(engine)
        self.faq = FaqStore(self.sessions)
        self.activity = ActivityStore(self.sessions)
        self.data_dir = settings.data_dir or bundled_data_dir()
        self.topics: list[Topic] = load_topics(self.data_dir)
        self.documents: DocumentSearch | None = None
        # Set by the delivery engine when it runs; None means direct messages cannot be sent.
        self.notifier: Notifier | None = None
        self._entries: dict[str, FaqEntryData] = {}
        self._matcher = FaqMatcher([], default_normalizer())
        # A data directory without its own scope terms uses the bundled ones.
        scope_file = self.data_dir / SCOPE_FILE
        if not scope_file.is_file():
            scope_file = bundled_data_dir() / SCOPE_FILE
        self.scope: ScopeFinder = ScopeTerms.load(scope_file).compile(default_normalizer())

    @classmethod
    async def open(cls, settings: Settings | None = None) -> KnowledgeBase:
        """Connect, migrate, load the bundled data on first use and build the indexes."""
        settings = settings or get_settings()
        engine = create_engine(settings.database_url)
        kb = cls(engine, settings)
        await migrate(engine)
        await kb.bootstrap()
        await kb.refresh()
        await kb.refresh_documents()
        return kb

    async def close(self) -> None:
        """Write what is buffered and release database connections."""
        try:
            await self.activity.close()
        finally:
            await self.engine.dispose()

    async def bootstrap(self) -> None:
        """Load the bundled FAQ and documents when the database has none."""
        if await self.faq.count() == 0:
            entries = load_faq(self.data_dir)
            await self.faq.save_many(entries, BUNDLED_ACTOR)
            logger.info("Loaded %d bundled FAQ entries", len(entries))
        # Imported here: the document base builds ArticleHit objects from this module.
        from knowledge.documents.loader import load_bundled

        await load_bundled(self.sessions, self.data_dir)
        from knowledge.tips_store import load_bundled_tips

        await load_bundled_tips(self.sessions, self.data_dir)

    async def refresh_documents(self) -> None:
        """Rebuild the document search index from the stored documents."""
        from knowledge.documents.loader import build_index

        self.documents = await build_index(self.sessions)

    async def refresh(self) -> None:
        """Rebuild the matcher from the stored entries (after any change)."""
        entries = await self.faq.all(include_disabled=True)
        self._entries = {e.id: e for e in entries}
        active = [
            IndexedEntry(e.id, e.questions, e.answer) for e in entries if e.status == "active"
        ]
        s = self.settings
        self._matcher = FaqMatcher(
            active,
            default_normalizer(),
            Thresholds(
                answer=s.answer_threshold,
                suggest=s.suggest_threshold,
                margin=s.ambiguity_margin,
                max_suggestions=s.max_suggestions,
                unexplained=s.unexplained_share,
            ),
            scope=self.scope,
        )
        logger.debug("Matcher rebuilt with %d active entries", len(active))

    def unexplained(self, question: str, *texts: str) -> list[str]:
        """What ``question`` asks about that none of ``texts`` covers: scope terms (another
        country, group, thing) and figures (an amount, a duration, an age).

        Conditions ("nếu …") are not checked here, unlike for FAQ entries: a clause states
        its rule in general words and questions put to it set out their facts, so on the dev
        legal questions the check only turned good clauses away (bench/doc_retrieval.py).
        The share of the question's words a clause never uses (knowledge.coverage) is not
        checked either, for the same reason.
        """
        keys = [normalize(text) for text in texts]
        covered = self.scope.find_all(k.split() for k in keys)
        gives = answer_kinds.given(" ".join(keys), " ".join(texts))
        return coverage_gaps(self.scope, normalize(question), covered, gives)

    def match(self, text: str) -> MatchResult:
        """Match a question against the active entries."""
        return self._matcher.match(text)

    def entry(self, entry_id: str) -> FaqEntryData | None:
        """An entry by id (active or disabled), from memory."""
        return self._entries.get(entry_id)

    def active_entries(self, topic: str | None = None) -> list[FaqEntryData]:
        """Active entries, optionally of one topic, in id order."""
        return [
            e
            for e in self._entries.values()
            if e.status == "active" and (topic is None or e.topic == topic)
        ]

    def topic_name(self, code: str) -> str:
        """Vietnamese name of a topic code."""
        return next((t.name for t in self.topics if t.code == code), code)

    @staticmethod
    def source_dicts(sources: Sequence[Source]) -> list[dict[str, str | None]]:
        """Sources in the JSON shape of ``legalbot ask --json``."""
        return [
            {"document": s.document, "number": s.number, "article": s.article, "clause": s.clause}
            for s in sources
        ]
