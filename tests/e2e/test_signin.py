"""Sign-in in a real browser: people see only their own data, an administrator sees all;
lockout, reload and sign-out in every tab."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from backend.models import Bundle, Document, Run
from backend.scheduling.spec import ScheduleSpec
from backend.services.bundles import bundle_create, bundle_set_tables
from backend.services.schedules import schedule_save
from dashboard.session import COOKIE
from tests.e2e.conftest import signed_in_context
from tests.e2e.test_new_user_path import choose_files, settled
from tests.support.processes import wait_for
from tests.support.users import PASSWORD, member, user_default

LONG = 60_000


def sign_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(page: Page, username: str) -> None:
    """Wait until the page says who is signed in and the browser holds the session cookie,
    which the page sets by script just after it draws: only then may a test reload or
    open another address."""
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=LONG)
    has_cookie = lambda: any(c["name"] == COOKIE for c in page.context.cookies())  # noqa: E731
    wait_for(has_cookie, timeout_s=LONG / 1000, what="the session cookie")


def shots_dir(stack) -> Path:
    """Where screenshots go: SCREENSHOT_DIR when set (to look at them), else the test logs."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or stack.logs)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def main_text(page: Page) -> str:
    settled(page)
    return page.locator("[data-testid=stMain]").inner_text()


def ann_uploads_and_loads(as_ann: Page, url: str, ann, corpus) -> tuple[Bundle, Run, Run]:
    """Ann converts a PDF in the browser, loads its table through her bundle with Load now,
    and has the bundle scheduled: her conversion run and her load run."""
    as_ann.get_by_text("Drop PDFs here").wait_for(timeout=LONG)
    choose_files(as_ann, [corpus / "camelot__us-020.pdf"])
    as_ann.get_by_role("button", name="Convert").click()
    document = wait_for(
        lambda: Document.objects.filter(owner=ann, status="converted").first(),
        timeout_s=90,
        what="ann's conversion",
    )
    bundle = Bundle.objects.get(owner=ann, name="ann-sales")
    bundle_set_tables(by=ann, bundle_id=bundle.pk, table_ids=[document.tables.first().pk])
    as_ann.goto(url + "/bundles")
    as_ann.get_by_role("button", name="Load now").click(timeout=LONG)
    load = wait_for(
        lambda: Run.objects.filter(owner=ann, kind="load", status="succeeded").first(),
        timeout_s=90,
        what="ann's load",
    )
    daily = ScheduleSpec(frequency="daily", timezone="UTC", run_time=time(6, 0))
    schedule_save(bundle_id=bundle.pk, owner=ann, spec=daily)
    return bundle, Run.objects.get(owner=ann, kind="conversion"), load


def test_a_member_sees_none_of_another_members_data_and_an_administrator_sees_both(
    browser, stack, corpus, transactional_db
):
    ann = member("ann")
    member("bob")
    bundle_create(owner=ann, name="ann-sales", target_table="ann_sales", load_mode="append")
    as_ann = signed_in_context(browser, stack, ann).new_page()
    as_ann.goto(stack.url)
    bundle, conversion, load = ann_uploads_and_loads(as_ann, stack.url, ann, corpus)
    anns = ("camelot__us-020", "ann-sales", "ann_sales")

    bob_context = browser.new_context(viewport={"width": 1400, "height": 900})
    as_bob = bob_context.new_page()
    sign_in(as_bob, stack.url, "bob")
    signed_in(as_bob, "bob (member)")
    # Every page, and every link that names one of Ann's things by its id.
    paths = ["/documents", "/bundles", "/schedules", "/history", "/warehouse"]
    paths += [f"/history?run={conversion.pk}", f"/history?run={load.pk}"]
    paths += [f"/schedules?bundle={bundle.pk}"]
    for path in paths:
        as_bob.goto(stack.url + path)
        expect(as_bob.get_by_text("Signed in as bob")).to_be_visible(timeout=LONG)
        body = main_text(as_bob)
        assert not [name for name in anns if name in body], path
        if path.startswith("/history?run="):
            run_id = path.rsplit("=", 1)[1]
            expect(as_bob.get_by_text(f"Run {run_id} does not exist")).to_be_visible()
    as_bob.goto(stack.url + "/documents")
    expect(as_bob.get_by_text("No documents yet")).to_be_visible(timeout=LONG)
    settled(as_bob)
    as_bob.screenshot(path=str(shots_dir(stack) / "member-b-documents.png"))
    expect(as_bob.get_by_role("link", name="Users")).to_have_count(0)
    expect(as_bob.get_by_role("link", name="System")).to_have_count(0)

    as_admin = signed_in_context(browser, stack, user_default()).new_page()
    main = as_admin.locator("[data-testid=stMain]")
    for path, shown in (
        ("/documents", "camelot__us-020"),
        ("/bundles", "ann-sales"),
        ("/schedules", "ann-sales"),
        ("/warehouse", "ann_sales"),
    ):
        as_admin.goto(stack.url + path)
        expect(main).to_contain_text(shown, timeout=LONG)
    as_admin.goto(stack.url + f"/history?run={load.pk}")
    expect(as_admin.get_by_text(f"Run {load.pk}: load")).to_be_visible(timeout=LONG)


def test_the_first_run_screen_makes_the_administrator_then_the_sign_in_page(
    browser, stack, transactional_db
):
    assert not User.objects.exists()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(stack.url)
    expect(page.get_by_text("No account exists yet")).to_be_visible(timeout=LONG)
    expect(page.get_by_role("textbox", name="Password again")).to_be_visible()
    settled(page)
    page.screenshot(path=str(shots_dir(stack) / "first-run.png"))
    page.get_by_label("Administrator's user name").fill("root")
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create administrator").click()
    expect(page.get_by_text("Signed in as root (administrator)")).to_be_visible(timeout=LONG)
    assert User.objects.get(username="root").is_superuser

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=LONG)
    expect(page.get_by_text("No account exists yet")).to_have_count(0)  # only the first time
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    settled(page)
    page.screenshot(path=str(shots_dir(stack) / "sign-in.png"))
    context.close()


def test_a_link_to_a_page_asks_to_sign_in_then_opens_that_page(browser, stack, transactional_db):
    member("erin")
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(stack.url + "/schedules")
    page.get_by_label("User name").fill("erin")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    signed_in(page, "erin")
    expect(page.get_by_role("heading", name="Schedules")).to_be_visible()
    assert page.url.endswith("/schedules")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.context.close()


def test_reload_and_second_tab_stay_signed_in_sign_out_ends_both_then_lockout(
    browser, stack, transactional_db
):
    member("dave")
    member("carol")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, stack.url, "dave")
    signed_in(page, "dave")
    page.reload()
    expect(page.get_by_text("Signed in as dave")).to_be_visible(timeout=LONG)
    second = context.new_page()
    second.goto(stack.url + "/documents")
    expect(second.get_by_text("Signed in as dave")).to_be_visible(timeout=LONG)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=LONG)
    second.reload()
    expect(second.get_by_role("button", name="Sign in")).to_be_visible(timeout=LONG)

    # The web process runs with the defaults: 5 failures lock for 15 minutes.
    for _ in range(5):
        sign_in(page, stack.url, "carol", "wrong password")
        expect(page.get_by_text("Wrong user name or password")).to_be_visible(timeout=LONG)
    sign_in(page, stack.url, "carol")
    expect(page.get_by_text("Too many failed sign-ins for carol")).to_be_visible(timeout=LONG)
    # The same client is locked out for every name, too.
    sign_in(page, stack.url, "dave")
    expect(page.get_by_text("from this address")).to_be_visible(timeout=LONG)
    context.close()
