"""The small parts of the Telegram channel: flood gate, settings, conversations, ordering."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from telegram import Chat, Update

from bot.telegram.conversations import Conversations
from bot.telegram.flood import FloodGate, Verdict
from bot.telegram.processor import PerChatUpdateProcessor
from bot.telegram.settings import MISSING_TOKEN, TelegramSettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_flood_gate_allows_the_limit_then_notifies_once_then_drops() -> None:
    clock = Clock()
    gate = FloodGate(limit=3, window=60, clock=clock)
    verdicts = [gate.check("u").verdict for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTIFY] + [Verdict.DROP] * 2
    assert gate.check("other").verdict is Verdict.ALLOW

    clock.now += 30
    decision = gate.check("u")
    assert decision.verdict is Verdict.DROP and decision.retry_after == 30
    clock.now += 30
    assert gate.check("u").verdict is Verdict.ALLOW
    assert [gate.check("u").verdict for _ in range(3)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.NOTIFY,
    ]


def test_flood_gate_memory_is_bounded() -> None:
    gate = FloodGate(limit=1, window=60, clock=Clock(), max_keys=10)
    for user in range(100):
        gate.check(user)
    assert gate.check(0).verdict is Verdict.ALLOW  # forgotten, so counted afresh
    assert len(gate._windows) == 10


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot/")
    monkeypatch.setenv("TELEGRAM_MODE", "webhook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.edu.vn/tg/hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret_-X")
    monkeypatch.setenv("TELEGRAM_FLOOD_MAX_QUESTIONS", "5")
    settings = TelegramSettings(_env_file=None)
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == "1:abc"
    assert "1:abc" not in repr(settings) and "s3cret" not in repr(settings)
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.webhook_path == "/tg/hook"
    assert settings.flood_max_questions == 5
    assert settings.problems() == []


def test_settings_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert TelegramSettings(_env_file=None).problems() == [MISSING_TOKEN]
    webhook = TelegramSettings(_env_file=None, bot_token="1:a", mode="webhook")
    problems = webhook.problems()
    assert len(problems) == 2
    assert "TELEGRAM_WEBHOOK_URL" in problems[0] and "TELEGRAM_WEBHOOK_SECRET" in problems[1]
    assert TelegramSettings(_env_file=None, bot_token="  ").problems() == [MISSING_TOKEN]


@pytest.mark.parametrize("secret", ["has space", "é", "x" * 257])
def test_webhook_secrets_telegram_would_refuse_are_refused(secret: str) -> None:
    with pytest.raises(ValidationError):
        TelegramSettings(_env_file=None, webhook_secret=secret)


def test_conversations_are_per_user_and_bounded() -> None:
    table = Conversations(max_size=2)
    first = table.get(-100, 1)
    assert table.get(-100, 1) is first
    assert table.get(-100, 2) is not first
    assert first.asker.channel == "telegram" and first.asker.chat_id == "-100"
    assert first.asker.user_id == "1"
    table.get(5, 5)
    assert len(table) == 2
    assert table.get(-100, 1) is not first  # the least recently used was forgotten


def _update(update_id: int, chat_id: int) -> Update:
    chat = {"id": chat_id, "type": Chat.PRIVATE, "first_name": "A"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "text": "x"}
    return Update.de_json({"update_id": update_id, "message": message}, None)


async def test_updates_of_one_chat_run_in_order_and_chats_run_together() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[tuple[int, str]] = []
    release = asyncio.Event()

    async def work(update_id: int, wait: bool) -> None:
        log.append((update_id, "start"))
        if wait:
            await release.wait()
        log.append((update_id, "end"))

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 10), work(1, True))),
        asyncio.create_task(processor.process_update(_update(2, 10), work(2, False))),
        asyncio.create_task(processor.process_update(_update(3, 20), work(3, False))),
    ]
    await asyncio.sleep(0.01)
    assert log == [(1, "start"), (3, "start"), (3, "end")]  # chat 20 did not wait for 10
    release.set()
    await asyncio.gather(*tasks)
    assert log[3:] == [(1, "end"), (2, "start"), (2, "end")]
    assert processor._locks == {}
