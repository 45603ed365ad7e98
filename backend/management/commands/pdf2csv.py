"""`manage.py pdf2csv FILE.pdf --out DIR`: one UTF-8 CSV per table, for scripts."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.integrations.pdf import PdfError, extract_tables, parse_page_spec
from backend.integrations.pdf.info import count_pages
from backend.services.conversion import scanned_pages_text
from backend.services.documents import (
    ConversionOptions,
    UploadRejected,
    area_from_text,
    conversion_options_check,
)
from backend.services.tables import csv_bytes, table_file_name
from backend.services.templates import TemplateRefused, template_get
from backend.vocabulary import STRATEGIES


def parse_area(text: str) -> tuple[float, float, float, float]:
    try:
        area = area_from_text(text)
        conversion_options_check(options=ConversionOptions(area=area))
    except UploadRejected as exc:
        raise CommandError(f"--area {text!r}: {exc}") from None
    if area is None:
        raise CommandError("--area needs four numbers: top,left,bottom,right")
    return area


class Command(BaseCommand):
    help = "Extract the tables of a PDF into CSV files named <stem>-p<first>[-<last>]-t<n>.csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pdf", type=Path)
        parser.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
        parser.add_argument("--pages", default="", help='e.g. "1,3-5" (default: all)')
        parser.add_argument("--strategy", choices=STRATEGIES, default="auto")
        parser.add_argument("--area", help="TOP,LEFT,BOTTOM,RIGHT in points from the top-left")
        parser.add_argument("--password", default=None)
        parser.add_argument(
            "--template",
            help="a saved table template: its page, area, columns and strategy "
            "replace --pages, --area and --strategy",
        )

    def handle(self, *args, **opts) -> None:
        pdf: Path = opts["pdf"]
        if not pdf.is_file():
            raise CommandError(f"{pdf}: no such file")
        area = parse_area(opts["area"]) if opts["area"] else None
        separators: list[float] = []
        if opts["template"]:
            try:
                template = template_get(owner=None, name=opts["template"])
            except TemplateRefused as exc:
                raise CommandError(f"--template: {exc}") from None
            opts["pages"], opts["strategy"] = str(template.page), template.strategy
            area, separators = tuple(template.area), template.separators
        try:
            pages = parse_page_spec(opts["pages"], count_pages(pdf, password=opts["password"]))
            result = extract_tables(
                pdf,
                pages=pages,
                strategy=opts["strategy"],
                area=area,
                separators=separators,
                password=opts["password"],
            )
        except PdfError as exc:
            raise CommandError(f"{pdf.name}: {exc}") from None
        opts["out"].mkdir(parents=True, exist_ok=True)
        for number, table in enumerate(result.tables, start=1):
            name = table_file_name(
                stem=pdf.stem, first_page=table.first_page, last_page=table.last_page, number=number
            )
            (opts["out"] / name).write_bytes(csv_bytes(table.rows))
            self.stdout.write(f"{name}: {table.n_rows} rows x {table.n_cols} columns")
            if table.quality_reasons:
                reasons = "; ".join(table.quality_reasons)
                self.stderr.write(f"check {name} (quality {table.quality:.2f}): {reasons}")
        if result.image_only_pages:
            self.stderr.write(f"note: {scanned_pages_text(result.image_only_pages)}")
