"""Conversion progress, drawn from the Run rows so it survives a browser reload."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import streamlit as st

from backend.selectors.documents import DocumentRow, progress_text
from backend.selectors.schedules import schedule_timezones
from backend.selectors.tables import tables_to_check
from dashboard.components.zones import viewer_timezone
from dashboard.session import current_user

STATUS_ICON = {
    "queued": ":material/hourglass_empty:",
    "converting": ":material/sync:",
    "converted": ":material/check_circle:",
    "failed": ":material/error:",
    "cancelled": ":material/block:",
}


def render_document_progress(
    document: DocumentRow,
    *,
    footer: Callable[[DocumentRow], None] | None = None,
    to_check: bool = False,
) -> None:
    """One card per document: name and upload time, live progress bar while converting,
    outcome after (with the tables to check, if `to_check`); `footer` draws its actions."""
    run = document.run
    # A cancelled conversion leaves the document failed, but it is called what History
    # calls it: the run was revoked by a person, nothing went wrong.
    cancelled = document.status == "failed" and run.status == "revoked"
    shown = "cancelled" if cancelled else document.status
    with st.container(border=True):
        head, status = st.columns([4, 1])
        zone = ZoneInfo(viewer_timezone(schedule_timezones()))
        uploaded = document.created_at.astimezone(zone)
        head.markdown(f"**{document.name}** :gray[· uploaded {uploaded:%Y-%m-%d %H:%M}]")
        status.markdown(f"{STATUS_ICON.get(shown, '')} {shown}")
        if cancelled:
            st.info(
                "The conversion was cancelled; it can be converted again.",
                icon=":material/block:",
            )
        elif document.status in ("queued", "converting"):
            total = run.pages_total or 0
            fraction = (run.pages_done or 0) / total if total else 0.0
            st.progress(min(fraction, 1.0), text=progress_text(run))
        elif document.status == "failed":
            st.error(document.error or "The conversion failed.", icon=":material/error:")
        else:
            st.caption(f"{document.n_tables} table(s) from {document.page_count} page(s)")
            if to_check and document.n_to_check:
                render_to_check(document)
        if document.warning:
            st.warning(document.warning, icon=":material/info:")
        if footer is not None:
            footer(document)


def render_to_check(document: DocumentRow) -> None:
    """The tables a person should compare with their pages, and why."""
    flagged = tables_to_check(owner=current_user(), document_id=document.id)
    lines = "\n".join(f"- **{name}**: {reasons}" for name, reasons in flagged)
    st.warning(f"Check this table against the PDF ({len(flagged)}):\n{lines}", icon="⚠️")
