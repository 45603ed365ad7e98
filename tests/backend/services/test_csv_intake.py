"""CSV files written here go through upload, the Schema tab's data and a real load into each
warehouse (SQLite, and Redshift over the PostgreSQL shim); what is loaded is compared with
what the file means."""

from __future__ import annotations

import contextlib
import uuid

import pytest

from backend.integrations.warehouse import connect_warehouse
from backend.models import Bundle, Run
from backend.selectors.bundles import bundle_schema_view, bundle_table_changes
from backend.services.bundles import (
    bundle_set_date_order,
    bundle_set_decimal_mark,
    bundle_set_schema_changes,
    table_create_from_csv,
)
from backend.services.loads import LoadFailed, LoadRefused, load_enqueue, load_run
from backend.services.tables import table_profile_store
from tests.support.factories import make_bundle
from tests.support.warehouse_fixtures import Backend, backend, canon, redshift_shim

__all__ = ["backend", "redshift_shim"]  # fixtures, imported for pytest

POINT_FILE = (
    b"id,amount,ratio,day,seen,active,flag,code\r\n"
    b'1,"6,718",0.609597,3/30/12,5/19/2006 0:00:00,yes,f,007\r\n'
    b'2,"1,234,567.89",12.5,12/1/2012,5/20/2006 14:05:09,no,f,010\r\n'
)
COMMA_FILE = (
    "id;amount;ratio;day;seen;active;flag;code\r\n"
    "3;1.234,5;0,25;1/13/2013;1/2/2007 7:00 PM;YES;f;011\r\n"
).encode("cp1252")


@pytest.fixture
def warehouse_url(backend: Backend, settings) -> str:
    settings.WAREHOUSE_URL = backend.url
    return backend.url


def load_now(bundle: Bundle, user) -> Run:
    """What the worker does for a queued load, in this process."""
    task_id = str(uuid.uuid4())
    with contextlib.suppress(LoadFailed):  # the Run records why, and the test reads it
        load_run(
            bundle_id=bundle.pk,
            username=user.username,
            task_id=task_id,
            trigger="manual",
            on_progress=lambda phase, rows: None,
        )
    return Run.objects.get(task_id=task_id)


def loaded(url: str, table: str) -> list[tuple]:
    with connect_warehouse(url) as warehouse:
        rows = warehouse.preview(table, 1000).rows
    return sorted(tuple(canon(v) for v in row) for row in rows)


def types(url: str, table: str) -> list[str]:
    with connect_warehouse(url) as warehouse:
        return [c.sql_type for c in warehouse.table_columns(table) or []]


def test_numbers_and_dates_as_people_write_them_load_as_what_they_mean(warehouse_url, user):
    bundle = make_bundle(user, POINT_FILE, COMMA_FILE)
    view = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    assert view.problems == []
    assert [c["type"] for c in view.columns] == [
        "BIGINT",
        "NUMERIC(9,2)",
        "NUMERIC(8,6)",
        "DATE",
        "TIMESTAMP",
        "BOOLEAN",
        "VARCHAR(16)",  # a column holding only "f" is text, not false
        "VARCHAR(16)",  # zero-padded codes stay text
    ]
    assert [m.decimal_mark for m in view.members] == [".", ","]
    written = {w["column"]: w["written as"] for w in view.written_as}
    assert set(written) == {"amount", "ratio", "day", "seen"}  # ratio: 0,25 in part 2
    assert written["day"].startswith("month-first dates")

    run = load_now(bundle, user)
    assert run.status == "succeeded", run.error
    assert run.rows_loaded == 3
    assert loaded(warehouse_url, bundle.target_table) == [
        (1, 6718.0, 0.609597, "2012-03-30", "2006-05-19 00:00:00", 1, "f", "007"),
        (2, 1234567.89, 12.5, "2012-12-01", "2006-05-20 14:05:09", 0, "f", "010"),
        (3, 1234.5, 0.25, "2013-01-13", "2007-01-02 19:00:00", 1, "f", "011"),
    ]


def test_sqlite_keeps_decimals_exact(warehouse_url, user, backend):
    if backend.name != "sqlite":
        pytest.skip("PostgreSQL's NUMERIC is exact by itself")
    bundle = make_bundle(user, b"ratio,amount\n0.609597,0.1\n0.333333,1234567.07\n")
    assert load_now(bundle, user).status == "succeeded"
    with connect_warehouse(warehouse_url) as warehouse:
        values = warehouse._query(  # type: ignore[attr-defined]
            f'SELECT ratio, typeof(ratio), amount FROM "{bundle.target_table}" ORDER BY ratio'
        )
    assert [(repr(r), t, repr(a)) for r, t, a in values] == [
        ("0.333333", "real", "1234567.07"),
        ("0.609597", "real", "0.1"),
    ]


def test_dates_that_read_both_ways_are_asked_for_before_loading(warehouse_url, user):
    content = "day\tn\r\n03/04/2024\t1\r\n05/06/24\t2\r\n".encode("utf-16")
    bundle = make_bundle(user, content)
    view = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    assert view.date_questions == ["day"]
    assert any("reads both month-first and day-first" in p for p in view.problems)
    with pytest.raises(LoadRefused, match="choose the order on the Schema tab"):
        load_enqueue(bundle_id=bundle.pk, owner=user)

    bundle_set_date_order(by=bundle.owner, bundle_id=bundle.pk, column="day", order="day-first")
    bundle.refresh_from_db()
    assert bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk).problems == []
    assert load_now(bundle, user).status == "succeeded"
    assert loaded(warehouse_url, bundle.target_table) == [("2024-04-03", 1), ("2024-06-05", 2)]


def test_the_decimal_mark_can_be_changed_on_the_schema_tab(warehouse_url, user):
    bundle = make_bundle(user, b"id;price\n1;1.250\n2;2.500\n")
    [member] = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk).members
    assert member.decimal_mark == "."  # 1.250 reads both ways: a decimal point by default
    bundle = bundle_set_decimal_mark(
        by=bundle.owner, bundle_id=bundle.pk, table_id=member.table_id, mark=","
    )
    view = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    assert [c["type"] for c in view.columns] == ["BIGINT", "BIGINT"]
    assert load_now(bundle, user).status == "succeeded"
    assert loaded(warehouse_url, bundle.target_table) == [(1, 1250), (2, 2500)]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["t", "f", "t"], "BOOLEAN"),
        (["Y", "n"], "BOOLEAN"),
        (["true", "FALSE"], "BOOLEAN"),
        (["f", "f"], "VARCHAR(16)"),
        (["t", "y"], "VARCHAR(16)"),
    ],
)
def test_booleans_only_from_unambiguous_tokens(user, values, kind):
    bundle = make_bundle(user, ("flag\n" + "\n".join(values) + "\n").encode())
    assert bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk).columns == [
        {"name": "flag", "type": kind}
    ]


def test_the_schema_is_inferred_once_per_version(user):
    bundle = make_bundle(user, b"a,b\n1,x\n")
    bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    bundle.refresh_from_db()
    assert bundle.inferred["version"] == bundle.version
    # A stored inference is what the next reader gets (here it is tampered with to show it).
    bundle.inferred["columns"][0]["type"] = "NUMERIC(5,1)"
    Bundle.objects.filter(pk=bundle.pk).update(inferred=bundle.inferred)
    assert (
        bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk).columns[0]["type"]
        == "NUMERIC(5,1)"
    )
    table_create_from_csv(owner=user, name="more.csv", content=b"a,b\n2,y\n", bundle_id=bundle.pk)
    assert bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk).columns[0]["type"] == "BIGINT"


def test_a_growing_table_keeps_loading_and_the_run_says_what_changed(warehouse_url, user):
    target = f"sales_{uuid.uuid4().hex[:8]}"
    first = make_bundle(user, b"region,amount\nnorth,1\nsouth,2\n", target=target)
    assert load_now(first, user).status == "succeeded"
    assert types(warehouse_url, target) == ["VARCHAR(16)", "BIGINT"]

    longer = b"region,amount,note\nnorth-north-west-x,3,late\n"
    second = make_bundle(user, longer, target=target)
    changes = bundle_table_changes(by=second.owner, bundle_id=second.pk)
    assert changes.refusals == []
    assert changes.changes == [
        "widen region from VARCHAR(16) to VARCHAR(64)",
        "add column note VARCHAR(16)",
    ]
    run = load_now(second, user)
    assert run.status == "succeeded", run.error
    assert run.schema_changes == [
        "widened region from VARCHAR(16) to VARCHAR(64)",
        "added column note VARCHAR(16)",
    ]
    assert "Changed the table" in run.message
    assert types(warehouse_url, target) == ["VARCHAR(64)", "BIGINT", "VARCHAR(16)"]
    assert loaded(warehouse_url, target) == [
        ("north", 1, None),
        ("north-north-west-x", 3, "late"),
        ("south", 2, None),
    ]


def test_growth_is_refused_when_the_bundle_does_not_allow_schema_changes(warehouse_url, user):
    target = f"sales_{uuid.uuid4().hex[:8]}"
    assert load_now(make_bundle(user, b"region\nnorth\n", target=target), user).status == (
        "succeeded"
    )
    before = loaded(warehouse_url, target)
    second = make_bundle(user, b"region\n" + b"x" * 40 + b"\n", target=target)
    bundle_set_schema_changes(by=second.owner, bundle_id=second.pk, allowed=False)
    run = load_now(second, user)
    assert run.status == "failed"
    assert "holds values longer than its VARCHAR(16) allows" in run.error
    assert "allow schema changes in the bundle's settings" in run.error
    assert 'ALTER COLUMN "region" TYPE VARCHAR(128)' in run.error
    assert loaded(warehouse_url, target) == before and types(warehouse_url, target) == [
        "VARCHAR(16)"
    ]


def test_a_type_change_is_refused_before_the_load_with_what_to_do(warehouse_url, user):
    target = f"sales_{uuid.uuid4().hex[:8]}"
    assert load_now(make_bundle(user, b"day\n2024-01-01\n", target=target), user).status == (
        "succeeded"
    )
    second = make_bundle(user, b"day\nsoon\n", target=target)
    changes = bundle_table_changes(by=second.owner, bundle_id=second.pk)
    assert changes.refusals == [
        "column 'day' is DATE in the table, the data needs VARCHAR(16): set the column's type "
        "to DATE on the Schema tab if its values fit it, fix the values, or load into another "
        "table"
    ]
    run = load_now(second, user)
    assert run.status == "failed" and "the data needs VARCHAR(16)" in run.error
    assert loaded(warehouse_url, target) == [("2024-01-01",)]


def test_files_whose_questions_were_answered_load_what_the_table_holds(warehouse_url, user):
    titled = (
        "Weekly sales;;\r\nregion;amount;day\r\nnorth;1.234,5;30.03.2012\r\n"
        "south;0,5;01.04.2012\r\n\r\nTotal: 1.235\r\n"
    ).encode("cp1252")
    unnamed = "region\t\tday\r\neast\t7\t02.04.2012\r\n".encode("utf-16")
    bundle = make_bundle(user)
    table_create_from_csv(
        owner=user, name="a.csv", content=titled, bundle_id=bundle.pk, table_lines=(2, 4)
    )
    table_create_from_csv(
        owner=user, name="b.tsv", content=unnamed, bundle_id=bundle.pk, names={2: "Amount"}
    )
    bundle.refresh_from_db()
    view = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    assert view.problems == []
    assert [c["type"] for c in view.columns] == ["VARCHAR(16)", "NUMERIC(5,1)", "DATE"]
    run = load_now(bundle, user)
    assert run.status == "succeeded", run.error
    assert loaded(warehouse_url, bundle.target_table) == [
        ("east", 7.0, "2012-04-02"),
        ("north", 1234.5, "2012-03-30"),
        ("south", 0.5, "2012-04-01"),
    ]


def test_facts_gathered_at_upload_give_the_schema_reading_the_files_gives(user):
    bundle = make_bundle(user, POINT_FILE, COMMA_FILE)
    assert all(t.profile for t in bundle.tables.all())
    from_upload = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    bundle.tables.update(profile={})
    for table in bundle.tables.all():
        table_profile_store(table_id=table.pk)  # what a worker does for a table without facts
    Bundle.objects.filter(pk=bundle.pk).update(version=bundle.version + 1)
    from_files = bundle_schema_view(by=bundle.owner, bundle_id=bundle.pk)
    assert from_upload.columns == from_files.columns
    assert from_upload.written_as == from_files.written_as
    assert from_upload.members == from_files.members
