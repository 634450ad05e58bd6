"""The checks every FAQ change passes, whoever makes it (import, chat, command line).

The entry itself is validated by ``FaqEntryData`` (the schema the bundled content uses); on
top of it, the topic must exist and every cited document must be known (see citations).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from knowledge.content_schema import FaqEntryData
from knowledge.core import KnowledgeBase
from knowledge.curation.citations import CitationChecker


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an entry: the field (dotted path) and what is wrong, in English
    and, when it differs, in Vietnamese for the chat."""

    field: str
    message: str
    vi: str = ""

    @property
    def vietnamese(self) -> str:
        """The Vietnamese wording, with the field named in Vietnamese."""
        label = FIELD_NAMES.get(self.field.split(".")[0], self.field)
        return f"{label}: {self.vi or self.message}"


FIELD_NAMES = {
    "id": "mã",
    "topic": "chủ đề",
    "audience": "đối tượng",
    "questions": "cách hỏi",
    "answer": "câu trả lời",
    "sources": "căn cứ",
    "status": "trạng thái",
    "review": "rà soát",
    "review_note": "ghi chú rà soát",
    "entry": "câu hỏi – đáp",
}


@dataclass
class Checked:
    """The outcome of checking one entry: the entry when valid, errors and warnings."""

    entry: FaqEntryData | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def nfc(value: Any) -> Any:
    """Strings in NFC, recursively through lists and mappings (input from Windows tools is
    often decomposed)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: nfc(v) for k, v in value.items()}
    return value


def schema_problems(error: ValidationError) -> list[Problem]:
    """pydantic errors as problems naming the field."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "entry"
        message = item["msg"].removeprefix("Value error, ")
        limit = (item.get("ctx") or {}).get("max_length")
        vi = f"dài quá, tối đa {limit:,} ký tự".replace(",", ".") if limit else ""
        problems.append(Problem(where, message, vi))
    return problems


class EntryChecker:
    """Validates entries against the schema, the topics and the known documents."""

    def __init__(self, topics: set[str], citations: CitationChecker) -> None:
        self.topics = topics
        self.citations = citations

    @classmethod
    async def for_kb(cls, kb: KnowledgeBase) -> EntryChecker:
        """A checker with the knowledge base's topics and documents."""
        return cls({t.code for t in kb.topics}, await CitationChecker.load(kb.sessions))

    def check(self, raw: Any) -> Checked:
        """Validate one raw mapping (as read from a file or built by a form)."""
        if not isinstance(raw, dict):
            return Checked(None, [Problem("entry", "expected a mapping of fields")])
        try:
            entry = FaqEntryData.model_validate(nfc(raw))
        except ValidationError as exc:
            return Checked(None, schema_problems(exc))
        return self.check_entry(entry)

    def check_entry(self, entry: FaqEntryData) -> Checked:
        """The checks beyond the schema, on a schema-valid entry."""
        checked = Checked(entry)
        if entry.topic not in self.topics:
            known = sorted(self.topics)
            shown = ", ".join(known) if len(known) <= 4 else f"{known[0]}, …, {known[-1]}"
            message = f"unknown topic {entry.topic} (known: {shown})"
            checked.errors.append(Problem("topic", message, f"không có chủ đề {entry.topic}"))
        for i, source in enumerate(entry.sources):
            errors, warnings = self.citations.problems(source)
            where = f"sources.{i}.number"
            checked.errors += [Problem(where, e.message, e.vi) for e in errors]
            checked.warnings += [Problem(where, w.message, w.vi) for w in warnings]
        if checked.errors:
            checked.entry = None
        return checked
