"""Test-run isolation, set up before Django reads its settings."""

import os
import tempfile

# Tests never touch the developer's var/ (database, broker queue, files): a
# worker started by `make run` must not pick up the tests' tasks.
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="dataops-test-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

import django

django.setup()

from django.test.utils import override_settings  # noqa: E402

override_settings(PASSWORD_HASHERS=["tests.support.hashers.FewRoundsPBKDF2"]).enable()
