"""A small async client of the Zalo Bot API on httpx.

Every method is ``POST <base>/bot<token>/<method>`` with a JSON body; replies are
``{ok, result, description, error_code}``. The client raises a typed error for an HTTP error
and for ``ok: false`` (keeping Zalo's error code), and it logs method names only: the URL
holds the token.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from bot.zalo.errors import ZaloNetworkError, ZaloPollTimeout, api_error
from bot.zalo.settings import DEFAULT_BASE_URL

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000
Json = dict[str, Any]
# Failures before the request left this machine: Zalo cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ZaloClient:
    """The Bot API methods the bot uses, one request per call."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 15.0,
        max_connections: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            timeout=timeout,
            # Idle connections are dropped before common servers' 5 s keep-alive ends, so a
            # send never goes out on a connection the server is closing at that moment.
            limits=httpx.Limits(max_connections=max_connections, keepalive_expiry=4.0),
            transport=transport,
            follow_redirects=False,
        )

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def call(
        self, method: str, params: Mapping[str, object] | None = None, timeout: float | None = None
    ) -> Any:
        """Call one method and return its ``result``; raises a ZaloError subclass otherwise."""
        try:
            response = await self._http.post(
                self._prefix + method,
                json=dict(params or {}),
                timeout=timeout if timeout is not None else self._timeout,
            )
        except httpx.HTTPError as exc:
            # ``from None``: the chained httpx error carries the request, and so the token.
            maybe_sent = not isinstance(exc, _NOT_SENT)
            raise ZaloNetworkError(method, type(exc).__name__, maybe_sent=maybe_sent) from None

        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            description = f"HTTP {response.status_code} with a body that is not a JSON object"
            raise api_error(method, response.status_code, description)
        if body.get("ok") is not True or response.status_code >= 400:
            code = body.get("error_code")
            if not isinstance(code, int) or isinstance(code, bool):
                code = response.status_code if response.status_code >= 400 else 0
            description = str(body.get("description") or "")[:300]
            raise api_error(method, code, description)
        logger.debug("%s succeeded", method)
        return body.get("result")

    async def get_me(self) -> Json:
        """The bot's own account (``id``, ``account_name``, ``display_name``...)."""
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int) -> list[Json]:
        """Wait up to ``timeout`` seconds for events; empty when none arrived (Zalo's 408).

        Zalo hands out one event per call; a list is accepted too, should that change.
        """
        try:
            result = await self.call(
                "getUpdates", {"timeout": str(timeout)}, timeout=timeout + self._timeout
            )
        except ZaloPollTimeout:
            return []
        if isinstance(result, list):
            return [item for item in result if isinstance(item, dict)]
        if isinstance(result, dict) and result:
            return [result]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """Have Zalo post events to ``url`` with ``secret_token`` in a header."""
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        """Stop webhook delivery (needed before long polling)."""
        await self.call("deleteWebhook")

    async def send_message(self, chat_id: str, text: str) -> Json:
        """Send a text of 1-2,000 characters to a chat."""
        if not 1 <= len(text) <= MAX_TEXT_CHARS:
            raise ValueError(f"a Zalo message holds 1-{MAX_TEXT_CHARS} characters")
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return result if isinstance(result, dict) else {}
