"""Dates as Norwegian submissions write them, kept at the precision they give.

Accepted (surrounding spaces ignored):

==================  ===============  ==================
written             stored as        datatype
==================  ===============  ==================
``2019-07-01``      ``2019-07-01``   ``xsd:date``
``01.07.2019``      ``2019-07-01``   ``xsd:date``
``1.7.2019``        ``2019-07-01``   ``xsd:date``
``2019-07``         ``2019-07``      ``xsd:gYearMonth``
``07.2019``         ``2019-07``      ``xsd:gYearMonth``
``2019``            ``2019``         ``xsd:gYear``
an Excel date cell  ``2019-07-01``   ``xsd:date``
==================  ===============  ==================

A two-digit year (``01.07.19``) is refused: it is ambiguous, and a guess would be a fact we
invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

XSD = "http://www.w3.org/2001/XMLSchema#"

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NO_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_NO_MONTH = re.compile(r"^(\d{1,2})\.(\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
#: An ISO date-time as Excel/JSON writers produce for a date (midnight).
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?$")


@dataclass(frozen=True)
class PartialDate:
    """A date with the precision its source gives: ``day``, ``month`` or ``year``."""

    lexical: str
    precision: str

    @property
    def datatype(self) -> str:
        return XSD + {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision]

    @property
    def earliest(self) -> str:
        """The first possible day (``2019`` → ``2019-01-01``)."""
        return (self.lexical + "-01-01")[:10]

    @property
    def latest(self) -> str:
        """The last possible day, for comparison (``2019-06`` → ``2019-06-31``)."""
        return self.lexical + {"day": "", "month": "-31", "year": "-12-31"}[self.precision]


class DateError(ValueError):
    """The text is not a date in any accepted form."""


def _day(y: int, m: int, d: int) -> PartialDate:
    try:
        return PartialDate(date(y, m, d).isoformat(), "day")
    except ValueError as exc:
        raise DateError(str(exc)) from None


def _month(y: int, m: int) -> PartialDate:
    if not 1 <= m <= 12:
        raise DateError(f"month {m} out of range")
    return PartialDate(f"{y:04d}-{m:02d}", "month")


def parse_date(value: object) -> PartialDate:
    """A :class:`PartialDate` from a cell value (text, Excel date, or a year as a number).

    Raises :class:`DateError` for anything else."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise DateError("a date with a time of day")
        return PartialDate(value.date().isoformat(), "day")
    if isinstance(value, date):
        return PartialDate(value.isoformat(), "day")
    if isinstance(value, bool):
        raise DateError("not a date")
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise DateError("not a date")
    m = _ISO_MIDNIGHT.match(text)
    if m:
        text = m.group(1)
    if m := _ISO_DAY.match(text):
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _NO_DAY.match(text):
        return _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := _ISO_MONTH.match(text):
        return _month(int(m.group(1)), int(m.group(2)))
    if m := _NO_MONTH.match(text):
        return _month(int(m.group(2)), int(m.group(1)))
    if m := _YEAR.match(text):
        return PartialDate(m.group(1), "year")
    raise DateError("not a date")


def definitely_before(a: PartialDate, b: PartialDate) -> bool:
    """Whether every day of ``a`` is before every day of ``b`` (the shapes' rule)."""
    return a.latest < b.earliest
