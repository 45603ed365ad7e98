"""A person fixes a table by drawing on its page: re-extraction by a real worker, versions,
templates reused on another PDF of the same layout, and the page pictures they draw on."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from backend.integrations.pdf.render import read_page_image
from backend.models import Document, Run, Table
from backend.selectors.table_versions import bundle_members_review
from backend.selectors.tables import table_first_rows
from backend.services.bundles import bundle_create, bundle_set_tables
from backend.services.documents import document_delete
from backend.services.loads import LoadNeedsConfirmation, load_enqueue
from backend.services.page_images import page_image, page_image_name
from backend.services.table_versions import (
    FixRefused,
    TableFix,
    table_fix_check,
    table_mark_checked,
    table_reextract_enqueue,
)
from backend.services.templates import (
    TemplateRefused,
    template_apply,
    template_conversion_options,
    template_save,
)
from tests.backend.services.test_conversion import finished
from tests.support.factories import make_bundle_row, upload_document
from tests.support.processes import wait_for
from tests.support.table_pdfs import (
    SALES_AREA,
    SALES_SEPARATORS,
    footnoted_sales,
    whitespace_table,
)

HEADER = [["Region"], ["Units"], ["Price"]]
# Drawn around the table's text (columns at x 60, 170, 280; rows from y 100 to 158).
AREA = (95.0, 55.0, 170.0, 400.0)


def sales_pdf(path, body):
    return whitespace_table(path, HEADER, body)


def converted_table(user, path, **options) -> Table:
    document = upload_document(user, path, **options)
    assert finished(document).status == Run.Status.SUCCEEDED
    return Table.objects.get(document=document)


def ended(run: Run) -> Run:
    return wait_for(
        lambda: Run.objects.filter(
            pk=run.pk, status__in=(Run.Status.SUCCEEDED, Run.Status.FAILED)
        ).first(),
        timeout_s=60,
        what=f"the {run.kind} run",
    )


def reextracted(user, table: Table, fix: TableFix) -> Run:
    return ended(table_reextract_enqueue(owner=user, table_id=table.pk, fix=fix))


def stored_rows(stored) -> list[list[str]]:
    with stored.open("rb") as fh:
        return list(csv.reader(io.StringIO(fh.read().decode())))


def test_a_conversion_keeps_the_grid_it_read(worker, user, tmp_path):
    table = converted_table(user, sales_pdf(tmp_path / "sales.pdf", [["North", "12", "3.50"]] * 3))
    assert table.grid["columns"][0] == 60.0 and len(table.grid["columns"]) == 4
    assert len(table.grid["rows"]) == table.n_rows + 1


def test_separators_drawn_on_the_page_make_the_next_version(worker, user, tmp_path):
    body = [["North", "12", "3.50"], ["South", "7", "4.25"]]
    table = converted_table(user, sales_pdf(tmp_path / "sales.pdf", body))
    bundle = make_bundle_row(user, name="sales")
    bundle.tables.add(table)
    table_mark_checked(owner=user, table_id=table.pk)

    # One separator between Region and the rest: Units and Price are read as one column.
    run = reextracted(user, table, TableFix(page=1, area=AREA, separators=(165.0,)))

    assert run.status == Run.Status.SUCCEEDED, run.error
    assert run.kind == Run.Kind.REEXTRACTION and run.document_id == table.document_id
    table.refresh_from_db()
    assert table.version == 2 and not table.checked
    assert stored_rows(table.file) == [
        ["Region", "Units Price"],
        ["North", "12 3.50"],
        ["South", "7 4.25"],
    ]
    assert table.grid["columns"] == [55.0, 165.0, 400.0]
    assert table.fix == {"page": 1, "area": list(AREA), "separators": [165.0], "strategy": "text"}
    previous = table.versions.get()
    assert previous.version == 1 and previous.n_cols == 3
    assert stored_rows(previous.file)[1] == ["North", "12", "3.50"]
    bundle.refresh_from_db()
    assert bundle.version == 2  # the bundle's next load sees the change


def test_an_area_without_text_fails_and_says_so(worker, user, tmp_path):
    table = converted_table(user, sales_pdf(tmp_path / "sales.pdf", [["North", "12", "3.50"]] * 2))
    run = reextracted(user, table, TableFix(page=1, area=(500.0, 50.0, 600.0, 300.0)))
    assert run.status == Run.Status.FAILED
    assert run.error == "No table in the area drawn on page 1: draw it around the table's text."
    table.refresh_from_db()
    assert table.version == 1 and not table.versions.exists()


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        (TableFix(page=1, area=(200, 50, 100, 300)), "Draw the area as a box"),
        (TableFix(page=1, area=(100, 50, 200, 300), separators=(20, 120)), "at 20 lie outside"),
        (TableFix(page=1, area=(100, 50, 200, 300), strategy="auto"), "ruled lines or whitespace"),
    ],
)
def test_a_fix_that_cannot_work_is_refused(fix, message):
    with pytest.raises(FixRefused, match=message):
        table_fix_check(fix=fix)


def test_a_template_reads_another_pdf_of_the_same_layout_without_drawing(worker, user, tmp_path):
    first = converted_table(user, sales_pdf(tmp_path / "may.pdf", [["North", "12", "3.50"]] * 2))
    with pytest.raises(TemplateRefused, match="Fix the table by drawing"):
        template_save(owner=user, table_id=first.pk, name="sales")
    fix = TableFix(page=1, area=AREA, separators=(165.0,))
    assert reextracted(user, first, fix).status == Run.Status.SUCCEEDED
    template = template_save(owner=user, table_id=first.pk, name="sales")
    with pytest.raises(TemplateRefused, match="exists already"):
        template_save(owner=user, table_id=first.pk, name="sales")

    june = sales_pdf(tmp_path / "june.pdf", [["West", "4", "9.99"], ["East", "30", "1.10"]])
    options = template_conversion_options(template=template).__dict__
    on_upload = converted_table(user, june, **options)
    expected = [["Region", "Units Price"], ["West", "4 9.99"], ["East", "30 1.10"]]
    assert table_first_rows(table=on_upload, limit=10) == expected
    assert on_upload.document.options["template"] == "sales"

    # Applied to a document converted before the template existed.
    plain = converted_table(user, sales_pdf(tmp_path / "july.pdf", [["West", "4", "9.99"]]))
    assert plain.n_cols == 3
    run = template_apply(owner=user, name="sales", document_id=plain.document_id)
    assert ended(run).status == Run.Status.SUCCEEDED
    again = Table.objects.get(document=plain.document_id)
    assert table_first_rows(table=again, limit=10) == expected[:2]

    out = tmp_path / "csv"
    call_command("pdf2csv", str(june), "--out", str(out), "--template", "sales")
    assert stored_rows(out / "june-p1-t1.csv") == expected


def test_pdf2csv_names_the_templates_when_one_is_unknown(user, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No template named 'nope'"):
        call_command(
            "pdf2csv",
            str(sales_pdf(tmp_path / "a.pdf", [["a", "1", "2"]])),
            "--out",
            str(tmp_path),
            "--template",
            "nope",
        )


def test_a_page_picture_is_drawn_once_and_then_read_from_storage(worker, user, tmp_path):
    table = converted_table(user, sales_pdf(tmp_path / "sales.pdf", [["North", "12", "3.50"]] * 2))
    document = Document.objects.get(pk=table.document_id)
    name = page_image_name(document, 1, 600)
    assert not default_storage.exists(name)

    drawn = page_image(owner=user, document_id=document.pk, page=1, width_px=600)

    assert default_storage.exists(name)
    assert (round(drawn.width_pt), round(drawn.height_pt)) == (595, 842)  # A4
    with default_storage.open(name, "rb") as fh:
        assert read_page_image(fh.read()) == drawn
    assert page_image(owner=user, document_id=document.pk, page=1, width_px=600) == drawn
    document_delete(owner=user, document_id=document.pk)
    assert not default_storage.exists(name)


def test_a_bundle_with_flagged_tables_loads_only_when_confirmed_and_notices_a_fix(
    worker, user, tmp_path
):
    pdf, expected = footnoted_sales(tmp_path / "may.pdf", "may")
    table = converted_table(user, pdf)
    assert table.quality_reasons == ["column(s) 4 are almost empty"]
    bundle = bundle_create(
        # The warehouse is shared by the session's tests: a name that sorts after theirs.
        owner=user,
        name="may sales",
        target_table="tidy_may_sales",
        load_mode="append",
    )
    bundle_set_tables(by=user, bundle_id=bundle.pk, table_ids={table.pk})

    with pytest.raises(LoadNeedsConfirmation, match="1 table\\(s\\) of the bundle are flagged"):
        load_enqueue(bundle_id=bundle.pk, owner=user)
    assert not Run.objects.filter(kind=Run.Kind.LOAD).exists()
    [member] = bundle_members_review(owner=user, bundle_id=bundle.pk)
    assert member.check == "column(s) 4 are almost empty" and member.loaded_version is None

    loaded = ended(load_enqueue(bundle_id=bundle.pk, owner=user, confirmed_unchecked=True))
    assert loaded.status == Run.Status.SUCCEEDED, loaded.error
    fix = TableFix(page=1, area=SALES_AREA, separators=SALES_SEPARATORS)
    assert reextracted(user, table, fix).status == Run.Status.SUCCEEDED

    table.refresh_from_db()
    assert table_first_rows(table=table, limit=20) == expected
    assert table.quality_reasons == []  # the phantom column is gone, and its flag with it
    [member] = bundle_members_review(owner=user, bundle_id=bundle.pk)
    assert (member.loaded_version, member.version, member.check) == (1, 2, "")


def scanned_page(target, picture):
    """A page that is a photo of a table (a PNG, no text), as a scanner makes."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), "white")
    draw = ImageDraw.Draw(image)
    for r, row in enumerate([["Region", "Units"], ["North", "12"], ["South", "7"]]):
        for c, cell in enumerate(row):
            draw.text((40 + 200 * c, 40 + 60 * r), cell, fill="black")
    image.save(picture)
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(str(picture), x=50, y=100, w=400)
    pdf.output(str(target))
    return target


def test_a_page_that_is_only_a_picture_is_named(worker, user, tmp_path):
    scan = scanned_page(tmp_path / "scan.pdf", tmp_path / "photo.png")
    document = upload_document(user, scan)
    assert finished(document).status == Run.Status.SUCCEEDED
    document.refresh_from_db()
    assert document.warning == (
        "Page 1 is a scanned image; no text to read. OCR is not done, so no tables come from "
        "them. No tables were found on the converted pages."
    )
    out = io.StringIO()
    call_command("pdf2csv", str(scan), "--out", str(tmp_path / "csv"), stderr=out)
    assert "note: Page 1 is a scanned image; no text to read." in out.getvalue()
