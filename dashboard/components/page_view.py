"""A table's page as a picture with what was read drawn over it, and the drawing that fixes it.

Altair's own selections do the drawing: an interval selection (drag a box) sets the area and
a nearest-point selection on the page's x positions (click) adds or removes a column
separator; `st.altair_chart(on_select="rerun")` hands both back to Python.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace

import altair as alt
import pandas as pd
import streamlit as st

from backend.selectors.tables import TableSummary
from backend.services.page_images import page_image

WIDTH_PX = 460  # shown width; the picture is drawn at twice that for sharp text
RENDER_PX = 2 * WIDTH_PX
NEAR_PT = 4.0  # a click this close to a separator removes it
ZOOM_MARGIN_PT = 36.0  # page shown around the table when zoomed in
TABLE_COLOUR = "#e8590c"
FIX_COLOUR = "#1c7ed6"


@dataclass(frozen=True)
class Page:
    url: str
    width_pt: float
    height_pt: float
    view: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom shown

    @property
    def shown(self) -> tuple[float, float, float, float]:
        return self.view or (0.0, 0.0, self.width_pt, self.height_pt)

    @property
    def height_px(self) -> int:
        x0, top, x1, bottom = self.shown
        return round(WIDTH_PX * (bottom - top) / (x1 - x0))

    def zoomed(self, box: list[float]) -> Page:
        """The part of the page around box (x0, top, x1, bottom), a margin included."""
        m = ZOOM_MARGIN_PT
        x0, top, x1, bottom = box
        view = (
            max(x0 - m, 0.0),
            max(top - m, 0.0),
            min(x1 + m, self.width_pt),
            min(bottom + m, self.height_pt),
        )
        return replace(self, view=view)


def load_page(owner, document_id: int, number: int) -> Page:
    image = page_image(owner=owner, document_id=document_id, page=number, width_px=RENDER_PX)
    url = "data:image/png;base64," + base64.b64encode(image.png).decode()
    return Page(url, image.width_pt, image.height_pt)


def _scales(page: Page) -> tuple[alt.Scale, alt.Scale]:
    x0, top, x1, bottom = page.shown
    x = alt.Scale(domain=[x0, x1], nice=False, zero=False)
    y = alt.Scale(domain=[top, bottom], nice=False, zero=False, reverse=True)
    return x, y


def _picture(page: Page) -> alt.Chart:
    """The whole page, placed by its top-left corner and clipped to what is shown."""
    xs, ys = _scales(page)
    x0, top, x1, bottom = page.shown
    # Sized from the plot's own width and height signals: the container may trim the
    # height it was given, and the picture must span exactly what the scales span.
    return (
        alt.Chart(pd.DataFrame({"x": [0.0], "y": [0.0], "url": [page.url]}))
        .mark_image(
            width=alt.expr(f"width * {page.width_pt / (x1 - x0)}"),
            height=alt.expr(f"height * {page.height_pt / (bottom - top)}"),
            align="left",
            baseline="top",
            aspect=False,
            clip=True,
        )
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None), y=alt.Y("y:Q", scale=ys, axis=None), url="url:N"
        )
    )


def _box(page: Page, box: list[float], colour: str, dash: list[int]) -> alt.Chart:
    """A rectangle (x0, top, x1, bottom) outlined on the page."""
    xs, ys = _scales(page)
    x0, top, x1, bottom = box
    frame = pd.DataFrame({"x": [x0], "x2": [x1], "y": [top], "y2": [bottom]})
    return (
        alt.Chart(frame)
        .mark_rect(fill=None, stroke=colour, strokeWidth=2, strokeDash=dash)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            x2="x2",
            y=alt.Y("y:Q", scale=ys, axis=None),
            y2="y2",
        )
    )


def _lines(page: Page, xs_at: list[float], ys_at: list[float], box, colour: str) -> alt.Chart:
    """Vertical rules at xs_at and horizontal ones at ys_at, inside box."""
    xs, ys = _scales(page)
    x0, top, x1, bottom = box
    rows = [{"x": x, "x2": x, "y": top, "y2": bottom} for x in xs_at]
    rows += [{"x": x0, "x2": x1, "y": y, "y2": y} for y in ys_at]
    return (
        alt.Chart(pd.DataFrame(rows, columns=["x", "x2", "y", "y2"]))
        .mark_rule(color=colour, strokeWidth=1, opacity=0.8)
        .encode(
            x=alt.X("x:Q", scale=xs, axis=None),
            x2="x2",
            y=alt.Y("y:Q", scale=ys, axis=None),
            y2="y2",
        )
    )


def _area_brush(page: Page) -> alt.Chart:
    """A transparent cover of the page that takes a dragged box."""
    xs, ys = _scales(page)
    x0, top, x1, bottom = page.shown
    cover = pd.DataFrame({"x": [x0, x1], "y": [top, bottom]})
    brush = alt.selection_interval(name="area", encodings=["x", "y"], empty=False)
    return (
        alt.Chart(cover)
        .mark_point(opacity=0)
        .encode(x=alt.X("x:Q", scale=xs, axis=None), y=alt.Y("y:Q", scale=ys, axis=None))
        .add_params(brush)
    )


def _click_targets(page: Page, box: list[float]) -> alt.Chart:
    """One invisible point per half point across the area: a click picks the nearest x."""
    xs, ys = _scales(page)
    x0, top, x1, bottom = box
    n = max(int((x1 - x0) * 2), 2)
    targets = pd.DataFrame(
        {"x": [x0 + (x1 - x0) * i / n for i in range(n + 1)], "y": [(top + bottom) / 2] * (n + 1)}
    )
    click = alt.selection_point(name="separator", encodings=["x"], nearest=True, on="click")
    return (
        alt.Chart(targets)
        .mark_point(opacity=0)
        .encode(x=alt.X("x:Q", scale=xs, axis=None), y=alt.Y("y:Q", scale=ys, axis=None))
        .add_params(click)
    )


def page_chart(
    page: Page, table: TableSummary | None, fix: dict | None, mode: str
) -> alt.LayerChart:
    """The page, the table's region and grid (orange), the fix being drawn (blue, dashed)."""
    layers: list[alt.Chart] = [_picture(page)]
    if table is not None and table.bbox:
        layers.append(_box(page, table.bbox, TABLE_COLOUR, [1, 0]))
        grid = table.grid
        if grid:
            layers.append(
                _lines(page, grid["columns"][1:-1], grid["rows"][1:-1], table.bbox, TABLE_COLOUR)
            )
    if fix is not None:
        box = area_box(fix["area"])
        layers.append(_box(page, box, FIX_COLOUR, [6, 3]))
        layers.append(_lines(page, fix["separators"], [], box, FIX_COLOUR))
        if mode == "separators":
            layers.append(_click_targets(page, box))
    if mode == "area" or fix is None:
        layers.append(_area_brush(page))
    # No padding and no autosizing: the picture's pixels and the scales' must coincide.
    return (
        alt.layer(*layers)
        .properties(width=WIDTH_PX, height=page.height_px, padding=0, autosize="none")
        .configure_view(stroke="#ced4da")
    )


def area_box(area: list[float]) -> list[float]:
    """An area (top, left, bottom, right) as a box (x0, top, x1, bottom)."""
    top, left, bottom, right = area
    return [left, top, right, bottom]


def drawn_area(event) -> list[float] | None:
    """The dragged box as an area (top, left, bottom, right), rounded to a tenth of a point."""
    box = (event or {}).get("selection", {}).get("area") or {}
    if "x" not in box or "y" not in box:
        return None
    (left, right), (top, bottom) = sorted(box["x"]), sorted(box["y"])
    return [round(v, 1) for v in (top, left, bottom, right)]


def clicked_x(event) -> float | None:
    points = (event or {}).get("selection", {}).get("separator") or []
    return round(points[0]["x"], 1) if points and "x" in points[0] else None


def toggle_separator(separators: list[float], x: float) -> list[float]:
    """A click near a separator removes it; elsewhere it adds one there."""
    near = [s for s in separators if abs(s - x) <= NEAR_PT]
    if near:
        return [s for s in separators if s not in near]
    return sorted([*separators, x])


def render_picture(chart: alt.LayerChart, key: str, selectable: bool):
    """Show the chart; returns Streamlit's selection event when it takes drawing."""
    if not selectable:
        st.altair_chart(chart, width="content")
        return None
    return st.altair_chart(chart, width="content", on_select="rerun", key=key)
