"""Sign-in through OpenID Connect, for real: a local OpenID provider, the dashboard configured
for it by a secrets file named in the environment, and Chromium going through Streamlit's
st.login to the provider's form and back. The person's Django user exists afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from backend.models import AuditEvent
from tests.e2e.conftest import _port_answers
from tests.support.processes import free_port, streamlit_process, wait_for
from tests.support.users import user_default

LONG = 60_000


@pytest.fixture
def provider() -> Iterator[str]:
    """A local OpenID Connect provider; its sign-in form accepts any subject."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def secrets_file(folder: Path, app_port: int, provider: str) -> Path:
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "dataops-dashboard"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    return path


@pytest.fixture
def oidc_app(provider, tmp_path, django_db_setup) -> Iterator[str]:
    """The dashboard with OpenID Connect configured through STREAMLIT_SECRETS_FILES."""
    port = free_port()
    config = secrets_file(tmp_path, port, provider)
    log = tmp_path / "web.log"
    with streamlit_process(port, log, STREAMLIT_SECRETS_FILES=str(config)) as web:
        wait_for(lambda: _port_answers(port), timeout_s=60, what="the dashboard", process=web)
        yield f"http://localhost:{port}"


def test_a_person_signs_in_through_the_provider_and_gets_a_django_user(
    browser, oidc_app, transactional_db
):
    user_default()  # an administrator exists: the sign-in page, not the first-run screen
    email = "erin@example.com"
    assert not User.objects.filter(username=email).exists()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(oidc_app)
    button = page.get_by_role("button", name="Sign in with your company account")
    button.wait_for(timeout=LONG)
    expect(page.get_by_role("textbox", name="Password")).to_have_count(0)  # no local form
    button.click()
    # The provider's own form, on its own origin: who is signing in.
    page.locator("input[name=sub]").fill(email, timeout=LONG)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(f"Signed in as {email} (member)")).to_be_visible(timeout=LONG)
    assert page.url.startswith(oidc_app)

    erin = User.objects.get(username=email)
    assert (erin.email, erin.is_superuser, erin.has_usable_password()) == (email, False, False)
    assert AuditEvent.objects.filter(actor=erin, action="sign_in").exists()
    page.goto(oidc_app + "/documents")
    expect(page.get_by_text("No documents yet")).to_be_visible(timeout=LONG)
    assert User.objects.filter(username=email).count() == 1  # found again, not made twice

    page.get_by_role("button", name="Sign out").click()
    # Streamlit's st.logout ends the provider's session too; this provider asks first.
    page.get_by_role("button", name="End session").click(timeout=LONG)
    expect(page.get_by_role("button", name="Sign in with your company account")).to_be_visible(
        timeout=LONG
    )
    assert AuditEvent.objects.filter(actor=erin, action="sign_out").exists()
    context.close()
