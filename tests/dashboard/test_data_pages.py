"""Documents, Bundles and Warehouse pages show real data through AppTest."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from streamlit.testing.v1 import AppTest

from backend.integrations.warehouse import connect_warehouse
from backend.integrations.warehouse.errors import CopyRejected, Rejection
from backend.integrations.warehouse.schema import infer_column_types
from backend.models import Document
from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.tables import table_create_extracted
from tests.dashboard.test_pages import APP
from tests.support.factories import make_run

ROWS = [["Country", "Score"], ["Austria", "98"], ["Chile", "87"]]


def open_page(page: str, **state) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    app.switch_page(f"app_pages/{page}.py")
    app.run()
    assert not app.exception, app.exception
    return app


def converted_document(user) -> Document:
    document = Document(owner=user, name="scores.pdf", sha256="0" * 64, size_bytes=3, page_count=2)
    document.file.save("scores.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.status = Document.Status.CONVERTED
    document.save()
    table_create_extracted(
        document=document,
        rows=ROWS,
        number=1,
        first_page=1,
        last_page=2,
        bbox=[0, 0, 1, 1],
        strategy="lines",
    )
    return document


def test_documents_page_previews_a_table_with_its_header(user):
    document = converted_document(user)
    app = open_page("documents", document_id=document.pk)
    frames = [f.value for f in app.dataframe]
    preview = next(f for f in frames if list(f.columns) == ["Country", "Score"])
    assert preview.values.tolist() == [["Austria", "98"], ["Chile", "87"]]
    assert "Pages 1-2 · 3 rows × 2 columns" in " ".join(c.value for c in app.caption)
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Download all as zip", "Download CSV"]
    assert not app.warning, "a table with no sign of trouble is not flagged"


def test_documents_page_saves_a_new_header_row_and_shows_the_names_in_use(user):
    document = converted_document(user)
    app = open_page("documents", document_id=document.pk)
    header = next(box for box in app.selectbox if box.label == "Header row")
    assert header.value == 1, "the first row is the header as extracted"
    header.set_value(0)  # No header row
    next(button for button in app.button if button.label == "Save").click()
    app.run()
    assert not app.exception, app.exception
    assert "Saved: column_1, column_2" in [s.value for s in app.success]
    preview = next(
        f.value for f in app.dataframe if list(f.value.columns) == ["column_1", "column_2"]
    )
    assert preview.values.tolist() == ROWS


def test_documents_page_says_which_tables_to_check_and_why(user):
    document = converted_document(user)
    reason = "row(s) 3 hold several values per cell"
    document.tables.update(quality=0.75, quality_reasons=[reason])
    app = open_page("documents", document_id=document.pk)
    overview = next(f.value for f in app.dataframe if "check" in f.value.columns)
    assert overview["check"].tolist() == [reason]
    assert [w.value for w in app.warning] == [f"Check this table against the PDF: {reason}."]
    assert (
        app.selectbox(key=f"preview-{document.pk}")
        .format_func(app.selectbox(key=f"preview-{document.pk}").value)
        .endswith("· check this table")
    )


def test_bundles_page_shows_the_schema_ddl_and_flags_a_misfit(user):
    document = converted_document(user)
    bundle = bundle_create(
        owner=user, name="Scores", target_table="Scores 2024", load_mode="append"
    )
    bundle.tables.add(document.tables.get())
    table_create_from_csv(
        owner=user,
        name="extra.csv",
        content=b"Land;Punkte;Jahr\nPeru;77;2024\n",
        bundle_id=bundle.pk,
    )
    app = open_page("bundles", bundle_id=bundle.pk)
    ddl = " ".join(c.value for c in app.code)
    assert 'CREATE TABLE "scores_2024"' in ddl
    assert '"country" VARCHAR(16)' in ddl and '"score" BIGINT' in ddl  # 7 bytes, headroom
    errors = " ".join(e.value for e in app.error)
    assert "extra.csv: has 3 columns, the bundle has 2" in errors


def test_warehouse_page_lists_tables_with_the_load_that_wrote_them(user, own_warehouse):
    columns = infer_column_types(["country", "score"], ROWS[1:])
    with connect_warehouse(settings.WAREHOUSE_URL) as warehouse:
        warehouse.load(target="scores", columns=columns, rows=ROWS[1:], load_id="seed-1")
    bundle = bundle_create(owner=user, name="Scores", target_table="scores", load_mode="append")
    make_run(
        kind="load",
        owner=user,
        task_id="t-1",
        bundle=bundle,
        status="succeeded",
        target="scores",
        rows_loaded=2,
        finished_at="2026-01-02T03:04:05Z",
    )
    app = open_page("warehouse")
    overview = app.dataframe[0].value
    row = overview[overview["table"] == "scores"].iloc[0]
    assert row["rows"] == 2
    assert row["last load"].startswith("Scores · run #")
    assert app.dataframe[2].value.values.tolist() == [["Austria", 98], ["Chile", 87]]


def test_bundles_schema_tab_shows_what_a_load_will_change_in_the_table(user):
    target = f"sales_{uuid.uuid4().hex[:8]}"
    columns = infer_column_types(["region", "amount"], [["north", "1"]])
    with connect_warehouse(settings.WAREHOUSE_URL) as warehouse:
        warehouse.load(target=target, columns=columns, rows=[["north", "1"]], load_id=target)
    bundle = bundle_create(owner=user, name="Sales", target_table=target, load_mode="append")
    table_create_from_csv(
        owner=user,
        name="week2.csv",
        content=b"region,amount,note\nnorth-north-west-x,2,late\n",
        bundle_id=bundle.pk,
    )
    app = open_page("bundles", bundle_id=bundle.pk)
    said = [i.value for i in app.info]
    assert "The next load will widen region from VARCHAR(16) to VARCHAR(64)." in said
    assert "The next load will add column note VARCHAR(16)." in said
    assert f'ALTER TABLE "{target}" ALTER COLUMN "region" TYPE VARCHAR(64)' in " ".join(
        c.value for c in app.code
    )
    [allow] = [t for t in app.toggle if t.label.startswith("Let loads widen text columns")]
    assert allow.value is True
    allow.set_value(False).run()
    bundle.refresh_from_db()
    assert bundle.allow_schema_changes is False


def test_bundles_schema_tab_asks_how_ambiguous_dates_are_written(user):
    bundle = bundle_create(owner=user, name="Days", target_table="days", load_mode="append")
    table_create_from_csv(
        owner=user,
        name="d.csv",
        content=b"day,n\n03/04/2024,1\n05/06/2024,2\n",
        bundle_id=bundle.pk,
    )
    app = open_page("bundles", bundle_id=bundle.pk)
    assert any("reads both month-first and day-first" in e.value for e in app.error)
    [question] = [r for r in app.radio if "How are the dates in **day** written" in r.label]
    question.set_value("day-first")
    next(b for b in app.button if b.label == "Save date order").click().run()
    bundle.refresh_from_db()
    assert bundle.date_orders == {"day": "day-first"}
    assert not any("reads both" in e.value for e in app.error)


def test_bundles_loads_tab_shows_a_refused_copy_by_source_row_column_value_and_reason(user):
    bundle = bundle_create(owner=user, name="Orders", target_table="orders", load_mode="append")
    refused = CopyRejected(
        "orders",
        [
            Rejection("orders.csv", 41, "price", "12,5x", "invalid input syntax for numeric"),
            Rejection("invoices.pdf page 3 (Table 1)", 7, "day", "2024-02-30", "date out of range"),
        ],
        total=3,
    )
    make_run(
        kind="load", owner=user, task_id="t-2", bundle=bundle, status="failed", error=str(refused)
    )
    app = open_page("bundles", bundle_id=bundle.pk)
    [shown] = [e.value for e in app.error if "Redshift refused" in e.value]
    assert "loading table 'orders' (the first 2 of 3); nothing was published" in shown
    assert "- 'orders.csv' row 41, column 'price', value '12,5x': invalid input syntax" in shown
    assert "- 'invoices.pdf page 3 (Table 1)' row 7, column 'day', value '2024-02-30'" in shown
