"""Conversion between pyoxigraph terms (storage, queries) and rdflib terms (pySHACL)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value, datatype=None if dt == _XSD_STRING else URIRef(dt))
    raise TypeError(f"RDF-star triple terms are not supported: {term!r}")


def to_ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def quads_to_graph(quads: Iterable[ox.Quad | ox.Triple], graph: Graph | None = None) -> Graph:
    """Add the triples of ``quads`` (graph names ignored) to an rdflib graph."""
    g = Graph() if graph is None else graph
    for q in quads:
        g.add(
            (
                to_rdflib_term(q.subject),
                to_rdflib_term(q.predicate),
                to_rdflib_term(q.object),
            )
        )
    return g


def graph_to_quads(graph: Graph, graph_name: ox.NamedNode | None = None) -> list[ox.Quad]:
    gn = graph_name if graph_name is not None else ox.DefaultGraph()
    out = []
    for s, p, o in graph:
        subject, predicate = to_ox_term(s), to_ox_term(p)
        assert not isinstance(subject, ox.Literal) and isinstance(predicate, ox.NamedNode)
        out.append(ox.Quad(subject, predicate, to_ox_term(o), gn))
    return out
