"""Query text for an external engine: the query's form, the registry's prefixes and base IRI as
its prologue, values bound as a ``VALUES`` block (terms serialised by pyoxigraph, never
formatted by hand), and the dataset a caller names as IRIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from registry.errors import QueryError
from registry.i18n import msg
from registry.sparql.lexer import TOKEN
from registry.store.engines.base import nt

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these words outside strings, IRIs
    and comments."""
    for m in TOKEN.finditer(text):
        if m.lastgroup == "word":
            word = m.group("word").upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return word
    return "SELECT"


def _values_block(substitutions: Mapping[ox.Variable, Term]) -> str:
    names = []
    terms = []
    for var, term in substitutions.items():
        if isinstance(term, (ox.BlankNode, ox.Triple)):
            raise QueryError(
                msg(
                    "A blank node or a triple term cannot be bound in a query to an external "
                    "SPARQL engine.",
                )
            )
        names.append(f"?{var.value}")
        terms.append(nt(term))
    return f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "


def bind_values(query: str, substitutions: Mapping[ox.Variable, Term]) -> str:
    """``query`` with ``substitutions`` as a VALUES block opening its outermost group (the
    first ``{`` after a top-level ``WHERE``, else the first top-level ``{``). For a
    ``CONSTRUCT WHERE { … }`` short form the block goes after the query instead."""
    block = _values_block(substitutions)
    depth = 0
    first: int | None = None
    after_where = False
    where_brace: int | None = None
    constructs = False
    for m in TOKEN.finditer(query):
        kind = m.lastgroup
        if kind == "word" and depth == 0:
            word = m.group("word").upper()
            if word == "WHERE":
                after_where = True
            elif word == "CONSTRUCT":
                constructs = True
        elif kind == "other":
            ch = m.group("other")
            if ch == "{":
                if depth == 0:
                    if first is None:
                        first = m.end()
                    if after_where and where_brace is None:
                        where_brace = m.end()
                depth += 1
            elif ch == "}":
                depth -= 1
    if where_brace is not None and not (constructs and where_brace == first):
        pos = where_brace
    elif first is not None and not constructs:
        pos = first
    else:
        return query + "\n" + block
    return query[:pos] + block + query[pos:]


def prologue(prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    head = f"BASE <{base_iri}>\n" if base_iri else ""
    for name, iri in (prefixes or {}).items():
        head += f"PREFIX {name}: <{iri}>\n"
    return head


def graph_iris(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, (list, tuple, set)) else [value]
    out = []
    for g in items:
        if isinstance(g, ox.DefaultGraph):
            continue
        out.append(g.value if isinstance(g, ox.NamedNode) else str(g))
    return out
