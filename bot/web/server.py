"""uvicorn inside the current event loop, so the web column and the chat channels share one
process and one port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

logger = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: ``legalbot serve`` owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """Serves an ASGI app on ``host:port`` until stopped."""

    def __init__(
        self, app: ASGIApp, host: str, port: int, forwarded_allow_ips: str = "127.0.0.1"
    ) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
            server_header=False,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
            timeout_graceful_shutdown=5,
            # Slow or idle clients must not hold connections for long on a small server.
            timeout_keep_alive=15,
            limit_concurrency=1000,
            backlog=1024,
        )
        self._server = _Server(config)
        self._where = f"{host}:{port}"
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port actually listened on (useful when started on port 0)."""
        for server in self._server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        raise RuntimeError("the web server is not listening")

    def _bind(self) -> socket.socket:
        # Bound here rather than by uvicorn, which answers a taken port with SystemExit from
        # inside the event loop instead of an error the caller can report.
        config = self._server.config
        try:
            infos = socket.getaddrinfo(config.host, config.port, type=socket.SOCK_STREAM)
            family, kind, proto, _, address = infos[0]
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            raise RuntimeError(f"the web server cannot listen on {self._where}: {exc}") from exc
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
        except OSError as exc:
            sock.close()
            raise RuntimeError(f"the web server cannot listen on {self._where}: {exc}") from exc
        sock.set_inheritable(True)
        return sock

    async def start(self) -> None:
        """Listen; returns once the socket is open, raises RuntimeError if it cannot be."""
        sock = self._bind()
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="web-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                self._task = None
                raise RuntimeError(f"the web server stopped while starting on {self._where}")
            await asyncio.sleep(0.01)
        logger.info("Web column listening on http://%s", self._where)

    async def stop(self) -> None:
        """Stop accepting requests and wait for the open ones to finish."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._task = None
