"""Dialog replies as Telegram messages: HTML text, inline keyboards, and splitting.

Callback data carries the dialog's option payloads (``e:<entry_id>``, ``t:<topic>``,
``p:<page>``) plus the channel's own: ``v:<+|->:<entry_id>`` for a vote and ``x`` for
"pass to the legal officer". Telegram allows 64 bytes of callback data; longer payloads are
replaced by a key into a bounded in-memory table (``k:<hex>``), so after a restart such a
button is stale and gets a polite answer.
"""

from __future__ import annotations

import hashlib
import html
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.telegram import messages as tmsg
from bot.text_split import split_to_fit, utf16_len
from knowledge import messages as msg
from knowledge.dialog import Option, Reply, ReplyKind

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CALLBACK_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
LABEL_CHARS = 60
ESCALATE = "x"
VOTE_UP = "+"
VOTE_DOWN = "-"

_BASIS_PREFIX = f"{msg.BASIS_LABEL}:"


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message: HTML text and an optional inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


class CallbackCodec:
    """Fits payloads into Telegram's 64-byte callback data."""

    def __init__(self, max_keys: int = 20_000) -> None:
        self._long: OrderedDict[str, str] = OrderedDict()
        self._max_keys = max_keys

    def encode(self, payload: str) -> str:
        """The payload itself when it fits, else a key remembered for later."""
        if len(payload.encode()) <= CALLBACK_LIMIT and not payload.startswith("k:"):
            return payload
        key = "k:" + hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()
        self._long[key] = payload
        self._long.move_to_end(key)
        if len(self._long) > self._max_keys:
            self._long.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        """The payload behind callback data; None for a key this process no longer knows."""
        if data.startswith("k:"):
            return self._long.get(data)
        return data


def vote_payload(vote: int, entry_id: str | None) -> str:
    """Callback payload of a 👍 (+1) or 👎 (-1) on an entry (none for a clause of the law)."""
    return f"v:{VOTE_UP if vote > 0 else VOTE_DOWN}:{entry_id or ''}"


def to_html(plain: str) -> str:
    """Escape text for HTML parse mode and set the legal-basis label in bold."""
    lines = []
    for line in plain.split("\n"):
        if line.startswith(_BASIS_PREFIX):
            rest = line[len(_BASIS_PREFIX) :]
            lines.append(f"<b>{html.escape(_BASIS_PREFIX)}</b>{html.escape(rest)}")
        else:
            lines.append(html.escape(line))
    return "\n".join(lines)


def split_text(plain: str, limit: int = TEXT_LIMIT) -> list[str]:
    """HTML chunks of at most ``limit`` units, cut at paragraphs, then lines, then words."""
    return [to_html(chunk) for chunk in split_to_fit(plain, limit, _html_len)]


def _html_len(plain: str) -> int:
    return utf16_len(to_html(plain))


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _citation(source: dict[str, str | None]) -> str:
    where = []
    if source.get("article"):
        where.append(f"Điều {source['article']}")
    if source.get("clause"):
        where.append(f"khoản {source['clause']}")
    document, number = source.get("document") or "", source.get("number") or ""
    name = document if number in document else f"{document} số {number}"
    return ", ".join([*where, name]) if where else name


def _plain_text(reply: Reply) -> str:
    parts = [reply.text]
    numbered = [o for o in reply.options if o.payload.startswith("e:")]
    if numbered:
        parts.append("\n".join(f"{i}. {o.label}" for i, o in enumerate(numbered, start=1)))
    if reply.kind is ReplyKind.SUGGEST:
        parts.append(tmsg.SUGGEST_HINT)
    if reply.kind is ReplyKind.ANSWER and reply.sources and _BASIS_PREFIX not in reply.text:
        parts.append(f"{_BASIS_PREFIX} " + "; ".join(_citation(s) for s in reply.sources) + ".")
    return "\n\n".join(parts)


def keyboard(reply: Reply, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """Buttons for a reply's options, votes and escalation; None when it has none."""
    rows: list[list[InlineKeyboardButton]] = []
    navigation: list[InlineKeyboardButton] = []
    number = 0
    for option in reply.options:
        if option.payload.startswith("e:"):
            number += 1
            label = f"{number}. {_label(option.label)}"
        else:
            label = _label(option.label)
        button = InlineKeyboardButton(label, callback_data=codec.encode(option.payload))
        if option.payload.startswith("p:"):
            navigation.append(button)
        else:
            rows.append([button])
    if navigation:
        rows.append(navigation)
    if reply.kind is ReplyKind.MENU and number and number == len(reply.options):
        rows.append([_button(Option(tmsg.BUTTON_BACK_TO_TOPICS, "p:1"), codec)])
    if reply.feedback:
        rows.append(
            [
                _button(Option(tmsg.BUTTON_UP, vote_payload(1, reply.entry_id)), codec),
                _button(Option(tmsg.BUTTON_DOWN, vote_payload(-1, reply.entry_id)), codec),
            ]
        )
    if reply.escalate:
        rows.append([_button(Option(msg.OPTION_ESCALATE, ESCALATE), codec)])
    return InlineKeyboardMarkup(rows) if rows else None


def _button(option: Option, codec: CallbackCodec) -> InlineKeyboardButton:
    return InlineKeyboardButton(option.label, callback_data=codec.encode(option.payload))


def render(reply: Reply, codec: CallbackCodec) -> list[Outgoing]:
    """The messages that show a reply; the keyboard goes under the last one."""
    chunks = split_text(_plain_text(reply))
    markup = keyboard(reply, codec)
    return [
        Outgoing(chunk, markup if i == len(chunks) - 1 else None) for i, chunk in enumerate(chunks)
    ]


def without_votes(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard without its 👍/👎 row, once a vote is in."""
    return _without(markup, lambda data: data.startswith("v:"))


def without_escalation(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard without its escalation button, once the question is passed on."""
    return _without(markup, lambda data: data == ESCALATE)


def _without(
    markup: InlineKeyboardMarkup | None, drop: Callable[[str], bool]
) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [
        [b for b in row if not (isinstance(b.callback_data, str) and drop(b.callback_data))]
        for row in markup.inline_keyboard
    ]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None
