"""Bundles: tables grouped to load into one warehouse table, and CSVs uploaded into them."""

from __future__ import annotations

import csv
import io
import tempfile
import uuid
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F

from backend.access import bundle_to_change, require_active, visible_bundle
from backend.errors import UserFixable
from backend.integrations.warehouse.columns import parse_sql_type
from backend.integrations.warehouse.forms import DATE_ORDERS, DAY_FIRST, DECIMAL_MARKS, MONTH_FIRST  # noqa: F401 (for pages)
from backend.integrations.warehouse.inference import CHUNK_ROWS, TypeInferrer
from backend.integrations.warehouse.schema import normalize_identifier
from backend.models import Bundle, Table
from backend.selectors.bundle_schema import bundle_schema
from backend.services.csv_import import CsvLayout, CsvRejected, csv_inspect, iter_table_rows
from backend.services.tables import tables_profile_request

SUPPORTED_KINDS = {"BIGINT", "INTEGER", "SMALLINT", "DOUBLE PRECISION", "REAL", "NUMERIC"}
SUPPORTED_KINDS |= {"BOOLEAN", "DATE", "TIMESTAMP", "VARCHAR"}


class BundleInvalid(UserFixable):
    """The bundle's settings cannot work; the message says what to change."""


def bundle_create(
    *, owner: User, name: str, target_table: str, load_mode: str, key_columns: Iterable[str] = ()
) -> Bundle:
    """A new bundle; the target is normalised to a valid warehouse identifier."""
    require_active(owner)
    bundle = Bundle(owner=owner)
    _apply_settings(bundle, name, target_table, load_mode, key_columns)
    try:
        with transaction.atomic():
            bundle.save()
    except IntegrityError:
        raise BundleInvalid(f"you already have a bundle named {name!r}") from None
    return bundle


def bundle_update(
    *,
    by: User,
    bundle_id: int,
    name: str,
    target_table: str,
    load_mode: str,
    key_columns: Iterable[str],
) -> Bundle:
    """Change name, target or mode; a new version, so the next load is not taken as a repeat."""
    bundle = bundle_to_change(by, bundle_id)
    _apply_settings(bundle, name, target_table, load_mode, key_columns)
    bundle.version += 1
    bundle.save()
    return bundle


def _apply_settings(bundle, name, target_table, load_mode, key_columns) -> None:
    if not name.strip():
        raise BundleInvalid("give the bundle a name")
    if load_mode not in Bundle.LoadMode.values:
        raise BundleInvalid(f"load mode must be one of {', '.join(Bundle.LoadMode.values)}")
    keys = [normalize_identifier(k) for k in key_columns if k.strip()]
    if load_mode == Bundle.LoadMode.UPSERT and not keys:
        raise BundleInvalid("upsert needs one or more key columns")
    bundle.name = name.strip()
    bundle.target_table = normalize_identifier(target_table or name)
    bundle.load_mode = load_mode
    bundle.key_columns = keys


def bundle_set_tables(*, by: User, bundle_id: int, table_ids: Iterable[int]) -> Bundle:
    """Make exactly these of the owner's tables the bundle's members."""
    bundle = bundle_to_change(by, bundle_id)
    tables = Table.objects.filter(owner=bundle.owner, pk__in=list(table_ids))
    with transaction.atomic():
        bundle.tables.set(tables)
        Bundle.objects.filter(pk=bundle.pk).update(version=F("version") + 1)
    bundle.refresh_from_db()
    return bundle


def bundle_set_schema(*, by: User, bundle_id: int, columns: list[dict]) -> Bundle:
    """Store the user's column names and types (positional), after checking every type."""
    bundle = bundle_to_change(by, bundle_id)
    for column in columns:
        spec = parse_sql_type(column.get("name") or "x", column.get("type") or "VARCHAR")
        if spec.kind not in SUPPORTED_KINDS:
            raise BundleInvalid(
                f"column {column.get('name')!r}: {column.get('type')!r} is not a type we load"
            )
    bundle.schema = [{"name": c.get("name", ""), "type": c.get("type", "")} for c in columns]
    bundle.version += 1
    bundle.save(update_fields=["schema", "version"])
    return bundle


def bundle_set_date_order(*, by: User, bundle_id: int, column: str, order: str) -> Bundle:
    """Say how a date column whose values read both ways is written (month- or day-first)."""
    bundle = bundle_to_change(by, bundle_id)
    if order not in DATE_ORDERS:
        raise BundleInvalid(f"a date order is one of {', '.join(DATE_ORDERS)}")
    bundle.date_orders = {**bundle.date_orders, column: order}
    bundle.version += 1
    bundle.save(update_fields=["date_orders", "version"])
    return bundle


def bundle_set_decimal_mark(*, by: User, bundle_id: int, table_id: int, mark: str) -> Bundle:
    """Say which decimal mark a member table's numbers are written with; every bundle holding
    the table gets a new version, as its values now read differently."""
    bundle = bundle_to_change(by, bundle_id)
    if mark not in DECIMAL_MARKS:
        raise BundleInvalid("a decimal mark is '.' (1,234.5) or ',' (1.234,5)")
    table = bundle.tables.get(pk=table_id)
    with transaction.atomic():
        Table.objects.filter(pk=table.pk).update(decimal_mark=mark)
        Bundle.objects.filter(tables=table).update(version=F("version") + 1)
    bundle.refresh_from_db()
    return bundle


def bundle_set_schema_changes(*, by: User, bundle_id: int, allowed: bool) -> Bundle:
    """Let loads widen text columns and add new nullable columns to the existing table."""
    bundle = bundle_to_change(by, bundle_id)
    bundle.allow_schema_changes = allowed
    bundle.version += 1
    bundle.save(update_fields=["allow_schema_changes", "version"])
    return bundle


def bundle_profiles_request(*, by: User, bundle_id: int) -> int:
    """Have a worker read the column facts of the bundle's members that lack them, so its
    schema can be completed without reading rows here; returns how many were asked for."""
    bundle = visible_bundle(by, bundle_id)
    return tables_profile_request(table_ids=bundle_schema(bundle=bundle).pending_ids)


def bundle_delete(*, by: User, bundle_id: int) -> None:
    """Remove the bundle (its schedule goes with it); its tables and past runs stay."""
    bundle = bundle_to_change(by, bundle_id)
    bundle.delete()


def table_create_from_csv(
    *,
    owner: User,
    name: str,
    content: bytes,
    bundle_id: int | None = None,
    table_lines: tuple[int, int] | None = None,
    names: dict[int, str] | None = None,
) -> tuple[Table, CsvLayout]:
    """Store an uploaded CSV as a UTF-8 table, its header first, in the bundle if given.

    A file with lines around the table is stored only when `table_lines` confirms the
    (header line, last line) that csv_inspect found; blank header names only when `names`
    gives one for each such position (1-based). Raises CsvRejected saying what is missing."""
    require_active(owner)
    bundle = None if bundle_id is None else bundle_to_change(owner, bundle_id)
    with tempfile.TemporaryFile() as raw:
        layout, profile = _write_table(content, raw, table_lines, names or {})
        n_rows, n_cols = layout.rows + 1, len(layout.header)
        column_names = _named_header(layout, names or {})
        table = Table(
            owner=owner,
            name=name,
            n_rows=n_rows,
            n_cols=n_cols,
            header_row=0,
            column_names=column_names,
            profile=profile,
        )
        with transaction.atomic():
            # A generated file name: what the browser sent never becomes a storage path.
            stored = f"{uuid.uuid4().hex}.csv"
            table.file.save(stored, File(raw, name=stored), save=False)
            table.save()
            if bundle is not None:
                bundle.tables.add(table)
                Bundle.objects.filter(pk=bundle.pk).update(version=F("version") + 1)
    return table, layout


def _check_answers(layout: CsvLayout, table_lines, names: dict[int, str]) -> None:
    found = (layout.header_line, layout.last_line)
    if layout.has_surroundings and tuple(table_lines or ()) != found:
        outside = [line for line, _ in layout.above + layout.below]
        these = "lines {} look" if len(outside) > 1 else "line {} looks"
        raise CsvRejected(
            f"the table seems to be lines {found[0]}-{found[1]} (header on line {found[0]}); "
            f"{these.format(_spans(outside))} like a title or notes. Confirm where the table "
            "is, or remove those lines and upload again."
        )
    unnamed = [p for p in layout.blank_names if not names.get(p, "").strip()]
    if unnamed:
        raise CsvRejected(
            f"the header (line {layout.header_line}) has no name for column "
            f"{', '.join(map(str, unnamed))}: name {'them' if len(unnamed) > 1 else 'it'}"
        )


def _named_header(layout: CsvLayout, names: dict[int, str]) -> list[str]:
    """The header with the user's names in its blank positions; [] when none was blank."""
    if not layout.blank_names:
        return []
    return [
        names[p].strip() if p in layout.blank_names else name
        for p, name in enumerate(layout.header, start=1)
    ]


def _spans(lines: list[int]) -> str:
    """'1-3, 9' for [1, 2, 3, 9]."""
    spans: list[list[int]] = []
    for line in sorted(lines):
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def _write_table(content: bytes, raw, table_lines, names: dict[int, str]) -> tuple[CsvLayout, dict]:
    """Check the file and write its table to `raw` as UTF-8 CSV, gathering the columns' type
    facts on the way, in one pass over the file (a second one only to leave out a confirmed
    title and notes). Returns the layout and the facts (the table's profile)."""
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    profiler = _Profiler(csv.writer(text, lineterminator="\r\n"))
    layout = csv_inspect(content, sink=profiler.add)
    _check_answers(layout, table_lines, names)
    if layout.has_surroundings:  # the title and notes went in too: write the table alone
        text.seek(0)
        text.truncate()
        profiler = _Profiler(profiler.writer)
        for row in iter_table_rows(content, layout):
            profiler.add(row)
    text.flush()
    text.detach()  # hand the bytes back to `raw`, which the caller stores
    raw.seek(0)
    return layout, profiler.profile()


class _Profiler:
    """Writes each record, and gathers type facts over those after the first (the header),
    a chunk at a time."""

    def __init__(self, writer) -> None:
        self.writer = writer
        self.inferrer: TypeInferrer | None = None
        self.rows: list[list[str]] = []

    def add(self, row: list[str]) -> None:
        self.writer.writerow(row)
        if self.inferrer is None:
            self.inferrer = TypeInferrer([""] * len(row))
            return
        self.rows.append(row)
        if len(self.rows) >= CHUNK_ROWS:
            self.inferrer.feed(self.rows)
            self.rows = []

    def profile(self) -> dict:
        if self.inferrer is None:
            return {}
        self.inferrer.feed(self.rows)
        return self.inferrer.profile()
