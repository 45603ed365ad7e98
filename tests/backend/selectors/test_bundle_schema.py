"""A bundle's column types come from facts a worker stored with each table; the web process
never reads a member's rows to infer them."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile

from backend.models import Bundle, Table
from backend.selectors.bundle_schema import PENDING, bundle_schema
from backend.selectors.bundles import bundle_schema_view
from backend.services.bundles import bundle_create, bundle_set_tables
from backend.services.loads import LoadRefused, load_enqueue
from backend.services.tables import csv_bytes, table_create_extracted, table_set_header
from tests.support.factories import make_document_row
from tests.support.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [["id", "amount", "paid on"], ["1", "2.50", "2024-01-02"], ["2", "13.75", "2024-02-03"]]
TYPES = ["BIGINT", "NUMERIC(4,2)", "DATE"]
LAYOUT = {"first_page": 1, "last_page": 1, "bbox": [0, 0, 1, 1], "strategy": "lines"}


def converted_table(user, rows=ROWS) -> Table:
    """A table as a conversion stores it (this is the call the worker makes)."""
    document = make_document_row(user, name="orders.pdf", sha256="0")
    return table_create_extracted(document=document, rows=rows, number=1, **LAYOUT)


def bundle_of(user, table: Table) -> Bundle:
    name = f"orders_{uuid.uuid4().hex[:6]}"
    bundle = bundle_create(owner=user, name=name, target_table=name, load_mode="append")
    return bundle_set_tables(by=user, bundle_id=bundle.pk, table_ids=[table.pk])


def types(user, bundle: Bundle) -> list[str]:
    return [c["type"] for c in bundle_schema_view(by=user, bundle_id=bundle.pk).columns]


def rewrite_rows(table: Table, rows: list[list[str]]) -> None:
    """Change the stored CSV behind the table's back: what reads rows sees the change."""
    table.file.storage.delete(table.file.name)
    table.file.storage.save(table.file.name, ContentFile(csv_bytes(rows)))


def test_a_converted_table_s_types_come_from_the_facts_stored_when_it_was_made(user):
    table = converted_table(user)
    assert types(user, bundle_of(user, table)) == TYPES
    rewrite_rows(table, [ROWS[0], ["x", "y", "z"]])
    assert types(user, bundle_of(user, table)) == TYPES, "no row was read for the schema"


def test_a_table_without_facts_is_read_by_a_worker_and_the_page_waits(worker, user):
    table = converted_table(user)
    Table.objects.filter(pk=table.pk).update(profile={})  # as one stored before facts were
    bundle = bundle_of(user, table)
    view = bundle_schema_view(by=user, bundle_id=bundle.pk)
    assert view.pending == [table.name]
    assert f"{table.name}: {PENDING}" in view.problems
    with pytest.raises(LoadRefused, match="reading its column types"):
        load_enqueue(bundle_id=bundle.pk, owner=user)
    wait_for(
        lambda: not bundle_schema_view(by=user, bundle_id=bundle.pk).pending,
        timeout_s=60,
        what="the worker to store the table's facts",
    )
    view = bundle_schema_view(by=user, bundle_id=bundle.pk)
    assert (view.problems, [c["type"] for c in view.columns]) == ([], TYPES)


def test_a_new_header_row_has_its_facts_read_again_by_a_worker(worker, user):
    table = converted_table(user, [["Orders of January", "", ""], *ROWS])
    bundle = bundle_of(user, table)
    assert types(user, bundle)[0] == "VARCHAR(16)", "the title row is the header at first"
    table_set_header(by=user, table_id=table.pk, header_row=1, column_names=[])
    table.refresh_from_db()
    assert table.profile.get("columns") is None, "facts of other rows are dropped at once"
    wait_for(
        lambda: Table.objects.get(pk=table.pk).profile.get("columns"),
        timeout_s=60,
        what="the worker to read the table again",
    )
    assert types(user, bundle) == TYPES


def test_a_worker_s_load_reads_a_member_without_facts_itself(user):
    """As a scheduled load does, in the worker, when a member's facts are not stored yet."""
    table = converted_table(user)
    Table.objects.filter(pk=table.pk).update(profile={})
    bundle = bundle_of(user, table)
    schema = bundle_schema(bundle=bundle, read_rows=True)
    assert (schema.problems, schema.pending) == ([], [])
    assert [c.sql_type for c in schema.columns] == TYPES
