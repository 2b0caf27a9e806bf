"""CSV answers that are safe to open in a spreadsheet (OWASP "CSV injection").

SPARQL 1.1 CSV has no escaping: a literal ``=HYPERLINK("http://…")`` becomes a live formula
when the file is opened in Excel or LibreOffice. The endpoint's CSV (``text/csv``) therefore
prefixes ``'`` to every cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return — the same rule as the registry's CSV exports (``registry/exports.py``) — except cells
that are plain numbers (``-5``, ``+1.5e3``), which a spreadsheet reads as numbers anyway.
For the exact values use SPARQL JSON, XML or TSV (TSV writes RDF terms: literals in quotes).

Programs that read the CSV themselves can ask for it unescaped, exactly as SPARQL 1.1 CSV
defines it, with the protocol parameter ``csv=raw`` (``endpoint/sparql.py``; docs/endpoint.md):
the endpoint then evaluates the query to TSV and writes CSV from that with
:func:`csv_from_tsv`, without escaping. The default stays escaped.

Imported by the query worker process: the standard library only at import time.
"""

from __future__ import annotations

import csv
import io
import re

#: Values of the ``csv`` protocol parameter: escaped (the default) or as SPARQL 1.1 defines it.
CSV_MODES = ("safe", "raw")

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


def csv_from_tsv(body: bytes) -> bytes:
    """SPARQL 1.1 CSV, unescaped, of a SPARQL TSV answer (SELECT rows or an ASK boolean):
    the same bytes the evaluator writes as CSV directly."""
    import pyoxigraph as ox

    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=ox.QueryResultsFormat.CSV) or b""
