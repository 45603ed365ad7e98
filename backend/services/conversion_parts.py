"""Where a long conversion's parts wait for its finishing step, and which pages a failed
part covered. A part is one file per first page, so a redelivered part replaces its file."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from backend import task_names
from backend.integrations.pdf import parse_page_spec
from backend.models import Document, Run
from backend.services.storage import stored_files


def parts_folder(run_task_id: str) -> str:
    """Where a long document's parts wait in storage for the finishing step."""
    return f"conversions/{run_task_id}"


def part_file(run_task_id: str, pages: list[int]) -> str:
    """Where the part starting at pages[0] is stored: one name, whatever delivery wrote it."""
    return f"{parts_folder(run_task_id)}/part-{pages[0]:06d}.json"


def stored_parts(run_task_id: str) -> list[str]:
    return [name for name in stored_files(parts_folder(run_task_id)) if name.endswith(".json")]


def conversion_parts_delete(*, run_task_id: str) -> None:
    """Remove a conversion's part files, whatever is left of them."""
    for name in stored_parts(run_task_id):
        default_storage.delete(name)


def part_count(*, pages: int) -> int:
    """How many parts a conversion of `pages` pages is split into (0: not split)."""
    if pages < settings.CONVERSION_PARALLEL_MIN_PAGES:
        return 0
    return -(-pages // settings.CONVERSION_PART_PAGES)


def split_pages(pages: list[int]) -> list[list[int]]:
    size = settings.CONVERSION_PART_PAGES
    return [pages[i : i + size] for i in range(0, len(pages), size)]


def parts_adopt_retried(task_id: str) -> None:
    """Move the parts a failed run of the same document kept into this run's folder."""
    retry_of = Run.objects.filter(task_id=task_id).values_list("retry_of__task_id", flat=True)
    earlier = retry_of.first()
    if not earlier:
        return
    for name in stored_parts(earlier):
        target = f"{parts_folder(task_id)}/{name.rsplit('/', 1)[-1]}"
        if not default_storage.exists(target):
            with default_storage.open(name, "rb") as fh:
                default_storage.save(target, ContentFile(fh.read()))
        default_storage.delete(name)


def parts_failure_message(
    *,
    error: str,
    pages: list[int] | None = None,
    document_id: int = 0,
    run_task_id: str = "",
    failed_task_id: str = "",
) -> str:
    """One line naming the pages whose part failed (given, or found by what is missing) and
    saying that the other parts' tables are kept for converting again."""
    if pages is None:
        pages = _failed_part_pages(document_id, run_task_id, f"{failed_task_id} {error}")
    named = f"Pages {pages[0]}-{pages[-1]}" if pages else "A part of the document"
    reason = str(error).split(" raised ", 1)[-1].rstrip(".")  # a chord names the task id first
    return (
        f"{named} failed: {reason}. The tables of the other pages are kept: "
        "convert again to redo only these pages."
    )


def _failed_part_pages(document_id: int, run_task_id: str, error: str) -> list[int]:
    """The pages of the part named by the failed task's id or a chord's error ("Dependency
    <run>-part-3 raised ..."), else of the parts not stored yet."""
    document = Document.objects.get(pk=document_id)
    pages = parse_page_spec(document.options.get("pages", ""), document.page_count or 0)
    parts = split_pages(pages)
    named = task_names.part_named_in(error, run_task_id)
    if named is not None and named <= len(parts):
        return parts[named - 1]
    # A lost worker's error names no task: the pages whose parts are not stored are named.
    stored = set(stored_parts(run_task_id))
    return [p for part in parts if part_file(run_task_id, part) not in stored for p in part]
