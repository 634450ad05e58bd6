"""Schedules as teachers type them, next runs in Vietnam's time, and quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.schedules import LOCAL, QuietHours, ScheduleError, parse_cron, parse_schedule

# Thursday 3 December 2026, 10:00 in Hà Nội.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=LOCAL).astimezone(UTC)


def local(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(LOCAL)


@pytest.mark.parametrize(
    "spec",
    ["thứ 2 07:00", "Thứ Hai 7:00", "thu 2 7h", "T2 07h00", "every monday 07:00", "0 7 * * 1"],
)
def test_monday_morning_in_any_spelling(spec: str) -> None:
    following = local(parse_schedule(spec, NOW).next_after(NOW))
    assert (following.weekday(), following.hour, following.minute) == (0, 7, 0)
    assert following.date().isoformat() == "2026-12-07"


def test_next_run_is_vietnam_time_stored_as_utc() -> None:
    following = parse_schedule("thứ 2 07:00", NOW).next_after(NOW)
    assert following == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def test_several_weekdays_and_daily() -> None:
    twice = parse_schedule("thứ 2, thứ 5 06:45", NOW)
    first = local(twice.next_after(NOW))
    assert (first.weekday(), first.hour, first.minute) == (0, 6, 45)
    daily = parse_schedule("hằng ngày 16h30", NOW)
    assert local(daily.next_after(NOW)).date().isoformat() == "2026-12-03"
    assert local(parse_schedule("chủ nhật 19:00", NOW).next_after(NOW)).weekday() == 6


def test_one_off_in_the_future_runs_once() -> None:
    once = parse_schedule("07/12/2026 07:00", NOW)
    assert once.once == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert once.next_after(once.once) is None
    assert parse_schedule("2026-12-07 07:00", NOW).once == once.once


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("01/12/2026 07:00", "đã qua"),
        ("03/12/2026 09:59", "đã qua"),
        ("31/02/2027 07:00", "không có thật"),
        ("thứ 2 25:00", "không hợp lệ"),
        ("thứ 2 07:61", "không hợp lệ"),
        ("thứ 9 07:00", "chưa hiểu"),
        ("mỗi khi trời mưa", "chưa hiểu"),
        ("", "chưa hiểu"),
        ("0 7 31 2 *", "không bao giờ"),
        ("0 7 * * 9", "chưa hiểu"),
        ("thứ 2 07:00 " + "x" * 200, "dài quá"),
        ("<script>alert(1)</script> 07:00", "chưa hiểu"),
    ],
)
def test_bad_schedules_are_explained_in_vietnamese(spec: str, fragment: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(spec, NOW)
    assert fragment in str(caught.value)


def test_cron_steps_ranges_and_sunday_as_seven() -> None:
    cron = parse_cron("*/15 7-8 * * 1-5")
    assert cron.minutes == {0, 15, 30, 45} and cron.hours == {7, 8}
    assert cron.weekdays == {0, 1, 2, 3, 4}
    assert parse_cron("0 9 * * 7").weekdays == parse_cron("0 9 * * 0").weekdays == {6}


@settings(max_examples=60, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1)))
def test_next_run_is_the_first_matching_minute_after(moment: datetime) -> None:
    start = moment.replace(tzinfo=UTC)
    recurrence = parse_schedule("thứ 3,6 07:30", NOW)
    following = recurrence.next_after(start)
    assert following is not None and following > start
    found = local(following)
    assert found.weekday() in (1, 4) and (found.hour, found.minute) == (7, 30)
    assert following - start <= timedelta(days=4, minutes=1)


def test_quiet_hours_cross_midnight() -> None:
    quiet = QuietHours.parse("21:00-06:30")
    assert quiet is not None
    at = lambda h, m: datetime(2026, 12, 3, h, m, tzinfo=LOCAL)  # noqa: E731
    assert quiet.contains(at(21, 0)) and quiet.contains(at(23, 59)) and quiet.contains(at(3, 0))
    assert not quiet.contains(at(6, 30)) and not quiet.contains(at(20, 59))
    assert local(quiet.ends_after(at(22, 0))) == datetime(2026, 12, 4, 6, 30, tzinfo=LOCAL)
    assert local(quiet.ends_after(at(5, 0))) == datetime(2026, 12, 3, 6, 30, tzinfo=LOCAL)


def test_quiet_hours_within_a_day_and_off() -> None:
    lunch = QuietHours.parse("11:30-13:30")
    assert lunch is not None and lunch.start == time(11, 30)
    assert lunch.contains(datetime(2026, 12, 3, 12, 0, tzinfo=LOCAL))
    assert QuietHours.parse("") is None
    for bad in ("21:00", "25:00-06:00", "late-early", "07:00-07:00"):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)
