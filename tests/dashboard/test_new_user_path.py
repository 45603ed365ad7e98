"""What a new user trips on, through AppTest: pickers, column names, deletes, outcomes."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st
from django.conf import settings
from django.core.files.base import ContentFile
from streamlit.testing.v1 import AppTest

from backend.integrations.warehouse import connect_warehouse
from backend.integrations.warehouse.schema import infer_column_types
from backend.models import Bundle, Document, Run
from backend.selectors.schedules import schedule_calendar, schedule_timezones
from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.loads import load_enqueue
from backend.services.pdf_passwords import document_password
from backend.services.tables import table_create_extracted
from dashboard.components.run_charts import chart_window
from tests.dashboard.test_data_pages import open_page
from tests.dashboard.test_pages import APP
from tests.support.factories import make_run
from tests.support.users import user_default


def document_with_table(user, name: str, rows: list[list[str]]) -> Document:
    document = Document(owner=user, name=name, sha256=name, size_bytes=3, page_count=1)
    document.file.save(name, ContentFile(b"%PDF-1.4"), save=False)
    document.status = Document.Status.CONVERTED
    document.save()
    table_create_extracted(
        document=document, rows=rows, number=1, first_page=1, last_page=1, strategy="lines"
    )
    return document


def preview_columns(app: AppTest) -> list[list[str]]:
    return [list(f.value.columns) for f in app.dataframe]


def test_every_document_picked_in_turn_is_shown_at_once(user):
    alpha = document_with_table(user, "alpha.pdf", [["A1", "A2"], ["1", "2"]])
    beta = document_with_table(user, "beta.pdf", [["B1", "B2"], ["3", "4"]])
    gamma = document_with_table(user, "gamma.pdf", [["G1", "G2"], ["5", "6"]])
    app = open_page("documents")
    for document, header in ((alpha, "A1"), (beta, "B1"), (gamma, "G1"), (alpha, "A1")):
        app.selectbox(key="document_id-picker").select(document.pk).run()
        assert not app.exception, app.exception
        assert app.selectbox(key="document_id-picker").value == document.pk
        assert [header, f"{header[0]}2"] in preview_columns(app), document.name


def test_a_document_opened_from_another_page_is_the_one_shown(user):
    alpha = document_with_table(user, "alpha.pdf", [["A1", "A2"], ["1", "2"]])
    document_with_table(user, "beta.pdf", [["B1", "B2"], ["3", "4"]])
    app = open_page("documents", document_id=alpha.pk)
    assert app.selectbox(key="document_id-picker").value == alpha.pk
    assert ["A1", "A2"] in preview_columns(app)


def test_every_bundle_picked_in_turn_is_shown_at_once(user):
    bundles = [
        bundle_create(owner=user, name=name, target_table=name, load_mode="append")
        for name in ("north", "south", "west")
    ]
    app = open_page("bundles")
    for bundle in (bundles[1], bundles[2], bundles[0], bundles[1]):
        app.selectbox(key="bundle_id-picker").select(bundle.pk).run()
        assert not app.exception, app.exception
        assert app.subheader[0].value == bundle.name


def texts(app: AppTest) -> str:
    parts = [e.value for e in (*app.success, *app.error, *app.warning, *app.info)]
    return " ".join(str(p) for p in parts) + " " + " ".join(m.value for m in app.markdown)


def test_a_bundle_is_deleted_only_after_confirming_and_its_runs_keep_its_name(user):
    bundle = bundle_create(owner=user, name="Quarterly", target_table="q", load_mode="append")
    table_create_from_csv(owner=user, name="q.csv", content=b"a,b\n1,2\n", bundle_id=bundle.pk)
    run = load_enqueue(bundle_id=bundle.pk, owner=user)
    app = open_page("bundles", bundle_id=bundle.pk)
    assert "Delete bundle" not in [b.label for b in app.button]  # a popover, not one click
    assert Bundle.objects.filter(pk=bundle.pk).exists()
    next(b for b in app.button if b.label == "Yes, delete the bundle").click().run()
    assert not app.exception, app.exception
    assert not Bundle.objects.filter(pk=bundle.pk).exists()
    assert "Bundle **Quarterly** deleted." in [s.value for s in app.success]
    run.refresh_from_db()
    assert (run.bundle_id, run.bundle_name) == (None, "Quarterly")

    st.cache_data.clear()  # History's page cache may hold another test's runs
    app.switch_page("app_pages/history.py").run()
    assert "Quarterly" in set(app.dataframe[0].value["document or bundle"])


def test_a_bundle_that_cannot_load_says_why_and_offers_no_load(user):
    bundle = bundle_create(owner=user, name="Empty", target_table="empty", load_mode="append")
    app = open_page("bundles", bundle_id=bundle.pk)
    buttons = {b.label: b for b in app.button}
    assert buttons["Load now"].disabled and buttons["Schedule loads"].disabled
    assert "no tables yet" in buttons["Load now"].help
    assert "Load now and Schedule loads are off" in app.warning[0].value
    assert "no tables yet" in app.warning[0].value
    assert not Run.objects.exists()


def test_load_now_says_what_it_queued_and_the_message_stays(user):
    bundle = bundle_create(owner=user, name="Sales", target_table="sales", load_mode="append")
    table_create_from_csv(owner=user, name="s.csv", content=b"day,sum\n1,2\n", bundle_id=bundle.pk)
    app = open_page("bundles", bundle_id=bundle.pk)
    button = next(b for b in app.button if b.label == "Load now")
    assert not button.disabled
    button.click().run()
    run = Run.objects.get(bundle=bundle)
    bundle.refresh_from_db()
    message = f"Load queued as run {run.pk} (version {bundle.version}); see the Loads tab."
    assert message in [s.value for s in app.success]
    app.run()  # any later rerun keeps it on screen
    assert message in [s.value for s in app.success]
    next(b for b in app.button if b.label == "Dismiss").click().run()
    assert message not in [s.value for s in app.success]


def test_a_cancelled_conversion_is_called_cancelled_not_failed(user):
    document = document_with_table(user, "minutes.pdf", [["a", "b"], ["1", "2"]])
    Document.objects.filter(pk=document.pk).update(
        status="failed", error="The conversion was cancelled."
    )
    make_run(kind="conversion", owner=user, task_id="c-1", document=document, status="revoked")
    app = open_page("upload")
    card = " ".join(m.value for m in app.markdown)
    assert ":material/block: cancelled" in card and "failed" not in card
    assert "The conversion was cancelled" in app.info[0].value
    assert not app.error


def test_warehouse_last_load_is_the_one_that_added_rows(user):
    columns = infer_column_types(["country", "score"], [["Peru", "1"]])
    with connect_warehouse(settings.WAREHOUSE_URL) as warehouse:
        warehouse.load(
            target="scores_last_load", columns=columns, rows=[["Peru", "1"]], load_id="s-1"
        )
    bundle = bundle_create(
        owner=user, name="Scores", target_table="scores_last_load", load_mode="append"
    )
    for task_id, rows, at in (
        ("wrote", 1, "2026-01-02T03:04:05Z"),
        ("repeat", 0, "2026-01-03T00:00:00Z"),
    ):
        make_run(
            kind="load",
            owner=user,
            task_id=task_id,
            bundle=bundle,
            status="succeeded",
            target="scores_last_load",
            rows_loaded=rows,
            finished_at=at,
        )
    st.cache_data.clear()  # the Warehouse page's cache may hold another test's tables
    app = open_page("warehouse")
    overview = app.dataframe[0].value
    wrote = Run.objects.get(task_id="wrote")
    last = overview[overview["table"] == "scores_last_load"].iloc[0]["last load"]
    assert last.startswith(f"Scores · run #{wrote.pk}")


def test_run_detail_shows_what_the_run_ran_not_the_bundle_today(user):
    bundle = bundle_create(owner=user, name="Sales", target_table="sales", load_mode="append")
    table_create_from_csv(
        owner=user, name="jan.csv", content=b"day,sum\n1,2\n", bundle_id=bundle.pk
    )
    run = load_enqueue(bundle_id=bundle.pk, owner=user)
    ran_version = run.inputs["bundle_version"]
    table_create_from_csv(
        owner=user, name="feb.csv", content=b"day,sum\n3,4\n", bundle_id=bundle.pk
    )
    bundle.refresh_from_db()
    assert bundle.version > ran_version

    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    app.switch_page("app_pages/history.py")
    app.query_params["run"] = str(run.pk)
    app.run()
    assert not app.exception, app.exception
    arguments = app.json[0].value
    assert f'"bundle_version": {ran_version}' in arguments
    assert '"bundle": "Sales"' in arguments
    tables = next(f.value for f in app.dataframe if "name" in f.value.columns)
    assert list(tables["name"]) == ["jan.csv"]  # not feb.csv, added after the run
    assert not any("fired by schedule" in m.value for m in app.markdown)


def test_history_and_schedules_show_times_in_one_zone_from_a_list_without_aliases(user):
    zones = schedule_timezones()
    assert zones[0] == settings.TIME_ZONE
    assert {"Europe/Berlin", "America/New_York", "UTC"} <= set(zones)
    assert not {"US/Eastern", "GB", "Etc/GMT+5", "Zulu"} & set(zones)
    history = open_page("history")
    schedules = open_page("schedules")
    history_zone = next(s.value for s in history.selectbox if s.label == "Timezone")
    schedules_zone = next(s.value for s in schedules.selectbox if s.label == "Show times in")
    assert history_zone == schedules_zone == settings.TIME_ZONE
    assert list(next(s for s in history.selectbox if s.label == "Timezone").options) == zones


def failed_upload(user, name: str, sha: str, error: str) -> Document:
    document = Document(owner=user, name=name, sha256=sha, size_bytes=3, status="failed")
    document.file.save(name, ContentFile(b"%PDF-1.4"), save=False)
    document.error = error
    document.save()
    return document


def test_upload_cards_retry_a_failure_with_a_password_open_and_dismiss(user):
    locked = failed_upload(user, "locked.pdf", "l", "the PDF is password-protected")
    done = document_with_table(user, "done.pdf", [["a", "b"], ["1", "2"]])
    app = open_page("upload")
    assert "uploaded" in " ".join(m.value for m in app.markdown)
    password = next(t for t in app.text_input if t.label == "Password, if the PDF is encrypted")
    password.input("userpass")
    next(b for b in app.button if b.label == "Convert again").click().run()
    assert not app.exception, app.exception
    locked.refresh_from_db()
    assert locked.status == "queued" and document_password(document=locked) == "userpass"
    assert "userpass" not in str(locked.options), "kept sealed, never in plain text"
    assert Run.objects.filter(document=locked, status="queued").exists()

    dismiss = [b for b in app.button if b.label == "Dismiss" and b.key == f"dismiss-doc-{done.pk}"]
    dismiss[0].click().run()
    assert not any(f"**{done.name}**" in m.value for m in app.markdown)

    next(b for b in app.button if b.key == f"open-doc-{locked.pk}").click().run()
    assert app.title[0].value == "Documents"
    assert app.selectbox(key="document_id-picker").value == locked.pk


def test_an_old_failure_leaves_upload_once_the_same_file_converts(user):
    failed = failed_upload(user, "report.pdf", "same", "the worker stopped")
    again = document_with_table(user, "report.pdf", [["a", "b"], ["1", "2"]])
    Document.objects.filter(pk=again.pk).update(sha256="same")
    other = failed_upload(user, "other.pdf", "other", "the PDF is damaged")
    app = open_page("upload")
    errors = " ".join(e.value for e in app.error)
    assert "the PDF is damaged" in errors and "the worker stopped" not in errors
    assert failed.pk != other.pk


def test_all_tables_of_a_document_join_a_bundle_in_one_pick(user):
    report = document_with_table(user, "report.pdf", [["a", "b"], ["1", "2"]])
    table_create_extracted(
        document=report, rows=[["a", "b"], ["3", "4"]], number=2, first_page=2, last_page=2
    )
    document_with_table(user, "other.pdf", [["a", "b"], ["5", "6"]])
    bundle = bundle_create(owner=user, name="Report", target_table="report", load_mode="append")
    app = open_page("bundles", bundle_id=bundle.pk)
    whole = next(m for m in app.multiselect if m.label == "Add all tables of these documents")
    assert whole.options == ["other.pdf", "report.pdf"]
    whole.select(report.pk)
    next(b for b in app.button if b.label == "Save tables").click().run()
    assert not app.exception, app.exception
    assert set(bundle.tables.values_list("pk", flat=True)) == set(
        report.tables.values_list("pk", flat=True)
    )
    assert bundle.tables.count() == 2


def test_a_failure_on_system_links_to_its_run_in_this_tab_and_the_link_wins(user):
    picked = make_run(kind="load", owner=user, task_id="p-1", status="succeeded")
    failed = make_run(
        kind="load", owner=user, task_id="f-1", status="failed", error="the warehouse said no"
    )
    app = open_page("system")
    links = app.get("page_link")
    assert any(f"Run {failed.pk}" in str(link.proto) for link in links)
    assert any(f"run={failed.pk}" in str(link.proto) for link in links)

    app = open_page("history", history_run=picked.pk)
    assert any(f"Run {picked.pk}: load" in h.value for h in app.subheader)
    app.query_params["run"] = str(failed.pk)
    app.run()
    assert any(f"Run {failed.pk}: load, failed" in h.value for h in app.subheader)


def test_charts_span_the_days_with_runs_and_at_least_a_week():
    chosen = (date(2026, 11, 3), date(2026, 12, 2))
    one_day = pd.Series(pd.to_datetime(["2026-12-02"]))
    assert chart_window(one_day, chosen) == (pd.Timestamp("2026-11-26"), pd.Timestamp("2026-12-02"))
    spread = pd.Series(pd.to_datetime(["2026-11-10", "2026-11-25"]))
    assert chart_window(spread, chosen) == (pd.Timestamp("2026-11-10"), pd.Timestamp("2026-11-25"))


def test_system_lists_the_systems_failures_apart_from_the_inputs(user):
    crashed = make_run(kind="load", owner=user, task_id="s-1", status="failed", system_failure=True)
    refused = make_run(kind="conversion", owner=user, task_id="i-1", status="failed")
    app = open_page("system")
    headings = [h.value for h in app.subheader]
    assert headings[-2:] == ["Runs the system failed", "Runs that failed on their input"]
    inside = [str(link.proto) for link in app.expander[0].get("page_link")]
    assert any(f"run={refused.pk}" in link for link in inside)
    assert not any(f"run={crashed.pk}" in link for link in inside)
    everywhere = [str(link.proto) for link in app.get("page_link")]
    assert any(f"run={crashed.pk}" in link for link in everywhere)


def test_the_calendar_names_a_deleted_bundles_runs_by_the_name_they_had(user):
    bundle = bundle_create(owner=user, name="Quarterly", target_table="q", load_mode="append")
    table_create_from_csv(owner=user, name="q.csv", content=b"a,b\n1,2\n", bundle_id=bundle.pk)
    run = load_enqueue(bundle_id=bundle.pk, owner=user)
    bundle.delete()
    run.refresh_from_db()
    start = run.queued_at - timedelta(days=1)
    events = schedule_calendar(by=user_default(), start=start, end=start + timedelta(days=2))
    assert [e.bundle for e in events if e.run_id == run.pk] == ["Quarterly (deleted)"]


def test_documents_are_found_by_name_and_deleted_only_after_confirming(user):
    alpha = document_with_table(user, "alpha-2024.pdf", [["A1", "A2"], ["1", "2"]])
    beta = document_with_table(user, "beta.pdf", [["B1", "B2"], ["3", "4"]])
    app = open_page("documents")
    next(t for t in app.text_input if t.label == "Find a document").input("ALPHA").run()
    picker = app.selectbox(key="document_id-picker")
    assert picker.options == [f"alpha-2024.pdf · uploaded {alpha.created_at:%Y-%m-%d %H:%M}"]
    assert ["A1", "A2"] in preview_columns(app)

    assert "Delete document" not in [b.label for b in app.button]  # a popover, not one click
    next(b for b in app.button if b.label == "Yes, delete the document").click().run()
    assert not app.exception, app.exception
    assert not Document.objects.filter(pk=alpha.pk).exists()
    assert Document.objects.filter(pk=beta.pk).exists()
    assert "Document **alpha-2024.pdf** deleted." in [s.value for s in app.success]


def test_upload_shows_twenty_cards_then_older_ones_on_request(user):
    for n in range(22):
        failed_upload(user, f"scan-{n:02d}.pdf", f"sha-{n}", "the PDF is damaged")
    app = open_page("upload")

    def cards() -> int:
        return sum(1 for m in app.markdown if m.value.startswith("**scan-"))

    assert cards() == 20
    next(b for b in app.button if b.label == "Show older uploads").click().run()
    assert cards() == 22
    assert "Show older uploads" not in [b.label for b in app.button]


def test_documents_lists_every_document_with_its_facts(user):
    document_with_table(user, "alpha.pdf", [["A1", "A2"], ["1", "2"]])
    app = open_page("documents")
    listing = next(f.value for f in app.dataframe if "by" in f.value.columns)
    assert listing[["name", "status", "pages", "tables", "by"]].values.tolist() == [
        ["alpha.pdf", "converted", 1, 1, "local"]
    ]


def test_an_archived_document_leaves_the_lists_and_comes_back(user):
    alpha = document_with_table(user, "alpha.pdf", [["A1", "A2"], ["1", "2"]])
    beta = document_with_table(user, "beta.pdf", [["B1", "B2"], ["3", "4"]])
    app = open_page("documents", document_id=alpha.pk)
    next(b for b in app.button if b.label == "Archive").click().run()
    assert not app.exception, app.exception
    alpha.refresh_from_db()
    assert alpha.archived
    assert "Document **alpha.pdf** archived: its tables stay usable." in [
        s.value for s in app.success
    ]
    assert app.selectbox(key="document_id-picker").value == beta.pk
    assert len(app.selectbox(key="document_id-picker").options) == 1
    assert "alpha.pdf" not in " ".join(m.value for m in open_page("upload").markdown)

    app.toggle(key="documents-archived").set_value(True).run()
    assert app.selectbox(key="document_id-picker").value == alpha.pk
    next(b for b in app.button if b.label == "Bring back from the archive").click().run()
    alpha.refresh_from_db()
    assert not alpha.archived
