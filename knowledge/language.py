"""A cheap guess whether a message is written in a language other than Vietnamese.

The bot answers in Vietnamese only; a message in English or another script gets a polite
note instead of a doomed match. The guess errs towards Vietnamese: unaccented Vietnamese
shares many short words with English, so only clearly foreign text is refused.
"""

from __future__ import annotations

import unicodedata

from knowledge.normalize import fold_words

_ENGLISH = frozenset(
    "the is are was were what how why when where which who can could would should will "
    "does did have has my your you i we they he she it this that there of for with from "
    "about and or not if to in on at be get got any please tell me law legal school student "
    "students teacher age old years allowed illegal fine police rights help".split()
)
_VIETNAMESE = frozenset(
    "co khong duoc la toi em minh ban bi thi nguoi hoc sinh gi nao bao nhieu tuoi phat "
    "lam sao nhu the vay cua cho va voi trong neu thay giao truong luat xe may di".split()
)


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "LATIN" in unicodedata.name(ch, "")


def looks_foreign(text: str) -> bool:
    """True when ``text`` is clearly not Vietnamese (another script, or plain English)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if _is_latin(ch))
    if latin / len(letters) < 0.5:
        return True
    if any(not ch.isascii() for ch in letters):
        # Vietnamese diacritics (or other Latin accents): treat as Vietnamese.
        return False
    words = fold_words(text)
    if len(words) < 3:
        return False
    english = sum(1 for w in words if w in _ENGLISH)
    vietnamese = sum(1 for w in words if w in _VIETNAMESE)
    return english / len(words) >= 0.4 and vietnamese / len(words) < 0.2
