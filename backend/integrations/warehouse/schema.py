"""Pure schema functions: identifier normalisation, type inference, DDL, value conversion.

No I/O here: the service calls these to plan a load, the backends to run it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from .coercion import CoercionError, coerce, converter_for, to_text
from .columns import ColumnSpec, parse_sql_type, schema_differences
from .inference import TypeInferrer, infer_column_types

__all__ = [
    "MAX_IDENTIFIER_BYTES",
    "REDSHIFT_RESERVED_WORDS",
    "CoercionError",
    "ColumnSpec",
    "TypeInferrer",
    "coerce",
    "converter_for",
    "ddl_for",
    "infer_column_types",
    "normalize_identifier",
    "normalize_identifiers",
    "parse_sql_type",
    "quote_ident",
    "schema_differences",
    "to_text",
]

MAX_IDENTIFIER_BYTES = 127  # Redshift's limit, in UTF-8 bytes
DIALECTS = ("redshift", "sqlite")
# Redshift's reserved words: a column named like one would need quoting in every query.
REDSHIFT_RESERVED_WORDS = frozenset(
    """
    aes128 aes256 all allowoverwrite analyse analyze and any array as asc authorization az64
    backup between binary blanksasnull both bytedict bzip2 case cast check collate column
    constraint create credentials cross current_date current_time current_timestamp
    current_user current_user_id default deferrable deflate defrag delta delta32k desc
    disable distinct do else emptyasnull enable encode encrypt encryption end except explicit
    false for foreign freeze from full globaldict256 globaldict64k grant group gzip having
    identity ignore ilike in initially inner intersect interval into is isnull join language
    leading left like limit localtime localtimestamp lun luns lzo lzop minus mostly16
    mostly32 mostly8 natural new not notnull null nulls off offline offset oid old on only
    open or order outer overlaps parallel partition percent permissions pivot placing primary
    raw readratio recover references rejectlog resort respect restore right select
    session_user similar snapshot some sysdate system table tag tdes text255 text32k then
    timestamp to top trailing true truncatecolumns union unique unnest unpivot user using
    verbose wallet when where with without
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_NOT_IDENTIFIER = re.compile(r"[^\w]+")  # \w: Unicode letters, digits and '_'


def normalize_identifier(name: object, position: int = 1) -> str:
    """One safe identifier: lower case letters, digits and '_', at most 127 UTF-8 bytes.

    Accents are dropped (é -> e) and other letters kept (Redshift allows multibyte ones);
    anything else becomes '_'. An empty result becomes col_<position>; a leading digit gets
    a 'col_' prefix; a reserved word gets a '_' suffix.
    """
    text = unicodedata.normalize("NFKD", str(name or "").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_IDENTIFIER.sub("_", text).strip("_")
    if not text:
        return f"col_{position}"
    if text[0].isdigit():
        text = f"col_{text}"
    text = _truncate_bytes(text, MAX_IDENTIFIER_BYTES).rstrip("_")
    if text in REDSHIFT_RESERVED_WORDS:
        text += "_"
    return text


def normalize_identifiers(names: Iterable[object]) -> list[str]:
    """Normalise a header row; duplicates get _2, _3... so every name is unique."""
    result: list[str] = []
    taken: set[str] = set()
    for position, raw in enumerate(names, start=1):
        base = normalize_identifier(raw, position)
        name, counter = base, 1
        while name in taken:
            counter += 1
            suffix = f"_{counter}"
            name = _truncate_bytes(base, MAX_IDENTIFIER_BYTES - len(suffix)) + suffix
        taken.add(name)
        result.append(name)
    return result


def _truncate_bytes(text: str, limit: int) -> str:
    """The longest prefix of text within `limit` UTF-8 bytes, never splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def quote_ident(name: str) -> str:
    """A double-quoted identifier, safe whatever the name holds."""
    if "\x00" in name:
        raise ValueError("identifiers can't contain NUL characters")
    return '"' + name.replace('"', '""') + '"'


def ddl_for(
    target: str, columns: Sequence[ColumnSpec], dialect: str = "redshift", *, schema: str = ""
) -> str:
    """The exact CREATE TABLE statement for `target` in `dialect` ('redshift' or 'sqlite')."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
    table = quote_ident(target) if not schema else f"{quote_ident(schema)}.{quote_ident(target)}"
    lines = ",\n".join(f"  {quote_ident(c.name)} {c.sql_type}" for c in columns)
    return f"CREATE TABLE {table} (\n{lines}\n)"
