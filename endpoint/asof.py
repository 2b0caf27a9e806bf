"""``as_of``: the point in time a page or a query is asked about (docs/lifecycle.md, "As of").

``as_of=2019-07-01`` means *the end of that day in Norway* (Europe/Oslo): everything recorded
on 1 July 2019, Norwegian time, is included. A full timestamp with a time zone
(``2019-07-01T12:00:00+02:00`` or ``…Z``) means that instant; one without a time zone is read
as Norwegian time.

This module is small and imports neither Flask nor the store, so the query worker processes
(``endpoint/sparql/worker.py``) can use it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from registry.i18n import Msg, msg

#: The time zone in which a date given as ``as_of`` ends.
OSLO = ZoneInfo("Europe/Oslo")

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)


class AsOfError(ValueError):
    """An ``as_of`` value that is neither a date nor a timestamp."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.render("en"))
        self.message = message


@dataclass(frozen=True)
class AsOf:
    """A parsed ``as_of``: the instant (time-zone aware, UTC) and, for a date, the day."""

    text: str  # canonical: YYYY-MM-DD, or the instant in UTC as YYYY-MM-DDTHH:MM:SS(.ffffff)Z
    when: datetime
    day: date | None = None

    @property
    def key(self) -> str:
        """What caches are keyed by (with the store revision)."""
        return self.when.isoformat()


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Norway, in UTC."""
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=OSLO).astimezone(UTC)


def _bad(value: str) -> AsOfError:
    return AsOfError(
        msg(
            "as_of={value!r} is neither a date (YYYY-MM-DD, for example 2019-07-01) nor a "
            "timestamp (for example 2019-07-01T12:00:00+02:00).",
            value=value,
        )
    )


def parse_as_of(value: str) -> AsOf:
    """Read an ``as_of`` parameter (raises :class:`AsOfError` with a bilingual message)."""
    v = value.strip()
    if _DATE.fullmatch(v):
        try:
            day = date.fromisoformat(v)
        except ValueError:
            raise _bad(value) from None
        return AsOf(day.isoformat(), end_of_day(day), day)
    if _DATETIME.fullmatch(v):
        try:
            when = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise _bad(value) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=OSLO)
        when = when.astimezone(UTC)
        text = when.strftime("%Y-%m-%dT%H:%M:%S") + (
            f".{when.microsecond:06d}" if when.microsecond else ""
        )
        return AsOf(text + "Z", when)
    raise _bad(value)
