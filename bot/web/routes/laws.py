"""The laws: the list of documents with their status, one document's table of contents, and
one article with an anchor on every clause and point, so a citation links to the exact
clause."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web import messages as wmsg
from bot.web.laws import LawPage
from bot.web.routes.common import PageError, render, site_of


async def law_index(request: Request) -> Response:
    """Every document with its status."""
    return render(request, "laws.html", nav="laws", pages=site_of(request).laws.pages)


def _page(request: Request) -> LawPage:
    page = site_of(request).laws.page(request.path_params["slug"])
    if page is None:
        raise PageError(404, wmsg.UNKNOWN_DOCUMENT)
    return page


async def law_page(request: Request) -> Response:
    """One document: its status and the table of contents of its articles."""
    page = _page(request)
    return render(request, "law.html", nav="laws", page=page, divisions=page.divisions())


async def article_page(request: Request) -> Response:
    """One article, each clause and point with its anchor."""
    page = _page(request)
    found = page.article(request.path_params["number"])
    if found is None:
        raise PageError(404, wmsg.UNKNOWN_ARTICLE)
    article, before, after = found
    return render(
        request,
        "article.html",
        nav="laws",
        page=page,
        article=article,
        before=before,
        after=after,
    )


def law_routes() -> list[Route]:
    """The law pages of one school, relative to its prefix."""
    return [
        Route("/van-ban", law_index),
        Route("/van-ban/{slug}", law_page),
        Route("/van-ban/{slug}/dieu-{number}", article_page),
    ]
