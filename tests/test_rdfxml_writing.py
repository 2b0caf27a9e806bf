"""RDF/XML that XML parsers read (registry/rdf/writing.py): pyoxigraph 0.5 writes a predicate,
or an ``rdf:type`` object, that cannot end an XML element name as ``<oxprefix:>``, which is not
well-formed; a real-clients audit got it from ``CONSTRUCT { ?c a ?plan }`` (the plans' IRIs end
in ``2013-2015``), and SPARQLWrapper's RDF/XML reader failed. The IRIs here are invented."""

from __future__ import annotations

import xml.dom.minidom

import pyoxigraph as ox
import pytest
import requests

from registry.rdf.writing import serialize, xml_name_ok, xml_safe, xml_text
from tests.conftest import BASE
from tests.endpoint_server import Served, servers, serving

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
S = ox.NamedNode("http://example.org/s")


@pytest.mark.parametrize(
    "triple",
    [
        ox.Triple(S, RDF_TYPE, ox.NamedNode("http://example.org/plan/2013-2015")),
        ox.Triple(S, RDF_TYPE, ox.NamedNode("http://example.org/Class")),
        ox.Triple(S, ox.NamedNode("http://example.org/p/title"), ox.Literal("t", language="nb")),
        ox.Triple(S, RDF_TYPE, ox.NamedNode("http://example.org/classes#")),
    ],
)
def test_rdfxml_is_well_formed_and_says_the_same(triple: ox.Triple) -> None:
    body = serialize([triple], ox.RdfFormat.RDF_XML)
    xml.dom.minidom.parseString(body)  # a namespace-aware XML parser: raises if ill-formed
    assert [q.triple for q in ox.parse(body, format=ox.RdfFormat.RDF_XML)] == [triple]


def test_a_predicate_rdfxml_cannot_name_is_refused_clearly() -> None:
    assert not xml_name_ok("http://example.org/p/2013") and xml_name_ok("http://example.org/p/a")
    with pytest.raises(ValueError, match="Turtle"):
        serialize([ox.Triple(S, ox.NamedNode("http://example.org/p/2013"), ox.Literal("x"))],
                  ox.RdfFormat.RDF_XML)


@pytest.fixture(scope="module", params=servers())
def srv(request: pytest.FixtureRequest, initialised_store, tmp_path_factory) -> Served:  # type: ignore[no-untyped-def]
    import shutil

    store = tmp_path_factory.mktemp("rdfxml") / "store"
    shutil.copytree(initialised_store, store)
    with serving(request.param, store) as s:
        yield s


def test_the_audits_construct_comes_back_as_well_formed_rdfxml(srv: Served) -> None:
    query = ("PREFIX ogp: <https://w3id.org/ogp-no/def#> "
             "CONSTRUCT { ?c a ?plan } WHERE { ?c ogp:inActionPlan ?plan } LIMIT 5")
    r = requests.get(srv.url + "sparql", params={"query": query}, timeout=60,
                     headers={"Accept": "application/rdf+xml"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/rdf+xml")
    xml.dom.minidom.parseString(r.content)
    got = [q.triple for q in ox.parse(r.content, format=ox.RdfFormat.RDF_XML)]
    assert len(got) == 5 and all(t.object.value.startswith(BASE + "id/plan/") for t in got)


#: what XML 1.0 allows (tab, newline, carriage return, and the rest from U+0020) and what it
#: does not (other C0 controls, U+FFFE, U+FFFF; a lone surrogate in text)
_KEPT = "a\tb\nc\rd \u00e6\u00f8\u00e5 \ud7ff\ue000\ufffd\U0001f600"
_REFUSED = "\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff"


def test_bytes_and_text_follow_one_rule() -> None:
    """``xml_safe`` (bytes: SPARQL XML, RDF/XML) and ``xml_text`` (text: the Atom feed) keep
    what XML 1.0 allows and replace what it does not by U+FFFD, one for one."""
    assert xml_text(_KEPT) == _KEPT
    assert xml_safe(_KEPT.encode()) == _KEPT.encode()
    assert xml_text(_REFUSED) == "\ufffd" * len(_REFUSED)
    assert xml_safe(_REFUSED.encode()) == ("\ufffd" * len(_REFUSED)).encode()
    assert xml_text("x\udc80y") == "x\ufffdy"  # surrogateescape's leftover of a bad byte
    for text in (_KEPT, _REFUSED, "<t>" + _REFUSED + _KEPT + "</t>"):
        assert xml_safe(text.encode()) == xml_text(text).encode()
        xml.dom.minidom.parseString("<t>" + xml_text(text).replace("<", "&lt;") + "</t>")
