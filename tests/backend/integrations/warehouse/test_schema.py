"""Pure schema functions: identifiers, inference, DDL, value conversion, batching."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from backend.integrations.warehouse.batching import batches, text_sizes
from backend.integrations.warehouse.schema import (
    CoercionError,
    ColumnSpec,
    TypeInferrer,
    coerce,
    ddl_for,
    infer_column_types,
    normalize_identifiers,
    parse_sql_type,
    quote_ident,
    schema_differences,
)


def kinds(columns: list[ColumnSpec]) -> list[str]:
    return [c.sql_type for c in columns]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Order ID", "order id", "ORDER-ID"], ["order_id", "order_id_2", "order_id_3"]),
        (["", None, "  ", "col_2"], ["col_1", "col_2", "col_3", "col_2_2"]),
        (["2024 Sales", "1"], ["col_2024_sales", "col_1"]),
        (["select", "user", "Group"], ["select_", "user_", "group_"]),
        (["Prénom", "Straße", "数量"], ["prenom", "strasse", "数量"]),
        (['x"; DROP TABLE t; --', "a/b\\c", "__x__"], ["x_drop_table_t", "a_b_c", "x"]),
    ],
)
def test_normalize_identifiers(raw: list, expected: list[str]) -> None:
    assert normalize_identifiers(raw) == expected


def test_identifiers_fit_127_utf8_bytes_even_when_deduplicated() -> None:
    names = normalize_identifiers(["é" * 200, "ü" * 200, "数" * 100, "数" * 100])
    assert all(len(n.encode()) <= 127 for n in names)
    assert len(set(names)) == 4
    assert names[3].endswith("_2")
    assert normalize_identifiers(["a" * 300]) == ["a" * 127]


def test_inference_picks_the_narrowest_type_per_column() -> None:
    header = ["i", "n", "f", "b", "d", "ts", "s", "zip", "big", "huge", "empty", "blank"]
    rows = [
        [
            "1",
            "1.5",
            "1e3",
            "true",
            "2024-01-31",
            "2024-01-31 10:00",
            "ab",
            "01234",
            "1",
            "1",
            "",
            " ",
        ],
        [
            "-20",
            "-0.25",
            "2.5",
            "No",
            "2024-02-29",
            "2024-02-01",
            "çé",
            "99999",
            "9" * 19,
            "9" * 40,
            "",
            "",
        ],
        [" 3 ", "", "", "", "", "2024-02-01T03:04:05.123456", "", "", "", "", "", ""],
    ]
    assert kinds(infer_column_types(header, rows)) == [
        "BIGINT",
        "NUMERIC(3,2)",
        "DOUBLE PRECISION",
        "BOOLEAN",
        "DATE",
        "TIMESTAMP",
        "VARCHAR(16)",  # 4 UTF-8 bytes, with headroom
        "VARCHAR(16)",  # leading zeros: a code, not a number
        "NUMERIC(19,0)",  # beyond BIGINT
        "VARCHAR(128)",  # beyond NUMERIC(38): digits kept as text, 40 bytes with headroom
        "VARCHAR(256)",  # never seen a value
        "VARCHAR(256)",
    ]


def test_inference_streams_over_several_tables() -> None:
    inferrer = TypeInferrer(["v"])
    inferrer.feed(iter([["1"], ["2"]]))
    assert kinds(inferrer.columns()) == ["BIGINT"]
    inferrer.feed(iter([["2.75"]]))  # the next member table widens the type
    assert kinds(inferrer.columns()) == ["NUMERIC(3,2)"]
    inferrer.feed(iter([["n/a"]]))
    assert kinds(inferrer.columns()) == ["VARCHAR(16)"]


def test_inference_accepts_python_values_and_ragged_rows() -> None:
    rows = [[1, 2.5, Decimal("1.10"), True, date(2024, 1, 1), datetime(2024, 1, 1, 1)], [None]]
    assert kinds(infer_column_types(list("abcdef"), rows)) == [
        "BIGINT",
        "NUMERIC(2,1)",
        "NUMERIC(3,2)",
        "BOOLEAN",
        "DATE",
        "TIMESTAMP",
    ]


def test_varchar_is_capped_at_65535_bytes() -> None:
    [column] = infer_column_types(["text"], [["x" * 70_000]])
    assert column.sql_type == "VARCHAR(65535)"
    with pytest.raises(CoercionError, match="70000 bytes long"):
        coerce("x" * 70_000, column)


def test_every_inferred_value_converts_to_its_own_type() -> None:
    rows = [["7", "0.5", "1e-3", "yes", "2024-12-31", "2024-12-31 23:59:59.5", "héllo"]]
    columns = infer_column_types(list("abcdefg"), rows)
    assert [coerce(v, c) for v, c in zip(rows[0], columns, strict=True)] == [
        7,
        Decimal("0.5"),
        0.001,
        True,
        date(2024, 12, 31),
        datetime(2024, 12, 31, 23, 59, 59, 500000),
        "héllo",
    ]


@pytest.mark.parametrize(
    ("value", "column", "reason"),
    [
        ("12a", ColumnSpec("c", "BIGINT"), "is not a whole number"),
        ("40000", ColumnSpec("c", "SMALLINT"), "out of range for SMALLINT"),
        ("1_000", ColumnSpec("c", "DOUBLE PRECISION"), "is not a number"),
        ("inf", ColumnSpec("c", "DOUBLE PRECISION"), "not a finite number"),
        ("123.4", ColumnSpec("c", "NUMERIC", precision=4, scale=2), "too large"),
        ("1.005", ColumnSpec("c", "NUMERIC", precision=9, scale=2), "more than 2 decimal"),
        ("2024-13-01", ColumnSpec("c", "DATE"), "not a valid calendar date"),
        ("01/02/2024", ColumnSpec("c", "DATE"), "YYYY-MM-DD"),
        ("2024-01-01 25:00", ColumnSpec("c", "TIMESTAMP"), "not a valid date and time"),
        ("2024-01-01T10:00+02:00", ColumnSpec("c", "TIMESTAMP"), "HH:MM:SS"),
        ("perhaps", ColumnSpec("c", "BOOLEAN"), "not true/false"),
        ("naïve", ColumnSpec("c", "VARCHAR", length=5), "6 bytes long"),
        ("a\x00b", ColumnSpec("c", "VARCHAR", length=5), "NUL character"),
    ],
)
def test_coerce_explains_what_does_not_fit(value: str, column: ColumnSpec, reason: str) -> None:
    with pytest.raises(CoercionError, match=reason):
        coerce(value, column)


def test_coerce_treats_empty_as_null_and_accepts_canonical_forms() -> None:
    assert coerce("", ColumnSpec("c", "VARCHAR", length=3)) is None
    assert coerce("  ", ColumnSpec("c", "BIGINT")) is None
    assert coerce("+0042", ColumnSpec("c", "BIGINT")) == 42
    assert coerce("1e2", ColumnSpec("c", "NUMERIC", precision=5, scale=2)) == Decimal("100.00")
    assert coerce(2.5, ColumnSpec("c", "NUMERIC", precision=3, scale=1)) == Decimal("2.5")
    assert coerce("2024-01-02", ColumnSpec("c", "TIMESTAMP")) == datetime(2024, 1, 2)
    assert coerce(date(2024, 1, 2), ColumnSpec("c", "TIMESTAMP")) == datetime(2024, 1, 2)
    assert coerce(True, ColumnSpec("c", "VARCHAR", length=5)) == "true"


def test_ddl_is_exact_and_quoted() -> None:
    columns = [
        ColumnSpec("id", "BIGINT"),
        ColumnSpec("amount", "NUMERIC", precision=12, scale=2),
        ColumnSpec('we"ird', "VARCHAR", length=20),
    ]
    assert ddl_for("orders", columns, "redshift", schema="sales") == (
        'CREATE TABLE "sales"."orders" (\n'
        '  "id" BIGINT,\n'
        '  "amount" NUMERIC(12,2),\n'
        '  "we""ird" VARCHAR(20)\n'
        ")"
    )
    assert ddl_for("t", columns[:1], "sqlite") == 'CREATE TABLE "t" (\n  "id" BIGINT\n)'
    with pytest.raises(ValueError):
        ddl_for("t", columns, "oracle")
    assert quote_ident('a"; DROP TABLE t; --') == '"a""; DROP TABLE t; --"'


def test_catalog_types_parse_back_to_specs() -> None:
    assert parse_sql_type("a", "character varying(20)") == ColumnSpec("a", "VARCHAR", length=20)
    assert parse_sql_type("a", "NUMERIC(10,2)").sql_type == "NUMERIC(10,2)"
    assert parse_sql_type("a", "timestamp without time zone").kind == "TIMESTAMP"
    assert parse_sql_type("a", "DOUBLE PRECISION").kind == "DOUBLE PRECISION"
    assert parse_sql_type("a", "geometry").kind == "GEOMETRY"


def test_schema_differences_allow_widening_but_not_other_types() -> None:
    table = [
        ColumnSpec("a", "NUMERIC", precision=10, scale=2),
        ColumnSpec("b", "VARCHAR", length=5),
    ]
    data = [ColumnSpec("a", "BIGINT"), ColumnSpec("b", "DATE")]
    assert schema_differences(table, data) == []  # values are checked one by one on load
    assert schema_differences([ColumnSpec("a", "DATE")], [ColumnSpec("a", "BIGINT")]) == [
        "column 'a' is DATE in the table, the data needs BIGINT"
    ]


def test_batches_are_powers_of_two_within_the_byte_limit() -> None:
    rows = [("x" * (i % 17), "é" * (i % 5)) for i in range(1000)]
    chunks = [rows[i : i + 300] for i in range(0, 1000, 300)]
    groups = list(batches(chunks, max_rows=100, max_bytes=300, sizes=text_sizes))
    assert [row for group in groups for row in group] == rows  # order kept, nothing lost
    for group in groups:
        assert len(group) & (len(group) - 1) == 0 and len(group) <= 64
        assert sum(text_sizes(group)) <= 300
    assert text_sizes([("é", "ab")], overhead=3) == [7]
    # A row bigger than the limit travels alone rather than being dropped.
    assert list(batches([[("a" * 50,)]], max_rows=8, max_bytes=10, sizes=text_sizes)) == [
        [("a" * 50,)]
    ]


def test_whole_block_inference_agrees_with_value_by_value() -> None:
    names = ["i", "d", "g", "c", "day", "ts", "pm", "b", "t", "z", "mixed"]
    rows = [
        [
            str(n - 2500),
            f"{n / 7:.3f}",
            f"{n * 1001:,}.5",
            f"{n % 999 + 1}.500",
            f"{n % 12 + 1}/{n % 28 + 1}/20{n % 30:02d}",
            f"{n % 28 + 1}.{n % 12 + 1}.1999 {n % 24}:{n % 60:02d}:07",
            f"{n % 12 + 1}/3/2024 {n % 12 + 1}:05 {'PM' if n % 2 else 'AM'}",
            "tf"[n % 2],
            f"word {n}",
            f"{n:05d}",
            str(n) if n % 1000 else "n/a",
        ]
        for n in range(5000)
    ]
    by_block = TypeInferrer(names).feed(rows).inferred()
    by_value = TypeInferrer(names)
    for row in rows:
        by_value.update(row)
    assert by_block == by_value.inferred()
    assert [c.spec.sql_type for c in by_block] == [
        "BIGINT",
        "NUMERIC(6,3)",
        "NUMERIC(8,1)",
        "NUMERIC(6,3)",
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP",
        "BOOLEAN",
        "VARCHAR(32)",
        "VARCHAR(16)",
        "VARCHAR(16)",
    ]
