"""``legalbot-admin audience`` and ``broadcast`` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path, sample_data_dir: Path) -> dict[str, str]:
    return dict(os.environ) | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}",
        "DATA_DIR": str(sample_data_dir),
    }


def admin(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "admin_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_create_list_send_and_report(env: dict[str, str], tmp_path: Path) -> None:
    school = admin(env, "audience", "create", "--kind", "unit", "--name", "THPT Nguyễn Du")
    assert school.returncode == 0, school.stderr
    code = school.stdout.strip()
    qr = tmp_path / "lop.png"
    created = admin(
        env, "audience", "create", "--kind", "class", "--name", "10A1", "--parent", code,
        "--bot", "legal_bot", "--qr", str(qr),
    )  # fmt: skip
    class_code, link = created.stdout.split()
    assert link == f"https://t.me/legal_bot?start={class_code}"
    assert qr.read_bytes().startswith(b"\x89PNG")

    listed = json.loads(admin(env, "audience", "list", "--json").stdout)
    assert [(a["code"], a["kind"], a["parent"], a["members"]) for a in listed] == [
        (code, "unit", None, 0),
        (class_code, "class", code, 0),
    ]

    empty = admin(env, "broadcast", "send", "--audience", code, "--text", "Xin chào")
    assert empty.returncode == 1 and "chưa có ai đăng ký" in empty.stderr
    assert "Nothing was sent" in empty.stderr

    granted = admin(env, "users", "grant", "--role", "teacher", "--telegram-id", "4201")
    assert granted.returncode == 0, granted.stderr
    sent = admin(env, "broadcast", "send", "--audience", "role:teacher", "--text", "Họp tổ")
    assert sent.returncode == 0, sent.stderr
    report = json.loads(admin(env, "broadcast", "report", sent.stdout.strip(), "--json").stdout)
    assert {k: report[k] for k in ("id", "total", "sent", "failed", "blocked", "pending")} == {
        "id": int(sent.stdout),
        "total": 1,
        "sent": 0,
        "failed": 0,
        "blocked": 0,
        "pending": 1,
    }
    assert report["channels"] == {"telegram": {"pending": 1}}


def test_bad_input_is_refused(env: dict[str, str]) -> None:
    unknown = admin(env, "broadcast", "send", "--audience", "ZZZZ9999", "--text", "x")
    assert unknown.returncode == 1 and "Không tìm thấy" in unknown.stderr
    both = admin(env, "broadcast", "send", "--audience", "all", "--text", "x", "--tip", "t")
    assert both.returncode == 2 and "exactly one" in both.stderr
    long = admin(env, "broadcast", "send", "--audience", "all", "--text", "x" * 2001)
    assert long.returncode == 1
    missing = admin(env, "broadcast", "report", "99")
    assert missing.returncode == 1 and "no broadcast" in missing.stderr
    parent = admin(env, "audience", "create", "--kind", "class", "--name", "X", "--parent", "NOPE")
    assert parent.returncode == 1 and "không tồn tại" in parent.stderr
    blank = admin(env, "audience", "create", "--kind", "unit", "--name", "   ")
    assert blank.returncode == 1 and "trống" in blank.stderr


def test_tips_are_exported_from_the_database(env: dict[str, str], sample_data_dir: Path) -> None:
    tip = {
        "id": "tip-t01-01",
        "topic": "T01",
        "audience": "students",
        "text": "Chưa đủ 16 tuổi thì chưa được lái xe gắn máy.",
        "sources": [{"document": "Luật Trật tự, an toàn giao thông", "number": "36/2024/QH15"}],
    }
    (sample_data_dir / "tips" / "t.yaml").write_text(
        json.dumps({"tips": [tip]}, ensure_ascii=False), encoding="utf-8"
    )
    exported = admin(env, "tips", "export", "--from-db")
    assert exported.returncode == 0, exported.stderr
    [line] = exported.stdout.splitlines()
    assert json.loads(line)["text"] == tip["text"]
    sent = admin(env, "broadcast", "send", "--audience", "all", "--tip", "tip-nope")
    assert sent.returncode == 1 and "tip-nope" in sent.stderr
