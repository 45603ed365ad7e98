"""Uploaded CSVs: a damaged file is refused with its lines, questions are asked, nothing is
padded, invented or dropped without saying so. Files are written here, in several encodings
and with several delimiters. Files that would hurt (one bad byte in UTF-8, huge lines, fields
and widths) are refused before they are stored."""

from __future__ import annotations

import pytest

from backend.models import Bundle, Table
from backend.selectors.tables import table_columns, table_data_rows
from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.csv_import import CsvRejected, csv_inspect


def csv_file(lines: list[str], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    return "\r\n".join(line.replace(",", delimiter) for line in lines).encode(encoding) + (
        "\r\n".encode(encoding) if encoding != "utf-16" else b"\r\x00\n\x00"
    )


@pytest.fixture
def bundle(user) -> Bundle:
    return bundle_create(owner=user, name="intake", target_table="intake", load_mode="append")


def refused(user, bundle, content: bytes, **answers) -> str:
    version = bundle.version
    with pytest.raises(CsvRejected) as caught:
        table_create_from_csv(
            owner=user, name="f.csv", content=content, bundle_id=bundle.pk, **answers
        )
    bundle.refresh_from_db()
    assert Table.objects.count() == 0 and bundle.version == version, "nothing was stored"
    return str(caught.value)


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(",", "utf-8"), (";", "cp1252"), ("\t", "utf-16")]
)
def test_a_row_with_another_field_count_is_refused_with_its_line(user, bundle, delimiter, encoding):
    lines = ["id,city,pop", "1,Paris,2", "2,Zürich,3", "3,Rome,4", "4,Oslo,5", "5,Lima,6"]
    lines += ["6,Cairo,7,extra", "7,Kyiv,8"]
    message = refused(user, bundle, csv_file(lines, delimiter=delimiter, encoding=encoding))
    assert message.startswith("line 7 has 4 fields, the header (line 1) has 3"), message


def test_an_unquoted_line_break_splits_a_record_and_both_halves_are_named(user, bundle):
    content = b"id,note,pop\n1,first half\nsecond half,2\n2,ok,3\n3,ok,4\n"
    message = refused(user, bundle, content)
    assert "line 2 has 2 fields, line 3 has 2 fields, the header (line 1) has 3" in message


@pytest.mark.parametrize("delimiter", [",", "|"])
def test_an_unclosed_quote_is_named_by_the_line_that_opens_it(user, bundle, delimiter):
    lines = ["id,city,pop", "1,Paris,2", '2,"Rome,3', "3,Madrid,4", "4,Lisbon,5", "5,Oslo,6"]
    message = refused(user, bundle, csv_file(lines, delimiter=delimiter))
    assert message == "line 3 opens a quote that is never closed"


def test_a_quote_closed_lines_later_is_named_with_both_lines(user, bundle):
    content = b'id,city,pop\n1,Paris,2\n2,"Rome,3\n3,Madrid,4\n4,"Lisbon",5\n'
    message = refused(user, bundle, content)
    assert message.startswith("line 3 opens a quote that is never closed where its field ends")
    assert "runs on to line 5" in message


def test_quoted_line_breaks_and_delimiters_are_one_field(user, bundle):
    content = b'id,note\n1,"two\nlines, one field"\n2,plain\n'
    table, layout = table_create_from_csv(
        owner=user, name="n.csv", content=content, bundle_id=bundle.pk
    )
    assert layout.rows == 2
    assert [row for _, row in table_data_rows(table=table)] == [
        ["1", "two\nlines, one field"],
        ["2", "plain"],
    ]


def test_a_header_without_rows_is_refused(user, bundle):
    assert refused(user, bundle, b"id;city;pop\r\n\r\n") == (
        "line 1 is a header with no data rows below it"
    )


def test_blank_header_names_are_asked_for_then_stored(user, bundle):
    content = csv_file(["id,,pop,", "1,Paris,2,x", "2,Rome,3,y"], delimiter="\t", encoding="utf-16")
    assert csv_inspect(content).blank_names == [2, 4]
    message = refused(user, bundle, content, names={2: "city"})
    assert message == "the header (line 1) has no name for column 4: name it"
    table, _ = table_create_from_csv(
        owner=user, name="b.tsv", content=content, bundle_id=bundle.pk, names={2: "city", 4: "tag"}
    )
    assert table_columns(table=table) == ["id", "city", "pop", "tag"]
    assert list(bundle.tables.all()) == [table]


def test_a_title_and_notes_around_the_table_are_shown_and_confirmed(user, bundle):
    lines = ["Sales report 2024", "Generated on 2024-05-01", "", "region,amount,day"]
    lines += ["north,10,2024-01-01", "south,12,2024-01-02", "", "Total: 22", "Source: finance"]
    content = csv_file(lines, delimiter=";", encoding="cp1252")
    layout = csv_inspect(content)
    assert (layout.header_line, layout.last_line, layout.rows) == (4, 6, 2)
    assert layout.above == [(1, "Sales report 2024"), (2, "Generated on 2024-05-01")]
    assert layout.below == [(8, "Total: 22"), (9, "Source: finance")]
    message = refused(user, bundle, content)
    assert "the table seems to be lines 4-6" in message and "lines 1-2, 8-9" in message
    table, _ = table_create_from_csv(
        owner=user, name="r.csv", content=content, bundle_id=bundle.pk, table_lines=(4, 6)
    )
    assert table_columns(table=table) == ["region", "amount", "day"]
    assert [row for _, row in table_data_rows(table=table)] == [
        ["north", "10", "2024-01-01"],
        ["south", "12", "2024-01-02"],
    ]


def test_a_long_line_after_the_table_is_damage_not_a_note(user, bundle):
    content = b"a,b\n1,2\n3,4\n5,6,7\n"
    assert refused(user, bundle, content).startswith("line 4 has 3 fields, the header (line 1)")


def test_rows_of_empty_fields_are_left_out_and_said(user, bundle):
    content = b"a,b\n1,2\n,\n3,4\n,\n"
    table, layout = table_create_from_csv(owner=user, name="e.csv", content=content)
    assert layout.skipped_empty == [3] and layout.rows == 2
    assert [row for _, row in table_data_rows(table=table)] == [["1", "2"], ["3", "4"]]


def test_an_uploaded_row_like_the_header_is_data(user, bundle):
    content = b"a,b,c\nx,y,z\na,b,c\n"
    table, _ = table_create_from_csv(owner=user, name="h.csv", content=content)
    assert len(list(table_data_rows(table=table))) == 2


def test_any_byte_is_read_as_text(user, bundle):
    # 0x81 is undefined in Windows-1252: the file is read as Latin-1, nothing refused or lost.
    table, layout = table_create_from_csv(owner=user, name="l.csv", content=b"a,b\n\x81x,\xe9\n")
    assert layout.dialect.encoding == "latin-1"
    assert [row for _, row in table_data_rows(table=table)] == [["\x81x", "é"]]


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
