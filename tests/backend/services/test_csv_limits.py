"""CSV files that would hurt: one bad byte in UTF-8, huge lines, fields and widths."""

from __future__ import annotations

import pytest

from backend.services.csv_import import CsvRejected, csv_inspect


def test_one_invalid_byte_in_a_utf8_file_is_named_not_read_as_windows_1252():
    content = "city;n\nZürich;1\nGenève;2\n".encode() + b"Bern\xff;3\n"
    with pytest.raises(CsvRejected, match=r"line 4, byte 5 \(0xff\) is not valid UTF-8"):
        csv_inspect(content)


def test_a_windows_1252_file_still_reads_as_such():
    layout = csv_inspect("city;n\nZürich;1\nGenève;2\n".encode("cp1252"))
    assert layout.dialect.encoding == "cp1252" and layout.rows == 2


def test_a_line_past_the_cap_is_refused_naming_it(settings):
    settings.CSV_MAX_LINE_CHARS = 1000
    content = b"a,b\n1,2\n" + b"x," * 2000 + b"y\n"
    with pytest.raises(CsvRejected, match="line 3 is longer than 1,000 characters"):
        csv_inspect(content)


def test_more_columns_than_a_table_holds_are_refused(settings):
    settings.CSV_MAX_COLUMNS = 50
    content = (",".join(f"c{i}" for i in range(60)) + "\n").encode() * 2
    with pytest.raises(CsvRejected, match="line 1 has 60 fields; a table holds at most 50"):
        csv_inspect(content)


def test_a_field_past_the_cap_is_refused_naming_its_line():
    content = b'a,b\n1,2\n3,"' + b"x" * 70_000 + b'"\n'
    with pytest.raises(CsvRejected, match="line 3 has a field longer than 65,535 characters"):
        csv_inspect(content)
