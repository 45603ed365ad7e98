"""A test-only TCP proxy that lets the real redshift-connector talk to a real PostgreSQL.

What it changes on the wire, and why:
- SSLRequest / GSSENCRequest are answered "N" (tests connect with ssl=false anyway).
- The StartupMessage keeps only parameters PostgreSQL knows: the driver also sends
  client_protocol_version, driver_version, os_version, plugin_name..., which PostgreSQL
  rejects as unknown settings.
- The server's ParameterStatus "server_version" becomes 8.0.2: the driver parses it as a
  version number and PostgreSQL's "15.x (Debian ...)" breaks that.
- Queries on Redshift-only catalog views (svv_all_tables, svv_all_columns, which
  write_dataframe uses to check the table) are rewritten onto information_schema.
- ALTER TABLE ... ALTER COLUMN inside a transaction block is refused with Redshift's
  error, as Redshift does (PostgreSQL would allow it).
- Optionally it enforces password authentication itself (cleartext exchange), checked by a
  callback: local PostgreSQL trusts 127.0.0.1, so it would accept any password.

- With an S3Copies, Redshift's COPY FROM 's3://...' runs against an S3 server and reports
  its bad rows in a load-error table (shim_copy.py).

Limits: one SQL statement per execute (PostgreSQL refuses several in a prepared
statement) and no COPY FROM STDIN (the driver doesn't implement it).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import re
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator

import pytest

from tests.support.services import require_service
from tests.support.shim_copy import S3Copies, with_s3_copy

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
STANDARD_STARTUP_KEYS = {
    "user",
    "database",
    "options",
    "application_name",
    "client_encoding",
    "datestyle",
    "timezone",
    "extra_float_digits",
    "replication",
}
CATALOG_VIEWS = {
    b"pg_catalog.svv_all_tables": b"(select table_catalog::text as database_name, "
    b"table_schema::text as schema_name, table_name::text as table_name, "
    b"table_type::text as table_type from information_schema.tables) as svv_all_tables",
    b"pg_catalog.svv_all_columns": b"(select table_catalog::text as database_name, "
    b"table_schema::text as schema_name, table_name::text as table_name, "
    b"column_name::text as column_name, data_type::text as data_type "
    b"from information_schema.columns) as svv_all_columns",
}
Authenticator = Callable[[str, str], bool]


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("peer closed during startup")
        data.extend(chunk)
    return bytes(data)


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _error(code: str, text: str) -> bytes:
    fields = [b"SFATAL", b"VFATAL", b"C" + code.encode(), b"M" + text.encode()]
    return _message(b"E", b"\0".join(fields) + b"\0\0")


def parse_startup(packet: bytes) -> dict[str, str]:
    """Key/value pairs of a StartupMessage body (after length and protocol)."""
    parts = packet[4:].split(b"\0")
    pairs = parts[: len(parts) - len(parts) % 2]
    return {k.decode(): v.decode() for k, v in zip(pairs[::2], pairs[1::2], strict=True) if k}


def build_startup(params: dict[str, str]) -> bytes:
    body = struct.pack("!i", 196608)
    for key, value in params.items():
        body += key.encode() + b"\0" + value.encode() + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


class _Relay:
    """Forwards a protocol stream, buffering only whole messages of the types it rewrites."""

    def __init__(
        self,
        kinds: bytes,
        rewrite: Callable[[bytes, bytes], bytes],
        seen: deque[tuple[bytes, int]] | None = None,
    ) -> None:
        self.kinds, self.rewrite, self.seen = kinds, rewrite, seen
        self.head = b""
        self.body = bytearray()
        self.remaining = 0
        self.buffering = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        view, pos = memoryview(data), 0
        while pos < len(view):
            if self.remaining:
                take = min(self.remaining, len(view) - pos)
                chunk, pos, self.remaining = (
                    view[pos : pos + take],
                    pos + take,
                    self.remaining - take,
                )
                if not self.buffering:
                    yield bytes(chunk)
                    continue
                self.body.extend(chunk)
                if not self.remaining:
                    yield self._flush()
                continue
            take = 5 - len(self.head)
            self.head += bytes(view[pos : pos + take])
            pos += take
            if len(self.head) == 5:
                yield from self._start_message()

    def _start_message(self) -> Iterator[bytes]:
        kind, size = self.head[:1], struct.unpack("!i", self.head[1:])[0]
        if self.seen is not None:
            self.seen.append((kind, size + 1))
        self.remaining, self.buffering = size - 4, kind in self.kinds
        if not self.buffering:
            yield self.head
            self.head = b""
        elif not self.remaining:
            yield self._flush()

    def _flush(self) -> bytes:
        out = _message(self.head[:1], self.rewrite(self.head[:1], bytes(self.body)))
        self.head, self.body = b"", bytearray()
        return out


class _Transaction:
    """The transaction status of one connection, from the server's last ReadyForQuery."""

    status = b"I"  # I: idle, T: in a transaction block, E: in a failed one


def _rewrite_backend(version: bytes, tx: _Transaction) -> Callable[[bytes, bytes], bytes]:
    def rewrite(kind: bytes, body: bytes) -> bytes:
        if kind == b"Z":
            tx.status = body[:1]
        elif body.startswith(b"server_version\0"):
            return b"server_version\0" + version + b"\0"
        return body

    return rewrite


ALTER_COLUMN = re.compile(rb"\bALTER\s+TABLE\b.*\bALTER\s+COLUMN\b", re.IGNORECASE | re.DOTALL)
REFUSE_ALTER_COLUMN = (
    b"DO $$ BEGIN RAISE EXCEPTION "
    b"'ALTER TABLE ALTER COLUMN cannot run inside a transaction block'; END $$"
)


def _rewrite_frontend(tx: _Transaction) -> Callable[[bytes, bytes], bytes]:
    def rewrite(kind: bytes, body: bytes) -> bytes:
        for view, replacement in CATALOG_VIEWS.items():
            body = body.replace(view, replacement)
        if tx.status != b"I" and ALTER_COLUMN.search(body):
            return _replace_statement(kind, body, REFUSE_ALTER_COLUMN)
        return body

    return rewrite


def _replace_statement(kind: bytes, body: bytes, statement: bytes) -> bytes:
    """A Query or Parse message body with its SQL text replaced (no parameters)."""
    if kind == b"Q":
        return statement + b"\0"
    name = body[: body.index(b"\0") + 1]
    return name + statement + b"\0" + struct.pack("!h", 0)


class RedshiftShim:
    """`with RedshiftShim(upstream=("127.0.0.1", 5432)) as shim: shim.port`."""

    def __init__(
        self,
        upstream: tuple[str, int] = ("127.0.0.1", 5432),
        *,
        authenticate: Authenticator | None = None,
        server_version: str = "8.0.2",
        host: str = "127.0.0.1",
        port: int = 0,
        copies: S3Copies | None = None,
    ) -> None:
        self.upstream, self.authenticate, self.copies = upstream, authenticate, copies
        self.server_version = server_version.encode()
        self.listener = socket.create_server((host, port))
        self.listener.settimeout(0.2)
        self.host, self.port = self.listener.getsockname()[:2]
        self.startups: list[dict[str, str]] = []  # what clients sent, for tests to inspect
        self.messages: deque[tuple[bytes, int]] = deque(maxlen=100_000)  # (type, bytes) sent
        self._live: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True, name="rs-shim")

    def __enter__(self) -> RedshiftShim:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)
        self.listener.close()

    def drop_connections(self) -> None:
        """Cut every open connection, as a network failure would."""
        for sock in list(self._live):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            packet = self._read_startup(client)
            if packet is None:
                return
            params = parse_startup(packet)
            self.startups.append(params)
            if self.authenticate and not self._password_ok(client, params.get("user", "")):
                return
            kept = {k: v for k, v in params.items() if k.lower() in STANDARD_STARTUP_KEYS}
            upstream = socket.create_connection(self.upstream)
        except (OSError, ConnectionError):
            client.close()
            return
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._live.update((client, upstream))
        upstream.sendall(build_startup(kept))
        tx = _Transaction()
        back = _Relay(b"SZ", _rewrite_backend(self.server_version, tx))
        front = _Relay(b"PQ", _rewrite_frontend(tx), self.messages)
        if self.copies is not None:  # COPY FROM S3 (see shim_copy.py)
            back, front = with_s3_copy(self.copies.connection(), back, front)
        threading.Thread(
            target=_pump, args=(upstream, client, back, self._live), daemon=True
        ).start()
        _pump(client, upstream, front, self._live)

    def _read_startup(self, client: socket.socket) -> bytes | None:
        """The StartupMessage body; None when the client only wanted a cancel."""
        while True:
            size = struct.unpack("!i", _recv_exact(client, 4))[0]
            packet = _recv_exact(client, size - 4)
            code = struct.unpack("!i", packet[:4])[0]
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                client.sendall(b"N")
                continue
            if code == CANCEL_REQUEST:
                with socket.create_connection(self.upstream) as upstream:
                    upstream.sendall(struct.pack("!i", size) + packet)
                client.close()
                return None
            return packet

    def _password_ok(self, client: socket.socket, user: str) -> bool:
        client.sendall(_message(b"R", struct.pack("!i", 3)))  # AuthenticationCleartextPassword
        kind = _recv_exact(client, 1)
        size = struct.unpack("!i", _recv_exact(client, 4))[0]
        password = _recv_exact(client, size - 4).rstrip(b"\0").decode()
        if kind == b"p" and self.authenticate is not None and self.authenticate(user, password):
            return True
        client.sendall(_error("28P01", f'password authentication failed for user "{user}"'))
        client.close()
        return False


def _pump(source: socket.socket, sink: socket.socket, relay: _Relay, live: set) -> None:
    try:
        while data := source.recv(1 << 20):
            for chunk in relay.feed(data):
                sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            live.discard(sock)


def verify_stored_password(stored: str | None, user: str, password: str) -> bool:
    """Check a password against PostgreSQL's pg_authid.rolpassword (SCRAM-SHA-256 or md5)."""
    if not stored:
        return False
    if stored.startswith("md5"):
        digest = hashlib.md5((password + user).encode()).hexdigest()
        return hmac.compare_digest(stored, "md5" + digest)
    if not stored.startswith("SCRAM-SHA-256$"):
        return False
    iterations_salt, keys = stored[len("SCRAM-SHA-256$") :].split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = base64.b64decode(keys.split(":")[0])
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)


@pytest.fixture(scope="session")
def redshift_shim() -> Iterator[RedshiftShim]:
    """A shim in front of the local PostgreSQL (skips, or fails with REQUIRE_SERVICES=1)."""
    require_service("postgresql")
    with RedshiftShim(upstream=("127.0.0.1", 5432)) as shim:
        yield shim


def main() -> None:
    """Run the shim as its own process (the benchmark does, so it doesn't share a GIL)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", default="127.0.0.1:5432")
    parser.add_argument("--s3-endpoint", help="S3 server that COPY FROM 's3://...' reads")
    args = parser.parse_args()
    host, port = args.upstream.rsplit(":", 1)
    dsn = f"host={host} port={port} dbname=postgres user=postgres"
    copies = S3Copies(args.s3_endpoint, dsn) if args.s3_endpoint else None
    with RedshiftShim(upstream=(host, int(port)), port=args.port, copies=copies) as shim:
        print(shim.port, flush=True)
        shim._stopping.wait()


if __name__ == "__main__":
    main()
