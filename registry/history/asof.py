"""The history as of a time: the version of an item that was current then, its description
then, and the whole registry's state then (``ogpreg query --as-of``, the pages' "as of" view).

"As of a date" means the end of that day in Europe/Oslo; a time means that moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyoxigraph as ox

from registry.history.terms import DCT, parse_snapshot, utc
from registry.history.versions import (
    Version,
    first_change_at_or_after,
    last_change_number,
    versions,
)
from registry.namespaces import OGP

#: "As of a date" means the end of that day in this time zone.
OSLO = ZoneInfo("Europe/Oslo")


def instant(when: datetime | date) -> datetime:
    """The moment ``as_of`` means: a datetime as it is (naive = UTC); a date is the end of that
    day in Europe/Oslo."""
    if isinstance(when, datetime):
        return utc(when)
    end = datetime.combine(when + timedelta(days=1), time(0, 0), tzinfo=OSLO)
    return end.astimezone(UTC) - timedelta(microseconds=1)


def version_as_of(reader: ox.Store, item: str, when: datetime | date) -> Version | None:
    """The version of ``item`` that was current at ``when`` (see :func:`instant`): the latest
    one recorded at or before it; ``None`` when the item had no version yet."""
    limit = instant(when)
    current: Version | None = None
    for v in versions(reader, item):
        if v.time <= limit:
            current = v
    return current


def snapshot_as_of(reader: ox.Store, item: str, when: datetime | date) -> list[ox.Triple] | None:
    """``item``'s description at ``when``: ``None`` if it did not exist yet, ``[]`` if it had
    been deleted, else its triples (sorted)."""
    v = version_as_of(reader, item, when)
    if v is None:
        return None
    return sorted(v.snapshot, key=str)


def state_as_of(reader: ox.Store, when: datetime | date, base: str | None = None) -> ox.Store:
    """An in-memory store (default graph only) of every item's description as it stood at
    ``when``; items deleted by then are left out."""
    limit = instant(when)
    last = last_change_number(reader, base)  # by the changes' IRIs first, with ``base``
    upto = first_change_at_or_after(reader, limit + timedelta(microseconds=1), last, base) - 1
    solutions = reader.query(
        """
        SELECT ?item ?n ?snapshot WHERE {
          GRAPH ?g {
            ?v dct:isVersionOf ?item ; ogp:inChange ?c ; ogp:snapshot ?snapshot .
            ?c ogp:changeNumber ?n .
          }
          FILTER (STRENDS(STR(?g), "/graph/history"))
        }""",
        prefixes={"dct": DCT, "ogp": str(OGP._NS)},
    )
    assert isinstance(solutions, ox.QuerySolutions)
    latest: dict[str, tuple[int, str]] = {}
    for row in solutions:
        n = int(row["n"].value)
        if n > upto:
            continue
        item = row["item"].value
        if item not in latest or latest[item][0] < n:
            latest[item] = (n, row["snapshot"].value)
    del solutions
    out = ox.Store()
    for _n, text in latest.values():
        out.extend(ox.Quad(t.subject, t.predicate, t.object) for t in parse_snapshot(text))
    return out
