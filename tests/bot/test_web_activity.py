"""What the web column writes, on every configured database: the question log, votes and
questions passed to the legal officer, all without anything that identifies the visitor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.core import KnowledgeBase
from knowledge.db.models import Feedback, QuestionLog, Unanswered
from tests.bot.web_support import HOSTILE_QUESTION, SAFE_SCHOOL, asgi_client, open_web_kb


@pytest.fixture
async def web_kb(database_url: str, tmp_path: Path) -> AsyncIterator[KnowledgeBase]:
    base = await open_web_kb(tmp_path, database_url)
    yield base
    await base.close()


async def test_answers_votes_and_escalations_are_stored_anonymously(
    web_kb: KnowledgeBase,
) -> None:
    async with asgi_client(web_kb) as client:
        await client.post("/api/ask", json={"question": SAFE_SCHOOL})
        await client.post(
            "/api/feedback",
            json={"entry_id": "t13-moi-truong-an-toan", "question": SAFE_SCHOOL, "vote": -1},
        )
        await client.post(
            "/api/escalate",
            json={"question": HOSTILE_QUESTION, "entry_id": "t13-moi-truong-an-toan"},
        )

    await web_kb.activity.flush()
    async with web_kb.sessions() as session:
        [logged] = (await session.scalars(select(QuestionLog))).all()
        [vote] = (await session.scalars(select(Feedback))).all()
        [passed_on] = (await session.scalars(select(Unanswered))).all()
    assert (logged.channel, logged.user_id, logged.entry_id) == (
        "web",
        None,
        "t13-moi-truong-an-toan",
    )
    assert (vote.channel, vote.user_id, vote.vote, vote.question) == ("web", None, -1, SAFE_SCHOOL)
    assert (passed_on.channel, passed_on.chat_id, passed_on.user_id) == ("web", None, None)
    assert passed_on.reason == "user-request"
    assert passed_on.question == HOSTILE_QUESTION  # stored as typed, escaped when shown
    assert passed_on.best_entry_id == "t13-moi-truong-an-toan"


async def test_refused_requests_write_nothing(web_kb: KnowledgeBase) -> None:
    async with asgi_client(web_kb) as client:
        await client.post("/api/escalate", json={"question": "  "})
        await client.post("/api/feedback", json={"entry_id": "no-such-entry", "vote": 1})
        await client.post("/api/ask", content=b"{", headers={"content-type": "application/json"})

    await web_kb.activity.flush()
    async with web_kb.sessions() as session:
        for table in (QuestionLog, Feedback, Unanswered):
            assert (await session.scalars(select(table))).all() == []
