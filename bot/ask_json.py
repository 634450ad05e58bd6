"""The JSON contract of ``legalbot ask --json``."""

from __future__ import annotations

from typing import Any

from knowledge.dialog import Reply, ReplyKind

_KIND = {ReplyKind.ANSWER: "faq", ReplyKind.ARTICLE: "article"}


def reply_json(question: str, reply: Reply) -> dict[str, Any]:
    """One line of ``legalbot ask --json`` output."""
    status = reply.status or "unanswered"
    return {
        "question": question,
        "status": status,
        "kind": _KIND.get(reply.kind),
        "id": reply.entry_id,
        "matched": reply.matched,
        "answer": reply.text if status == "answered" else None,
        "score": reply.score,
        "sources": reply.sources,
        "suggestions": [
            {"id": s.id, "question": s.question, "score": s.score} for s in reply.suggestions
        ],
    }
