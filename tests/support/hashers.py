"""Password hashing made cheap for tests, readable by the product's own settings."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FewRoundsPBKDF2(PBKDF2PasswordHasher):
    """Django's PBKDF2 with few rounds. The hash names its rounds, so the dashboard and
    workers started by tests, which run the product's settings, verify it as any other
    PBKDF2 hash. Django's full rounds cost about 0.4 s a user on this machine, which many
    tests paid several times in their set-up."""

    iterations = 1000
