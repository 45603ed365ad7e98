"""What a load will do, checked before anything is written; and the ledger's shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .base import LEDGER_TABLE, MODES, STAGING_PREFIX
from .columns import ColumnSpec
from .errors import EmptyLoad, InvalidLoad

MAX_LOAD_ID = 255
LEDGER_COLUMNS = [
    ColumnSpec("load_id", "VARCHAR", length=MAX_LOAD_ID),
    ColumnSpec("target", "VARCHAR", length=255),
    ColumnSpec("mode", "VARCHAR", length=16),
    ColumnSpec("row_count", "BIGINT"),
    ColumnSpec("loaded_at", "TIMESTAMP"),
]


@dataclass(frozen=True)
class LoadPlan:
    target: str
    columns: list[ColumnSpec]  # in the data's order, with the existing table's types if any
    mode: str
    keys: list[str]
    load_id: str
    evolve: bool = False  # may widen text columns and add columns to the existing table
    longest: Mapping[str, int] = field(default_factory=dict)  # per column, UTF-8 bytes
    widened: list[str] = field(default_factory=list)  # changes made before the load, described


def check_request(
    target: str, columns: list[ColumnSpec], mode: str, keys: list[str], load_id: str
) -> None:
    """Refuse a malformed request before touching the warehouse."""
    if mode not in MODES:
        raise InvalidLoad(f"Unknown load mode {mode!r}; use one of {', '.join(MODES)}.")
    if not target or target == LEDGER_TABLE or target.startswith(STAGING_PREFIX):
        raise InvalidLoad(f"{target!r} can't be a target table name.")
    if not load_id or len(load_id) > MAX_LOAD_ID:
        raise InvalidLoad(f"A load needs a load_id of 1 to {MAX_LOAD_ID} characters.")
    if not columns:
        raise EmptyLoad(f"Nothing to load into {target!r}: the data has no columns.")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise InvalidLoad(f"Column names must be unique; got {names}.")
    if mode == "upsert" and not keys:
        raise InvalidLoad("An upsert needs at least one key column.")
    if missing := [k for k in keys if k not in names]:
        raise InvalidLoad(f"Upsert keys {missing} are not columns of the data ({names}).")


def duplicate_key_error(plan: LoadPlan, values: Sequence[object], times: int) -> InvalidLoad:
    shown = ", ".join(f"{k}={v!r}" for k, v in zip(plan.keys, values, strict=True))
    return InvalidLoad(
        f"Upsert into {plan.target!r}: key ({shown}) appears {times} times in the data. "
        "Keys must be unique within a load; remove the duplicates or pick other keys."
    )
