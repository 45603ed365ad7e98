"""Reads of a table's earlier versions and of the owner's templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User

from backend.access import AccessDenied, bundles_visible, owned_one, run_visible
from backend.models import Bundle, Run, Table, TableVersion


@dataclass(frozen=True)
class VersionRow:
    version: int
    n_rows: int
    n_cols: int
    strategy: str
    how: str  # "detected" or the fix that made it
    replaced_at: datetime


def table_versions_of(*, owner: User, table_id: int) -> list[VersionRow]:
    """The owner's table's earlier versions, newest first."""
    table = owned_one(Table.objects, owner, table_id, "table")
    versions = TableVersion.objects.filter(table=table)
    return [
        VersionRow(
            v.version, v.n_rows, v.n_cols, v.strategy, fix_text(v.fix) or "detected", v.created_at
        )
        for v in versions
    ]


def fix_text(fix: dict) -> str:
    """A fix in words: 'drawn on page 1: area …, 2 column separators, whitespace'."""
    if not fix:
        return ""
    how = "ruled lines" if fix["strategy"] == "lines" else "whitespace"
    area = ", ".join(f"{v:g}" for v in fix["area"])
    return f"drawn on page {fix['page']}: area {area}, {len(fix['separators'])} separator(s), {how}"


@dataclass(frozen=True)
class ReextractionState:
    status: Run.Status
    message: str
    error: str


def reextraction_state(*, owner: User, run_id: int) -> ReextractionState:
    """Where the owner's re-extraction run is."""
    run = run_visible(owner, run_id)
    return ReextractionState(Run.Status(run.status), run.message, run.error)


def tables_unchecked(*, bundle: Bundle) -> list[Table]:
    """The bundle's tables flagged for checking that no one has marked checked."""
    members = bundle.tables.filter(checked=False).exclude(quality_reasons=[]).order_by("name")
    return list(members)


@dataclass(frozen=True)
class MemberReview:
    table_id: int
    name: str
    rows: int
    columns: int
    check: str  # the reasons to check it; "" when none or checked
    version: int
    loaded_version: int | None  # the version the bundle's last successful load read


def bundle_members_review(*, owner: User, bundle_id: int) -> list[MemberReview]:
    """The owner's bundle's tables with their flags and whether they changed since the last
    successful load (a fix made a new version)."""
    bundle = bundles_visible(owner).filter(pk=bundle_id).first()
    if bundle is None:
        raise AccessDenied(f"No bundle {bundle_id} of yours.")
    last = bundle.runs.filter(kind=Run.Kind.LOAD, status=Run.Status.SUCCEEDED).first()
    loaded = {t["id"]: t.get("version", 1) for t in (last.inputs.get("tables", []) if last else [])}
    return [
        MemberReview(
            t.pk,
            t.name,
            t.n_rows,
            t.n_cols,
            "" if t.checked else "; ".join(t.quality_reasons),
            t.version,
            loaded.get(t.pk),
        )
        for t in bundle.tables.order_by("name")
    ]
