"""Reads about bundles for the Bundles page, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User

from backend.access import bundles_visible, may_change, owned, visible_bundle
from backend.integrations.warehouse import WarehouseError
from backend.integrations.warehouse.evolution import schema_diff
from backend.integrations.warehouse.forms import DATE_FORM, MONTH_FIRST, NUMBER_FORM
from backend.integrations.warehouse.inference import TEXT_HEADROOM, InferredColumn
from backend.integrations.warehouse.schema import quote_ident
from backend.models import Run, Table
from backend.selectors.bundle_schema import MemberFit, bundle_schema
from backend.selectors.warehouse import configured_warehouse


@dataclass(frozen=True)
class BundleRow:
    id: int
    name: str
    target_table: str
    load_mode: str
    key_columns: list[str]
    version: int
    owner: str
    table_ids: list[int]  # its members
    shared_with: dict[int, str]  # group id -> name
    may_change: bool  # False: shared with the user, who may only view and load it


@dataclass(frozen=True)
class LoadRow:
    id: int
    status: Run.Status
    trigger: Run.Trigger
    queued_at: datetime
    rows_loaded: int
    message: str
    error: str


def bundles_of_owner(*, owner: User) -> list[BundleRow]:
    """The bundles the user may see (own, shared with their groups; all for an administrator)
    by name, with their member counts, the groups they are shared with, and whether the user
    may change them (only view and load when shared with them)."""
    return [
        BundleRow(
            id=b.pk,
            name=b.name,
            target_table=b.target_table,
            load_mode=b.load_mode,
            key_columns=list(b.key_columns),
            version=b.version,
            owner=b.owner.username,
            table_ids=[t.pk for t in b.tables.all()],
            shared_with={g.pk: g.name for g in b.shared_with.all()},
            may_change=may_change(owner, b),
        )
        for b in bundles_visible(owner)
        .select_related("owner")
        .prefetch_related("shared_with", "tables")
        .order_by("name")
    ]


@dataclass(frozen=True)
class AvailableTable:
    id: int
    document_id: int | None
    origin: str  # the PDF's name, or "uploaded CSV"
    label: str


def tables_available(*, owner: User) -> list[AvailableTable]:
    """Every table the owner could put in a bundle, labelled with where it came from."""
    tables = owned(Table.objects, owner).select_related("document").order_by("-created_at")
    rows = []
    for t in tables:
        origin = t.document.name if t.document else "uploaded CSV"
        label = f"{origin} · {t.name} ({t.n_rows}×{t.n_cols})"
        rows.append(AvailableTable(t.pk, t.document_id, origin, label))
    return rows


@dataclass(frozen=True)
class SchemaView:
    """A bundle's schema as the Schema tab shows it; `columns` and `written_as` are rows for
    grids."""

    columns: list[dict[str, str]]  # name, type
    members: list[MemberFit]
    written_as: list[dict[str, str]]  # column, "written as"
    date_questions: list[str]  # columns whose dates read both ways and nobody chose
    text_headroom: int
    allow_schema_changes: bool
    problems: list[str]  # why the bundle cannot load now
    pending: list[str]  # members whose column facts a worker is still reading
    dialect: str
    ddl: str


def bundle_schema_view(*, by: User, bundle_id: int) -> SchemaView:
    """Columns, member fit, problems and the exact DDL for the configured warehouse."""
    bundle = visible_bundle(by, bundle_id)
    schema = bundle_schema(bundle=bundle)
    dialect = warehouse_dialect()
    pairs = list(zip(schema.columns, schema.inferred, strict=False))
    return SchemaView(
        columns=[{"name": c.name, "type": c.sql_type} for c in schema.columns],
        members=schema.members,
        written_as=[{"column": c.name, "written as": _written_as(i)} for c, i in pairs if i.form],
        date_questions=[c.name for c, i in pairs if i.form == DATE_FORM and not i.order],
        text_headroom=TEXT_HEADROOM,
        allow_schema_changes=bundle.allow_schema_changes,
        problems=schema.problems,
        pending=schema.pending,
        dialect=dialect,
        ddl=schema.ddl(target=bundle.target_table, dialect=dialect),
    )


def _written_as(column: InferredColumn) -> str:
    if column.form == NUMBER_FORM:
        return "numbers with thousands separators, each file's decimal mark (below)"
    if not column.order:
        return "dates that read both month-first and day-first: choose below"
    example = "3/30/2012" if column.order == MONTH_FIRST else "30/3/2012"
    return f"{column.order} dates ({example}), read as ISO dates"


@dataclass(frozen=True)
class TableChanges:
    """How a bundle's schema compares with its target table in the warehouse."""

    error: str  # why the warehouse could not be asked; empty when it answered
    exists: bool
    changes: list[str] = field(default_factory=list)  # what a load would change, in words
    sql: list[str] = field(default_factory=list)  # and the statements it would run
    refusals: list[str] = field(default_factory=list)  # what would stop a load


def bundle_table_changes(*, by: User, bundle_id: int) -> TableChanges:
    """How the bundle's schema compares with its target table already in the warehouse:
    the changes a load would make, and what would stop it."""
    bundle = visible_bundle(by, bundle_id)
    schema = bundle_schema(bundle=bundle)
    try:
        with configured_warehouse() as warehouse:
            existing = warehouse.table_columns(bundle.target_table)
    except WarehouseError as exc:
        return TableChanges(error=str(exc), exists=False)
    if existing is None or not schema.columns:
        return TableChanges(error="", exists=existing is not None)
    diff = schema_diff(existing, schema.columns, schema.longest())
    return TableChanges(
        error="",
        exists=True,
        changes=[c.describe(done=False) for c in diff.changes],
        sql=[c.sql(quote_ident(bundle.target_table)) for c in diff.changes],
        refusals=diff.refusals,
    )


def bundle_recent_loads(*, by: User, bundle_id: int, limit: int = 5) -> list[LoadRow]:
    """The latest load runs of a bundle the user may see, newest first."""
    bundle = visible_bundle(by, bundle_id)
    runs = Run.objects.filter(bundle=bundle, kind=Run.Kind.LOAD).order_by("-queued_at")[:limit]
    return [
        LoadRow(
            r.pk,
            Run.Status(r.status),
            Run.Trigger(r.trigger),
            r.queued_at,
            r.rows_loaded,
            r.message,
            r.error,
        )
        for r in runs
    ]


def warehouse_dialect() -> str:
    """'sqlite' or 'redshift', from the configured warehouse URL."""
    return "redshift" if settings.WAREHOUSE_URL.startswith("redshift") else "sqlite"
