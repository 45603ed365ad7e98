"""Small PDFs of one table each, drawn in the test with fpdf2, for the engine's stages.

Every table is drawn at a known place so a test can state the exact grid it
expects.  Units are PDF points; y grows downwards as on the displayed page.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

ROW = 16.0  # row height of the generated tables
SIZE = 9  # font size


def _pdf() -> FPDF:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=SIZE)
    return pdf


def _text(pdf: FPDF, x: float, y: float, text: str) -> None:
    """Text whose top-left corner is at (x, y)."""
    pdf.text(x, y + SIZE * 0.8, text)


def whitespace_table(
    target: Path,
    header: list[list[str]],
    body: list[list[str]],
    group: tuple[str, float] | None = None,
) -> Path:
    """Columns 110 pt apart, no rules; each header cell may hold several lines.

    group: a heading (text, x) on a line of its own above the header.
    """
    pdf = _pdf()
    y = 100.0
    if group is not None:
        _text(pdf, group[1], y, group[0])
        y += 13
    depth = max(len(cell) for cell in header)
    for i in range(depth):
        for c, cell in enumerate(header):
            offset = depth - len(cell)  # bottom-aligned, as most headers are
            if i >= offset:
                _text(pdf, 60 + 110 * c, y + i * 11, cell[i - offset])
    y += depth * 11 + 6
    for r, row in enumerate(body):
        for c, cell in enumerate(row):
            _text(pdf, 60 + 110 * c, y + r * ROW, cell)
    pdf.output(str(target))
    return target


def ruled_table(
    target: Path,
    rows: list[list[str]],
    *,
    boxes: bool = False,
    shaded: bool = False,
    spans: dict[tuple[int, int], int] | None = None,
    row_rules: bool = True,
    labels: list[str] | None = None,
) -> Path:
    """A grid 100 pt per column at (60, 100).

    boxes: every cell is its own stroked rectangle, 1 pt inside the grid line,
    so neighbouring boxes leave a 2 pt channel between them.  shaded: every
    cell has a grey background and an inset white box behind its text, with
    thin black rules between cells.  spans: (row, col) -> columns the cell spans.
    row_rules=False draws horizontal rules only around the header and the table.
    labels: a column of text left of the grid, outside its rules, one per row.
    """
    pdf = _pdf()
    spans = spans or {}
    covered = {(r, c + k) for (r, c), n in spans.items() for k in range(1, n)}
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            x, y, w = 60 + 100 * c, 100 + ROW * r, 100 * spans.get((r, c), 1)
            _cell(pdf, x, y, w, boxes, shaded)
            _text(pdf, x + 4, y + 3, text)
    for r, label in enumerate(labels or []):
        _text(pdf, 12, 100 + ROW * r + 3, label)
    if not boxes:
        _grid_rules(pdf, rows, spans, covered, row_rules)
    pdf.output(str(target))
    return target


def _cell(pdf: FPDF, x: float, y: float, w: float, boxes: bool, shaded: bool) -> None:
    if boxes:
        pdf.rect(x + 1, y + 1, w - 2, ROW - 2, style="D")
    if shaded:
        pdf.set_fill_color(200, 200, 200)
        pdf.rect(x, y, w, ROW, style="F")
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(x + 2, y + 2, w - 4, ROW - 4, style="F")


def _grid_rules(
    pdf: FPDF, rows: list[list[str]], spans: dict, covered: set, row_rules: bool
) -> None:
    pdf.set_line_width(0.5)
    n_cols, n_rows = len(rows[0]), len(rows)
    for r in range(n_rows + 1) if row_rules else (0, 1, n_rows):
        pdf.line(60, 100 + ROW * r, 60 + 100 * n_cols, 100 + ROW * r)
    for r in range(n_rows):
        for c in range(n_cols + 1):
            if (r, c) not in covered:  # no rule inside a spanning cell
                x = 60 + 100 * c
                pdf.line(x, 100 + ROW * r, x, 100 + ROW * (r + 1))


def rotated_whitespace_table(target: Path, rows: list[list[str]], angle: int) -> Path:
    """A whitespace table typeset sideways: angle 90 reads bottom-to-top, -90 top-to-bottom."""
    pdf = _pdf()
    with pdf.rotation(angle, x=300, y=420):
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                _text(pdf, 200 + 90 * c, 380 + r * ROW, cell)
    pdf.output(str(target))
    return target


def wrapped_label_table(target: Path) -> Path:
    """Two columns; one label wraps and its value sits on the label's last line."""
    pdf = _pdf()
    lines = [
        (100, "Program", "Budget"),
        (116, "Performance", "$1.1M"),
        (132, "Federal Risk Authorization", ""),
        (143, "(FedRAMP)", "$0.3M"),
        (159, "Data services", "$0.9M"),
    ]
    for y, label, value in lines:
        _text(pdf, 60, y, label)
        if value:
            _text(pdf, 260, y, value)
    pdf.output(str(target))
    return target


SALES_X = (60.0, 120.0, 190.0, 260.0)  # Region, Units, Price, Total
# Where a person puts the column separators of footnoted_sales: between the columns.
SALES_SEPARATORS = (110.0, 180.0, 250.0)
SALES_AREA = (85.0, 55.0, 268.0, 300.0)  # top, left, bottom, right around its text
_SALES = {
    "may": [
        ["North", "12", "3.50", "42.00"],
        ["South", "7", "4.25", "29.75"],
        ["Central", "30", "1.10", "33.00"],
        ["East", "4", "9.99", "39.96"],
        ["West", "10", "2.00", "20.00"],
        ["Coast", "3", "5.00", "15.00"],
        ["Hills", "8", "2.50", "20.00"],
        ["Lakes", "5", "4.00", "20.00"],
        ["Plains", "20", "1.50", "30.00"],
        ["Valley", "2", "7.00", "14.00"],
    ],
    "june": [
        ["North", "15", "3.40", "51.00"],
        ["South", "9", "4.30", "38.70"],
        ["Central", "28", "1.20", "33.60"],
        ["East", "6", "9.50", "57.00"],
        ["West", "11", "2.10", "23.10"],
        ["Coast", "4", "5.10", "20.40"],
        ["Hills", "7", "2.40", "16.80"],
        ["Lakes", "6", "4.10", "24.60"],
        ["Plains", "22", "1.40", "30.80"],
        ["Valley", "3", "7.20", "21.60"],
    ],
}


def footnoted_sales(target: Path, month: str) -> tuple[Path, list[list[str]]]:
    """A monthly sales table whose first price carries a footnote mark "(e)" set 34 pt to its
    right: the engine reads the mark as a column of its own, almost empty (a flagged table).
    Returns the PDF and the table as a person reads it, the mark with its price."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.text(60, 70, f"Sales by region, {month}")
    pdf.set_font("Helvetica", size=SIZE)
    rows = [["Region", "Units", "Price", "Total"], *_SALES[month]]
    for r, row in enumerate(rows):
        for x, cell in zip(SALES_X, row, strict=True):
            pdf.text(x, 100 + r * ROW, cell)
    pdf.text(SALES_X[2] + 34, 100 + ROW, "(e)")
    pdf.output(str(target))
    expected = [list(row) for row in rows]
    expected[1][2] += " (e)"
    return target, expected
