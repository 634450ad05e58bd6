"""Statistics for the legal officer, counted in Vietnam's days and weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from knowledge.activity import Asker
from knowledge.core import KnowledgeBase
from knowledge.curation.period import days, local_midnight, report_year, this_week, today
from knowledge.curation.stats import statistics
from knowledge.db.models import Feedback, QuestionLog, Unanswered
from knowledge.normalize import normalize

# Wednesday 2 December 2026, 10:00 in Vietnam (03:00 UTC).
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def vn(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A moment given in Vietnam's time, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_periods_follow_vietnams_calendar() -> None:
    assert today(NOW).start == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert this_week(NOW).first_day == date(2026, 11, 30)  # Monday
    year = report_year(2026)
    assert (year.first_day, year.last_day) == (date(2025, 12, 1), date(2026, 11, 30))
    assert year.start == datetime(2025, 11, 30, 17, 0, tzinfo=UTC)
    assert year.end == local_midnight(date(2026, 12, 1))
    assert year.label() == "01/12/2025 – 30/11/2026"
    assert days(date(2026, 1, 1), date(2026, 1, 1)).end - days(
        date(2026, 1, 1), date(2026, 1, 1)
    ).start == timedelta(days=1)


async def test_counts_top_questions_queue_and_dislikes(kb: KnowledgeBase) -> None:
    logged = [
        (vn(2, 0, 30), "answered", "t02-mu-bao-hiem"),  # today in Vietnam, yesterday in UTC
        (vn(2, 9), "answered", "t02-mu-bao-hiem"),
        (vn(2, 9, 30), "unanswered", None),
        (vn(1, 23, 30), "answered", "t01-tuoi-xe-gan-may"),  # yesterday, this week
        (vn(30, 8, month=11), "suggest", None),  # Monday: this week
        (vn(29, 23, month=11), "answered", "t02-mu-bao-hiem"),  # Sunday: last week
        (vn(1, 8, month=10), "answered", "t15-dien-thoai-trong-lop"),  # beyond 30 days
    ]
    async with kb.sessions.begin() as session:
        for at, status, entry_id in logged:
            session.add(
                QuestionLog(asked_at=at, channel="telegram", status=status, entry_id=entry_id)
            )
    for question, chat in (("Nuôi chó ở chung cư?", "1"), ("nuoi cho o chung cu", "2")):
        asker = Asker("telegram", chat, chat)
        await kb.activity.log_unanswered(asker, question, normalize(question), "no-match")
    # A 👎 on t02 after its last change counts; one on t01 before a later change does not.
    async with kb.sessions.begin() as session:
        session.add(
            Feedback(entry_id="t01-tuoi-xe-gan-may", question="old", vote=-1, channel="telegram")
        )
    entry = await kb.faq.get("t01-tuoi-xe-gan-may")
    assert entry is not None
    await kb.faq.save(entry.model_copy(update={"audience": "everyone"}), "cli:lan")
    for question in ("mũ bảo hiểm phạt bao nhiêu", "mũ bảo hiểm phạt bao nhiêu", "nón bh"):
        await kb.activity.add_feedback(
            Asker("telegram", "5", "5"), "t02-mu-bao-hiem", question, -1
        )
    await kb.activity.add_feedback(Asker("telegram", "5", "5"), "t02-mu-bao-hiem", "ok", 1)
    await kb.activity.add_feedback(Asker("telegram", "6", "6"), None, "điều luật", -1)

    stats = await statistics(kb, NOW)
    assert (stats.today.asked, stats.today.answered, stats.today.unanswered) == (3, 2, 1)
    assert stats.today.answered_share == 2 / 3
    assert (stats.week.asked, stats.week.answered, stats.week.suggested) == (5, 3, 1)
    assert [(q.entry_id, q.count) for q in stats.top_questions] == [
        ("t02-mu-bao-hiem", 3),
        ("t01-tuoi-xe-gan-may", 1),
    ]
    assert stats.top_questions[0].question.startswith("Không đội mũ bảo hiểm")
    assert (stats.open_groups, stats.open_rows) == (1, 2)
    assert [(o.question, o.count) for o in stats.top_unanswered] == [("Nuôi chó ở chung cư?", 2)]
    assert [(d.entry_id, d.down, d.examples) for d in stats.downvoted] == [
        ("t02-mu-bao-hiem", 3, ["nón bh", "mũ bảo hiểm phạt bao nhiêu"]),  # newest first
        (None, 1, ["điều luật"]),
    ]

    data = stats.to_json()
    assert data["today"]["answered_share"] == 2 / 3
    assert data["generated_at"] == "2026-12-02T10:00:00+07:00"
    assert data["top_unanswered"][0]["count"] == 2


async def test_an_empty_database_has_no_share(kb: KnowledgeBase) -> None:
    stats = await statistics(kb, NOW)
    assert stats.today.asked == 0 and stats.today.answered_share is None
    assert stats.to_json()["week"]["answered_share"] is None
    assert stats.top_questions == stats.downvoted == []
    async with kb.sessions() as session:
        assert await session.get(Unanswered, 1) is None
