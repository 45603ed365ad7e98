"""A bundle's warehouse schema: names, types inferred over every member, and the DDL."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models import F

from backend.integrations.warehouse import ColumnSpec
from backend.integrations.warehouse.columns import parse_sql_type
from backend.integrations.warehouse.inference import TypeInferrer
from backend.integrations.warehouse.schema import ddl_for, normalize_identifiers
from backend.models import Bundle, Table
from backend.selectors.tables import table_columns, table_data_rows


@dataclass(frozen=True)
class MemberFit:
    table_id: int
    name: str
    columns: list[str]
    problem: str = ""  # empty when the table fits the bundle's columns


@dataclass(frozen=True)
class BundleSchema:
    columns: list[ColumnSpec]
    members: list[MemberFit]
    problems: list[str] = field(default_factory=list)  # why the bundle cannot load now

    def ddl(self, *, target: str, dialect: str) -> str:
        return ddl_for(target, self.columns, dialect) if self.columns else ""


def bundle_members(*, bundle: Bundle) -> list[Table]:
    """Member tables in the order they load: converted ones by document and page, then
    uploaded CSVs in upload order."""
    by_document = F("document_id").asc(nulls_last=True)
    return list(bundle.tables.order_by(by_document, "first_page", "id"))


def bundle_schema(*, bundle: Bundle) -> BundleSchema:
    """Columns from the first member, types inferred over all fitting members, user edits applied;
    a member whose columns differ is flagged with the reason and never loaded."""
    members = bundle_members(bundle=bundle)
    if not members:
        return BundleSchema([], [], ["The bundle has no tables yet: add tables or upload CSVs."])
    expected = normalize_identifiers(table_columns(table=members[0]))
    inferrer = TypeInferrer(expected)
    fits = []
    for table in members:
        names = normalize_identifiers(table_columns(table=table))
        problem = _mismatch(names, expected)
        if not problem:
            for _, row in table_data_rows(table=table):
                inferrer.update(row)
        fits.append(MemberFit(table.pk, table.name, names, problem))
    problems = [f"{m.name}: {m.problem}" for m in fits if m.problem]
    return BundleSchema(_apply_edits(inferrer.columns(), bundle.schema), fits, problems)


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
