"""The schedule form's choice, checked and turned into a beat plan (clocked or crontab)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.scheduling import clock, describe
from backend.scheduling.cron import cron_fields, cron_text
from backend.scheduling.errors import ScheduleInvalid

NONE = "none"
ONCE, HOURLY, DAILY, WEEKLY, MONTHLY, CRON = (
    "once",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "cron",
)
FREQUENCIES = (NONE, ONCE, HOURLY, DAILY, WEEKLY, MONTHLY, CRON)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Cron counts from Sunday = 0; Python's weekday() from Monday = 0.
CRON_WEEKDAY = {day: (i + 1) % 7 for i, day in enumerate(WEEKDAYS)}


@dataclass(frozen=True)
class ScheduleSpec:
    """What the form asks for; which fields matter depends on the frequency."""

    frequency: str
    timezone: str
    run_date: date | None = None  # once
    run_time: time | None = None  # once, daily, weekly, monthly
    minute: int | None = None  # hourly
    weekdays: tuple[str, ...] = ()  # weekly
    day_of_month: int | None = None  # monthly
    cron: str = ""

    def as_form(self) -> dict[str, Any]:
        """The fields this frequency uses, as JSON for BundleSchedule.form."""
        values = {
            "run_date": self.run_date.isoformat() if self.run_date else None,
            "run_time": self.run_time.isoformat() if self.run_time else None,
            "minute": self.minute,
            "weekdays": list(self.weekdays) or None,
            "day_of_month": self.day_of_month,
            "cron": self.cron or None,
        }
        return {k: v for k, v in values.items() if v is not None}

    @classmethod
    def from_form(cls, *, frequency: str, timezone: str, form: dict[str, Any]) -> ScheduleSpec:
        return cls(
            frequency=frequency,
            timezone=timezone,
            run_date=date.fromisoformat(form["run_date"]) if form.get("run_date") else None,
            run_time=time.fromisoformat(form["run_time"]) if form.get("run_time") else None,
            minute=form.get("minute"),
            weekdays=tuple(form.get("weekdays") or ()),
            day_of_month=form.get("day_of_month"),
            cron=form.get("cron") or "",
        )


@dataclass(frozen=True)
class BeatPlan:
    """The beat rows a spec becomes: a one-off clocked time, or crontab fields in a zone."""

    spec: ScheduleSpec
    zone: ZoneInfo
    description: str
    clocked_time: datetime | None = None  # UTC
    crontab: dict[str, str] | None = None
    notes: tuple[str, ...] = field(default=())


def plan_build(*, spec: ScheduleSpec, now: datetime) -> BeatPlan:
    """The beat plan for a spec, or ScheduleInvalid saying what to fix."""
    zone = zone_get(spec.timezone)
    if spec.frequency == ONCE:
        return _plan_once(spec, zone, now)
    builders = {
        HOURLY: _hourly,
        DAILY: _daily,
        WEEKLY: _weekly,
        MONTHLY: _monthly,
        CRON: _cron,
    }
    if spec.frequency not in builders:
        raise ScheduleInvalid(f"Unknown frequency {spec.frequency!r}.")
    fields, notes = builders[spec.frequency](spec)
    schedule = clock.crontab_for(fields=fields, zone=zone)
    if not clock.crontab_fires(schedule=schedule, after=now, count=1):
        raise ScheduleInvalid("This schedule never runs: no date matches all its fields.")
    notes += describe.dst_notes(schedule=schedule, zone=zone, after=now)
    text = crontab_text(spec=spec)
    return BeatPlan(
        spec=spec, zone=zone, description=f"{text}, {spec.timezone}", crontab=fields, notes=notes
    )


def zone_get(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or ScheduleInvalid."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleInvalid(f"Unknown timezone {name!r}: pick one from the list.") from None


def _plan_once(spec: ScheduleSpec, zone: ZoneInfo, now: datetime) -> BeatPlan:
    if spec.run_date is None or spec.run_time is None:
        raise ScheduleInvalid("Once needs a date and a time.")
    wall = datetime.combine(spec.run_date, spec.run_time)
    # fold=0 is how celery's crontab reads a wall time too: a time in the spring-forward
    # gap lands after the jump, a repeated time on its first occurrence.
    at = wall.replace(tzinfo=zone).astimezone(UTC)
    if at <= now:
        shown = now.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        raise ScheduleInvalid(
            f"{wall:%Y-%m-%d %H:%M} in {spec.timezone} is in the past (it is now {shown}): "
            "pick a later time."
        )
    notes = describe.once_dst_notes(wall=wall, zone=zone, name=spec.timezone)
    text = f"once, on {wall:%A %Y-%m-%d at %H:%M}, {spec.timezone}"
    return BeatPlan(spec=spec, zone=zone, description=text, clocked_time=at, notes=notes)


def _at(spec: ScheduleSpec) -> tuple[str, str]:
    if spec.run_time is None:
        raise ScheduleInvalid("Pick a time of day.")
    return str(spec.run_time.minute), str(spec.run_time.hour)


def _fields(minute="*", hour="*", day_of_week="*", day_of_month="*", month_of_year="*"):
    return {
        "minute": minute,
        "hour": hour,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "month_of_year": month_of_year,
    }


def _hourly(spec: ScheduleSpec):
    if spec.minute is None or not 0 <= spec.minute <= 59:
        raise ScheduleInvalid("Hourly needs a minute past the hour, 0 to 59.")
    return _fields(minute=str(spec.minute)), ()


def _daily(spec: ScheduleSpec):
    minute, hour = _at(spec)
    return _fields(minute=minute, hour=hour), ()


def _weekly(spec: ScheduleSpec):
    unknown = set(spec.weekdays) - set(WEEKDAYS)
    if not spec.weekdays or unknown:
        raise ScheduleInvalid("Weekly needs at least one day of the week.")
    minute, hour = _at(spec)
    days = ",".join(str(CRON_WEEKDAY[d]) for d in WEEKDAYS if d in spec.weekdays)
    return _fields(minute=minute, hour=hour, day_of_week=days), ()


def _monthly(spec: ScheduleSpec):
    day = spec.day_of_month
    if day is None or not 1 <= day <= 31:
        raise ScheduleInvalid("Monthly needs a day of the month, 1 to 31.")
    minute, hour = _at(spec)
    notes = (describe.MONTH_DAY_RULE[day],) if day in describe.MONTH_DAY_RULE else ()
    return _fields(minute=minute, hour=hour, day_of_month=str(day)), notes


def _cron(spec: ScheduleSpec):
    return cron_fields(spec.cron), ()


def plan_fires(
    *, plan: BeatPlan, after: datetime, count: int | None = None, until: datetime | None = None
) -> list[datetime]:
    """The plan's UTC fire times after `after`, as beat will fire them."""
    if plan.clocked_time is not None:
        due = plan.clocked_time > after and (until is None or plan.clocked_time < until)
        return [plan.clocked_time] if due and count != 0 else []
    assert plan.crontab is not None  # a plan is clocked or crontab, never neither
    schedule = clock.crontab_for(fields=plan.crontab, zone=plan.zone)
    return clock.crontab_fires(schedule=schedule, after=after, count=count, until=until)


def crontab_text(*, spec: ScheduleSpec) -> str:
    """ "every Monday and Thursday at 06:00" and the like, without the zone."""
    at = f"{spec.run_time:%H:%M}" if spec.run_time else ""
    if spec.frequency == "hourly":
        return f"every hour at minute {spec.minute:02d}"
    if spec.frequency == "daily":
        return f"every day at {at}"
    if spec.frequency == "weekly":
        if len(spec.weekdays) == 7:
            return f"every day at {at}"
        days = [name for key, name in describe.DAY_NAMES.items() if key in spec.weekdays]
        return f"every {describe.join(days)} at {at}"
    if spec.frequency == "monthly":
        text = f"on day {spec.day_of_month} of every month at {at}"
        return text + (" (skips months without that day)" if (spec.day_of_month or 0) > 28 else "")
    return f"cron {spec.cron.strip()}: {cron_text(spec.cron)}"
