"""The History page through AppTest: seeded runs show as rows, charts and a detail."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from streamlit.testing.v1 import AppTest

from backend.models import Run
from backend.scheduling.spec import ScheduleSpec
from backend.services.bundles import table_create_from_csv
from backend.services.schedules import schedule_save
from dashboard import state
from tests.dashboard.test_pages import APP
from tests.support.factories import make_bundle_row, make_document_row, make_run
from tests.support.users import user_default


@pytest.fixture
def history(transactional_db):
    me = user_default()
    other = User.objects.create(username="other")
    bundle = make_bundle_row(me, name="sales")
    document = make_document_row(me, name="q3.pdf", sha256="x")
    now = timezone.now()
    for i in range(60):
        make_run(
            me if i % 2 else other,
            at=now - timedelta(hours=3 * i + 1),
            kind="conversion" if i % 3 else "load",
            status="failed" if i % 7 == 0 else "succeeded",
            duration_s=float(i + 1),
            document=document if i % 3 else None,
            bundle=None if i % 3 else bundle,
            pages_done=3,
            rows_loaded=0 if i % 3 else 500,
        )
    return {"document": document, "bundle": bundle}


def open_history(**query) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    app.switch_page("app_pages/history.py")
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def test_history_lists_runs_in_pages_and_draws_every_chart(history):
    app = open_history()
    assert "Runs 1–50 of 60" in [c.value for c in app.caption]
    table = app.dataframe[0].value
    assert len(table) == 50
    assert any(column.startswith("queued (") for column in table.columns)
    assert set(table["status"]) == {"succeeded", "failed"}
    charts = app.get("vega_lite_chart")
    assert len(charts) == 5

    older = next(b for b in app.button if b.label == "Older")
    older.click().run()
    assert "Runs 51–60 of 60" in [c.value for c in app.caption]


def test_history_filters_narrow_the_list(history):
    app = open_history()
    app.multiselect[0].select("load").run()  # Kind
    assert "Runs 1–20 of 20" in [c.value for c in app.caption]
    assert set(app.dataframe[0].value["kind"]) == {"load"}


def test_a_chart_with_nothing_to_draw_says_why_instead_of_empty_axes(history):
    app = open_history()
    app.multiselect[0].select("conversion").run()  # Kind
    assert len(app.get("vega_lite_chart")) == 3  # runs, durations, pages converted
    captions = [c.value for c in app.caption]
    assert "No load succeeded in this selection." in captions
    assert "No finished loads in this selection." in captions


def test_a_failed_run_opens_from_a_link_and_is_retried(history):
    failed = Run.objects.filter(status="failed", kind="conversion").first()
    app = open_history(run=str(failed.pk))
    assert any(f"Run {failed.pk}: conversion, failed" in h.value for h in app.subheader)
    retry = next(b for b in app.button if b.label == "Retry")
    retry.click().run()
    assert not app.exception, app.exception
    retried = Run.objects.get(retry_of=failed)
    assert retried.status == Run.Status.QUEUED
    assert any(f"Run {retried.pk}: conversion, queued" in h.value for h in app.subheader)


def test_open_the_schedule_opens_the_schedules_form_on_the_runs_bundle(transactional_db):
    me = user_default()
    first = make_bundle_row(me, name="Alpha")
    scheduled = make_bundle_row(me, name="Zulu")
    for bundle in (first, scheduled):  # a bundle with a table can load, so it can be scheduled
        table_create_from_csv(owner=me, name="t.csv", content=b"day,n\n1,2\n", bundle_id=bundle.pk)
    spec = ScheduleSpec("daily", "Europe/Berlin", run_time=time(2, 30))
    schedule = schedule_save(bundle_id=scheduled.pk, owner=me, spec=spec)
    run = make_run(
        me, at=timezone.now(), kind="load", status="succeeded", duration_s=1.0, bundle=scheduled
    )
    fired_by = {"id": schedule.pk, "frequency": "daily"}
    Run.objects.filter(pk=run.pk).update(trigger="schedule", inputs={"schedule": fired_by})

    app = open_history(run=str(run.pk))
    next(b for b in app.button if b.label == "Open the schedule").click().run()

    assert not app.exception, app.exception
    assert app.selectbox(key=state.SCHEDULE_BUNDLE).value == scheduled.pk
