"""Sign-in in a real browser: people see only their own data, an administrator sees all;
lockout, reload and sign-out in every tab."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from backend.models import Document, Run
from backend.services.bundles import bundle_create
from dashboard.session import COOKIE
from tests.e2e.conftest import signed_in_context
from tests.e2e.test_new_user_path import choose_files
from tests.support.processes import wait_for
from tests.support.users import PASSWORD, member, user_default

LONG = 60_000


def sign_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_member_sees_none_of_another_members_data_and_an_administrator_sees_both(
    browser, stack, corpus, transactional_db
):
    ann = member("ann")
    member("bob")
    bundle_create(owner=ann, name="ann-sales", target_table="ann_sales", load_mode="append")
    as_ann = signed_in_context(browser, stack, ann).new_page()
    as_ann.goto(stack.url)
    as_ann.get_by_text("Drop PDFs here").wait_for(timeout=LONG)
    choose_files(as_ann, [corpus / "camelot__us-020.pdf"])
    as_ann.get_by_role("button", name="Convert").click()
    wait_for(
        lambda: Document.objects.filter(owner=ann, status="converted").first(),
        timeout_s=90,
        what="ann's conversion",
    )
    run = Run.objects.get(owner=ann)

    bob_context = browser.new_context(viewport={"width": 1400, "height": 900})
    as_bob = bob_context.new_page()
    sign_in(as_bob, stack.url, "bob")
    expect(as_bob.get_by_text("Signed in as bob (member)")).to_be_visible(timeout=LONG)
    for path in ("/documents", "/bundles", "/schedules", f"/history?run={run.pk}"):
        as_bob.goto(stack.url + path)
        expect(as_bob.get_by_text("Signed in as bob")).to_be_visible(timeout=LONG)
        as_bob.wait_for_load_state("networkidle")
        body = as_bob.locator("[data-testid=stMain]").inner_text()
        assert "camelot__us-020" not in body and "ann-sales" not in body, path
    expect(as_bob.get_by_text(f"Run {run.pk} does not exist")).to_be_visible()
    as_bob.goto(stack.url + "/documents")
    expect(as_bob.get_by_text("No documents yet")).to_be_visible(timeout=LONG)
    as_bob.screenshot(path=str(stack.logs / "member-b-documents.png"))
    expect(as_bob.get_by_role("link", name="Users")).to_have_count(0)
    expect(as_bob.get_by_role("link", name="System")).to_have_count(0)

    as_admin = signed_in_context(browser, stack, user_default()).new_page()
    main = as_admin.locator("[data-testid=stMain]")
    as_admin.goto(stack.url + "/documents")
    expect(main).to_contain_text("camelot__us-020", timeout=LONG)
    as_admin.goto(stack.url + "/bundles")
    expect(main).to_contain_text("ann-sales", timeout=LONG)
    as_admin.goto(stack.url + f"/history?run={run.pk}")
    expect(as_admin.get_by_text(f"Run {run.pk}: conversion")).to_be_visible(timeout=LONG)


def test_reload_and_second_tab_stay_signed_in_sign_out_ends_both_then_lockout(
    browser, stack, transactional_db
):
    member("dave")
    member("carol")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, stack.url, "dave")
    expect(page.get_by_text("Signed in as dave")).to_be_visible(timeout=LONG)
    # The page sets the session cookie by script just after it draws: reload once it holds.
    has_cookie = lambda: any(c["name"] == COOKIE for c in context.cookies())  # noqa: E731
    wait_for(has_cookie, timeout_s=LONG / 1000, what="the session cookie")
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
