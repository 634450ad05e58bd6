"""Greetings, thanks and goodbyes: answered kindly instead of being logged as questions."""

from __future__ import annotations

from enum import StrEnum

from knowledge.normalize import fold_words


class SmallTalk(StrEnum):
    """Kinds of small talk the dialog recognises."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"


_PHRASES: dict[SmallTalk, tuple[str, ...]] = {
    SmallTalk.GREETING: (
        "chao",
        "xin chao",
        "chao ban",
        "chao bot",
        "hi",
        "hello",
        "helo",
        "alo",
        "alo alo",
        "chao ad",
        "chao admin",
        "hey",
        "e chao",
        "em chao",
        "chao em",
        "chao anh",
        "chao chi",
    ),
    SmallTalk.THANKS: (
        "cam on",
        "cam on ban",
        "cam on nhieu",
        "camon",
        "thanks",
        "thank you",
        "thank",
        "tks",
        "thanks ban",
        "ok cam on",
        "oke cam on",
        "ok thanks",
        "cam on a",
        "em cam on",
        "cam on bot",
        "hay qua",
        "ok",
        "oke",
        "okela",
        "uk",
        "uh",
        "da",
        "vang",
        "da vang",
    ),
    SmallTalk.GOODBYE: ("bye", "tam biet", "bai", "bai bai", "goodbye", "hen gap lai"),
}
_LOOKUP = {phrase: kind for kind, phrases in _PHRASES.items() for phrase in phrases}
_FILLERS = frozenset({"a", "nhe", "nha", "oi", "nhieu", "lam", "ha"})


def small_talk(text: str) -> SmallTalk | None:
    """The kind of small talk ``text`` is, or None when it may be a real question."""
    words = [w for w in fold_words(text) if w not in _FILLERS]
    if not words or len(words) > 4:
        return None
    return _LOOKUP.get(" ".join(words))
