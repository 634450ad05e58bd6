"""Everything the web column's routes share: the knowledge base, the dialog, the schools,
the law and tip libraries, the rate limiter and the templates."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import segno
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from bot.web import messages as wmsg
from bot.web.laws import LawLibrary, article_anchor, clause_anchor, clause_points
from bot.web.ratelimit import RateLimiter
from bot.web.schools import School, load_schools
from bot.web.settings import WebSettings
from bot.web.tips import TipLibrary, stored_tips
from knowledge import messages as msg
from knowledge.content_schema import Source
from knowledge.core import KnowledgeBase
from knowledge.dialog import Dialog
from knowledge.documents.store import DocumentStore

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
# Tips are read again from the database at most this often (operators edit them).
TIPS_REFRESH_SECONDS = 300.0


@dataclass(frozen=True)
class Citation:
    """A legal basis as shown: its text and, when the document base has it, a link."""

    text: str
    path: str | None


def app_path(scope: Mapping[str, Any]) -> str:
    """The request path below where the application is mounted (a proxy's ``root_path``)."""
    path = str(scope.get("path", ""))
    root = str(scope.get("app_root_path", scope.get("root_path", ""))).rstrip("/")
    return path[len(root) :] if root and path.startswith(root) else path


def paragraphs(text: str) -> list[list[str]]:
    """A text as paragraphs (split at blank lines), each as its lines."""
    blocks = [block.strip() for block in text.replace("\r", "").split("\n\n")]
    return [[line for line in block.split("\n") if line.strip()] for block in blocks if block]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["paragraphs"] = paragraphs
    env.globals |= {
        "BOT_NAME": msg.BOT_NAME,
        "COLUMN_TITLE": wmsg.COLUMN_TITLE,
        "DISCLAIMER": msg.DISCLAIMER,
        "article_anchor": article_anchor,
        "clause_anchor": clause_anchor,
        "clause_points": clause_points,
    }
    return env


class Site:
    """The shared state of one web application."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: WebSettings,
        laws: LawLibrary,
        tips: TipLibrary,
        schools: Mapping[str, School] | None = None,
    ) -> None:
        self.kb = kb
        self.settings = settings
        self.dialog = Dialog(kb)
        self.laws = laws
        self._tips = tips
        self._tips_read = time.monotonic()
        self.schools = dict(schools) if schools is not None else load_schools(settings)
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        self.templates = Jinja2Templates(env=_environment())
        self._qr_codes: dict[str, bytes] = {}

    @classmethod
    async def load(cls, kb: KnowledgeBase, settings: WebSettings) -> Site:
        """Read the documents and tips the pages show (the schools are read first, so a bad
        schools setting fails before any slow work)."""
        schools = load_schools(settings)
        documents = await DocumentStore(kb.sessions).all_documents()
        tips = await stored_tips(kb.sessions)
        logger.info(
            "Web column ready: %d schools, %d documents, %d tips",
            len(schools),
            len(documents),
            len(tips),
        )
        return cls(kb, settings, LawLibrary(documents), TipLibrary(tips), schools)

    async def tips(self) -> TipLibrary:
        """The tip library, read again from the database when it is older than a few
        minutes; a failed read keeps the previous one."""
        if time.monotonic() - self._tips_read < TIPS_REFRESH_SECONDS:
            return self._tips
        self._tips_read = time.monotonic()
        try:
            self._tips = TipLibrary(await stored_tips(self.kb.sessions))
        except SQLAlchemyError:
            logger.exception("Could not read the tips again; showing the previous ones")
        return self._tips

    @property
    def default_school(self) -> School:
        """The school served at ``/``."""
        return self.schools[""]

    def school_of_path(self, path: str) -> School:
        """The school whose pages ``path`` belongs to."""
        first = path.split("/", 2)[1] if path.count("/") else ""
        return self.schools.get(first) or self.default_school

    def citations(self, sources: Sequence[Source | Mapping[str, str | None]]) -> list[Citation]:
        """Citation texts and links (paths relative to the school) of legal sources."""
        found: list[Citation] = []
        for raw in sources:
            try:
                source = raw if isinstance(raw, Source) else Source.model_validate(dict(raw))
            except ValidationError:
                logger.warning("Skipping a source that is not a valid citation: %r", raw)
                continue
            link = self.laws.link(source.model_dump())
            found.append(Citation(source.citation(), link))
        return found

    def topic_list(self) -> list[dict[str, str | int]]:
        """Topics that have active entries: code, name, entry count and page path."""
        found: list[dict[str, str | int]] = []
        for topic in self.kb.topics:
            count = len(self.kb.active_entries(topic.code))
            if count:
                found.append(
                    {
                        "code": topic.code,
                        "name": topic.name,
                        "entries": count,
                        "path": f"/chu-de/{topic.code}",
                    }
                )
        return found

    def qr_svg(self, link: str) -> bytes:
        """A QR code of ``link`` as SVG (made once per link)."""
        svg = self._qr_codes.get(link)
        if svg is None:
            out = io.BytesIO()
            segno.make(link, error="m").save(
                out, kind="svg", scale=4, border=2, xmldecl=False, title="Mã QR"
            )
            svg = self._qr_codes[link] = out.getvalue()
        return svg

    def client_address(self, request: Request) -> str:
        """The client's address as uvicorn reports it (after trusted proxy headers)."""
        return request.client.host if request.client else "unknown"
