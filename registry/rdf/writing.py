"""Writing RDF with pyoxigraph, and RDF/XML where pyoxigraph's writer gets it wrong.

pyoxigraph 0.5 writes a statement whose predicate, or whose ``rdf:type`` object, ends in
something that cannot be an XML name (``…/plan/2013-2015``, ``…/p/2013``) as an element
``<oxprefix: xmlns:oxprefix="…">``: not well-formed XML, which XML parsers refuse
(oxigraph/oxigraph#1859; a real-clients audit met it in a CONSTRUCT answer). :func:`serialize`
writes such statements through rdflib instead, which gives ``rdf:type`` as ``rdf:resource``
and refuses a predicate RDF/XML cannot name (:class:`ValueError`); everything else goes
straight through pyoxigraph.

RDF/XML holds only the characters XML 1.0 allows (:func:`xml_safe`): a literal may hold a
control character (U+0001–U+0008, U+000B, U+000C, U+000E–U+001F) or U+FFFE / U+FFFF (Turtle,
N-Triples and JSON write them; a submission or a query's ``BIND`` can bring one in), which XML
1.0 cannot write at all, not even as a character reference, while pyoxigraph and rdflib write
it as it is: every XML reader then refuses the whole document. Such a character is written as
U+FFFD (the replacement character) in RDF/XML, whatever writes it: ``/sparql`` answers, pages'
``/id/…`` representations, ``ogpreg export`` and the Graph Store. SPARQL XML results use the
same function, and the Atom feed :func:`xml_text` (the same rule on text); the other formats
keep the value exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: an XML name (NCName) as an RDF/XML writer can end an element name with (a simplification
#: of XML's: letters, digits and ``._-`` after a letter or ``_``; other characters beyond ASCII)
_NCNAME = re.compile(r"[A-Za-z_\u00C0-\U000EFFFF][A-Za-z0-9._\-\u00B7\u00C0-\U000EFFFF]*")
_LOCAL = re.compile(r"[^/#:]*$")
#: what XML 1.0 cannot carry, in UTF-8 (multi-byte sequences never hold a byte below 0x80, and
#: U+FFFE / U+FFFF are the only characters encoded as EF BF BE / EF BF BF)
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_REPLACEMENT = "\ufffd".encode()
#: the same characters in text, and a lone surrogate (which no UTF-8 text holds, but a text
#: decoded with ``surrogateescape`` can)
_NOT_XML_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(body: bytes) -> bytes:
    """``body`` (UTF-8 XML) with every character XML 1.0 forbids replaced by U+FFFD; the same
    object when there is none (the usual case: one scan, no copy)."""
    if _NOT_XML.search(body) is None:
        return body
    return _NOT_XML.sub(_REPLACEMENT, body)


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD: :func:`xml_safe` for
    text that an XML writer (the Atom feed's ElementTree) is about to write."""
    return _NOT_XML_TEXT.sub("\ufffd", text)


def xml_name_ok(iri: str) -> bool:
    """Whether ``iri`` ends in a part an RDF/XML element name can take."""
    local = _LOCAL.search(iri)
    return local is not None and _NCNAME.fullmatch(local.group(0)) is not None


def _needs_rdflib(triples: Iterable[ox.Triple]) -> bool:
    checked: set[str] = set()  # a graph has few predicates and types: each checked once
    for t in triples:
        p = t.predicate.value
        if p not in checked:
            if not xml_name_ok(p):
                return True
            checked.add(p)
        if p == _RDF_TYPE and isinstance(t.object, ox.NamedNode):
            o = t.object.value
            if o not in checked:
                if not xml_name_ok(o):
                    return True
                checked.add(o)
    return False


def serialize(
    items: Iterable[Any], format: ox.RdfFormat, prefixes: Mapping[str, str] | None = None  # noqa: A002
) -> bytes:
    """``items`` (triples, or quads in a dataset format) in ``format``; RDF/XML well-formed
    (see the module docstring). Raises :class:`ValueError` for a predicate RDF/XML cannot
    write."""
    known = dict(prefixes) if prefixes else None
    if format != ox.RdfFormat.RDF_XML:
        return ox.serialize(items, format=format, prefixes=known) or b""
    triples = [t if isinstance(t, ox.Triple) else ox.Triple(t.subject, t.predicate, t.object)
               for t in items]
    if not _needs_rdflib(triples):
        return xml_safe(ox.serialize(triples, format=format, prefixes=known) or b"")
    from rdflib import Graph

    from registry.rdf.convert import quads_to_graph

    graph: Graph = quads_to_graph(triples)
    for name, ns in (prefixes or {}).items():
        graph.bind(name, ns)
    try:
        return xml_safe(graph.serialize(format="xml", encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - rdflib: "Can't split …" and the like
        raise ValueError(
            f"RDF/XML cannot write this answer ({exc}); ask for Turtle or N-Triples"
        ) from exc
