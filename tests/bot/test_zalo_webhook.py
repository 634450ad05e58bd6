"""Webhook mode end to end, and everything hostile that can arrive at the webhook.

One bot in webhook mode serves the module (starting one per test would dominate the run
time); each test talks as a user of its own.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.zalo import messages as zmsg
from bot.zalo.handlers import withheld_text
from bot.zalo.settings import ZaloSettings
from bot.zalo.webhook import MAX_BODY_BYTES, SECRET_HEADER
from knowledge import messages as msg
from knowledge.chat_users import ChatUser
from knowledge.core import ArticleHit, KnowledgeBase
from knowledge.db.models import QuestionLog
from tests.bot.fake_telegram import open_sample_kb
from tests.bot.fake_zalo import WEBHOOK_SECRET, FakeUser, FakeZalo, running_bot, user

pytestmark = pytest.mark.asyncio(loop_scope="module")

HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
_numbers = itertools.count(6601)


@dataclass
class Bot:
    kb: KnowledgeBase
    fake: FakeZalo
    settings: ZaloSettings

    @property
    def url(self) -> str:
        assert self.settings.webhook_url is not None
        return self.settings.webhook_url

    async def post(self, body: bytes, secret: str | None = WEBHOOK_SECRET) -> httpx.Response:
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with httpx.AsyncClient() as client:
            return await client.post(self.url, content=body, headers=headers)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Bot]:
    kb = await open_sample_kb(tmp_path_factory.mktemp("zalo-webhook"))
    try:
        async with FakeZalo() as fake, running_bot(kb, fake, mode="webhook") as settings:
            yield Bot(kb, fake, settings)
    finally:
        await kb.close()


@pytest.fixture
def student() -> FakeUser:
    return user(next(_numbers), "Bình")


async def started(bot: Bot, student: FakeUser) -> None:
    """The student has said /start (so no first-contact notice gets in the way)."""
    await bot.fake.send(student, "/start")
    await bot.fake.wait_sent(student.id)


async def test_the_webhook_is_registered_with_its_secret(bot: Bot) -> None:
    [call] = bot.fake.sent(None, "setWebhook")
    assert call.params == {"url": bot.url, "secret_token": WEBHOOK_SECRET}
    assert "getUpdates" not in bot.fake.requested


@pytest.mark.parametrize("shape", ["wrapped", "unwrapped"])
async def test_both_body_shapes_are_answered(bot: Bot, student: FakeUser, shape: str) -> None:
    await started(bot, student)
    await bot.fake.send(student, HELMET, shape="wrapped" if shape == "wrapped" else "unwrapped")
    texts = await bot.fake.wait_sent(student.id, 2)
    assert "Căn cứ: Nghị định 168/2024/NĐ-CP" in texts[1]


async def test_a_repeated_delivery_is_answered_once(bot: Bot, student: FakeUser) -> None:
    await started(bot, student)
    await bot.fake.send(student, HELMET, repeat=3)
    await bot.fake.send(student, "/help")
    texts = await bot.fake.wait_sent(student.id, 3)
    assert "400.000 đến 600.000 đồng" in texts[1]
    assert texts[2].startswith("Cách dùng trợ lý:")
    assert len(bot.fake.texts(student.id)) == 3


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-000", WEBHOOK_SECRET + "x", "zalo"])
async def test_requests_without_the_secret_are_refused(
    bot: Bot, student: FakeUser, secret: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(bot.fake.event("message.text.received", student, text="/start"))
    with caplog.at_level(logging.WARNING, "bot.zalo.webhook"):
        response = await bot.post(body.encode(), secret)
    assert response.status_code == 403
    assert "without the right secret" in caplog.text

    await started(bot, student)  # a genuine event after the forged one
    assert len(bot.fake.texts(student.id)) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "Expecting value"),
        (b"\xff\xfe{", "codec"),
        (b"[1, 2]", "body is a JSON list"),
        (b'{"ok": true, "result": 5}', "no event_name"),
        (b'{"event_name": "message.text.received"}', "no message object"),
        (b'{"event_name": "message.text.received", "message": {"text": "hi"}}', "no chat.id"),
        (b"[" * 100_000 + b"]" * 100_000, "not a Zalo event"),
    ],
)
async def test_a_body_that_is_not_an_event_is_refused(
    bot: Bot, body: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "bot.zalo.webhook"):
        response = await bot.post(body)
    assert response.status_code in (400, 413)
    assert reason in caplog.text or response.status_code == 413


@pytest.mark.parametrize(
    "ids",
    [
        {"chat": {"id": True}},
        {"chat": {"id": 1.5}},
        {"chat": {"id": {"$gt": ""}}},
        {"chat": {"id": ["a"]}},
        {"chat": {"id": "x" * 65}},
        {"chat": {"id": "a\nb"}},
        {"chat": {"id": "abc"}, "from": {"id": None}, "message_id": {"x": 1}},
    ],
)
async def test_ids_of_unexpected_types_are_refused(
    bot: Bot, ids: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    message = {"text": "/start", "message_id": "m-ids", "from": {"id": "abc"}} | ids
    body = json.dumps({"event_name": "message.text.received", "message": message})
    with caplog.at_level(logging.WARNING, "bot.zalo.webhook"):
        response = await bot.post(body.encode())
    assert response.status_code == 400
    assert "not a Zalo event" in caplog.text


async def test_numeric_ids_are_taken_as_text(bot: Bot) -> None:
    number = 8_800_000_000 + next(_numbers)
    message = {"text": "/start", "message_id": 77, "chat": {"id": number}, "from": {"id": number}}
    body = json.dumps({"event_name": "message.text.received", "message": message})
    assert (await bot.post(body.encode())).status_code == 200
    [welcome] = await bot.fake.wait_sent(str(number))
    assert msg.DISCLAIMER in welcome


async def test_unknown_events_are_acknowledged_and_ignored(
    bot: Bot, student: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    event = bot.fake.event("message.reaction.received", student, reaction="❤")
    with caplog.at_level(logging.INFO, "bot.zalo.webhook"):
        response = await bot.post(json.dumps({"ok": True, "result": event}).encode())
    assert response.status_code == 200
    assert "unknown event 'message.reaction.received'" in caplog.text
    await started(bot, student)
    assert len(bot.fake.texts(student.id)) == 1


async def test_a_huge_body_is_refused_without_reading_it_all(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    text = "a" * (MAX_BODY_BYTES + 1)
    body = json.dumps({"event_name": "message.text.received", "message": {"text": text}})
    with caplog.at_level(logging.WARNING, "bot.zalo.webhook"):
        response = await bot.post(body.encode())
    assert response.status_code == 413

    # The same without a Content-Length: the cap applies while streaming.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" " * 10_000

    async with httpx.AsyncClient() as client:
        streamed = await client.post(
            bot.url, content=chunks(), headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
    assert streamed.status_code == 413
    assert caplog.text.count(f"over {MAX_BODY_BYTES} bytes") == 2


async def test_a_long_message_gets_the_polite_limit(bot: Bot, student: FakeUser) -> None:
    await started(bot, student)
    await bot.fake.send(student, "Cho em hỏi " * 500)
    texts = await bot.fake.wait_sent(student.id, 2)
    assert texts[1] == msg.TOO_LONG.format(limit=bot.kb.settings.max_question_chars)


async def test_images_and_stickers_get_a_text_only_notice(bot: Bot, student: FakeUser) -> None:
    await started(bot, student)
    await bot.fake.send_image(student)
    await bot.fake.send_sticker(student)
    texts = await bot.fake.wait_sent(student.id, 3)
    assert texts[1:] == [zmsg.MEDIA, zmsg.MEDIA]


async def test_a_withheld_message_gets_the_kind_pointer_and_is_counted_anonymously(
    bot: Bot, student: FakeUser
) -> None:
    async def unsupported_rows() -> list[QuestionLog]:
        await bot.kb.activity.flush()
        async with bot.kb.sessions() as session:
            query = select(QuestionLog).where(QuestionLog.status == "unsupported")
            return list((await session.scalars(query)).all())

    before = len(await unsupported_rows())
    await bot.fake.send_withheld(student)
    [reply] = await bot.fake.wait_sent(student.id)
    assert reply == withheld_text(None)
    assert "111" in reply and "thầy cô chủ nhiệm" in reply and "trang web của trường" in reply

    rows = await unsupported_rows()
    assert len(rows) == before + 1
    assert (rows[-1].channel, rows[-1].user_id, rows[-1].kind) == ("zalo", None, None)
    async with bot.kb.sessions() as session:
        known = select(func.count()).select_from(ChatUser).where(ChatUser.user_id == student.id)
        assert await session.scalar(known) == 0


class LongArticle:
    """A document base whose one clause runs to about 5,000 characters."""

    def __init__(self) -> None:
        paragraph = "Người học có quyền được tôn trọng và đối xử bình đẳng. " * 13
        self.text = "\n\n".join(f"{i}. {paragraph.strip()}" for i in range(1, 8))
        assert 4800 < len(self.text) < 5200

    def search(self, text: str, limit: int = 5) -> list[ArticleHit]:
        hit = ArticleHit(
            "Luật Giáo dục", "43/2019/QH14", "83", "Quyền của người học", None, self.text, 90.0,
            "in-force", "",
        )  # fmt: skip
        return [hit]


@pytest.fixture
def long_article(bot: Bot) -> Iterator[LongArticle]:
    documents = bot.kb.documents
    bot.kb.documents = article = LongArticle()
    yield article
    bot.kb.documents = documents


async def test_a_5000_character_answer_arrives_whole_in_order(
    bot: Bot, student: FakeUser, long_article: LongArticle
) -> None:
    await started(bot, student)
    await bot.fake.send(student, "người học có được đối xử công bằng không")
    await bot.fake.wait_for(lambda: bot.fake.texts(student.id)[-1].endswith(zmsg.ESCALATE_HINT))
    parts = bot.fake.texts(student.id)[1:]
    assert len(parts) >= 3 and all(len(p) <= 2000 for p in parts)
    joined = "\n\n".join(parts)
    assert long_article.text in joined
    # Cut at paragraph boundaries: every part starts a numbered paragraph or a known block.
    assert all(p.split(".", 1)[0].isdigit() or p.startswith(msg.ARTICLE_INTRO) for p in parts[:-1])
