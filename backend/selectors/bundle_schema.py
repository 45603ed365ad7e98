"""A bundle's warehouse schema: names, types inferred over every member, and the DDL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from itertools import islice

from django.db.models import F

from backend.integrations.warehouse import ColumnSpec
from backend.integrations.warehouse.columns import NUMERIC_KINDS, parse_sql_type
from backend.integrations.warehouse.forms import (
    DATE_FORM,
    DATE_ORDERS,
    NUMBER_FORM,
    ColumnReader,
    dates_reader,
    numbers_reader,
)
from backend.integrations.warehouse.inference import InferredColumn, TypeInferrer
from backend.integrations.warehouse.schema import ddl_for, normalize_identifiers
from backend.models import Bundle, Table
from backend.selectors.tables import table_columns, table_data_rows, table_profile_read

READ_CHUNK_ROWS = 4096  # rows whose people-written values are read column by column
PENDING = "a worker is reading its column types; the schema is complete in a moment."


@dataclass(frozen=True)
class MemberFit:
    table_id: int
    name: str
    columns: list[str]
    problem: str = ""  # empty when the table fits the bundle's columns
    decimal_mark: str = "."  # how its numbers are written: 1,234.5 (".") or 1.234,5 (",")


@dataclass(frozen=True)
class BundleSchema:
    columns: list[ColumnSpec]
    members: list[MemberFit]
    problems: list[str] = field(default_factory=list)  # why the bundle cannot load now
    # Per column, as inferred: the written form its values are read with, the date order,
    # the longest value; `order` is "" where the values read both ways and nobody chose.
    inferred: list[InferredColumn] = field(default_factory=list)
    # Members whose column facts a worker is still reading: the schema is not final yet.
    pending: list[str] = field(default_factory=list)
    pending_ids: list[int] = field(default_factory=list)

    def ddl(self, *, target: str, dialect: str) -> str:
        return ddl_for(target, self.columns, dialect) if self.columns else ""

    def longest(self) -> dict[str, int]:
        """The longest value of each column (UTF-8 bytes), by its final name."""
        return {c.name: i.longest for c, i in zip(self.columns, self.inferred, strict=False)}


def bundle_members(*, bundle: Bundle) -> list[Table]:
    """Member tables in the order they load: converted ones by document and page, then
    uploaded CSVs in upload order."""
    by_document = F("document_id").asc(nulls_last=True)
    return list(bundle.tables.order_by(by_document, "first_page", "id"))


def bundle_schema(*, bundle: Bundle, read_rows: bool = False) -> BundleSchema:
    """Columns from the first member, types inferred over all fitting members (once per bundle
    version, then reused), the user's edits and date orders applied; a member whose columns
    differ is flagged with the reason and never loaded.

    Types come from the facts stored with each table, never from reading its rows, so the
    web process stays light; a member without them is named as pending, for
    bundle_profiles_request to ask of a worker. Only a worker passes `read_rows`, to read
    such a member itself."""
    members = bundle_members(bundle=bundle)
    if not members:
        return BundleSchema([], [], ["The bundle has no tables yet: add tables or upload CSVs."])
    pending: list[Table] = []
    if bundle.inferred.get("version") == bundle.version:
        inferred, fits = _from_json(bundle.inferred)
    else:
        inferred, fits, pending = _infer(members, read_rows)
        if not pending:
            _remember(bundle, inferred, fits)
    inferred = [_with_order(c, bundle.date_orders) for c in inferred]
    problems = [f"{m.name}: {m.problem}" for m in fits if m.problem]
    problems += [f"{t.name}: {PENDING}" for t in pending]
    problems += [
        f"Column {c.spec.name!r}: every date in it reads both month-first and day-first "
        "(e.g. 3/4/2024); choose the order on the Schema tab."
        for c in inferred
        if c.form == DATE_FORM and not c.order
    ]
    columns = _apply_edits([c.spec for c in inferred], bundle.schema)
    return BundleSchema(
        columns, fits, problems, inferred, [t.name for t in pending], [t.pk for t in pending]
    )


def _infer(
    members: list[Table], read_rows: bool
) -> tuple[list[InferredColumn], list[MemberFit], list[Table]]:
    expected = normalize_identifiers(table_columns(table=members[0]))
    inferrer = TypeInferrer(expected)
    fits, pending = [], []
    for table in members:
        names = normalize_identifiers(table_columns(table=table))
        problem = _mismatch(names, expected)
        mark = table.decimal_mark or "."
        profile = table.profile
        if not problem and not inferrer.fits(profile) and read_rows:
            profile = table_profile_read(table=table)
        if not problem and inferrer.fits(profile):
            mark = inferrer.add_profile(profile, table.decimal_mark or None)
        elif not problem:
            pending.append(table)
        fits.append(MemberFit(table.pk, table.name, names, problem, mark))
    return inferrer.inferred(), fits, pending


def _remember(bundle: Bundle, inferred: list[InferredColumn], fits: list[MemberFit]) -> None:
    """Keep the inference for this version; a change meanwhile (a newer version) wins."""
    payload = {
        "version": bundle.version,
        "columns": [
            {"name": c.spec.name, "type": c.spec.sql_type, "form": c.form, "order": c.order}
            | {"longest": c.longest}
            for c in inferred
        ],
        "members": [asdict(m) for m in fits],
    }
    Bundle.objects.filter(pk=bundle.pk, version=bundle.version).update(inferred=payload)
    bundle.inferred = payload


def _from_json(payload: dict) -> tuple[list[InferredColumn], list[MemberFit]]:
    inferred = [
        InferredColumn(parse_sql_type(c["name"], c["type"]), c["form"], c["order"], c["longest"])
        for c in payload["columns"]
    ]
    return inferred, [MemberFit(**m) for m in payload["members"]]


def _with_order(column: InferredColumn, chosen: dict[str, str]) -> InferredColumn:
    if column.form != DATE_FORM or column.order or chosen.get(column.spec.name) not in DATE_ORDERS:
        return column
    return replace(column, order=chosen[column.spec.name])


def member_rows(*, table: Table, schema: BundleSchema) -> Iterator[tuple[int, list[str]]]:
    """(CSV row number, row) of a member, its numbers and dates read into canonical text
    as its written forms say (`6,718` -> `6718`, `3/30/12` -> `2012-03-30`); rows are not
    padded, so a short one is refused by the load with its number."""
    mark = next((m.decimal_mark for m in schema.members if m.table_id == table.pk), ".")
    readers = [
        (index, reader)
        for index, (column, final) in enumerate(zip(schema.inferred, schema.columns, strict=True))
        if (reader := _reader(column, final, mark)) is not None
    ]
    rows = table_data_rows(table=table, padded=False)
    if not readers:
        yield from rows
        return
    while chunk := list(islice(rows, READ_CHUNK_ROWS)):
        for index, read_many in readers:
            present = [row for _, row in chunk if index < len(row)]
            values = read_many([row[index] for row in present])
            for row, value in zip(present, values, strict=True):
                row[index] = value
        yield from chunk


def _reader(column: InferredColumn, final: ColumnSpec, mark: str) -> ColumnReader | None:
    """The reader for a column still typed as inferred (a user's VARCHAR keeps the text)."""
    if column.form == NUMBER_FORM and final.kind in NUMERIC_KINDS:
        return numbers_reader(mark)
    if column.form == DATE_FORM and column.order and final.kind in ("DATE", "TIMESTAMP"):
        return dates_reader(column.order)
    return None


def _mismatch(names: list[str], expected: list[str]) -> str:
    if names == expected:
        return ""
    if len(names) != len(expected):
        return (
            f"has {len(names)} columns, the bundle has {len(expected)} "
            f"({', '.join(expected)}). Fix its header row or remove it from the bundle."
        )
    differ = [
        f"{got!r} where the bundle has {want!r}"
        for got, want in zip(names, expected)
        if got != want
    ]
    return "column names differ: " + "; ".join(differ) + ". Rename its columns to match."


def _apply_edits(inferred: list[ColumnSpec], edits: list[dict]) -> list[ColumnSpec]:
    # Edits are positional and only hold while the bundle keeps the same number of columns.
    if len(edits) != len(inferred):
        return inferred
    names = normalize_identifiers(e.get("name") or c.name for e, c in zip(edits, inferred))
    return [
        parse_sql_type(name, e["type"]) if e.get("type") else replace(c, name=name)
        for name, e, c in zip(names, edits, inferred)
    ]
