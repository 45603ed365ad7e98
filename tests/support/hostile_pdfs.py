"""PDFs made to hurt a reader: each class a worker must end with one line, in bounded memory.

Written object by object, so that each file is exactly the hostile structure it names."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

from tests.support.pdf_factory import repeated_pages, truncated

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def write_pdf(target: Path, objects: list[bytes]) -> Path:
    """A PDF whose object n (from 1) is objects[n-1]; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    target.write_bytes(bytes(out))
    return target


def _stream(data: bytes, compressed: bool = False) -> bytes:
    extra = b" /Filter /FlateDecode" if compressed else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _one_page(target: Path, content: bytes) -> Path:
    return write_pdf(
        target,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            content,
            FONT,
        ],
    )


def not_a_pdf(target: Path) -> Path:
    target.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 64)
    return target


def empty(target: Path) -> Path:
    target.write_bytes(b"")
    return target


def truncated_pdf(corpus: Path, target: Path) -> Path:
    return truncated(corpus / "camelot__us-020.pdf", target, 0.4)


def thousands_of_pages(target: Path, pages: int = 3000) -> Path:
    """Many pages of one small ruled table each (the blank-page cost is the page tree's)."""
    return write_pdf(
        target,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>"
            % (b" ".join(b"%d 0 R" % (5 + n) for n in range(pages)), pages),
            _stream(b"BT /F1 10 Tf 72 700 Td (a) Tj ET 72 690 m 300 690 l S"),
            FONT,
            *[
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
            ]
            * pages,
        ],
    )


def nested_page_tree(target: Path, depth: int = 5000) -> Path:
    """A page tree nested `depth` levels deep, one page at the bottom."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (level + 3))
    objects.append(b"<< /Type /Page /MediaBox [0 0 612 792] >>")
    return write_pdf(target, objects)


def decompression_bomb(target: Path, megabytes: int = 2048) -> Path:
    """A page whose content stream inflates from about 2 MB to `megabytes` of spaces."""
    squeeze = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(squeeze.compress(chunk) for _ in range(megabytes)) + squeeze.flush()
    return _one_page(target, _stream(data, compressed=True))


def tiny_text_objects(target: Path, count: int = 100_000) -> Path:
    """A page drawn by `count` text objects of one character each."""
    ops = b"".join(
        b"BT /F1 2 Tf %d %d Td (x) Tj ET\n" % (20 + (n % 280) * 2, 20 + (n // 280) * 2)
        for n in range(count)
    )
    return _one_page(target, _stream(ops))


def wrong_password(corpus: Path, target: Path) -> Path:
    target.write_bytes((corpus / "camelot__health_protected.pdf").read_bytes())
    return target


# Each class: the builder, and the password given with it.
CLASSES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "not a PDF": (lambda corpus, tmp: not_a_pdf(tmp / "not.pdf"), ""),
    "empty": (lambda corpus, tmp: empty(tmp / "empty.pdf"), ""),
    "truncated": (lambda corpus, tmp: truncated_pdf(corpus, tmp / "truncated.pdf"), ""),
    "thousands of pages": (lambda corpus, tmp: thousands_of_pages(tmp / "pages.pdf"), ""),
    "nested page tree": (lambda corpus, tmp: nested_page_tree(tmp / "nested.pdf"), ""),
    "decompression bomb": (lambda corpus, tmp: decompression_bomb(tmp / "bomb.pdf"), ""),
    "100k text objects": (lambda corpus, tmp: tiny_text_objects(tmp / "tiny.pdf"), ""),
    "wrong password": (lambda corpus, tmp: wrong_password(corpus, tmp / "locked.pdf"), "wrong"),
}


def a_long_document(corpus: Path, target: Path, pages: int) -> Path:
    """A real document of `pages` pages, for comparing memory against a hostile one."""
    return repeated_pages(corpus / "camelot__us-020.pdf", target, pages)
