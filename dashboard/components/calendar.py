"""A month grid and a week list of load runs: past ones by outcome, future ones as planned."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from html import escape
from itertools import groupby
from zoneinfo import ZoneInfo

import streamlit as st

from backend.selectors.schedules import CalendarEvent

# Finished runs are filled, live ones outlined in solid colour, planned ones dashed.
STATE_STYLE = {
    "planned": ("○", "background:#fff;color:#4a4f57;border:1px dashed #8a8f98"),
    "queued": ("◔", "background:#fff8e6;color:#7a5300;border:1px solid #d99a00"),
    "running": ("▶", "background:#e6efff;color:#0f3f8a;border:2px solid #1a66d6;font-weight:600"),
    "succeeded": ("✓", "background:#dcf3e3;color:#17663a;border:1px solid #b7e2c5"),
    "failed": ("✕", "background:#fde2e1;color:#a3221b;border:1px solid #f5b8b5"),
    "revoked": ("⊘", "background:#eceef1;color:#5b616b;border:1px solid #d5d8dd"),
}
CHIPS_PER_DAY = 4
LINES_PER_DAY = 30
CSS = """
<style>
.cal{width:100%;border-collapse:collapse;table-layout:fixed;font-size:0.8rem}
.cal th{font-weight:600;padding:4px;text-align:left;color:#555;border-bottom:1px solid #ddd}
.cal td{vertical-align:top;height:96px;padding:3px;border:1px solid #e6e6e6}
.cal .other{background:#fafafa;color:#aaa}
.cal .today{background:#f3f8ff}
.cal .day{font-weight:600;margin-bottom:2px}
.chip{display:block;border-radius:4px;padding:1px 4px;margin:2px 0;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
.more{color:#666;font-size:0.75rem}
.legend .chip{display:inline-block;margin-right:6px}
.week h5{margin:10px 0 2px 0;font-size:0.9rem}
.week .chip{display:block;max-width:640px}
</style>
"""


def month_bounds(anchor: date) -> tuple[date, date]:
    """First and last day shown by the month grid around `anchor` (whole weeks)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(anchor.year, anchor.month)
    return weeks[0][0], weeks[-1][-1]


def week_bounds(anchor: date) -> tuple[date, date]:
    """Monday to Sunday of the week holding `anchor`."""
    monday = anchor - timedelta(days=anchor.weekday())
    return monday, monday + timedelta(days=6)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day begins."""
    return datetime.combine(day, time.min, tzinfo=zone)


def render_legend() -> None:
    chips = "".join(_chip(state, state) for state in STATE_STYLE)
    st.html(f"{CSS}<div class='legend'>{chips}</div>")


def render_month(events: list[CalendarEvent], *, anchor: date, zone: ZoneInfo) -> None:
    """A Monday-first month grid; each day lists its loads grouped by bundle and outcome."""
    by_day = _by_day(events, zone)
    today = datetime.now(zone).date()
    head = "".join(f"<th>{name}</th>" for name in calendar.day_abbr)
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(anchor.year, anchor.month):
        cells = []
        for day in week:
            cls = "other" if day.month != anchor.month else ("today" if day == today else "")
            cells.append(
                f"<td class='{cls}'><div class='day'>{day.day}</div>{_cell(by_day[day])}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    st.html(f"{CSS}<table class='cal'><tr>{head}</tr>{''.join(rows)}</table>")


def render_week(events: list[CalendarEvent], *, anchor: date, zone: ZoneInfo) -> None:
    """Seven days, each with its loads one per line in time order."""
    by_day = _by_day(events, zone)
    monday, _ = week_bounds(anchor)
    parts = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        items = _fold_planned(by_day[day])
        lines = [_line(line) for line in items[:LINES_PER_DAY]]
        if len(items) > LINES_PER_DAY:
            lines.append(f"<div class='more'>+{len(items) - LINES_PER_DAY} more</div>")
        body = "".join(lines) or "<div class='more'>nothing</div>"
        parts.append(f"<h5>{day:%A %d %B}</h5>{body}")
    st.html(f"{CSS}<div class='week'>{''.join(parts)}</div>")


def _by_day(events: list[CalendarEvent], zone: ZoneInfo) -> dict[date, list[CalendarEvent]]:
    days: dict[date, list[CalendarEvent]] = defaultdict(list)
    for event in events:
        local = replace(event, at=event.at.astimezone(zone))
        days[local.at.date()].append(local)
    return days


def _cell(events: list[CalendarEvent]) -> str:
    # Many fires a day (hourly, cron) become one chip per bundle and state.
    key = lambda e: (e.bundle, e.state)  # noqa: E731
    groups = [list(g) for _, g in groupby(sorted(events, key=lambda e: (*key(e), e.at)), key)]
    groups.sort(key=lambda g: g[0].at)
    chips = []
    for group in groups[:CHIPS_PER_DAY]:
        first, last, n = group[0], group[-1], len(group)
        span = f"{first.at:%H:%M}–{last.at:%H:%M}" if n > 1 else f"{first.at:%H:%M}"
        # Every chip starts with its time: a group of fires with the span they cover.
        text = f"{span} {first.bundle}" + (f" ×{n}" if n > 1 else "")
        title = f"{first.bundle}: {n} {first.state}, {span}"
        chips.append(_chip(first.state, text, title=title))
    if len(groups) > CHIPS_PER_DAY:
        chips.append(f"<div class='more'>+{len(groups) - CHIPS_PER_DAY} more</div>")
    return "".join(chips)


@dataclass(frozen=True)
class _WeekLine:
    """One line of the week list: an event, or a bundle's planned fires of a day folded."""

    event: CalendarEvent
    until: datetime | None = None  # the last folded fire
    count: int = 1


def _fold_planned(events: list[CalendarEvent]) -> list[_WeekLine]:
    # An hourly or minutely schedule would fill the list: one line per bundle and day.
    planned: dict[str, list[CalendarEvent]] = defaultdict(list)
    for event in events:
        if event.state == "planned":
            planned[event.bundle].append(event)
    lines = [_WeekLine(e) for e in events if e.state != "planned" or len(planned[e.bundle]) <= 3]
    for fires in planned.values():
        if len(fires) > 3:
            lines.append(_WeekLine(fires[0], until=fires[-1].at, count=len(fires)))
    return sorted(lines, key=lambda line: line.event.at)


def _line(line: _WeekLine) -> str:
    event = line.event
    who = f" · {event.owner}" if event.owner else ""
    when = f"{event.at:%H:%M %Z}"
    state = event.state
    if line.until is not None:
        when = f"{event.at:%H:%M}–{line.until:%H:%M %Z}"
        state = f"{line.count} planned runs"
    text = f"{when} · {event.bundle} · {state}{who}"
    if event.error:
        text += f" · {event.error[:80]}"
    return _chip(event.state, text, title=event.error or text)


def _chip(state: str, text: str, title: str = "") -> str:
    icon, style = STATE_STYLE.get(state, STATE_STYLE["planned"])
    return (
        f"<span class='chip' style='{style}' title='{escape(title or state, quote=True)}'>"
        f"{icon} {escape(text)}</span>"
    )


def stepped(anchor: date, days: int) -> date:
    """The calendar's anchor a week (days ±7) or a month (any other step) on; a month lands
    on the 1st, so that short months are never skipped."""
    if abs(days) == 7:
        return anchor + timedelta(days=days)
    first = anchor.replace(day=1)
    return (first + timedelta(days=32 if days > 0 else -1)).replace(day=1)
