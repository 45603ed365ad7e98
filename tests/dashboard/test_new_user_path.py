"""What a new user trips on, through AppTest: pickers, column names, deletes, outcomes."""

from __future__ import annotations

from django.core.files.base import ContentFile
from streamlit.testing.v1 import AppTest

from backend.models import Document
from backend.services.bundles import bundle_create
from backend.services.tables import table_create_extracted
from tests.dashboard.test_data_pages import open_page


def document_with_table(user, name: str, rows: list[list[str]]) -> Document:
    document = Document(owner=user, name=name, sha256=name, size_bytes=3, page_count=1)
    document.file.save(name, ContentFile(b"%PDF-1.4"), save=False)
    document.status = Document.Status.CONVERTED
    document.save()
    table_create_extracted(
        document=document, rows=rows, number=1, first_page=1, last_page=1, strategy="lines"
    )
    return document


def preview_columns(app: AppTest) -> list[list[str]]:
    return [list(f.value.columns) for f in app.dataframe]


def test_every_document_picked_in_turn_is_shown_at_once(user):
    alpha = document_with_table(user, "alpha.pdf", [["A1", "A2"], ["1", "2"]])
    beta = document_with_table(user, "beta.pdf", [["B1", "B2"], ["3", "4"]])
    gamma = document_with_table(user, "gamma.pdf", [["G1", "G2"], ["5", "6"]])
    app = open_page("documents")
    for document, header in ((alpha, "A1"), (beta, "B1"), (gamma, "G1"), (alpha, "A1")):
        app.selectbox(key="document_id-picker").select(document.pk).run()
        assert not app.exception, app.exception
        assert app.selectbox(key="document_id-picker").value == document.pk
        assert [header, f"{header[0]}2"] in preview_columns(app), document.name


def test_a_document_opened_from_another_page_is_the_one_shown(user):
    alpha = document_with_table(user, "alpha.pdf", [["A1", "A2"], ["1", "2"]])
    document_with_table(user, "beta.pdf", [["B1", "B2"], ["3", "4"]])
    app = open_page("documents", document_id=alpha.pk)
    assert app.selectbox(key="document_id-picker").value == alpha.pk
    assert ["A1", "A2"] in preview_columns(app)


def test_every_bundle_picked_in_turn_is_shown_at_once(user):
    bundles = [
        bundle_create(owner=user, name=name, target_table=name, load_mode="append")
        for name in ("north", "south", "west")
    ]
    app = open_page("bundles")
    for bundle in (bundles[1], bundles[2], bundles[0], bundles[1]):
        app.selectbox(key="bundle_id-picker").select(bundle.pk).run()
        assert not app.exception, app.exception
        assert app.subheader[0].value == bundle.name
