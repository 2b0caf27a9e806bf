"""XML answers that XML parsers read: SPARQL Query Results XML and RDF/XML with no character
XML 1.0 forbids.

A literal may hold a control character (U+0001–U+0008, U+000B, U+000C, U+000E–U+001F), or
U+FFFE / U+FFFF: Turtle, N-Triples, JSON and TSV write them (escaped or as they are), and a
submission or a query's ``BIND("a\\u0001b" AS ?x)`` can bring one in. XML 1.0 has no way to
write them at all, not even as a character reference, and pyoxigraph writes them as they are:
the answer was not well-formed, and SPARQLWrapper's and rdflib's XML readers (the default format
of both, and of rdflib's ``SPARQLStore``) failed on the whole answer. Such a character is written
as U+FFFD (the replacement character) instead, as the Atom feed does
(``registry/publish/atom.py``); JSON, CSV, TSV and the other RDF formats keep the value exactly
(docs/endpoint.md, "Formats").

The bytes are UTF-8, whose multi-byte sequences never contain a byte below 0x80, so the control
characters are found byte by byte, and U+FFFE / U+FFFF are the only characters encoded as
``EF BF BE`` / ``EF BF BF``.
"""

from __future__ import annotations

import re

#: what XML 1.0 cannot carry, in UTF-8 (NUL cannot be in an RDF literal, but costs nothing)
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_REPLACEMENT = "\ufffd".encode()

#: the answer formats (the protocol's short names, endpoint/conneg.py) that are XML
XML_FORMATS = frozenset({"xml", "rdfxml"})


def xml_safe(body: bytes) -> bytes:
    """``body`` (UTF-8 XML) with every character XML 1.0 forbids replaced by U+FFFD; the same
    object when there is none (the usual case: one scan, no copy)."""
    if _NOT_XML.search(body) is None:
        return body
    return _NOT_XML.sub(_REPLACEMENT, body)


def written(body: bytes, fmt: str) -> bytes:
    """An answer in the format named ``fmt`` as it may be sent: :func:`xml_safe` for the XML
    formats, any other unchanged."""
    return xml_safe(body) if fmt in XML_FORMATS else body
