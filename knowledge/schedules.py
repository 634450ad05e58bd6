"""When scheduled messages go out: a cron-like recurrence, one-off times and quiet hours.

Everything here is pure: it parses what a teacher types ("thứ 2 07:00", "hằng ngày 6h45",
"0 7 * * 1", "07/12/2026 07:00") into a :class:`Recurrence`, computes the next run in
Vietnam's time (Asia/Ho_Chi_Minh), and says whether a moment falls in the quiet hours during
which nothing is sent. Times are stored in UTC; they are shown and reasoned about locally.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIMEZONE_NAME = "Asia/Ho_Chi_Minh"
# How far ahead a recurrence is searched; a cron that matches nothing in this span
# ("31 February") is rejected as never running.
SEARCH_DAYS = 366 * 5
MAX_SPEC_CHARS = 100


def local_zone() -> tzinfo:
    """Vietnam's time zone; a fixed UTC+7 where the system has no tz database (no DST)."""
    try:
        return ZoneInfo(TIMEZONE_NAME)
    except ZoneInfoNotFoundError:  # pragma: no cover - depends on the system's tzdata
        return timezone(timedelta(hours=7), "ICT")


LOCAL = local_zone()


class ScheduleError(ValueError):
    """A schedule that cannot be used; the message is Vietnamese, for the person who typed it."""


WEEKDAY_NAMES = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]

BAD_FORMAT = (
    "Mình chưa hiểu lịch “{spec}”. Hãy viết như: “thứ 2 07:00” (hằng tuần), "
    "“thứ 2,5 06:45”, “hằng ngày 07:00”, “07/12/2026 07:00” (một lần) hoặc dạng cron "
    "“0 7 * * 1”."
)
BAD_TIME = "Giờ “{value}” không hợp lệ. Hãy viết giờ:phút từ 00:00 đến 23:59, ví dụ 07:00."
BAD_DATE = "Ngày “{value}” không có thật. Hãy viết ngày/tháng/năm, ví dụ 07/12/2026."
IN_PAST = "Thời điểm {when} đã qua. Hãy chọn một thời điểm trong tương lai."
NEVER_RUNS = "Lịch “{spec}” không bao giờ tới (ví dụ ngày 31 của tháng 2). Hãy kiểm tra lại."
TOO_LONG = "Lịch dài quá. Hãy viết ngắn gọn, ví dụ: “thứ 2 07:00”."


@dataclass(frozen=True)
class Cron:
    """A five-field cron expression in local time: minute, hour, day, month, weekday.

    Weekdays use Python's numbering (Monday 0 … Sunday 6). As in cron, when both the day of
    the month and the weekday are restricted, a day matching either runs.
    """

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool = True
    any_weekday: bool = True

    def day_matches(self, day: date) -> bool:
        """Whether the expression runs at some time on ``day``."""
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = day.weekday() in self.weekdays
        if not self.any_day and not self.any_weekday:
            return by_day or by_weekday
        return by_day and by_weekday

    def next_after(self, moment: datetime) -> datetime | None:
        """The first run strictly after ``moment`` (aware), in UTC; None if it never runs."""
        local = moment.astimezone(LOCAL)
        start = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for offset in range(SEARCH_DAYS):
            current = day + timedelta(days=offset)
            if not self.day_matches(current):
                continue
            floor = start.time() if offset == 0 else time(0, 0)
            for hour in sorted(self.hours):
                for minute in sorted(self.minutes):
                    if time(hour, minute) >= floor:
                        found = datetime.combine(current, time(hour, minute), LOCAL)
                        return found.astimezone(UTC)
        return None


@dataclass(frozen=True)
class Recurrence:
    """A parsed schedule: recurring (``cron``) or one-off (``once``, aware UTC)."""

    spec: str
    cron: Cron | None = None
    once: datetime | None = None

    def next_after(self, moment: datetime) -> datetime | None:
        """The next run strictly after ``moment``, in UTC; None when there is none."""
        if self.once is not None:
            return self.once if self.once > moment else None
        assert self.cron is not None
        return self.cron.next_after(moment)

    def describe(self) -> str:
        """A short Vietnamese description, e.g. “07:00 thứ Hai hằng tuần”."""
        if self.once is not None:
            return "một lần lúc " + format_local(self.once)
        return f"theo lịch “{self.spec}”"


def format_local(moment: datetime) -> str:
    """An aware time as Vietnamese readers write it: ``07:00 thứ Hai 07/12/2026``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite hands stored UTC times back naive
    local = moment.astimezone(LOCAL)
    return f"{local:%H:%M} {WEEKDAY_NAMES[local.weekday()]} {local:%d/%m/%Y}"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()


_TIME_RE = re.compile(r"(\d{1,2})\s*(?::|h|g|gio)\s*(\d{1,2})?(?:\s*(?:p|phut))?$")
_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})$|(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAILY = ("hang ngay", "moi ngay", "hangngay", "daily", "every day")
_WEEKDAY_WORDS = {
    "hai": 0,
    "ba": 1,
    "tu": 2,
    "nam": 3,
    "sau": 4,
    "bay": 5,
    "2": 0,
    "3": 1,
    "4": 2,
    "5": 3,
    "6": 4,
    "7": 5,
}
_ENGLISH_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def parse_time(value: str) -> time:
    """``07:00``, ``7h``, ``7h30``, ``7 giờ 30`` → a time of day."""
    folded = _ascii(value).strip()
    match = _TIME_RE.match(folded)
    if match is None:
        raise ScheduleError(BAD_TIME.format(value=value))
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(BAD_TIME.format(value=value))
    return time(hour, minute)


def _parse_weekdays(words: str) -> frozenset[int] | None:
    """``thu 2, thu 5`` / ``t2,t5`` / ``thu hai`` / ``chu nhat`` / ``mon`` → weekdays."""
    found: set[int] = set()
    rest = [w for w in words.replace(",", " ").split() if w != "va"]
    i = 0
    while i < len(rest):
        word = rest[i]
        if word in ("thu", "t") and i + 1 < len(rest) and rest[i + 1] in _WEEKDAY_WORDS:
            found.add(_WEEKDAY_WORDS[rest[i + 1]])
            i += 2
            continue
        if re.fullmatch(r"t[2-7]", word):
            found.add(int(word[1]) - 2)
        elif word == "cn" or (word == "chu" and i + 1 < len(rest) and rest[i + 1] == "nhat"):
            found.add(6)
            i += 1 if word == "chu" else 0
        elif word in _WEEKDAY_WORDS and found:
            # "thu 2 5" or "thu 2, 5": further numbers continue the list.
            found.add(_WEEKDAY_WORDS[word])
        elif word[:3] in _ENGLISH_DAYS and word.isalpha():
            found.add(_ENGLISH_DAYS[word[:3]])
        elif word not in ("every", "hang", "tuan", "moi", "vao", "luc", "ngay"):
            return None
        i += 1
    return frozenset(found) or None


def _field(raw: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in raw.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError("step")
        if body == "*":
            first, last = low, high
        elif "-" in body:
            a, b = body.split("-", 1)
            first, last = int(a), int(b)
        else:
            first = last = int(body)
            if step_text:
                last = high
        if not low <= first <= last <= high:
            raise ValueError("range")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def parse_cron(expression: str) -> Cron:
    """A standard five-field cron expression (weekday 0 or 7 is Sunday)."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("five fields")
    minute, hour, day, month, weekday = fields
    cron_days = _field(weekday, 0, 7)
    return Cron(
        minutes=_field(minute, 0, 59),
        hours=_field(hour, 0, 23),
        days=_field(day, 1, 31),
        months=_field(month, 1, 12),
        weekdays=frozenset((d - 1) % 7 for d in cron_days),
        any_day=day == "*",
        any_weekday=weekday == "*",
    )


def _weekly(weekdays: frozenset[int], at: time) -> Cron:
    return Cron(
        minutes=frozenset({at.minute}),
        hours=frozenset({at.hour}),
        days=frozenset(range(1, 32)),
        months=frozenset(range(1, 13)),
        weekdays=weekdays,
        any_day=True,
        any_weekday=len(weekdays) == 7,
    )


def parse_schedule(spec: str, now: datetime) -> Recurrence:
    """Parse what a teacher typed; raise :class:`ScheduleError` with a Vietnamese message.

    A one-off time must lie in the future (after ``now``), and a recurrence must run at
    least once in the next five years.
    """
    spec = " ".join(spec.split())
    if len(spec) > MAX_SPEC_CHARS:
        raise ScheduleError(TOO_LONG)
    if not spec:
        raise ScheduleError(BAD_FORMAT.format(spec=spec))
    folded = _ascii(spec)

    if re.fullmatch(r"[\d*/,\-]+( [\d*/,\-]+){4}", folded):
        try:
            cron = parse_cron(folded)
        except ValueError as exc:
            raise ScheduleError(BAD_FORMAT.format(spec=spec)) from exc
        return _checked(Recurrence(spec, cron=cron), now)

    words = folded.replace(" luc ", " ").split(" ")
    # The time is the last word, or the last two for "7 gio" / "7 gio 30".
    for take in (1, 2, 3):
        if take > len(words):
            break
        head, tail = " ".join(words[:-take]), " ".join(words[-take:])
        if _TIME_RE.match(tail):
            return _checked(_with_time(spec, head, parse_time(tail)), now)
    raise ScheduleError(BAD_FORMAT.format(spec=spec))


def _with_time(spec: str, head: str, at: time) -> Recurrence:
    head = head.strip(" ,")
    date_match = _DATE_RE.search(head.replace("ngay ", ""))
    if date_match is not None:
        groups = date_match.groups()
        if groups[0] is not None:
            day, month, year = int(groups[0]), int(groups[1]), int(groups[2])
        else:
            year, month, day = int(groups[3]), int(groups[4]), int(groups[5])
        try:
            when = datetime.combine(date(year, month, day), at, LOCAL)
        except ValueError as exc:
            raise ScheduleError(BAD_DATE.format(value=date_match.group(0))) from exc
        return Recurrence(spec, once=when.astimezone(UTC))
    if head in _DAILY or head == "":
        return Recurrence(spec, cron=_weekly(frozenset(range(7)), at))
    weekdays = _parse_weekdays(head)
    if weekdays is None:
        raise ScheduleError(BAD_FORMAT.format(spec=spec))
    return Recurrence(spec, cron=_weekly(weekdays, at))


def _checked(recurrence: Recurrence, now: datetime) -> Recurrence:
    if recurrence.once is not None:
        if recurrence.once <= now:
            raise ScheduleError(IN_PAST.format(when=format_local(recurrence.once)))
        return recurrence
    if recurrence.next_after(now) is None:
        raise ScheduleError(NEVER_RUNS.format(spec=recurrence.spec))
    return recurrence


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in local time, during which nothing is sent (may cross midnight)."""

    start: time
    end: time

    @classmethod
    def parse(cls, value: str) -> QuietHours | None:
        """``21:00-06:30`` → quiet hours; an empty value → None (no quiet hours)."""
        value = value.strip()
        if not value:
            return None
        first, sep, second = value.partition("-")
        if not sep:
            raise ValueError(f"expected HH:MM-HH:MM, got {value!r}")
        try:
            start = time.fromisoformat(first.strip().zfill(5))
            end = time.fromisoformat(second.strip().zfill(5))
        except ValueError as exc:
            raise ValueError(f"expected HH:MM-HH:MM, got {value!r}") from exc
        if start == end:
            raise ValueError("quiet hours must not start and end at the same time")
        return cls(start, end)

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls in the quiet window."""
        now = moment.astimezone(LOCAL).time()
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def ends_after(self, moment: datetime) -> datetime:
        """When the quiet window that contains ``moment`` ends, in UTC."""
        local = moment.astimezone(LOCAL)
        end = datetime.combine(local.date(), self.end, LOCAL)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, LOCAL)
        return end.astimezone(UTC)

    def label(self) -> str:
        """``21:00–06:30``."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"
