"""Parsing of user page specifications such as "1,3-5"."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import InvalidPageSpec, PageOutOfRange


def check_pages(pages: Iterable[int], page_count: int) -> list[int]:
    """Validate 1-based page numbers against the document; keep order, drop repeats."""
    result: list[int] = []
    for page in pages:
        if isinstance(page, bool) or not isinstance(page, int):
            raise InvalidPageSpec(f"page numbers must be integers, got {page!r}")
        if page < 1 or page > page_count:
            noun = "page" if page_count == 1 else "pages"
            raise PageOutOfRange(f"page {page} requested, the document has {page_count} {noun}")
        if page not in result:
            result.append(page)
    return result


def _parse_part(part: str, page_count: int) -> list[int]:
    if "-" in part:
        start_txt, _, end_txt = part.partition("-")
        start = _to_int(start_txt or "1", part)
        end = _to_int(end_txt, part) if end_txt.strip() else page_count
        if start > end:
            raise InvalidPageSpec(f"page range {part!r} runs backwards")
        return list(range(start, end + 1))
    return [_to_int(part, part)]


def _to_int(text: str, part: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidPageSpec(f"{part!r} is not a page number or range like 3-5") from None


def parse_page_spec(spec: str, page_count: int) -> list[int]:
    """Turn "1,3-5" (or "all", "7-") into validated 1-based page numbers.

    Raises InvalidPageSpec for syntax errors and PageOutOfRange for pages the
    document does not have.
    """
    text = (spec or "").strip().lower()
    if text in ("", "all", "*"):
        return list(range(1, page_count + 1))
    pages: list[int] = []
    for part in text.split(","):
        if not part.strip():
            raise InvalidPageSpec(f"empty entry in page list {spec!r}")
        pages.extend(_parse_part(part.strip(), page_count))
    return check_pages(pages, page_count)
