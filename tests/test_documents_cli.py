"""``legalbot-admin docs`` and ``legalbot ask --documents-only`` as officers run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from admin_cli.main import app
from knowledge.settings import get_settings
from tests.fixtures.documents.files import sample_docx
from tests.fixtures.documents.minipdf import image_pdf

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
SAMPLE = FIXTURES / "luat_thanh_nien_trich.txt"
MINI = FIXTURES / "mini"


@pytest.fixture
def env(
    tmp_path: Path, sample_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """Settings for a fresh SQLite database and a data folder without bundled documents."""
    values = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}",
        "DATA_DIR": str(sample_data_dir),
        "COLUMNS": "200",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def admin(*args: str) -> Result:
    return CliRunner().invoke(app, ["docs", *args])


def listed() -> list[dict[str, object]]:
    result = admin("list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_dry_run_shows_what_was_found_and_imports_nothing(env: dict[str, str]) -> None:
    result = admin("import", str(SAMPLE), "--dry-run")

    assert result.exit_code == 0, result.output
    for expected in ("57/2020/QH14", "Luật Thanh niên", "Điều 1. Thanh niên"):
        assert expected in result.stdout
    assert "Điều 41. Hiệu lực thi hành" in result.stdout
    assert "Dry run: 1 document(s), 6 articles; nothing imported." in result.stdout
    assert listed() == []


def test_import_list_and_show(env: dict[str, str], tmp_path: Path) -> None:
    result = admin("import", str(sample_docx(tmp_path / "luat.docx")))
    assert result.exit_code == 0, result.output
    assert "Imported 1 document(s), 6 articles." in result.stdout

    (document,) = listed()
    assert document["number"] == "57/2020/QH14"
    assert (document["articles"], document["clauses"]) == (6, 6)
    assert document["effective"] == "2021-01-01"
    assert document["source"] == "luat.docx"

    shown = admin("show", "57/2020/QH14")
    assert shown.exit_code == 0, shown.output
    assert "Trách nhiệm của Hội đồng nhân dân, Ủy ban nhân dân cấp tỉnh" in shown.stdout
    article = admin("show", "57/2020/QH14", "--article", "40")
    assert "a) Ban hành nghị quyết về phát triển thanh niên" in article.stdout
    assert admin("show", "1/1999/QH10").exit_code == 1


def test_a_bad_file_stops_the_import_and_names_the_file(
    env: dict[str, str], tmp_path: Path
) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(image_pdf())

    result = admin("import", str(SAMPLE), str(scan))

    assert result.exit_code == 1
    assert str(scan) in result.output and "no text layer" in result.output
    assert listed() == []


def test_same_number_twice_needs_replace(env: dict[str, str]) -> None:
    assert admin("import", str(SAMPLE)).exit_code == 0

    again = admin("import", str(SAMPLE))
    assert again.exit_code == 1
    assert "--replace" in again.output and "Nothing was imported" in again.output
    assert admin("import", str(SAMPLE), "--replace").exit_code == 0
    assert len(listed()) == 1


def test_corpus_file_with_its_metadata(env: dict[str, str]) -> None:
    result = admin("import", str(MINI / "corpus.jsonl"), "--catalog", str(MINI / "documents.yaml"))

    assert result.exit_code == 0, result.output
    statuses = {d["number"]: d["status"] for d in listed()}
    assert statuses == {
        "43/2019/QH14": "amended",
        "52/2014/QH13": "in force",
        "73/2021/QH14": "replaced",
    }


def test_status_change_shows_the_note_users_will_read(env: dict[str, str]) -> None:
    admin("import", str(SAMPLE))

    result = admin(
        "status",
        "57/2020/QH14",
        "--status",
        "replaced",
        "--changed-by",
        "Luật Thanh niên 999/2099/QH99",
        "--effective",
        "2099-01-01",
    )

    assert result.exit_code == 0, result.output
    assert "sẽ được thay thế bởi Luật Thanh niên 999/2099/QH99 từ ngày 01/01/2099" in result.stdout
    assert listed()[0]["status"] == "replaced"


def test_ask_documents_only_returns_ranked_results(tmp_path: Path, sample_data_dir: Path) -> None:
    shutil.copytree(MINI, sample_data_dir / "documents")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "DATA_DIR": str(sample_data_dir),
        "DOCUMENT_THRESHOLD": "40",
    }
    questions = "tuổi kết hôn của nam và nữ\ntrận bóng đá tối qua ai thắng\n"

    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--documents-only", "--top", "3"],
        input=questions,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    marriage, football = (json.loads(line) for line in done.stdout.splitlines())
    assert {"question", "status", "kind", "answer", "sources", "results"} <= marriage.keys()
    assert marriage["status"] == "answered" and marriage["kind"] == "article"
    assert len(marriage["results"]) == 3
    best = marriage["results"][0]
    assert set(best) == {"document", "number", "article", "clause", "score"}
    assert (best["number"], best["article"]) == ("52/2014/QH13", "8")
    scores = [r["score"] for r in marriage["results"]]
    assert scores == sorted(scores, reverse=True)
    assert football["status"] == "unanswered" and football["answer"] is None
