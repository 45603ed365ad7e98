"""Numbers and dates as people write them: each reader gives exactly the value meant, and the
whole-column readers agree with the value-by-value ones."""

from __future__ import annotations

import pytest

from backend.integrations.warehouse.forms import (
    DAY_FIRST,
    MONTH_FIRST,
    date_reader,
    dates_reader,
    number_reader,
    numbers_reader,
)


@pytest.mark.parametrize(
    ("mark", "text", "meant"),
    [
        (".", "6,718", "6718"),
        (".", "1,234,567.89", "1234567.89"),
        (".", "-1,000.5", "-1000.5"),
        (",", "1.234.567,89", "1234567.89"),
        (",", "0,25", "0.25"),
        (",", "1.500", "1500"),
        (".", "1,23", "1,23"),  # not in the form: left for the load to name
        (",", "1,234.5", "1,234.5"),
    ],
)
def test_numbers(mark: str, text: str, meant: str) -> None:
    assert number_reader(mark)(text) == meant
    assert numbers_reader(mark)([text, ""]) == [meant, ""]


@pytest.mark.parametrize(
    ("order", "text", "meant"),
    [
        (MONTH_FIRST, "3/30/12", "2012-03-30"),
        (MONTH_FIRST, "5/19/2006 0:00:00", "2006-05-19 00:00:00"),
        (MONTH_FIRST, "5/19/2006 14:05:09", "2006-05-19 14:05:09"),
        (MONTH_FIRST, "1/2/2007 7:00 PM", "2007-01-02 19:00:00"),
        (MONTH_FIRST, "12/31/1999 12:00:00.5 am", "1999-12-31 00:00:00.500000"),
        (MONTH_FIRST, "1/2/69", "1969-01-02"),  # as C's strptime reads 2-digit years
        (MONTH_FIRST, "1/2/68", "2068-01-02"),
        (DAY_FIRST, "30.03.2012", "2012-03-30"),
        (DAY_FIRST, "03-04-2024 23:59", "2024-04-03 23:59:00"),
        (MONTH_FIRST, "2/30/2020", "2/30/2020"),  # no such day: left for the load to name
        (MONTH_FIRST, "5/19/2006 24:00:00", "5/19/2006 24:00:00"),
    ],
)
def test_dates(order: str, text: str, meant: str) -> None:
    assert date_reader(order)(text) == meant
    assert dates_reader(order)(["", text, f" {text}"]) == [
        "",
        meant,
        meant if meant != text else f" {text}",
    ]
