import pandas as pd
import streamlit as st

from backend.models import Table
from backend.selectors.documents import document_detail, documents_recent
from backend.selectors.tables import (
    table_columns,
    table_content,
    table_csv,
    table_of_owner,
    tables_of_document,
    tables_zip,
)
from backend.services.documents import document_convert_again
from backend.services.tables import table_set_header
from dashboard.components.picker import remembered_selectbox
from dashboard.components.progress import render_document_progress
from dashboard.session import current_user

PREVIEW_ROWS = 500

st.title("Documents")
user = current_user()
documents = documents_recent(owner=user, limit=200)
if not documents:
    st.info("No documents yet. Upload PDFs on the Upload page.")
    st.stop()

ids = [d["id"] for d in documents]
# No status in the label: it changes while the document converts, and the status shows below.
labels = {d["id"]: f"{d['name']} · uploaded {d['created_at']:%Y-%m-%d %H:%M}" for d in documents}
document_id = remembered_selectbox("Document", ids, state_key="document_id", format_func=labels.get)
document = document_detail(owner=user, document_id=document_id)


@st.fragment(run_every=2)
def render_status() -> None:
    current = document_detail(owner=user, document_id=document_id)
    render_document_progress(current)
    if current["status"] in ("queued", "converting") and current != document:
        st.rerun()  # the tables below appear when the conversion ends


def render_convert_again() -> None:
    with st.form("convert-again"):
        st.markdown("**Convert again**")
        password = st.text_input("Password (for an encrypted PDF)", type="password")
        if st.form_submit_button("Convert again", icon=":material/refresh:"):
            document_convert_again(owner=user, document_id=document_id, password=password)
            st.rerun()


def render_header_form(table: Table) -> None:
    names = table_columns(table=table)
    with st.form(f"header-{table.pk}"):
        st.markdown("**Header and column names**")
        choices = ["No header row"] + [f"Row {i + 1}" for i in range(min(table.n_rows, 20))]
        current = 0 if table.header_row is None else table.header_row + 1
        header = st.selectbox(
            "Header row", range(len(choices)), index=current, format_func=choices.__getitem__
        )
        edited = st.data_editor(
            pd.DataFrame({"column": names}),
            hide_index=True,
            width="stretch",
            key=f"names-{table.pk}",
        )
        if st.form_submit_button("Save"):
            try:
                header_row = None if header == 0 else header - 1
                renamed = [str(n) for n in edited["column"]]
                changed = header_row != table.header_row
                table_set_header(
                    table=table, header_row=header_row, column_names=[] if changed else renamed
                )
                st.toast("Saved", icon=":material/check:")
                st.rerun()
            except ValueError as exc:
                st.error(str(exc))


def render_table(summary: dict) -> None:
    table = table_of_owner(owner=user, table_id=summary["id"])
    names, rows = table_content(table=table, limit=PREVIEW_ROWS)
    st.caption(
        f"Pages {summary['pages']} · {summary['n_rows']} rows × {summary['n_cols']} columns · "
        f"found by {'ruled lines' if summary['strategy'] == 'lines' else 'whitespace layout'}"
    )
    frame = pd.DataFrame(rows, columns=_unique(names))
    st.dataframe(frame, width="stretch", hide_index=True)
    st.download_button(
        "Download CSV",
        table_csv(table=table),
        file_name=table.name,
        mime="text/csv",
        icon=":material/download:",
    )
    render_header_form(table)


def _unique(names: list[str]) -> list[str]:
    # A DataFrame needs distinct column labels; the warehouse names are made unique later.
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


render_status()
if document["status"] == "failed":
    render_convert_again()
tables = tables_of_document(owner=user, document_id=document_id)
if tables:
    st.subheader(f"{len(tables)} table(s)")
    st.download_button(
        "Download all as zip",
        tables_zip(owner=user, document_id=document_id),
        file_name=f"{document['name'].rsplit('.', 1)[0]}-tables.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
    )
    overview = pd.DataFrame(tables)[["name", "pages", "n_rows", "n_cols", "strategy"]].rename(
        columns={"n_rows": "rows", "n_cols": "columns", "strategy": "found by"}
    )
    st.dataframe(overview, hide_index=True, width="stretch")
    by_id = {t["id"]: t for t in tables}
    chosen_table = st.selectbox(
        "Preview",
        list(by_id),
        format_func=lambda i: f"{by_id[i]['name']} (pages {by_id[i]['pages']})",
        key=f"preview-{document_id}",
    )
    render_table(by_id[chosen_table])
