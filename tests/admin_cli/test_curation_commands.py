"""``users``, ``unanswered``, ``stats``, ``report`` and ``docs status`` as an officer runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.db.models import Unanswered
from knowledge.dialog import Conversation, Dialog
from knowledge.documents.store import DocumentStore
from knowledge.users import Role, Roles
from tests.admin_cli.conftest import Cli
from tests.knowledge.test_curation_flagging import DECREE_DOCUMENT

DOG = "Nuôi chó trong chung cư có cần đăng ký không?"
BIKE = "Đi xe đạp điện có cần bằng lái không?"


def test_the_first_admin_is_granted_and_roles_are_listed(cli: Cli) -> None:
    none_yet = cli("users", "list")
    assert "No admin yet" in none_yet.stdout
    done = cli("users", "grant", "--telegram-id", "4201", "--role", "admin", "--note", "Cô Lan")
    assert done.exit_code == 0 and "telegram:4201 is now admin." in done.stdout
    assert (
        cli("users", "grant", "--channel", "zalo", "--id", "z-77", "--role", "teacher").exit_code
        == 0
    )

    listed = json.loads(cli("users", "list", "--json").stdout)
    assert [(u["channel"], u["id"], u["role"], u["note"]) for u in listed] == [
        ("telegram", "4201", "admin", "Cô Lan"),
        ("zalo", "z-77", "teacher", ""),
    ]
    assert listed[0]["granted_by"].startswith("cli:")

    last = cli("users", "revoke", "--telegram-id", "4201")
    assert last.exit_code == 1 and "only admin" in last.stderr
    assert (
        "no longer teacher" in cli("users", "revoke", "--channel", "zalo", "--id", "z-77").stdout
    )
    assert cli("users", "revoke", "--channel", "zalo", "--id", "z-77").exit_code == 1

    async def role(kb: KnowledgeBase) -> Role:
        return await Roles(kb.sessions).role_of("telegram", "4201")

    assert cli.db(role) is Role.ADMIN


def test_bad_user_options_are_refused(cli: Cli) -> None:
    assert cli("users", "grant", "--role", "admin").exit_code == 2
    assert cli("users", "grant", "--telegram-id", "-5", "--role", "admin").exit_code == 2
    assert cli("users", "grant", "--telegram-id", "5", "--role", "king").exit_code == 2
    both = cli("users", "grant", "--telegram-id", "5", "--channel", "zalo", "--role", "staff")
    assert both.exit_code == 2
    odd = cli("users", "grant", "--channel", "za lo!", "--id", "1", "--role", "staff")
    assert odd.exit_code == 2


def ask(cli: Cli, *questions: tuple[str, str]) -> None:
    async def _ask(kb: KnowledgeBase) -> None:
        for question, chat in questions:
            await Dialog(kb).ask(Conversation(Asker("telegram", chat, chat)), question)

    cli.db(_ask)


def test_the_queue_is_listed_grouped_and_answered_from_the_command_line(cli: Cli) -> None:
    ask(cli, (DOG, "1"), ("nuoi cho trong chung cu co can dang ky ko", "2"), (BIKE, "3"))
    listed = json.loads(cli("unanswered", "list", "--json").stdout)
    assert [(q["question"], q["count"], q["askers"]) for q in listed] == [
        (DOG, 2, 2),
        (BIKE, 1, 1),
    ]
    assert "2 open question(s), 3 askings." in cli("unanswered", "list").stdout

    bike = listed[1]["id"]
    done = cli("unanswered", "answer", str(bike), "--entry", "t01-tuoi-xe-gan-may")
    assert done.exit_code == 0, done.output
    assert "Answered 1 asking(s) with t01-tuoi-xe-gan-may." in done.stdout
    assert "added as a phrasing" in done.stdout
    assert "1 asker(s) will get the answer when the bot's delivery runs" in done.stdout

    dog = listed[0]["id"]
    assert "Dismissed 2 asking(s)." in cli("unanswered", "dismiss", str(dog)).stdout
    assert json.loads(cli("unanswered", "list", "--json").stdout) == []
    again = cli("unanswered", "answer", str(dog), "--entry", "t01-tuoi-xe-gan-may")
    assert again.exit_code == 1 and f"no open question {dog}" in again.stderr
    assert cli("unanswered", "answer", str(dog)).exit_code == 2

    async def statuses(kb: KnowledgeBase) -> list[tuple[str, str | None]]:
        async with kb.sessions() as session:
            rows = await session.scalars(select(Unanswered))
            return [(r.status, r.answered_by) for r in rows]

    assert {s for s, _ in cli.db(statuses)} == {"answered", "dismissed"}


def test_a_new_entry_is_written_for_a_queued_question(cli: Cli) -> None:
    ask(cli, (DOG, "1"))
    (group,) = json.loads(cli("unanswered", "list", "--json").stdout)
    typed = "\n".join(
        [
            "1",  # use the question as it was asked
            "nuôi chó chung cư",
            "nuoi cho chung cu",
            "chó nuôi có phải khai báo không",
            "",
            "1",
            "Có, chó nuôi phải được khai báo với chính quyền cấp xã.",
            "Căn cứ: Nghị định 90/2026/NĐ-CP, Điều 3.",
            "",
            "T17",
            "",
            "1",  # Học sinh
            "1",  # Lưu
        ]
    )
    done = cli("unanswered", "answer", str(group["id"]), "--new", input=typed + "\n")
    assert done.exit_code == 0, done.output
    assert "Answered 1 asking(s) with t17-nuoi-cho-trong-chung-cu-co-can." in done.stdout
    assert json.loads(cli("unanswered", "list", "--json").stdout) == []


def test_stats_as_json_for_scripts(cli: Cli) -> None:
    ask(cli, ("Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?", "1"), (DOG, "2"))
    data = json.loads(cli("stats", "--json").stdout)
    assert (data["today"]["asked"], data["today"]["answered"]) == (2, 1)
    assert data["today"]["answered_share"] == 0.5
    assert data["top_questions"][0]["entry_id"] == "t02-mu-bao-hiem"
    assert data["top_unanswered"][0]["question"] == DOG
    table = cli("stats")
    assert table.exit_code == 0 and "Top unanswered" in table.stdout


def test_the_yearly_report_is_written_as_xlsx_and_csv(cli: Cli, tmp_path: Path) -> None:
    ask(cli, (DOG, "1"))
    year = datetime.now(UTC).year + (1 if datetime.now(UTC).month == 12 else 0)
    done = cli("report", "--year", str(year), "--output-dir", str(tmp_path))
    assert done.exit_code == 0, done.output
    workbook = load_workbook(tmp_path / f"bao-cao-{year}.xlsx")
    assert workbook["Báo cáo"]["A1"].value.endswith(str(year))
    csv_text = (tmp_path / f"bao-cao-{year}.csv").read_text("utf-8-sig")
    assert csv_text.splitlines()[-1].startswith(",Toàn bộ các đơn vị,")
    assert not list(tmp_path.glob("*.tmp"))

    future = cli("report", "--year", str(year + 2), "--output-dir", str(tmp_path))
    assert future.exit_code == 2 and "has not started yet" in future.stderr
    nowhere = cli("report", "--year", str(year), "--output-dir", str(tmp_path / "missing"))
    assert nowhere.exit_code == 2


def test_a_replaced_law_flags_what_cites_it(cli: Cli) -> None:
    async def add(kb: KnowledgeBase) -> None:
        await DocumentStore(kb.sessions).add([DECREE_DOCUMENT], "test")

    cli.db(add)
    done = cli("docs", "status", "168/2024/NĐ-CP", "--replaced-by", "Nghị định 999/2027/NĐ-CP")
    assert done.exit_code == 0, done.output
    assert "Status of 168/2024/NĐ-CP is now replaced." in done.stdout
    assert "t02-mu-bao-hiem" in done.stdout and "1 FAQ entries and 0 tips flagged" in done.stdout
    listed = [
        json.loads(x) for x in cli("faq", "list", "--needs-check", "--json").stdout.splitlines()
    ]
    assert "t02-mu-bao-hiem" in [e["id"] for e in listed]

    neither = cli("docs", "status", "168/2024/NĐ-CP")
    assert neither.exit_code == 2 and "--amended-by" in neither.stderr
    both = cli("docs", "status", "168/2024/NĐ-CP", "--expired", "--amended-by", "x")
    assert both.exit_code == 2
    unknown = cli("docs", "status", "1/2000/QH10", "--expired")
    assert unknown.exit_code == 1 and "no document numbered" in unknown.stderr
