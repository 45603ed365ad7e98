from typing import BinaryIO

import streamlit as st

from backend.errors import UserFixable
from backend.selectors.documents import DocumentRow, documents_recent
from backend.services.documents import (
    ConversionOptions,
    area_from_text,
    document_convert_again,
    document_upload,
    document_upload_copy,
)
from backend.services.templates import (
    template_conversion_options,
    template_get,
    template_names,
)
from backend.vocabulary import STRATEGIES, STRATEGY_LABELS
from dashboard import state
from dashboard.components.outcomes import outcome_add, outcomes_render, outcomes_start, show_refusal
from dashboard.components.progress import render_document_progress
from dashboard.session import current_user

RECENT = 20  # cards per step of "Show older uploads"

st.title("Upload")
st.caption(
    "Drop PDFs here. A worker turns the tables in them into CSV files; "
    "the progress of each file shows below and survives a reload."
)
user = current_user()


def upload_files(files, options_form: dict) -> None:
    try:
        options = form_options(options_form)
    except UserFixable as refused:
        show_refusal(refused, lead="Nothing uploaded:", area="upload")
        return
    queued = [file.name for file in files if upload_one(file.name, file, options)]
    if queued:
        outcome_add("upload", "success", "Queued for conversion: " + ", ".join(queued))


def form_options(options_form: dict) -> ConversionOptions:
    """The form's options, or a template's page, area, columns and strategy when one is chosen."""
    if options_form["template"]:
        template = template_get(owner=user, name=options_form["template"])
        return template_conversion_options(template=template, password=options_form["password"])
    return ConversionOptions(
        pages=options_form["pages"],
        strategy=options_form["strategy"],
        area=area_from_text(options_form["area"]),
        password=options_form["password"],
    )


def upload_one(name: str, content: BinaryIO, options: ConversionOptions) -> bool:
    """Store and queue one file; True when it was queued, else its outcome says why not.
    A duplicate is kept to ask about by its options and the earlier upload, not its bytes."""
    try:
        outcome = document_upload(owner=user, name=name, content=content, options=options)
    except UserFixable as refused:
        show_refusal(refused, lead=f"{name}:", area="upload")
        return False
    if outcome.document is None:
        st.session_state.setdefault(state.UPLOAD_DUPLICATES, {})[name] = (options, outcome)
        return False
    return True


def upload_copy(name: str, options: ConversionOptions, earlier_id: int) -> bool:
    """Queue the duplicate `name` anyway, from the earlier upload's stored bytes."""
    try:
        document_upload_copy(owner=user, name=name, earlier_id=earlier_id, options=options)
    except UserFixable as refused:
        show_refusal(refused, lead=f"{name}:", area="upload")
        return False
    return True


with st.form("upload", clear_on_submit=True):
    files = st.file_uploader("PDF files", accept_multiple_files=True)
    with st.expander("Options"):
        left, right = st.columns(2)
        form = {
            "pages": left.text_input("Pages", placeholder="all, or e.g. 1,3-5"),
            "strategy": right.selectbox(
                "Table detection", STRATEGIES, format_func=STRATEGY_LABELS.__getitem__
            ),
            "area": left.text_input(
                "Area (points from the top-left)", placeholder="top,left,bottom,right"
            ),
            "password": right.text_input("Password for encrypted files", type="password"),
            "template": left.selectbox(
                "Table template (replaces pages, area and detection)",
                ["", *template_names(owner=user)],
                format_func=lambda name: name or "None",
            ),
        }
    if st.form_submit_button("Convert", type="primary", icon=":material/play_arrow:"):
        outcomes_start("upload")
        if files:
            upload_files(files, form)
        else:
            outcome_add("upload", "warning", "Choose one or more PDF files first.")
outcomes_render("upload")


def render_duplicates() -> None:
    for name, (options, outcome) in list(st.session_state.get(state.UPLOAD_DUPLICATES, {}).items()):
        earlier = outcome.duplicate_of
        with st.container(border=True):
            st.warning(
                f"**{name}** is identical to **{earlier.name}**, uploaded "
                f"{earlier.created_at:%Y-%m-%d %H:%M} ({earlier.status}).",
                icon=":material/content_copy:",
            )
            open_col, again_col, drop_col = st.columns(3)
            if open_col.button("Open the earlier one", key=f"open-{name}"):
                st.session_state[state.UPLOAD_DUPLICATES].pop(name)
                state.open_document(earlier.pk)
            if again_col.button("Convert it again", key=f"again-{name}"):
                st.session_state[state.UPLOAD_DUPLICATES].pop(name)
                if upload_copy(name, options, earlier.pk):
                    outcome_add("upload", "success", f"Queued for conversion again: {name}")
                st.rerun()
            if drop_col.button("Dismiss", key=f"drop-{name}"):
                st.session_state[state.UPLOAD_DUPLICATES].pop(name)
                st.rerun()


render_duplicates()


@st.fragment(run_every=1)
def render_conversions() -> None:
    dismissed = st.session_state.setdefault(state.UPLOAD_DISMISSED, set())
    shown = st.session_state.setdefault(state.UPLOAD_SHOWN, RECENT)
    documents = documents_recent(
        owner=user, limit=shown + len(dismissed) + 1, hide_superseded_failures=True
    )
    documents = [d for d in documents if d.id not in dismissed]
    if not documents:
        st.info("No uploads yet.")
    for document in documents[:shown]:
        render_document_progress(document, footer=card_actions, to_check=True)
    if len(documents) > shown and st.button("Show older uploads", icon=":material/expand_more:"):
        st.session_state[state.UPLOAD_SHOWN] = shown + RECENT
        st.rerun()


def card_actions(document: DocumentRow) -> None:
    """Open the document; dismiss a finished card; convert a failed one again."""
    open_col, dismiss_col, _ = st.columns([1, 1, 4])
    if open_col.button("Open", key=f"open-doc-{document.id}", icon=":material/description:"):
        state.open_document(document.id)
    finished = document.status in ("converted", "failed")
    if finished and dismiss_col.button("Dismiss", key=f"dismiss-doc-{document.id}"):
        st.session_state[state.UPLOAD_DISMISSED].add(document.id)
        st.rerun()
    if document.status == "failed":
        with st.form(f"again-{document.id}", border=False):
            password = st.text_input("Password, if the PDF is encrypted", type="password")
            if st.form_submit_button("Convert again", icon=":material/refresh:"):
                document_convert_again(owner=user, document_id=document.id, password=password)
                st.rerun()


st.subheader("Recent conversions")
render_conversions()
