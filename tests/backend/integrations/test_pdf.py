"""PDF table extraction on real corpus PDFs and generated variants of them."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from backend.integrations.pdf import (
    CorruptPdf,
    EmptyPdf,
    ExtractedTable,
    InvalidPageSpec,
    NotAPdf,
    PageOutOfRange,
    PasswordRequired,
    WrongPassword,
    extract_tables,
    merge_continued_tables,
    parse_page_spec,
)
from tests.support import pdf_factory
from tests.support.processes import REPO

CORPUS = Path(os.environ.get("CORPUS_DIR", REPO.parent / "shared" / "corpus"))

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")


def expected(name: str) -> list[list[str]]:
    with open(CORPUS / name, encoding="utf-8-sig", newline="") as fh:
        return [[" ".join(c.split()) for c in row] for row in csv.reader(fh)]


def norm(rows: list[list[str]]) -> list[list[str]]:
    return [[" ".join(c.split()) for c in row] for row in rows]


def cell_accuracy(got: list[list[str]], want: list[list[str]]) -> float:
    hits = sum(
        1
        for r, row in enumerate(want)
        for c, cell in enumerate(row)
        if r < len(got) and c < len(got[r]) and got[r][c] == cell
    )
    return hits / sum(len(row) for row in want)


# --- real tables -------------------------------------------------------------------


def test_multipage_table_comes_out_as_one_table():
    result = extract_tables(CORPUS / "camelot__us-020.pdf", pages=[2, 3])
    assert len(result.tables) == 1
    table = result.tables[0]
    assert (table.first_page, table.last_page) == (2, 3)
    assert (table.n_rows, table.n_cols) == (55, 7)
    rows = norm(table.rows)
    assert rows[1][:3] == ["Australia", "100", "4"]
    assert cell_accuracy(rows, expected("icdar-us020-tableA1-multipage.csv")) > 0.9


@pytest.mark.parametrize(
    "pdf", ["camelot__anticlockwise_table_1.pdf", "camelot__clockwise_table_1.pdf"]
)
def test_rotated_tables_come_out_in_reading_order(pdf: str):
    result = extract_tables(CORPUS / pdf)
    want = expected("camelot-anticlockwise-lattice.csv")
    assert len(result.tables) == 1
    got = norm(result.tables[0].rows)
    assert (len(got), len(got[0])) == (len(want), len(want[0]))
    assert got == want
    x0, top, x1, bottom = result.tables[0].bbox
    assert 0 <= x0 < x1 <= 612 and 0 <= top < bottom <= 792
    assert bottom - top > x1 - x0  # sideways on the page: taller than wide


def test_whitespace_table_without_rulings():
    result = extract_tables(CORPUS / "camelot__stream_inner_outer_columns.pdf", strategy="auto")
    assert [t.strategy for t in result.tables] == ["text"]
    assert norm(result.tables[0].rows) == expected("camelot-inner-outer-columns.csv")


def test_whitespace_table_in_running_text_is_found_alone():
    result = extract_tables(CORPUS / "camelot__us-003.pdf", pages=[1])
    assert len(result.tables) == 1
    assert norm(result.tables[0].rows) == expected("icdar-us003-stream.csv")


def test_area_restricts_extraction_to_the_region():
    pdf = CORPUS / "tabula-java__eu-002.pdf"
    whole = extract_tables(pdf, pages=[1])
    cropped = extract_tables(pdf, pages=[1], area=(115.0, 70.0, 233.0, 510.0))
    assert len(whole.tables) >= 2  # the page holds two tables
    assert len(cropped.tables) == 1
    got = norm(cropped.tables[0].rows)
    body = [row[0] for row in got].index("Knowledge and awareness of different cultures")
    header = [cell for row in got[:body] for cell in row]
    assert "Preperation and planing" in header  # a wrapped heading is one cell
    assert "Presentation and evaluation" in header
    assert got[-1] == ["Self competence", "0,3791", "0,3320", "0,4617"]
    assert cropped.tables[0].bbox[1] >= 115.0


def test_ruled_table_with_spanning_cells():
    result = extract_tables(CORPUS / "tabula-java__spanning_cells.pdf", strategy="lines")
    first = norm(result.tables[0].rows)
    assert first == expected("tabula-spanning-cells.csv")
    assert all(t.strategy == "lines" for t in result.tables)


def test_on_page_reports_progress():
    reports = []
    result = extract_tables(CORPUS / "camelot__us-020.pdf", pages=[1, 2, 3], on_page=reports.append)
    assert [(r.page_number, r.index, r.total) for r in reports] == [(1, 1, 3), (2, 2, 3), (3, 3, 3)]
    # The table running over pages 2 and 3 counts once: the live count never goes down.
    counts = [r.tables_found for r in reports]
    assert counts == sorted(counts)
    assert counts[-1] == len(result.tables)


# --- merging parts converted separately --------------------------------------------


def test_merge_across_separately_extracted_page_ranges():
    pdf = CORPUS / "camelot__us-020.pdf"
    part1 = extract_tables(pdf, pages=[2]).tables
    part2 = extract_tables(pdf, pages=[3]).tables
    assert len(part1) == 1 and len(part2) == 1
    merged = merge_continued_tables(part1 + part2)
    assert len(merged) == 1
    assert merged[0].n_rows == part1[0].n_rows + part2[0].n_rows == 55
    assert (merged[0].first_page, merged[0].last_page) == (2, 3)
    whole = extract_tables(pdf, pages=[2, 3]).tables[0]
    assert merged[0].rows == whole.rows


def test_merge_keeps_unrelated_tables_apart():
    a = ExtractedTable(
        [["a", "b"], ["1", "2"]], 1, 1, (0, 0, 100, 50), "text", columns=[(0, 40), (60, 100)]
    )
    b = ExtractedTable(
        [["x", "y", "z"]], 2, 2, (0, 0, 100, 50), "text", columns=[(0, 20), (30, 60), (70, 100)]
    )
    c = ExtractedTable([["3", "4"]], 4, 4, (0, 0, 100, 50), "text", columns=[(0, 40), (60, 100)])
    assert len(merge_continued_tables([a, b, c])) == 3  # column mismatch, page gap


# --- bad input -----------------------------------------------------------------------


def test_text_file_named_pdf_is_not_a_pdf(tmp_path: Path):
    fake = tmp_path / "report.pdf"
    fake.write_text("name,amount\nalice,3\n")
    with pytest.raises(NotAPdf):
        extract_tables(fake)


def test_zero_byte_file_is_empty(tmp_path: Path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(EmptyPdf):
        extract_tables(empty)


def test_truncated_pdf_is_corrupt(tmp_path: Path):
    cut = pdf_factory.truncated(CORPUS / "camelot__us-020.pdf", tmp_path / "cut.pdf")
    with pytest.raises(CorruptPdf):
        extract_tables(cut)


def test_corrupt_content_stream_does_not_crash_or_invent_tables():
    try:
        result = extract_tables(CORPUS / "pdfminer.six__zen_of_python_corrupted.pdf")
    except CorruptPdf:
        return
    assert result.tables == []
    assert result.pages_done == 1


def test_encrypted_pdf_needs_the_right_password():
    pdf = CORPUS / "camelot__health_protected.pdf"
    with pytest.raises(PasswordRequired):
        extract_tables(pdf)
    with pytest.raises(WrongPassword):
        extract_tables(pdf, password="not-it")
    result = extract_tables(pdf, password="userpass")
    rows = norm(result.tables[0].rows)
    # A two-level header: group headings, then the wrapped headings as one row each.
    assert rows[0][:4] == ["States-A", "Revenue", "", "Capital"]
    assert rows[1][1:3] == ["Medical & Public Health", "Family Welfare"]
    assert rows[2][0] == "Andhra Pradesh"
    assert result.tables[0].n_rows == 25


def test_pages_out_of_range():
    with pytest.raises(PageOutOfRange, match="page 9 requested, the document has 6 pages"):
        extract_tables(CORPUS / "camelot__us-020.pdf", pages=[1, 9])


def test_blank_page_has_zero_tables():
    result = extract_tables(CORPUS / "camelot__empty.pdf")
    assert result.tables == [] and result.pages_done == 1 and result.image_only_pages == []


def test_text_page_without_table_has_zero_tables():
    assert extract_tables(CORPUS / "pdfminer.six__simple1.pdf").tables == []


def test_image_only_pages_are_reported(tmp_path: Path):
    scan = pdf_factory.image_only(tmp_path / "scan.pdf", n_pages=2)
    result = extract_tables(scan)
    assert result.image_only_pages == [1, 2]
    assert result.tables == []


def test_page_spec_parsing():
    assert parse_page_spec("1,3-5", 6) == [1, 3, 4, 5]
    assert parse_page_spec("4-", 6) == [4, 5, 6]
    assert parse_page_spec("all", 2) == [1, 2]
    with pytest.raises(InvalidPageSpec):
        parse_page_spec("1,x", 6)
    with pytest.raises(InvalidPageSpec):
        parse_page_spec("5-3", 6)
    with pytest.raises(PageOutOfRange, match="page 9 requested, the document has 3 pages"):
        parse_page_spec("2,9", 3)


# --- long documents ------------------------------------------------------------------


def test_long_generated_document_converts(tmp_path: Path):
    long_pdf = pdf_factory.repeated_pages(
        CORPUS / "camelot__us-020.pdf", tmp_path / "long.pdf", 40, pages=[1, 2, 3]
    )
    reports = []
    result = extract_tables(long_pdf, on_page=reports.append)
    assert result.page_count == result.pages_done == len(reports) == 40
    # Every copy of pages 2-3 is one table of 55 rows; page 1 holds none that joins it.
    big = [t for t in result.tables if t.n_rows == 55]
    assert len(big) >= 13
    assert all(t.last_page == t.first_page + 1 for t in big)
