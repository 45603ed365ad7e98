"""The rows tests start from: documents, bundles and runs, with defaults a test overrides by
keyword. Builders named `make_*_row` write the row alone (no file, no audit, no checks), for
tests about what reads it; the others go through the product's services, as a person would."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User

from backend.models import Bundle, Document, Run
from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.documents import ConversionOptions, document_upload


def _short_id() -> str:
    return uuid.uuid4().hex[:8]


def make_document_row(
    owner: User, *, name: str = "a.pdf", sha256: str = "x", size_bytes: int = 1
) -> Document:
    """A document row with no file behind it."""
    return Document.objects.create(owner=owner, name=name, sha256=sha256, size_bytes=size_bytes)


def upload_document(owner: User, path: Path, **options: Any) -> Document:
    """A PDF uploaded as the Upload page does it (its conversion is queued), duplicates allowed."""
    outcome = document_upload(
        owner=owner,
        name=path.name,
        content=io.BytesIO(path.read_bytes()),
        options=ConversionOptions(**options),
        allow_duplicate=True,
    )
    return outcome.document


def make_bundle_row(owner: User, *, name: str = "Sales", target_table: str | None = None) -> Bundle:
    """A bundle row with no tables; its target table is its name in lower case unless given."""
    return Bundle.objects.create(owner=owner, name=name, target_table=target_table or name.lower())


def make_bundle(
    owner: User,
    *csvs: bytes,
    name: str | None = None,
    target: str | None = None,
    load_mode: str = "append",
    csv_answers: dict[str, Any] | None = None,
    **bundle_fields: Any,
) -> Bundle:
    """A bundle made through the services, holding one uploaded CSV (part1.csv, part2.csv …)
    per content given; a fresh name and target table unless given. `csv_answers` are the
    upload form's answers for every CSV, `bundle_fields` the bundle form's other fields."""
    bundle = bundle_create(
        owner=owner,
        name=name or f"bundle {_short_id()}",
        target_table=target or f"bundle_{_short_id()}",
        load_mode=load_mode,
        **bundle_fields,
    )
    for number, content in enumerate(csvs, start=1):
        table_create_from_csv(
            owner=owner,
            name=f"part{number}.csv",
            content=content,
            bundle_id=bundle.pk,
            **(csv_answers or {}),
        )
    bundle.refresh_from_db()
    return bundle


def make_run(
    owner: User,
    *,
    kind: str = "load",
    status: str = "queued",
    task_id: str | None = None,
    at: datetime | None = None,
    **fields: Any,
) -> Run:
    """A run row as history reads it; `at` backdates its queue time (the column is filled on
    insert, so it is set afterwards). A fresh task id unless given."""
    run = Run.objects.create(
        kind=kind, status=status, owner=owner, task_id=task_id or str(uuid.uuid4()), **fields
    )
    if at is not None:
        Run.objects.filter(pk=run.pk).update(queued_at=at)
        run.refresh_from_db()
    return run
