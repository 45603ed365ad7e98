"""The History page in a real browser after real conversions: list, charts, detail, retry."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backend.models import Run
from tests.backend.services.test_conversion import finished
from tests.support.factories import upload_document
from tests.support.users import user_default

pytestmark = pytest.mark.browser


def test_history_lists_real_runs_and_retries_a_failed_one_with_its_password(page, stack, corpus):
    user = user_default()
    converted = finished(upload_document(user, corpus / "camelot__us-020.pdf"))
    failed = finished(upload_document(user, corpus / "camelot__health_protected.pdf"))
    assert (converted.status, failed.status) == (Run.Status.SUCCEEDED, Run.Status.FAILED)

    page.goto(f"{stack.url}/history")
    expect(page.get_by_text("Runs 1–2 of 2")).to_be_visible(timeout=45_000)
    page.get_by_role("tab", name="Charts").click()
    for title in ("Runs per day, by status", "Duration per kind, p50 and p95"):
        expect(page.get_by_text(title)).to_be_visible()

    page.goto(f"{stack.url}/history?run={failed.pk}")
    expect(page.get_by_text(f"Run {failed.pk}: conversion, failed")).to_be_visible(timeout=45_000)
    expect(page.get_by_text("password", exact=False).first).to_be_visible()
    page.get_by_label("Password for an encrypted file").fill("userpass")
    page.get_by_role("button", name="Retry").click()

    retried = Run.objects.filter(retry_of=failed)
    expect(page.get_by_text("conversion, succeeded")).to_be_visible(timeout=60_000)
    assert retried.get().status == Run.Status.SUCCEEDED
