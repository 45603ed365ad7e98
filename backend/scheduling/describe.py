"""Plain-language descriptions of schedules, and notes on what DST days do to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab

from backend.scheduling import clock

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
# Days 29-31 skip the months that lack them: a crontab cannot say "last day of the month".
MONTH_DAY_RULE = {
    29: "Day 29 skips February, except in leap years.",
    30: "Day 30 skips February.",
    31: "Day 31 skips February, April, June, September and November.",
}
HORIZON = timedelta(days=366)


def join(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def local_text(at: datetime, zone: ZoneInfo) -> str:
    """ "03:30 CEST" for a UTC instant."""
    return f"{at.astimezone(zone):%H:%M %Z}"


def utc_offset(at: datetime) -> str:
    """ "UTC+02:00" for an aware datetime."""
    text = f"{at:%z}"
    return f"UTC{text[:3]}:{text[3:]}"


def once_dst_notes(*, wall: datetime, zone: ZoneInfo, name: str) -> tuple[str, ...]:
    """What happens to a one-off whose local time is skipped or repeated by a DST switch."""
    status = clock.wall_status(wall=wall, zone=zone)
    if not status:
        return ()
    at = wall.replace(tzinfo=zone).astimezone(UTC)
    tr = clock.transitions(zone=zone, start=at - timedelta(days=1), end=at + timedelta(days=1))[0]
    if status == "gap":
        return (
            f"{wall:%H:%M} does not exist on {wall:%Y-%m-%d} in {name} ({_switch(tr, zone)}); "
            f"it runs at {local_text(at, zone)}.",
        )
    first = at.astimezone(zone)
    return (
        f"{wall:%H:%M} occurs twice on {wall:%Y-%m-%d} in {name} ({_switch(tr, zone)}); "
        f"it runs the first time, at {first:%H:%M %Z} ({utc_offset(first)}).",
    )


def dst_notes(*, schedule: crontab, zone: ZoneInfo, after: datetime) -> tuple[str, ...]:
    """For each DST switch in the coming year that hits a run: what beat will do that day."""
    notes = []
    for tr in clock.transitions(zone=zone, start=after, end=after + HORIZON):
        shift = abs(tr.after - tr.before)
        slots = _slots_in_switch(schedule, tr, zone)
        if not slots:
            continue
        fires = clock.crontab_fires(
            schedule=schedule,
            after=tr.at - shift - timedelta(seconds=1),
            until=tr.at + shift + timedelta(hours=1),
        )
        note = _gap_note if tr.after > tr.before else _twice_note
        notes.append(note(schedule, tr, zone, slots, fires))
    return tuple(notes)


def _switch(tr: clock.Transition, zone: ZoneInfo) -> str:
    old = (tr.at + tr.before).replace(tzinfo=None)
    new = (tr.at + tr.after).replace(tzinfo=None)
    verb = "jump" if tr.after > tr.before else "go back"
    return f"clocks {verb} from {old:%H:%M} to {new:%H:%M}"


def _slots_in_switch(schedule: crontab, tr: clock.Transition, zone: ZoneInfo) -> list[datetime]:
    # The wall times the switch skips (spring) or repeats (autumn).
    start = (tr.at + min(tr.before, tr.after)).replace(tzinfo=None)
    minutes = int(abs(tr.after - tr.before).total_seconds() // 60)
    walls = (start + timedelta(minutes=m) for m in range(minutes))
    return [w for w in walls if _matches(schedule, w)]


def _matches(schedule: crontab, wall: datetime) -> bool:
    return (
        wall.minute in schedule.minute
        and wall.hour in schedule.hour
        and wall.day in schedule.day_of_month
        and wall.month in schedule.month_of_year
        and wall.isoweekday() % 7 in schedule.day_of_week
    )


def _slots_text(slots: list[datetime]) -> str:
    if len(slots) > 4:
        return f"the runs from {slots[0]:%H:%M} to {slots[-1]:%H:%M}"
    return join([f"{s:%H:%M}" for s in slots])


def _gap_note(schedule, tr, zone, slots, fires) -> str:
    day = (tr.at + tr.after).date()
    verb = "does" if len(slots) == 1 else "do"
    head = f"{_slots_text(slots)} {verb} not exist on {day} in {zone.key} ({_switch(tr, zone)})"
    after = [f for f in fires if f >= tr.at]
    if not after:
        return f"{head}; that day it does not run then."
    first = after[0].astimezone(zone)
    if _matches(schedule, first.replace(tzinfo=None)):
        lost = "that run is" if len(slots) == 1 else "those runs are"
        return f"{head}; {lost} skipped, and the next is the usual {first:%H:%M %Z}."
    return f"{head}; that day it runs at {first:%H:%M %Z} instead."


def _twice_note(schedule, tr, zone, slots, fires) -> str:
    day = (tr.at + tr.after).date()
    verb = "occurs" if len(slots) == 1 else "occur"
    head = f"{_slots_text(slots)} {verb} twice on {day} in {zone.key} ({_switch(tr, zone)})"
    shift = tr.before - tr.after
    first = [f for f in fires if tr.at - shift <= f < tr.at]
    second = [f for f in fires if tr.at <= f < tr.at + shift]
    if first and second:
        return f"{head}; it runs both times."
    if second:
        return f"{head}; it runs only the second time ({local_text(second[0], zone)})."
    when = (first[0] if first else tr.at - shift).astimezone(zone)
    if len(slots) == 1:
        return f"{head}; it runs only the first time ({when:%H:%M %Z}, {utc_offset(when)})."
    return (
        f"{head}; they run only the first time round ({when:%Z}, {utc_offset(when)}) "
        "and are not repeated."
    )
