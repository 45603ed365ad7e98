"""Table templates: a fixed table's page, area, columns and strategy, reused on other PDFs
of the same layout without drawing again."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from backend.access import owned, owned_one
from backend.errors import UserFixable
from backend.models import Document, Run, Table, TableTemplate
from backend.services.documents import ConversionOptions, document_enqueue_conversion


class TemplateRefused(UserFixable):
    """The template cannot be saved or used as asked; the message says why."""


def template_save(*, owner: User, table_id: int, name: str) -> TableTemplate:
    """Save how the owner's fixed table was read as a template called `name`."""
    table = owned_one(Table.objects, owner, table_id, "table")
    name = name.strip()
    if not name:
        raise TemplateRefused("Give the template a name.")
    if not table.fix:
        raise TemplateRefused(
            "Fix the table by drawing on its page first: a template keeps that area and columns."
        )
    try:
        with transaction.atomic():
            return TableTemplate.objects.create(
                owner=owner,
                name=name,
                page=table.fix["page"],
                area=table.fix["area"],
                separators=table.fix.get("separators", []),
                strategy=table.fix["strategy"],
            )
    except IntegrityError:
        raise TemplateRefused(f"A template named {name!r} exists already.") from None


def template_get(*, owner: User | None, name: str) -> TableTemplate:
    """The template called `name` (the owner's; any owner's for the command line, when the
    name is unique); TemplateRefused naming the templates there are otherwise."""
    found = TableTemplate.objects.filter(name=name)
    if owner is not None:
        found = owned(found, owner)
    templates = list(found[:2])
    if len(templates) == 1:
        return templates[0]
    if templates:
        raise TemplateRefused(f"Several people have a template named {name!r}.")
    known = ", ".join(TableTemplate.objects.values_list("name", flat=True)[:20]) or "none yet"
    raise TemplateRefused(f"No template named {name!r} (templates: {known}).")


def template_names(*, owner: User) -> list[str]:
    """The owner's templates' names, A to Z."""
    return list(owned(TableTemplate.objects, owner).values_list("name", flat=True))


def template_conversion_options(
    *, template: TableTemplate, password: str = ""
) -> ConversionOptions:
    """Conversion options that read a document as the template says: its page, area, columns."""
    return ConversionOptions(
        pages=str(template.page),
        strategy=template.strategy,
        area=tuple(template.area),
        separators=tuple(template.separators),
        password=password,
        template=template.name,
    )


def template_apply(*, owner: User, name: str, document_id: int) -> Run:
    """Convert the owner's document again with the template; its tables are replaced by the
    table the template reads."""
    document = owned_one(Document.objects, owner, document_id, "document")
    template = template_get(owner=owner, name=name)
    if document.runs.filter(status__in=Run.ACTIVE).exists():
        raise TemplateRefused(f"{document.name} has a run under way: wait for it to end.")
    if document.page_count is not None and template.page > document.page_count:
        raise TemplateRefused(
            f"The template reads page {template.page}; {document.name} has {document.page_count}."
        )
    with transaction.atomic():
        document.options = template_conversion_options(template=template).as_json()
        return document_enqueue_conversion(document=document, owner=owner)
