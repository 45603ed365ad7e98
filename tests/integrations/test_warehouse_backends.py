"""Load scenarios, each run on both backends: SQLite in a temp file, and Redshift through the
real redshift-connector and the wire shim, into a PostgreSQL schema made for the test.

"Unchanged" is checked by comparing the full contents (every table, its columns and all rows,
plus any staging table left behind) read through an independent connection.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

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
from backend.integrations.warehouse.schema import infer_column_types, normalize_identifiers
from tests.support.redshift_shim import RedshiftShim, redshift_shim  # noqa: F401 (fixture)

PG_DSN = "host=127.0.0.1 port=5432 dbname=postgres user=postgres"
HEADER = normalize_identifiers(["ID", "Name", "Amount", "Active", "Day", "Seen at"])
ROWS = [
    ["1", "Ada", "10.50", "true", "2024-01-01", "2024-01-01 10:00:00"],
    ["2", "Bob", "", "no", "2024-01-02", ""],
    ["3", "Cy", "7.25", "yes", "", "2024-01-03 12:30:00"],
]
COLUMNS = infer_column_types(HEADER, ROWS)


@dataclass
class Backend:
    name: str
    url: str
    snapshot: Callable[[], dict]
    shim: RedshiftShim | None = None


def sqlite_snapshot(path: str) -> dict:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            name: (
                conn.execute(f'PRAGMA table_info("{name}")').fetchall(),
                sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"'))),
            )
            for name in names
        }


def pg_snapshot(schema: str) -> dict:
    with psycopg.connect(PG_DSN) as conn:
        names = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema]
        ).fetchall()
        result = {
            "(staging left)": conn.execute(
                r"SELECT relname FROM pg_class WHERE relname LIKE '\_stg\_%'"
            ).fetchall()
        }
        for (name,) in names:
            columns = conn.execute(
                "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
                "numeric_scale FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s ORDER BY ordinal_position",
                [schema, name],
            ).fetchall()
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
            result[name] = (columns, sorted(map(repr, conn.execute(query))))
        return result


@pytest.fixture(params=["sqlite", "redshift"])
def backend(request: pytest.FixtureRequest, tmp_path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = str(tmp_path / "warehouse.sqlite3")
        yield Backend("sqlite", f"sqlite:///{path}", lambda: sqlite_snapshot(path))
        return
    shim: RedshiftShim = request.getfixturevalue("redshift_shim")
    schema = f"wh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = f"redshift://postgres:unused@127.0.0.1:{shim.port}/postgres?ssl=false&schema={schema}"
    try:
        yield Backend("redshift", url, lambda: pg_snapshot(schema), shim)
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def warehouse(backend: Backend) -> Iterator[Warehouse]:
    with connect_warehouse(backend.url) as opened:
        yield opened


def canon(value: object) -> object:
    """Backend-neutral value: SQLite keeps booleans as 0/1, dates as text, NUMERIC as REAL."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def contents(warehouse: Warehouse, table: str) -> list[tuple]:
    rows = warehouse.preview(table, limit=10_000).rows
    return sorted((tuple(canon(v) for v in row) for row in rows), key=repr)


def load(warehouse: Warehouse, rows: list, load_id: str, **kwargs) -> object:
    kwargs.setdefault("columns", COLUMNS)
    return warehouse.load(target="people", rows=rows, load_id=load_id, **kwargs)


EXPECTED = [
    (1, "Ada", 10.5, 1, "2024-01-01", "2024-01-01 10:00:00"),
    (2, "Bob", None, 0, "2024-01-02", None),
    (3, "Cy", 7.25, 1, None, "2024-01-03 12:30:00"),
]


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
            for _ in range(3):
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
        ("name", "Ωmega-long-name", "bytes long, more than VARCHAR(3)"),
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
        warehouse.max_batch_bytes = 300
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
