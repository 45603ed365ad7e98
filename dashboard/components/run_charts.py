"""The History page's charts, drawn with Altair from the selectors' aggregates."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.data import HistoryCharts

STATUS_COLORS = {
    "succeeded": "#2e7d32",
    "failed": "#c62828",
    "revoked": "#8d6e63",
    "queued": "#90a4ae",
    "started": "#1565c0",
    "progress": "#42a5f5",
}
HEIGHT = 240
MIN_DAYS = 7
DAY_FORMAT = "%Y-%m-%d"  # axes and tooltips alike
DAY_TIP = alt.Tooltip("day_label:O", title="day")


def render_run_charts(charts: HistoryCharts, *, tz_name: str, days: tuple[date, date]) -> None:
    """Runs per day by status, durations p50/p95, rows loaded, failure rate, pages converted,
    every time axis spanning the chosen days."""
    daily = pd.DataFrame(charts.daily)
    if daily.empty:
        st.info("No runs match the filters, so there is nothing to chart.")
        return
    daily["day"] = pd.to_datetime(daily["day"])
    first, last = chart_window(daily["day"], days)
    # Every time chart has one band per day of the same window: they line up, a day without
    # runs shows as a gap, and a day's bar is as wide as the window allows.
    window = [d.strftime(DAY_FORMAT) for d in pd.date_range(first, last, freq="D")]
    day_axis = alt.X(
        "day_label:O",
        title=f"day ({tz_name})",
        scale=alt.Scale(domain=window),
        axis=alt.Axis(labelAngle=-45),
    )
    daily["day_label"] = daily["day"].dt.strftime(DAY_FORMAT)
    left, right = st.columns(2)
    with left:
        _runs_per_day(daily, day_axis)
        _rows_loaded(daily, day_axis)
        _pages_converted(daily, day_axis)
    with right:
        _durations(pd.DataFrame(charts.durations), day_axis)
        _failure_rate(pd.DataFrame(charts.bundles))


def chart_window(
    data_days: pd.Series, days: tuple[date, date]
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days the time axes span: the chosen days narrowed to those with runs, and at least
    a week, so that one day of runs is a readable bar and not a sliver of a month."""
    first = max(pd.Timestamp(days[0]), data_days.min())
    last = min(pd.Timestamp(days[1]), data_days.max())
    return min(first, last - pd.Timedelta(days=MIN_DAYS - 1)), last


def _chart(title: str, chart: alt.Chart, height: int = HEIGHT) -> None:
    st.markdown(f"**{title}**")
    st.altair_chart(chart.properties(height=height), width="stretch")


def _nothing(title: str, why: str) -> None:
    """A chart's title with why it has nothing to draw, instead of empty axes."""
    st.markdown(f"**{title}**")
    st.caption(why)


def _runs_per_day(daily: pd.DataFrame, day_axis: alt.X) -> None:
    per_status = daily.groupby(["day_label", "status"], as_index=False)["runs"].sum()
    scale = alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values()))
    chart = (
        alt.Chart(per_status)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            day_axis,
            alt.Y("runs:Q", title="runs", stack="zero"),
            alt.Color("status:N", scale=scale),
            tooltip=[DAY_TIP, "status:N", "runs:Q"],
        )
    )
    _chart("Runs per day, by status", chart)


def _durations(durations: pd.DataFrame, day_axis: alt.X) -> None:
    if durations.empty:
        _nothing("Duration per kind, p50 and p95", "No finished runs to time.")
        return
    durations["day_label"] = pd.to_datetime(durations["day"]).dt.strftime(DAY_FORMAT)
    long = durations.melt(
        id_vars=["day_label", "kind", "runs"], value_vars=["p50", "p95"], var_name="percentile"
    )
    chart = (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            day_axis,
            alt.Y("value:Q", title="seconds"),
            alt.Color("kind:N"),
            alt.StrokeDash("percentile:N"),
            tooltip=[DAY_TIP, "kind:N", "percentile:N", alt.Tooltip("value:Q", format=".1f")],
        )
    )
    _chart("Duration per kind, p50 and p95", chart)


def _rows_loaded(daily: pd.DataFrame, day_axis: alt.X) -> None:
    loads = daily[(daily["kind"] == "load") & (daily["status"] == "succeeded")]
    per_day = loads.groupby("day_label", as_index=False)["rows_loaded"].sum()
    if per_day.empty:
        _nothing("Rows loaded per day", "No load succeeded in this selection.")
        return
    chart = (
        alt.Chart(per_day)
        .mark_bar(color="#6a1b9a")
        .encode(
            day_axis,
            alt.Y("rows_loaded:Q", title="rows"),
            tooltip=[DAY_TIP, "rows_loaded:Q"],
        )
    )
    _chart("Rows loaded per day", chart)


def _pages_converted(daily: pd.DataFrame, day_axis: alt.X) -> None:
    done = daily[(daily["kind"] == "conversion") & (daily["status"] == "succeeded")]
    per_day = done.groupby("day_label", as_index=False)["pages_done"].sum()
    if per_day.empty:
        _nothing("Pages converted per day", "No conversion succeeded in this selection.")
        return
    chart = (
        alt.Chart(per_day)
        .mark_bar(color="#00838f")
        .encode(
            day_axis,
            alt.Y("pages_done:Q", title="pages"),
            tooltip=[DAY_TIP, "pages_done:Q"],
        )
    )
    _chart("Pages converted per day", chart)


def _failure_rate(bundles: pd.DataFrame) -> None:
    if bundles.empty:
        _nothing("Failure rate per bundle", "No finished loads in this selection.")
        return
    chart = (
        alt.Chart(bundles)
        .mark_bar(color="#c62828")
        .encode(
            alt.X(
                "rate:Q",
                title="failed / finished loads",
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            alt.Y("bundle:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
            tooltip=["bundle:N", "runs:Q", "failed:Q", alt.Tooltip("rate:Q", format=".1%")],
        )
    )
    _chart("Failure rate per bundle (worst 20)", chart, height=max(HEIGHT, 22 * len(bundles)))
