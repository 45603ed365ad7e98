"""CSV files uploaded directly: delimiter, quoting and encoding detected, stored as UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024


class CsvRejected(ValueError):
    """The file cannot be read as CSV; the message says why."""


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    delimiter: str
    quotechar: str

    def describe(self) -> str:
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        return f"{self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}-separated"


def detect_encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by its BOM, else Windows-1252, which decodes anything
    Western spreadsheets write."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def detect_dialect(content: bytes) -> CsvDialect:
    """Encoding, delimiter and quote character of a CSV file."""
    if not content.strip():
        raise CsvRejected("the file is empty")
    if b"\x00" in content[:SNIFF_BYTES] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRejected("the file is binary, not CSV text")
    encoding = detect_encoding(content)
    sample = content[:SNIFF_BYTES].decode(encoding, errors="ignore")
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
        delimiter, quotechar = sniffed.delimiter, sniffed.quotechar or '"'
    except csv.Error:
        delimiter, quotechar = ",", '"'  # one column, or too little to tell: plain CSV
    return CsvDialect(encoding, delimiter, quotechar)


def iter_csv_rows(content: bytes, dialect: CsvDialect) -> Iterator[list[str]]:
    """The file's records, streamed; blank lines are skipped."""
    raw = io.BytesIO(content)
    text = io.TextIOWrapper(raw, encoding=dialect.encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quotechar)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield row
    except csv.Error as exc:
        raise CsvRejected(f"the CSV cannot be parsed near row {reader.line_num}: {exc}") from exc
