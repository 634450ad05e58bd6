"""Pydantic models of curated content: FAQ entries, legal sources, tips, topics."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

ANSWER_MAX = 1500
TIP_MAX = 600
QUESTION_MAX = 300
MIN_PHRASINGS = 4

Audience = Literal["students", "staff", "everyone"]
Review = Literal["ok", "needs-check"]
Status = Literal["active", "disabled"]
Occasion = Literal["law-day", "tet", "exams", "summer", "school-start"]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,99}$")
_TOPIC_RE = re.compile(r"^T\d{2}$")


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("must be Unicode NFC")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValueError("contains control characters")
    return value


def _slug(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError("must be a lowercase ASCII slug (a-z, 0-9, -), 3-100 characters")
    return value


def _topic_code(value: str) -> str:
    if not _TOPIC_RE.match(value):
        raise ValueError("must be a topic code such as T01")
    return value


Text = Annotated[str, AfterValidator(_text)]
Slug = Annotated[str, AfterValidator(_slug)]
TopicCode = Annotated[str, AfterValidator(_topic_code)]


class Source(BaseModel):
    """A legal basis: document name and number, and where known the article and clause."""

    model_config = ConfigDict(extra="forbid")

    document: Text = Field(max_length=300)
    number: Text = Field(max_length=100)
    article: str | None = Field(default=None, max_length=20)
    clause: str | None = Field(default=None, max_length=20)

    @field_validator("article", "clause", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def citation(self) -> str:
        """Human citation, e.g. ``Luật Giáo dục số 43/2019/QH14, Điều 83, khoản 1``."""
        if self.number in self.document:
            parts = [self.document]
        elif self.number[:1].isdigit():
            parts = [f"{self.document} số {self.number}"]
        else:
            parts = [self.number]
        if self.article:
            parts.append(f"Điều {self.article}")
        if self.clause:
            parts.append(f"khoản {self.clause}")
        return ", ".join(parts)


class FaqEntryData(BaseModel):
    """A curated FAQ entry as written in ``faq_data/faq/*.yaml``."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    topic: TopicCode
    audience: Audience
    questions: list[Annotated[Text, Field(max_length=QUESTION_MAX)]] = Field(
        min_length=MIN_PHRASINGS
    )
    answer: Text = Field(max_length=ANSWER_MAX)
    sources: list[Source] = Field(min_length=1)
    status: Status = "active"
    review: Review = "ok"
    review_note: str = ""

    @model_validator(mode="after")
    def _check_whole(self) -> FaqEntryData:
        last_line = self.answer.strip().splitlines()[-1]
        if not last_line.startswith("Căn cứ:"):
            raise ValueError("answer must end with a line starting 'Căn cứ:' (its legal basis)")
        if self.review == "needs-check" and not self.review_note.strip():
            raise ValueError("review_note is required when review is needs-check")
        seen: set[str] = set()
        for question in self.questions:
            if question in seen:
                raise ValueError(f"phrasing repeated: {question!r}")
            seen.add(question)
        return self

    @property
    def main_question(self) -> str:
        """The first phrasing, shown as the entry's title."""
        return self.questions[0]


class TipData(BaseModel):
    """A short legal tip for scheduled delivery."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    topic: TopicCode
    audience: Audience
    text: Text = Field(max_length=TIP_MAX)
    sources: list[Source] = Field(min_length=1)
    occasion: Occasion | None = None
    review: Review = "ok"
    review_note: str = ""


class Topic(BaseModel):
    """A topic code and its Vietnamese name."""

    code: str
    name: Text
