"""Reads of the run history: filtered pages of runs and the charts' aggregates, in SQL."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import CumeDist
from django.utils import timezone

from backend.access import bundles_visible, is_admin, owned, runs_visible
from backend.models import Bundle, Document, Run
from backend.selectors.local_day import LocalDate

LIST_FIELDS = (
    "id",
    "kind",
    "status",
    "trigger",
    "owner__username",
    "document_id",
    "document__name",
    "bundle_id",
    "bundle__name",
    "bundle_name",
    "target",
    "queued_at",
    "started_at",
    "finished_at",
    "duration_s",
    "pages_done",
    "pages_total",
    "tables_found",
    "rows_loaded",
    "message",
    "retry_of_id",
)
PERCENTILES = (50, 95)  # DailyDurations.p50 and .p95
# The run vocabulary as the pages filter and colour by it; the model's choices define it.
RUN_KINDS = tuple(Run.Kind.values)
RUN_STATUSES = tuple(Run.Status.values)
RUN_TRIGGERS = tuple(Run.Trigger.values)
ACTIVE_STATUSES = tuple(str(s) for s in Run.ACTIVE)
FINAL_STATUSES = tuple(s for s in RUN_STATUSES if s not in ACTIVE_STATUSES)
# The History page opens on this many days; a wider range is one filter away.
HISTORY_DEFAULT_DAYS = 30


@dataclass(frozen=True)
class RunFilters:
    """What the History page filters on; empty means everything. `until` is exclusive."""

    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()
    bundle_id: int | None = None
    document_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Cursor:
    """Where a page of runs ended: the last row's (queued_at, id)."""

    queued_at: datetime
    id: int


@dataclass(frozen=True)
class RunRow:
    """One run as History lists it."""

    id: int
    kind: Run.Kind
    status: Run.Status
    trigger: Run.Trigger
    owner: str
    subject: str  # the document's name, or the bundle's (as named when the run was queued)
    queued_at: datetime
    started_at: datetime | None
    waited_s: float | None  # time in the queue; None while it waits
    duration_s: float | None
    pages_done: int
    rows_loaded: int
    message: str


@dataclass(frozen=True)
class RunPage:
    rows: list[RunRow]
    next: Cursor | None  # None on the last page


def runs_filtered(*, by: User, filters: RunFilters) -> QuerySet[Run]:
    """Runs matching the filters; every condition is on an indexed or foreign-key column."""
    q = Q()
    for name, values in (
        ("kind", filters.kinds),
        ("status", filters.statuses),
        ("trigger", filters.triggers),
        ("owner_id", filters.owner_ids),
    ):
        if values:
            q &= Q(**{f"{name}__in": values})
    if filters.bundle_id is not None:
        q &= Q(bundle_id=filters.bundle_id)
    if filters.document_id is not None:
        q &= Q(document_id=filters.document_id)
    if filters.since is not None:
        q &= Q(queued_at__gte=filters.since)
    if filters.until is not None:
        q &= Q(queued_at__lt=filters.until)
    return runs_visible(by).filter(q)


def runs_page(
    *, by: User, filters: RunFilters, after: Cursor | None = None, limit: int = 50
) -> RunPage:
    """Up to `limit` runs newest first, older than `after`: keyset paging on the queued index."""
    qs = runs_filtered(by=by, filters=filters)
    if after is not None:
        qs = qs.filter(
            Q(queued_at__lt=after.queued_at) | Q(queued_at=after.queued_at, id__lt=after.id)
        )
    rows = list(qs.order_by("-queued_at", "-id").values(*LIST_FIELDS)[: limit + 1])
    more = len(rows) > limit
    listed = [_run_row(row) for row in rows[:limit]]
    cursor = Cursor(listed[-1].queued_at, listed[-1].id) if more else None
    return RunPage(rows=listed, next=cursor)


def waited_s(queued_at: datetime, started_at: datetime | None) -> float | None:
    """How long a run waited in the queue, in seconds; None while it still waits."""
    return None if started_at is None else (started_at - queued_at).total_seconds()


def _run_row(row: dict[str, Any]) -> RunRow:
    if row["kind"] == Run.Kind.CONVERSION:
        subject = row["document__name"] or "(deleted document)"
    else:
        subject = row["bundle_name"] or row["bundle__name"] or ""
    return RunRow(
        id=row["id"],
        kind=Run.Kind(row["kind"]),
        status=Run.Status(row["status"]),
        trigger=Run.Trigger(row["trigger"]),
        owner=row["owner__username"],
        subject=subject,
        queued_at=row["queued_at"],
        started_at=row["started_at"],
        waited_s=waited_s(row["queued_at"], row["started_at"]),
        duration_s=row["duration_s"],
        pages_done=row["pages_done"],
        rows_loaded=row["rows_loaded"],
        message=row["message"],
    )


def runs_any_active(*, by: User, filters: RunFilters) -> bool:
    """Whether a run matching the filters is queued or running, i.e. the list is live."""
    return runs_filtered(by=by, filters=filters).filter(status__in=Run.ACTIVE).exists()


def runs_count(*, by: User, filters: RunFilters) -> int:
    """How many runs match the filters."""
    return runs_filtered(by=by, filters=filters).count()


def runs_span(*, by: User, filters: RunFilters) -> tuple[datetime, datetime] | None:
    """The filters' time range, closed with the oldest and newest run where it is open."""
    since, until = filters.since, filters.until
    if since is None or until is None:
        # Two single probes of the queued index (MIN and MAX together make SQLite scan).
        times = runs_visible(by).values_list("queued_at", flat=True)
        first, last = times.order_by("queued_at").first(), times.order_by("-queued_at").first()
        if first is None or last is None:
            return None
        since = since or first
        until = until or last + timedelta(seconds=1)
    return since, until


@dataclass(frozen=True)
class DailyRuns:
    """Runs of one local day, kind and status."""

    day: date
    kind: Run.Kind
    status: Run.Status
    runs: int
    rows_loaded: int
    pages_done: int


@dataclass(frozen=True)
class DailyDurations:
    """Nearest-rank percentiles of the durations of one local day's finished runs of a kind."""

    day: date
    kind: Run.Kind
    runs: int
    p50: float
    p95: float


@dataclass(frozen=True)
class BundleFailureRate:
    bundle_id: int
    bundle: str
    runs: int  # finished loads
    failed: int
    rate: float  # failed / runs


def runs_daily(*, by: User, filters: RunFilters, tz: ZoneInfo) -> list[DailyRuns]:
    """Per local day, kind and status: runs, rows loaded and pages done (one grouped scan)."""
    span = runs_span(by=by, filters=filters)
    if span is None:
        return []
    day = LocalDate("queued_at", tzinfo=tz, since=span[0], until=span[1])
    columns = ("day", "kind", "status", "rows_loaded", "pages_done")
    inner = runs_filtered(by=by, filters=filters).annotate(day=day).values(*columns).order_by()
    # Grouped outside the ORM so that the day leads the GROUP BY: grouped by kind
    # first, SQLite walks the kind index and reads the table in random order.
    rows = _fetch(
        "SELECT day, kind, status, COUNT(*), SUM(rows_loaded), SUM(pages_done) "
        "FROM ({}) runs GROUP BY day, kind, status",
        inner,
    )
    out = [
        DailyRuns(_as_date(d), Run.Kind(k), Run.Status(st), n, r or 0, p or 0)
        for d, k, st, n, r, p in rows
    ]
    return sorted(out, key=lambda r: (r.day, r.kind, r.status))


def _fetch(template: str, inner: QuerySet) -> list[tuple]:
    sql, params = inner.query.sql_with_params()
    postgres = connection.vendor == "postgresql"
    # (SQLite's IMMEDIATE transactions would take the write lock: no transaction there.)
    with transaction.atomic() if postgres else nullcontext(), connection.cursor() as cursor:
        if postgres:
            # A year of runs sorted for the percentiles spills to disk at the default 4 MB.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(template.format(sql), params)
        return cursor.fetchall()


def runs_duration_percentiles(
    *, by: User, filters: RunFilters, tz: ZoneInfo
) -> list[DailyDurations]:
    """Per local day and kind: p50 and p95 (nearest rank) of the finished runs' durations."""
    span = runs_span(by=by, filters=filters)
    if span is None:
        return []
    day = LocalDate("queued_at", tzinfo=tz, since=span[0], until=span[1])
    group = [F("day"), F("kind")]
    ranked = (
        runs_filtered(by=by, filters=filters)
        .filter(duration_s__isnull=False)
        .annotate(day=day)
        .annotate(cd=Window(CumeDist(), partition_by=group, order_by=F("duration_s").asc()))
        .values("day", "kind", "duration_s", "cd")
        .order_by()  # the model's default ordering would cost a second full sort
    )
    # One sort per (day, kind) serves every percentile, on SQLite and PostgreSQL alike:
    # the nearest-rank p-th percentile is the smallest duration whose cume_dist >= p.
    picks = ", ".join(f"MIN(CASE WHEN cd >= {p / 100!r} THEN duration_s END)" for p in PERCENTILES)
    rows = _fetch(
        f"SELECT day, kind, COUNT(*), {picks} FROM ({{}}) ranked "
        "GROUP BY day, kind ORDER BY day, kind",
        ranked,
    )
    return [
        DailyDurations(_as_date(day_), Run.Kind(kind), n, p50, p95)
        for day_, kind, n, p50, p95 in rows
    ]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def runs_failure_rate_by_bundle(
    *, by: User, filters: RunFilters, limit: int = 20
) -> list[BundleFailureRate]:
    """Bundles whose loads failed most often: failed / (succeeded + failed), worst first."""
    ended = Q(status__in=(Run.Status.SUCCEEDED, Run.Status.FAILED))
    grouped = (
        runs_filtered(by=by, filters=filters)
        .filter(ended, kind=Run.Kind.LOAD, bundle_id__isnull=False)
        .values("bundle_id")
        .annotate(runs=Count("id"), failed=Count("id", filter=Q(status=Run.Status.FAILED)))
    )
    rows = sorted(grouped, key=lambda r: (-r["failed"] / r["runs"], -r["runs"], r["bundle_id"]))
    rows = rows[:limit]
    names = _bundle_names([r["bundle_id"] for r in rows])
    return [
        BundleFailureRate(
            bundle_id=r["bundle_id"],
            bundle=names.get(r["bundle_id"], f"#{r['bundle_id']}"),
            runs=r["runs"],
            failed=r["failed"],
            rate=r["failed"] / r["runs"],
        )
        for r in rows
    ]


def _bundle_names(ids: list[int]) -> dict[int, str]:
    return dict(Bundle.objects.filter(pk__in=ids).values_list("id", "name"))


@dataclass(frozen=True)
class FailedRun:
    run: RunRow
    error: str


def runs_recent_failures(
    *, by: User, limit: int = 10, system: bool | None = None
) -> list[FailedRun]:
    """The newest failed runs with their errors; only the system's failures (crashes, time
    limits, warehouse unreachable) or only the input's when `system` is given."""
    qs = runs_visible(by).filter(status=Run.Status.FAILED).order_by("-queued_at", "-id")
    if system is not None:
        qs = qs.filter(system_failure=system)
    rows = qs.values(*LIST_FIELDS, "error")[:limit]
    return [FailedRun(_run_row(row), row["error"]) for row in rows]


def day_bounds(*, first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in tz, as UTC instants for the filters."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_now(*, tz: ZoneInfo) -> datetime:
    return timezone.now().astimezone(tz)


def history_default_filters(*, today: date, tz: ZoneInfo, days: int | None = None) -> RunFilters:
    """The History page's first screen: the last `days` local days (None: all runs)."""
    if days is None:
        return RunFilters()
    since, until = day_bounds(first=today - timedelta(days=days - 1), last=today, tz=tz)
    return RunFilters(since=since, until=until)


@dataclass(frozen=True)
class FilterChoices:
    """Names by id, in the order the filters list them."""

    users: dict[int, str]
    bundles: dict[int, str]
    documents: dict[int, str]


def runs_filter_choices(*, by: User, documents_limit: int = 300) -> FilterChoices:
    """Users, bundles and the newest documents the user may see, for History's filters."""
    users = User.objects.all() if is_admin(by) else User.objects.filter(pk=by.pk)
    documents = owned(Document.objects, by).order_by("-created_at")
    return FilterChoices(
        users=dict(users.order_by("username").values_list("id", "username")),
        bundles=dict(bundles_visible(by).order_by("name").values_list("id", "name")),
        documents=dict(documents.values_list("id", "name")[:documents_limit]),
    )
