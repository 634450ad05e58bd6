"""The yearly report per unit, on a seeded database: members, questions, answered share,
tips and announcements delivered, top topics, and the December-to-November period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from knowledge.audiences import Audience, AudienceMember
from knowledge.core import KnowledgeBase
from knowledge.curation.report import (
    ALL_UNITS,
    HEADERS,
    NO_UNIT,
    build_report,
    report_csv,
    report_xlsx,
)
from knowledge.db.models import QuestionLog
from knowledge.delivery.models import Broadcast, Delivery


def vn(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in Vietnam's time, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


IN_PERIOD = vn(2026, 3, 10)
BEFORE = vn(2025, 11, 30, 23, 50)  # last minutes of the 2025 period
FIRST_MINUTE = vn(2025, 12, 1, 0, 5)
LAST_MINUTE = vn(2026, 11, 30, 23, 50)
AFTER = vn(2026, 12, 1, 0, 5)  # belongs to the 2027 report


async def seed(kb: KnowledgeBase) -> None:
    """Two schools; school A has a class (with a group chat) and a staff group."""
    async with kb.sessions.begin() as session:
        school_a = Audience(code="UNITAAAA", kind="unit", name="THPT Chu Văn An", created_by="t")
        school_b = Audience(code="UNITBBBB", kind="unit", name="THCS Lê Lợi", created_by="t")
        session.add_all([school_a, school_b])
        await session.flush()
        class_a = Audience(
            code="CLASS10A", kind="class", name="10A1", parent_id=school_a.id, created_by="t"
        )
        staff_a = Audience(
            code="STAFFAAA", kind="staff", name="Giáo viên", parent_id=school_a.id, created_by="t"
        )
        session.add_all([class_a, staff_a])
        await session.flush()

        def member(audience: Audience, chat: str, **extra: object) -> AudienceMember:
            values: dict[str, object] = {
                "channel": "telegram",
                "chat_id": chat,
                "user_id": chat,
                "joined_at": IN_PERIOD,
            }
            return AudienceMember(audience_id=audience.id, **(values | extra))

        session.add_all(
            [
                member(class_a, "101", joined_at=BEFORE),  # a member since last year
                member(class_a, "102"),
                member(class_a, "-500", user_id=None, chat_kind="group"),  # the class group
                member(staff_a, "201"),
                member(class_a, "103", active=False),  # left during the year
                member(school_b, "301"),
                member(school_b, "102"),  # in both schools
                member(school_b, "302", joined_at=AFTER),  # joined after the period
            ]
        )
        questions = [
            ("101", FIRST_MINUTE, "answered", "T01"),
            ("101", IN_PERIOD, "answered", "T01"),
            ("101", IN_PERIOD, "unanswered", None),
            ("102", LAST_MINUTE, "answered", "T05"),
            ("201", IN_PERIOD, "suggest", None),
            ("301", IN_PERIOD, "answered", "T05"),
            ("999", IN_PERIOD, "answered", "T02"),  # in no unit
            ("101", BEFORE, "answered", "T01"),
            ("101", AFTER, "answered", "T01"),
        ]
        session.add_all(
            QuestionLog(asked_at=at, channel="telegram", user_id=u, status=s, topic=t)
            for u, at, s, t in questions
        )
        tip = Broadcast(
            target="aud:1", target_label="x", text="tip", tip_id="tip-1", origin="schedule"
        )
        news = Broadcast(target="all", target_label="x", text="news", origin="chat")
        answer = Broadcast(target="chat:x", target_label="x", text="answer", origin="notify")
        session.add_all([tip, news, answer])
        await session.flush()
        deliveries = [
            (tip, "101", "sent", IN_PERIOD),
            (tip, "-500", "sent", IN_PERIOD),
            (tip, "301", "sent", IN_PERIOD),
            (tip, "102", "failed", IN_PERIOD),
            (tip, "201", "sent", AFTER),
            (news, "101", "sent", IN_PERIOD),
            (news, "102", "sent", IN_PERIOD),
            (news, "999", "sent", IN_PERIOD),
            (answer, "101", "sent", IN_PERIOD),  # a direct answer is not an announcement
        ]
        session.add_all(
            Delivery(broadcast_id=b.id, channel="telegram", chat_id=c, state=s, finished_at=at)
            for b, c, s, at in deliveries
        )


async def test_the_report_counts_each_unit_over_its_period(kb: KnowledgeBase) -> None:
    await seed(kb)
    report = await build_report(kb, 2026, now=vn(2026, 12, 2))
    assert report.period.label() == "01/12/2025 – 30/11/2026"
    rows = {r.name: r for r in report.rows()}
    assert list(rows) == ["THCS Lê Lợi", "THPT Chu Văn An", NO_UNIT, ALL_UNITS]

    school_a, school_b = rows["THPT Chu Văn An"], rows["THCS Lê Lợi"]
    assert (school_a.code, school_a.members, school_a.new_members) == ("UNITAAAA", 4, 4)
    assert (school_a.questions, school_a.answered) == (5, 3)
    assert school_a.topics.most_common() == [("T01", 2), ("T05", 1)]
    assert (school_a.tips, school_a.announcements) == (2, 2)

    assert (school_b.members, school_b.new_members) == (2, 2)
    assert (school_b.questions, school_b.answered, school_b.answered_share) == (2, 2, 1.0)
    assert (school_b.tips, school_b.announcements) == (1, 1)

    assert (rows[NO_UNIT].questions, rows[NO_UNIT].answered) == (1, 1)
    total = rows[ALL_UNITS]
    assert (total.members, total.questions, total.answered) == (5, 7, 5)
    assert (total.tips, total.announcements) == (3, 2)

    table = list(csv.reader(io.StringIO(report_csv(report, kb).decode("utf-8-sig"))))
    assert table[0] == HEADERS
    assert table[2][:9] == ["UNITAAAA", "THPT Chu Văn An", "4", "4", "5", "3", "60.0", "2", "2"]
    assert table[2][9].startswith("T01 Tuổi được lái xe máy")

    workbook = load_workbook(io.BytesIO(report_xlsx(report, kb)))
    sheet = workbook["Báo cáo"]
    assert sheet["A1"].value == "Báo cáo hoạt động trợ lý pháp luật học đường năm 2026"
    assert "01/12/2025 – 30/11/2026" in str(sheet["A2"].value)
    assert [c.value for c in sheet[4]] == HEADERS
    assert [c.value for c in sheet[6]][:7] == ["UNITAAAA", "THPT Chu Văn An", 4, 4, 5, 3, 60.0]
    assert sheet.cell(row=sheet.max_row, column=2).value == ALL_UNITS
    assert "Kỳ báo cáo" in str(workbook["Ghi chú"]["A1"].value)


async def test_the_next_year_starts_on_the_first_of_december(kb: KnowledgeBase) -> None:
    await seed(kb)
    report = await build_report(kb, 2027)
    total = report.rows()[-1]
    assert (total.questions, total.tips) == (1, 1)  # the question and tip of 1 December
    empty = await build_report(kb, 2024)
    assert [r.questions for r in empty.rows()] == [0, 0, 0, 0]
    assert empty.rows()[-1].answered_share is None
