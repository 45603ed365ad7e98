"""The table engine's stages on tables drawn in the test, one failure class each."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.integrations.pdf import extract_tables
from backend.integrations.pdf.quality import assess
from tests.support import table_pdfs

BODY = [["Wheat", "1,204", "12.5"], ["Barley", "877", "9.1"], ["Oats", "90", "0.9"]]


def only_table(path: Path, **options) -> list[list[str]]:
    (table,) = extract_tables(path, **options).tables
    return [[" ".join(cell.split()) for cell in row] for row in table.rows]


def test_a_wrapped_header_is_one_header_row(tmp_path):
    header = [["Crop"], ["Area", "sown (ha)"], ["Share of", "all land", "(%)"]]
    pdf = table_pdfs.whitespace_table(tmp_path / "wrapped.pdf", header, BODY)
    assert only_table(pdf) == [["Crop", "Area sown (ha)", "Share of all land (%)"], *BODY]


def test_a_heading_over_two_columns_sits_in_its_span_top_left(tmp_path):
    header = [["Crop"], ["Tonnes"], ["Share"]]
    pdf = table_pdfs.whitespace_table(
        tmp_path / "levels.pdf", header, BODY, group=("Harvest of the year 2023", 185)
    )
    assert only_table(pdf) == [
        ["Crop", "Harvest of the year 2023", ""],
        ["", "Tonnes", "Share"],
        *BODY,
    ]


def test_a_wrapped_label_joins_the_values_on_its_last_line(tmp_path):
    pdf = table_pdfs.wrapped_label_table(tmp_path / "label.pdf")
    assert only_table(pdf) == [
        ["Program", "Budget"],
        ["Performance", "$1.1M"],
        ["Federal Risk Authorization (FedRAMP)", "$0.3M"],
        ["Data services", "$0.9M"],
    ]


ROWS = [["Crop", "Tonnes", "Share"], *BODY]


@pytest.mark.parametrize(
    "style", [{"boxes": True}, {"shaded": True}, {}], ids=["boxed", "shaded", "plain"]
)
def test_ruled_tables_have_no_phantom_columns(tmp_path, style):
    pdf = table_pdfs.ruled_table(tmp_path / "ruled.pdf", ROWS, **style)
    assert only_table(pdf) == ROWS


def test_labels_left_of_a_ruled_grid_are_its_first_column(tmp_path):
    values = [row[1:] for row in ROWS]
    labels = [row[0] for row in ROWS]
    pdf = table_pdfs.ruled_table(tmp_path / "stub.pdf", values, labels=labels)
    assert only_table(pdf) == ROWS


def test_a_spanning_cell_keeps_its_text_top_left(tmp_path):
    rows = [["Crop", "Harvest 2023", ""], ["", "Tonnes", "Share"], *BODY]
    pdf = table_pdfs.ruled_table(tmp_path / "span.pdf", rows, spans={(0, 1): 2})
    assert only_table(pdf) == rows


@pytest.mark.parametrize("angle", [90, -90], ids=["anticlockwise", "clockwise"])
def test_a_sideways_whitespace_table_is_read_in_its_own_direction(tmp_path, angle):
    pdf = table_pdfs.rotated_whitespace_table(tmp_path / "turned.pdf", ROWS, angle)
    assert only_table(pdf) == ROWS


def test_a_snug_area_keeps_every_corner_cell(tmp_path):
    pdf = table_pdfs.ruled_table(tmp_path / "snug.pdf", ROWS)
    # Just inside the frame: the rules fall outside the area, the text inside it.
    left, top = 60 + 3, 100 + 2
    right, bottom = 60 + 300 - 3, 100 + 4 * table_pdfs.ROW - 2
    assert only_table(pdf, area=(top, left, bottom, right)) == ROWS


def test_body_rows_without_rules_are_one_record_each(tmp_path):
    pdf = table_pdfs.ruled_table(tmp_path / "stacked.pdf", ROWS, row_rules=False)
    assert only_table(pdf) == ROWS


@pytest.mark.parametrize(
    ("rows", "region_chars", "cut", "reason"),
    [
        (ROWS, 80, 0, "characters inside the table are in no cell"),
        ([[*r, ""] for r in ROWS * 3] + [["Rye", "5", "0.1", "x"]], 0, 0, "almost empty"),
        ([*ROWS, ["", "and oats", ""]], 0, 0, "wrapped end of the row above"),
        ([ROWS[0], ["Wheat\nOats", "1,204\n90", "12.5\n0.9"]], 0, 0, "several values"),
        (ROWS, 0, 2, "cut by a column boundary"),
    ],
    ids=["lost text", "empty column", "wrapped tail", "stacked", "cut words"],
)
def test_each_sign_of_trouble_lowers_the_score_with_its_reason(rows, region_chars, cut, reason):
    quality = assess(rows, region_chars, cut)
    assert quality.score < 1
    assert len(quality.reasons) == 1 and reason in quality.reasons[0]


def test_a_clean_table_has_no_reasons(tmp_path):
    (table,) = extract_tables(table_pdfs.ruled_table(tmp_path / "clean.pdf", ROWS)).tables
    assert (table.quality, table.quality_reasons) == (1.0, [])
