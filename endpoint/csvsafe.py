"""CSV answers that are safe to open in a spreadsheet (OWASP "CSV injection").

SPARQL 1.1 CSV has no escaping: a literal ``=HYPERLINK("http://…")`` becomes a live formula
when the file is opened in Excel or LibreOffice. The endpoint's CSV (``text/csv``) therefore
prefixes ``'`` to every cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return — the same rule as the registry's CSV exports (``registry/exports.py``) — except cells
that are plain numbers (``-5``, ``+1.5e3``), which a spreadsheet reads as numbers anyway.
For the exact values use SPARQL JSON, XML or TSV (TSV writes RDF terms: literals in quotes).

Imported by the query worker process: the standard library only.
"""

from __future__ import annotations

import csv
import io
import re

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def needs_escape(cell: str) -> bool:
    """Whether ``cell`` would be taken for a formula by a spreadsheet."""
    return cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell)


def escape_cell(cell: str) -> str:
    return "'" + cell if needs_escape(cell) else cell


def escape_csv(body: bytes) -> bytes:
    """``body`` (SPARQL CSV, UTF-8, CRLF) with formula-like cells escaped; unchanged, byte for
    byte, when no cell needs it."""
    text = body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(needs_escape(c) for row in rows[1:] for c in row):
        return body
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows[0] if rows else [])
    for row in rows[1:]:
        writer.writerow([escape_cell(c) for c in row])
    return out.getvalue().encode("utf-8")
