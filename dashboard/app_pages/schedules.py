from datetime import date, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from backend.selectors.schedules import (
    schedule_bundle_choices,
    schedule_calendar,
    schedule_filter_choices,
    schedule_timezones,
    schedules_list,
)
from dashboard import state
from dashboard.components import calendar
from dashboard.components.schedule_form import render_schedule_form
from dashboard.components.schedule_list import render_schedule_list
from dashboard.components.zones import viewer_timezone
from dashboard.session import current_user

ALL = "All"

st.title("Schedules")
st.caption(
    "Load a bundle once, hourly, daily, weekly, monthly or on a cron expression. "
    "Beat picks up every change within a second; the calendar shows what ran and what will."
)
user = current_user()
if "bundle" in st.query_params and state.SCHEDULE_BUNDLE not in st.session_state:
    st.session_state[state.SCHEDULE_BUNDLE] = int(st.query_params["bundle"])

choices = schedule_filter_choices(by=user)
zones = schedule_timezones()
bundle_names = choices.bundles
f_bundle, f_user, f_zone = st.columns(3)
options: list[int | None] = [None, *bundle_names]
bundle_id = f_bundle.selectbox(
    "Bundle", options, format_func=lambda i: ALL if i is None else bundle_names[i]
)
user_filter = f_user.selectbox("User", [ALL, *choices.users])
# The viewer's zone by default, as on History, so both pages show the same clock times.
zone = ZoneInfo(f_zone.selectbox("Show times in", zones, index=zones.index(viewer_timezone(zones))))
username: str | None = None if user_filter == ALL else str(user_filter)


@st.fragment(run_every=10)
def render_list() -> None:
    rows = schedules_list(by=user, bundle_id=bundle_id, username=username)
    render_schedule_list(rows, user=user, zone=zone)


st.subheader("Scheduled loads")
render_list()

st.subheader("Set a schedule")
with st.container(border=True):
    render_schedule_form(bundles=schedule_bundle_choices(by=user), user=user, zones=zones)


def _move(days: int | None) -> None:
    anchor = st.session_state.get(state.CALENDAR_ANCHOR, date.today())
    moved = date.today() if days is None else calendar.stepped(anchor, days)
    st.session_state[state.CALENDAR_ANCHOR] = moved


@st.fragment(run_every=15)
def render_calendar() -> None:
    view = st.radio("View", ["Month", "Week"], horizontal=True, label_visibility="collapsed")
    anchor = st.session_state.setdefault(state.CALENDAR_ANCHOR, date.today())
    step = 7 if view == "Week" else 31
    first, last = calendar.month_bounds(anchor) if view == "Month" else calendar.week_bounds(anchor)
    prev, today, nxt, label = st.columns([0.5, 0.8, 0.5, 7], vertical_alignment="center")
    prev.button("", icon=":material/chevron_left:", on_click=_move, args=(-step,), help="Earlier")
    today.button("Today", on_click=_move, args=(None,))
    nxt.button("", icon=":material/chevron_right:", on_click=_move, args=(step,), help="Later")
    title = f"{anchor:%B %Y}" if view == "Month" else f"Week of {first:%d %B %Y}"
    label.markdown(f"**{title}** · times in {zone.key}")
    events = schedule_calendar(
        by=user,
        start=calendar.day_start(first, zone),
        end=calendar.day_start(last + timedelta(days=1), zone),
        bundle_id=bundle_id,
        username=username,
    )
    calendar.render_legend()
    render = calendar.render_month if view == "Month" else calendar.render_week
    render(events, anchor=anchor, zone=zone)


st.subheader("Calendar")
render_calendar()
