"""History reads on seeded runs: filters, keyset pages, and the charts' SQL aggregates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from backend.models import Run
from backend.selectors import runs
from backend.selectors.local_day import offset_spans
from backend.selectors.run_detail import Named, redact, redact_text, run_detail
from tests.support.factories import make_bundle_row, make_document_row, make_run
from tests.support.users import user_default

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 28, 12, tzinfo=UTC)  # Berlin moves to summer time on the 29th


@pytest.fixture
def seeded(transactional_db):
    ann, bob = User.objects.create(username="ann"), User.objects.create(username="bob")
    sales = make_bundle_row(ann, name="sales")
    stock = make_bundle_row(ann, name="stock")
    doc = make_document_row(ann, name="a.pdf", sha256="x")
    for i in range(10):  # day 1: conversions of 1..10 s
        make_run(
            ann,
            at=T0 + timedelta(minutes=i),
            kind="conversion",
            status="succeeded",
            duration_s=float(i + 1),
            document=doc,
            pages_done=2,
        )
    for i in range(4):  # day 2 (23:30 UTC on the 28th is the 29th in Berlin): loads
        status = "failed" if i == 0 else "succeeded"
        make_run(
            bob,
            at=datetime(2026, 3, 28, 23, 30 + i, tzinfo=UTC),
            kind="load",
            status=status,
            duration_s=100.0 * (i + 1),
            bundle=sales,
            rows_loaded=0 if status == "failed" else 1000,
            trigger="schedule",
        )
    make_run(
        bob, at=T0 + timedelta(days=2), kind="load", status="failed", bundle=stock, duration_s=5
    )
    make_run(bob, at=T0 + timedelta(days=2, hours=1), kind="load", status="queued", bundle=stock)
    return {"ann": ann, "bob": bob, "sales": sales, "stock": stock, "doc": doc}


def test_filters_combine_on_kind_status_user_bundle_document_trigger_and_dates(seeded):
    count = lambda **f: runs.runs_count(by=user_default(), filters=runs.RunFilters(**f))  # noqa: E731
    assert count() == 16
    assert count(kinds=("load",)) == 6
    assert count(statuses=("failed",)) == 2
    assert count(owner_ids=(seeded["ann"].pk,)) == 10
    assert count(bundle_id=seeded["sales"].pk) == 4
    assert count(bundle_id=seeded["stock"].pk, statuses=("queued",)) == 1
    assert count(document_id=seeded["doc"].pk) == 10
    assert count(triggers=("schedule",)) == 4
    since, until = runs.day_bounds(first=date(2026, 3, 29), last=date(2026, 3, 29), tz=BERLIN)
    assert count(since=since, until=until) == 4  # the Berlin day holds the late-UTC loads


def test_keyset_pages_walk_every_run_once_newest_first(seeded):
    filters, seen, after = runs.RunFilters(), [], None
    while True:
        page = runs.runs_page(by=user_default(), filters=filters, after=after, limit=3)
        seen += [r.id for r in page.rows]
        if page.next is None:
            break
        after = page.next
    ordered = list(Run.objects.order_by("-queued_at", "-id").values_list("id", flat=True))
    assert seen == ordered
    assert len(seen) == 16


def test_daily_groups_by_local_day_kind_and_status(seeded):
    daily = runs.runs_daily(by=user_default(), filters=runs.RunFilters(), tz=BERLIN)
    as_tuples = {(r.day, r.kind, r.status): (r.runs, r.rows_loaded) for r in daily}
    assert as_tuples == {
        (date(2026, 3, 28), "conversion", "succeeded"): (10, 0),
        (date(2026, 3, 29), "load", "failed"): (1, 0),
        (date(2026, 3, 29), "load", "succeeded"): (3, 3000),
        (date(2026, 3, 30), "load", "failed"): (1, 0),
        (date(2026, 3, 30), "load", "queued"): (1, 0),
    }
    pages = sum(r.pages_done for r in daily if r.kind == "conversion")
    assert pages == 20
    in_utc = runs.runs_daily(by=user_default(), filters=runs.RunFilters(), tz=ZoneInfo("UTC"))
    assert {r.day for r in in_utc if r.kind == "load"} == {
        date(2026, 3, 28),
        date(2026, 3, 30),
    }


def test_duration_percentiles_are_nearest_rank_per_day_and_kind(seeded):
    rows = runs.runs_duration_percentiles(by=user_default(), filters=runs.RunFilters(), tz=BERLIN)
    got = {(r.day, r.kind): (r.runs, r.p50, r.p95) for r in rows}
    assert got == {
        (date(2026, 3, 28), "conversion"): (10, 5.0, 10.0),  # ranks ceil(5) and ceil(9.5)
        (date(2026, 3, 29), "load"): (4, 200.0, 400.0),  # ranks 2 and 4
        (date(2026, 3, 30), "load"): (1, 5.0, 5.0),  # the queued run has no duration
    }


def test_failure_rate_per_bundle_counts_finished_loads_only(seeded):
    rows = runs.runs_failure_rate_by_bundle(by=user_default(), filters=runs.RunFilters())
    assert [(r.bundle, r.runs, r.failed, r.rate) for r in rows] == [
        ("stock", 1, 1, 1.0),
        ("sales", 4, 1, 0.25),
    ]


def test_offset_spans_follow_daylight_saving_changes():
    spans = offset_spans(
        tz=BERLIN,
        since=datetime(2026, 1, 1, tzinfo=UTC),
        until=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert spans == [
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 3600),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), 7200),
        (datetime(2027, 1, 1, tzinfo=UTC), 3600),
    ]


def test_run_detail_masks_secrets_and_links_the_document(seeded):
    seeded["doc"].options = {"pages": "1-2", "password": "hunter2"}
    seeded["doc"].save()
    run = Run.objects.filter(document=seeded["doc"]).first()
    detail = run_detail(by=run.owner, run_id=run.pk)
    assert detail is not None
    assert detail.arguments["options"] == {"pages": "1-2", "password": "••••••"}
    assert detail.links.document == Named(seeded["doc"].pk, "a.pdf")
    assert detail.task is None  # no worker ever ran it
    assert redact({"api_key": "k", "key_columns": ["id"], "token": "t"}) == {
        "api_key": "••••••",
        "key_columns": ["id"],
        "token": "••••••",
    }
    assert "hunter2" not in redact_text("{'document_id': 3, 'password': 'hunter2'}")
