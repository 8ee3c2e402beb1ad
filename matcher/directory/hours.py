"""Opening hours: is a service open at a given time, and how to say its hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_time

from matcher.models import WEEKDAYS, Schedule

LOCAL_TZ = ZoneInfo("America/Los_Angeles")
EVENING_STARTS = time(17, 0)
DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
# A whole day (00:00-23:59 in the data) reads as words, not "12:00 AM–11:59 PM".
ALL_DAY = {"en": "24 hours", "es": "24 horas"}


@dataclass(frozen=True)
class Window:
    day: str  # 'MO'..'SU'
    opens_at: time
    closes_at: time

    def contains(self, moment: time) -> bool:
        if self.closes_at <= self.opens_at:  # overnight, e.g. 20:00-02:00
            return moment >= self.opens_at or moment < self.closes_at
        return self.opens_at <= moment < self.closes_at or (
            self.closes_at == time(23, 59) and moment >= self.opens_at
        )


def windows(schedules: Iterable[Schedule]) -> list[Window]:
    """Weekly opening windows; schedules with no days or no times are left out."""
    out = []
    for schedule in schedules:
        if schedule.opens_at is None or schedule.closes_at is None:
            continue
        for day in schedule.days:
            if day in WEEKDAYS:
                out.append(Window(day, schedule.opens_at, schedule.closes_at))
    return sorted(out, key=lambda w: (WEEKDAYS.index(w.day), w.opens_at))


def now_local() -> datetime:
    return datetime.now(LOCAL_TZ)


def weekday_code(moment: datetime) -> str:
    return WEEKDAYS[moment.weekday()]


def is_open(schedules: Iterable[Schedule], day: str, moment: time) -> bool:
    return any(w.day == day and w.contains(moment) for w in windows(schedules))


def open_evenings(schedules: Iterable[Schedule]) -> bool:
    """Open at or after 5 pm on some day: fits a working family."""
    return any(
        w.closes_at > EVENING_STARTS or w.closes_at <= w.opens_at for w in windows(schedules)
    )


def open_weekends(schedules: Iterable[Schedule]) -> bool:
    return any(w.day in ("SA", "SU") for w in windows(schedules))


def is_always_open(schedules: Iterable[Schedule]) -> bool:
    ws = windows(schedules)
    days = {w.day for w in ws if w.opens_at == time(0, 0) and w.closes_at >= time(23, 59)}
    return days == set(WEEKDAYS)


def format_window(window: Window, locale: str) -> str:
    if window.opens_at == time(0, 0) and window.closes_at >= time(23, 59):
        return ALL_DAY.get(locale, ALL_DAY["en"])
    opens = format_time(window.opens_at, format="short", locale=locale)
    closes = format_time(window.closes_at, format="short", locale=locale)
    return f"{opens}–{closes}"


def weekly_lines(schedules: Iterable[Schedule], locale: str) -> list[tuple[str, str]]:
    """[(day name, "9:00 AM–5:00 PM, 6:00 PM–8:00 PM"), ...] for the days a service opens."""
    by_day: dict[str, list[str]] = {}
    for w in windows(schedules):
        by_day.setdefault(w.day, []).append(format_window(w, locale))
    names = DAY_NAMES.get(locale, DAY_NAMES["en"])
    return [(names[WEEKDAYS.index(d)], ", ".join(by_day[d])) for d in WEEKDAYS if d in by_day]


def todays_hours(schedules: Iterable[Schedule], locale: str, moment: datetime | None = None) -> str:
    """Today's windows as text, or '' when the service has no hours today."""
    moment = moment or now_local()
    day = weekday_code(moment)
    return ", ".join(format_window(w, locale) for w in windows(schedules) if w.day == day)


def schedule_notes(schedules: Iterable[Schedule]) -> list[str]:
    return [text for s in schedules for text in (s.description, s.notes) if text]
