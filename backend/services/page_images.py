"""Pictures of a document's pages, drawn once per page and size and kept in storage."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from backend.access import owned_one
from backend.errors import UserFixable
from backend.integrations.pdf import PdfError
from backend.integrations.pdf.render import PageImage, read_page_image, render_page
from backend.models import Document
from backend.services.storage import local_pdf, stored_files


class PageUnavailable(UserFixable):
    """The page cannot be drawn (a damaged or encrypted file); the message says why."""


def page_images_folder(document: Document) -> str:
    return f"page-images/{document.pk}-{document.sha256[:16]}"


def page_image_name(document: Document, page: int, width_px: int) -> str:
    """Where a page's picture is kept: by document (and its bytes), page and width."""
    return f"{page_images_folder(document)}/p{page}-w{width_px}.png"


def page_images_delete(*, folder: str) -> None:
    """Remove the pictures kept in a deleted document's folder."""
    for name in stored_files(folder):
        default_storage.delete(name)


def page_image(*, owner: User, document_id: int, page: int, width_px: int) -> PageImage:
    """The owner's document page as a PNG `width_px` wide, drawn at most once."""
    document = owned_one(Document.objects, owner, document_id, "document")
    name = page_image_name(document, page, width_px)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as fh:
            return read_page_image(fh.read())
    try:
        with local_pdf(document) as path:
            image = render_page(path, page, width_px=width_px)
    except PdfError as exc:
        raise PageUnavailable(f"Page {page} cannot be shown: {exc}.") from exc
    default_storage.save(name, ContentFile(image.png))
    return image
