"""Typed errors of the Zalo Bot API client.

Messages name the API method and Zalo's error code and description, never the request URL:
the URL holds the bot token.
"""

from __future__ import annotations


class ZaloError(Exception):
    """Any failure talking to the Zalo Bot API."""

    def __init__(self, method: str, message: str) -> None:
        super().__init__(f"{method}: {message}")
        self.method = method


class ZaloNetworkError(ZaloError):
    """The request did not complete (connection refused, timeout, broken response).

    ``maybe_sent`` is false only when the request cannot have reached Zalo (no connection).
    """

    def __init__(self, method: str, message: str, *, maybe_sent: bool = True) -> None:
        super().__init__(method, message)
        self.maybe_sent = maybe_sent


class ZaloListenError(ZaloError):
    """The webhook server could not listen (port taken, address not available)."""

    def __init__(self, where: str) -> None:
        super().__init__("webhook", f"could not listen on {where}")


class ZaloApiError(ZaloError):
    """Zalo answered with an HTTP error or with ``ok: false``."""

    def __init__(self, method: str, error_code: int, description: str) -> None:
        super().__init__(method, f"error {error_code}: {description or 'no description'}")
        self.error_code = error_code
        self.description = description


class ZaloUnauthorized(ZaloApiError):
    """401: the bot token is wrong or was revoked."""


class ZaloForbidden(ZaloApiError):
    """403: the bot may not do this (for example write to a user who blocked it)."""


class ZaloPollTimeout(ZaloApiError):
    """408: a long poll ended without an event; not a failure."""


class ZaloRateLimited(ZaloApiError):
    """429: the quota is used up; sending must slow down."""


_BY_CODE: dict[int, type[ZaloApiError]] = {
    401: ZaloUnauthorized,
    403: ZaloForbidden,
    408: ZaloPollTimeout,
    429: ZaloRateLimited,
}


def api_error(method: str, error_code: int, description: str) -> ZaloApiError:
    """The most specific error class for an error code."""
    return _BY_CODE.get(error_code, ZaloApiError)(method, error_code, description)
