"""Every threshold of the table engine, named and explained in one place.

Distances are in PDF points unless the name says otherwise (``_em``: times
the font size; ``_lines``: times the line height; ``_share``: a fraction).
The engine reads ``SETTINGS``; tests and benchmarks may build their own
``TableSettings`` with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSettings:
    # --- rulings (stage 1: words and rulings) ---
    # A filled box thinner than this is a drawn rule, not a shaded area.
    thin_rule: float = 2.0
    # Shorter strokes are glyph parts, ticks or dots, not rules.
    min_rule_length: float = 3.0
    # Rulings closer than this are one ruling (double strokes, boxes per cell).
    snap: float = 3.0
    # Rulings this close are connected when looking for a table's frame.
    frame_touch: float = 3.0
    # A ruling reaching this far past the outermost cross rule implies a missing side.
    frame_overhang: float = 5.0

    # Rulings are read this far around a user's area: a snug area leaves the
    # frame outside it (text is taken only where its centre is inside).
    area_ruling_margin: float = 6.0
    # When ruled grids leave more than this share of an area's text outside
    # them, the area is read as one whitespace table.
    area_outside_share: float = 0.1

    # A column of labels may stand this far (times the grid's width) left of
    # a ruled grid whose frame leaves it out.
    label_column_reach: float = 0.6

    # --- text layout (stage 1) ---
    # Characters closer than this (times the font size) belong to one word
    # (pdfplumber's x_tolerance_ratio); lines within this many points are one.
    word_gap_em: float = 0.2
    line_tolerance: float = 3.0
    # Words overlapping vertically by this share of the shorter one share a line.
    line_overlap: float = 0.5
    # Pages read sideways: characters within this many glyph sizes are
    # neighbours, and below this share of upright characters the page is turned.
    neighbour_reach: float = 2.5
    upright_share: float = 0.5
    # A gap wider than this (times the font size) separates two cells; word
    # spaces are 0.25-0.33 em in proportional fonts, tight tables leave 0.5 em.
    segment_gap_em: float = 0.55
    # Two numbers side by side are two cells once their gap passes a word space.
    segment_gap_numbers_em: float = 0.2
    # In a fixed-pitch font a word space is a whole character cell: a cell gap
    # is wider than this many character widths.
    segment_gap_pitch: float = 1.5
    # Word widths per character within this share of each other mark a fixed-pitch line.
    fixed_pitch_spread: float = 0.08

    # --- regions (stage 2: whitespace blocks, after Nurminen's text-block grouping) ---
    # A vertical gap of this many line heights ends a table block.
    block_gap_lines: float = 2.6
    # A line whose font size differs from the block's by more than this factor
    # (a title, a caption in display type) ends the block; headers are often
    # set a size or two smaller than the body (9 pt over 12).
    block_size_ratio: float = 1.45
    # A one-segment line narrower than this share of the block is a label or a
    # heading inside it, not prose.
    block_label_width: float = 0.5
    # Within this share of a block's width from its edge counts as at the edge.
    edge_share: float = 0.1
    # Label-only lines allowed in a row inside a block.
    block_max_singles: int = 3
    # Above this median words per cell the block is prose laid out in columns.
    prose_words_per_cell: float = 5.0
    # Below this share of rows with two or more cells the block is running text.
    prose_multi_cell_rows: float = 0.5
    # Two-column bullet or numbered items with this many words are a list.
    list_item_words: int = 3
    # Justified prose split at wide spaces: above this share of the text cells
    # after the first column start in lower case (needs this many cells).
    prose_lower_share: float = 0.4
    prose_min_cells: int = 4
    # Above this share of one- or two-letter cells, using at least this many
    # different letters, the text is a chart's label set letter by letter.
    prose_letter_share: float = 0.5
    prose_letter_kinds: int = 4

    # --- rows and columns (stage 3) ---
    # Vertical rulings crossing this share of a block's height bound a column:
    # whitespace inside one ruled column does not split it.
    ruled_column_reach: float = 0.8
    # A column gap may be crossed by this share of the lines (spanning headings).
    column_crossing_share: float = 0.1
    # Narrower gaps than this are no column gap.
    min_column_gap: float = 0.5
    # A header line is a line of values when this share of its value-column
    # segments are numbers.
    value_line_share: float = 0.5
    # A spanning header line may sit this many line heights above a block.
    header_reach_lines: float = 1.5
    # At most this many lines above the first row of values are header lines.
    max_header_lines: int = 6
    # A heading segment covers a column when it overlaps it by more than this
    # share of the narrower of the two.
    header_span_overlap: float = 0.25
    # Heading lines this close (times their height) are one wrapped heading.
    header_wrap_gap: float = 0.8
    # A wrapped heading keeps its font size within this share; a change is a new heading.
    header_size_tolerance: float = 0.1

    # --- quality (each sign of a known failure takes off quality_penalty) ---
    quality_penalty: float = 0.25
    # Text in the table's region but in no cell, above this share of its characters.
    quality_lost_text_share: float = 0.02
    # Column and row checks need this many rows to mean anything.
    quality_min_rows: int = 4
    # A column with text in at most this share of the rows is almost empty.
    quality_empty_column_share: float = 0.1
    # A row is stacked (several records read as one) when this many of its
    # cells hold several values each; ruled grids split such rows by text line.
    quality_stacked_cells: int = 2

    # --- merge across pages (stage 5) ---
    # Column positions may drift this much between pages and still match.
    column_slack: float = 6.0


SETTINGS = TableSettings()
