"""The answer to a query as the query page shows it without JavaScript (``/query?query=…&run=1``,
what the page's form asks for when no script sends the query itself).

The query goes the way the protocol's does (``endpoint/sparql/routes.py``): the same refusals
(nesting, ``SERVICE``), the same executor with its admission, time limit, row cap and answer
cache, asked for SPARQL JSON results or N-Triples, the formats the page's script asks for. The
answer becomes a table the template draws as the script would (``endpoint/static/ui/query.js``,
``renderTable``): short IRIs, links to this server's pages, language tags and datatypes. The
SPARQL protocol itself is untouched: ``/sparql`` answers clients as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import request

from endpoint.app import state
from endpoint.sparql.answers import Answer, QueryRequest
from endpoint.sparql.description import dumps_url
from registry.errors import RegistryError
from registry.i18n import Lang
from registry.namespaces import PREFIXES
from registry.sparql.querytext import admitted
from registry.sparql.syntax import QuerySyntaxError

XSD = "http://www.w3.org/2001/XMLSchema#"
#: the XSD types shown as numbers (right-aligned, no datatype), as query.js has them
NUMERIC = frozenset(
    "integer decimal double float long int short byte nonNegativeInteger positiveInteger "
    "negativeInteger nonPositiveInteger unsignedLong unsignedInt unsignedShort unsignedByte".split()
)
#: the XSD types shown without their datatype
QUIET = frozenset({"string", "boolean"})


@dataclass(frozen=True)
class Cell:
    """One term in a table cell: its text, and a link, a language or a suffix (``@en``,
    ``xsd:date``) where it has one."""

    kind: str  # iri, bnode, literal, triple
    text: str
    href: str = ""
    title: str = ""
    lang: str = ""
    suffix: str = ""
    numeric: bool = False


@dataclass
class Shown:
    """What the page shows for a query: a table (``columns``, ``rows``), a yes or no (``boolean``),
    or an error (``error``, and ``position`` for a syntax error: ``line:column``)."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    unit: str = "rows"  # rows or triples
    boolean: bool | None = None
    truncated: bool = False
    row_cap: int = 0
    dumps: str = ""
    error: str = ""
    position: str = ""


def short_iri(iri: str, base: str) -> str:
    """Relative to the base URI, or ``prefix:local`` (the longest namespace), else the IRI."""
    if base and iri.startswith(base) and len(iri) > len(base):
        return iri[len(base):]
    best = ""
    for p, ns in PREFIXES.items():
        longer = not best or len(ns) > len(PREFIXES[best])
        if iri.startswith(ns) and len(iri) > len(ns) and longer:
            best = p
    if best:
        local = iri[len(PREFIXES[best]):]
        if (local[0].isalnum() or local[0] == "_") and all(
            c.isalnum() or c in "_-./" for c in local
        ):
            return f"{best}:{local}"
    return iri


def _iri(value: str, base: str, root: str) -> Cell:
    label = short_iri(value, base)
    if not value.lower().startswith(("http://", "https://")):
        return Cell("iri", label)
    href = root + value[len(base):] if base and value.startswith(base) else value
    return Cell("iri", label, href=href, title=value if label != value else "")


def _literal(value: str, lang: str | None, datatype: str | None) -> Cell:
    if lang:
        return Cell("literal", value, lang=lang, suffix="@" + lang)
    if datatype and datatype.startswith(XSD):
        local = datatype[len(XSD):]
        if local in NUMERIC:
            return Cell("literal", value, numeric=True)
        return Cell("literal", value, suffix="" if local in QUIET else "xsd:" + local)
    if datatype:
        return Cell("literal", value, suffix="^^" + short_iri(datatype, ""))
    return Cell("literal", value)


def _json_term(term: dict[str, Any] | None, base: str, root: str) -> Cell | None:
    """A term of SPARQL 1.1 JSON results."""
    if not term:
        return None
    kind = term.get("type")
    if kind == "uri":
        return _iri(str(term["value"]), base, root)
    if kind == "bnode":
        return Cell("bnode", "_:" + str(term["value"]))
    if kind == "triple":
        parts = [_json_term(term["value"].get(k), base, root) for k in ("subject", "predicate",
                                                                          "object")]
        return Cell("triple", "<< " + " ".join(c.text for c in parts if c) + " >>")
    return _literal(str(term.get("value", "")), term.get("xml:lang"), term.get("datatype"))


def _ox_term(term: Any, base: str, root: str) -> Cell:
    """A term of an N-Triples answer."""
    if isinstance(term, ox.NamedNode):
        return _iri(term.value, base, root)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", "_:" + term.value)
    if isinstance(term, ox.Triple):
        parts = [_ox_term(t, base, root) for t in (term.subject, term.predicate, term.object)]
        return Cell("triple", "<< " + " ".join(c.text for c in parts) + " >>")
    return _literal(term.value, term.language, term.datatype.value if term.datatype else None)


def _table(answer: Answer, base: str, root: str) -> Shown:
    if answer.format == "ntriples":
        triples = ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
        rows: list[list[Cell | None]] = [
            [_ox_term(t.subject, base, root), _ox_term(t.predicate, base, root),
             _ox_term(t.object, base, root)]
            for t in triples
        ]
        return Shown(columns=["subject", "predicate", "object"], rows=rows, unit="triples")
    doc = json.loads(answer.body)
    if isinstance(doc.get("boolean"), bool):
        return Shown(boolean=doc["boolean"])
    columns = [str(v) for v in doc.get("head", {}).get("vars", [])]
    bindings = doc.get("results", {}).get("bindings", [])
    return Shown(columns=columns, rows=[[_json_term(b.get(v), base, root) for v in columns]
                                        for b in bindings])


def run_for_page(query: str, lang: Lang, root: str) -> Shown:
    """Evaluate ``query`` as ``/sparql`` would and give what the page shows: the answer, or
    the error in ``lang``. ``root`` is where this server's pages are (links to IRIs under the
    base URI go there)."""
    st = state()
    settings = st.settings
    try:
        text = admitted(query)  # the refusals of /sparql
        req = QueryRequest(
            query=query,
            solutions_format="json",
            graph_format="ntriples",
            row_cap=settings.row_cap,
            union_default=not text.has_dataset,
        )
        answer = st.extras["executor"].execute(req, client=request.remote_addr or "unknown")
    except QuerySyntaxError as exc:
        return Shown(error=exc.render(lang), position=f"{exc.line}:{exc.column}")
    except RegistryError as exc:
        return Shown(error=exc.render(lang))
    shown = _table(answer, settings.base_uri, root)
    if answer.truncated:
        shown.truncated = True
        shown.row_cap = settings.row_cap
        shown.dumps = dumps_url(root)
    return shown
