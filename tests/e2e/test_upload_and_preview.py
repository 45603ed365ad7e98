"""A person uploads PDFs in the browser, watches them convert, and previews a table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backend.models import Document
from tests.e2e.test_new_user_path import choose_files
from tests.support.processes import wait_for

pytestmark = pytest.mark.browser


def test_uploaded_pdfs_convert_and_a_bad_one_is_explained(page, stack, corpus, tmp_path):
    not_pdf = tmp_path / "minutes.pdf"
    not_pdf.write_text("meeting minutes, typed, not a PDF")
    page.goto(stack.url)
    page.get_by_text("Drop PDFs here").wait_for()
    choose_files(page, [corpus / "camelot__us-020.pdf", not_pdf])
    page.get_by_role("button", name="Convert").click()

    expect(page.get_by_text("the file is not a PDF (no PDF header found)")).to_be_visible(
        timeout=60_000
    )
    # How many tables the engine finds is the extraction tests' business; the card says it.
    converted = wait_for(
        lambda: Document.objects.filter(name="camelot__us-020.pdf", status="converted").first(),
        timeout_s=60,
        what="the conversion",
    )
    summary = f"{converted.tables.count()} table(s) from 6 page(s)"
    expect(page.get_by_text(summary)).to_be_visible()

    page.get_by_role("link", name="Documents").click()
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="camelot__us-020.pdf", exact=False).first.click()
    expect(page.get_by_text("Pages 2-3 · 55 rows × 7 columns")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Download all as zip")).to_be_visible()


def test_an_identical_upload_is_asked_about_and_converted_again_from_the_stored_file(
    page, stack, corpus, tmp_path
):
    # The same bytes under another name: the page recognises them by content.
    copy = tmp_path / "health-again.pdf"
    copy.write_bytes((corpus / "camelot__health.pdf").read_bytes())
    page.goto(stack.url)
    page.get_by_text("Drop PDFs here").wait_for()
    choose_files(page, [corpus / "camelot__health.pdf"])
    page.get_by_role("button", name="Convert").click()
    expect(page.get_by_text("Queued for conversion: camelot__health.pdf")).to_be_visible(
        timeout=60_000
    )

    choose_files(page, [copy])
    page.get_by_role("button", name="Convert").click()
    expect(page.get_by_text("is identical to")).to_be_visible(timeout=60_000)
    assert not Document.objects.filter(name="health-again.pdf").exists()

    page.get_by_role("button", name="Convert it again").click()
    expect(page.get_by_text("Queued for conversion again: health-again.pdf")).to_be_visible(
        timeout=60_000
    )
    first = Document.objects.get(name="camelot__health.pdf")
    again = Document.objects.get(name="health-again.pdf")
    assert again.sha256 == first.sha256 and again.pk != first.pk
    with again.file.open("rb") as stored:
        assert stored.read() == copy.read_bytes()
