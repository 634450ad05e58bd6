"""What every HTML route needs: the site, the school of the request, and rendering."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.web import messages as wmsg
from bot.web.schools import School
from bot.web.site import Site, app_path


class PageError(HTTPException):
    """An error whose ``detail`` is a Vietnamese sentence for the reader."""


def site_of(request: Request) -> Site:
    """The shared state of the application."""
    site: Site = request.app.state.site
    return site


def school_of(request: Request) -> School:
    """The school whose pages are requested (set by the school's mount)."""
    school: School | None = request.scope.get("school")
    return school or site_of(request).school_of_path(app_path(request.scope))


def app_root(request: Request) -> str:
    """Where the application itself is mounted (a reverse proxy's prefix), not the school's
    mount: Starlette keeps the former as ``app_root_path``."""
    scope = request.scope
    return str(scope.get("app_root_path", scope.get("root_path", ""))).rstrip("/")


def base_path(request: Request) -> str:
    """Path prefix of the school's pages, behind any proxy prefix."""
    return app_root(request) + school_of(request).prefix


def limit(request: Request) -> None:
    """Refuse a costly page with 429 when the client has used up its share."""
    site = site_of(request)
    decision = site.limiter.check(site.client_address(request))
    if not decision.allowed:
        seconds = decision.retry_after
        raise PageError(
            429, wmsg.RATE_LIMITED.format(seconds=seconds), {"Retry-After": str(seconds)}
        )


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page of the request's school."""
    site = site_of(request)
    root = app_root(request)
    values = {
        "school": school_of(request),
        "base": base_path(request),
        "root": root,
        "static": f"{root}/static",
        "nav": context.pop("nav", ""),
        "embedded": False,
    }
    values |= context
    return site.templates.TemplateResponse(request, template, values, status_code=status)
