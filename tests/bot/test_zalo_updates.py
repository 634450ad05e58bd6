"""Parsing Zalo events from untrusted JSON: both body shapes, and everything malformed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.zalo.updates import Event, Incoming, MalformedUpdate, UnknownEvent, parse_update

MESSAGE: dict[str, Any] = {
    "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Lan", "is_bot": False},
    "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
    "text": "Mấy tuổi được đi xe máy?",
    "message_id": "2d758cb5e222177a4e35",
    "date": 1750316131602,
}
EVENT = {"event_name": "message.text.received", "message": MESSAGE}
EXPECTED = Incoming(
    Event.TEXT,
    chat_id="6ede9afa66b88fe6d6a9",
    user_id="6ede9afa66b88fe6d6a9",
    message_id="2d758cb5e222177a4e35",
    chat_type="private",
    text="Mấy tuổi được đi xe máy?",
)


@pytest.mark.parametrize("body", [EVENT, {"ok": True, "result": EVENT}])
def test_both_shapes_give_the_same_event(body: object) -> None:
    assert parse_update(body) == EXPECTED


def test_an_unsupported_event_has_no_content() -> None:
    bare = {"from": {"id": "u1"}, "chat": {"id": "u1"}, "message_id": "m1", "date": 1}
    event = parse_update({"event_name": "message.unsupported.received", "message": bare})
    assert (event.event, event.text, event.user_id) == (Event.UNSUPPORTED, None, "u1")


def test_images_and_stickers_are_recognised() -> None:
    image = {"chat": {"id": "c"}, "photo_url": "https://x/y.jpg", "message_id": "m"}
    sticker = {"chat": {"id": "c"}, "sticker": "s1", "message_id": "m"}
    assert parse_update({"event_name": "message.image.received", "message": image}).event is (
        Event.IMAGE
    )
    parsed = parse_update({"event_name": "message.sticker.received", "message": sticker})
    assert (parsed.event, parsed.user_id) == (Event.STICKER, "c")


def test_numbers_are_taken_as_decimal_ids() -> None:
    message = MESSAGE | {"chat": {"id": 42}, "from": {"id": 42}, "message_id": 7}
    event = parse_update({"event_name": "message.text.received", "message": message})
    assert (event.chat_id, event.user_id, event.message_id) == ("42", "42", "7")
    assert event.key == ("42", "7")


def test_a_group_chat_keeps_its_type() -> None:
    message = MESSAGE | {"chat": {"id": "g1", "chat_type": "GROUP"}}
    assert parse_update({"event_name": EVENT["event_name"], "message": message}).chat_type == (
        "group"
    )


def test_unknown_events_are_told_apart_from_malformed_ones() -> None:
    with pytest.raises(UnknownEvent, match=r"message\.reaction\.received"):
        parse_update({"event_name": "message.reaction.received", "message": MESSAGE})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([EVENT], "body is a JSON list"),
        ("message.text.received", "body is a JSON str"),
        (None, "body is a JSON NoneType"),
        ({"ok": True, "result": [EVENT]}, "no event_name"),
        ({"event_name": 5, "message": MESSAGE}, "no event_name"),
        ({"event_name": "message.text.received"}, "no message object"),
        ({"event_name": "message.text.received", "message": "hi"}, "no message object"),
        (EVENT | {"message": MESSAGE | {"text": None}}, "without a text string"),
        (EVENT | {"message": MESSAGE | {"text": ["a"]}}, "without a text string"),
        (EVENT | {"message": MESSAGE | {"chat": None, "from": None}}, "no chat.id"),
        (EVENT | {"message": MESSAGE | {"chat": {"id": True}}}, "chat.id is a bool"),
        (EVENT | {"message": MESSAGE | {"chat": {"id": 1.0}}}, "chat.id is a float"),
        (EVENT | {"message": MESSAGE | {"chat": {"id": ""}}}, "chat.id is not a usable id"),
        (EVENT | {"message": MESSAGE | {"chat": {"id": " a"}}}, "chat.id is not a usable id"),
        (EVENT | {"message": MESSAGE | {"chat": {"id": "x" * 65}}}, "not a usable id"),
        (EVENT | {"message": MESSAGE | {"from": {"id": {"a": 1}}}}, "from.id is a dict"),
        (EVENT | {"message": MESSAGE | {"message_id": [1]}}, "message_id is a list"),
    ],
)
def test_malformed_bodies_are_refused_with_a_reason(body: object, reason: str) -> None:
    with pytest.raises(MalformedUpdate, match=reason) as caught:
        parse_update(body)
    assert not isinstance(caught.value, UnknownEvent)


def test_the_log_line_leaves_the_text_out() -> None:
    line = EXPECTED.describe()
    assert "xe máy" not in line
    assert "text of 24 characters" in line and "chat 6ede9afa66b88fe6d6a9" in line
