"""Webhook mode: a Starlette route that feeds updates to the application, served by a small
uvicorn server of its own or mounted on the web column's port.

Telegram sends each update as a POST with the secret given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header; requests without it are refused before their
body is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1_000_000


def webhook_routes(
    application: Application[Any, Any, Any, Any, Any, Any], path: str, secret: str
) -> list[BaseRoute]:
    """The route that accepts updates on ``path`` when they carry ``secret``."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            client = request.client.host if request.client else "unknown"
            logger.warning("Refused a webhook request without the right secret from %s", client)
            return Response(status_code=403)

        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return Response(status_code=413)
        try:
            update = Update.de_json(json.loads(body), application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            logger.warning("Refused a webhook request whose body is not an update")
            return Response(status_code=400)
        await application.update_queue.put(update)
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
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen; returns once the socket is open, raises if it cannot be."""
        self._task = asyncio.create_task(self._server.serve(), name="webhook-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the webhook server stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop accepting requests and wait for the server to finish."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
