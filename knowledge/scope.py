"""Scope terms: words that narrow a question to a place, a group, a thing, a figure or a time.

A lexical matcher cannot tell "Ở Nhật bao nhiêu tuổi được uống rượu?" from the question on
the drinking age in Vietnam that shares all its other words. The project keeps a list of
such narrowing words (``faq_data/scope_terms.yaml``); when a question has one that the
chosen entry never mentions, the matcher suggests the entry instead of answering with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.content import ContentError, ContentProblem
from knowledge.normalize import I_OR_Y_ONSETS, fold

FILE_NAME = "scope_terms.yaml"
# Syllables that normalization writes with a final "i" (knowledge.normalize), as a pattern
# would spell them by mistake.
_Y_SPELLING_RE = re.compile(rf"(?<![a-z])(?:{'|'.join(I_OR_Y_ONSETS)})y(?![a-z])")


def _problem(path: Path, label: str, section: str, message: str) -> ContentError:
    return ContentError([ContentProblem(str(path), label, section, message)])


@dataclass(frozen=True)
class ScopeTerms:
    """Labels with their folded spellings and patterns, as read from the file."""

    spellings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: Mapping[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ScopeTerms:
        """Read and check ``path``; a missing file means no scope terms.

        Raises ContentError naming the file, the label and the section of any problem.
        """
        if not path.is_file():
            return cls()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise _problem(path, "-", "-", f"cannot be read as YAML: {exc}") from exc
        if not isinstance(raw, dict):
            raise _problem(path, "-", "-", "expected the sections 'terms' and 'patterns'")
        spellings = {
            label: tuple(fold(value) for value in values)
            for label, values in _section(path, raw, "terms").items()
        }
        patterns: dict[str, tuple[re.Pattern[str], ...]] = {}
        for label, values in _section(path, raw, "patterns").items():
            for value in values:
                if spelled := _Y_SPELLING_RE.search(value):
                    message = (
                        f"'{spelled.group()}' never occurs in normalized text, which writes "
                        f"'{spelled.group()[:-1]}i'"
                    )
                    raise _problem(path, label, "patterns", message)
            try:
                patterns[label] = tuple(re.compile(value) for value in values)
            except re.error as exc:
                message = f"invalid regular expression: {exc}"
                raise _problem(path, label, "patterns", message) from exc
        for label, folded in spellings.items():
            if any(not value.strip() for value in folded):
                raise _problem(path, label, "terms", "empty spelling")
        return cls(spellings, patterns)

    def compile(self, normalize: Callable[[str], str]) -> ScopeFinder:
        """A finder for text normalized by ``normalize`` (spellings go through it too, so a
        spelling that is also a chat abbreviation still matches its expansion)."""
        labels = sorted(set(self.spellings) | set(self.patterns))
        by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for label_id, label in enumerate(labels):
            for spelling in self.spellings.get(label, ()):
                words = tuple(normalize(spelling).split())
                if words:
                    by_first.setdefault(words[0], []).append((words, label_id))
        patterns = [
            (pattern, label_id)
            for label_id, label in enumerate(labels)
            for pattern in self.patterns.get(label, ())
        ]
        return ScopeFinder(labels, by_first, patterns)


def _section(path: Path, raw: dict[object, object], name: str) -> dict[str, list[str]]:
    section = raw.get(name) or {}
    if not isinstance(section, dict):
        raise _problem(path, "-", name, "must map labels to lists")
    checked: dict[str, list[str]] = {}
    for label, values in section.items():
        if not isinstance(values, list) or not values:
            raise _problem(path, str(label), name, "expected a non-empty list")
        if not all(isinstance(value, str) for value in values):
            raise _problem(path, str(label), name, "every item must be text")
        checked[str(label)] = values
    return checked


class ScopeFinder:
    """Finds the scope labels a normalized text mentions."""

    def __init__(
        self,
        labels: Sequence[str],
        by_first: dict[str, list[tuple[tuple[str, ...], int]]],
        patterns: list[tuple[re.Pattern[str], int]],
    ) -> None:
        self.labels = list(labels)
        self._by_first = by_first
        self._patterns = patterns

    def __bool__(self) -> bool:
        return bool(self._by_first or self._patterns)

    def find(self, words: Sequence[str]) -> frozenset[int]:
        """Ids of the labels whose spellings occur in ``words`` as whole words."""
        found: set[int] = set()
        by_first = self._by_first
        for i, word in enumerate(words):
            for spelling, label_id in by_first.get(word, ()):
                if tuple(words[i : i + len(spelling)]) == spelling:
                    found.add(label_id)
        if self._patterns:
            text = " ".join(words)
            found.update(label_id for pattern, label_id in self._patterns if pattern.search(text))
        return frozenset(found)

    def find_all(self, texts: Iterable[Sequence[str]]) -> frozenset[int]:
        """Labels mentioned in any of ``texts``."""
        found: set[int] = set()
        for words in texts:
            found.update(self.find(words))
        return frozenset(found)

    def names(self, label_ids: Iterable[int]) -> list[str]:
        """The labels of ``label_ids``, sorted."""
        return sorted(self.labels[i] for i in label_ids)


NO_SCOPE = ScopeFinder([], {}, [])
