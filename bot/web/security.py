"""Response headers for every page: a strict Content-Security-Policy whose frame-ancestors
allow-list decides which sites may embed the column, and no referrer, no sniffing.

Nothing on the site needs inline scripts or styles, third-party hosts or cookies, so the
policy allows only this origin (plus an external logo's host, if a school has one).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.schools import School
from bot.web.site import app_path


def content_security_policy(school: School) -> str:
    """The policy for the pages of ``school``."""
    images = " ".join(["'self'", "data:", *school.image_origins])
    ancestors = " ".join(["'self'", *school.frame_ancestors])
    return (
        "default-src 'self'; "
        f"img-src {images}; "
        "style-src 'self'; script-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )


class SecurityHeaders:
    """ASGI middleware adding the headers; the policy depends on the school of the path."""

    def __init__(self, app: ASGIApp, school_of_path: Callable[[str], School]) -> None:
        self.app = app
        self.school_of_path = school_of_path
        self._policies: dict[str, bytes] = {}

    def _policy(self, school: School) -> bytes:
        policy = self._policies.get(school.slug)
        if policy is None:
            policy = content_security_policy(school).encode()
            self._policies[school.slug] = policy
        return policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = app_path(scope)
        extra: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if path.startswith("/api/"):
            extra.append((b"cache-control", b"no-store"))
        extra.append((b"content-security-policy", self._policy(self.school_of_path(path))))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(n, v) for n, v in extra if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
