"""Files in Django's storage as workers need them: a local path, a folder's contents."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.storage import default_storage

from backend.models import Document


@contextmanager
def local_pdf(document: Document) -> Iterator[Path]:
    """A local path to the upload: the file itself, or a temporary copy from remote storage."""
    try:
        yield Path(document.file.path)
        return
    except NotImplementedError:
        pass  # storage without local paths (S3): copy it down once per task
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp, document.file.open("rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def stored_files(folder: str) -> list[str]:
    """Names of the files kept in a storage folder; none when the folder does not exist."""
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return [f"{folder}/{name}" for name in files]
