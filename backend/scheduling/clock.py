"""Fire times computed by celery's own crontab code, exactly as beat computes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django_celery_beat.models import CrontabSchedule

MAX_FIRES = 2000


@dataclass(frozen=True)
class Transition:
    """A change of a zone's UTC offset (a DST switch), at a UTC instant."""

    at: datetime
    before: timedelta
    after: timedelta


def crontab_for(*, fields: dict[str, str], zone: ZoneInfo) -> crontab:
    """The schedule object beat builds from a CrontabSchedule row with these columns."""
    return CrontabSchedule(**fields, timezone=zone).schedule


def crontab_fires(
    *,
    schedule: crontab,
    after: datetime,
    count: int | None = None,
    until: datetime | None = None,
) -> list[datetime]:
    """UTC fire times after `after` (at most `count`, before `until`), as beat finds them.

    Beat asks the crontab for the next fire after `last_run_at` and sets `last_run_at`
    to the fire time when it fires; this walks the same chain.
    """
    fires: list[datetime] = []
    last = after
    limit = min(count or MAX_FIRES, MAX_FIRES)
    while len(fires) < limit:
        try:
            start, delta, _ = schedule.remaining_delta(last)
        except RuntimeError:  # celery found no date matching the fields
            break
        fire = (start + delta).astimezone(UTC)
        if until is not None and fire >= until:
            break
        if fire <= last:  # never seen; a guard against looping on the same instant
            last += timedelta(minutes=1)
            continue
        fires.append(fire)
        last = fire
    return fires


def transitions(*, zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """The zone's offset changes between two instants, each found to the second."""
    found = []
    day = timedelta(days=1)
    t = start
    while t < end:
        if _offset(zone, t) != _offset(zone, t + day):
            found.append(_bisect(zone, t, t + day))
        t += day
    return [tr for tr in found if start <= tr.at < end]


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None  # an aware datetime in a ZoneInfo always has one
    return offset


def _bisect(zone: ZoneInfo, lo: datetime, hi: datetime) -> Transition:
    before = _offset(zone, lo)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if _offset(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    at = hi.replace(microsecond=0)
    return Transition(at=at, before=before, after=_offset(zone, at))


def wall_status(*, wall: datetime, zone: ZoneInfo) -> str:
    """ "gap" when a naive local time does not exist in the zone, "twice" when it occurs
    twice, "" otherwise."""
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    # In a gap the time does not survive a round trip through UTC.
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return "gap" if back != wall else "twice"
