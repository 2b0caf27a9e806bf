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

and dates with the month's name, in English or Norwegian, as OGP's pages and Norwegian
documents write them: ``1 January, 2013``, ``January 1, 2013``, ``1. januar 2013`` (``xsd:date``),
``January 2019``, ``jan. 2019``, ``januar 2019`` (``xsd:gYearMonth``).

A two-digit year (``01.07.19``) is refused: it is ambiguous, and a guess would be a fact we
invented. :func:`is_date_attempt` tells a date written wrongly (digits and separators only:
refused) from words a source gives instead of a date ("Ongoing", "2024/2025", "Not
Specified"), which the loaders keep as text and never turn into a date.
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
#: Month names and their usual abbreviations, English and Norwegian (bokmål and nynorsk).
_MONTHS: dict[str, int] = {}
for _i, _names in enumerate((
    "january jan januar", "february feb febr februar", "march mar mars",
    "april apr", "may mai", "june jun juni", "july jul juli", "august aug",
    "september sep sept", "october oct okt oktober", "november nov",
    "december dec des desember",
), start=1):
    for _n in _names.split():
        _MONTHS[_n] = _i
_MONTH = r"([^\W\d_]+)\.?"
_DAY_NAMED = re.compile(r"^(\d{1,2})\.?\s+" + _MONTH + r",?\s+(\d{4})$")  # 1 January, 2013
_NAMED_DAY = re.compile(r"^" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")  # Jan 1, 2013
_NAMED_MONTH = re.compile(r"^" + _MONTH + r",?\s+(\d{4})$")  # January 2019
_ATTEMPT = re.compile(r"^[\d\s.\-]+$")
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
    return _named(" ".join(text.split()))


def _month_number(name: str) -> int:
    n = _MONTHS.get(name.casefold())
    if n is None:
        raise DateError("not a month")
    return n


def _named(text: str) -> PartialDate:
    """A date with the month's name: ``1 January, 2013``, ``January 1, 2013``, ``januar 2019``."""
    if m := _DAY_NAMED.match(text):
        return _day(int(m.group(3)), _month_number(m.group(2)), int(m.group(1)))
    if m := _NAMED_DAY.match(text):
        return _day(int(m.group(3)), _month_number(m.group(1)), int(m.group(2)))
    if m := _NAMED_MONTH.match(text):
        return _month(int(m.group(2)), _month_number(m.group(1)))
    raise DateError("not a date")


def is_date_attempt(value: object) -> bool:
    """Whether ``value`` is a date written wrongly (only digits, dots, hyphens and spaces, as
    ``01.07.19`` or ``2019-13-01``) rather than words a source gives instead of a date."""
    return isinstance(value, (int, float)) or (
        isinstance(value, str) and bool(_ATTEMPT.match(value.strip()))
    )


def definitely_before(a: PartialDate, b: PartialDate) -> bool:
    """Whether every day of ``a`` is before every day of ``b`` (the shapes' rule)."""
    return a.latest < b.earliest
