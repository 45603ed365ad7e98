from __future__ import annotations

import pandas as pd
import streamlit as st

from backend.errors import UserFixable
from backend.selectors.documents import DocumentRow, document_detail, documents_recent
from backend.selectors.tables import (
    TableSummary,
    TableView,
    table_download,
    table_view,
    tables_of_document,
    tables_zip,
)
from backend.services.documents import (
    document_convert_again,
    document_delete,
    document_set_archived,
)
from backend.services.tables import table_set_header
from backend.services.templates import template_apply, template_names
from dashboard import state
from dashboard.components.outcomes import outcome_add, outcomes_render, outcomes_start, show_refusal
from dashboard.components.picker import remembered_selectbox
from dashboard.components.progress import render_document_progress
from dashboard.components.table_fix import render_page_and_fix, render_table_review
from dashboard.session import current_user

PREVIEW_ROWS = 500

st.title("Documents")
user = current_user()
outcomes_render("documents")
show_archived = st.toggle("Show archived documents", key="documents-archived")
documents = documents_recent(owner=user, limit=200, archived=show_archived)
if not documents:
    st.info(
        "No archived documents."
        if show_archived
        else "No documents yet. Upload PDFs on the Upload page."
    )
    st.stop()

found = st.text_input("Find a document", placeholder="part of its name")
matching = [d for d in documents if found.strip().casefold() in d.name.casefold()]
if not matching:
    st.info(f"No document's name contains {found.strip()!r}.")
    st.stop()
with st.expander(f"All documents ({len(matching)})", expanded=False):
    st.dataframe(
        pd.DataFrame(
            {
                "name": [d.name for d in matching],
                "status": [d.status for d in matching],
                "pages": [d.page_count for d in matching],
                "tables": [d.n_tables for d in matching],
                "uploaded": [d.created_at for d in matching],
                "by": [user.username] * len(matching),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"uploaded": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
ids = [d.id for d in matching]
# No status in the label: it changes while the document converts, and the status shows below.
labels = {d.id: f"{d.name} · uploaded {d.created_at:%Y-%m-%d %H:%M}" for d in documents}
document_id = remembered_selectbox(
    "Document", ids, state_key=state.DOCUMENT, format_func=labels.__getitem__
)
document = document_detail(owner=user, document_id=document_id)
if document is None:  # deleted in another tab since the list was read
    st.rerun()


def render_archive(column, document: DocumentRow) -> None:
    archived = document.archived
    label = "Bring back from the archive" if archived else "Archive"
    if column.button(label, icon=":material/archive:", key=f"archive-{document_id}"):
        document_set_archived(owner=user, document_id=document_id, archived=not archived)
        outcomes_start("documents")
        where = "back in the list" if archived else "archived: its tables stay usable"
        outcome_add("documents", "success", f"Document **{document.name}** {where}.")
        st.session_state.pop(state.DOCUMENT, None)
        st.rerun()


def render_delete(column, document: DocumentRow) -> None:
    with column.popover("Delete document", icon=":material/delete:"):
        st.markdown(
            f"Delete **{document.name}** and its {document.n_tables} table(s)? Bundles "
            "lose those tables; History keeps the runs."
        )
        if st.button("Yes, delete the document", type="primary", key=f"delete-{document_id}"):
            outcomes_start("documents")
            try:
                name = document_delete(owner=user, document_id=document_id)
            except UserFixable as refused:
                show_refusal(refused, area="documents")
            else:
                outcome_add("documents", "success", f"Document **{name}** deleted.")
                st.session_state.pop(state.DOCUMENT, None)
            st.rerun()


@st.fragment(run_every=2)
def render_status() -> None:
    current = document_detail(owner=user, document_id=document_id)
    if current is None:
        st.rerun(scope="app")
    render_document_progress(current)
    if current.status in ("queued", "converting") and current != document:
        st.rerun()  # the tables below appear when the conversion ends


def render_convert_again() -> None:
    with st.form("convert-again"):
        st.markdown("**Convert again**")
        password = st.text_input("Password (for an encrypted PDF)", type="password")
        if st.form_submit_button("Convert again", icon=":material/refresh:"):
            document_convert_again(owner=user, document_id=document_id, password=password)
            st.rerun()


def render_header_form(table: TableView) -> None:
    with st.form(f"header-{table.id}"):
        st.markdown("**Header and column names**")
        # Each row's content beside its number, so the header can be found without counting.
        choices = ["No header row"] + [
            f"Row {i + 1}: {_shorten(' | '.join(row))}" for i, row in enumerate(table.stored_rows)
        ]
        current = 0 if table.header_row is None else table.header_row + 1
        header = st.selectbox(
            "Header row", range(len(choices)), index=current, format_func=choices.__getitem__
        )
        edited = st.data_editor(
            pd.DataFrame({"#": range(1, len(table.columns) + 1), "column": table.columns}),
            hide_index=True,
            width="stretch",
            disabled=["#"],
            column_config={"#": st.column_config.NumberColumn(width="small")},
            key=f"names-{table.id}",
        )
        if st.form_submit_button("Save"):
            save_header(table.id, None if header == 0 else header - 1, edited_names(edited))
    outcomes_render(f"header-{table.id}")


def save_header(table_id: int, header_row: int | None, renamed: list[str]) -> None:
    area = f"header-{table_id}"
    outcomes_start(area)
    try:
        names = table_set_header(
            by=user, table_id=table_id, header_row=header_row, column_names=renamed
        )
    except UserFixable as refused:
        show_refusal(refused, lead="Not saved.", area=area)
        return
    outcome_add(area, "success", "Saved: " + ", ".join(names))
    st.rerun()


def edited_names(frame: pd.DataFrame) -> list[str]:
    """The editor's names as text: a cleared cell is empty, never the text 'nan' or 'None'."""
    return ["" if pd.isna(value) else str(value) for value in frame["column"]]


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_table(summary: TableSummary) -> None:
    table = table_view(owner=user, table_id=summary.id, rows=PREVIEW_ROWS)
    st.caption(
        f"Pages {summary.pages} · {summary.n_rows} rows × {summary.n_cols} columns · "
        f"found by {'ruled lines' if summary.strategy == 'lines' else 'whitespace layout'}"
    )
    if summary.check and not summary.checked:
        st.warning(f"Check this table against the PDF: {summary.check}.", icon="⚠️")
    page_col, table_col = st.columns(2)
    if summary.first_page is not None:
        with page_col:
            render_page_and_fix(user, summary)
    with table_col:
        frame = pd.DataFrame(table.rows, columns=_unique(table.columns))
        st.dataframe(frame, width="stretch", hide_index=True)
        st.download_button(
            "Download CSV",
            table_download(
                owner=user,
                table_id=table.id,
                raw=st.session_state.get(state.RAW_DOWNLOADS, False),
            ),
            file_name=table.name,
            mime="text/csv",
            icon=":material/download:",
        )
        render_table_review(user, summary)
    render_header_form(table)


def _unique(names: list[str]) -> list[str]:
    # A DataFrame needs distinct column labels; the warehouse names are made unique later.
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def render_apply_template(column) -> None:
    names = template_names(owner=user)
    if not names:
        return
    with column.popover("Apply a template", icon=":material/bookmark:"):
        st.markdown("Read this document again as a saved template says; its tables are replaced.")
        name = st.selectbox("Template", names, key=f"template-{document_id}")
        if st.button("Apply", type="primary", key=f"apply-{document_id}"):
            outcomes_start("documents")
            try:
                template_apply(owner=user, name=name, document_id=document_id)
            except UserFixable as refused:
                show_refusal(refused, area="documents")
            else:
                outcome_add("documents", "success", f"Converting again with template **{name}**.")
            st.rerun()


render_status()
archive_col, delete_col, template_col, _ = st.columns([1, 1, 1, 2])
render_archive(archive_col, document)
render_delete(delete_col, document)
render_apply_template(template_col)
if document.status == "failed":
    render_convert_again()
tables = tables_of_document(owner=user, document_id=document_id)
if tables:
    st.subheader(f"{len(tables)} table(s)")
    st.toggle(
        "Raw downloads",
        key=state.RAW_DOWNLOADS,
        help="Off: a cell starting with =, +, -, @, a tab or a carriage return gets a leading '"
        " so a spreadsheet shows it as text instead of running it as a formula."
        " On: the values exactly as stored (for programs, not spreadsheets).",
    )
    st.download_button(
        "Download all as zip",
        tables_zip(
            owner=user,
            document_id=document_id,
            raw=st.session_state.get(state.RAW_DOWNLOADS, False),
        ),
        file_name=f"{document.name.rsplit('.', 1)[0]}-tables.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
    )
    overview = pd.DataFrame(
        {
            "name": [t.name for t in tables],
            "pages": [t.pages for t in tables],
            "rows": [t.n_rows for t in tables],
            "columns": [t.n_cols for t in tables],
            "found by": [t.strategy for t in tables],
            "version": [t.version for t in tables],
            "check": [t.flag for t in tables],
        }
    )
    st.dataframe(overview, hide_index=True, width="stretch")
    by_id = {t.id: t for t in tables}
    chosen_table = st.selectbox(
        "Preview",
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].name} (pages {by_id[i].pages})"
            + (" · check this table" if by_id[i].check and not by_id[i].checked else "")
        ),
        key=f"preview-{document_id}",
    )
    render_table(by_id[chosen_table])
