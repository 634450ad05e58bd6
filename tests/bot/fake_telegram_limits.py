"""The fake Bot API server with Telegram's sending limits, for delivery tests and the benchmark.

On top of :class:`tests.bot.fake_telegram.FakeTelegram` it refuses ``sendMessage`` with 429
and ``retry_after`` when a limit is broken: more than ``per_second`` messages in any second
overall, more than ``chat_burst`` messages to one chat in ``chat_burst`` intervals, more than
``group_per_minute`` to one group in a minute. ``scale`` multiplies every limit (a 10x
faster world for time-scaled runs). It counts what each chat received, so lost and
duplicated messages can be told apart, and answers ``sendPhoto`` uploads.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter, deque

from starlette.requests import Request
from starlette.responses import JSONResponse

from tests.bot.fake_telegram import BadRequest, FakeTelegram, Json

GROUP_WINDOW = 60.0


class TooManyRequests(BadRequest):
    """A 429 answer with the seconds to wait."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too Many Requests: retry after {retry_after}", 429)
        self.retry_after = retry_after


class FakeTelegramLimits(FakeTelegram):
    """FakeTelegram that enforces Telegram's flood limits on ``sendMessage``."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        chat_interval: float = 1.0,
        group_per_minute: int = 20,
        chat_burst: int = 3,
        scale: float = 1.0,
    ) -> None:
        super().__init__()
        self.per_second = per_second * scale
        self.chat_interval = chat_interval / scale
        self.group_per_minute = round(group_per_minute * scale)
        # Like Telegram, a chat may get a short burst (a reply in two parts) but no more
        # than ``chat_burst`` messages in ``chat_burst`` intervals.
        self.chat_burst = chat_burst
        self.too_many = 0
        self.received: Counter[int] = Counter()
        self.received_texts: dict[int, list[str]] = {}
        self.photos: list[Json] = []
        # chat id -> how many more sends to it fail with 502 Bad Gateway.
        self.flaky: dict[int, int] = {}
        self._recent: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}
        self._groups: dict[int, deque[float]] = {}

    def _check_limits(self, chat_id: int, now: float) -> None:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            raise TooManyRequests(1)
        recent = self._chats.setdefault(chat_id, deque())
        window = self.chat_interval * self.chat_burst
        while recent and recent[0] <= now - window:
            recent.popleft()
        if len(recent) >= self.chat_burst:
            raise TooManyRequests(max(1, math.ceil(recent[0] + window - now)))
        if chat_id < 0 and self.group_per_minute:
            sent = self._groups.setdefault(chat_id, deque())
            while sent and sent[0] <= now - GROUP_WINDOW:
                sent.popleft()
            if len(sent) >= self.group_per_minute:
                raise TooManyRequests(max(1, math.ceil(sent[0] + GROUP_WINDOW - now)))

    async def _api_sendMessage(self, params: Json) -> Json:
        chat_id = params["chat_id"]
        now = time.perf_counter()
        try:
            self._check_limits(chat_id, now)
        except TooManyRequests:
            self.too_many += 1
            raise
        if self.flaky.get(chat_id):
            self.flaky[chat_id] -= 1
            raise BadRequest("Bad Gateway", 502)
        message = await super()._api_sendMessage(params)
        self._recent.append(now)
        self._chats[chat_id].append(now)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)
        self.received[chat_id] += 1
        self.received_texts.setdefault(chat_id, []).append(message["text"])
        return message

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["method"] != "sendPhoto":
            response = await super()._endpoint(request)
            if response.status_code == 429:
                # Telegram says how long to wait in ``parameters``, which the base omits.
                body = json.loads(bytes(response.body))
                seconds = int(body["description"].rsplit(" ", 1)[1])
                body["parameters"] = {"retry_after": seconds}
                return JSONResponse(body, 429)
            return response
        # A multipart upload; only the chat and the size of the file are of interest.
        body = await request.body()
        found = re.search(rb'name="chat_id"\r\n\r\n(-?\d+)', body)
        chat_id = int(found.group(1)) if found else 0
        record: Json = {"chat_id": chat_id, "bytes": len(body)}
        self.photos.append(record)
        message = {
            "message_id": 1,
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
        }
        await self._record_photo()
        return JSONResponse({"ok": True, "result": message})

    async def _record_photo(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def answered_429(self) -> list[Json]:
        """Bodies of the 429 answers sent so far (for assertions on retry_after)."""
        return [
            {"chat_id": c.params.get("chat_id"), "retry_after": c.result.retry_after}
            for c in self.calls
            if isinstance(c.result, TooManyRequests)
        ]
