"""SPARQL Query Results XML that XML parsers read: no character XML 1.0 forbids.

A literal may hold a control character (U+0001–U+0008, U+000B, U+000C, U+000E–U+001F), or
U+FFFE / U+FFFF: Turtle, N-Triples, JSON and TSV write them (escaped or as they are), and a
submission or a query's ``BIND("a\\u0001b" AS ?x)`` can bring one in. XML 1.0 has no way to
write them at all, and pyoxigraph writes them as they are: the answer was not well-formed, and
SPARQLWrapper's and rdflib's XML readers (the default format of both, and of rdflib's
``SPARQLStore``) failed on the whole answer. Such a character is written as U+FFFD instead
(:func:`registry.rdf.writing.xml_safe`, which RDF/XML answers get from the RDF writer itself),
as the Atom feed does (``registry/publish/atom.py``); JSON, CSV, TSV and the other RDF formats
keep the value exactly (docs/endpoint.md, "Formats").
"""

from __future__ import annotations

from registry.rdf.writing import xml_safe

#: the answer formats (the protocol's short names, endpoint/conneg.py) that are XML and not
#: written by the RDF writer (RDF/XML is made safe there)
XML_FORMATS = frozenset({"xml"})


def written(body: bytes, fmt: str) -> bytes:
    """An answer in the format named ``fmt`` as it may be sent: :func:`xml_safe` for the XML
    formats, any other unchanged."""
    return xml_safe(body) if fmt in XML_FORMATS else body
