"""A PDF's password is sealed while its conversion waits or runs, and gone once it ends."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from backend.integrations.pdf import PdfError
from backend.models import Document, Run
from backend.sealing import UnsealFailed, seal, unseal
from backend.services.pdf_passwords import PASSWORD_OPTION, document_password
from tests.backend.services.test_conversion import finished
from tests.support.factories import upload_document

PASSWORD = "userpass"  # opens camelot__health_protected.pdf
ACTIVE = (Document.Status.QUEUED, Document.Status.CONVERTING)
ENDED = (Document.Status.CONVERTED, Document.Status.FAILED)


def stored_row(document: Document) -> tuple[str, dict]:
    """The document's status and options as the database holds them now: one row, read at
    once, so the two always belong together."""
    return Document.objects.filter(pk=document.pk).values_list("status", "options").get()


def watch_until_final(document: Document) -> list[tuple[str, dict]]:
    """Every distinct (status, options) the database held until the conversion ended; read
    without pause, so that even a one-page conversion is seen while a worker runs it."""
    seen: list[tuple[str, dict]] = []
    for _ in range(200_000):
        status, options = stored_row(document)
        if not seen or seen[-1] != (status, options):
            seen.append((status, options))
        if status in ENDED:
            return seen
    raise AssertionError(f"the conversion did not end; seen: {[s for s, _ in seen]}")


@pytest.mark.django_db(transaction=True)
def test_the_password_is_sealed_while_converting_and_gone_after(worker, user, corpus):
    document = upload_document(user, corpus / "camelot__health_protected.pdf", password=PASSWORD)
    seen = watch_until_final(document)
    statuses = [status for status, _ in seen]
    assert Document.Status.CONVERTING in statuses, statuses
    for status, options in seen:
        assert PASSWORD not in json.dumps(options), f"plain text while {status}"
        if status in ACTIVE:
            assert unseal(options[PASSWORD_OPTION]) == PASSWORD, "sealed, and opens"
        else:
            assert not [k for k in options if "password" in k], "forgotten at the end"
    assert seen[-1][0] == Document.Status.CONVERTED
    assert finished(document).status == Run.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_token_sealed_with_another_key_is_refused_with_one_line(settings, user):
    token = seal(PASSWORD)
    settings.PDF_PASSWORD_KEY = Fernet.generate_key().decode()
    with pytest.raises(UnsealFailed):
        unseal(token)
    document = Document(owner=user, name="a.pdf", options={PASSWORD_OPTION: token})
    with pytest.raises(PdfError, match="key changed") as refused:
        document_password(document=document)
    assert "\n" not in str(refused.value)


def test_a_dedicated_key_and_the_secret_key_seal_differently(settings):
    from_secret_key = seal(PASSWORD)
    settings.PDF_PASSWORD_KEY = Fernet.generate_key().decode()
    assert unseal(seal(PASSWORD)) == PASSWORD
    with pytest.raises(UnsealFailed):
        unseal(from_secret_key)
