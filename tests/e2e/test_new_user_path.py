"""A new user's whole path in a real browser, checking what the screen shows at each step:
upload, pick documents one after another, rename columns, build a bundle, load, retry a
failed run from History, delete the bundle after confirming."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from backend.models import Bundle, Document, Run, Table
from backend.selectors.runs import RunFilters, runs_page
from backend.selectors.tables import table_columns
from backend.services.tables import TableInvalid, column_names_check
from tests.support.processes import wait_for
from tests.support.users import user_default

pytestmark = pytest.mark.browser

US020, HEALTH = "camelot__us-020.pdf", "camelot__health.pdf"
ROW_PX = 35  # Streamlit's data grid: header and rows are 35 px high
LONG = 90_000


def test_a_new_user_uploads_fixes_builds_loads_retries_and_deletes(page, stack, corpus, tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    page.goto(f"{stack.url}/upload")  # a direct link to Upload, which lives at /
    upload(page, [corpus / US020, corpus / HEALTH], empty)
    pick_documents_in_turn(page)
    rename_columns(page)
    bundle = build_bundle_and_load(page)
    retry_failed_conversion(page, stack.url, corpus)
    delete_bundle(page, stack.url, bundle)


def upload(page: Page, pdfs, empty) -> None:
    page.get_by_text("Drop PDFs here").wait_for()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    choose_files(page, [*pdfs, empty])
    page.get_by_role("button", name="Convert").click()
    # Refused at once, and the message stays while the conversions run and redraw the page.
    expect(page.get_by_text("empty.pdf: the file is empty (0 bytes)")).to_be_visible()
    expect(
        page.get_by_text("Queued for conversion: camelot__us-020.pdf, camelot__health.pdf")
    ).to_be_visible()
    for pdf in pdfs:
        document = wait_for(
            lambda name=pdf.name: Document.objects.filter(name=name, status="converted").first(),
            timeout_s=LONG / 1000,
            what=f"{pdf.name} to convert",
        )
        summary = f"{document.tables.count()} table(s) from {document.page_count} page(s)"
        expect(page.get_by_text(summary)).to_be_visible()
    expect(page.get_by_text("empty.pdf: the file is empty (0 bytes)")).to_be_visible()
    assert not Document.objects.filter(name="empty.pdf").exists()


def choose_files(page: Page, files) -> None:
    page.locator("input[type=file]").set_input_files(files)
    # Convert reads what has reached the server: wait until every file is listed.
    uploader = page.locator("[data-testid=stFileUploader]")
    expect(uploader.locator("[data-testid=stFileChipName]")).to_have_count(len(files))
    expect(uploader.get_by_role("progressbar")).to_have_count(0, timeout=LONG)


def choose_option(page: Page, box: str, option: str, *, exact: bool = False) -> None:
    """Pick `option` in the multiselect labelled `box`; typing opens its list and narrows it."""
    settled(page)
    combobox = page.get_by_role("combobox", name=box)
    combobox.click()
    combobox.press_sequentially(option.split(" · ")[-1])
    page.get_by_role("option", name=option, exact=exact).click()


def close_options(page: Page) -> None:
    """Close an open option list and wait until it is gone: while it fades out it still
    covers what lies below it, and a click there would land on the list."""
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)


def pick(page: Page, label: str, option: str) -> None:
    page.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=False).first.click()


def summary_of(document_name: str) -> str:
    """The document card's summary line, as the page words it."""
    document = Document.objects.get(name=document_name)
    return f"{document.tables.count()} table(s) from {document.page_count} page(s)"


def first_table(document_name: str) -> Table:
    return Document.objects.get(name=document_name).tables.order_by("first_page", "id").first()


def pick_documents_in_turn(page: Page) -> None:
    page.get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    # Each pick shows its document at once, the second as well as the first.
    summaries = {name: summary_of(name) for name in (US020, HEALTH)}
    assert summaries[US020] != summaries[HEALTH]
    for name in (US020, HEALTH, US020):
        pick(page, "Document", name)
        expect(page.get_by_text(summaries[name])).to_be_visible()
        picker = page.get_by_role("combobox", name="Document")
        expect(picker).to_have_value(re.compile(f"^{re.escape(name)}"))
    table = first_table(US020)
    expect(page.get_by_text(f"{table.n_rows} rows × {table.n_cols} columns")).to_be_visible()


def settled(page: Page) -> None:
    """Wait until the script run has ended and no element of an earlier run is left."""
    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=LONG)
    expect(page.locator("[data-stale=true]")).to_have_count(0, timeout=LONG)


def edit_cell(page: Page, grid: Locator, row: int, text: str) -> None:
    """Type `text` into the name column's cell of `row` (0-based) through the grid's editor,
    until the grid shows it there (its first click may only take focus)."""
    settled(page)
    cell = grid.get_by_test_id(f"glide-cell-1-{row}")
    for _ in range(5):
        _type_into_cell(page, grid, row, text)
        try:
            # The grid mirrors its cells in an accessible table: the edit landed as meant.
            expect(cell).to_have_text(text, timeout=2_000)
            return
        except AssertionError:
            continue
    expect(cell).to_have_text(text)


def _type_into_cell(page: Page, grid: Locator, row: int, text: str) -> None:
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] * 0.75, box["y"] + ROW_PX * (row + 1.5))
    editor = page.locator("textarea.gdg-input")
    try:
        editor.wait_for(timeout=2_000)
    except PlaywrightTimeout:
        return  # the click only focused the grid; the caller tries again
    editor.press("Control+a")
    editor.press("Backspace")  # fill("") alone leaves the grid's value as it was
    if text:
        editor.fill(text)
    editor.press("Enter")
    expect(editor).to_have_count(0)
    # Leave no cell selected: after a rerun the grid would open its editor on that cell.
    page.keyboard.press("Escape")


def rename_columns(page: Page) -> None:
    table = first_table(US020)
    names = table_columns(table=table)
    form = page.locator("[data-testid=stForm]").filter(has_text="Header and column names")
    grid = form.locator("[data-testid=stDataFrame]")
    settled(page)  # the previous document's editor has gone
    expect(grid).to_have_count(1)
    # An emptied name and a name used twice are refused, naming the columns; nothing is saved.
    for third in ("", names[1].upper()):
        edit_cell(page, grid, 2, third)
        form.get_by_role("button", name="Save").click()
        expect(page.get_by_text(refusal([*names[:2], third, *names[3:]]))).to_be_visible()
    table.refresh_from_db()
    assert table.column_names == []

    renamed = [*names[:2], "Family welfare", *names[3:]]
    # Bottom up: Enter moves the grid's cursor down, never onto the next cell to edit.
    for position, name in reversed(list(enumerate(renamed))):
        if position == 2 or not name.strip():
            renamed[position] = name.strip() or f"Column {position + 1}"
            edit_cell(page, grid, position, renamed[position])
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: " + ", ".join(renamed))).to_be_visible()
    table.refresh_from_db()
    assert table.column_names == renamed


def refusal(names: list[str]) -> str:
    with pytest.raises(TableInvalid) as refused:
        column_names_check(names=names)
    return f"Not saved. {refused.value}"


def build_bundle_and_load(page: Page) -> Bundle:
    page.get_by_role("link", name="Bundles").click()
    expect(page.get_by_role("heading", name="Bundles")).to_be_visible()
    page.get_by_role("textbox", name="Name").first.fill("Spending")
    page.get_by_role("textbox", name="Warehouse table").first.fill("spending")
    page.get_by_role("button", name="Create bundle").click()
    expect(page.get_by_text("Bundle Spending created.")).to_be_visible()
    # Empty: it cannot load, the page says why and offers no load.
    expect(page.get_by_text("Load now and Schedule loads are off")).to_be_visible()
    expect(page.get_by_role("button", name="Load now")).to_be_disabled()
    expect(page.get_by_role("button", name="Schedule loads")).to_be_disabled()

    choose_option(page, "Tables in this bundle", f"{US020} · {first_table(US020).name}")
    close_options(page)
    page.get_by_role("button", name="Save tables").click()
    # Once the bundle's schema is read (by a worker, should a member's column facts be
    # missing), the page redraws with loading on: a state to wait for, not a time.
    expect(page.get_by_role("button", name="Load now")).to_be_enabled(timeout=LONG)
    expect(page.get_by_text("Load now and Schedule loads are off")).to_have_count(0)

    page.get_by_role("button", name="Load now").click()
    expect(page.get_by_text("Load queued as run")).to_be_visible()
    bundle = Bundle.objects.get(name="Spending")
    load = wait_for(
        lambda: Run.objects.filter(bundle=bundle, status="succeeded").first(),
        timeout_s=LONG / 1000,
        what="the load",
    )
    settled(page)
    page.get_by_role("tab", name="Loads").click()
    expect(page.get_by_text(f"succeeded · {load.rows_loaded} rows")).to_be_visible()
    return bundle


def retry_failed_conversion(page: Page, url: str, corpus) -> None:
    page.goto(url)
    page.get_by_text("Drop PDFs here").wait_for()
    choose_files(page, [corpus / "camelot__health_protected.pdf"])
    page.get_by_role("button", name="Convert").click()
    failed = wait_for(
        lambda: Run.objects.filter(document__name__contains="protected", status="failed").first(),
        timeout_s=LONG / 1000,
        what="the encrypted PDF's conversion to fail",
    )
    page.get_by_role("link", name="History").click()
    expect(page.get_by_text("Runs 1–4 of 4")).to_be_visible(timeout=LONG)
    ids = [r.id for r in runs_page(by=user_default(), filters=RunFilters(), limit=50).rows]
    click_row(page, ids.index(failed.pk))
    expect(page.get_by_text(f"Run {failed.pk}: conversion, failed")).to_be_visible()
    page.get_by_label("Password for an encrypted file").fill("userpass")
    page.get_by_role("button", name="Retry").click()

    retried = wait_for(
        lambda: Run.objects.filter(retry_of=failed).first(), timeout_s=30, what="the retry"
    )
    # The detail opens on the new run, not on whatever run now sits at the picked position,
    # and stays there when the list is read afresh (here: narrowed to conversions).
    expect(page.get_by_text(f"Run {retried.pk}: conversion")).to_be_visible()
    # While a run is live the list redraws itself: the new run shows up without a click.
    expect(page.get_by_text("Runs 1–5 of 5")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(f"Run {retried.pk}: conversion")).to_be_visible()
    choose_option(page, "Kind", "conversion", exact=True)
    close_options(page)
    expect(page.get_by_text("Runs 1–4 of 4")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(f"Run {retried.pk}: conversion, succeeded")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(f"retry of run {failed.pk}")).to_be_visible()


def click_row(page: Page, index: int) -> None:
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 12, box["y"] + ROW_PX * (index + 1.5))  # the row's checkbox


def delete_bundle(page: Page, url: str, bundle: Bundle) -> None:
    page.goto(f"{url}/bundles")
    expect(page.get_by_role("heading", name="Spending")).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="Delete bundle").click()
    expect(page.get_by_text("History keeps its runs under this name")).to_be_visible()
    assert Bundle.objects.filter(pk=bundle.pk).exists(), "nothing is deleted before confirming"
    page.get_by_role("button", name="Yes, delete the bundle").click()
    expect(page.get_by_text("Bundle Spending deleted.")).to_be_visible()
    assert not Bundle.objects.filter(pk=bundle.pk).exists()
    load = Run.objects.get(kind="load", bundle_name="Spending")
    assert load.bundle_id is None

    page.goto(f"{url}/history?run={load.pk}")
    expect(page.get_by_text(f"Run {load.pk}: load, succeeded")).to_be_visible(timeout=LONG)
    expect(page.get_by_text("bundle Spending (deleted)")).to_be_visible()
