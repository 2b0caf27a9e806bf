"""Serialising SPARQL results: readable tables for people, standard formats for programs.

CSV is what people open in spreadsheets, so ``csv`` is escaped against formula injection as the
endpoint's default CSV is (:mod:`registry.csvcells`: ``'`` in front of every segment of a cell
that would start a formula; plain numbers stay). The exact values are in ``json``, ``xml`` and
``tsv``.
"""

from __future__ import annotations

import pyoxigraph as ox

from registry.errors import UsageError
from registry.i18n import DEFAULT_LANG, N_, Lang, gettext, msg, msg_n, shown
from registry.namespaces import PREFIXES
from registry.rdf.writing import serialize as write_rdf
from registry.sparql.csvcells import escape_csv

SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
ALL_FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
_MAX_CELL = 70


def compact(term: object) -> str:
    """A short, readable form of an RDF term for tables."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return term.value
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def _table(header: list[str], rows: list[list[str]]) -> str:
    # one line per row, and nothing from the data that a terminal would act on
    rows = [[shown(c, one_line=True) for c in r] for r in rows]
    rows = [[c if len(c) <= _MAX_CELL else c[: _MAX_CELL - 1] + "…" for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out) + "\n"


def _wrong_kind(fmt: str, kind: str, allowed: tuple[str, ...]) -> UsageError:
    return UsageError(
        msg(
            "The format {fmt} does not fit a {kind} query. Allowed values: {allowed}.",
            fmt=fmt,
            kind=kind,
            allowed=", ".join(allowed),
        )
    )


#: The columns of a table of triples (msgids).
TRIPLE_COLUMNS: tuple[str, ...] = (
    N_("subject"),
    N_("predicate"),
    # TRANSLATORS: the third part of an RDF triple, a column of 'ogpreg query' tables
    N_("object"),
)


def serialize(result: Result, fmt: str, lang: Lang = DEFAULT_LANG) -> bytes:
    """Serialise a query result in ``fmt`` (one of :data:`ALL_FORMATS`); the readable
    ``table`` has its words (the count, the columns of triples) in ``lang``; an ASK answer is
    ``true`` or ``false`` in every language."""
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            header = [v.value for v in result.variables]
            rows = [[compact(sol[v]) for v in result.variables] for sol in result]
            count = msg_n("({n} row)", "({n} rows)", len(rows)).render(lang)
            return (_table(header, rows) + count + "\n").encode("utf-8")
        if fmt not in SOLUTION_FORMATS:
            raise _wrong_kind(fmt, "SELECT", ("table", *SOLUTION_FORMATS))
        out = result.serialize(format=SOLUTION_FORMATS[fmt])
        if fmt == "csv" and out is not None:
            out = escape_csv(out)
    elif isinstance(result, ox.QueryBoolean):
        if fmt == "table":  # the value itself, in every language (scripts read it)
            return b"true\n" if bool(result) else b"false\n"
        if fmt not in SOLUTION_FORMATS:
            raise _wrong_kind(fmt, "ASK", ("table", *SOLUTION_FORMATS))
        out = result.serialize(format=SOLUTION_FORMATS[fmt])
    else:
        if fmt == "table":
            rows = [[compact(t.subject), compact(t.predicate), compact(t.object)] for t in result]
            header = [gettext(lang, c) for c in TRIPLE_COLUMNS]
            count = msg_n("({n} triple)", "({n} triples)", len(rows)).render(lang)
            return (_table(header, rows) + count + "\n").encode("utf-8")
        if fmt not in GRAPH_FORMATS:
            raise _wrong_kind(fmt, "CONSTRUCT/DESCRIBE", ("table", *GRAPH_FORMATS))
        out = write_rdf(result, GRAPH_FORMATS[fmt])
    assert out is not None
    return out
