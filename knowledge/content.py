"""Loading curated content from YAML files, with errors that name file, entry and field."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.content_schema import FaqEntryData, TipData, Topic
from knowledge.paths import data_dir

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in a content file."""

    file: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.field}: {self.message}"


class ContentError(Exception):
    """Raised with every problem found; nothing is loaded when it is raised."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in content:\n{lines}{more}")


def _read_yaml(path: Path, problems: list[ContentProblem]) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(ContentProblem(str(path), "-", "-", "file is larger than 20 MB"))
            return None
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(str(path), "-", "-", f"not UTF-8 text ({exc.reason})"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "-"
        problems.append(ContentProblem(str(path), where, "-", f"invalid YAML: {exc}"))
    except OSError as exc:
        problems.append(ContentProblem(str(path), "-", "-", f"cannot read: {exc.strerror}"))
    return None


def validate_items(
    model: type[ModelT], items: Iterable[tuple[str, str, Any]], problems: list[ContentProblem]
) -> list[ModelT]:
    """Validate raw items given as (file, position label, raw mapping)."""
    valid: list[ModelT] = []
    for file, position, raw in items:
        label = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else position
        try:
            valid.append(model.model_validate(raw))
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"]) or "-"
                problems.append(ContentProblem(file, label, field, error["msg"]))
    return valid


def _items(
    paths: list[Path], key: str, problems: list[ContentProblem]
) -> list[tuple[str, str, Any]]:
    items: list[tuple[str, str, Any]] = []
    for path in paths:
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
            problems.append(ContentProblem(str(path), "-", key, f"expected a list under '{key}'"))
            continue
        items.extend((str(path), f"#{i + 1}", item) for i, item in enumerate(raw[key]))
    return items


def _check_unique(
    entries: Iterable[FaqEntryData | TipData],
    files: dict[str, str],
    problems: list[ContentProblem],
) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            problems.append(ContentProblem(files[entry.id], entry.id, "id", "duplicate id"))
        seen.add(entry.id)


def load_topics(directory: Path | None = None) -> list[Topic]:
    """Topic codes and names from ``topics.yaml``."""
    path = (directory or data_dir()) / "topics.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Topic.model_validate(t) for t in raw["topics"]]


def load_faq_files(paths: list[Path]) -> list[FaqEntryData]:
    """Validate every entry of the given YAML files; raise ContentError listing all problems."""
    problems: list[ContentProblem] = []
    items = _items(paths, "entries", problems)
    entries = validate_items(FaqEntryData, items, problems)
    files = {str(raw.get("id")): f for f, _, raw in items if isinstance(raw, dict)}
    _check_unique(entries, files, problems)
    if problems:
        raise ContentError(problems)
    return entries


def load_faq(directory: Path | None = None) -> list[FaqEntryData]:
    """All FAQ entries under ``faq/`` of the data directory."""
    root = (directory or data_dir()) / "faq"
    return load_faq_files(sorted(root.glob("*.yaml")))


def load_tips(directory: Path | None = None) -> list[TipData]:
    """All tips under ``tips/`` of the data directory."""
    root = (directory or data_dir()) / "tips"
    problems: list[ContentProblem] = []
    items = _items(sorted(root.glob("*.yaml")), "tips", problems)
    tips = validate_items(TipData, items, problems)
    files = {str(raw.get("id")): f for f, _, raw in items if isinstance(raw, dict)}
    _check_unique(tips, files, problems)
    if problems:
        raise ContentError(problems)
    return tips
