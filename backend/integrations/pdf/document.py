"""Opening and validating PDFs, mapping pdfminer failures to typed errors."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from .errors import CorruptPdf, EmptyPdf, NotAPdf, PasswordRequired, PdfError, WrongPassword

# The PDF header may legally be preceded by junk; readers accept it within 1 KB.
_HEADER_WINDOW = 1024

Source = str | Path | BinaryIO
NESTED_TOO_DEEP = "the PDF is damaged: its objects are nested too deep to read"
T = TypeVar("T")


def _check_head(head: bytes, empty: bool) -> None:
    if empty:
        raise EmptyPdf("the file is empty (0 bytes)")
    if b"%PDF-" not in head:
        raise NotAPdf("the file is not a PDF (no PDF header found)")


def _as_stream(source: Source) -> tuple[BinaryIO, bool]:
    """Return a seekable binary stream and whether we own (must close) it."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise PdfError(f"file not found: {path}")
        return open(path, "rb"), True
    stream = source
    if not stream.seekable():
        # pdfminer needs random access; buffer one-shot streams (uploads, pipes).
        return io.BytesIO(stream.read()), True
    return stream, False


def _validate(stream: BinaryIO) -> None:
    start = stream.tell()
    head = stream.read(_HEADER_WINDOW)
    stream.seek(0, io.SEEK_END)
    empty = stream.tell() == start
    stream.seek(start)
    _check_head(head, empty)


def _translate(exc: Exception, password: str | None) -> PdfError:
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, PDFPasswordIncorrect):
        if password:
            return WrongPassword("the password does not open this PDF")
        return PasswordRequired("the PDF is password-protected; a password is required")
    if isinstance(cause, RecursionError):
        return CorruptPdf(NESTED_TOO_DEEP)
    return CorruptPdf(f"the PDF is damaged or truncated and cannot be read ({_short(cause)})")


def _short(exc: object) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 80 else text[:77] + "..."


@contextmanager
def open_pdf(source: Source, password: str | None = None) -> Iterator[pdfplumber.PDF]:
    """Open a PDF for reading, raising a PdfError subclass for unusable input."""
    stream, owned = _as_stream(source)
    try:
        _validate(stream)
        try:
            # Its hints name BufferedReader and BytesIO; pdfminer reads any seekable stream.
            pdf = pdfplumber.open(stream, password=password or "")  # type: ignore[arg-type]
            pdf.pages  # noqa: B018 - forces the page tree now so damage shows up here
        except PdfError:
            raise
        except PdfminerException as exc:
            _damage_cause(exc)
            raise _translate(exc, password) from exc
        # pdfminer raises many unrelated types on bad input; RecursionError for a page
        # tree nested past any real document's depth.
        except (*PAGE_DAMAGE, RecursionError) as exc:
            raise _translate(exc, password) from exc
        if not pdf.pages:
            pdf.close()
            raise CorruptPdf("the PDF is damaged or truncated: no page in it can be read")
        try:
            yield pdf
        finally:
            pdf.close()
    finally:
        if owned:
            stream.close()


def page_is_image_only(page: pdfplumber.page.Page) -> bool:
    """True when the page shows images but has no extractable text (needs OCR)."""
    return bool(page.images) and not any(c["text"].strip() for c in page.chars)


# What damaged content makes pdfminer raise. Deliberately not every Exception:
# a worker's time limit (also an Exception) must stop the page, not read as damage.
PAGE_DAMAGE = (
    PSException,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    AssertionError,
    EOFError,
    OverflowError,
    ZeroDivisionError,
    struct.error,
    zlib.error,
)


def _damage_cause(exc: PdfminerException) -> BaseException:
    """What pdfminer raised inside pdfplumber's wrapper. The wrapper takes anything, a
    worker's time limit too: what is not damage is raised again as it was."""
    inner = exc.args[0] if exc.args else None
    if isinstance(inner, BaseException) and not isinstance(inner, (*PAGE_DAMAGE, RecursionError)):
        raise inner from None
    return inner if isinstance(inner, BaseException) else exc


def read_page_guarded(work: Callable[[], T]) -> T:
    """Run page work, turning pdfminer failures on damaged content into CorruptPdf."""
    try:
        return work()
    except PdfError:
        raise
    except PdfminerException as wrapped:
        cause = _damage_cause(wrapped)
        raise CorruptPdf(
            f"a page of the PDF is damaged and cannot be read ({_short(cause)})"
        ) from wrapped
    except RecursionError as exc:
        raise CorruptPdf("the PDF has a self-referencing structure and cannot be read") from exc
    except PAGE_DAMAGE as exc:
        raise CorruptPdf(
            f"a page of the PDF is damaged and cannot be read ({_short(exc)})"
        ) from exc
