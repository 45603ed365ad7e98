"""Downloads are safe to open in a spreadsheet; the warehouse still gets the values as they are."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from backend.selectors.tables import table_csv, table_data_rows, tables_zip
from backend.services.bundles import table_create_from_csv
from backend.services.tables import table_create_extracted
from tests.support.factories import make_document_row

ROWS = [["formula", "note"], ['=HYPERLINK("http://x")', "+1"], ["-2", "@SUM(A1)"], ["ok", "\tx"]]


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.django_db
def test_csv_and_zip_downloads_neutralise_formulas_and_raw_keeps_them(user):
    document = make_document_row(user, name="f.pdf", sha256="f")
    table = table_create_extracted(
        document=document, rows=ROWS, number=1, first_page=1, last_page=1
    )
    safe = _cells(table_csv(table=table))
    assert safe[1:] == [['\'=HYPERLINK("http://x")', "'+1"], ["'-2", "'@SUM(A1)"], ["ok", "'\tx"]]
    assert _cells(table_csv(table=table, raw=True))[1:] == ROWS[1:]
    with zipfile.ZipFile(io.BytesIO(tables_zip(owner=user, document_id=document.pk))) as z:
        assert _cells(z.read(table.name))[1:] == safe[1:]
    # What a load reads: the stored values, unchanged.
    assert [row for _, row in table_data_rows(table=table)] == ROWS[1:]


@pytest.mark.django_db
def test_an_uploaded_file_name_never_becomes_a_storage_path(user):
    table, _ = table_create_from_csv(owner=user, name="../../etc/passwd.csv", content=b"a,b\n1,2\n")
    assert table.name == "../../etc/passwd.csv"  # shown as given
    assert "passwd" not in table.file.name and ".." not in table.file.name


def test_the_system_page_shows_the_warehouse_url_without_its_secrets(settings):
    from backend.selectors.system import system_warehouse

    settings.WAREHOUSE_URL = (
        "redshift://loader:pa55word@cluster:5439/dev?iam=true&secret_access_key=AKIAsecret"
    )
    shown = system_warehouse()
    assert shown == "redshift://loader:**@cluster:5439/dev?…"
