"""Column names a person types are refused, with the columns named, when empty or repeated."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from backend.models import Bundle, Document, Run, Table
from backend.selectors.tables import table_columns, table_csv, table_view
from backend.services.bundles import bundle_create, bundle_set_tables
from backend.services.documents import DocumentBusy, document_delete
from backend.services.tables import TableInvalid, table_create_extracted, table_set_header
from tests.support.factories import make_run

ROWS = [["Country", "Capital", "Area", "People"], ["Peru", "Lima", "1285", "34"]]


@pytest.fixture
def table(user):
    document = Document(owner=user, name="geo.pdf", sha256="g", size_bytes=1, page_count=1)
    document.file.save("geo.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.save()
    return table_create_extracted(
        document=document, rows=ROWS, number=1, first_page=1, last_page=1, strategy="lines"
    )


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["country", "country", "area", "people"], "'country' names columns 1, 2"),
        (["country", "Country", "area", "people"], "'country' names columns 1, 2"),
        (["country", "capital", "", "  "], "columns 3, 4 have no name"),
        (["country", "", "area", "Area"], "column 2 has no name; 'area' names columns 3, 4"),
    ],
)
def test_empty_or_repeated_names_are_refused_and_nothing_changes(table, names, message):
    with pytest.raises(TableInvalid, match=message):
        table_set_header(by=table.owner, table_id=table.pk, header_row=0, column_names=names)
    table.refresh_from_db()
    assert table.column_names == []
    assert table_csv(table=table).decode().splitlines()[0] == "Country,Capital,Area,People"


def test_distinct_names_are_saved_trimmed_and_head_the_csv(table):
    saved = table_set_header(
        by=table.owner,
        table_id=table.pk,
        header_row=0,
        column_names=[" nation", "city", "km2", "m"],
    )
    assert saved == ["nation", "city", "km2", "m"]
    table.refresh_from_db()
    assert table_columns(table=table) == ["nation", "city", "km2", "m"]
    assert table_csv(table=table).decode().splitlines() == [
        "nation,city,km2,m",
        "Peru,Lima,1285,34",
    ]


def test_the_page_s_view_has_the_data_rows_and_the_rows_as_stored_for_the_header_picker(table):
    view = table_view(owner=table.owner, table_id=table.pk, rows=5)
    assert view.stored_rows == ROWS
    assert (view.columns, view.rows) == (ROWS[0], ROWS[1:])


def test_deleting_a_document_removes_its_tables_and_files_and_tells_its_bundles(user, table):
    document = table.document
    bundle = bundle_create(owner=user, name="Geo", target_table="geo", load_mode="append")
    bundle_set_tables(by=bundle.owner, bundle_id=bundle.pk, table_ids=[table.pk])
    version = Bundle.objects.get(pk=bundle.pk).version
    run = make_run(kind="conversion", owner=user, task_id="c", document=document)
    with pytest.raises(DocumentBusy, match="cancel it in History first"):
        document_delete(owner=user, document_id=document.pk)
    Run.objects.filter(pk=run.pk).update(status="succeeded")

    files = [document.file.name, table.file.name]
    assert document_delete(owner=user, document_id=document.pk) == "geo.pdf"
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not Table.objects.filter(pk=table.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    bundle.refresh_from_db()
    assert bundle.version == version + 1 and not bundle.tables.exists()
    run.refresh_from_db()
    assert run.document_id is None


def test_names_sent_with_a_new_header_row_are_dropped_for_the_row_s_own(table):
    table_set_header(by=table.owner, table_id=table.pk, header_row=None, column_names=list("abcd"))
    table.refresh_from_db()
    assert (table.header_row, table.column_names) == (None, [])
