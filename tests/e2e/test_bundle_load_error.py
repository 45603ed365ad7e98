"""A load that COPY refused, in a real browser: the Bundles page's Loads tab names the table,
then each refused value by source, row, column, value and the warehouse's reason."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from backend.integrations.warehouse.errors import CopyRejected, Rejection
from backend.services.bundles import bundle_create
from tests.support.factories import make_run

pytestmark = pytest.mark.browser
LONG = 60_000


def test_a_refused_copy_is_listed_value_by_value_in_the_loads_tab(page: Page, stack, user):
    bundle = bundle_create(owner=user, name="orders", target_table="orders", load_mode="append")
    refused = CopyRejected(
        "orders",
        [
            Rejection("orders.csv", 41, "price", "12,5x", 'invalid input syntax: "12,5x"'),
            Rejection("invoices.pdf page 3 (Table 1)", 7, "day", "2024-02-30", "out of range"),
        ],
        total=3,
    )
    make_run(
        kind="load",
        owner=user,
        task_id="e2e-copy",
        bundle=bundle,
        status="failed",
        error=str(refused),
    )
    page.goto(f"{stack.url}/bundles")
    page.get_by_role("tab", name="Loads").click()
    alert = page.get_by_role("alert").filter(has_text="Redshift refused")
    expect(alert).to_be_visible(timeout=LONG)
    expect(alert).to_contain_text("loading table 'orders' (the first 2 of 3)")
    items = alert.get_by_role("listitem")
    expect(items).to_have_text(
        [
            "'orders.csv' row 41, column 'price', value '12,5x': invalid input syntax: \"12,5x\"",
            "'invoices.pdf page 3 (Table 1)' row 7, column 'day', value '2024-02-30': out of range",
        ]
    )
    expect(page.get_by_text("· failed")).to_be_visible()  # the run's line above its error
    expect(page.get_by_role("combobox", name="Bundle")).to_be_visible()
    if os.environ.get("SCREENSHOT_DIR"):  # for a person to look at; the test reads the text
        alert.scroll_into_view_if_needed()
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/bundles-copy-error.png")
