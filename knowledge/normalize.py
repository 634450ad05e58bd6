"""Vietnamese text normalization for matching.

Two views of a text are used across the project:

- :func:`clean` keeps what the user wrote (NFC, control characters removed, whitespace
  collapsed) and is what gets stored and shown;
- :func:`normalize` produces the matching key: lowercase, diacritics folded (đ → d),
  punctuation removed, chat and legal abbreviations expanded. Every index and every query
  goes through it, so FAQ phrasings, legal articles and chat messages meet in one form.

Both are idempotent and never raise on any ``str``.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.paths import data_dir

_CONTROL_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}
_SPACE_RE = re.compile(r"\s+")


def _build_fold_table() -> dict[int, str | None]:
    """Map every character below U+2000 to its folded lowercase form.

    Precomposed Vietnamese letters lose their marks, combining marks vanish (for text that was
    not NFC), punctuation and symbols become spaces, and ``&`` disappears so that ``GD&ĐT``
    folds to one token ``gddt``.
    """
    table: dict[int, str | None] = {}
    for code in range(0x2000):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Mn":
            table[code] = None
            continue
        if category[0] in "PSZC":
            table[code] = " "
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFD", char.lower()) if not unicodedata.combining(c)
        )
        if base != char:
            table[code] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    table[ord("&")] = None
    table[ord("_")] = " "
    for code in range(0x2000, 0x2070):
        # General punctuation: dashes, quotes, ellipsis, zero-width spaces.
        table[code] = " "
    return table


_FOLD_TABLE = _build_fold_table()


def clean(text: str) -> str:
    """Return ``text`` in NFC with control characters removed and whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if ch.isspace() or unicodedata.category(ch) not in _CONTROL_CATEGORIES
        )
    return _SPACE_RE.sub(" ", text).strip()


def _build_ascii_table() -> bytes:
    """Byte table for the fast path: ASCII letters lowercased, digits kept, the rest spaces."""
    table = bytearray(b" " * 256)
    for code in range(128):
        char = chr(code)
        if char.isalnum():
            table[code] = ord(char.lower())
    return bytes(table)


_ASCII_TABLE = _build_ascii_table()
_MARKS_RE = re.compile("[\u0300-\u036f]+")
# Vietnamese writes the final vowel of an open syllable as i or y with no change of sound
# ("học kì" and "học kỳ", "lí do" and "lý do", "qui định" and "quy định"); schools, phones
# and official texts each keep one or the other. Folded syllables made of one of these
# onsets and "y" are written with "i". Not "ny", which is also chat for "người yêu".
I_OR_Y_ONSETS = ("h", "k", "l", "m", "qu", "s", "t")
_I_OR_Y = {f"{onset}y": f"{onset}i" for onset in I_OR_Y_ONSETS}


# Folded form of each whitespace-separated token seen so far. Chat text draws on a small
# vocabulary (Vietnamese has a few thousand syllables), so after warm-up almost every token is
# a dictionary hit instead of a Unicode decomposition, a regex and a byte translation. The
# memo is cleared when full, which bounds its memory against floods of made-up tokens.
_TOKEN_MEMO: dict[str, tuple[str, ...]] = {}
# Most questions have no number glued to a word; this cheap test skips the unit rules.
_DIGIT_LETTER_RE = re.compile(r"[0-9][a-z]")
TOKEN_MEMO_LIMIT = 50_000


def fold_words(text: str) -> list[str]:
    """Lowercase, strip diacritics and punctuation, and split into words."""
    memo = _TOKEN_MEMO
    folded: list[str] = []
    for token in text.split():
        words = memo.get(token)
        if words is None:
            words = tuple(_fold_words(token))
            if len(memo) >= TOKEN_MEMO_LIMIT:
                memo.clear()
            memo[token] = words
        # A token may fold to several words ("xe-máy") or to none (punctuation alone).
        folded += words
    return folded


def _fold_words(text: str) -> list[str]:
    """:func:`fold_words` without the memo. Whitespace separates words in both, so folding
    tokens one by one gives the same words as folding the whole text."""
    # Fast path for Vietnamese and ASCII: decompose, drop the combining marks, and map the
    # remaining ASCII bytes in C. Anything else falls back to the full table.
    flat = _MARKS_RE.sub(
        "", unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "d")
    )
    if flat.isascii():
        words = flat.encode("ascii").translate(_ASCII_TABLE, b"&").decode("ascii").split()
    else:
        text = unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)
        if not text.isascii():
            # Letters of other scripts keep their form; other symbols become spaces.
            text = "".join(ch if ch.isalnum() else " " for ch in text)
        words = text.split()
    # Most tokens have no y at all (decomposition kept the base letter of ý, ỳ, ỷ …).
    if "y" not in flat and "Y" not in flat:
        return words
    return [_I_OR_Y.get(word, word) for word in words]


def fold(text: str) -> str:
    """Lowercase, strip diacritics and punctuation; words are separated by single spaces."""
    return " ".join(fold_words(text))


@dataclass(frozen=True)
class Abbreviations:
    """Expansion rules loaded from ``abbreviations.yaml``."""

    tokens: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    phrases: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Abbreviations:
        """Read and check the rules file; keys are folded so the file may use diacritics."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        tokens = {fold(str(k)): fold(str(v)) for k, v in (raw.get("tokens") or {}).items()}
        context = {
            fold(str(k)): (
                fold(str(v.get("default", k))),
                {fold(str(a)): fold(str(b)) for a, b in (v.get("before") or {}).items()},
            )
            for k, v in (raw.get("context") or {}).items()
        }
        phrases = {fold(str(k)): fold(str(v)) for k, v in (raw.get("phrases") or {}).items()}
        units = {fold(str(k)): fold(str(v)) for k, v in (raw.get("units") or {}).items()}
        rules = cls(tokens=tokens, context=context, phrases=phrases, units=units)
        rules.check()
        return rules

    def check(self) -> None:
        """Refuse rules whose output could be expanded again (that would break idempotence)."""
        keys = set(self.tokens) | set(self.context)
        outputs = list(self.tokens.values()) + [d for d, _ in self.context.values()]
        outputs += [w for _, before in self.context.values() for w in before.values()]
        outputs += list(self.phrases.values())
        for output in outputs:
            clash = keys.intersection(output.split())
            if clash:
                raise ValueError(f"abbreviation output {output!r} contains key {clash.pop()!r}")
        for key in keys:
            if " " in key:
                raise ValueError(f"token rule {key!r} must be one word; use phrases")
        for output in self.phrases.values():
            for key in self.phrases:
                if f" {key} " in f" {output} ":
                    raise ValueError(f"phrase output {output!r} contains phrase {key!r}")
        for unit, output in self.units.items():
            if not unit.isalpha() or not output or not all(w.isalpha() for w in output.split()):
                raise ValueError(f"unit {unit!r} -> {output!r}: both must be letters only")

    @property
    def phrase_pattern(self) -> re.Pattern[str] | None:
        """One alternation over all phrases, longest first, on word boundaries."""
        if not self.phrases:
            return None
        return re.compile(rf"(?<![a-z0-9])(?:{_longest_first(self.phrases)})(?![a-z0-9])")

    @property
    def unit_pattern(self) -> re.Pattern[str] | None:
        """A number glued to a unit (``17t``, ``5tr``, ``30k``), on word boundaries."""
        if not self.units:
            return None
        return re.compile(rf"(?<![a-z0-9])([0-9]+)({_longest_first(self.units)})(?![a-z0-9])")


def _longest_first(keys: Iterable[str]) -> str:
    """A regular expression alternation of ``keys``; longer keys are tried first."""
    return "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))


class Normalizer:
    """Turns any text into the folded, expanded matching key."""

    def __init__(self, rules: Abbreviations) -> None:
        self._tokens = dict(rules.tokens)
        self._context = dict(rules.context)
        self._phrases = dict(rules.phrases)
        self._phrase_re = rules.phrase_pattern
        self._any_rule = set(self._tokens) | set(self._context)
        self._context_keys = set(self._context)
        self._phrase_starts = {p.split()[0] for p in self._phrases}
        self._units = dict(rules.units)
        self._unit_re = rules.unit_pattern

    def __call__(self, text: str) -> str:
        """Return the matching key of ``text``."""
        words = fold_words(text)
        if self._any_rule.isdisjoint(words):
            key = " ".join(words)
            candidates: list[str] | None = words
        else:
            if self._context_keys.isdisjoint(words):
                get = self._tokens.get
                key = " ".join([get(word, word) for word in words])
            else:
                key = " ".join(self._expand(words))
            candidates = None
        if self._phrase_re is not None and not self._phrase_starts.isdisjoint(
            candidates if candidates is not None else key.split()
        ):
            key = self._phrase_re.sub(self._replace_phrase, key)
        if self._unit_re is not None and _DIGIT_LETTER_RE.search(key):
            # Numbers typed with their unit ("em 17t", "5tr") read as number and word.
            key = self._unit_re.sub(self._replace_unit, key)
        return key

    def _replace_unit(self, match: re.Match[str]) -> str:
        return f"{match.group(1)} {self._units[match.group(2)]}"

    def _replace_phrase(self, match: re.Match[str]) -> str:
        return self._phrases[match.group(0)]

    def _expand(self, words: list[str]) -> list[str]:
        out: list[str] = []
        last = len(words) - 1
        for i, word in enumerate(words):
            rule = self._context.get(word)
            if rule is not None:
                default, before = rule
                following = words[i + 1] if i < last else ""
                out.append(before.get(following, default))
            else:
                out.append(self._tokens.get(word, word))
        return out


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    """The normalizer built from the bundled ``abbreviations.yaml``."""
    return Normalizer(Abbreviations.load(data_dir() / "abbreviations.yaml"))


def normalize(text: str) -> str:
    """Matching key of ``text`` with the bundled rules."""
    return default_normalizer()(text)


def tokens(text: str) -> list[str]:
    """Matching tokens of ``text`` with the bundled rules."""
    return normalize(text).split()


if __name__ == "__main__":  # pragma: no cover - a quick manual check for operators
    for line in sys.stdin:
        print(normalize(line))
