"""Schedule rules: validation, descriptions, next runs and DST days, against celery's crontab."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_celery_beat.models import CrontabSchedule

from backend.scheduling import clock
from backend.scheduling.errors import ScheduleInvalid
from backend.scheduling.spec import ScheduleSpec, plan_build, plan_fires

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def plan(now=NOW, **spec):
    return plan_build(spec=ScheduleSpec(**spec), now=now)


def local_fires(p, after, count=5):
    return [
        f"{t.astimezone(p.zone):%m-%d %H:%M %Z}"
        for t in plan_fires(plan=p, after=after, count=count)
    ]


def test_once_in_the_past_is_refused():
    with pytest.raises(ScheduleInvalid, match="is in the past"):
        plan(frequency="once", timezone=BERLIN, run_date=date(2027, 1, 10), run_time=time(12, 0))


def test_once_is_a_clocked_utc_instant():
    p = plan(frequency="once", timezone=BERLIN, run_date=date(2027, 6, 1), run_time=time(6, 0))
    assert p.clocked_time == datetime(2027, 6, 1, 4, 0, tzinfo=UTC)
    assert p.crontab is None
    assert p.description == "once, on Tuesday 2027-06-01 at 06:00, Europe/Berlin"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 6 * *", "has 4"),
        ("0 6 * * * *", "has 6"),
        ("0 25 * * *", "hour field '25'"),
        ("61 * * * *", "minute field '61'"),
        ("0 6 * * 7", "day of week field '7'"),
        ("0 6 32 * *", "day of month field '32'"),
        ("0 6 * 13 *", "month field '13'"),
        ("x 6 * * *", "minute field 'x'"),
        ("0 6 1 * 1", "not both"),
        ("0 0 30 2 *", "never runs"),
        ("0 0 31 2,4 *", "never runs"),
    ],
)
def test_invalid_cron_is_refused_with_the_field_named(expression, message):
    with pytest.raises(ScheduleInvalid, match=message):
        plan(frequency="cron", timezone="UTC", cron=expression)


def test_unknown_timezone_and_missing_fields_are_refused():
    with pytest.raises(ScheduleInvalid, match="Unknown timezone"):
        plan(frequency="daily", timezone="Mars/Olympus", run_time=time(6, 0))
    with pytest.raises(ScheduleInvalid, match="at least one day"):
        plan(frequency="weekly", timezone=BERLIN, run_time=time(6, 0))
    with pytest.raises(ScheduleInvalid, match="minute"):
        plan(frequency="hourly", timezone=BERLIN, minute=60)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (dict(frequency="weekly", weekdays=("mon",), run_time=time(6, 0)), "every Monday at 06:00"),
        (
            dict(frequency="weekly", weekdays=("thu", "mon"), run_time=time(6, 0)),
            "every Monday and Thursday at 06:00",
        ),
        (dict(frequency="daily", run_time=time(23, 5)), "every day at 23:05"),
        (dict(frequency="hourly", minute=7), "every hour at minute 07"),
        (
            dict(frequency="monthly", day_of_month=15, run_time=time(6, 0)),
            "on day 15 of every month",
        ),
        (dict(frequency="cron", cron="0 6 * * 1-5"), "cron 0 6 * * 1-5: at 06:00, Monday through"),
    ],
)
def test_descriptions_are_plain_words_with_the_zone(spec, text):
    description = plan(timezone=BERLIN, **spec).description
    assert description.startswith(text)
    assert description.endswith(", Europe/Berlin")


def test_crontab_rows_carry_the_zone_explicitly():
    p = plan(frequency="weekly", timezone=BERLIN, weekdays=("mon", "sun"), run_time=time(6, 30))
    assert p.crontab == {
        "minute": "30",
        "hour": "6",
        "day_of_week": "1,0",
        "day_of_month": "*",
        "month_of_year": "*",
    }
    assert p.zone == ZoneInfo(BERLIN)


def test_daily_in_the_spring_gap_runs_after_the_jump_and_says_so():
    p = plan(frequency="daily", timezone=BERLIN, run_time=time(2, 30))
    after = datetime(2027, 3, 26, 12, tzinfo=UTC)
    assert local_fires(p, after) == [
        "03-27 02:30 CET",
        "03-28 03:30 CEST",
        "03-29 02:30 CEST",
        "03-30 02:30 CEST",
        "03-31 02:30 CEST",
    ]
    assert any(
        "02:30 does not exist on 2027-03-28 in Europe/Berlin" in n
        and "that day it runs at 03:30 CEST instead" in n
        for n in p.notes
    ), p.notes


def test_daily_in_the_autumn_overlap_runs_once_on_the_first_pass():
    p = plan(frequency="daily", timezone=NEW_YORK, run_time=time(1, 30))
    after = datetime(2027, 11, 5, 12, tzinfo=UTC)
    assert local_fires(p, after, count=3) == [
        "11-06 01:30 EDT",
        "11-07 01:30 EDT",
        "11-08 01:30 EST",
    ]
    assert any(
        "01:30 occurs twice on 2027-11-07 in America/New_York" in n
        and "only the first time (01:30 EDT, UTC-04:00)" in n
        for n in p.notes
    ), p.notes


def test_hourly_across_both_switches():
    p = plan(frequency="hourly", timezone=BERLIN, minute=15)
    spring = local_fires(p, datetime(2027, 3, 28, 0, 0, tzinfo=UTC), count=3)
    assert spring == ["03-28 01:15 CET", "03-28 03:15 CEST", "03-28 04:15 CEST"]
    autumn = local_fires(p, datetime(2027, 10, 30, 23, 0, tzinfo=UTC), count=3)
    assert autumn == ["10-31 01:15 CEST", "10-31 02:15 CEST", "10-31 03:15 CET"]
    assert any("02:15 does not exist" in n and "the usual 03:15 CEST" in n for n in p.notes)
    assert any("02:15 occurs twice on 2027-10-31" in n for n in p.notes)


def test_new_york_spring_gap_for_a_cron():
    p = plan(frequency="cron", timezone=NEW_YORK, cron="30 2 * * *")
    fires = local_fires(p, datetime(2027, 3, 13, 12, tzinfo=UTC), count=2)
    assert fires == ["03-14 03:30 EDT", "03-15 02:30 EDT"]
    assert any("02:30 does not exist on 2027-03-14 in America/New_York" in n for n in p.notes)


def test_schedules_outside_the_switch_hours_get_no_dst_note():
    assert plan(frequency="daily", timezone=BERLIN, run_time=time(6, 0)).notes == ()
    assert plan(frequency="daily", timezone="UTC", run_time=time(2, 30)).notes == ()


def test_once_in_the_gap_or_overlap_says_what_happens():
    gap = plan(frequency="once", timezone=BERLIN, run_date=date(2027, 3, 28), run_time=time(2, 30))
    assert gap.clocked_time == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert "it runs at 03:30 CEST" in gap.notes[0]
    twice = plan(
        frequency="once", timezone=NEW_YORK, run_date=date(2027, 11, 7), run_time=time(1, 30)
    )
    assert twice.clocked_time == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert "the first time, at 01:30 EDT (UTC-04:00)" in twice.notes[0]


@pytest.mark.parametrize(
    ("day", "months", "rule"),
    [
        (31, ["01-31", "03-31", "05-31", "07-31", "08-31"], "Day 31 skips February, April"),
        (30, ["01-30", "03-30", "04-30", "05-30", "06-30"], "Day 30 skips February"),
        (29, ["01-29", "03-29", "04-29", "05-29", "06-29"], "except in leap years"),
    ],
)
def test_month_days_29_to_31_skip_months_without_them(day, months, rule):
    p = plan(frequency="monthly", timezone="UTC", day_of_month=day, run_time=time(6, 0))
    fires = plan_fires(plan=p, after=NOW, count=5)
    assert [f"{t:%m-%d}" for t in fires] == months
    assert rule in p.notes[0]
    assert "skips months without that day" in p.description


def test_day_29_runs_in_february_of_a_leap_year():
    p = plan(frequency="monthly", timezone="UTC", day_of_month=29, run_time=time(6, 0))
    fires = plan_fires(plan=p, after=datetime(2028, 1, 30, tzinfo=UTC), count=1)
    assert fires == [datetime(2028, 2, 29, 6, 0, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("fields", "zone", "after"),
    [
        (dict(minute="30", hour="2"), BERLIN, datetime(2027, 3, 27, 12, tzinfo=UTC)),
        (dict(minute="30", hour="2"), BERLIN, datetime(2027, 10, 30, 12, tzinfo=UTC)),
        (dict(minute="*/20", hour="*"), NEW_YORK, datetime(2027, 11, 7, 4, tzinfo=UTC)),
        (
            dict(minute="0", hour="6", day_of_month="31"),
            BERLIN,
            datetime(2027, 1, 31, 6, tzinfo=UTC),
        ),
    ],
)
def test_preview_fires_are_exactly_when_beats_entry_becomes_due(fields, zone, after):
    # Beat asks the row's schedule is_due(last_run_at) on every tick; the preview must
    # name the first instant at which that answer turns true.
    row = CrontabSchedule(timezone=ZoneInfo(zone), **fields)
    fires = clock.crontab_fires(schedule=row.schedule, after=after, count=6)
    last = after
    for fire in fires:
        for at, due in ((fire - timedelta(seconds=1), False), (fire, True)):
            schedule = CrontabSchedule(timezone=ZoneInfo(zone), **fields).schedule
            schedule.nowfun = lambda at=at: at.astimezone(ZoneInfo(zone))
            assert schedule.is_due(last).is_due is due, (fire, at)
        last = fire
