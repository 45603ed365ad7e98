"""The list of schedules with their next and last runs, and pause/resume/run/delete."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st
from django.contrib.auth.models import User

from backend.errors import UserFixable
from backend.selectors.schedules import LastRun, ScheduleRow
from backend.services.schedules import (
    schedule_delete,
    schedule_pause,
    schedule_resume,
    schedule_run_now,
)
from dashboard import state
from dashboard.components.schedule_form import md_escape

STATE_BADGE = {
    "active": ":green-badge[:material/schedule: active]",
    "paused": ":orange-badge[:material/pause: paused]",
    "done": ":gray-badge[:material/check: done]",
    "expired": ":gray-badge[:material/timer_off: expired]",
    "overdue": ":red-badge[:material/warning: overdue, is beat running?]",
    "broken": ":red-badge[:material/error: beat row missing]",
}
OUTCOME_BADGE = {
    "succeeded": ":green-badge[succeeded]",
    "failed": ":red-badge[failed]",
    "revoked": ":gray-badge[revoked]",
    "queued": ":orange-badge[queued]",
    "started": ":blue-badge[running]",
    "progress": ":blue-badge[running]",
}


def render_schedule_list(rows: list[ScheduleRow], *, user: User, zone: ZoneInfo) -> None:
    """One bordered row per schedule; actions rerun the whole page so all of it agrees."""
    if st.session_state.pop(state.SCHEDULE_CHANGED, False):
        # A button's callback inside a fragment reruns only the fragment; the calendar and
        # the form must show the change too.
        st.rerun(scope="app")
    flash = st.session_state.pop(state.SCHEDULE_FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    if not rows:
        st.info("No schedules yet: set one with the form below.", icon=":material/event:")
        return
    for row in rows:
        _render_row(row, user=user, zone=zone)


def _render_row(row: ScheduleRow, *, user: User, zone: ZoneInfo) -> None:
    with st.container(border=True):
        what, nxt, last = st.columns([4, 2, 3], vertical_alignment="center")
        what.markdown(f"**{md_escape(row.bundle)}** {STATE_BADGE.get(row.state, row.state)}")
        what.caption(f"{md_escape(row.description)} · set by {md_escape(row.owner)}")
        nxt.markdown("**Next run**")
        nxt.caption(_when(row.next_run, zone) if row.next_run else "none")
        last.markdown("**Last load**")
        last.caption(_last(row.last_run, zone))
        _actions(row, user=user)


def _actions(row: ScheduleRow, *, user: User) -> None:
    # Buttons that say what they do, not icons to hover over.
    a, b, c, d, _ = st.columns([1, 1, 1.4, 1, 3])
    key = row.id
    if row.enabled:
        a.button(
            "Pause",
            icon=":material/pause:",
            key=f"pause-{key}",
            help="Pause",
            on_click=_act,
            args=("pause", row, user),
        )
    else:
        a.button(
            "Resume",
            icon=":material/play_arrow:",
            key=f"resume-{key}",
            help="Resume",
            # A Once whose time has passed needs a new time in the form, not a resume.
            disabled=row.state in ("done", "expired"),
            on_click=_act,
            args=("resume", row, user),
        )
    b.button(
        "Run now",
        icon=":material/bolt:",
        key=f"run-{key}",
        help="Run now",
        on_click=_act,
        args=("run", row, user),
    )
    c.button(
        "Edit below",
        icon=":material/edit:",
        key=f"edit-{key}",
        help="Edit in the form below",
        on_click=_edit,
        args=(row.bundle_id,),
    )
    with d.popover("Delete", icon=":material/delete:"):
        st.write(f"Delete the schedule of **{row.bundle}**? Past runs stay in History.")
        st.button(
            "Yes, delete the schedule",
            type="primary",
            key=f"delete-{key}",
            on_click=_act,
            args=("delete", row, user),
        )


def _act(action: str, row: ScheduleRow, user: User) -> None:
    # A callback: it runs before the page is drawn again, so the page shows its result.
    name = row.bundle
    try:
        if action == "pause":
            schedule_pause(by=user, bundle_id=row.bundle_id)
            message = f"{name}: paused."
        elif action == "resume":
            schedule_resume(by=user, bundle_id=row.bundle_id)
            message = f"{name}: resumed; it runs from its next time on."
        elif action == "run":
            run = schedule_run_now(bundle_id=row.bundle_id, owner=user)
            message = f"{name}: load queued (run {run.pk})."
        else:
            schedule_delete(by=user, bundle_id=row.bundle_id)
            message = f"{name}: schedule deleted."
    except UserFixable as exc:  # a callback cannot draw: the flash shows it on the rerun
        st.session_state[state.SCHEDULE_FLASH] = ("error", f"{name}: {exc}")
        return
    st.session_state[state.SCHEDULE_FLASH] = ("success", message)
    st.session_state[state.SCHEDULE_CHANGED] = True


def _edit(bundle_id: int) -> None:
    st.session_state[state.SCHEDULE_BUNDLE] = bundle_id
    st.session_state[state.SCHEDULE_CHANGED] = True


def _when(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%a %Y-%m-%d %H:%M %Z}"


def _last(run: LastRun | None, zone: ZoneInfo) -> str:
    if run is None:
        return "never loaded"
    at = run.started_at or run.queued_at
    outcome = OUTCOME_BADGE.get(run.status, run.status)
    text = f"{_when(at, zone)} {outcome} ({run.trigger})"
    if run.error:
        text += f" · {md_escape(run.error[:120])}"
    return text
