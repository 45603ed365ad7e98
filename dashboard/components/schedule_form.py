"""The schedule form: a bundle's frequency, its fields and zone, a preview, save."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st
from django.conf import settings
from django.contrib.auth.models import User

from backend.errors import UserFixable
from backend.scheduling.describe import DAY_NAMES
from backend.scheduling.spec import FREQUENCIES, NONE, WEEKDAYS, ScheduleSpec
from backend.selectors.schedules import BundleChoice, SavedSchedule, schedule_of_bundle
from backend.services.schedules import (
    ScheduleInvalid,
    SchedulePreview,
    schedule_preview,
    schedule_save,
)
from dashboard import data, state
from dashboard.components.outcomes import show_refusal

MONTH_RULE = (
    "Days 29 to 31 run only in months that have that day: day 31 skips February, April, "
    "June, September and November, day 30 skips February, day 29 skips February except in "
    "leap years. Pick 28 or earlier to run every month."
)
CRON_HELP = (
    "Five fields: minute hour day-of-month month day-of-week, e.g. `0 6 * * 1-5` is 06:00 "
    "on weekdays. Sunday is 0. Give days of the month or days of the week, not both."
)


def render_schedule_form(*, bundles: list[BundleChoice], user: User, zones: list[str]) -> None:
    """Pick a bundle and a frequency, fill the form, preview the next runs, save."""
    if not bundles:
        st.info("There is no bundle to schedule yet: make one on the Bundles page.")
        return
    by_id = {b.id: b for b in bundles}
    if st.session_state.get(state.SCHEDULE_BUNDLE) not in by_id:
        st.session_state[state.SCHEDULE_BUNDLE] = bundles[0].id
    bundle_id: int = st.selectbox(
        "Bundle", list(by_id), format_func=lambda b: by_id[b].name, key=state.SCHEDULE_BUNDLE
    )
    saved = schedule_of_bundle(by=user, bundle_id=bundle_id)
    form = saved.form if saved else {}
    # Starts from the bundle's saved choice; "None" (remove) only where there is a schedule.
    # The key names the saved choice, so a save or a removal starts the radio afresh.
    choices = FREQUENCIES if saved else tuple(f for f in FREQUENCIES if f != NONE)
    frequency = st.radio(
        "Frequency",
        choices,
        index=choices.index(saved.frequency) if saved else 0,
        format_func=str.capitalize,
        horizontal=True,
        key=frequency_key(bundle_id, saved),
    )
    problems = _load_problems(by_id[bundle_id], user)
    if problems:
        st.warning(
            "**This bundle cannot load yet**, so a schedule would only fail: "
            + " ".join(problems)
            + " Fix it on the Bundles page; until then a schedule cannot be saved.",
            icon=":material/block:",
        )
    with st.form(f"schedule-{bundle_id}-{frequency}"):
        fields = _fields(frequency, form, key=f"{bundle_id}-{frequency}")
        zone = _zone(zones, saved, frequency, key=f"{bundle_id}-{frequency}")
        preview_col, save_col = st.columns([1, 4])
        previewed = preview_col.form_submit_button("Preview", icon=":material/visibility:")
        label = "Remove schedule" if frequency == "none" else "Save schedule"
        saving = save_col.form_submit_button(
            label,
            type="primary",
            icon=":material/save:",
            disabled=bool(problems) and frequency != NONE,  # removing stays possible
        )
    flashed = _flash(bundle_id)
    if previewed or saving:
        spec = ScheduleSpec(frequency=frequency, timezone=zone, **fields)
        _submit(spec, bundle_id=bundle_id, user=user, save=saving)
    elif saved and not flashed:
        _current(saved)


def _load_problems(bundle: BundleChoice, user: User) -> list[str]:
    schema = data.bundle_schema(user_id=user.pk, bundle_id=bundle.id, version=bundle.version)
    return schema.problems


def frequency_key(bundle_id: int, saved: SavedSchedule | None) -> str:
    """The Frequency radio's widget key for a bundle with this saved schedule (or none)."""
    return f"schedule-frequency-{bundle_id}-{saved.frequency if saved else 'unscheduled'}"


def _fields(frequency: str, form: dict[str, Any], *, key: str) -> dict[str, Any]:
    if frequency == "none":
        st.caption("Saving with None removes this bundle's schedule; past runs stay in History.")
        return {}
    return FIELD_RENDERERS[frequency](form, key)


def _time(form: dict[str, Any], key: str, default: time = time(6, 0)) -> time:
    value = time.fromisoformat(form["run_time"]) if form.get("run_time") else default
    return st.time_input("Time", value=value, step=60, key=f"time-{key}")


def _once(form: dict[str, Any], key: str) -> dict[str, Any]:
    soon = datetime.now(ZoneInfo(settings.TIME_ZONE)) + timedelta(hours=1)
    day = date.fromisoformat(form["run_date"]) if form.get("run_date") else soon.date()
    left, right = st.columns(2)
    with left:
        run_date = st.date_input("Date", value=day, key=f"date-{key}")
    with right:
        run_time = _time(form, key, default=soon.time().replace(second=0, microsecond=0))
    return {"run_date": run_date, "run_time": run_time}


def _hourly(form: dict[str, Any], key: str) -> dict[str, Any]:
    minute = st.number_input(
        "Minute past the hour", 0, 59, value=form.get("minute", 0), key=f"minute-{key}"
    )
    return {"minute": int(minute)}


def _daily(form: dict[str, Any], key: str) -> dict[str, Any]:
    return {"run_time": _time(form, key)}


def _weekly(form: dict[str, Any], key: str) -> dict[str, Any]:
    days = st.multiselect(
        "Days",
        WEEKDAYS,
        default=form.get("weekdays", ["mon"]),
        format_func=DAY_NAMES.__getitem__,
        key=f"days-{key}",
    )
    return {"weekdays": tuple(days), "run_time": _time(form, key)}


def _monthly(form: dict[str, Any], key: str) -> dict[str, Any]:
    day = st.number_input(
        "Day of the month", 1, 31, value=form.get("day_of_month", 1), key=f"dom-{key}"
    )
    st.caption(MONTH_RULE)
    return {"day_of_month": int(day), "run_time": _time(form, key)}


def _cron(form: dict[str, Any], key: str) -> dict[str, Any]:
    expression = st.text_input(
        "Cron expression", value=form.get("cron", ""), placeholder="0 6 * * 1-5", key=f"cron-{key}"
    )
    st.caption(CRON_HELP)
    return {"cron": expression}


FIELD_RENDERERS = {
    "once": _once,
    "hourly": _hourly,
    "daily": _daily,
    "weekly": _weekly,
    "monthly": _monthly,
    "cron": _cron,
}


def _zone(zones: list[str], saved: SavedSchedule | None, frequency: str, *, key: str) -> str:
    if frequency == "none":
        return zones[0]
    current = saved.timezone if saved else zones[0]
    if current not in zones:  # saved under a name no longer offered: kept, never swapped
        zones = [current, *zones]
    return st.selectbox("Timezone", zones, index=zones.index(current), key=f"zone-{key}")


def _submit(spec: ScheduleSpec, *, bundle_id: int, user: User, save: bool) -> None:
    try:
        preview = schedule_preview(spec=spec)
        if save:
            schedule_save(bundle_id=bundle_id, owner=user, spec=spec)
    except UserFixable as refused:
        show_refusal(refused)
        return
    if not save:
        render_preview(preview, heading="Preview, not saved yet")
        return
    # Rerun so that the list and the calendar above show the change.
    st.session_state[state.SCHEDULE_SAVED] = (bundle_id, preview)
    st.rerun()


def _flash(bundle_id: int) -> bool:
    saved = st.session_state.pop(state.SCHEDULE_SAVED, None)
    if not saved or saved[0] != bundle_id:
        return False
    preview = saved[1]
    if preview.next_runs:
        render_preview(preview, heading="Saved")
    else:
        st.success("Schedule removed.", icon=":material/check_circle:")
    return True


def _current(saved: SavedSchedule) -> None:
    spec = ScheduleSpec.from_form(
        frequency=saved.frequency, timezone=saved.timezone, form=saved.form
    )
    try:
        render_preview(schedule_preview(spec=spec), heading="Current schedule")
    except ScheduleInvalid as exc:
        st.caption(f"Current schedule: {exc}")


def md_escape(text: str) -> str:
    """Text shown literally by st.markdown (a cron's asterisks are not emphasis)."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~:$" else c for c in text)


def render_preview(preview: SchedulePreview, *, heading: str) -> None:
    """The description in words, the next five runs, and any DST or short-month notes."""
    with st.container(border=True):
        st.markdown(f"**{heading}:** {md_escape(preview.description)}")
        if preview.next_runs:
            runs = "\n".join(f"- {t:%a %Y-%m-%d %H:%M %Z}" for t in preview.next_runs)
            count = len(preview.next_runs)
            st.markdown(f"Next {'run' if count == 1 else f'{count} runs'}:\n{runs}")
        for note in preview.notes:
            st.warning(note, icon=":material/schedule:")
