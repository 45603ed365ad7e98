"""Warehouse URLs: `sqlite:///path` and `redshift://user:password@host:port/db?options`.

Messages about a URL never repeat it: it may hold a password or AWS secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import WarehouseError

DEFAULT_REDSHIFT_PORT = 5439
BOOL_OPTIONS = {"ssl", "iam", "auto_create", "is_serverless", "force_lowercase"}
INT_OPTIONS = {"timeout", "max_statement_bytes"}
LIST_OPTIONS = {"db_groups"}
TEXT_OPTIONS = {
    "sslmode",
    "cluster_identifier",
    "region",
    "profile",
    "db_user",
    "access_key_id",
    "secret_access_key",
    "session_token",
    "credentials_provider",
    "serverless_acct_id",
    "serverless_work_group",
    "application_name",
    "schema",
}
SSL_MODES = {"verify-ca", "verify-full", "disable"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class WarehouseUrlError(WarehouseError):
    """The warehouse URL is malformed: a person must fix the connection settings."""


@dataclass(frozen=True)
class RedshiftSettings:
    host: str
    port: int
    database: str
    user: str = ""
    password: str = field(default="", repr=False)
    schema: str = "public"
    max_statement_bytes: int | None = None
    options: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a message or a log."""
        keys = ("secret_access_key", "session_token", "access_key_id")
        return tuple(s for s in (self.password, *map(self.options.get, keys)) if s)  # type: ignore[misc]

    def describe(self) -> str:
        who = self.user or str(self.options.get("db_user", ""))
        return f"{who + '@' if who else ''}{self.host}:{self.port}/{self.database}"

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for redshift_connector.connect. SSL is on unless turned off."""
        kwargs: dict[str, Any] = {"host": self.host, "port": self.port}
        kwargs.update(database=self.database, ssl=True, sslmode="verify-ca")
        if self.user:
            kwargs["user"] = self.user
        if self.password:
            kwargs["password"] = self.password
        kwargs.update(self.options)
        if kwargs.get("sslmode") == "disable":
            kwargs["ssl"] = False
        if not kwargs["ssl"]:
            kwargs.pop("sslmode")
        return kwargs


@dataclass(frozen=True)
class SqliteSettings:
    path: str
    timeout_s: float = 30.0  # how long to wait for another writer's lock


def parse_sqlite_url(url: str, base_dir: Path | None = None) -> SqliteSettings:
    """`sqlite:///relative/path`, `sqlite:////abs/path` or `sqlite:///:memory:`, with an
    optional `?timeout=seconds`."""
    if not url.startswith("sqlite:///"):
        raise WarehouseUrlError("A SQLite warehouse URL looks like sqlite:///var/warehouse.sqlite3")
    raw_path, _, query = url[len("sqlite:///") :].partition("?")
    path = unquote(raw_path)
    if not path:
        raise WarehouseUrlError("The SQLite warehouse URL has no file path.")
    if path != ":memory:" and not Path(path).is_absolute():
        path = str((base_dir or Path.cwd()) / path)
    options = dict(parse_qsl(query, keep_blank_values=True))
    if set(options) - {"timeout"}:
        raise WarehouseUrlError("The only option of a SQLite warehouse URL is timeout.")
    try:
        return SqliteSettings(path, float(options.get("timeout", 30.0)))
    except ValueError:
        raise WarehouseUrlError("timeout in the SQLite warehouse URL must be seconds.") from None


def parse_redshift_url(url: str) -> RedshiftSettings:
    parts = urlsplit(url)
    if parts.scheme != "redshift" or not parts.hostname:
        raise WarehouseUrlError(
            "A Redshift warehouse URL looks like "
            "redshift://user:password@host:5439/database?ssl=true (or ?iam=true&...)."
        )
    try:
        port = parts.port or DEFAULT_REDSHIFT_PORT
    except ValueError:
        raise WarehouseUrlError("The port in the Redshift warehouse URL is not a number.") from None
    options = _options(parse_qsl(parts.query, keep_blank_values=True))
    return RedshiftSettings(
        host=parts.hostname,
        port=port,
        database=unquote(parts.path.lstrip("/")) or "dev",
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        schema=str(options.pop("schema", "public")),
        max_statement_bytes=options.pop("max_statement_bytes", None),  # type: ignore[arg-type]
        options=options,
    )


def _options(pairs: list[tuple[str, str]]) -> dict[str, object]:
    options: dict[str, object] = {}
    for key, raw in pairs:
        if key in BOOL_OPTIONS:
            options[key] = _flag(key, raw)
        elif key in INT_OPTIONS:
            if not raw.isdigit():
                raise WarehouseUrlError(f"Option {key!r} in the warehouse URL must be a number.")
            options[key] = int(raw)
        elif key in LIST_OPTIONS:
            options[key] = [item for item in raw.split(",") if item]
        elif key in TEXT_OPTIONS:
            options[key] = raw
        else:
            allowed = sorted(BOOL_OPTIONS | INT_OPTIONS | LIST_OPTIONS | TEXT_OPTIONS)
            raise WarehouseUrlError(
                f"Unknown option {key!r} in the warehouse URL; known: {', '.join(allowed)}."
            )
    if options.get("sslmode", "verify-ca") not in SSL_MODES:
        raise WarehouseUrlError(f"sslmode must be one of {', '.join(sorted(SSL_MODES))}.")
    return options


def _flag(key: str, raw: str) -> bool:
    if raw.lower() in _TRUE or raw == "":
        return True
    if raw.lower() in _FALSE:
        return False
    raise WarehouseUrlError(f"Option {key!r} in the warehouse URL must be true or false.")
