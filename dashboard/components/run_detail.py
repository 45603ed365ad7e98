"""One run's detail on the History page: what it was given, what came of it, and actions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from backend.errors import UserFixable
from backend.selectors.run_detail import RunDetail, run_detail
from backend.selectors.runs import ACTIVE_STATUSES as ACTIVE
from backend.services.run_actions import RETRYABLE, run_cancel, run_retry
from dashboard import state
from dashboard.components.outcomes import show_refusal


def local_time(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if value else "–"


def seconds(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def render_run_detail(*, run_id: int, tz: ZoneInfo, user) -> None:
    """The run's detail, refreshed every two seconds while it is queued or running."""
    first = run_detail(by=user, run_id=run_id)
    if first is None:
        st.warning(f"Run {run_id} does not exist (any more), or is not yours to see.")
        return

    @st.fragment(run_every=2 if first.status in ACTIVE else None)
    def live() -> None:
        run = run_detail(by=user, run_id=run_id)
        if run is None:  # deleted meanwhile: the page drops it at its next run
            st.rerun(scope="app")
        _render(run, tz)
        _actions(run, user)

    live()


def _render(run: RunDetail, tz: ZoneInfo) -> None:
    st.subheader(f"Run {run.id}: {run.kind}, {run.status}")
    st.caption(f"Celery task `{run.task_id}` · {run.trigger} · by {run.owner}")
    st.markdown(
        f"| queued | started | finished | time in queue | duration |\n|---|---|---|---|---|\n"
        f"| {local_time(run.queued_at, tz)} | {local_time(run.started_at, tz)} "
        f"| {local_time(run.finished_at, tz)} | {seconds(run.waited_s)} "
        f"| {seconds(run.duration_s)} |"
    )
    st.caption(f"Times in {tz.key}.")
    if run.kind == "conversion":
        total = run.pages_total or 0
        st.progress(
            min(run.pages_done / total, 1.0) if total else 0.0,
            text=f"{run.pages_done} of {total or '?'} pages, {run.tables_found} table(s)",
        )
    else:
        st.markdown(f"**{run.rows_loaded:,}** rows loaded into `{run.target or '–'}`")
    if run.message:
        st.info(run.message, icon=":material/info:")
    if run.error:
        st.error(run.error, icon=":material/error:")
    _links(run)
    left, right = st.columns(2)
    left.markdown("**Arguments** (secrets masked)")
    left.json(run.arguments)
    _task(right, run)


def _links(run: RunDetail) -> None:
    links = run.links
    parts = []
    if links.document:
        parts.append(f"document **{links.document.name}** (#{links.document.id})")
    if links.bundle:
        parts.append(f"bundle **{links.bundle.name}** (#{links.bundle.id})")
    if links.bundle_deleted:
        parts.append(f"bundle **{links.bundle_deleted}** (deleted)")
    schedule = links.schedule
    if schedule:
        gone = "" if schedule.exists else ", deleted since"
        parts.append(f"fired by schedule #{schedule.id} ({schedule.frequency}{gone})")
    if links.retry_of:
        parts.append(f"retry of [run {links.retry_of}](?run={links.retry_of})")
    parts += [f"retried as [run {r}](?run={r})" for r in links.retries]
    st.markdown(" · ".join(parts) or "No linked document or bundle.")
    buttons = st.columns(4)
    if links.document and buttons[0].button("Open the document", icon=":material/description:"):
        state.open_document(links.document.id)
    if links.bundle and buttons[1].button("Open the bundle", icon=":material/inventory_2:"):
        state.open_bundle(links.bundle.id)
    if (
        schedule
        and schedule.exists
        and links.bundle
        and buttons[2].button("Open the schedule", icon=":material/schedule:")
    ):
        state.open_schedule(links.bundle.id)
    if links.tables:
        what = "Tables found" if run.kind == "conversion" else "Tables it loaded"
        with st.expander(f"{what} ({len(links.tables)})"):
            st.dataframe(links.tables, hide_index=True)


def _task(col, run: RunDetail) -> None:
    task = run.task
    col.markdown("**Celery task result**")
    if task is None:
        col.caption("No result stored yet: the task has not started.")
    else:
        shown = {k: v for k, v in asdict(task).items() if k != "traceback"}
        col.json(shown, expanded=False)
        if task.traceback:
            with col.expander("Traceback"):
                st.code(task.traceback, language="text")
    if run.subtasks:
        col.markdown("**Parts**")
        col.dataframe(run.subtasks, hide_index=True)


def _actions(run: RunDetail, user) -> None:
    if run.status in ACTIVE:
        with st.popover("Cancel this run", icon=":material/cancel:"):
            st.write(
                "The run's tasks are revoked (a running one is stopped) and its partial "
                "output is removed."
            )
            if st.button("Yes, cancel it", type="primary", key=f"cancel-{run.id}"):
                _act(lambda run_id: run_cancel(run_id=run_id, by=user), run.id, "Cancelled")
    elif run.status in RETRYABLE:
        with st.form(f"retry-{run.id}", border=True):
            password = ""
            if run.kind == "conversion":
                password = st.text_input(
                    "Password for an encrypted file (leave empty to keep as is)", type="password"
                )
            if st.form_submit_button("Retry", icon=":material/replay:", type="primary"):
                _act(
                    lambda run_id: run_retry(run_id=run_id, owner=user, password=password),
                    run.id,
                    "Queued",
                )


def _act(action, run_id: int, done: str) -> None:
    try:
        outcome = action(run_id)
    except UserFixable as refused:
        show_refusal(refused)
        return
    st.toast(f"{done}: run {outcome.pk}", icon=":material/check:")
    st.session_state[state.HISTORY_RUN] = outcome.pk
    st.rerun()
