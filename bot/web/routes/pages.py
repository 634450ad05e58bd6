"""The column's pages: home, search, topics, FAQ entries, tips, the chat page and the page
that explains how to embed the chat in a school's website."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from bot.web import messages as wmsg
from bot.web.routes.common import PageError, limit, render, school_of, site_of
from bot.web.schools import LOGO_TYPES
from knowledge import messages as msg
from knowledge.core import ArticleHit
from knowledge.normalize import clean, fold

logger = logging.getLogger(__name__)

SEARCH_LAW_RESULTS = 5
RELATED_ENTRIES = 6
# Topics listed on the home page; the rest are one link away, so tips and "how to ask" stay
# within a few screens on a phone.
HOME_TOPICS = 10


async def home(request: Request) -> Response:
    """Search box, topics, this week's tips and how to ask."""
    site = site_of(request)
    tips = (await site.tips()).of_week()
    return render(
        request,
        "home.html",
        nav="home",
        topics=site.topic_list(),
        home_topics=HOME_TOPICS,
        tips=tips,
        tip_citations={t.id: site.citations(t.sources) for t in tips},
    )


def _law_hits(request: Request, query: str) -> list[tuple[ArticleHit, str | None]]:
    site = site_of(request)
    documents = site.kb.documents
    if documents is None:
        return []
    threshold = site.kb.settings.suggest_threshold
    hits = [h for h in documents.search(query, SEARCH_LAW_RESULTS) if h.score >= threshold]
    return [
        (h, site.laws.link({"number": h.number, "article": h.article, "clause": h.clause}))
        for h in hits
    ]


async def search(request: Request) -> Response:
    """FAQ entries, topics and clauses of the law that match the query."""
    site = site_of(request)
    query = clean(request.query_params.get("q", ""))
    limit_chars = site.kb.settings.max_question_chars
    if not query or len(query) > limit_chars:
        notice = msg.TOO_LONG.format(limit=limit_chars) if query else wmsg.SEARCH_EMPTY
        return render(
            request,
            "search.html",
            422 if query else 200,
            nav="search",
            query=query,
            notice=notice,
            entries=[],
            topics=[],
            laws=[],
        )

    limit(request)
    result = site.kb.match(query)
    threshold = site.kb.settings.suggest_threshold
    entries = [
        entry
        for candidate in result.candidates
        if candidate.score >= threshold
        and (entry := site.kb.entry(candidate.entry_id)) is not None
        and entry.status == "active"
    ]
    words = fold(query).split()
    topics = [t for t in site.topic_list() if all(w in fold(str(t["name"])) for w in words)]
    laws = _law_hits(request, query)
    return render(
        request,
        "search.html",
        nav="search",
        query=query,
        notice="" if entries or topics or laws else wmsg.SEARCH_NO_RESULT,
        entries=entries,
        topics=topics,
        laws=laws,
    )


async def topic_index(request: Request) -> Response:
    """Every topic with its questions."""
    site = site_of(request)
    topics = [(t, site.kb.active_entries(str(t["code"]))) for t in site.topic_list()]
    return render(request, "topics.html", nav="topics", topics=topics)


async def topic_page(request: Request) -> Response:
    """The questions of one topic."""
    site = site_of(request)
    code = request.path_params["code"]
    entries = site.kb.active_entries(code)
    if not entries:
        raise PageError(404, wmsg.UNKNOWN_TOPIC)
    return render(
        request,
        "topic.html",
        nav="topics",
        code=code,
        name=site.kb.topic_name(code),
        entries=entries,
    )


async def entry_page(request: Request) -> Response:
    """One FAQ entry at a stable address, its legal basis linked to the law's text."""
    site = site_of(request)
    entry = site.kb.entry(request.path_params["entry_id"])
    if entry is None:
        raise PageError(404, wmsg.UNKNOWN_ENTRY)
    if entry.status != "active":
        raise PageError(410, wmsg.DISABLED_ENTRY)
    related = [e for e in site.kb.active_entries(entry.topic) if e.id != entry.id]
    return render(
        request,
        "entry.html",
        nav="topics",
        entry=entry,
        topic_name=site.kb.topic_name(entry.topic),
        citations=site.citations(entry.sources),
        related=related[:RELATED_ENTRIES],
        share_url=f"{_public_base(request)}/hoi-dap/{entry.id}",
        needs_check=msg.NEEDS_CHECK_NOTE if entry.review == "needs-check" else "",
    )


async def tips_page(request: Request) -> Response:
    """The tip archive by topic, or one topic's tips."""
    site = site_of(request)
    chosen = request.query_params.get("chu-de", "")
    by_topic = (await site.tips()).by_topic
    if chosen and chosen not in by_topic:
        raise PageError(404, wmsg.UNKNOWN_TOPIC)
    codes = [chosen] if chosen else [t.code for t in site.kb.topics if t.code in by_topic]
    groups = [(code, site.kb.topic_name(code), by_topic[code]) for code in codes]
    tip_citations = {t.id: site.citations(t.sources) for _, _, tips in groups for t in tips}
    all_topics = [
        (t.code, t.name, len(by_topic[t.code])) for t in site.kb.topics if t.code in by_topic
    ]
    return render(
        request,
        "tips.html",
        nav="tips",
        groups=groups,
        tip_citations=tip_citations,
        chosen=chosen,
        all_topics=all_topics,
    )


async def chat_page(request: Request) -> Response:
    """The chat, on the same dialog as the chat channels; ``?nhung=1`` for the widget."""
    embedded = request.query_params.get("nhung") == "1"
    return render(request, "chat.html", nav="chat", embedded=embedded, welcome=_web_welcome())


def _web_welcome() -> str:
    """The dialog's welcome without the slash commands a web page has buttons for."""
    lines = [line for line in msg.WELCOME.split("\n") if "/chude" not in line]
    return "\n".join(lines)


def _public_origin(request: Request) -> str:
    """Where the column is reached from outside: WEB_PUBLIC_URL, else the request's own."""
    return site_of(request).settings.public_url or str(request.base_url).rstrip("/")


def _public_base(request: Request) -> str:
    return _public_origin(request) + school_of(request).prefix


async def embed_page(request: Request) -> Response:
    """How a school puts the chat on its own site: a link, an iframe or a script."""
    school = school_of(request)
    return render(
        request,
        "embed.html",
        nav="embed",
        public=_public_base(request),
        origin=_public_origin(request),
        slug=school.slug,
        allowed=list(school.frame_ancestors),
    )


async def theme(request: Request) -> Response:
    """The school's colours as CSS variables."""
    return Response(
        school_of(request).theme_css(),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600"},
    )


async def logo(request: Request) -> Response:
    """The school's logo when it is a file on this server."""
    path = school_of(request).logo_file
    if path is None or not path.is_file():
        raise PageError(404, wmsg.NOT_FOUND)
    return FileResponse(
        path,
        media_type=LOGO_TYPES[path.suffix.lower()],
        headers={"Cache-Control": "public, max-age=86400"},
    )


async def qr_code(request: Request) -> Response:
    """The QR code of the school's Telegram or Zalo link, for a phone camera."""
    school = school_of(request)
    channel = request.path_params["channel"]
    link = {"telegram": school.config.telegram_url, "zalo": school.config.zalo_url}.get(channel)
    if not link:
        raise PageError(404, wmsg.NOT_FOUND)
    return Response(
        site_of(request).qr_svg(link),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def page_routes() -> list[Route]:
    """The pages of one school, relative to its prefix."""
    return [
        Route("/", home),
        Route("/tim-kiem", search),
        Route("/chu-de", topic_index),
        Route("/chu-de/{code}", topic_page),
        Route("/hoi-dap/{entry_id}", entry_page),
        Route("/meo-phap-luat", tips_page),
        Route("/hoi", chat_page),
        Route("/nhung", embed_page),
        Route("/giao-dien.css", theme),
        Route("/logo", logo),
        Route("/ma-qr/{channel}.svg", qr_code),
    ]
