"""Groups in a real browser: an administrator makes a group on the Users page, an owner shares a
bundle with it on the Bundles page, a member of the group sees and loads it, someone outside
the group does not see it."""

from __future__ import annotations

from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from backend.models import Run
from backend.services.bundles import bundle_create, table_create_from_csv
from tests.e2e.conftest import signed_in_context
from tests.e2e.test_new_user_path import choose_option, close_options, settled
from tests.e2e.test_signin import shots_dir
from tests.support.processes import wait_for
from tests.support.users import member, user_default

LONG = 60_000


def _main(page: Page):
    return page.locator("[data-testid=stMain]")


def make_group(page: Page, url: str, name: str, members: list[str]) -> None:
    page.goto(url + "/users")
    page.get_by_role("textbox", name="Group name").fill(name)
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_text(f"Saved: {name}.")).to_be_visible(timeout=LONG)
    for username in members:
        choose_option(page, "Members", username, exact=True)
    close_options(page)
    page.get_by_role("button", name="Save members").click()
    expect(_main(page)).to_contain_text(", ".join(members), timeout=LONG)


def test_a_bundle_shared_with_a_group_is_seen_and_loaded_by_its_members_only(
    browser, stack, transactional_db
):
    ann, bob, carol = member("ann"), member("bob"), member("carol")
    as_admin = signed_in_context(browser, stack, user_default()).new_page()
    make_group(as_admin, stack.url, "sales", ["ann", "bob"])
    sales = Group.objects.get(name="sales")
    assert set(sales.user_set.values_list("username", flat=True)) == {"ann", "bob"}

    bundle = bundle_create(
        owner=ann, name="quarter-sales", target_table="quarter_sales", load_mode="append"
    )
    table_create_from_csv(owner=ann, name="q.csv", content=b"a,b\n1,2\n3,4\n", bundle_id=bundle.pk)
    as_ann = signed_in_context(browser, stack, ann).new_page()
    as_ann.goto(stack.url + "/bundles")
    as_ann.get_by_role("tab", name="Settings").click()
    choose_option(as_ann, "Groups", "sales", exact=True)
    close_options(as_ann)
    as_ann.get_by_role("button", name="Save sharing").click()
    expect(as_ann.get_by_text("Sharing of quarter-sales saved.")).to_be_visible(timeout=LONG)
    assert list(bundle.shared_with.values_list("name", flat=True)) == ["sales"]

    as_bob = signed_in_context(browser, stack, bob).new_page()
    as_bob.goto(stack.url + "/bundles")
    expect(as_bob.get_by_text("Shared by ann with sales")).to_be_visible(timeout=LONG)
    expect(as_bob.get_by_role("button", name="Delete bundle")).to_have_count(0)
    expect(as_bob.get_by_role("tab", name="Settings")).to_have_count(0)
    as_bob.get_by_role("button", name="Load now").click()
    expect(as_bob.get_by_text("Load queued as run")).to_be_visible(timeout=LONG)
    load = wait_for(
        lambda: Run.objects.filter(bundle=bundle, owner=bob, status="succeeded").first(),
        timeout_s=LONG / 1000,
        what="bob's load of ann's shared bundle",
    )
    assert load.rows_loaded == 2

    as_carol = signed_in_context(browser, stack, carol).new_page()
    as_carol.goto(stack.url + "/bundles")
    expect(as_carol.get_by_text("Signed in as carol")).to_be_visible(timeout=LONG)
    settled(as_carol)
    assert "quarter-sales" not in _main(as_carol).inner_text()
    as_carol.goto(stack.url + "/warehouse")
    expect(as_carol.get_by_text("No warehouse tables to show yet")).to_be_visible(timeout=LONG)
    as_carol.goto(stack.url + "/history")
    settled(as_carol)
    expect(as_carol.get_by_text("Signed in as carol")).to_be_visible(timeout=LONG)
    assert "quarter-sales" not in _main(as_carol).inner_text()

    # The Users page now counts the group's shared bundle.
    as_admin.reload()
    expect(_main(as_admin)).to_contain_text("ann, bob", timeout=LONG)
    settled(as_admin)
    as_admin.set_viewport_size({"width": 1400, "height": 1900})  # the whole page in one shot
    settled(as_admin)
    as_admin.screenshot(path=str(shots_dir(stack) / "users-page-with-groups.png"))
