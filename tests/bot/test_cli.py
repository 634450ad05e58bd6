"""``legalbot ask`` and ``legalbot chat`` as a user runs them, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import messages as msg

CONTRACT_KEYS = {
    "question",
    "status",
    "kind",
    "id",
    "matched",
    "answer",
    "score",
    "sources",
    "suggestions",
}


@pytest.fixture
def env(tmp_path: Path, sample_data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "DATA_DIR": str(sample_data_dir),
    }


def legalbot(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_ask_prints_the_reply_a_user_sees(env: dict[str, str]) -> None:
    done = legalbot(env, "ask", "ko đội mũ bảo hiểm bị phạt bn tiền")
    assert done.returncode == 0, done.stderr
    assert "400.000 đến 600.000 đồng" in done.stdout
    assert "Căn cứ: Nghị định 168/2024/NĐ-CP" in done.stdout


def test_ask_json_follows_the_contract_in_order(env: dict[str, str]) -> None:
    questions = [
        "ko đội mũ bảo hiểm bị phạt bn tiền",
        "thời tiết hôm nay thế nào",
        "",
        "x" * 10_000,
        "mấy tuổi được chạy xe",
    ]
    done = legalbot(env, "ask", "--json", stdin="\n".join(questions) + "\n")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    for row in rows:
        assert set(row) == CONTRACT_KEYS
        assert row["status"] in ("answered", "suggest", "unanswered")
        for suggestion in row["suggestions"]:
            assert set(suggestion) == {"id", "question", "score"}
    first = rows[0]
    assert first["status"] == "answered" and first["kind"] == "faq"
    assert first["id"] == "t02-mu-bao-hiem" and 0 < first["score"] <= 100
    assert first["sources"] == [
        {
            "document": "Nghị định 168/2024/NĐ-CP",
            "number": "168/2024/NĐ-CP",
            "article": "7",
            "clause": "2",
        }
    ]
    assert rows[1]["status"] == "unanswered" and rows[1]["answer"] is None
    assert rows[2]["status"] == "unanswered" and rows[3]["status"] == "unanswered"


def test_ask_without_question_or_json_is_an_error(env: dict[str, str]) -> None:
    done = legalbot(env, "ask")
    assert done.returncode == 2
    assert "--json" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("UNEXPLAINED_SHARE", "2", "less than or equal to 1"),
        ("ANSWER_THRESHOLD", "abc", "valid number"),
    ],
)
@pytest.mark.parametrize("entry_point", ["bot.cli", "admin_cli.main"])
def test_an_invalid_setting_is_named_without_a_traceback(
    env: dict[str, str], entry_point: str, variable: str, value: str, problem: str
) -> None:
    program = f"from {entry_point} import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", program, "--help"],
        capture_output=True,
        text=True,
        env={**env, variable: value},
        timeout=120,
        check=False,
    )

    assert done.returncode == 2
    assert f"{variable}: " in done.stderr and problem in done.stderr
    assert "Traceback" not in done.stderr


def test_chat_session(env: dict[str, str]) -> None:
    done = legalbot(env, "chat", stdin="/chude\n1\n1\n/help\nmức phạt mũ bảo hiểm\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "trợ lý tự động" in out and "không thay thế tư vấn pháp lý" in out
    assert "1. " in out and "Gõ số để chọn." in out
    assert "Căn cứ:" in out
    assert msg.HELP.splitlines()[0] in out
    assert out.rstrip().endswith("Tạm biệt! Chúc bạn học tốt.")
