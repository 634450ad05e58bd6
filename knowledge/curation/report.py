"""The yearly report to the Department of Education and Training, per unit (school).

Period: 1 December of the year before through 30 November of the report year, in Vietnam's
time (see knowledge.curation.period), so it is ready before the 8 December deadline.

Per unit, counting the unit and every class and staff group under it:

- members: chats subscribed at the end of the period (people and class group chats), and
  how many of them joined during it;
- questions: questions asked in the period by people who are members (private chats), with
  the share the bot answered and the most asked topics;
- tips and announcements: copies delivered (sent) in the period to the unit's member chats.

A person in two units counts in both; the "all units" row counts everyone once. Questions
from people in no unit are reported on their own row.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import func, select

from knowledge.audiences import Audience, AudienceKind, AudienceMember
from knowledge.core import KnowledgeBase
from knowledge.curation.period import LOCAL, Period, report_year
from knowledge.db.models import QuestionLog
from knowledge.delivery.models import Broadcast, Delivery, Origin, State

TOP_TOPICS = 3
ALL_UNITS = "Toàn bộ các đơn vị"
NO_UNIT = "Người hỏi chưa thuộc đơn vị nào"

Chat = tuple[str, str]

HEADERS = [
    "Mã đơn vị",
    "Đơn vị",
    "Thành viên cuối kỳ",
    "Thành viên mới trong kỳ",
    "Câu hỏi",
    "Được trả lời",
    "Tỷ lệ trả lời (%)",
    "Mẹo pháp luật đã gửi",
    "Tin thông báo đã gửi",
    "Chủ đề được hỏi nhiều nhất",
]

NOTES = [
    "Kỳ báo cáo: từ 01/12 năm trước đến hết 30/11 năm báo cáo, theo giờ Việt Nam (UTC+7).",
    "Mỗi đơn vị tính cả các lớp và nhóm cán bộ trực thuộc.",
    "Thành viên: tài khoản cá nhân và nhóm lớp đang nhận tin vào cuối kỳ.",
    "Câu hỏi: câu hỏi pháp luật do thành viên gửi trong kỳ (không tính lời chào, tin rỗng).",
    "Được trả lời: bot đưa ra câu trả lời soạn sẵn hoặc trích dẫn điều luật.",
    "Mẹo pháp luật, tin thông báo: số tin đã gửi tới thành viên của đơn vị trong kỳ.",
    "Một người thuộc hai đơn vị được tính ở cả hai; dòng tổng tính mỗi người một lần.",
]


@dataclass
class UnitReport:
    """One row of the report."""

    code: str
    name: str
    members: int = 0
    new_members: int = 0
    questions: int = 0
    answered: int = 0
    tips: int = 0
    announcements: int = 0
    topics: Counter[str] = field(default_factory=Counter)

    @property
    def answered_share(self) -> float | None:
        """Answered / questions, None without questions."""
        return self.answered / self.questions if self.questions else None

    def top_topics(self, kb: KnowledgeBase) -> str:
        """``T01 Tuổi được lái xe… (12); T05 … (7)``."""
        return "; ".join(
            f"{code} {kb.topic_name(code)} ({n})"
            for code, n in self.topics.most_common(TOP_TOPICS)
        )

    def row(self, kb: KnowledgeBase) -> list[object]:
        """The values of HEADERS."""
        share = self.answered_share
        return [
            self.code,
            self.name,
            self.members,
            self.new_members,
            self.questions,
            self.answered,
            round(100 * share, 1) if share is not None else "",
            self.tips,
            self.announcements,
            self.top_topics(kb),
        ]


@dataclass
class YearReport:
    """The report of one year."""

    year: int
    period: Period
    generated_at: datetime
    units: list[UnitReport]
    total: UnitReport
    no_unit: UnitReport

    def rows(self) -> list[UnitReport]:
        """Units, then the row of askers in no unit, then the total."""
        return [*self.units, self.no_unit, self.total]


def _unit_of(audiences: dict[int, Audience]) -> dict[int, list[int]]:
    """For each audience, the units it counts for: itself if a unit, and every unit above."""
    result: dict[int, list[int]] = {}
    for audience_id in audiences:
        units, seen = [], set()
        current: int | None = audience_id
        while current is not None and current in audiences and current not in seen:
            seen.add(current)
            if audiences[current].kind == AudienceKind.UNIT:
                units.append(current)
            current = audiences[current].parent_id
        result[audience_id] = units
    return result


async def build_report(kb: KnowledgeBase, year: int, now: datetime | None = None) -> YearReport:
    """Count everything of ``year``'s period from the database."""
    period = report_year(year)
    await kb.activity.flush()
    async with kb.sessions() as session:
        audiences = {a.id: a for a in (await session.scalars(select(Audience))).all()}
        members = (
            await session.execute(
                select(
                    AudienceMember.audience_id,
                    AudienceMember.channel,
                    AudienceMember.chat_id,
                    AudienceMember.user_id,
                    AudienceMember.active,
                    AudienceMember.joined_at,
                ).where(AudienceMember.joined_at < period.end)
            )
        ).all()
        questions = (
            await session.execute(
                select(
                    QuestionLog.channel,
                    QuestionLog.user_id,
                    QuestionLog.status,
                    QuestionLog.topic,
                    func.count(),
                )
                .where(QuestionLog.asked_at >= period.start, QuestionLog.asked_at < period.end)
                .group_by(
                    QuestionLog.channel, QuestionLog.user_id, QuestionLog.status, QuestionLog.topic
                )
            )
        ).all()
        deliveries = (
            await session.execute(
                select(
                    Delivery.channel,
                    Delivery.chat_id,
                    Broadcast.tip_id.is_not(None),
                    func.count(),
                )
                .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
                .where(
                    Delivery.state == State.SENT,
                    Delivery.finished_at >= period.start,
                    Delivery.finished_at < period.end,
                    Broadcast.origin.in_([Origin.CHAT, Origin.CLI, Origin.SCHEDULE]),
                )
                .group_by(Delivery.channel, Delivery.chat_id, Broadcast.tip_id.is_not(None))
            )
        ).all()

    units_of = _unit_of(audiences)
    reports = {
        a.id: UnitReport(a.code, a.name)
        for a in sorted(audiences.values(), key=lambda a: a.name)
        if a.kind == AudienceKind.UNIT
    }
    total = UnitReport("", ALL_UNITS)
    no_unit = UnitReport("", NO_UNIT)

    # Which units each chat and each person belongs to.
    chat_units: dict[Chat, set[int]] = defaultdict(set)
    person_units: dict[Chat, set[int]] = defaultdict(set)
    counted_members: dict[int, set[Chat]] = defaultdict(set)
    counted_new: dict[int, set[Chat]] = defaultdict(set)
    for audience_id, channel, chat_id, user_id, active, joined_at in members:
        units = units_of.get(audience_id, [])
        chat = (channel, chat_id)
        chat_units[chat].update(units)
        if user_id:
            person_units[(channel, user_id)].update(units)
        joined_in_period = _utc(joined_at) >= period.start
        for unit in [*units, 0] if units else []:
            if active:
                counted_members[unit].add(chat)
            if joined_in_period:
                counted_new[unit].add(chat)

    for unit_id, report in reports.items():
        report.members = len(counted_members[unit_id])
        report.new_members = len(counted_new[unit_id])
    total.members, total.new_members = len(counted_members[0]), len(counted_new[0])

    for channel, user_id, status, topic, count in questions:
        asker_units = person_units.get((channel, user_id or ""), set())
        rows = [reports[u] for u in asker_units if u in reports] or [no_unit]
        for report in [*rows, total]:
            report.questions += count
            report.answered += count if status == "answered" else 0
            if topic:
                report.topics[topic] += count

    for channel, chat_id, is_tip, count in deliveries:
        chat_in = chat_units.get((channel, chat_id), set())
        for report in [reports[u] for u in chat_in if u in reports] + ([total] if chat_in else []):
            if is_tip:
                report.tips += count
            else:
                report.announcements += count

    return YearReport(
        year, period, now or datetime.now(UTC), list(reports.values()), total, no_unit
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _title(report: YearReport) -> str:
    return f"Báo cáo hoạt động trợ lý pháp luật học đường năm {report.year}"


def report_csv(report: YearReport, kb: KnowledgeBase) -> bytes:
    """The report as CSV (UTF-8 with a BOM, for Excel): one header row, one row per unit."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in report.rows():
        writer.writerow(row.row(kb))
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report: YearReport, kb: KnowledgeBase) -> bytes:
    """The report as a workbook: the table with a title, and a sheet of definitions."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Báo cáo"
    sheet.append([_title(report)])
    sheet["A1"].font = Font(bold=True, size=14)
    generated = report.generated_at.astimezone(LOCAL)
    sheet.append([f"Kỳ báo cáo: {report.period.label()} · lập lúc {generated:%H:%M %d/%m/%Y}"])
    sheet.append([])
    sheet.append(HEADERS)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in report.rows():
        sheet.append(row.row(kb))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    widths = [12, 36, 12, 12, 10, 12, 12, 12, 12, 70]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=4, column=i).column_letter].width = width
    sheet.freeze_panes = "C5"

    notes = workbook.create_sheet("Ghi chú")
    for note in NOTES:
        notes.append([note])
    notes.column_dimensions["A"].width = 100

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
