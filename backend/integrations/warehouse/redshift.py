"""The Amazon Redshift warehouse, through redshift-connector.

Rows are converted to canonical text in Python (where a bad value can still be named by
row and column), sent as text lines in multi-row `INSERT ... VALUES ($1),($2)...`
statements whose values are bind parameters, and split and cast into a typed TEMP staging
table by the server (see staging.py); publishing copies from there in one transaction.
With S3 staging configured, the rows reach the staging table by S3 and COPY instead
(copy_stager.py), and values COPY refuses are traced back to their file and row.

Bind parameters rather than literals, measured with the real driver through the shim
(1024-row statements of staged lines, 100k rows): ~290k rows/s with parameters against
~140k with escaped literals. Literals also need quoting that differs between Redshift and
PostgreSQL string syntax, and the driver keeps every distinct SQL text in its statement
cache: ~20 MB per 100k rows, i.e. the whole load in memory. Text parameters give every full
batch the same SQL and parameter types, so one prepared statement serves the whole load.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence

import redshift_connector

from .base import LEDGER_TABLE, LoadResult, ProgressCallback
from .chunks import Assembler, ChunkEncoder
from .columns import ColumnSpec, parse_sql_type
from .copy_errors import Origins
from .encoding import ColumnEncoder, encode_chunk
from .errors import WarehouseAuthError, WarehouseError, WarehouseUnreachable, redact
from .evolution import SchemaChange, describe
from .plan import LoadPlan
from .schema import ddl_for, quote_ident
from .sql import SqlWarehouse, statement_head
from .staging import InsertStager, Stager, StagingLayout
from .urls import RedshiftSettings

logger = logging.getLogger(__name__)
MAX_STATEMENT_BYTES = 16 * 1024 * 1024 - 64 * 1024  # Redshift's 16 MB, less headroom
AUTH_SQLSTATES = {"28000", "28P01"}
TRANSIENT_SQLSTATE_CLASSES = {"08", "53", "57"}  # connection, resources, operator intervention
TRANSIENT_SQLSTATES = {"40001"}  # serialization failure: retry
LEDGER_RACE_SQLSTATES = {"23505", "42P07", "40001"}  # unique violation, exists, serialization
AWS_NETWORK_ERRORS = {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"}


class RedshiftWarehouse(SqlWarehouse):
    dialect = "redshift"
    param = "%s"
    # Measured: PostgreSQL takes multi-row VALUES fastest at 256-2048 rows per statement.
    max_batch_rows = 1024
    driver_errors = (redshift_connector.Error, OSError)

    def __init__(self, settings: RedshiftSettings, *, stager: Stager | None = None) -> None:
        self.settings = settings
        self.max_batch_bytes = settings.max_statement_bytes or MAX_STATEMENT_BYTES
        self.stager: Stager = stager or InsertStager()
        try:
            # A small statement cache: a load reuses a few statements, and the driver keeps
            # a server-side prepared statement for each cached one.
            self._conn = redshift_connector.connect(
                **settings.connect_kwargs(), max_prepared_statements=16
            )
        except Exception as exc:
            raise self._translate(exc) from None
        _send_without_delay(self._conn)
        self._cursor = self._conn.cursor()

    def __repr__(self) -> str:
        return f"RedshiftWarehouse({self.settings.describe()!r}, schema={self._schema!r})"

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection is no news
            self._conn.close()

    # -- primitives -------------------------------------------------------------------------
    @property
    def _schema(self) -> str:
        return self.settings.schema

    def _execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        logger.debug("statement: %s", statement_head(sql))
        # None, not []: the driver rescans the SQL text for placeholders whenever params
        # are given, and the text of a big batch is long.
        self._cursor.execute(sql, params if params else None)

    def _query(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]:
        self._execute(sql, params)
        return [tuple(row) for row in self._cursor.fetchall() or ()]

    def _commit(self) -> None:
        self._conn.commit()

    def _rollback(self) -> None:
        self._conn.rollback()

    def _translate(self, exc: BaseException) -> WarehouseError:
        error = translate_error(exc, self.settings)
        error.args = (redact(str(error), *getattr(self.stager, "secrets", ())),)
        return error

    def _table(self, name: str) -> str:
        return f"{quote_ident(self._schema)}.{quote_ident(name)}"

    def _table_names(self) -> list[str]:
        sql = (
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        return [str(name) for (name,) in self._query(sql, [self._schema])]

    def _describe(self, table: str) -> list[ColumnSpec] | None:
        sql = (
            "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
            "numeric_scale FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"
        )
        found = self._query(sql, [self._schema, table])
        return [_column(*row) for row in found] or None

    def _widen_ahead(self, target: str, changes: list[SchemaChange]) -> list[str]:
        """Widen VARCHARs before the load, each statement on its own: Redshift refuses
        ALTER COLUMN inside a transaction block.  Widening only relaxes the table, so a
        load that fails afterwards leaves it wider and holding the same rows."""
        widen = [change for change in changes if change.action == "widen"]
        if not widen:
            return []
        self._rollback()  # ends the read transaction that describing the table opened
        self._conn.autocommit = True
        try:
            for change in widen:
                self._execute(change.sql(self._table(target)))
        finally:
            self._conn.autocommit = False
        return describe(widen)

    # -- staging ----------------------------------------------------------------------------
    def _chunk_encoder(self, columns: list[ColumnSpec]) -> ChunkEncoder:
        encoders = [ColumnEncoder(c) for c in columns]
        return lambda rows: encode_chunk(encoders, rows)

    def _assembler(self, columns: list[ColumnSpec]) -> Assembler:
        self._layout = StagingLayout(columns)
        return self.stager.assembler(self._layout)

    def _stage_and_publish(
        self, plan: LoadPlan, staging: str, rows: Iterable, report: ProgressCallback, first: int
    ) -> LoadResult:
        self._target, self._origins = plan.target, Origins(first)
        if self.stager.tracks_origins:
            rows = self._origins.track(rows)
        return super()._stage_and_publish(plan, staging, rows, report, first)

    def _create_staging(self, staging: str, columns: list[ColumnSpec]) -> None:
        # TEMP: private to this session and gone with it, even if the process dies.
        ddl = ddl_for(staging, columns, self.dialect)
        self._execute(ddl.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))

    def _stage(
        self, staging: str, columns: list[ColumnSpec], chunks: Iterator[list], on_batch: Callable
    ) -> int:
        return self.stager.stage(self, staging, self._layout, chunks, on_batch)

    def _end_staging(self) -> None:
        """Staging and publishing share one transaction: Redshift commits are costly."""

    # -- publishing -------------------------------------------------------------------------
    def _begin_publish(self) -> None:
        # The transaction is already open (staging ran in it). LOCK serialises publishes, so
        # two attempts of one load_id can't both pass the ledger check.
        try:
            self._ensure_ledger()
        except redshift_connector.Error as exc:
            code, _ = _sqlstate(exc)
            if code not in LEDGER_RACE_SQLSTATES:
                raise
            # Two first-ever loads created the ledger at once; the other one won.
            raise WarehouseUnreachable(
                "Another load created the load ledger at the same moment; this load changed "
                "nothing and will be retried."
            ) from None
        self._execute(f"LOCK {self._table(LEDGER_TABLE)}")

    def _staged(self, staging: str, column: ColumnSpec) -> str:
        return f"{staging}.{quote_ident(column.name)}"  # staging is typed already

    def _delete_matching(self, plan: LoadPlan, staging: str) -> str:
        target = self._table(plan.target)
        match = " AND ".join(
            f"{target}.{quote_ident(k)} = {staging}.{quote_ident(k)}" for k in plan.keys
        )
        return f"DELETE FROM {target} USING {staging} WHERE {match}"


def _send_without_delay(conn: redshift_connector.Connection) -> None:
    """Turn on TCP_NODELAY, which the driver has no option for. Without it the tail of every
    large statement waits for the server's delayed ACK (Nagle's algorithm): measured through
    the shim, 1024-row staging INSERTs ran at ~28k rows/s without it and ~190k with it."""
    sock = getattr(conn, "_usock", None)  # the driver's socket (an SSLSocket when SSL is on)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _column(
    name: str, data_type: str, length: int | None, precision: int | None, scale: int | None
):
    if data_type in ("numeric", "decimal") and precision is not None:
        return parse_sql_type(name, f"numeric({precision},{scale or 0})")
    if data_type in ("character varying", "character") and length is not None:
        return parse_sql_type(name, f"varchar({length})")
    return parse_sql_type(name, data_type)


def _sqlstate(exc: BaseException) -> tuple[str | None, str]:
    """SQLSTATE and message of a driver error (the driver passes the server's fields)."""
    if exc.args and isinstance(exc.args[0], dict):
        fields = exc.args[0]
        return fields.get("C"), str(fields.get("M", ""))
    return None, " ".join(str(arg) for arg in exc.args) or type(exc).__name__


def translate_error(exc: BaseException, settings: RedshiftSettings) -> WarehouseError:
    """The typed error for anything the driver (or the network under it) raised."""
    if isinstance(exc, WarehouseError):
        return exc
    code, text = _sqlstate(exc)
    text = text.rstrip(". ")
    where = settings.describe()
    name = type(exc).__name__
    if code in AUTH_SQLSTATES or (code is None and "password" in text.lower()):
        error: WarehouseError = WarehouseAuthError(
            f"Redshift refused the credentials for {where}: {text}. "
            "Check the user and password (or the IAM options) of the warehouse connection."
        )
    elif (
        (code and (code[:2] in TRANSIENT_SQLSTATE_CLASSES or code in TRANSIENT_SQLSTATES))
        or (code is None and isinstance(exc, redshift_connector.InterfaceError | OSError))
        or isinstance(exc, redshift_connector.OperationalError)
        or name in AWS_NETWORK_ERRORS
    ):
        error = WarehouseUnreachable(
            f"Can't reach the Redshift warehouse at {where}: {text}. Check the host, port, "
            "network access and that the cluster is available; the load will be retried."
        )
    elif type(exc).__module__.startswith("botocore"):
        error = WarehouseAuthError(f"AWS refused the IAM credentials for {where}: {text}.")
    else:
        error = WarehouseError(f"The Redshift warehouse at {where} failed: {text} ({code}).")
    error.args = (redact(str(error), *settings.secrets),)
    return error
