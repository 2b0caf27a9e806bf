"""Tables read from a submission: a sheet of a workbook, a CSV file or a JSON array.

Readers (``xlsx``, ``csvfile``, ``jsonfile``) yield :class:`Table` objects whose rows are read
lazily, so a large CSV file is never held in memory as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from loaders.columns import SHEET_KEYS, Sheet, norm, sheet
from registry.i18n import Msg


@dataclass(frozen=True)
class BadCell:
    """A spreadsheet cell the loader refuses: a formula or an error value such as ``#REF!``."""

    kind: str  # "formula" or "error"
    text: str


@dataclass
class Row:
    """One row: its number as the user sees it and its cells by column position."""

    number: int
    cells: list[object]
    refs: list[str] | None = None  # cell references (XLSX), parallel to cells


@dataclass
class Table:
    """A header and its rows. ``name`` is the sheet name in the file (None for CSV)."""

    file: str
    name: str | None
    header: list[str]
    header_row: int
    rows: Iterator[Row]
    notes: list[Msg] = field(default_factory=list)  # what was assumed, for the reader
    json_keys: bool = False  # header cells are JSON keys (location: JSON items)
    expected_rows: int | None = None  # how many rows follow, if the file says (progress only)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_score(header: list[object], sh: Sheet) -> tuple[int, int]:
    """How well ``header`` matches the sheet: (required columns found, columns found)."""
    found = matched_columns(header, sh)
    keys = {k for k in found.values() if k}
    return (sum(1 for c in sh.required if c.key in keys), len(keys))


def matched_columns(header: list[object], sh: Sheet) -> dict[int, str | None]:
    """Position → column key for each header cell (None when unknown)."""
    names: dict[str, str] = {}
    for c in sh.columns:
        for n in (c.header_nb, c.header_en, c.key, *c.spec.aliases):
            names.setdefault(norm(n), c.key)
    out: dict[int, str | None] = {}
    for i, h in enumerate(header):
        if is_blank(h):
            continue
        out[i] = names.get(norm(str(h)))
    return out


def best_sheet(header: list[object], candidates: list[str] | None = None) -> tuple[str, int]:
    """The sheet whose columns the header matches best, and the number of columns matched."""
    keys = candidates or list(SHEET_KEYS)
    best, best_score = keys[0], (-1, -1)
    for k in keys:
        score = header_score(header, sheet(k))
        if score > best_score:
            best, best_score = k, score
    return best, best_score[1]


def sheet_for_name(name: str) -> str | None:
    """The sheet key a workbook sheet name means (bokmål name, English name or key)."""
    n = norm(name)
    for k in SHEET_KEYS:
        s = sheet(k)
        if n in (norm(s.name_nb), norm(s.name_en), norm(k)):
            return k
    return None
