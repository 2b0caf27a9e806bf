"""CSV cells that a spreadsheet cannot take for formulas (OWASP "CSV injection").

The one rule for every CSV the registry writes for people: the endpoint's SPARQL CSV
(``endpoint/sparql/csvsafe.py``), the DCAT CSV exports (``registry/publish/exports.py``) and
``ogpreg query --format csv`` (``registry/sparql/results.py``).

A spreadsheet evaluates a cell that starts with ``=`` (LibreOffice and Excel) or ``+``, ``-``,
``@`` (Excel), also after a tab or carriage return that it strips. Escaping only the start of
each field is not enough: the registry writes comma-separated files, but a Norwegian
spreadsheet splits on ``;`` (the list separator of the Norwegian locale), some users pick tab,
and a reader that splits on another character also breaks a quoted field at its line breaks.
A field ``Tittel;=1+1`` is one text for a comma reader and ``Tittel`` | ``=1+1`` for a
semicolon reader, which LibreOffice evaluates (``tests/test_csv_formulas.py`` converts the
registry's real CSV with ``soffice``). So every *segment* of a field counts: the field's start
and every position right after ``,``, ``;``, tab, line feed or carriage return. A segment that
begins, after any spaces and double quotes (LibreOffice's "trim spaces" option and its quoted
fields skip them), with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets an apostrophe
``'`` in front: at the start of the field, or right after the separator character inside it
(``Tittel;'=1+1``). Spreadsheets show such a segment as text.

``keep_numbers``: a field that is one plain number (``-5``, ``+1.5e3``) is left alone; a
spreadsheet reads it as that number anyway, and it contains no separator. The endpoint keeps
numbers so that numeric columns (``xsd:integer``, ``xsd:decimal``) stay numbers; the DCAT
exports have no negative numbers and escape every segment.

Standard library only: imported by the endpoint's query worker processes.
"""

from __future__ import annotations

import csv
import io
import re

#: Characters after which a spreadsheet may start a new cell: the separators people choose
#: (comma, semicolon, tab) and the line ends a reader with another separator splits rows on.
SEGMENT_SEPARATORS = frozenset(",;\t\n\r")
#: Characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_START = frozenset("=+-@\t\r")
#: Characters a spreadsheet may skip before it looks at a cell's first character.
_SKIPPED = frozenset(' "')
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _segment_starts(cell: str) -> list[int]:
    """The positions where a segment that needs an apostrophe starts."""
    starts: list[int] = []
    n = len(cell)
    i = 0
    while True:
        j = i
        while j < n and cell[j] in _SKIPPED:
            j += 1
        if j < n and cell[j] in FORMULA_START:
            starts.append(i)
        k = j
        while k < n and cell[k] not in SEGMENT_SEPARATORS:
            k += 1
        if k >= n:
            return starts
        i = k + 1


def needs_escape(cell: str, *, keep_numbers: bool = True) -> bool:
    """Whether a segment of ``cell`` would be taken for a formula by a spreadsheet."""
    if keep_numbers and _NUMBER.fullmatch(cell):
        return False
    return bool(_segment_starts(cell))


def escape_cell(cell: str, *, keep_numbers: bool = True) -> str:
    """``cell`` with an apostrophe in front of every segment that starts a formula; unchanged
    when none does (or when it is one plain number and ``keep_numbers``)."""
    if keep_numbers and _NUMBER.fullmatch(cell):
        return cell
    starts = _segment_starts(cell)
    if not starts:
        return cell
    parts: list[str] = []
    prev = 0
    for s in starts:
        parts.append(cell[prev:s])
        parts.append("'")
        prev = s
    parts.append(cell[prev:])
    return "".join(parts)


def escape_csv(body: bytes, *, keep_numbers: bool = True) -> bytes:
    """``body`` (CSV with a header row, UTF-8, as SPARQL 1.1 CSV writes it) with every data
    cell escaped by :func:`escape_cell`; unchanged, byte for byte, when no cell needs it."""
    text = body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(needs_escape(c, keep_numbers=keep_numbers) for row in rows[1:] for c in row):
        return body
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows[0] if rows else [])
    for row in rows[1:]:
        writer.writerow([escape_cell(c, keep_numbers=keep_numbers) for c in row])
    return out.getvalue().encode("utf-8")
