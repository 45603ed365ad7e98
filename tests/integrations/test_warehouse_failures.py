"""Every bad input ends in its typed error with the warehouse exactly as before; on both
backends (fixtures in test_warehouse_support)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from backend.integrations.warehouse import (
    ColumnSpec,
    EmptyLoad,
    InvalidLoad,
    SchemaMismatch,
    SourceRow,
    ValueDoesNotFit,
    Warehouse,
    WarehouseUnreachable,
    connect_warehouse,
)
from tests.support.warehouse_fixtures import (
    COLUMNS,
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
