"""Secrets a worker needs later (a PDF's password) are stored sealed, never in plain text.

Sealed with Fernet (AES-128-CBC with an HMAC, from `cryptography`): the database and its
backups hold only a token; the key lives in the environment of the web and worker processes.
The key is PDF_PASSWORD_KEY when set (a Fernet key), else derived from Django's SECRET_KEY
with HKDF, so a laptop needs no setting and changing SECRET_KEY changes it too."""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class UnsealFailed(ValueError):
    """The token was sealed with another key (the key changed) or is not a token."""


def seal(text: str) -> str:
    """A token that only this deployment's key opens."""
    return _fernet(_key_material()).encrypt(text.encode()).decode()


def unseal(token: str) -> str:
    """The text a token holds; UnsealFailed when this deployment's key does not open it."""
    try:
        return _fernet(_key_material()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise UnsealFailed("sealed with another key") from None


def _key_material() -> tuple[str, str]:
    return settings.PDF_PASSWORD_KEY, settings.SECRET_KEY


@cache
def _fernet(material: tuple[str, str]) -> Fernet:
    dedicated, secret_key = material
    if dedicated:
        return Fernet(dedicated)
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"dataops pdf passwords"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))
