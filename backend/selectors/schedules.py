"""Reads of schedules and their runs, as plain data for the Schedules page and calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from backend.access import bundles_visible, is_admin, owned, require_active, runs_visible
from backend.models import Bundle, BundleSchedule, Run
from backend.scheduling import clock

LAST_RUN_FIELDS = ("status", "queued_at", "started_at", "finished_at", "trigger", "error")
RUNNING = (Run.Status.STARTED, Run.Status.PROGRESS)
MAX_RUNS = 5000
# Beat fires a one-off whose time passed while it was down as soon as it is back.
OVERDUE_AFTER = timedelta(seconds=5)


def schedules_list(
    *,
    by: User,
    bundle_id: int | None = None,
    username: str | None = None,
    now: datetime | None = None,
) -> list[ScheduleRow]:
    """Every schedule (filtered) with its description, state, next run and latest load run."""
    now = now or timezone.now()
    latest = Run.objects.filter(bundle=OuterRef("bundle_id"), kind=Run.Kind.LOAD)
    latest = latest.order_by("-queued_at")
    rows = (
        BundleSchedule.objects.select_related(
            "bundle", "owner", "periodic_task__clocked", "periodic_task__crontab"
        )
        .filter(_schedule_filter(by, bundle_id, username))
        .annotate(**{f"run_{f}": Subquery(latest.values(f)[:1]) for f in LAST_RUN_FIELDS})
        .order_by("bundle__name")
    )
    return [_schedule_row(s, now) for s in rows]


@dataclass(frozen=True)
class SavedSchedule:
    """A bundle's schedule as its form saved it, for the form's defaults."""

    id: int
    frequency: str
    timezone: str
    form: dict[str, Any]


@dataclass(frozen=True)
class LastRun:
    status: Run.Status
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    trigger: Run.Trigger
    error: str


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    bundle_id: int
    bundle: str
    owner: str
    frequency: str
    timezone: str
    description: str
    state: str  # active, overdue, paused, done, expired or broken
    enabled: bool
    next_run: datetime | None
    last_run: LastRun | None  # the bundle's latest load


def schedule_of_bundle(*, by: User, bundle_id: int) -> SavedSchedule | None:
    """The saved form choice of a bundle's schedule, for the form's defaults."""
    schedule = BundleSchedule.objects.filter(_schedule_filter(by, bundle_id, None)).first()
    if schedule is None:
        return None
    return SavedSchedule(schedule.pk, schedule.frequency, schedule.timezone, dict(schedule.form))


@dataclass(frozen=True)
class BundleChoice:
    id: int
    name: str
    owner: str
    version: int  # changes with every edit of the bundle; keys cached reads of it


def schedule_bundle_choices(*, by: User) -> list[BundleChoice]:
    """Bundles the user may schedule (own; all for an administrator)."""
    bundles = owned(Bundle.objects, by).select_related("owner").order_by("name")
    return [BundleChoice(b.pk, b.name, b.owner.username, b.version) for b in bundles]


@dataclass(frozen=True)
class ScheduleFilterChoices:
    bundles: dict[int, str]  # id -> name, by name
    users: list[str]


def schedule_filter_choices(*, by: User) -> ScheduleFilterChoices:
    """Bundles and users that have schedules or load runs the user may see, for the filters."""
    bundles = bundles_visible(by).filter(Q(schedule__isnull=False) | Q(runs__kind=Run.Kind.LOAD))
    schedules = BundleSchedule.objects.filter(_schedule_filter(by, None, None))
    users = schedules.values_list("owner__username", flat=True)
    runners = runs_visible(by).filter(kind=Run.Kind.LOAD).values_list("owner__username", flat=True)
    named = bundles.values_list("id", "name").distinct().order_by("name")
    return ScheduleFilterChoices(
        bundles=dict(named), users=sorted(set(users.distinct()) | set(runners.distinct()))
    )


# Region/City zones; the rest of the database is deprecated aliases (US/Eastern, GB, Etc/GMT+5).
ZONE_AREAS = (
    *("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia"),
    *("Europe", "Indian", "Pacific"),
)


@cache
def schedule_timezones() -> list[str]:
    """IANA Region/City zone names and UTC, the default zone first (read from disk once per
    process); the deprecated aliases are left out."""
    zones = {z for z in available_timezones() if z.split("/")[0] in ZONE_AREAS} | {"UTC"}
    return [settings.TIME_ZONE, *sorted(zones - {settings.TIME_ZONE})]


@dataclass(frozen=True)
class CalendarEvent:
    """A load run queued in the calendar's range, or a fire beat plans."""

    at: datetime  # when it started (or was queued), or is planned
    bundle_id: int | None  # None once the bundle is deleted
    bundle: str
    owner: str
    state: str  # "planned", "running", or the run's status
    run_id: int | None = None
    trigger: Run.Trigger = Run.Trigger.SCHEDULE
    error: str = ""


def schedule_calendar(
    *,
    by: User,
    start: datetime,
    end: datetime,
    bundle_id: int | None = None,
    username: str | None = None,
    now: datetime | None = None,
) -> list[CalendarEvent]:
    """Load runs queued in [start, end) and fires the beat tables plan from now to `end`,
    in time order."""
    now = now or timezone.now()
    events = _run_events(by, start, end, bundle_id, username)
    schedules = BundleSchedule.objects.select_related(
        "bundle", "owner", "periodic_task__clocked", "periodic_task__crontab"
    ).filter(_schedule_filter(by, bundle_id, username), periodic_task__enabled=True)
    for schedule in schedules:
        for at in _fires(schedule.periodic_task, after=max(start, now), until=end):
            events.append(_event(at, schedule.bundle, schedule.owner.username, "planned"))
    return sorted(events, key=lambda e: e.at)


def _schedule_filter(by: User, bundle_id: int | None, username: str | None) -> Q:
    require_active(by)
    # A member sees the schedules of their own bundles and those they set.
    q = Q() if is_admin(by) else Q(owner=by) | Q(bundle__owner=by)
    if bundle_id is not None:
        q &= Q(bundle_id=bundle_id)
    if username:
        q &= Q(owner__username=username)
    return q


def _run_events(by, start, end, bundle_id, username) -> list[CalendarEvent]:
    runs = runs_visible(by).filter(kind=Run.Kind.LOAD, queued_at__gte=start, queued_at__lt=end)
    if bundle_id is not None:
        runs = runs.filter(bundle_id=bundle_id)
    if username:
        runs = runs.filter(owner__username=username)
    rows = runs.select_related("bundle", "owner").order_by("queued_at")[:MAX_RUNS]
    return [
        _event(
            r.started_at or r.queued_at,
            r.bundle,
            r.owner.username,
            _run_state(r.status),
            run_id=r.pk,
            trigger=Run.Trigger(r.trigger),
            error=r.error,
            deleted_name=r.bundle_name,
        )
        for r in rows
    ]


def _event(at, bundle, owner: str, state: str, deleted_name: str = "", **extra) -> CalendarEvent:
    # A run keeps the name its bundle had: a deleted bundle's runs are still recognisable.
    gone = f"{deleted_name} (deleted)" if deleted_name else "(deleted bundle)"
    return CalendarEvent(
        at=at,
        bundle_id=bundle.pk if bundle else None,
        bundle=bundle.name if bundle else gone,
        owner=owner,
        state=state,
        **extra,
    )


def _run_state(status: str) -> str:
    return "running" if status in RUNNING else status


def _fires(task, *, after: datetime, until: datetime, count: int | None = None) -> list[datetime]:
    if task is None:
        return []
    if task.clocked is not None:
        at = task.clocked.clocked_time
        return [at] if after - OVERDUE_AFTER < at < until else []
    schedule = task.crontab.schedule  # the very object beat builds from the row
    return clock.crontab_fires(schedule=schedule, after=after, until=until, count=count)


def _schedule_row(s: BundleSchedule, now: datetime) -> ScheduleRow:
    task = s.periodic_task
    enabled = task is not None and task.enabled
    upcoming = _fires(task, after=now, until=now + timedelta(days=400), count=1) if enabled else []
    latest = {f: getattr(s, f"run_{f}") for f in LAST_RUN_FIELDS}
    last = None
    if latest["status"]:
        kinds = {"status": Run.Status(latest["status"]), "trigger": Run.Trigger(latest["trigger"])}
        last = LastRun(**{**latest, **kinds})
    return ScheduleRow(
        id=s.pk,
        bundle_id=s.bundle_id,
        bundle=s.bundle.name,
        owner=s.owner.username,
        frequency=s.frequency,
        timezone=s.timezone,
        description=task.description if task else s.frequency,
        state=_state(task, now, last),
        enabled=enabled,
        next_run=upcoming[0] if upcoming else None,
        last_run=last,
    )


def _state(task, now: datetime, last: LastRun | None) -> str:
    if task is None:
        return "broken"  # its beat row was deleted outside the dashboard
    once_at = task.clocked.clocked_time if task.clocked is not None else None
    if task.enabled:
        overdue = once_at is not None and once_at < now - OVERDUE_AFTER
        return "overdue" if overdue else "active"  # overdue: beat was down at its time
    if once_at is None or once_at > now:
        return "paused"
    fired = last and last.trigger == Run.Trigger.SCHEDULE and last.queued_at >= once_at
    return "done" if fired else "expired"  # expired: its time passed while paused
