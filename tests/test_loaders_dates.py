"""Norwegian dates at the precision they are given (loaders/build/dates.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from loaders.build.dates import DateError, parse_date

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("written", "lexical", "datatype"),
    [
        ("2019-07-01", "2019-07-01", "date"),
        ("01.07.2019", "2019-07-01", "date"),
        ("1.7.2019", "2019-07-01", "date"),
        (" 2019-7-1 ", "2019-07-01", "date"),
        ("2019-07", "2019-07", "gYearMonth"),
        ("07.2019", "2019-07", "gYearMonth"),
        ("7.2019", "2019-07", "gYearMonth"),
        ("2019", "2019", "gYear"),
        (2019, "2019", "gYear"),
        (2019.0, "2019", "gYear"),
        (datetime(2019, 7, 1), "2019-07-01", "date"),
        (date(2021, 6, 30), "2021-06-30", "date"),
        ("2019-07-01T00:00:00", "2019-07-01", "date"),
    ],
)
def test_accepted_forms_keep_their_precision(written: object, lexical: str, datatype: str) -> None:
    d = parse_date(written)
    assert (d.lexical, d.datatype) == (lexical, XSD + datatype)


@pytest.mark.parametrize(
    "written",
    # (a month by name is a date: "juli 2019", "1 January, 2013"; tests/test_real_plans.py)
    ["01.07.19", "31.02.2019", "2019-13", "13.2019", "sommer 2019", "", "2019-07-01T10:30:00",
     datetime(2019, 7, 1, 10, 30), True, None],
)
def test_refused_forms(written: object) -> None:
    with pytest.raises(DateError):
        parse_date(written)


def test_earliest_and_latest_days_follow_the_shapes_rule() -> None:
    assert parse_date("2019").earliest == "2019-01-01"
    assert parse_date("2019").latest == "2019-12-31"
    assert parse_date("06.2020").latest == "2020-06-31"
    assert parse_date("2020-06-15").latest == "2020-06-15"
