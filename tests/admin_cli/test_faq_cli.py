"""``legalbot-admin faq``: export, import (all or nothing), add, edit, retire, search."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from knowledge.content_schema import FaqEntryData
from knowledge.core import KnowledgeBase
from knowledge.db.models import AuditLog
from tests.admin_cli.conftest import Cli
from tests.conftest import SAMPLE_ENTRIES
from tests.knowledge.curation_support import audit_rows, windows_1258


def entries(cli: Cli) -> list[FaqEntryData]:
    async def _all(kb: KnowledgeBase) -> list[FaqEntryData]:
        return await kb.faq.all()

    return cli.db(_all)


def audits(cli: Cli, action: str | None = None) -> list[AuditLog]:
    return cli.db(lambda kb: audit_rows(kb, action))


def test_jsonl_export_keeps_its_contract(cli: Cli) -> None:
    done = cli("faq", "export", "--format", "jsonl")
    assert done.exit_code == 0
    lines = done.stdout.splitlines()
    first = json.loads(lines[0])
    assert list(first) == [
        "id",
        "questions",
        "answer",
        "topic",
        "audience",
        "sources",
        "status",
        "review",
    ]
    sample = SAMPLE_ENTRIES[0]
    assert first["id"] == sample["id"] and first["questions"] == sample["questions"]
    assert first["sources"] == [
        {
            "document": "Luật Trật tự, an toàn giao thông đường bộ",
            "number": "36/2024/QH15",
            "article": "59",
            "clause": None,
        }
    ]
    assert '"Bao nhiêu tuổi' in lines[0]  # not \\u-escaped
    assert [json.loads(line)["id"] for line in lines] == sorted(
        str(e["id"]) for e in SAMPLE_ENTRIES
    )


def test_exports_import_back_without_changes(cli: Cli, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "yaml"):
        path = tmp_path / f"faq.{fmt}"
        assert cli("faq", "export", "--format", fmt, "--output", str(path)).exit_code == 0
        done = cli("faq", "import", str(path))
        assert done.exit_code == 0, done.output
        assert "0 new, 0 changed, 3 unchanged entries" in done.stdout
    assert cli("faq", "export", "--format", "xlsx").exit_code == 2


def test_a_bad_file_reports_every_problem_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    cli("faq", "export", "--format", "csv", "--output", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    rows[1][4] = "Đổi câu trả lời.\n\nCăn cứ: Luật Trật tự, an toàn giao thông đường bộ."
    rows[2][5] = "Nghị định | 999/2030/NĐ-CP"
    rows[3][0] = rows[2][0]
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    path.write_bytes(windows_1258(out.getvalue()))
    before = entries(cli)
    audit_count = len(audits(cli))

    for args in (("faq", "import", str(path)), ("faq", "import", str(path), "--dry-run")):
        done = cli(*args)
        assert done.exit_code == 1
        assert "2 problem(s) in" in done.stderr and "nothing was imported" in done.stderr
        assert "row 3 (t02-mu-bao-hiem)" in done.stderr and "sources.0.number" in done.stderr
        assert "unknown document '999/2030/NĐ-CP'" in done.stderr
        assert "duplicate id (first used at row 3)" in done.stderr
    assert entries(cli) == before
    assert len(audits(cli)) == audit_count


def test_import_shows_changes_dry_runs_then_writes_with_an_audit(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    cli("faq", "export", "--format", "yaml", "--output", str(path))
    text = path.read_text("utf-8").replace("audience: students", "audience: everyone", 1)
    path.write_text(text.replace("id: t15-dien-thoai-trong-lop", "id: t15-moi"), "utf-8")

    done = cli("faq", "import", str(path), "--dry-run")
    assert done.exit_code == 0
    assert "1 new, 1 changed, 1 unchanged entries; nothing was written" in done.stdout
    assert "t15-moi" in done.stdout and "audience" in done.stdout
    assert len(entries(cli)) == 3

    done = cli("faq", "import", str(path), "--actor", "lan")
    assert done.exit_code == 0, done.output
    assert len(entries(cli)) == 4
    changes = [(a.action, a.target) for a in audits(cli) if a.actor == "cli:lan"]
    assert changes == [("faq.create", "t15-moi"), ("faq.update", "t01-tuoi-xe-gan-may")]


def test_unreadable_inputs_name_the_file(cli: Cli, tmp_path: Path) -> None:
    missing = cli("faq", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "cannot read the file" in missing.stderr
    (tmp_path / "x.yaml").write_text("entries:\n  - id: [\n", "utf-8")
    broken = cli("faq", "import", str(tmp_path / "x.yaml"))
    assert broken.exit_code == 1 and "invalid YAML" in broken.stderr


def test_an_entry_is_added_from_options_and_audited(cli: Cli) -> None:
    done = cli(
        "faq",
        "add",
        "-q",
        "Nuôi chó trong chung cư có cần đăng ký không?",
        "-q",
        "nuôi chó chung cư",
        "-q",
        "nuoi cho chung cu",
        "-q",
        "chó nuôi có phải khai báo không",
        "--answer",
        "Có, chó nuôi phải được khai báo với chính quyền cấp xã.",
        "--source",
        "Nghị định 90/2026/NĐ-CP, Điều 3",
        "--topic",
        "t17",
        "--audience",
        "everyone",
        "--actor",
        "lan",
    )
    assert done.exit_code == 0, done.output
    assert "Added t17-nuoi-cho-trong-chung-cu-co-can." in done.stdout
    assert "Căn cứ: Nghị định 90/2026/NĐ-CP" in done.stdout  # the preview
    (created,) = [a for a in audits(cli, "faq.create") if a.actor == "cli:lan"]
    assert created.after is not None and created.after["topic"] == "T17"


def test_an_invalid_addition_is_refused_and_nothing_is_saved(cli: Cli) -> None:
    done = cli(
        "faq",
        "add",
        "-q",
        "Một câu hỏi?",
        "--answer",
        "x" * 1600,
        "--source",
        "Nghị định 90/2026/NĐ-CP",
        "--topic",
        "T17",
        "--audience",
        "everyone",
    )
    assert done.exit_code == 1
    assert "questions: List should have at least 4 items" in done.stderr
    assert "answer: String should have at most 1500 characters" in done.stderr
    unknown = cli("faq", "add", "-q", "x", "--answer", "y", "--source", "Luật Ma số 1/2099/QH1")
    assert unknown.exit_code == 2 and "missing --topic, --audience" in unknown.stderr
    assert len(entries(cli)) == 3


def test_an_entry_is_added_step_by_step_in_the_terminal(cli: Cli) -> None:
    typed = "\n".join(
        [
            "Nuôi chó trong chung cư có cần đăng ký không?",
            "",
            "nuôi chó chung cư",
            "nuoi cho chung cu",
            "chó nuôi có phải khai báo không",
            "",
            "1",  # Xong
            "Có, chó nuôi phải được khai báo với chính quyền cấp xã.",
            "",
            "Nghị định 90/2026/NĐ-CP, Điều 3",
            "",
            "T17",
            "",
            "3",  # Mọi người
            "1",  # Lưu
        ]
    )
    done = cli("faq", "add", input=typed + "\n")
    assert done.exit_code == 0, done.output
    assert "Xem trước" in done.stdout and "Đã lưu câu hỏi mới" in done.stdout
    saved = {e.id: e for e in entries(cli)}["t17-nuoi-cho-trong-chung-cu-co-can"]
    assert saved.audience == "everyone" and len(saved.questions) == 4


def test_edit_disable_enable_and_search(cli: Cli) -> None:
    done = cli(
        "faq",
        "edit",
        "t02-mu-bao-hiem",
        "--add-question",
        "không đội nón bảo hiểm phạt mấy trăm",
        "--answer",
        "Bị phạt từ 400.000 đến 600.000 đồng.",
        "--actor",
        "lan",
    )
    assert done.exit_code == 0, done.output
    edited = {e.id: e for e in entries(cli)}["t02-mu-bao-hiem"]
    assert edited.questions[-1] == "không đội nón bảo hiểm phạt mấy trăm"
    basis = "Căn cứ: Nghị định 168/2024/NĐ-CP, Điều 7, khoản 2."
    assert edited.answer == f"Bị phạt từ 400.000 đến 600.000 đồng.\n\n{basis}"
    assert cli("faq", "edit", "t02-mu-bao-hiem", "--answer", edited.answer).stdout.startswith(
        "Nothing changed"
    )
    assert cli("faq", "edit", "nope", "--topic", "T01").exit_code == 1

    assert cli("faq", "disable", "t02-mu-bao-hiem").stdout.strip() == (
        "t02-mu-bao-hiem is now disabled."
    )
    assert "already disabled" in cli("faq", "disable", "t02-mu-bao-hiem").stdout
    found = cli("faq", "search", "mũ bảo hiểm", "--json").stdout.splitlines()
    assert [json.loads(line)["status"] for line in found] == ["disabled"]
    assert cli("faq", "enable", "t02-mu-bao-hiem").exit_code == 0
    assert cli("faq", "disable", "nope").exit_code == 1
    actions = [a.action for a in audits(cli) if a.target == "t02-mu-bao-hiem"]
    assert actions[-3:] == ["faq.update", "faq.disabled", "faq.active"]

    flagged = cli("faq", "edit", "t01-tuoi-xe-gan-may", "--review", "needs-check", "--note", "x")
    assert flagged.exit_code == 0
    listed = cli("faq", "list", "--needs-check", "--json").stdout.splitlines()
    assert sorted(json.loads(line)["id"] for line in listed) == [
        "t01-tuoi-xe-gan-may",
        "t15-dien-thoai-trong-lop",
    ]
