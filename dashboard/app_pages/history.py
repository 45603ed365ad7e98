from __future__ import annotations

import zlib
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from backend.selectors import runs
from backend.selectors.schedules import schedule_timezones
from dashboard import data, state
from dashboard.components.run_charts import render_run_charts
from dashboard.components.run_detail import local_time, render_run_detail
from dashboard.components.zones import viewer_timezone
from dashboard.session import current_user

LIVE_EVERY_S = 3

st.title("History")
st.caption(
    "Every conversion and load, newest first. Pick a row to see its detail, retry or cancel."
)
user = current_user()


def render_filters() -> tuple[runs.RunFilters, ZoneInfo, tuple[date, date]]:
    choices = data.history_filter_choices(user.pk)
    users, bundles = choices.users, choices.bundles
    documents = {id_: f"{name} (#{id_})" for id_, name in choices.documents.items()}
    zones = schedule_timezones()
    row1 = st.columns([2, 3, 2, 2])
    row2 = st.columns([2, 2, 2, 3])
    kinds = row1[0].multiselect("Kind", runs.RUN_KINDS)
    statuses = row1[1].multiselect("Status", runs.RUN_STATUSES)
    triggers = row1[2].multiselect("Trigger", runs.RUN_TRIGGERS)
    owners = row1[3].multiselect("User", list(users), format_func=users.__getitem__)
    bundle = row2[0].selectbox(
        "Bundle", [None, *bundles], format_func=lambda b: bundles.get(b, "all")
    )
    document = row2[1].selectbox(
        "Document", [None, *documents], format_func=lambda d: documents.get(d, "all")
    )
    tz_name = row2[2].selectbox("Timezone", zones, index=zones.index(viewer_timezone(zones)))
    tz = ZoneInfo(tz_name)
    today = runs.local_now(tz=tz).date()
    default = (today - timedelta(days=runs.HISTORY_DEFAULT_DAYS - 1), today)
    picked = row2[3].date_input(f"Queued between (days in {tz_name})", value=default)
    first, last = (picked + (picked[-1],) * 2)[:2] if picked else default
    since, until = runs.day_bounds(first=first, last=last, tz=tz)
    filters = runs.RunFilters(
        kinds=tuple(kinds),
        statuses=tuple(statuses),
        triggers=tuple(triggers),
        owner_ids=tuple(owners),
        bundle_id=bundle,
        document_id=document,
        since=since,
        until=until,
    )
    return filters, tz, (first, last)


def run_table(rows: list[runs.RunRow], tz: ZoneInfo) -> pd.DataFrame:
    zone = f"queued ({tz.key})"
    return pd.DataFrame(
        {
            "run": [r.id for r in rows],
            zone: [local_time(r.queued_at, tz) for r in rows],
            "kind": [r.kind for r in rows],
            "status": [r.status for r in rows],
            "trigger": [r.trigger for r in rows],
            "user": [r.owner for r in rows],
            "document or bundle": [r.subject for r in rows],
            "wait s": [None if r.waited_s is None else round(r.waited_s, 1) for r in rows],
            "duration s": [r.duration_s for r in rows],
            "pages": [r.pages_done if r.kind == "conversion" else None for r in rows],
            "rows": [r.rows_loaded if r.kind == "load" else None for r in rows],
            "message": [r.message for r in rows],
        }
    )


def open_picked_row(key: str, ids: list[int], rows: list[int]) -> None:
    """Open the run of a row the person just picked in this very list. A selection first
    seen with a new list is only noted: the browser may carry a row position over from
    the list before, and a retry's new run must stay open."""
    seen_key, seen_rows = st.session_state.get(state.HISTORY_SELECTION, (None, []))
    if key == seen_key and rows and rows != seen_rows:
        st.session_state[state.HISTORY_RUN] = ids[rows[0]]
    st.session_state[state.HISTORY_SELECTION] = (key, rows)


def render_runs(filters: runs.RunFilters, tz: ZoneInfo) -> None:
    """The run list, redrawn every few seconds while a run in it is queued or running."""
    live = runs.runs_any_active(by=user, filters=filters)
    opened = st.session_state.get(state.HISTORY_RUN)

    @st.fragment(run_every=LIVE_EVERY_S if live else None)
    def run_list() -> None:
        render_run_list(filters, tz)
        if st.session_state.get(state.HISTORY_RUN) != opened:
            st.rerun()  # a row picked in this fragment opens its detail, outside it

    run_list()


def render_run_list(filters: runs.RunFilters, tz: ZoneInfo) -> None:
    """The current page of runs; picking a row opens that run below."""
    # Keyset paging: a stack of cursors, reset whenever the filters change.
    if st.session_state.get(state.HISTORY_FILTERS) != filters:
        st.session_state[state.HISTORY_FILTERS] = filters
        st.session_state[state.HISTORY_CURSORS] = [None]
    cursors = st.session_state[state.HISTORY_CURSORS]
    page = data.history_page(user.pk, filters, cursors[-1])
    total = data.history_count(user.pk, filters)
    start = (len(cursors) - 1) * data.HISTORY_PAGE_SIZE
    st.caption(f"Runs {start + 1 if page.rows else 0}–{start + len(page.rows)} of {total:,}")
    ids = [r.id for r in page.rows]
    # A selection is a row position: the key changes with the rows, so a position never
    # outlives the list it was picked from (a retry adds a row at the top).
    key = f"runs-{len(cursors)}-{zlib.crc32(str(ids).encode())}"
    event = st.dataframe(
        run_table(page.rows, tz),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        placeholder="",
        column_config={
            "duration s": st.column_config.NumberColumn(format="%.1f"),
            "rows": st.column_config.NumberColumn(format="localized"),
            "message": st.column_config.TextColumn(width="large"),
        },
    )
    open_picked_row(key, ids, list(event.selection.rows))
    newer, older, _ = st.columns([1, 1, 6])
    if newer.button("Newer", icon=":material/chevron_left:", disabled=len(cursors) == 1):
        cursors.pop()
        st.rerun()
    if older.button("Older", icon=":material/chevron_right:", disabled=page.next is None):
        cursors.append(page.next)
        st.rerun()


filters, tz, days = render_filters()
runs_tab, charts_tab = st.tabs(["Runs", "Charts"])
with runs_tab:
    render_runs(filters, tz)
with charts_tab:
    render_run_charts(data.history_charts(user.pk, filters, tz.key), tz_name=tz.key, days=days)

# A picked row, the run a retry just queued, or a link like ?run=123 opens a run.
linked = st.query_params.get("run")
if linked and linked != st.session_state.get(state.HISTORY_LINKED):
    # A link followed now opens its run, over the one picked earlier in this session.
    st.session_state[state.HISTORY_LINKED] = linked
    st.session_state[state.HISTORY_RUN] = int(linked)
run_id = st.session_state.get(state.HISTORY_RUN)
if run_id:
    st.divider()
    render_run_detail(run_id=run_id, tz=tz, user=user)
