"""Reads of a table's earlier versions and of the owner's templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User

from backend.models import Run, TableVersion


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
    versions = TableVersion.objects.filter(table_id=table_id, table__owner=owner)
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
    status: str
    message: str
    error: str


def reextraction_state(*, owner: User, run_id: int) -> ReextractionState:
    """Where the owner's re-extraction run is."""
    run = Run.objects.get(pk=run_id, owner=owner, kind=Run.Kind.REEXTRACTION)
    return ReextractionState(run.status, run.message, run.error)
