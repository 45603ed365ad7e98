"""A person sees a flagged table on its page, fixes it by drawing, saves the fix as a
template and converts a second PDF of the same layout with it, without drawing."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from backend.models import Document, Table
from tests.e2e.test_new_user_path import choose_files
from tests.support.processes import wait_for
from tests.support.table_pdfs import SALES_AREA, footnoted_sales

pytestmark = pytest.mark.browser
LONG = 60_000


def page_to_screen(chart: Locator):
    """Page points -> screen pixels, read off the table's region outlined in the chart."""
    outline = chart.locator("path[aria-roledescription='rect mark']").first
    label = dict(re.findall(r"(\w+): (-?[\d.]+)", outline.get_attribute("aria-label")))
    x, y, x2, y2 = (float(label[k]) for k in ("x", "y", "x2", "y2"))
    px, py, pw, ph = (float(v) for v in re.findall(r"-?\d+\.?\d*", outline.get_attribute("d"))[:4])
    svg = chart.locator("svg").first.bounding_box()
    return lambda X, Y: (
        svg["x"] + px + (X - x) * pw / (x2 - x),
        svg["y"] + py + (Y - y) * ph / (y2 - y),
    )


def csv_rows(table: Table) -> list[list[str]]:
    with table.file.open("rb") as fh:
        return list(csv.reader(io.StringIO(fh.read().decode())))


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=5)
    page.mouse.move(*end, steps=5)
    page.mouse.up()


def pick(page: Page, choice: Locator, option: str) -> bool:
    """Choose an option from the list that typing narrows (a click alone does not always
    open it); the page may rerun meanwhile and redraw the list, so the caller tries again."""
    try:
        choice.click(timeout=5_000)
        choice.fill(option, timeout=5_000)  # replaces what an earlier try left typed
        page.get_by_text(option, exact=True).last.click(timeout=5_000)
        expect(choice).to_have_value(option, timeout=5_000)
    except (PlaywrightTimeout, AssertionError):
        page.keyboard.press("Escape")  # the list closes; the next try opens it afresh
        return False
    return True


def upload(page: Page, stack, pdf, template: str | None = None) -> Document:
    page.goto(f"{stack.url}/upload")
    page.get_by_text("Drop PDFs here").wait_for()
    choose_files(page, [pdf])
    if template:
        page.get_by_text("Options").click()
        choice = page.get_by_label("Table template (replaces pages, area and detection)")
        expect(choice).to_be_visible()
        wait_for(lambda: pick(page, choice, template), timeout_s=LONG / 1000, what="the template")
    page.get_by_role("button", name="Convert").click()
    return wait_for(
        lambda: Document.objects.filter(name=pdf.name, status="converted").first(),
        timeout_s=LONG / 1000,
        what=f"{pdf.name} to convert",
    )


def test_a_flagged_table_is_fixed_on_its_page_and_the_fix_reused(page, stack, tmp_path):
    may, may_rows = footnoted_sales(tmp_path / "sales-may.pdf", "may")
    upload(page, stack, may)
    # The Upload card names the table to check and why.
    expect(page.get_by_text("column(s) 4 are almost empty").first).to_be_visible(timeout=LONG)

    page.get_by_role("link", name="Documents").click()
    expect(page.get_by_text("Pages 1 · 11 rows × 5 columns")).to_be_visible(timeout=LONG)
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    # The page picture, with the region and the grid that were read drawn over it.
    expect(chart.locator("image")).to_have_count(1)
    # 5 columns and 11 rows read: 4 column separators and 10 row lines inside the region.
    expect(chart.locator("[aria-roledescription='rule mark']")).to_have_count(14)

    page.get_by_role("button", name="Fix this table by drawing on its page").click()
    area = page.get_by_label("Area: top, left, bottom, right (points)")
    expect(area).to_be_visible()
    to_screen = page_to_screen(chart)
    top, left, bottom, right = SALES_AREA
    drag(page, to_screen(left, top), to_screen(right, bottom))
    expect(area).to_have_value(re.compile(r"^8[45](\.\d)?, 5[45](\.\d)?, 26[78](\.\d)?, 300"))
    # The separator the engine put between a price and its footnote mark goes.
    separators = page.get_by_label(re.compile("Column separators"))
    separators.fill("110, 180, 250")
    separators.press("Enter")
    page.get_by_role("button", name="Read this table again").click()

    expect(page.get_by_text(re.compile("Read again: sales-may-p1-t1.csv version 2"))).to_be_visible(
        timeout=LONG
    )
    expect(page.get_by_text("Pages 1 · 11 rows × 4 columns")).to_be_visible()
    # The preview grid draws on a canvas: what it shows is read from the stored table.
    fixed = Table.objects.get(document__name="sales-may.pdf")
    assert (fixed.version, fixed.n_cols) == (2, 4)
    assert csv_rows(fixed) == may_rows

    page.get_by_label("Template name").fill("monthly sales")
    page.get_by_role("button", name="Save as template").click()
    expect(page.get_by_text("Template monthly sales saved")).to_be_visible()

    june, june_rows = footnoted_sales(tmp_path / "sales-june.pdf", "june")
    document = upload(page, stack, june, template="monthly sales")
    assert csv_rows(Table.objects.get(document=document)) == june_rows
