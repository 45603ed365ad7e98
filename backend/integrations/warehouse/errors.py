"""Typed warehouse errors. Each str() is a message a person can act on; none carries a secret."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

VALUE_PREVIEW_CHARS = 80


class WarehouseError(Exception):
    """Base class. `retryable` tells the caller whether a retry with backoff may succeed."""

    retryable = False


class WarehouseUnreachable(WarehouseError):
    """Network, timeout, server restarting or busy: transient, retry with backoff."""

    retryable = True


class WarehouseAuthError(WarehouseError):
    """The warehouse refused the credentials: fail fast, a person must fix the connection."""


class SchemaMismatch(WarehouseError):
    """The target table exists with columns that differ from the data being loaded."""

    def __init__(self, table: str, differences: Iterable[str]) -> None:
        self.table = table
        self.differences = list(differences)
        super().__init__(
            f"Table {table!r} already exists with a different schema: "
            + "; ".join(self.differences)
            + ". Rename the target, or align the bundle's columns with the table."
        )


class ValueDoesNotFit(WarehouseError):
    """A value can't be stored in its column's type (or a row has the wrong shape)."""

    def __init__(
        self, table: str, row: int, column: str, value: object, reason: str, source: str = ""
    ) -> None:
        self.table, self.row, self.column, self.value = table, row, column, value
        self.reason, self.source = reason, source
        where = f"{source!r} row {row}" if source else f"CSV row {row}"
        super().__init__(
            f"Table {table!r}, {where}, column {column!r}: value {preview(value)} {reason}. "
            "Fix the value in the source file or change the column type, then load again."
        )


@dataclass(frozen=True)
class Rejection:
    source: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source!r} row {self.row}" if self.source else f"CSV row {self.row}"
        return f"{where}, column {self.column!r}, value {preview(self.value)}: {self.reason}"


class CopyRejected(WarehouseError):
    """Redshift's COPY refused values; the message names the first few by file, row, column."""

    def __init__(self, table: str, rejections: list[Rejection], total: int) -> None:
        self.table, self.rejections, self.total = table, rejections, total
        # One line per value, so a page showing the message as Markdown lists them.
        shown = "".join(f"\n- {rejection}" for rejection in rejections)
        more = f" (the first {len(rejections)} of {total})" if total > len(rejections) else ""
        super().__init__(
            f"Redshift refused values loading table {table!r}{more}; nothing was published:"
            f"{shown}\n\nFix the values in the source file or change the column types, then "
            "load again."
        )


class EmptyLoad(WarehouseError):
    """Nothing to load: no columns or no rows."""


class TableNotFound(WarehouseError):
    """The table asked for doesn't exist in the warehouse."""


class InvalidLoad(WarehouseError):
    """The load request itself is wrong (unknown mode, bad upsert keys, duplicate keys)."""


def preview(value: object) -> str:
    """A short, quoted rendering of a value for messages."""
    text = repr(value)
    if len(text) > VALUE_PREVIEW_CHARS:
        text = text[: VALUE_PREVIEW_CHARS - 3] + "..."
    return text


def redact(text: str, *secrets: str | None) -> str:
    """Remove secrets from text before it reaches a message or a log."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
