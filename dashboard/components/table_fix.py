"""Beside a table's preview: its page with the grid that was read, and the fix by drawing."""

from __future__ import annotations

import streamlit as st

from backend.errors import UserFixable
from backend.selectors.runs import FINAL_STATUSES
from backend.selectors.table_versions import fix_text, reextraction_state, table_versions_of
from backend.selectors.tables import TableSummary
from backend.services.table_versions import (
    FixRefused,
    TableFix,
    table_mark_checked,
    table_reextract_enqueue,
)
from backend.services.templates import template_save
from backend.vocabulary import DRAWN_STRATEGIES, STRATEGY_LABELS
from dashboard.components.outcomes import outcome_add, outcomes_render, outcomes_start, show_refusal
from dashboard.components.page_view import (
    clicked_x,
    drawn_area,
    load_page,
    page_chart,
    render_picture,
    toggle_separator,
)

MODES = {"area": "Draw the table's area", "separators": "Click column separators"}
MARGIN_PT = 2.0  # the first fix starts from the detected region, a little wider


def render_page_and_fix(user, table: TableSummary) -> None:
    """The table's page(s) with the region and grid drawn over, and the drawing tools."""
    first, document_id = table.first_page, table.document_id
    if first is None or document_id is None:
        return  # an uploaded CSV has no page
    key = f"fix-{table.id}-v{table.version}"
    pages = list(range(first, (table.last_page or first) + 1))
    number = pages[0]
    if len(pages) > 1:
        number = (
            st.segmented_control("Page", pages, default=pages[0], key=f"{key}-page") or pages[0]
        )
    try:
        page = load_page(user, document_id, number)
    except UserFixable as refused:
        show_refusal(refused)
        return
    on_first = number == table.first_page
    fix = st.session_state.get(key)
    zoom = on_first and table.bbox and st.toggle("Zoom to the table", True, key=f"{key}-zoom")
    if zoom:
        page = page.zoomed(_around(table.bbox, fix))
    mode = st.session_state.get(f"{key}-mode", "area")
    chart = page_chart(page, table if on_first else None, fix, mode)
    clicks = st.session_state.get(f"{key}-clicks", 0)
    event = render_picture(chart, f"{key}-chart-{mode}-{clicks}", selectable=on_first)
    if on_first:
        _take_drawing(key, table, event, mode)
        _render_tools(user, key, table)
    else:
        st.caption("The table continues here; fix it on its first page.")


def _around(bbox: list[float], fix: dict | None) -> list[float]:
    """The table's region joined with the area being drawn."""
    if fix is None:
        return bbox
    top, left, bottom, right = fix["area"]
    return [min(bbox[0], left), min(bbox[1], top), max(bbox[2], right), max(bbox[3], bottom)]


def _start_fix(table: TableSummary) -> dict:
    """The fix begins as what was detected: the region, its column edges and strategy."""
    if table.fix:
        return {k: table.fix[k] for k in ("area", "separators", "strategy")}
    x0, top, x1, bottom = table.bbox
    m = MARGIN_PT
    area = [round(v, 1) for v in (top - m, x0 - m, bottom + m, x1 + m)]
    columns = table.grid.get("columns", [])[1:-1]
    strategy = table.strategy if table.strategy in DRAWN_STRATEGIES else "text"
    return {"area": area, "separators": columns, "strategy": strategy}


def _take_drawing(key: str, table: TableSummary, event, mode: str) -> None:
    fix = st.session_state.get(key)
    area = drawn_area(event) if mode == "area" else None
    if area is not None and (fix is None or area != fix["area"]):
        fix = fix or _start_fix(table)
        left, right = area[1], area[3]
        separators = [x for x in fix["separators"] if left < x < right]
        st.session_state[key] = {**fix, "area": area, "separators": separators}
        _sync_inputs(key)
        st.rerun()
    x = clicked_x(event) if mode == "separators" and fix is not None else None
    if x is not None and fix is not None:
        st.session_state[key] = {**fix, "separators": toggle_separator(fix["separators"], x)}
        # A new chart key clears the click, so the next click on the same spot counts again.
        st.session_state[f"{key}-clicks"] = st.session_state.get(f"{key}-clicks", 0) + 1
        _sync_inputs(key)
        st.rerun()


def _sync_inputs(key: str) -> None:
    fix = st.session_state[key]
    st.session_state[f"{key}-area-text"] = ", ".join(f"{v:g}" for v in fix["area"])
    st.session_state[f"{key}-seps-text"] = ", ".join(f"{v:g}" for v in fix["separators"])


def _render_tools(user, key: str, table: TableSummary) -> None:
    # Outside the drawing state: a fast worker may have made the next version already.
    _render_progress(user, table)
    outcomes_render(f"fix-{table.id}")
    if key not in st.session_state:
        if st.button(
            "Fix this table by drawing on its page", icon=":material/edit:", key=f"{key}-start"
        ):
            st.session_state[key] = _start_fix(table)
            _sync_inputs(key)
            st.rerun()
        return
    st.radio("Drawing", list(MODES), format_func=MODES.get, horizontal=True, key=f"{key}-mode")
    fix = st.session_state[key]
    area_text = st.text_input("Area: top, left, bottom, right (points)", key=f"{key}-area-text")
    seps_text = st.text_input(
        "Column separators: x positions (points), add, change or remove",
        key=f"{key}-seps-text",
    )
    strategy = st.radio(
        "Read the area by",
        DRAWN_STRATEGIES,
        index=DRAWN_STRATEGIES.index(fix["strategy"]),
        format_func=STRATEGY_LABELS.__getitem__,
        horizontal=True,
        key=f"{key}-strategy",
    )
    run_col, cancel_col = st.columns(2)
    if run_col.button(
        "Read this table again", type="primary", icon=":material/refresh:", key=f"{key}-run"
    ):
        _reextract(user, key, table, area_text, seps_text, strategy)
    if cancel_col.button("Stop drawing", key=f"{key}-cancel"):
        st.session_state.pop(key, None)
        st.rerun()


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise FixRefused(f"{what}: give numbers separated by commas.") from None


def _reextract(
    user, key: str, table: TableSummary, area_text: str, seps_text: str, strategy: str
) -> None:
    key = f"fix-{table.id}"
    outcomes_start(key)
    try:
        area = _numbers(area_text, "Area")
        if len(area) != 4:
            raise FixRefused("Area: give four numbers, top, left, bottom, right.")
        top, left, bottom, right = area
        separators = _numbers(seps_text, "Column separators") if strategy == "text" else []
        first = table.first_page or 1  # only tables read from a page get the drawing tools
        fix = TableFix(first, (top, left, bottom, right), tuple(separators), strategy)
        run = table_reextract_enqueue(owner=user, table_id=table.id, fix=fix)
    except UserFixable as refused:
        show_refusal(refused, lead="Not read again.", area=key)
        st.rerun()
    st.session_state[f"reextraction-{table.id}"] = run.pk
    st.rerun()


def _render_progress(user, table: TableSummary) -> None:
    run_id = st.session_state.get(f"reextraction-{table.id}")
    if run_id is not None:
        _follow(user, table, run_id)


@st.fragment(run_every=1)
def _follow(user, table: TableSummary, run_id: int) -> None:
    """The re-extraction's progress; the page reloads with the new version when it ends."""
    state = reextraction_state(owner=user, run_id=run_id)
    if state.status not in FINAL_STATUSES:
        st.info(f"Reading {table.name} again… ({state.status})", icon=":material/hourglass_top:")
        return
    st.session_state.pop(f"reextraction-{table.id}", None)
    area = f"fix-{table.id}"
    outcomes_start(area)
    if state.status == "succeeded":
        outcome_add(area, "success", f"Read again: {state.message}. The previous version is kept.")
    else:
        outcome_add(area, "error", f"Not read again. {state.error or state.message}")
    st.rerun(scope="app")


def render_table_review(user, table: TableSummary) -> None:
    """Mark the table checked, save its fix as a template, see its earlier versions."""
    area = f"review-{table.id}"
    outcomes_render(area)
    check_col, template_col = st.columns(2)
    if table.checked:
        check_col.success("Checked against the page.", icon=":material/verified:")
        if check_col.button("Undo: not checked", key=f"{area}-uncheck"):
            table_mark_checked(owner=user, table_id=table.id, checked=False)
            st.rerun()
    elif check_col.button("Mark as checked", icon=":material/check:", key=f"{area}-check"):
        table_mark_checked(owner=user, table_id=table.id)
        st.rerun()
    if table.fix:
        st.caption(f"Version {table.version}, {fix_text(table.fix)}.")
        with template_col.form(f"{area}-template", border=False):
            name = st.text_input("Template name", placeholder="e.g. monthly sales")
            if st.form_submit_button("Save as template", icon=":material/bookmark_add:"):
                outcomes_start(area)
                try:
                    template_save(owner=user, table_id=table.id, name=name)
                except UserFixable as refused:
                    show_refusal(refused, lead="Not saved.", area=area)
                else:
                    outcome_add(
                        area,
                        "success",
                        f"Template **{name.strip()}** saved: apply it "
                        "on the Upload page or to a converted document.",
                    )
                st.rerun()
    versions = table_versions_of(owner=user, table_id=table.id)
    if versions:
        with st.expander(f"Earlier versions ({len(versions)})"):
            for v in versions:
                st.markdown(
                    f"- version {v.version}: {v.n_rows} rows × {v.n_cols} columns, {v.how}; "
                    f"replaced {v.replaced_at:%Y-%m-%d %H:%M}"
                )
