"""Five-field cron expressions, checked with celery's own crontab parser."""

from __future__ import annotations

from celery.schedules import crontab
from cron_descriptor import ExpressionDescriptor, FormatException, Options

from backend.scheduling.errors import ScheduleInvalid

# (crontab argument, label, what it accepts, CrontabSchedule column length)
FIELDS = (
    ("minute", "minute", "0-59", 240),
    ("hour", "hour", "0-23", 96),
    ("day_of_month", "day of month", "1-31", 124),
    ("month_of_year", "month", "1-12 or jan-dec", 64),
    ("day_of_week", "day of week", "0-6 (Sunday is 0) or sun-sat", 64),
)
EXAMPLE = "0 6 * * 1-5"


def cron_fields(expression: str) -> dict[str, str]:
    """The crontab columns for a five-field expression, or ScheduleInvalid saying what is wrong."""
    parts = expression.split()
    if len(parts) != 5:
        raise ScheduleInvalid(
            "A cron expression has five fields: minute, hour, day of month, month and day "
            f"of week (e.g. {EXAMPLE!r} is 06:00 on weekdays); {expression.strip()!r} has "
            f"{len(parts)}."
        )
    fields = {name: part for (name, *_), part in zip(FIELDS, parts)}
    for field in FIELDS:
        _check_field(fields[field[0]], *field)
    if fields["day_of_month"] != "*" and fields["day_of_week"] != "*":
        # Classic cron runs on days matching either field; celery's crontab only on days
        # matching both. Refuse rather than run on days the writer did not expect.
        raise ScheduleInvalid(
            "Give days of the month or days of the week, not both: classic cron runs on "
            "either, but the scheduler here runs only on days that match both."
        )
    try:
        crontab(**fields)
    except ValueError as exc:
        raise ScheduleInvalid(f"This schedule never runs: {exc}") from None
    return fields


def _check_field(value: str, name: str, label: str, accepts: str, length: int) -> None:
    try:
        crontab(**{name: value})  # celery's parser, exactly as beat will read the column
    except ValueError:
        raise ScheduleInvalid(
            f"The {label} field {value!r} is not valid: use {accepts}, "
            "ranges (1-5), lists (1,15) or steps (*/15)."
        ) from None
    if len(value) > length:
        raise ScheduleInvalid(f"The {label} field is too long: write it as ranges.")


def cron_text(expression: str) -> str:
    """Plain words for a valid expression, e.g. "at 06:00, Monday through Friday"."""
    options = Options()
    options.use_24hour_time_format = True
    options.day_of_week_start_index_zero = True
    try:
        text = ExpressionDescriptor(expression, options).get_description()
    except FormatException:
        return f"cron {expression}"
    return text[:1].lower() + text[1:]
