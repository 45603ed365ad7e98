"""A PDF's password, kept sealed only while its conversion needs it."""

from __future__ import annotations

from backend.integrations.pdf import PdfError
from backend.models import Document
from backend.sealing import UnsealFailed, seal, unseal

PASSWORD_OPTION = "sealed_password"
# Forgotten when a conversion ends; "password" is where plain text was once kept.
FORGOTTEN_OPTIONS = (PASSWORD_OPTION, "password")
PASSWORD_UNREADABLE = (
    "The password given for this PDF cannot be read back (the server's key changed): "
    "convert again and give the password."
)


def password_option(*, password: str) -> dict:
    """The document option that keeps a PDF's password until its conversion ends: sealed
    (backend/sealing.py), so the database never holds it in plain text."""
    return {PASSWORD_OPTION: seal(password)} if password else {}


def document_password(*, document: Document) -> str | None:
    """The password the document's conversion was given, opened; only workers call this."""
    token = document.options.get(PASSWORD_OPTION)
    if not token:
        return None
    try:
        return unseal(token)
    except UnsealFailed:
        raise PdfError(PASSWORD_UNREADABLE) from None


def options_without_password(options: dict) -> dict:
    """The document's options once its conversion has ended."""
    return {k: v for k, v in options.items() if k not in FORGOTTEN_OPTIONS}
