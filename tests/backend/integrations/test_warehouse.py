"""The warehouse on both backends (fixtures in tests/support/warehouse_fixtures.py): load modes
and idempotency, and every bad input ending in its typed error with the warehouse exactly as
before."""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections.abc import Iterator

import pytest
from django.conf import settings

from backend.integrations.warehouse import (
    ColumnSpec,
    EmptyLoad,
    InvalidLoad,
    SchemaMismatch,
    SourceRow,
    TableNotFound,
    ValueDoesNotFit,
    Warehouse,
    WarehouseUnreachable,
    connect_warehouse,
)
from backend.integrations.warehouse.chunks import CHUNK_ROWS, STAGING_GC_THRESHOLD
from backend.integrations.warehouse.schema import infer_column_types, normalize_identifiers
from tests.support.warehouse_fixtures import (
    COLUMNS,
    EXPECTED,
    HEADER,
    ROWS,
    Backend,
    backend,
    contents,
    load,
    redshift_shim,
    staging_tables,
    warehouse,
)

__all__ = ["backend", "redshift_shim", "warehouse"]  # fixtures, imported for pytest


def test_append_creates_the_table_then_appends(warehouse: Warehouse) -> None:
    progress = []
    first = load(warehouse, ROWS, "v1", on_progress=progress.append)
    assert (first.rows, first.skipped, first.mode) == (3, False, "append")
    assert list(dict.fromkeys(p.phase for p in progress)) == ["staging", "publishing", "done"]
    assert progress[-1].rows == 3
    assert warehouse.table_columns("people") == COLUMNS
    assert contents(warehouse, "people") == EXPECTED
    load(warehouse, ROWS, "v2")
    assert contents(warehouse, "people") == sorted(EXPECTED * 2, key=repr)


def test_a_repeated_load_id_is_skipped_not_duplicated(warehouse: Warehouse, backend) -> None:
    first = load(warehouse, ROWS, "bundle-1@v3")
    before = backend.snapshot()
    again = load(warehouse, ROWS, "bundle-1@v3")
    assert again.skipped and (again.rows, again.loaded_at) == (first.rows, first.loaded_at)
    assert backend.snapshot() == before
    with connect_warehouse(backend.url) as other:  # a retry from another worker
        assert load(other, ROWS[:1], "bundle-1@v3", mode="replace").skipped
    assert backend.snapshot() == before


def test_concurrent_attempts_of_one_load_publish_once(backend: Backend) -> None:
    """A retry that starts while the first attempt still runs (even on a fresh warehouse)."""
    results: list[object] = []

    def attempt() -> None:
        with connect_warehouse(backend.url) as warehouse:
            # First-ever loads race on each object they create (schema, ledger, table), and
            # each race costs the loser one retry, as many as the load task allows.
            for _ in range(settings.LOAD_MAX_RETRIES + 1):
                try:
                    results.append(load(warehouse, ROWS * 50, "bundle-9@v1"))
                    return
                except WarehouseUnreachable:
                    continue  # the caller's retry

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.skipped for r in results) == [False, True, True]
    with connect_warehouse(backend.url) as warehouse:
        assert len(contents(warehouse, "people")) == 150


def test_replace_swaps_all_rows(warehouse: Warehouse) -> None:
    load(warehouse, ROWS, "v1")
    result = load(warehouse, [["9", "Zed", "1.00", "no", "2024-05-05", ""]], "v2", mode="replace")
    assert result.rows == 1
    assert contents(warehouse, "people") == [(9, "Zed", 1.0, 0, "2024-05-05", None)]


def test_upsert_updates_matching_keys_and_inserts_the_rest(warehouse: Warehouse) -> None:
    load(warehouse, ROWS, "v1")
    changes = [["2", "Bea", "3.10", "yes", "2024-01-02", ""], ["4", "Di", "", "no", "", ""]]
    load(warehouse, changes, "v2", mode="upsert", keys=["id"])
    assert contents(warehouse, "people") == sorted(
        [
            EXPECTED[0],
            (2, "Bea", 3.1, 1, "2024-01-02", None),
            EXPECTED[2],
            (4, "Di", None, 0, None, None),
        ],
        key=repr,
    )


def test_upsert_on_a_composite_key(warehouse: Warehouse) -> None:
    columns = infer_column_types(["region", "day", "sales"], [["eu", "2024-01-01", "5"]])
    first = [["eu", "2024-01-01", "5"], ["us", "2024-01-01", "7"], ["eu", "2024-01-02", "1"]]
    warehouse.load(target="sales", columns=columns, rows=first, load_id="a")
    update = [["eu", "2024-01-01", "6"], ["us", "2024-01-02", "2"]]
    warehouse.load(
        target="sales",
        columns=columns,
        rows=update,
        load_id="b",
        mode="upsert",
        keys=["region", "day"],
    )
    assert contents(warehouse, "sales") == sorted(
        [
            ("eu", "2024-01-01", 6),
            ("us", "2024-01-01", 7),
            ("eu", "2024-01-02", 1),
            ("us", "2024-01-02", 2),
        ],
        key=repr,
    )


def test_names_that_try_sql_injection_are_quoted(warehouse: Warehouse) -> None:
    load(warehouse, ROWS, "v1")
    evil = 'x"; DROP TABLE people; --'
    columns = [ColumnSpec(evil, "VARCHAR", length=64)]
    values = [["Robert'); DROP TABLE people;--"], ["O'Brien"], ['say "hi"; --']]
    warehouse.load(target=evil, columns=columns, rows=values, load_id="v2")
    assert warehouse.table_exists("people") and warehouse.table_exists(evil)
    assert warehouse.table_columns(evil) == columns
    assert sorted(r[0] for r in warehouse.preview(evil).rows) == sorted(v[0] for v in values)
    safe = normalize_identifiers([evil])
    assert safe == ["x_drop_table_people"]
    warehouse.load(
        target=safe[0], columns=[ColumnSpec(safe[0], "BIGINT")], rows=[["1"]], load_id="v3"
    )
    assert len(contents(warehouse, "people")) == 3


def test_batches_stay_under_the_byte_limit(warehouse: Warehouse, backend: Backend) -> None:
    """SQLite reports each batch; for Redshift the shim sees every statement on the wire."""
    rows = [[str(1000 + i), "Gus", "2.50", "yes", "2024-03-01", ""] for i in range(100)]
    staged = []
    warehouse.max_batch_bytes = 500
    if backend.shim is not None:
        backend.shim.messages.clear()
    load(warehouse, rows, "v1", on_progress=lambda p: staged.append((p.phase, p.rows)))
    assert ("publishing", 100) in staged
    assert len(contents(warehouse, "people")) == 100
    if backend.shim is None:
        counts = [n for phase, n in staged if phase == "staging"]
        sizes = [b - a for a, b in zip([0, *counts], counts, strict=False)]
        assert sum(sizes) == 100 and len(sizes) > 5
        assert max(sizes) * len("".join(rows[0])) <= 500  # a row costs at least its text
        return
    binds = [size for kind, size in backend.shim.messages if kind == b"B"]
    assert len(binds) > 5  # one per INSERT: the load was split
    assert max(binds) <= 500  # statement parameters within the limit


def test_control_characters_and_newlines_survive_the_round_trip(warehouse: Warehouse) -> None:
    """Redshift stages a row as one text line with 0x1F between fields: values holding
    0x1F or its escape 0x1E must come back exactly."""
    columns = [ColumnSpec("k", "BIGINT"), ColumnSpec("a", "VARCHAR", length=40)]
    columns.append(ColumnSpec("b", "VARCHAR", length=40))
    odd = ["x\x1fy", "\x1e", "\x1ed\x1ee", "a\x1eb\x1fc\x1e", "line\nbreak", "tab\there", "é\x1f"]
    rows = [[str(i), value, value[::-1]] for i, value in enumerate(odd)]
    warehouse.load(target="odd", columns=columns, rows=rows, load_id="v1")
    assert contents(warehouse, "odd") == [(i, v, v[::-1]) for i, v in enumerate(odd)]


def test_wide_rows_are_staged_in_several_lines(warehouse: Warehouse) -> None:
    """Columns too wide to share one 64 KB staging line (Redshift) still load and upsert."""
    columns = [ColumnSpec(f"t{i}", "VARCHAR", length=30_000) for i in range(3)]
    columns.append(ColumnSpec("id", "BIGINT"))
    rows = [["a" * 30_000, "b" * 29_998 + "é", "", "1"], ["x", "y", "z" * 30_000, "2"]]
    warehouse.load(target="wide", columns=columns, rows=rows, load_id="v1")
    update = [["new", "", "", "2"]]
    warehouse.load(
        target="wide", columns=columns, rows=update, load_id="v2", mode="upsert", keys=["id"]
    )
    assert contents(warehouse, "wide") == [
        ("a" * 30_000, "b" * 29_998 + "é", None, 1),
        ("new", None, None, 2),
    ]


def test_list_tables_and_preview(warehouse: Warehouse) -> None:
    assert warehouse.list_tables() == []
    load(warehouse, ROWS, "v1")
    [info] = warehouse.list_tables()  # the ledger and staging tables are not listed
    assert (info.name, info.row_count, info.columns) == ("people", 3, COLUMNS)
    preview = warehouse.preview("people", limit=2)
    assert preview.columns == HEADER and len(preview.rows) == 2
    assert warehouse.table_columns("nothing") is None and not warehouse.table_exists("nothing")
    with pytest.raises(TableNotFound, match="'nothing' does not exist"):
        warehouse.preview("nothing")


def test_staging_runs_fewer_collections_and_the_interpreter_gets_its_thresholds_back(
    warehouse: Warehouse,
) -> None:
    before = gc.get_threshold()
    seen: list[tuple[str, int]] = []
    note = lambda progress: seen.append((progress.phase, gc.get_threshold()[0]))  # noqa: E731
    load(warehouse, ROWS, "gc-1", on_progress=note)
    assert ("staging", max(before[0], STAGING_GC_THRESHOLD)) in seen
    assert ("done", before[0]) in seen
    assert gc.get_threshold() == before

    def rows_then_failure():
        yield from ROWS * (CHUNK_ROWS // len(ROWS) + 1)  # past the first chunk: inside staging
        raise RuntimeError("the source went away")

    with pytest.raises(RuntimeError, match="went away"):
        load(warehouse, rows_then_failure(), "gc-2")
    assert gc.get_threshold() == before
    assert contents(warehouse, "people") == EXPECTED  # the failed load changed nothing


def test_upsert_refuses_duplicate_keys_in_the_data(warehouse: Warehouse, backend) -> None:
    load(warehouse, ROWS, "v1")
    before = backend.snapshot()
    with pytest.raises(InvalidLoad, match=r"id='?2'?\) appears 2 times"):
        load(warehouse, [ROWS[1], ROWS[1]], "v2", mode="upsert", keys=["id"])
    assert backend.snapshot() == before


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("amount", "abc", "is not a decimal number"),
        ("amount", "1.234", "more than 2 decimal places"),
        ("name", "Ωmega-long-name, longer", "bytes long, more than VARCHAR(16)"),
        ("day", "2024-02-30", "is not a valid calendar date"),
        ("id", "99999999999999999999", "out of range for BIGINT"),
        ("active", "maybe", "is not true/false"),
        ("id", "1\n2", "is not a whole number"),
    ],
)
def test_a_value_that_does_not_fit_changes_nothing(
    warehouse: Warehouse, backend, column: str, value: str, reason: str
) -> None:
    load(warehouse, ROWS, "v1")
    before = backend.snapshot()
    rows = [[str(10 + i), "Eve", "1.00", "no", "2024-01-01", ""] for i in range(60)]
    rows[39][HEADER.index(column)] = value
    warehouse.max_batch_bytes = 400  # several batches are staged before the bad row
    with pytest.raises(ValueDoesNotFit) as caught:
        load(warehouse, rows, "v2")
    error = caught.value
    assert (error.table, error.row, error.column, error.value) == ("people", 41, column, value)
    message = str(error)
    for part in ("'people'", "row 41", repr(column), repr(value), reason):
        assert part in message
    assert backend.snapshot() == before
    assert staging_tables(warehouse) == []


def test_source_rows_name_their_file_and_line(warehouse: Warehouse) -> None:
    rows = [SourceRow(ROWS[0], 7, "jan.csv"), SourceRow(["x", *ROWS[1][1:]], 12, "feb.csv")]
    with pytest.raises(ValueDoesNotFit, match=r"'feb.csv' row 12, column 'id'"):
        load(warehouse, rows, "v1")
    assert not warehouse.table_exists("people")


def test_an_existing_table_with_another_schema_is_refused(warehouse: Warehouse, backend) -> None:
    load(warehouse, ROWS, "v1")
    before = backend.snapshot()
    changed = [c if c.name != "day" else ColumnSpec("day", "VARCHAR", length=10) for c in COLUMNS]
    changed = [c for c in changed if c.name != "seen_at"] + [ColumnSpec("extra", "BIGINT")]
    with pytest.raises(SchemaMismatch) as caught:
        load(warehouse, [[*r[:5], "1"] for r in ROWS], "v2", columns=changed)
    message = str(caught.value)
    assert "'extra' is in the data but not in the table" in message
    assert "'seen_at' is in the table but not in the data" in message
    assert "'day' is DATE in the table, the data needs VARCHAR(10)" in message
    assert backend.snapshot() == before


def test_an_empty_load_is_refused_and_leaves_no_trace(warehouse: Warehouse, backend) -> None:
    before = backend.snapshot()
    with pytest.raises(EmptyLoad, match="no rows"):
        load(warehouse, [], "v1")
    with pytest.raises(EmptyLoad, match="no columns"):
        load(warehouse, ROWS, "v1", columns=[])
    assert backend.snapshot() == before


def test_a_failing_row_source_rolls_everything_back(warehouse: Warehouse, backend) -> None:
    load(warehouse, ROWS, "v1")
    before = backend.snapshot()

    def rows() -> Iterator[list[str]]:
        for i in range(50):
            yield [str(100 + i), "Fay", "", "no", "", ""]
        raise RuntimeError("the CSV file was truncated")

    warehouse.max_batch_bytes = 300
    with pytest.raises(RuntimeError, match="truncated"):
        load(warehouse, rows(), "v2", mode="replace")
    assert backend.snapshot() == before
    assert staging_tables(warehouse) == []
    assert load(warehouse, ROWS, "v2", mode="replace").rows == 3  # the retry works


def test_a_transient_failure_leaves_nothing_and_the_retry_loads_once(backend: Backend) -> None:
    """Redshift: the connection is cut mid-load. SQLite: another writer holds the file."""
    with connect_warehouse(backend.url) as warehouse:
        load(warehouse, ROWS, "v1")
    before = backend.snapshot()
    blocker = None
    if backend.shim is None:
        blocker = sqlite3.connect(backend.url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")

    def rows(cut: bool = False) -> Iterator[list[str]]:
        for i in range(40):
            if cut and i == 30:
                backend.shim.drop_connections()
            yield [str(100 + i), "Fay", "", "no", "", ""]

    with connect_warehouse(backend.url + "?timeout=0.2" * (blocker is not None)) as warehouse:
        warehouse.max_batch_bytes, warehouse.chunk_rows = 300, 8  # cut while batches flow
        with pytest.raises(WarehouseUnreachable) as caught:
            load(warehouse, rows(cut=backend.shim is not None), "v2")
    assert caught.value.retryable
    assert backend.snapshot() == before
    if blocker is not None:
        blocker.execute("ROLLBACK")
    with connect_warehouse(backend.url) as warehouse:
        assert load(warehouse, list(rows()), "v2").rows == 40
        assert load(warehouse, list(rows()), "v2").skipped
        assert len(contents(warehouse, "people")) == 43
