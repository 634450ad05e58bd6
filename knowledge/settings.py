"""Settings from environment variables and an optional ``.env`` file."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path('legalbot.db').resolve()}"


class Settings(BaseSettings):
    """Every setting of the bot; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    data_dir: Path | None = None
    log_level: str = "INFO"

    # Matching thresholds, on the 0-100 score scale of knowledge.matcher, calibrated on
    # bench/data/*_dev.jsonl only (docs/benchmarks.md): no out-of-scope question above 5 %.
    answer_threshold: float = Field(default=40.0, ge=0, le=100)
    suggest_threshold: float = Field(default=25.0, ge=0, le=100)
    ambiguity_margin: float = Field(default=12.0, ge=0, le=100)
    max_suggestions: int = Field(default=3, ge=1, le=5)
    # Largest share (0-1) of a question's content words, weighted by rarity, that the best
    # entry may never use and still be answered with; 1 turns the check off.
    unexplained_share: float = Field(default=0.25, ge=0, le=1)
    # Confidence of knowledge.documents (0-100) needed to quote a clause; calibrated with
    # bench/doc_retrieval.py so that out-of-scope chat gets no article.
    document_threshold: float = Field(default=52.0, ge=0, le=100)
    # When the FAQ offers suggestions, a clause is shown instead only from this confidence:
    # two half matches disagree, so the law must match clearly (bench/faq_matcher.py).
    document_over_suggestions_threshold: float = Field(default=70.0, ge=0, le=100)
    max_question_chars: int = Field(default=1000, ge=50, le=10000)

    legal_officer_contact: str = "cán bộ pháp chế của trường"

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def explain(error: ValidationError, prefix: str = "") -> list[str]:
    """One line per invalid setting, naming its environment variable (with the settings
    class's ``prefix``); values are not repeated, since some are secrets."""
    lines = []
    for problem in error.errors():
        name = prefix + "_".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"{name}: {problem['msg']}")
    return lines


def checked_settings() -> Settings:
    """:func:`get_settings` for a command line: invalid settings end the program with code 2
    and one line per problem, instead of a traceback."""
    try:
        return get_settings()
    except ValidationError as exc:
        print("Error: invalid settings.\n" + "\n".join(explain(exc)), file=sys.stderr)
        raise SystemExit(2) from None
