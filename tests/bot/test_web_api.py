"""The JSON API: the ``legalbot ask --json`` contract, options, votes, escalation, listings,
and every kind of bad request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from bot.web.api import OPENAPI_FILE
from knowledge.core import KnowledgeBase
from tests.bot.test_cli import CONTRACT_KEYS
from tests.bot.web_support import (
    EDUCATION_LAW,
    HOSTILE_QUESTION,
    SAFE_SCHOOL,
    asgi_client,
    open_web_kb,
    web_settings,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHAT_KEYS = {"reply", "text", "options", "feedback", "escalate", "path", "citations"}
HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?"
UNSURE = "học sinh có bị phạt"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def kb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[KnowledgeBase]:
    base = await open_web_kb(tmp_path_factory.mktemp("web-api"))
    yield base
    await base.close()


@pytest_asyncio.fixture(loop_scope="module")
async def client(kb: KnowledgeBase) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(kb) as http:
        yield http


async def ask(client: httpx.AsyncClient, question: str) -> dict[str, object]:
    response = await client.post("/api/ask", json={"question": question})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


# Answers -------------------------------------------------------------------------------


async def test_an_answer_has_the_ask_json_fields_and_links_its_clause(
    client: httpx.AsyncClient,
) -> None:
    body = await ask(client, SAFE_SCHOOL)
    assert set(body) == CONTRACT_KEYS | CHAT_KEYS
    assert body["status"] == "answered" and body["kind"] == "faq"
    assert body["id"] == "t13-moi-truong-an-toan"
    assert body["sources"] == [
        {"document": "Luật Giáo dục", "number": EDUCATION_LAW, "article": "83", "clause": "4"}
    ]
    assert body["citations"] == [
        {
            "text": "Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 4",
            "path": "/van-ban/43-2019-qh14/dieu-83#khoan-4",
        }
    ]
    assert body["path"] == "/hoi-dap/t13-moi-truong-an-toan"
    assert body["feedback"] is True and body["escalate"] is True


async def test_the_same_question_gives_the_same_fields_as_the_cli(
    client: httpx.AsyncClient, kb: KnowledgeBase
) -> None:
    from bot.ask_json import reply_json
    from knowledge.activity import Asker
    from knowledge.dialog import Conversation, Dialog

    body = await ask(client, HELMET)
    expected = reply_json(HELMET, await Dialog(kb).ask(Conversation(Asker("cli")), HELMET))
    assert {key: body[key] for key in CONTRACT_KEYS} == expected


async def test_a_citation_outside_the_document_base_has_no_link(
    client: httpx.AsyncClient,
) -> None:
    body = await ask(client, HELMET)
    assert body["citations"] == [
        {"text": "Nghị định 168/2024/NĐ-CP, Điều 7, khoản 2", "path": None}
    ]


async def test_an_unsure_match_offers_suggestions_as_options(client: httpx.AsyncClient) -> None:
    body = await ask(client, UNSURE)
    assert body["status"] == "suggest" and body["reply"] == "suggest"
    options = body["options"]
    assert isinstance(options, list) and options
    assert all(o["payload"].startswith("e:") for o in options)
    assert body["escalate"] is True and body["feedback"] is False


async def test_choosing_a_suggestion_answers_that_entry(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/choose", json={"payload": "e:t02-mu-bao-hiem"})
    body = response.json()
    assert response.status_code == 200
    assert body["question"] is None
    assert body["id"] == "t02-mu-bao-hiem" and body["status"] == "answered"


async def test_topics_open_by_page_and_by_code(client: httpx.AsyncClient) -> None:
    page = (await client.post("/api/choose", json={"payload": "p:1"})).json()
    assert page["reply"] == "menu"
    codes = [o["payload"] for o in page["options"]]
    assert "t:T13" in codes
    topic = (await client.post("/api/choose", json={"payload": "t:T13"})).json()
    assert {o["payload"] for o in topic["options"]} == {
        "e:t13-moi-truong-an-toan",
        "e:t13-bang-lop",
    }


@pytest.mark.parametrize("payload", ["e:t26-an-da-tat", "e:no-such-entry", "t:T99", "p:x1"])
async def test_stale_or_disabled_choices_are_refused_politely(
    client: httpx.AsyncClient, payload: str
) -> None:
    body = (await client.post("/api/choose", json={"payload": payload})).json()
    assert body["reply"] == "invalid"
    assert body["status"] == "unanswered" and body["answer"] is None


# Questions users really send -----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("", "Bạn chưa gõ câu hỏi"),
        ("   \n\t ", "Bạn chưa gõ câu hỏi"),
        ("?!?!", "Mình chưa hiểu"),
        ("x" * 1001, "dài quá"),
        ("How old must I be to ride a motorbike in Vietnam?", "tiếng Việt"),
    ],
)
async def test_empty_long_and_foreign_questions_get_a_vietnamese_message(
    client: httpx.AsyncClient, question: str, fragment: str
) -> None:
    body = await ask(client, question)
    assert body["reply"] == "invalid"
    assert fragment in str(body["text"])


async def test_markup_in_a_question_comes_back_as_plain_json_text(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/ask", json={"question": HOSTILE_QUESTION})
    assert response.headers["content-type"] == "application/json"
    assert response.json()["question"] == HOSTILE_QUESTION


# Votes and escalation -------------------------------------------------------------------


async def test_votes_are_thanked(client: httpx.AsyncClient) -> None:
    up = await client.post(
        "/api/feedback",
        json={"entry_id": "t02-mu-bao-hiem", "question": HELMET, "vote": 1},
    )
    down = await client.post("/api/feedback", json={"entry_id": None, "vote": -1})
    assert up.status_code == down.status_code == 200
    assert up.json()["text"] == "Cảm ơn bạn đã đánh giá!"
    assert "Hỏi cán bộ pháp chế" in down.json()["text"]


async def test_escalation_says_the_web_cannot_reply_privately(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/escalate", json={"question": "Em bị bạn đe dọa trên mạng"})
    text = response.json()["text"]
    assert response.status_code == 200
    assert "“Em bị bạn đe dọa trên mạng”" in text and "cán bộ pháp chế" in text
    assert "không lưu thông tin" in text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": "   "}, "question"),
        ({"question": "a" * 1001}, "question"),
        ({"question": "Câu hỏi", "entry_id": "../../etc"}, "entry_id"),
        ({"question": "Câu hỏi", "entry_id": "no-such-entry"}, "entry_id"),
        ({}, "question"),
    ],
)
async def test_escalation_needs_a_sensible_question(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/api/escalate", json=body)
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["fields"]] == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entry_id": "t02-mu-bao-hiem", "vote": 2}, "vote"),
        ({"entry_id": "t02-mu-bao-hiem", "vote": "1"}, "vote"),
        ({"entry_id": "no-such-entry", "vote": 1}, "entry_id"),
        ({"entry_id": "<b>", "vote": 1}, "entry_id"),
    ],
)
async def test_bad_votes_name_their_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/api/feedback", json=body)
    assert response.status_code == 422
    assert field in [f["field"] for f in response.json()["fields"]]


# Malformed requests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", "body"),
        (b"", "body"),
        (b"\xff\xfe", "body"),
        (b'["a question"]', "body"),
        (b'{"question": 42}', "question"),
        (b'{"question": null}', "question"),
        ('{"q": "mũ bảo hiểm"}'.encode(), "question"),
        (b'{"question": "ok", "extra": 1}', "extra"),
        (b"[" * 5000 + b"]" * 5000, "body"),
    ],
)
async def test_malformed_json_is_a_422_naming_the_field(
    client: httpx.AsyncClient, content: bytes, field: str
) -> None:
    response = await client.post(
        "/api/ask", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    body = response.json()
    assert field in [f["field"] for f in body["fields"]]
    assert body["message"]


async def test_a_body_that_is_not_json_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/ask", data={"question": "mũ bảo hiểm"})
    assert response.status_code == 415


async def test_a_huge_body_is_refused_before_it_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/ask", json={"question": "x" * 100_000})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


async def test_a_huge_streamed_body_without_length_is_cut(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"x" * 1000

    response = await client.post(
        "/api/ask", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/ask"), ("PUT", "/api/feedback")])
async def test_wrong_methods_answer_405_in_json(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


async def test_unknown_api_paths_answer_404_in_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


# Listings ------------------------------------------------------------------------------


async def test_topics_list_only_topics_with_active_entries(client: httpx.AsyncClient) -> None:
    topics = (await client.get("/api/topics")).json()["topics"]
    assert {t["code"] for t in topics} == {"T01", "T02", "T13", "T15"}
    assert next(t for t in topics if t["code"] == "T13")["entries"] == 2


async def test_a_topic_lists_its_active_entries(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/topics/T13")).json()
    assert body["name"] == "Quyền và nghĩa vụ của học sinh"
    assert [e["id"] for e in body["entries"]] == ["t13-bang-lop", "t13-moi-truong-an-toan"]
    assert (await client.get("/api/topics/T26")).status_code == 404
    assert (await client.get("/api/topics/%3Cscript%3E")).status_code == 404


async def test_an_entry_and_its_citations(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/entries/t13-moi-truong-an-toan")).json()
    assert body["question"] == SAFE_SCHOOL
    assert body["citations"][0]["path"] == "/van-ban/43-2019-qh14/dieu-83#khoan-4"


@pytest.mark.parametrize(
    ("entry_id", "status"), [("t26-an-da-tat", 410), ("no-such-entry", 404), ("..%2F..", 404)]
)
async def test_disabled_and_unknown_entries(
    client: httpx.AsyncClient, entry_id: str, status: int
) -> None:
    response = await client.get(f"/api/entries/{entry_id}")
    assert response.status_code == status
    assert response.json()["message"]


# Rate limit, privacy, description ------------------------------------------------------


async def test_a_flood_from_one_address_gets_429_with_retry_after(kb: KnowledgeBase) -> None:
    settings = web_settings(rate_limit_per_minute=6, rate_limit_burst=3)
    async with asgi_client(kb, settings) as client:
        statuses = [
            (await client.post("/api/ask", json={"question": HELMET})).status_code
            for _ in range(5)
        ]
        refused = await client.get("/api/topics")
    assert statuses == [200, 200, 200, 429, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 10
    assert "giây" in refused.json()["message"]


async def test_no_cookie_and_no_caching_of_answers(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/ask", json={"question": HELMET})
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"


async def test_the_openapi_description_covers_every_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/openapi.json")
    served = response.json()
    assert served == json.loads(Path(OPENAPI_FILE).read_text(encoding="utf-8"))
    assert served["openapi"].startswith("3.1")
    assert set(served["paths"]) == {
        "/api/ask",
        "/api/choose",
        "/api/feedback",
        "/api/escalate",
        "/api/topics",
        "/api/topics/{code}",
        "/api/entries/{entry_id}",
        "/api/openapi.json",
    }
    reply = served["components"]["schemas"]["Reply"]
    assert set(reply["required"]) == CONTRACT_KEYS | CHAT_KEYS
