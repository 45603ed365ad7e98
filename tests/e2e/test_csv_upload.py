"""CSV files added to a bundle in a real browser: a damaged one is refused with its line, one
with a title and notes around its table is asked about, and answered, where the user is."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from backend.models import Bundle
from backend.selectors.tables import table_data_rows
from backend.services.bundles import bundle_create
from tests.support.processes import wait_for

pytestmark = pytest.mark.browser
LONG = 60_000


def test_a_damaged_csv_is_refused_and_a_titled_one_is_confirmed(page: Page, stack, user, tmp_path):
    bundle = bundle_create(
        owner=user, name="weekly sales", target_table="sales", load_mode="append"
    )
    damaged = tmp_path / "cities.csv"
    damaged.write_bytes(b'id,city,pop\n1,Paris,2\n2,"Rome,3\n3,Madrid,4\n4,Lisbon,5\n')
    titled = tmp_path / "report.csv"
    titled.write_bytes(
        "Sales report 2024\n\nregion;amount\nnorth;1.234,5\nsouth;2,5\n\nSource: finance\n".encode(
            "cp1252"
        )
    )
    page.goto(f"{stack.url}/bundles")
    page.get_by_role("tab", name="Tables").wait_for()
    uploader = page.locator("[data-testid=stFileUploader]")
    uploader.locator("input[type=file]").set_input_files([damaged, titled])
    expect(uploader.locator("[data-testid=stFileChipName]")).to_have_count(2)
    expect(uploader.get_by_role("progressbar")).to_have_count(0, timeout=LONG)
    page.get_by_role("button", name="Add to bundle").click()

    expect(page.get_by_text("cities.csv: line 3 opens a quote that is never closed")).to_be_visible(
        timeout=LONG
    )
    expect(page.get_by_text("The table seems to start at line 3 (its header)")).to_be_visible()
    expect(page.get_by_text("Source: finance")).to_be_visible()
    page.get_by_text("cities.csv: line 3").scroll_into_view_if_needed()
    if os.environ.get("SCREENSHOT_DIR"):  # for a person to look at; the test reads the text
        page.screenshot(
            path=f"{os.environ['SCREENSHOT_DIR']}/bundles-csv-upload.png", full_page=True
        )
        page.get_by_role("button", name="Add with these answers").scroll_into_view_if_needed()
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/bundles-csv-question.png")
    assert not bundle.tables.exists(), "nothing joins the bundle before the user answers"

    page.get_by_role("button", name="Add with these answers").click()
    expect(page.get_by_text("report.csv: a header and 2 rows")).to_be_visible(timeout=LONG)
    table = wait_for(
        lambda: Bundle.objects.get(pk=bundle.pk).tables.first(), timeout_s=30, what="the table"
    )
    assert [row for _, row in table_data_rows(table=table)] == [
        ["north", "1.234,5"],
        ["south", "2,5"],
    ]

    schema_tab = page.get_by_role("tab", name="Schema")
    expect(schema_tab).to_have_count(1, timeout=LONG)  # the rerun's stale copy is gone
    schema_tab.click()
    expect(page.get_by_text("Number format of each file")).to_be_visible(timeout=LONG)
    mark = page.get_by_role("combobox", name="report.csv")
    expect(mark).to_have_value("1.234,5 (decimal comma)")
    expect(page.get_by_text('"amount" NUMERIC(5,1)')).to_be_visible()
    if os.environ.get("SCREENSHOT_DIR"):
        page.get_by_text("Number format of each file").scroll_into_view_if_needed()
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/bundles-schema-tab.png")
