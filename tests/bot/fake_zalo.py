"""A fake Zalo Bot API server on 127.0.0.1 for end-to-end tests and the load benchmark.

The bot's own httpx client talks to it through ``ZALO_BASE_URL``. It answers the methods the
bot uses, checks what Zalo checks (texts of 1-2,000 characters, string chat ids, a webhook
secret of 8-256 characters), records every call with the time it arrived, and plays the
users' side: events wait for ``getUpdates`` (one per call, ``408`` when none came in time)
or, once ``setWebhook`` is called, are posted to the webhook with the secret header, in the
documented wrapped shape or the unwrapped one seen in real deliveries. Faults are injected
per method: a 429, or ``ok: false`` with HTTP 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.zalo.app import serve
from bot.zalo.settings import ZaloSettings
from knowledge.core import KnowledgeBase

TOKEN = "3141592653589793238:FakeZaloTokenForTestsOnlyAbCdEfGhIjKlMnOp"
BOT_ID = "8b5e7c1d2f3a4b60"
BOT_NAME = "bot.trolyphapluat"
WEBHOOK_SECRET = "zalo-test-secret-123"

Json = dict[str, Any]
Shape = Literal["wrapped", "unwrapped"]


class ApiError(Exception):
    """An error Zalo would answer with ``ok: false``."""

    def __init__(self, code: int, description: str, http_status: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.http_status = http_status if http_status is not None else code


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: Json
    at: float
    result: Any = None

    @property
    def failed(self) -> bool:
        return isinstance(self.result, ApiError)


@dataclass(frozen=True)
class FakeUser:
    """A Zalo user in a private chat with the bot (the chat id is the user id)."""

    id: str
    name: str = "Học sinh"

    def sender(self) -> Json:
        return {"id": self.id, "display_name": self.name, "is_bot": False}

    def chat(self) -> Json:
        return {"id": self.id, "chat_type": "PRIVATE"}


def user(number: int, name: str = "Học sinh") -> FakeUser:
    """A user with a Zalo-like hexadecimal id."""
    return FakeUser(f"{0x5A10000000000000 + number:x}", name)


@dataclass
class _Fault:
    code: int
    description: str
    http_status: int
    left: int
    chat_id: str | None = None


@dataclass
class _Pending:
    event: Json
    shape: Shape
    repeat: int = 1
    headers: Json = field(default_factory=dict)


class FakeZalo:
    """The Bot API server and the users' side of the conversation."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.requested: list[str] = []
        self.webhook: Json | None = None
        self.arrivals: dict[str, float] = {}
        self.webhook_statuses: list[int] = []
        self.blocked: set[str] = set()
        # Kept as a number so a benchmark can wait on it without scanning every call.
        self.messages_sent = 0
        self._faults: dict[str, list[_Fault]] = {}
        self._pending: list[_Pending] = []
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._server: uvicorn.Server | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._closing = False
        self.port = 0

    # Lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        route = Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])
        config = uvicorn.Config(
            Starlette(routes=[route]),
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        self._server = _QuietServer(config)
        self._serve_task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.005)
        # Idle connections are closed before the bot's server closes them (uvicorn: 5 s).
        limits = httpx.Limits(max_connections=100, keepalive_expiry=2.0)
        self._http = httpx.AsyncClient(timeout=10, limits=limits)

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True  # ends long polls now rather than at their timeout
            self._changed.notify_all()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._http is not None:
            await self._http.aclose()
        if self._server is not None and self._serve_task is not None:
            self._server.should_exit = True
            await self._serve_task

    async def __aenter__(self) -> FakeZalo:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # Faults ---------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        code: int,
        description: str = "Injected failure",
        http_status: int | None = None,
        times: int = 1,
        chat_id: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id`` when given) fail with
        ``code``, HTTP status ``http_status`` (by default the code itself; 200 gives
        ``ok: false`` with HTTP 200)."""
        status = http_status if http_status is not None else code
        fault = _Fault(code, description, status, times, chat_id)
        self._faults.setdefault(method, []).append(fault)

    def _injected(self, method: str, params: Json) -> ApiError | None:
        faults = self._faults.get(method, [])
        fault = next(
            (f for f in faults if f.chat_id is None or f.chat_id == params.get("chat_id")), None
        )
        if fault is None:
            return None
        fault.left -= 1
        if fault.left <= 0:
            faults.remove(fault)
        return ApiError(fault.code, fault.description, fault.http_status)

    # The Bot API ----------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        at = time.perf_counter()
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        params: Json = {}
        body = await request.body()
        if body:
            params = json.loads(body)
        async with self._changed:
            self.requested.append(method)
            self._changed.notify_all()
        call = Call(method, params, at)
        handler = getattr(self, f"_api_{method}", None)
        try:
            injected = self._injected(method, params)
            if injected is not None:
                raise injected
            if handler is None:
                raise ApiError(404, "Method not found")
            call.result = await handler(params)
        except ApiError as exc:
            call.result = exc
            await self._record(call)
            answer = {"ok": False, "error_code": exc.code, "description": exc.description}
            return JSONResponse(answer, exc.http_status)
        await self._record(call)
        return JSONResponse({"ok": True, "result": call.result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api_getMe(self, params: Json) -> Json:
        return {
            "id": BOT_ID,
            "account_name": BOT_NAME,
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _api_getUpdates(self, params: Json) -> Json:
        if self.webhook is not None:
            raise ApiError(400, "Webhook is active; getUpdates is not available")
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not self._pending and not self._closing and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
            if not self._pending:
                # Zalo says "nothing arrived" as ok: false with error code 408.
                raise ApiError(408, "Request timeout", http_status=200)
            pending = self._pending.pop(0)
        return pending.event

    async def _api_setWebhook(self, params: Json) -> Json:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ApiError(400, "url is invalid")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ApiError(400, "secret_token must be 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.create_task(self._deliver_forever())
        async with self._changed:
            self._changed.notify_all()
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _api_deleteWebhook(self, params: Json) -> Json:
        self.webhook = None
        async with self._changed:
            self._changed.notify_all()
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _api_getWebhookInfo(self, params: Json) -> Json:
        return {"url": (self.webhook or {}).get("url", ""), "updated_at": 0}

    async def _api_sendMessage(self, params: Json) -> Json:
        chat_id, text = params.get("chat_id"), params.get("text")
        if not isinstance(chat_id, str) or not chat_id:
            raise ApiError(400, "chat_id must be a non-empty string")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            raise ApiError(400, "text must be 1-2000 characters")
        if chat_id in self.blocked:
            raise ApiError(403, "User has blocked the bot")
        self.messages_sent += 1
        return {"message_id": f"bot-{next(self._message_ids)}", "date": int(time.time() * 1000)}

    # The users' side ------------------------------------------------------------------

    def event(self, name: str, sender: FakeUser, **fields: Any) -> Json:
        """An event dictionary as Zalo sends it."""
        message: Json = {
            "from": sender.sender(),
            "chat": sender.chat(),
            "message_id": f"m{next(self._message_ids)}",
            "date": int(time.time() * 1000),
            **fields,
        }
        return {"event_name": name, "message": message}

    async def push(
        self, event: Json, shape: Shape = "wrapped", repeat: int = 1, headers: Json | None = None
    ) -> str:
        """Queue an event (delivered ``repeat`` times by webhook); returns its message id."""
        message_id = str(event.get("message", {}).get("message_id"))
        async with self._changed:
            self.arrivals[message_id] = time.perf_counter()
            self._pending.append(_Pending(event, shape, repeat, headers or {}))
            self._changed.notify_all()
        return message_id

    async def send(
        self, sender: FakeUser, text: str, shape: Shape = "wrapped", repeat: int = 1
    ) -> str:
        """A user sends a text message."""
        return await self.push(
            self.event("message.text.received", sender, text=text), shape, repeat
        )

    async def send_image(self, sender: FakeUser) -> str:
        url = "https://photo-stal-1.zadn.vn/fake.jpg"
        event = self.event("message.image.received", sender, photo_url=url, caption="")
        return await self.push(event)

    async def send_sticker(self, sender: FakeUser) -> str:
        event = self.event("message.sticker.received", sender, sticker="bfe4c7a1", url="")
        return await self.push(event)

    async def send_withheld(self, sender: FakeUser) -> str:
        """What a protected account's message looks like: no content at all."""
        return await self.push(self.event("message.unsupported.received", sender))

    # Webhook delivery -----------------------------------------------------------------

    async def _deliver_forever(self) -> None:
        assert self._http is not None
        limit = asyncio.Semaphore(100)
        tasks: set[asyncio.Task[None]] = set()
        while True:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self._pending) or self.webhook is None)
                if self.webhook is None:
                    return
                batch, self._pending = self._pending, []
            for pending in batch:
                for _ in range(pending.repeat):
                    await limit.acquire()
                    task = asyncio.create_task(self._post(pending, limit))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)

    async def _post(self, pending: _Pending, limit: asyncio.Semaphore) -> None:
        assert self._http is not None and self.webhook is not None
        body = pending.event
        if pending.shape == "wrapped":
            body = {"ok": True, "result": pending.event}
        headers = {"X-Bot-Api-Secret-Token": self.webhook["secret_token"], **pending.headers}
        try:
            # Like Zalo, retry a delivery whose exchange broke (the bot may have taken it).
            for attempt in range(3):
                try:
                    response = await self._http.post(
                        self.webhook["url"], json=body, headers=headers
                    )
                except httpx.HTTPError:
                    self.webhook_statuses.append(0)
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                self.webhook_statuses.append(response.status_code)
                return
        finally:
            limit.release()

    # Looking at what the bot did ------------------------------------------------------

    def sent(self, chat_id: str | None = None, method: str = "sendMessage") -> list[Call]:
        """Successful calls of ``method`` (to ``chat_id`` when given), oldest first."""
        return [
            c
            for c in self.calls
            if c.method == method
            and not c.failed
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: str) -> list[str]:
        """The texts the user received, oldest first."""
        return [c.params["text"] for c in self.sent(chat_id)]

    def failed(self) -> list[Call]:
        """Calls Zalo refused."""
        return [c for c in self.calls if c.failed]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds after some call; fail after ``timeout`` seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    async def wait_sent(self, chat_id: str, count: int = 1, timeout: float = 5.0) -> list[str]:
        """Wait for ``count`` texts to the chat; returns all its texts."""
        await self.wait_for(lambda: len(self.sent(chat_id)) >= count, timeout)
        return self.texts(chat_id)


class _QuietServer(uvicorn.Server):
    """uvicorn without signal handling, as a server inside a test."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


# Running the bot against the fake -------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_settings(fake: FakeZalo, mode: str = "polling", **settings: Any) -> ZaloSettings:
    """Settings that point the bot at ``fake``; webhook mode listens on a free port."""
    values: Json = {
        "bot_token": fake.token,
        "base_url": fake.base_url,
        "mode": mode,
        "poll_timeout": 2,
    }
    if mode == "webhook":
        port = free_port()
        values |= {
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            "webhook_url": f"http://127.0.0.1:{port}/zalo/webhook",
            "webhook_secret": WEBHOOK_SECRET,
        }
    return ZaloSettings(_env_file=None, **(values | settings))


@contextlib.asynccontextmanager
async def running_bot(
    kb: KnowledgeBase, fake: FakeZalo, mode: str = "polling", **settings: Any
) -> AsyncIterator[ZaloSettings]:
    """Run the real bot (``bot.zalo.app.serve``) against ``fake`` until the block ends."""
    zalo = bot_settings(fake, mode, **settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(kb, zalo, stop))
    ready = "setWebhook" if mode == "webhook" else "getUpdates"
    try:
        await fake.wait_for(lambda: ready in fake.requested or task.done(), timeout=10)
        if task.done():
            task.result()
        yield zalo
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
