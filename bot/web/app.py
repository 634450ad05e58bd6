"""The ASGI application of the web column: API, static files, the widget loader, each
school's pages under its prefix and the default school's at ``/``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from bot.web import messages as wmsg
from bot.web.api import ApiError, api_mount
from bot.web.routes.common import PageError, render
from bot.web.routes.laws import law_routes
from bot.web.routes.pages import page_routes
from bot.web.schools import School
from bot.web.security import SecurityHeaders
from bot.web.site import STATIC_DIR, Site, app_path

logger = logging.getLogger(__name__)

_STATUS_TEXT = {404: wmsg.NOT_FOUND, 405: wmsg.INVALID_REQUEST, 410: wmsg.DISABLED_ENTRY}
_CODES = {404: "not_found", 405: "method_not_allowed", 410: "disabled", 429: "rate_limited"}


class SchoolPages:
    """The page routes of one school; marks each request with its school."""

    def __init__(self, school: School) -> None:
        self.school = school
        self.router = Router(page_routes() + law_routes())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["school"] = self.school
        await self.router(scope, receive, send)


def _is_api(request: Request) -> bool:
    return app_path(request.scope).startswith("/api/")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    # Starlette's own errors (no route, wrong method) carry English reason phrases.
    if isinstance(exc, PageError):
        message = exc.detail
    else:
        message = _STATUS_TEXT.get(status, wmsg.INVALID_REQUEST)
    if _is_api(request):
        code = _CODES.get(status, "error")
        return JSONResponse({"error": code, "message": message}, status, headers=headers)
    response = render(request, "error.html", status, message=message, status_code=status)
    response.headers.update(headers)
    return response


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return JSONResponse({"error": "server_error", "message": wmsg.SERVER_ERROR}, 500)
    try:
        return render(request, "error.html", 500, message=wmsg.SERVER_ERROR, status_code=500)
    except Exception:
        logger.exception("The error page itself failed")
        return PlainTextResponse(wmsg.SERVER_ERROR, 500)


async def _widget(request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "js" / "widget.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _redirect_to(path: str) -> Callable[[Request], Awaitable[Response]]:
    async def redirect(request: Request) -> Response:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return RedirectResponse(root + path, 308)

    return redirect


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(site: Site, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The application; ``extra_routes`` (chat channels' webhooks) are matched first."""
    routes: list[BaseRoute] = list(extra_routes)
    routes += [
        api_mount(),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/widget.js", _widget),
        Route("/healthz", _health),
    ]
    for slug, school in site.schools.items():
        if slug:
            routes.append(Route(f"/{slug}", _redirect_to(f"/{slug}/")))
            routes.append(Mount(f"/{slug}", app=SchoolPages(school)))
    routes.append(Mount("", app=SchoolPages(site.default_school)))

    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, school_of_path=site.school_of_path)],
        exception_handlers={
            HTTPException: _http_error,
            ApiError: _api_error,
            Exception: _server_error,
        },
    )
    app.state.site = site
    return app
