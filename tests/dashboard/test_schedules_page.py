"""The Schedules page through AppTest, on seeded schedules and runs in the test database."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from streamlit.testing.v1 import AppTest

from backend.models import BundleSchedule, Run
from backend.scheduling.spec import ScheduleSpec
from backend.services.bundles import table_create_from_csv
from backend.services.schedules import schedule_save
from tests.support.factories import make_bundle_row, make_run
from tests.support.users import user_default

APP = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded():
    user = user_default()
    sales = make_bundle_row(user, name="Sales")
    stock = make_bundle_row(user, name="Stock")
    for bundle in (sales, stock):  # a bundle with a table can load, so it can be scheduled
        table_create_from_csv(
            owner=user, name="t.csv", content=b"day,n\n1,2\n", bundle_id=bundle.pk
        )
    spec = ScheduleSpec("daily", "Europe/Berlin", run_time=time(2, 30))
    schedule_save(bundle_id=sales.pk, owner=user, spec=spec)
    now = timezone.now()
    for i, status in enumerate(["succeeded", "failed", "started", "queued"]):
        run = make_run(
            kind="load",
            owner=user,
            bundle=sales,
            task_id=f"seed-{i}",
            status=status,
            trigger="schedule",
            error="Warehouse refused the load" if status == "failed" else "",
        )
        Run.objects.filter(pk=run.pk).update(queued_at=now - timedelta(hours=3 - i))
    return {"sales": sales, "stock": stock, "user": user}


def open_schedules() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    app.switch_page("app_pages/schedules.py")
    app.run()
    assert not app.exception, app.exception
    return app


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def test_lists_schedules_and_draws_the_calendar(seeded):
    app = open_schedules()
    text = " ".join(m.value for m in app.markdown) + " ".join(c.value for c in app.caption)
    assert "every day at 02:30, Europe/Berlin" in text.replace("\\", "")
    assert ":green-badge[:material/schedule: active]" in text
    assert "Warehouse refused" not in text  # the newest run (queued) is the last load shown
    warnings = [w.value for w in app.warning]
    assert any("02:30 does not exist" in w and "03:30 CEST" in w for w in warnings)
    assert any("occurs twice" in w for w in warnings)
    assert "Next 5 runs" in text


def test_form_refuses_a_bad_cron_and_saves_a_good_one(seeded):
    app = open_schedules()
    app.selectbox(key="schedule_bundle").set_value(seeded["stock"].pk).run()
    frequency = app.radio(key=f"schedule-frequency-{seeded['stock'].pk}-unscheduled")
    assert "None" not in frequency.options  # nothing to remove
    frequency.set_value("cron").run()
    cron = app.text_input(key=f"cron-{seeded['stock'].pk}-cron")
    cron.input("0 6 1 * 1")
    button(app, "Preview").click().run()
    assert any("not both" in e.value for e in app.error)
    assert not BundleSchedule.objects.filter(bundle=seeded["stock"]).exists()

    app.text_input(key=f"cron-{seeded['stock'].pk}-cron").input("0 6 * * 1-5")
    button(app, "Save schedule").click().run()
    assert not app.exception, app.exception
    saved = BundleSchedule.objects.get(bundle=seeded["stock"])
    assert saved.frequency == "cron" and saved.form == {"cron": "0 6 * * 1-5"}
    assert saved.periodic_task.crontab.day_of_week == "1-5"
    assert any("Saved" in m.value for m in app.markdown)
    # The form now starts from the saved choice, and offers to remove it.
    frequency = app.radio(key=f"schedule-frequency-{seeded['stock'].pk}-cron")
    assert frequency.value == "cron" and "None" in frequency.options


def test_pause_button_pauses_the_beat_row(seeded):
    app = open_schedules()
    task = BundleSchedule.objects.get(bundle=seeded["sales"]).periodic_task
    app.button(key=f"pause-{task.bundleschedule.pk}").click().run()
    assert PeriodicTask.objects.get(pk=task.pk).enabled is False
    assert any("paused" in s.value for s in app.success)


def calendar_html(app: AppTest) -> str:
    return " ".join(h.proto.body for h in app.get("html"))


def test_calendar_draws_runs_by_outcome_and_planned_fires(seeded):
    app = open_schedules()
    html = calendar_html(app)
    assert "<table class='cal'>" in html
    for state in ("succeeded", "failed", "running", "queued", "planned"):
        assert f"title='{state}" in html or f" {state}" in html, state
    assert "✕" in html and "✓" in html and "○" in html  # failed, succeeded, planned chips

    week = next(r for r in app.radio if r.options == ["Month", "Week"])
    week.set_value("Week").run()
    assert not app.exception, app.exception
    html = calendar_html(app)
    assert "Sales · failed" in html and "Sales · planned" in html


def test_filters_narrow_the_list_and_calendar(seeded):
    ana = User.objects.create(username="ana")
    payroll = make_bundle_row(ana, name="Payroll")
    schedule_save(bundle_id=payroll.pk, owner=ana, spec=ScheduleSpec("hourly", "UTC", minute=5))
    app = open_schedules()
    assert "Sales" in calendar_html(app) and "Payroll" in calendar_html(app)
    user_filter = next(s for s in app.selectbox if s.label == "User")
    user_filter.set_value("ana").run()
    assert not app.exception, app.exception
    listed = " ".join(m.value for m in app.markdown)
    assert "Payroll" in listed and "**Sales**" not in listed
    assert "Sales" not in calendar_html(app)


def test_a_bundle_that_cannot_load_cannot_be_scheduled_and_says_why(seeded):
    empty = make_bundle_row(seeded["user"], name="Empty")
    app = open_schedules()
    app.selectbox(key="schedule_bundle").set_value(empty.pk).run()
    assert any("This bundle cannot load yet" in w.value for w in app.warning)
    assert any("no tables yet" in w.value for w in app.warning)
    assert button(app, "Save schedule").disabled
    assert not BundleSchedule.objects.filter(bundle=empty).exists()


def test_every_chip_shows_its_time_and_the_actions_say_what_they_do(seeded):
    ana = User.objects.create(username="ana")
    payroll = make_bundle_row(ana, name="Payroll")
    schedule_save(bundle_id=payroll.pk, owner=ana, spec=ScheduleSpec("hourly", "UTC", minute=5))
    app = open_schedules()
    html = calendar_html(app)
    # Hourly fires fold into one chip a day, which still leads with the hours it covers.
    assert re.search(r">\S*\s*\d\d:05–\d\d:05 Payroll ×\d+<", html), html[:2000]
    labels = {b.label for b in app.button}
    assert {"Pause", "Run now", "Edit below"} <= labels


def test_pause_resume_and_delete_act_on_the_row_s_bundle_and_say_so(seeded):
    sales = BundleSchedule.objects.get(bundle__name="Sales")
    app = open_schedules()
    button(app, "Pause").click().run()
    assert [s.value for s in app.success] == ["Sales: paused."]
    assert not PeriodicTask.objects.get(pk=sales.periodic_task_id).enabled
    button(app, "Resume").click().run()
    assert [s.value for s in app.success] == ["Sales: resumed; it runs from its next time on."]
    assert PeriodicTask.objects.get(pk=sales.periodic_task_id).enabled
    button(app, "Yes, delete the schedule").click().run()
    assert [s.value for s in app.success] == ["Sales: schedule deleted."]
    assert not BundleSchedule.objects.filter(pk=sales.pk).exists()


def test_an_action_on_a_schedule_deleted_since_the_page_drew_it_says_it_is_gone(seeded):
    app = open_schedules()
    BundleSchedule.objects.filter(bundle__name="Sales").delete()
    button(app, "Pause").click().run()
    assert [e.value for e in app.error] == ["Sales: Sales has no schedule any more."]
