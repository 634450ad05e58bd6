"""Webhook mode: a Starlette route that takes Zalo's events and answers 200 at once.

Zalo posts each event with the secret given to ``setWebhook`` in the
``X-Bot-Api-Secret-Token`` header; requests without it are refused before their body is
read, and bodies are read only up to a cap. The event is handled in the background by the
UpdateProcessor. ``webhook_routes`` gives the route alone, so a shared web server can mount
it beside its own pages; ``WebhookServer`` runs it standalone.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.zalo.errors import ZaloListenError
from bot.zalo.processor import UpdateProcessor, Verdict
from bot.zalo.updates import MalformedUpdate, UnknownEvent, parse_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
# A text message is at most a few kilobytes of JSON; anything far larger is not from Zalo.
MAX_BODY_BYTES = 64 * 1024


class _TooLarge(Exception):
    pass


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > cap:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise _TooLarge
    return bytes(body)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def webhook_routes(processor: UpdateProcessor, path: str, secret: str) -> list[BaseRoute]:
    """The route that accepts Zalo's events on ``path`` when they carry ``secret``."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, expected):
            logger.warning(
                "Refused a webhook request without the right secret from %s", _client(request)
            )
            return Response(status_code=403)

        try:
            body = await _read_capped(request, MAX_BODY_BYTES)
        except _TooLarge:
            logger.warning("Refused a webhook body over %d bytes", MAX_BODY_BYTES)
            return Response(status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)

        try:
            update = parse_update(json.loads(body))
        except UnknownEvent as exc:
            # Acknowledged so Zalo does not retry an event this bot will never handle.
            logger.info("Ignored a webhook event: %s", exc)
            return Response()
        except (MalformedUpdate, ValueError, RecursionError) as exc:
            logger.warning("Refused a webhook body that is not a Zalo event: %s", exc)
            return Response(status_code=400)

        if processor.submit(update) is Verdict.BUSY:
            return Response(status_code=503, headers={"Retry-After": "5"})
        return Response()

    return [Route(path, receive, methods=["POST"])]


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the bot's runner owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebhookServer:
    """Runs an ASGI app on ``host:port`` in the current event loop."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
            server_header=False,
            timeout_graceful_shutdown=5,
        )
        self._server = _Server(config)
        self._where = f"{host}:{port}"
        self._task: asyncio.Task[None] | None = None

    def _bind(self) -> socket.socket:
        # Bound here rather than by uvicorn, which answers a taken port with SystemExit
        # raised inside the event loop, where no caller can catch it.
        config = self._server.config
        try:
            family, kind, proto, _, address = socket.getaddrinfo(
                config.host, config.port, type=socket.SOCK_STREAM
            )[0]
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            raise ZaloListenError(f"{self._where} ({exc})") from None
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
        except OSError as exc:
            sock.close()
            raise ZaloListenError(f"{self._where} ({exc.strerror})") from None
        return sock

    async def start(self) -> None:
        """Listen; returns once the socket is open, raises ZaloListenError if it cannot be."""
        sock = self._bind()
        serving = self._server.serve(sockets=[sock])
        self._task = asyncio.create_task(serving, name="zalo-webhook-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise ZaloListenError(self._where)
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop accepting requests and wait for the server to finish."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
