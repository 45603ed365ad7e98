"""Conversion progress, drawn from the Run rows so it survives a browser reload."""

from __future__ import annotations

from typing import Any

import streamlit as st

from backend.selectors.documents import progress_text

STATUS_ICON = {
    "queued": ":material/hourglass_empty:",
    "converting": ":material/sync:",
    "converted": ":material/check_circle:",
    "failed": ":material/error:",
    "cancelled": ":material/block:",
}


def render_document_progress(document: dict[str, Any]) -> None:
    """One line per document: name, live progress bar while converting, outcome after."""
    run = document["run"]
    # A cancelled conversion leaves the document failed, but it is called what History
    # calls it: the run was revoked by a person, nothing went wrong.
    cancelled = document["status"] == "failed" and run["status"] == "revoked"
    shown = "cancelled" if cancelled else document["status"]
    with st.container(border=True):
        head, status = st.columns([4, 1])
        head.markdown(f"**{document['name']}**")
        status.markdown(f"{STATUS_ICON.get(shown, '')} {shown}")
        if cancelled:
            st.info(
                "The conversion was cancelled. Convert it again on the Documents page.",
                icon=":material/block:",
            )
        elif document["status"] in ("queued", "converting"):
            total = run["pages_total"] or 0
            fraction = run["pages_done"] / total if total else 0.0
            st.progress(min(fraction, 1.0), text=progress_text(run))
        elif document["status"] == "failed":
            st.error(document["error"] or "The conversion failed.", icon=":material/error:")
        else:
            st.caption(f"{document['n_tables']} table(s) from {document['page_count']} page(s)")
        if document["warning"]:
            st.warning(document["warning"], icon=":material/info:")
