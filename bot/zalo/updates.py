"""Zalo events as the channel sees them, parsed defensively from untrusted JSON.

A webhook body is documented as ``{ok, result: {event_name, message}}`` but has been seen
unwrapped as ``{event_name, message}``; both are accepted, and so is what ``getUpdates``
returns. Ids are strings on Zalo; numbers are taken as their decimal text, anything else is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MAX_ID_CHARS = 64


class Event(StrEnum):
    """The event names the Zalo Bot API sends."""

    TEXT = "message.text.received"
    IMAGE = "message.image.received"
    STICKER = "message.sticker.received"
    # Messages of protected accounts (children, people with disabilities, people who cannot
    # read) arrive only as this, without their content.
    UNSUPPORTED = "message.unsupported.received"


class MalformedUpdate(ValueError):
    """The payload is not a Zalo event; the message says why (never the content)."""


class UnknownEvent(MalformedUpdate):
    """A well-formed payload with an event name this bot does not handle."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown event {name[:60]!r}")
        self.name = name


@dataclass(frozen=True)
class Incoming:
    """One event from a user."""

    event: Event
    chat_id: str
    user_id: str
    message_id: str | None = None
    chat_type: str = "private"
    text: str | None = None

    @property
    def key(self) -> tuple[str, str] | None:
        """What identifies a delivery, to spot retried ones; None when Zalo gave no id."""
        return (self.chat_id, self.message_id) if self.message_id is not None else None

    def describe(self) -> str:
        """A line for the log: ids and sizes, never the text (pupils write personal things)."""
        parts = [self.event.value, f"chat {self.chat_id}", f"user {self.user_id}"]
        if self.message_id is not None:
            parts.append(f"message {self.message_id}")
        if self.text is not None:
            parts.append(f"text of {len(self.text)} characters")
        return ", ".join(parts)


def unwrap(payload: object) -> dict[str, Any]:
    """The event object of a webhook body in either shape."""
    if not isinstance(payload, dict):
        raise MalformedUpdate(f"body is a JSON {type(payload).__name__}, not an object")
    result = payload.get("result")
    if "event_name" not in payload and isinstance(result, dict):
        return result
    return payload


def parse_update(payload: object) -> Incoming:
    """An Incoming from a webhook body or a ``getUpdates`` result; raises MalformedUpdate."""
    event = unwrap(payload)
    name = event.get("event_name")
    if not isinstance(name, str):
        raise MalformedUpdate("no event_name")
    try:
        kind = Event(name)
    except ValueError:
        raise UnknownEvent(name) from None

    message = event.get("message")
    if not isinstance(message, dict):
        raise MalformedUpdate("no message object")
    chat = message.get("chat")
    sender = message.get("from")
    chat_id = _id(chat.get("id") if isinstance(chat, dict) else None, "chat.id")
    user_id = _id(sender.get("id") if isinstance(sender, dict) else None, "from.id", chat_id)
    message_id = _optional_id(message.get("message_id"), "message_id")
    chat_type = chat.get("chat_type") if isinstance(chat, dict) else None

    text = None
    if kind is Event.TEXT:
        text = message.get("text")
        if not isinstance(text, str):
            raise MalformedUpdate("text event without a text string")
    return Incoming(
        event=kind,
        chat_id=chat_id,
        user_id=user_id,
        message_id=message_id,
        chat_type=chat_type.lower()[:20] if isinstance(chat_type, str) else "private",
        text=text,
    )


def _id(value: object, field: str, default: str | None = None) -> str:
    found = _optional_id(value, field)
    if found is not None:
        return found
    if default is not None:
        return default
    raise MalformedUpdate(f"no {field}")


def _optional_id(value: object, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedUpdate(f"{field} is a {type(value).__name__}")
    text = str(value)
    if not text or len(text) > MAX_ID_CHARS or not text.isprintable() or text.strip() != text:
        raise MalformedUpdate(f"{field} is not a usable id")
    return text
