"""Cached reads for the pages: the only module that uses st.cache_*.

Caches hold plain data (dicts, lists, DataFrames), never QuerySets or connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import streamlit as st
from django.contrib.auth.models import User

from backend.selectors import bundles, runs, system, warehouse
from backend.services.bundles import bundle_profiles_request

HISTORY_PAGE_SIZE = 50


@st.cache_data(ttl=10, max_entries=1, show_spinner=False)
def workers_alive() -> list[str]:
    """Workers answering a ping; cached because a ping is a broadcast to all of them."""
    return system.system_workers(timeout_s=1.0)


@st.cache_data(ttl=5, max_entries=1, show_spinner=False)
def broker_status() -> system.BrokerStatus:
    return system.system_broker(timeout_s=2.0)


def _user(user_id: int) -> User:
    # Caches key on the user's id, so one person's cached data is never served to another.
    return User.objects.get(pk=user_id)


def bundle_schema(*, user_id: int, bundle_id: int, version: int) -> bundles.SchemaView:
    """The bundle's schema view; `version` is in the key, so any change recomputes it. A view
    that still waits for a worker to read a member's column types is not kept."""
    view = _bundle_schema(user_id=user_id, bundle_id=bundle_id, version=version)
    if view.pending:
        bundle_profiles_request(by=_user(user_id), bundle_id=bundle_id)
        _bundle_schema.clear(user_id=user_id, bundle_id=bundle_id, version=version)
    return view


@st.cache_data(ttl=600, max_entries=64, show_spinner="Reading the bundle's schema…")
def _bundle_schema(*, user_id: int, bundle_id: int, version: int) -> bundles.SchemaView:
    return bundles.bundle_schema_view(by=_user(user_id), bundle_id=bundle_id)


@st.cache_data(ttl=5, max_entries=16, show_spinner=False)
def bundle_table_changes(*, user_id: int, bundle_id: int, version: int) -> bundles.TableChanges:
    """The bundle against its table in the warehouse; short-lived: other loads change it."""
    return bundles.bundle_table_changes(by=_user(user_id), bundle_id=bundle_id)


@st.cache_data(ttl=5, max_entries=16, show_spinner=False)
def warehouse_tables(*, user_id: int) -> warehouse.WarehouseListing:
    return warehouse.warehouse_tables(by=_user(user_id))


@st.cache_data(ttl=5, max_entries=32, show_spinner=False)
def warehouse_preview(*, user_id: int, table: str) -> warehouse.WarehousePreview:
    return warehouse.warehouse_preview(by=_user(user_id), table=table)


@st.cache_data(ttl=5, max_entries=1, show_spinner=False)
def worker_tasks() -> list[system.WorkerTasks]:
    """Workers with their concurrency, queues, and active and reserved tasks."""
    return system.system_worker_tasks(timeout_s=1.0)


@st.cache_data(ttl=5, max_entries=4, show_spinner=False)
def queue_lengths(queues: tuple[str, ...]) -> dict[str, int | None]:
    return system.system_queue_lengths(queues=list(queues))


@st.cache_data(ttl=5, max_entries=64, show_spinner=False)
def history_page(user_id: int, filters: runs.RunFilters, after: runs.Cursor | None) -> runs.RunPage:
    """One page of the filtered run list (a few seconds old at most)."""
    return runs.runs_page(by=_user(user_id), filters=filters, after=after, limit=HISTORY_PAGE_SIZE)


@st.cache_data(ttl=5, max_entries=16, show_spinner=False)
def history_count(user_id: int, filters: runs.RunFilters) -> int:
    return runs.runs_count(by=_user(user_id), filters=filters)


@dataclass(frozen=True)
class HistoryCharts:
    daily: list[runs.DailyRuns]
    durations: list[runs.DailyDurations]
    bundles: list[runs.BundleFailureRate]


@st.cache_data(ttl=30, max_entries=16, show_spinner="Computing the charts…")
def history_charts(user_id: int, filters: runs.RunFilters, tz_name: str) -> HistoryCharts:
    """Every chart's aggregates over the filtered runs, in the viewer's timezone."""
    tz, by = ZoneInfo(tz_name), _user(user_id)
    return HistoryCharts(
        daily=runs.runs_daily(by=by, filters=filters, tz=tz),
        durations=runs.runs_duration_percentiles(by=by, filters=filters, tz=tz),
        bundles=runs.runs_failure_rate_by_bundle(by=by, filters=filters),
    )


@st.cache_data(ttl=30, max_entries=16, show_spinner=False)
def history_filter_choices(user_id: int) -> runs.FilterChoices:
    return runs.runs_filter_choices(by=_user(user_id))


@st.cache_data(ttl=5, max_entries=4, show_spinner=False)
def recent_failures(
    user_id: int, limit: int = 10, system: bool | None = None
) -> list[runs.FailedRun]:
    return runs.runs_recent_failures(by=_user(user_id), limit=limit, system=system)
