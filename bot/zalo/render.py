"""Dialog replies as Zalo messages: plain text, numbered choices, at most 2,000 characters.

Zalo has no buttons. Suggestions and topics become numbered lines with a hint ("Trả lời 1, 2
hoặc 3 để chọn"); the dialog keeps the options, so the user's next number picks one. After an
answer the channel offers two numbered votes of its own (``v:+:<entry_id>``,
``v:-:<entry_id>``), which ``vote_options`` builds and the channel handles itself.
"""

from __future__ import annotations

from bot.text_split import split_to_fit
from bot.zalo import messages as zmsg
from knowledge import messages as msg
from knowledge.dialog import Option, Reply, ReplyKind

# Zalo's limit is 2,000 characters; counting UTF-16 units keeps an emoji-heavy text within it
# whichever way Zalo counts.
TEXT_LIMIT = 2000
VOTE_PREFIX = "v:"
VOTE_UP = "+"
VOTE_DOWN = "-"

_BASIS_PREFIX = f"{msg.BASIS_LABEL}:"


def vote_payload(vote: int, entry_id: str | None) -> str:
    """Payload of a 👍 (+1) or 👎 (-1) on an entry (none for a clause of the law)."""
    return f"{VOTE_PREFIX}{VOTE_UP if vote > 0 else VOTE_DOWN}:{entry_id or ''}"


def vote_options(reply: Reply) -> list[Option]:
    """The numbered votes offered under an answer: 1 is 👍, 2 is 👎."""
    if not reply.feedback:
        return []
    return [
        Option(zmsg.VOTE_UP, vote_payload(1, reply.entry_id)),
        Option(zmsg.VOTE_DOWN, vote_payload(-1, reply.entry_id)),
    ]


def choose_hint(count: int) -> str:
    """ "Trả lời 1, 2 hoặc 3 để chọn" for ``count`` numbered options (no final stop)."""
    if count <= 1:
        return zmsg.CHOOSE_ONE
    if count <= 5:
        numbers = ", ".join(str(n) for n in range(1, count))
        return zmsg.CHOOSE_FEW.format(numbers=numbers, last=count)
    return zmsg.CHOOSE_RANGE.format(count=count)


def _citation(source: dict[str, str | None]) -> str:
    where = []
    if source.get("article"):
        where.append(f"Điều {source['article']}")
    if source.get("clause"):
        where.append(f"khoản {source['clause']}")
    document, number = source.get("document") or "", source.get("number") or ""
    name = document if number in document else f"{document} số {number}"
    return ", ".join([name, *where])


def compose(reply: Reply) -> str:
    """The whole reply as one plain text, before it is cut to Zalo's size."""
    parts = [reply.text]
    if reply.kind is ReplyKind.ANSWER and reply.sources and _BASIS_PREFIX not in reply.text:
        parts.append(f"{_BASIS_PREFIX} " + "; ".join(_citation(s) for s in reply.sources) + ".")

    options = reply.options
    if options:
        parts.append("\n".join(f"{i}. {o.label}" for i, o in enumerate(options, start=1)))
        hint = choose_hint(len(options))
        if reply.kind is ReplyKind.SUGGEST:
            parts.append(hint + zmsg.SUGGEST_TAIL)
        else:
            parts.append(hint + zmsg.MENU_TAIL)
        if reply.kind is ReplyKind.MENU and all(o.payload.startswith("e:") for o in options):
            parts.append(zmsg.TOPIC_BACK)

    if reply.feedback:
        parts.append(zmsg.FEEDBACK_PROMPT)
    if reply.escalate:
        parts.append(zmsg.ESCALATE_HINT)
    return "\n\n".join(parts)


def render(reply: Reply) -> list[str]:
    """The messages that show a reply, in order, each within Zalo's limit."""
    return split_text(compose(reply))


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks of at most ``limit`` units, cut at paragraphs, then lines, then words."""
    text = text.strip()
    if not text:
        return []
    chunks = split_to_fit(text, limit)
    return [chunk for chunk in (c.strip() for c in chunks) if chunk]
