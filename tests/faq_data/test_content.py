"""Checks on the bundled curated content: schema, Unicode, limits, citations, coverage."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz

from knowledge.content import load_faq, load_tips, load_topics
from knowledge.content_schema import ANSWER_MAX, TIP_MAX, FaqEntryData, Source, TipData
from knowledge.normalize import normalize
from knowledge.paths import bundled_data_dir

DATA = bundled_data_dir()
DOCUMENTS = DATA / "documents"

# Two phrasings of different entries this similar would compete for the same question.
NEAR_DUPLICATE = 92


@pytest.fixture(scope="module")
def entries() -> list[FaqEntryData]:
    return load_faq(DATA)


@pytest.fixture(scope="module")
def tips() -> list[TipData]:
    return load_tips(DATA)


def _corpus_articles() -> dict[str, set[str]]:
    articles: dict[str, set[str]] = {}
    with (DOCUMENTS / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            articles.setdefault(row["number"], set()).add(row["article"])
    return articles


def _replaced_numbers() -> set[str]:
    replaced = set()
    with (DOCUMENTS / "status.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["status"] == "replaced":
                replaced.add(row["number"])
    return replaced


def test_every_yaml_file_is_nfc_text() -> None:
    for path in sorted(DATA.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, path


def test_counts_and_topic_coverage(entries: list[FaqEntryData]) -> None:
    assert len(entries) >= 220
    per_topic = Counter(e.topic for e in entries)
    codes = [t.code for t in load_topics(DATA)]
    for code in codes:
        minimum = 4 if code != "T40" else 1
        assert per_topic[code] >= minimum, f"topic {code} has {per_topic[code]} entries"
    assert set(per_topic) <= set(codes)


def test_entries_are_well_formed(entries: list[FaqEntryData]) -> None:
    for entry in entries:
        assert len(entry.answer) <= ANSWER_MAX
        assert len(entry.questions) >= 5, entry.id
        keys = {normalize(q) for q in entry.questions}
        assert len(keys) >= 5, f"{entry.id}: phrasings differ only in diacritics or case"
        assert entry.answer.splitlines()[-1].startswith("Căn cứ:")
        for source in entry.sources:
            document = source.document.split(" số ")[0]
            assert document.split()[0] in entry.answer.splitlines()[-1], entry.id


def _check_source(owner: str, source: Source, needs_check: bool) -> None:
    articles = _corpus_articles()
    assert source.number not in _replaced_numbers(), f"{owner} cites replaced {source.number}"
    if source.number in articles:
        assert source.article in articles[source.number], (
            f"{owner}: {source.number} has no article {source.article}"
        )
    elif source.article is None:
        assert needs_check, f"{owner}: source without article must be needs-check"


def test_citations_resolve(entries: list[FaqEntryData], tips: list[TipData]) -> None:
    for entry in entries:
        for source in entry.sources:
            _check_source(entry.id, source, entry.review == "needs-check")
    for tip in tips:
        for source in tip.sources:
            _check_source(tip.id, source, tip.review == "needs-check")


def test_no_phrasing_competes_with_another_entry(entries: list[FaqEntryData]) -> None:
    keyed = [(e.id, normalize(q)) for e in entries for q in e.questions]
    clashes = [
        (a_id, a, b_id, b)
        for (a_id, a), (b_id, b) in combinations(keyed, 2)
        if a_id != b_id and fuzz.ratio(a, b) >= NEAR_DUPLICATE
    ]
    assert not clashes, clashes[:5]


def test_tips(tips: list[TipData]) -> None:
    assert len(tips) >= 120
    for tip in tips:
        assert len(tip.text) <= TIP_MAX
    audiences = Counter(t.audience for t in tips)
    # A weekly tip for a whole school year (35 weeks) per audience without repeats.
    assert audiences["students"] + audiences["everyone"] >= 35
    assert audiences["staff"] + audiences["everyone"] >= 35
    occasions = {t.occasion for t in tips}
    assert {"law-day", "tet", "exams", "summer"} <= occasions


def test_bad_content_names_file_entry_and_field(tmp_path: Path) -> None:
    from knowledge.content import ContentError, load_faq_files

    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "entries": [
                    {
                        "id": "t01-x",
                        "topic": "T01",
                        "audience": "kids",
                        "questions": ["a"],
                        "answer": "x" * 1600,
                        "sources": [],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        load_faq_files([path])
    text = str(caught.value)
    for field in ("audience", "questions", "answer", "sources"):
        assert f"bad.yaml: t01-x: {field}" in text
