"""Days, weeks and report years in Vietnam's time (Asia/Ho_Chi_Minh), as UTC bounds.

The yearly report covers 1 December of the previous year through 30 November of the report
year: schools report to the Department of Education and Training before 8 December, so the
period closes a week before the deadline and every December belongs to the next report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIMEZONE_NAME = "Asia/Ho_Chi_Minh"


def local_zone() -> tzinfo:
    """Vietnam's time zone; a fixed UTC+7 where the system has no tz database (Vietnam has
    kept UTC+7 without daylight saving since 1975)."""
    try:
        return ZoneInfo(TIMEZONE_NAME)
    except ZoneInfoNotFoundError:  # pragma: no cover - depends on the system's tzdata
        return timezone(timedelta(hours=7), "ICT")


LOCAL = local_zone()


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end) in UTC, with the local days it covers."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date

    def label(self) -> str:
        """``01/12/2025 – 30/11/2026``."""
        return f"{self.first_day:%d/%m/%Y} – {self.last_day:%d/%m/%Y}"


def local_midnight(day: date) -> datetime:
    """The UTC instant at which ``day`` starts in Vietnam."""
    return datetime.combine(day, time.min, LOCAL).astimezone(UTC)


def days(first: date, last: date) -> Period:
    """The local days ``first`` through ``last``, inclusive."""
    return Period(local_midnight(first), local_midnight(last + timedelta(days=1)), first, last)


def today(now: datetime | None = None) -> Period:
    """The current local day."""
    day = (now or datetime.now(UTC)).astimezone(LOCAL).date()
    return days(day, day)


def this_week(now: datetime | None = None) -> Period:
    """Monday of the current local week through today."""
    day = (now or datetime.now(UTC)).astimezone(LOCAL).date()
    return days(day - timedelta(days=day.weekday()), day)


def last_days(count: int, now: datetime | None = None) -> Period:
    """The last ``count`` local days, today included."""
    day = (now or datetime.now(UTC)).astimezone(LOCAL).date()
    return days(day - timedelta(days=count - 1), day)


def report_year(year: int) -> Period:
    """The report period of ``year``: 1 December of ``year - 1`` through 30 November."""
    return days(date(year - 1, 12, 1), date(year, 11, 30))
