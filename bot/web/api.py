"""The JSON API: ask, choose an option, vote, pass a question on, and list topics and entries.

``POST /api/ask`` answers with the fields of ``legalbot ask --json`` plus what a chat page
needs to show the reply (text, options, links). The server keeps no conversation: the page
sends back what the dialog needs (the chosen option's payload, the last question).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from bot.ask_json import reply_json
from bot.web import messages as wmsg
from bot.web.site import HERE, Site
from knowledge import messages as msg
from knowledge.activity import Asker
from knowledge.dialog import Conversation, Reply
from knowledge.normalize import clean

logger = logging.getLogger(__name__)

CHANNEL = "web"
OPENAPI_FILE = HERE / "openapi.json"
ENTRY_ID = r"^[a-z0-9][a-z0-9-]{2,99}$"
ModelT = TypeVar("ModelT", bound=BaseModel)
_JSON_TYPE_RE = re.compile(r"^application/([a-z0-9.+-]*\+)?json\s*(;.*)?$", re.IGNORECASE)


class ApiError(Exception):
    """An error answered as JSON: status, Vietnamese message and the fields at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        """The error as a JSON response."""
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return JSONResponse(body, self.status, headers=self.headers)


class AskRequest(BaseModel):
    """``POST /api/ask``."""

    model_config = ConfigDict(extra="forbid")

    question: StrictStr


class ChooseRequest(BaseModel):
    """``POST /api/choose``: the payload of an option the previous reply offered."""

    model_config = ConfigDict(extra="forbid")

    payload: Annotated[StrictStr, Field(pattern=r"^[etp]:[A-Za-z0-9-]{1,100}$")]


class FeedbackRequest(BaseModel):
    """``POST /api/feedback``: a vote on an answer."""

    model_config = ConfigDict(extra="forbid")

    entry_id: Annotated[StrictStr, Field(pattern=ENTRY_ID)] | None = None
    question: StrictStr = ""
    vote: Literal[1, -1]


class EscalateRequest(BaseModel):
    """``POST /api/escalate``: pass the last question to the legal officer."""

    model_config = ConfigDict(extra="forbid")

    question: StrictStr
    entry_id: Annotated[StrictStr, Field(pattern=ENTRY_ID)] | None = None


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _limit(request: Request) -> None:
    """Refuse with 429 when the client has used up its share."""
    site = _site(request)
    decision = site.limiter.check(site.client_address(request))
    if not decision.allowed:
        raise ApiError(
            429,
            "rate_limited",
            wmsg.RATE_LIMITED.format(seconds=decision.retry_after),
            headers={"Retry-After": str(decision.retry_after)},
        )


async def _body(request: Request, limit: int) -> Any:
    """The request's JSON body, read up to ``limit`` bytes."""
    if not _JSON_TYPE_RE.match(request.headers.get("content-type", "")):
        raise ApiError(415, "unsupported_media_type", wmsg.INVALID_JSON)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", wmsg.BODY_TOO_LARGE)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "too_large", wmsg.BODY_TOO_LARGE)
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ApiError(
            422,
            "invalid_json",
            wmsg.INVALID_JSON,
            [{"field": "body", "problem": str(exc)[:200]}],
        ) from exc


async def _parse(request: Request, model: type[ModelT]) -> ModelT:
    _limit(request)
    raw = await _body(request, _site(request).settings.max_body_bytes)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        fields = [
            {
                "field": ".".join(str(part) for part in error["loc"]) or "body",
                "problem": error["msg"],
            }
            for error in exc.errors()
        ]
        raise ApiError(422, "invalid_request", wmsg.INVALID_REQUEST, fields) from exc


def reply_payload(site: Site, question: str | None, reply: Reply) -> dict[str, Any]:
    """A reply in the shape of ``legalbot ask --json`` plus what a chat page shows."""
    payload = reply_json(question or "", reply)
    payload["question"] = question
    entry = site.kb.entry(reply.entry_id) if reply.entry_id else None
    sources = entry.sources if entry is not None else reply.sources
    payload |= {
        "reply": reply.kind.value,
        "text": reply.text,
        "options": [{"label": o.label, "payload": o.payload} for o in reply.options],
        "feedback": reply.feedback,
        "escalate": reply.escalate,
        "path": f"/hoi-dap/{entry.id}" if entry is not None else None,
        "citations": [{"text": c.text, "path": c.path} for c in site.citations(sources)],
    }
    return payload


def _check_entry(site: Site, entry_id: str | None) -> None:
    """Refuse an entry id the knowledge base does not know."""
    if entry_id is not None and site.kb.entry(entry_id) is None:
        raise ApiError(
            422,
            "invalid_request",
            wmsg.UNKNOWN_ENTRY,
            [{"field": "entry_id", "problem": "unknown entry"}],
        )


def _conversation() -> Conversation:
    # The web keeps nothing about who asks: no cookie, no address in the logs.
    return Conversation(Asker(CHANNEL, None, None))


async def ask(request: Request) -> Response:
    """Answer a question."""
    body = await _parse(request, AskRequest)
    site = _site(request)
    reply = await site.dialog.ask(_conversation(), body.question)
    return JSONResponse(reply_payload(site, body.question, reply))


async def choose(request: Request) -> Response:
    """Act on an option: open an entry, list a topic, turn a page of topics."""
    body = await _parse(request, ChooseRequest)
    site = _site(request)
    reply = await site.dialog.choose(_conversation(), body.payload)
    return JSONResponse(reply_payload(site, None, reply))


async def feedback(request: Request) -> Response:
    """Store a vote on an answer."""
    body = await _parse(request, FeedbackRequest)
    site = _site(request)
    _check_entry(site, body.entry_id)
    conversation = _conversation()
    conversation.last_question = clean(body.question)[: site.kb.settings.max_question_chars]
    reply = await site.dialog.feedback(conversation, body.entry_id, body.vote)
    text = reply.text if body.vote > 0 else wmsg.FEEDBACK_THANKS_DOWN
    return JSONResponse({"text": text})


async def escalate(request: Request) -> Response:
    """Pass a question to the legal officer."""
    body = await _parse(request, EscalateRequest)
    site = _site(request)
    _check_entry(site, body.entry_id)
    question = clean(body.question)
    limit = site.kb.settings.max_question_chars
    if not question or len(question) > limit:
        problem = "must not be empty" if not question else f"longer than {limit} characters"
        text = msg.EMPTY if not question else msg.TOO_LONG.format(limit=limit)
        raise ApiError(422, "invalid_request", text, [{"field": "question", "problem": problem}])
    conversation = _conversation()
    conversation.last_question = question
    conversation.last_entry_id = body.entry_id
    # The dialog's own confirmation promises an answer "here", which a page cannot receive.
    await site.dialog.escalate(conversation)
    shown = question if len(question) <= 120 else question[:117] + "…"
    officer = site.kb.settings.legal_officer_contact
    return JSONResponse({"text": wmsg.ESCALATED.format(question=shown, officer=officer)})


async def topics(request: Request) -> Response:
    """Topics that have active entries."""
    _limit(request)
    return JSONResponse({"topics": _site(request).topic_list()})


async def topic(request: Request) -> Response:
    """The active entries of one topic."""
    _limit(request)
    site = _site(request)
    code = request.path_params["code"]
    entries = site.kb.active_entries(code)
    if not entries:
        raise ApiError(404, "not_found", wmsg.UNKNOWN_TOPIC)
    return JSONResponse(
        {
            "code": code,
            "name": site.kb.topic_name(code),
            "entries": [
                {"id": e.id, "question": e.main_question, "path": f"/hoi-dap/{e.id}"}
                for e in entries
            ],
        }
    )


async def entry(request: Request) -> Response:
    """One active entry with its answer and legal basis."""
    _limit(request)
    site = _site(request)
    found = site.kb.entry(request.path_params["entry_id"])
    if found is None:
        raise ApiError(404, "not_found", wmsg.UNKNOWN_ENTRY)
    if found.status != "active":
        raise ApiError(410, "disabled", wmsg.DISABLED_ENTRY)
    return JSONResponse(
        {
            "id": found.id,
            "topic": found.topic,
            "topic_name": site.kb.topic_name(found.topic),
            "question": found.main_question,
            "questions": found.questions,
            "answer": found.answer,
            "review": found.review,
            "sources": site.kb.source_dicts(found.sources),
            "citations": [{"text": c.text, "path": c.path} for c in site.citations(found.sources)],
            "path": f"/hoi-dap/{found.id}",
        }
    )


async def openapi(request: Request) -> Response:
    """The API's OpenAPI description."""
    return FileResponse(OPENAPI_FILE, media_type="application/json")


def api_mount() -> Mount:
    """The API under ``/api``; a mount of its own, so a wrong method answers 405 and an
    unknown path 404 in JSON rather than falling through to the pages."""
    return Mount(
        "/api",
        routes=[
            Route("/ask", ask, methods=["POST"]),
            Route("/choose", choose, methods=["POST"]),
            Route("/feedback", feedback, methods=["POST"]),
            Route("/escalate", escalate, methods=["POST"]),
            Route("/topics", topics),
            Route("/topics/{code}", topic),
            Route("/entries/{entry_id}", entry),
            Route("/openapi.json", openapi),
        ],
    )
