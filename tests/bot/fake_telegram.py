"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and the load benchmark.

python-telegram-bot talks to it through its real HTTP stack (``base_url``). It answers the
methods the bot uses, checks what Telegram would check (HTML that parses, 4,096 characters,
64-byte callback data), records every call with the time it arrived, and plays the users'
side: it queues updates for ``getUpdates`` long polling or, once ``setWebhook`` is called,
posts them to the webhook with the secret header, as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.telegram.app import serve
from bot.telegram.settings import TelegramSettings
from knowledge.core import KnowledgeBase
from knowledge.paths import bundled_data_dir
from knowledge.settings import Settings
from tests.conftest import SAMPLE_ENTRIES

TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijklmn"
BOT_ID = 123456789
BOT_USERNAME = "legalbot_test_bot"

JSON_PARAMS = {
    "reply_markup",
    "allowed_updates",
    "reply_parameters",
    "link_preview_options",
    "entities",
    "commands",
}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}
ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
BOOL_PARAMS = {"drop_pending_updates", "show_alert", "disable_notification"}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}

Json = dict[str, Any]


class BadRequest(Exception):
    """An error Telegram would answer with ``ok: false``."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.code = code


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: Json
    at: float
    result: Any = None


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user as the fake server sends it in updates."""

    id: int
    first_name: str = "Học sinh"
    username: str | None = None

    def to_dict(self) -> Json:
        data: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        data["language_code"] = "vi"
        return data

    def private_chat(self) -> Json:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


def group_chat(chat_id: int, title: str = "Lớp 10A1") -> Json:
    """A supergroup chat dictionary (ids of groups are negative)."""
    return {"id": chat_id, "type": "supergroup", "title": title}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_of(text: str) -> list[Json]:
    """The entities Telegram would attach: a leading bot command and @mentions."""
    found: list[Json] = []
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
    position = 0
    for word in text.split(" "):
        if word.startswith("@") and len(word) > 1:
            mention = word.rstrip("?.,!")
            found.append(
                {
                    "type": "mention",
                    "offset": utf16_len(text[:position]),
                    "length": utf16_len(mention),
                }
            )
        position += len(word) + 1
    return found


class _HtmlCheck(HTMLParser):
    """Parses Telegram's HTML subset; collects the visible text or raises BadRequest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise BadRequest(f"Bad Request: can't parse entities: unsupported start tag {tag!r}")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise BadRequest(f"Bad Request: can't parse entities: unexpected end tag {tag!r}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the user sees of a message text, after Telegram parses it."""
    if parse_mode != "HTML":
        return text
    checker = _HtmlCheck()
    checker.feed(text)
    checker.close()
    if checker.open:
        raise BadRequest("Bad Request: can't parse entities: unclosed tag")
    return "".join(checker.text)


class FakeTelegram:
    """The Bot API server and the users' side of the conversation."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.requested: list[str] = []
        self.updates: dict[int, Json] = {}
        self.webhook: Json | None = None
        self.blocked: set[int] = set()
        self.arrivals: dict[int, float] = {}
        self.delivered: dict[int, float] = {}
        self.counts: Counter[str] = Counter()
        self.webhook_statuses: list[int] = []
        self._pending: list[Json] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._messages: dict[tuple[int, int], Json] = {}
        self._changed = asyncio.Condition()
        self._server: uvicorn.Server | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self.port = 0
        self._closing = False

    # Lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        # IPPROTO_TCP explicitly: asyncio only turns Nagle's algorithm off (TCP_NODELAY) on
        # sockets that say so, and with it on, responses written in two parts stall ~40 ms.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST"])])
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = _QuietServer(config)
        self._serve_task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.005)
        self._http = httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=40))

    async def stop(self) -> None:
        async with self._changed:
            self._closing = True  # ends long polls now rather than at their timeout
            self._changed.notify_all()
        if self._delivery is not None:
            self._delivery.cancel()
        if self._http is not None:
            await self._http.aclose()
        if self._server is not None and self._serve_task is not None:
            self._server.should_exit = True
            await self._serve_task

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # The Bot API ----------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        at = time.perf_counter()
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        params = _params(await request.body(), request.headers.get("content-type", ""))
        async with self._changed:
            self.requested.append(method)
            self._changed.notify_all()
        call = Call(method, params, at)
        handler = getattr(self, f"_api_{method}", None)
        try:
            if handler is None:
                raise BadRequest("Not Found: method not found", 404)
            call.result = await handler(params)
        except BadRequest as exc:
            call.result = exc
            await self._record(call)
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            return JSONResponse(body, exc.code)
        await self._record(call)
        return JSONResponse({"ok": True, "result": call.result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            if not isinstance(call.result, BadRequest):
                self.counts[call.method] += 1
            self._changed.notify_all()

    def bot_user(self) -> Json:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Trợ lý pháp luật",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getMe(self, params: Json) -> Json:
        return self.bot_user()

    async def _api_setMyCommands(self, params: Json) -> bool:
        return True

    async def _api_getUpdates(self, params: Json) -> list[Json]:
        if self.webhook is not None:
            raise BadRequest("Conflict: can't use getUpdates method while webhook is active", 409)
        offset = params.get("offset", 0)
        limit = params.get("limit", 100)
        deadline = time.monotonic() + float(params.get("timeout", 0))
        async with self._changed:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            while not self._pending and not self._closing and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
            batch = self._pending[:limit]
        now = time.perf_counter()
        self.delivered.update((u["update_id"], now) for u in batch)
        return batch

    async def _api_setWebhook(self, params: Json) -> bool:
        self.webhook = params
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.create_task(self._deliver_forever())
        async with self._changed:
            self._changed.notify_all()
        return True

    async def _api_deleteWebhook(self, params: Json) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _api_sendMessage(self, params: Json) -> Json:
        chat_id = params["chat_id"]
        if chat_id in self.blocked:
            raise BadRequest("Forbidden: bot was blocked by the user", 403)
        self._check_message(params)
        message: Json = {
            "message_id": next(self._message_ids),
            "from": self.bot_user(),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "date": int(time.time()),
            "text": visible_text(params["text"], params.get("parse_mode")),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("reply_parameters"):
            replied = self._messages.get((chat_id, params["reply_parameters"]["message_id"]))
            message["reply_to_message"] = replied or {
                "message_id": params["reply_parameters"]["message_id"],
                "chat": message["chat"],
                "date": message["date"],
            }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    async def _api_editMessageText(self, params: Json) -> Json:
        message = self._stored(params)
        self._check_message(params)
        text = visible_text(params["text"], params.get("parse_mode"))
        markup = params.get("reply_markup")
        if text == message["text"] and markup == message.get("reply_markup"):
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup"
            )
        message["text"] = text
        _set_markup(message, markup)
        return message

    async def _api_editMessageReplyMarkup(self, params: Json) -> Json:
        message = self._stored(params)
        markup = params.get("reply_markup")
        _check_markup(markup)
        if markup == message.get("reply_markup"):
            raise BadRequest("Bad Request: message is not modified")
        _set_markup(message, markup)
        return message

    async def _api_answerCallbackQuery(self, params: Json) -> bool:
        if len(params.get("text") or "") > 200:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        return True

    def _stored(self, params: Json) -> Json:
        message = self._messages.get((params.get("chat_id", 0), params.get("message_id", 0)))
        if message is None:
            raise BadRequest("Bad Request: message to edit not found")
        return message

    def _check_message(self, params: Json) -> None:
        text = params.get("text") or ""
        if not text.strip():
            raise BadRequest("Bad Request: message text is empty")
        if utf16_len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise BadRequest("Bad Request: message is too long")
        _check_markup(params.get("reply_markup"))

    # The users' side ------------------------------------------------------------------

    async def push(self, update: Json) -> int:
        """Queue a raw update (any type); returns its update_id."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **update}
        async with self._changed:
            self.arrivals[update_id] = time.perf_counter()
            self.updates[update_id] = update
            self._pending.append(update)
            self._changed.notify_all()
        return update_id

    def user_message(
        self, user: FakeUser, text: str | None = None, chat: Json | None = None, **extra: Any
    ) -> Json:
        """A message dictionary from a user, with the entities Telegram would add."""
        message: Json = {
            "message_id": next(self._message_ids),
            "from": user.to_dict(),
            "chat": chat or user.private_chat(),
            "date": int(time.time()),
            **extra,
        }
        if text is not None:
            message["text"] = text
            entities = entities_of(text)
            if entities:
                message["entities"] = entities
        return message

    async def send(
        self,
        user: FakeUser,
        text: str,
        chat: Json | None = None,
        reply_to: Json | None = None,
        **extra: Any,
    ) -> int:
        """A user sends a text message (in their private chat unless ``chat`` is given)."""
        if reply_to is not None:
            extra["reply_to_message"] = reply_to
        message = self.user_message(user, text, chat, **extra)
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        return await self.push({"message": message})

    async def press(self, user: FakeUser, message: Json, data: str) -> int:
        """A user presses an inline button with ``data`` under one of the bot's messages."""
        query = {
            "id": str(next(self._callback_ids)),
            "from": user.to_dict(),
            "chat_instance": str(message["chat"]["id"]),
            "message": message,
            "data": data,
        }
        return await self.push({"callback_query": query})

    async def membership(self, user: FakeUser, chat: Json, old: str, new: str) -> int:
        """A ``my_chat_member`` update: the bot's status in ``chat`` changed from old to new."""
        members: list[Json] = [{"user": self.bot_user(), "status": s} for s in (old, new)]
        for member in members:
            if member["status"] == "kicked":
                member["until_date"] = 0
            if member["status"] == "administrator":
                member |= dict.fromkeys(ADMIN_RIGHTS, False)
        change: Json = {
            "chat": chat,
            "from": user.to_dict(),
            "date": int(time.time()),
            "old_chat_member": members[0],
            "new_chat_member": members[1],
        }
        return await self.push({"my_chat_member": change})

    # Webhook delivery -----------------------------------------------------------------

    async def _deliver_forever(self) -> None:
        """Post pending updates to the webhook, up to max_connections at a time."""
        assert self._http is not None
        webhook = self.webhook or {}
        limit = asyncio.Semaphore(int(webhook.get("max_connections") or 40))
        tasks: set[asyncio.Task[None]] = set()
        while True:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self._pending) or self.webhook is None)
                if self.webhook is None:
                    return
                batch, self._pending = self._pending, []
            for update in batch:
                await limit.acquire()
                task = asyncio.create_task(self._post(update, limit))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

    async def _post(self, update: Json, limit: asyncio.Semaphore) -> None:
        assert self._http is not None and self.webhook is not None
        try:
            headers = {}
            if self.webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
            response = await self._http.post(self.webhook["url"], json=update, headers=headers)
            self.webhook_statuses.append(response.status_code)
            if response.status_code == 200:
                self.delivered[update["update_id"]] = time.perf_counter()
        finally:
            limit.release()

    # Looking at what the bot did ------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Call]:
        """Successful calls of ``method`` (to ``chat_id`` when given), oldest first."""
        return [
            c
            for c in self.calls
            if c.method == method
            and not isinstance(c.result, BadRequest)
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: int) -> list[str]:
        """What the user saw of each message sent to the chat, oldest first."""
        return [c.result["text"] for c in self.sent(chat_id)]

    def failed(self) -> list[Call]:
        """Calls Telegram would have refused."""
        return [c for c in self.calls if isinstance(c.result, BadRequest)]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` holds after some call; fail after ``timeout`` seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    async def wait_sent(
        self, chat_id: int, count: int = 1, method: str = "sendMessage", timeout: float = 5.0
    ) -> list[Call]:
        """Wait for ``count`` successful ``method`` calls to the chat; returns them all."""
        await self.wait_for(lambda: len(self.sent(chat_id, method)) >= count, timeout)
        return self.sent(chat_id, method)

    async def wait_answered(self, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait for ``count`` answerCallbackQuery calls in all."""
        await self.wait_for(lambda: len(self.sent(None, "answerCallbackQuery")) >= count, timeout)
        return self.sent(None, "answerCallbackQuery")


class _QuietServer(uvicorn.Server):
    """uvicorn without signal handling, as a server inside a test."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _params(body: bytes, content_type: str) -> Json:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        raw: dict[str, Any] = json.loads(body)
    else:
        raw = dict(parse_qsl(body.decode(), keep_blank_values=True))
    params: Json = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in JSON_PARAMS:
            params[key] = json.loads(value)
        elif isinstance(value, str) and key in INT_PARAMS:
            params[key] = int(value)
        elif isinstance(value, str) and key in BOOL_PARAMS:
            params[key] = value == "true"
        else:
            params[key] = value
    return params


def _check_markup(markup: Json | None) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise BadRequest("Bad Request: text buttons are unallowed in the inline keyboard")


def _set_markup(message: Json, markup: Json | None) -> None:
    if markup and markup.get("inline_keyboard"):
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


def buttons(message: Json) -> list[tuple[str, str]]:
    """(label, callback data) of each inline button under a message, row by row."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


# Running the bot against the fake -------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def running_bot(
    kb: KnowledgeBase, fake: FakeTelegram, mode: str = "polling", **settings: Any
) -> AsyncIterator[TelegramSettings]:
    """Run the real application (``bot.telegram.app.serve``) against ``fake`` until exit.

    Yields the settings it runs with; webhook mode listens on a free loopback port.
    """
    values: Json = {"bot_token": fake.token, "base_url": fake.base_url, "mode": mode}
    if mode == "webhook":
        port = free_port()
        values |= {
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            "webhook_url": f"http://127.0.0.1:{port}/telegram",
            "webhook_secret": "test-secret_123",
        }
    values |= settings
    telegram = TelegramSettings(_env_file=None, **values)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(kb, telegram, stop))
    ready = "setWebhook" if mode == "webhook" else "getUpdates"
    try:
        await fake.wait_for(lambda: ready in fake.requested or task.done(), timeout=10)
        if task.done():
            task.result()
        yield telegram
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


async def open_sample_kb(root: Path, url: str | None = None, **settings: Any) -> KnowledgeBase:
    """A knowledge base with the tests' three sample entries, on ``url`` or SQLite under
    ``root``, for fixtures shared by a whole module (the ``kb`` fixture lives one test)."""
    data = root / "data"
    (data / "faq").mkdir(parents=True)
    (data / "tips").mkdir()
    for name in ("topics.yaml", "abbreviations.yaml"):
        (data / name).write_text((bundled_data_dir() / name).read_text("utf-8"), "utf-8")
    entries = yaml.safe_dump({"entries": SAMPLE_ENTRIES}, allow_unicode=True)
    (data / "faq" / "sample.yaml").write_text(entries, encoding="utf-8")
    url = url or f"sqlite+aiosqlite:///{root / 'bot.db'}"
    return await KnowledgeBase.open(
        Settings(database_url=url, data_dir=data, _env_file=None, **settings)
    )
