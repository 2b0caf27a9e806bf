"""CSV answers that are safe to open in a spreadsheet (OWASP "CSV injection").

SPARQL 1.1 CSV has no escaping: a literal ``=HYPERLINK("http://…")`` becomes a live formula
when the file is opened in Excel or LibreOffice. The endpoint's CSV (``text/csv``) therefore
puts ``'`` in front of every segment of a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return: the cell's start and every position after a ``,``, ``;``, tab or line
break inside it, because a Norwegian spreadsheet splits the comma-separated answer on ``;``
(``Tittel;=1+1`` becomes ``Tittel;'=1+1``). The rule is :mod:`registry.csvcells`, shared with
the registry's CSV exports; cells that are plain numbers (``-5``, ``+1.5e3``) stay as they
are, so numeric columns stay numbers. For the exact values use SPARQL JSON, XML or TSV (TSV
writes RDF terms: literals in quotes).

Programs that read the CSV themselves can ask for it unescaped, exactly as SPARQL 1.1 CSV
defines it, with the protocol parameter ``csv=raw`` (``endpoint/sparql/routes.py``;
docs/endpoint.md):
the endpoint then evaluates the query to TSV and writes CSV from that with
:func:`csv_from_tsv`, without escaping. The default stays escaped. Raw CSV opened in a
spreadsheet runs the formulas the data contains: that is the documented price of exactness.

Imported by the query worker process: the standard library (and the standard-library-only
:mod:`registry.csvcells`) at import time.
"""

from __future__ import annotations

from registry.sparql import csvcells

#: Values of the ``csv`` protocol parameter: escaped (the default) or as SPARQL 1.1 defines it.
CSV_MODES = ("safe", "raw")


def needs_escape(cell: str) -> bool:
    """Whether ``cell`` would be taken for a formula by a spreadsheet (in any segment)."""
    return csvcells.needs_escape(cell, keep_numbers=True)


def escape_cell(cell: str) -> str:
    return csvcells.escape_cell(cell, keep_numbers=True)


def escape_csv(body: bytes) -> bytes:
    """``body`` (SPARQL CSV, UTF-8, CRLF) with formula-like cells escaped; unchanged, byte for
    byte, when no cell needs it."""
    return csvcells.escape_csv(body, keep_numbers=True)


def csv_from_tsv(body: bytes) -> bytes:
    """SPARQL 1.1 CSV, unescaped, of a SPARQL TSV answer (SELECT rows or an ASK boolean):
    the same bytes the evaluator writes as CSV directly."""
    import pyoxigraph as ox

    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    try:
        return parsed.serialize(format=ox.QueryResultsFormat.CSV) or b""
    finally:
        del parsed  # dropped in this thread, not by a traceback freed in another
