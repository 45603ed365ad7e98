"""CSV files uploaded directly: encoding, delimiter and quoting detected; the table's shape checked.

Nothing is padded, invented or dropped without saying so: a record with another number of
fields than the header, a quote that is never closed, a header without rows are refused with
their line numbers; title or note lines around the table and blank header names are reported
as questions the user answers before the table is stored.
"""

from __future__ import annotations

import csv
import io
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 200
_QUOTED = re.compile(r'"[^"]*"')
SHOWN_LINES = 5  # offending lines named in a message; the rest are counted
csv.field_size_limit(settings.CSV_MAX_FIELD_CHARS)


class CsvRejected(ValueError):
    """The file cannot be stored as a table; the message says why, with line numbers."""


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    delimiter: str
    quotechar: str

    def describe(self) -> str:
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        return f"{self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}-separated"


@dataclass(frozen=True)
class CsvLayout:
    """Where the table is in the file. Lines are the file's physical lines, from 1."""

    dialect: CsvDialect
    header_line: int
    last_line: int  # the last line of the table's last record
    header: list[str]
    rows: int  # data records, the header not counted
    above: list[tuple[int, str]] = field(default_factory=list)  # title lines: (line, text)
    below: list[tuple[int, str]] = field(default_factory=list)  # note lines
    skipped_empty: list[int] = field(default_factory=list)  # records with every field empty

    @property
    def blank_names(self) -> list[int]:
        """1-based positions of header fields with no name."""
        return [i for i, name in enumerate(self.header, start=1) if not name.strip()]

    @property
    def has_surroundings(self) -> bool:
        return bool(self.above or self.below)


# A multi-byte UTF-8 character: a Windows-1252 file almost never holds one by chance.
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def detect_encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by its BOM, else Windows-1252, which decodes anything
    Western spreadsheets write. A UTF-8 file with a byte that is not UTF-8 is refused naming
    it: read as Windows-1252, its every other accented letter would come out wrong."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if content.startswith(b"\xef\xbb\xbf") or _UTF8_CHAR.search(content):
            raise CsvRejected(_not_utf8(content, exc.start)) from None
    else:
        return "utf-8-sig"
    try:
        content.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"  # the five bytes cp1252 leaves undefined: Latin-1 reads every byte
    return "cp1252"


def _not_utf8(content: bytes, at: int) -> str:
    line_start = content.rfind(b"\n", 0, at) + 1
    line = content.count(b"\n", 0, at) + 1
    return (
        f"line {line}, byte {at - line_start + 1} (0x{content[at]:02x}) is not valid UTF-8, though "
        "the rest of the file is UTF-8: fix that character or save the file again as UTF-8"
    )


def detect_dialect(content: bytes) -> CsvDialect:
    """Encoding, delimiter and quote character of a CSV file."""
    if not content.strip():
        raise CsvRejected("the file is empty")
    if b"\x00" in content[:SNIFF_BYTES] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRejected("the file is binary, not CSV text")
    encoding = detect_encoding(content)
    sample = content[:SNIFF_BYTES].decode(encoding, errors="ignore")
    return CsvDialect(encoding, _delimiter(sample), '"')


def _delimiter(sample: str) -> str:
    """The delimiter most lines agree on: the one whose commonest count per line (outside
    quotes, at least one) is shared by the most lines. A title, a note or a damaged line
    does not sway it, unlike csv.Sniffer, which gives up on any inconsistent line."""
    lines = [line for line in _QUOTED.sub("", sample).splitlines()[:SNIFF_LINES] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(line.count(delimiter) for line in lines)
        counts.pop(0, None)
        if counts:
            fields, agreeing = max(counts.items(), key=lambda item: (item[1], item[0]))
            if (agreeing, fields) > best_score:
                best, best_score = delimiter, (agreeing, fields)
    return best


def _text(content: bytes, dialect: CsvDialect) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(content), encoding=dialect.encoding, newline="")


def _bounded_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The file's lines, never reading more than CSV_MAX_LINE_CHARS of one into memory."""
    limit = settings.CSV_MAX_LINE_CHARS
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise CsvRejected(
                f"line {number} is longer than {limit:,} characters: is this a CSV file "
                "with one record a line?"
            )
        yield line


def _records(content: bytes, dialect: CsvDialect) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, last line, fields) of every record; blank lines are not records. Strict
    parsing: a quote left open or text after a closing quote is refused, naming the line."""
    reader = csv.reader(
        _bounded_lines(_text(content, dialect)),
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        strict=True,
    )
    start = 1
    try:
        for row in reader:
            if len(row) > settings.CSV_MAX_COLUMNS:
                raise CsvRejected(
                    f"line {start} has {len(row):,} fields; a table holds at most "
                    f"{settings.CSV_MAX_COLUMNS:,} columns"
                )
            if row and (len(row) > 1 or row[0].strip()):
                yield start, reader.line_num, row
            start = reader.line_num + 1
    except UnicodeDecodeError:
        raise CsvRejected(f"line {start} is not valid {dialect.encoding} text") from None
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise CsvRejected(
                f"line {start} has a field longer than {settings.CSV_MAX_FIELD_CHARS:,} "
                "characters (a quote left open runs on to the end of the file)"
            ) from None
        raise CsvRejected(_quote_problem(content, dialect, start, exc, reader.line_num)) from None


def _quote_problem(
    content: bytes, dialect: CsvDialect, start: int, error: csv.Error, at: int
) -> str:
    """Name the line where the record's unbalanced quote opens."""
    at_end = "end of data" in str(error)
    # The quote still open when the line before the error ends is the one that ran on.
    lines = islice(_text(content, dialect), start - 1, None if at_end else at - 1)
    opened = None
    for number, line in enumerate(lines, start=start):
        for char in line:
            if char == dialect.quotechar:
                opened = None if opened else number
    if opened is not None and at_end:
        return f"line {opened} opens a quote that is never closed"
    if opened is not None:
        return (
            f"line {opened} opens a quote that is never closed where its field ends: "
            f"it runs on to line {at}"
        )
    return (
        f"line {at} has text right after a closing quote; quote the whole field "
        'and double any quote inside it ("")'
    )


def csv_inspect(content: bytes, sink: Callable[[list[str]], object] | None = None) -> CsvLayout:
    """The table's layout in an uploaded CSV; raises CsvRejected naming the lines at fault.
    `sink`, if given, receives every record with a value as it is read (lines around the
    table too: the layout says where the table is)."""
    dialect = detect_dialect(content)
    starts, ends, widths, lone, empty = array("q"), array("q"), array("l"), array("b"), []
    for start, end, row in _records(content, dialect):
        if not any(map(str.strip, row)):
            empty.append(start)
            continue
        starts.append(start)
        ends.append(end)
        widths.append(len(row))
        lone.append(not any(map(str.strip, row[1:])))
        if sink is not None:
            sink(row)
    if not widths:
        raise CsvRejected("the file has no rows, only empty fields")
    width = _table_width(widths)
    first, last = _edges(widths, lone, width)
    _refuse_other_widths(starts, widths, width, first, last)
    if first == last:
        raise CsvRejected(f"line {starts[first]} is a header with no data rows below it")
    header = next(row for start, _, row in _records(content, dialect) if start == starts[first])
    around = [*starts[:first], *starts[last + 1 :]]
    texts = _line_texts(content, dialect, set(around))
    return CsvLayout(
        dialect=dialect,
        header_line=starts[first],
        last_line=ends[last],
        header=header,
        rows=last - first,
        above=[(line, texts[line]) for line in starts[:first]],
        below=[(line, texts[line]) for line in starts[last + 1 :]],
        skipped_empty=[line for line in empty if starts[first] < line < ends[last]],
    )


def _edges(widths: array, lone: array, width: int) -> tuple[int, int]:
    """Indexes of the header and the last row: the first and last records with the table's
    width, passing over lone-text lines (`Weekly sales;;`, a title a spreadsheet padded)."""
    table = [i for i, w in enumerate(widths) if w == width]
    full = [i for i in table if not lone[i]] if width > 1 else table
    found = full or table
    return found[0], found[-1]


def _table_width(widths: array) -> int:
    """The commonest number of fields among records of two or more: a title or a note is one
    field, and there may be more of them than rows in a small table."""
    counts = Counter(widths)
    several = [(n, w) for w, n in counts.items() if w > 1]
    return max(several)[1] if several else 1


def _refuse_other_widths(starts: array, widths: array, width: int, first: int, last: int) -> None:
    """Inside the table, every record has the header's number of fields. Around it, only
    shorter lines (a title, notes) are taken for something else than damage."""
    outside = [*range(first), *range(last + 1, len(widths))]
    wrong = [i for i in range(first, last + 1) if widths[i] != width]
    wrong += [i for i in outside if widths[i] > width]
    if not wrong:
        return
    wrong.sort()
    said = [f"line {starts[i]} has {widths[i]} fields" for i in wrong[:SHOWN_LINES]]
    extra = len(wrong) - SHOWN_LINES
    more = f" ({extra} more lines differ too)" if extra > 0 else ""
    raise CsvRejected(
        f"{', '.join(said)}, the header (line {starts[first]}) has {width}{more}. "
        "Fix those lines (a field holding the delimiter or a line break must be quoted) "
        "and upload the file again."
    )


def _line_texts(content: bytes, dialect: CsvDialect, wanted: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    if not wanted:
        return found
    for number, line in enumerate(_text(content, dialect), start=1):
        if number in wanted:
            found[number] = line.rstrip("\r\n")
            if len(found) == len(wanted):
                break
    return found


def iter_table_rows(content: bytes, layout: CsvLayout) -> Iterator[list[str]]:
    """The header and data records of the table the layout found, in file order."""
    empty = set(layout.skipped_empty)
    for start, _, row in _records(content, layout.dialect):
        if start < layout.header_line or start in empty:
            continue
        if start > layout.last_line:
            return
        yield row
