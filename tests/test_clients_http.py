"""What other real clients send, over a real socket: SPARQLWrapper's XML readers on answers
holding a character XML 1.0 cannot carry, the default Accept headers of JavaScript HTTP
libraries on ``/id/…`` IRIs, and a media type written by hand in a ``format=`` parameter.

Findings of a real-clients audit (docs/endpoint.md, docs/pages.md):

* a control character in a literal made SPARQL XML and RDF/XML answers ill-formed, and
  SPARQLWrapper's XML and RDF/XML readers (its default is XML) failed; it is now U+FFFD in the
  XML formats only (`registry.rdf.writing.xml_safe`), on the embedded store and behind Oxigraph's
  server and Virtuoso;
* axios's and Angular's default ``Accept: application/json, text/plain, */*`` got the HTML page
  of an ``/id/…`` IRI (at equal q the page's order put HTML first, reached through ``*/*``); a
  type named outright now beats a wildcard at equal q, as at ``/sparql``;
* ``?format=application/sparql-results+json`` typed into a URL arrives as
  ``application/sparql-results json`` (an unencoded ``+`` is a space) and was 400
  ``unknown-format``, at ``/sparql`` and on ``/id/…``."""

from __future__ import annotations

import shutil
import xml.dom.minidom
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
import requests
from SPARQLWrapper import GET, JSON, POST, RDFXML, XML, SPARQLWrapper

from endpoint.app import create_app
from endpoint.server import Server
from registry.service import Registry
from tests.conftest import BASE
from tests.endpoint_server import Running, running

#: a value with two characters XML 1.0 forbids (U+0001, U+000C), and as the XML formats write it
CONTROL = "a\x01b\x0cc"
AS_XML = "a\ufffdb\ufffdc"
SELECT_CONTROL = 'SELECT ?x WHERE { BIND("a\\u0001b\\u000Cc" AS ?x) }'
CONSTRUCT_CONTROL = (
    'CONSTRUCT { <http://example.org/s> <http://example.org/p> ?x }'
    ' WHERE { BIND("a\\u0001b\\u000Cc" AS ?x) }'
)
NO0054 = "id/commitment/NO0054"


@pytest.fixture(scope="module")
def srv(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = tmp_path_factory.mktemp("clients-http") / "store"
    shutil.copytree(initialised_store, store)
    with running(store) as r:
        yield r


def wrapper(srv: Running, query: str, fmt: str, method: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(srv.sparql)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw


# -- characters XML cannot carry ------------------------------------------------------------
# with and without the query's own LIMIT: the workers write those two ways (uncapped, or TSV
# under the row cap converted to the format asked for)
@pytest.mark.parametrize("limit", ["", " LIMIT 5"])
@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_xml_reads_a_control_character(srv: Running, method: str, limit: str) -> None:
    doc = wrapper(srv, SELECT_CONTROL + limit, XML, method).queryAndConvert()
    assert isinstance(doc, xml.dom.minidom.Document)
    literals = doc.getElementsByTagName("literal")
    assert [n.firstChild.data for n in literals] == [AS_XML]  # type: ignore[union-attr]
    # JSON carries the value exactly
    answer = wrapper(srv, SELECT_CONTROL + limit, JSON, method).queryAndConvert()
    assert isinstance(answer, dict)
    assert [b["x"]["value"] for b in answer["results"]["bindings"]] == [CONTROL]


# SPARQLWrapper 2.0 converts RDF answers with rdflib's deprecated ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_rdfxml_reads_a_control_character(srv: Running) -> None:
    graph = wrapper(srv, CONSTRUCT_CONTROL, RDFXML, GET).queryAndConvert()
    assert isinstance(graph, rdflib.Graph)
    assert [str(o) for o in graph.objects()] == [AS_XML]
    # Turtle keeps it
    r = requests.get(
        srv.sparql, params={"query": CONSTRUCT_CONTROL}, headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert [str(o) for o in rdflib.Graph().parse(data=r.text, format="turtle").objects()] == [
        CONTROL
    ]


# -- JavaScript libraries' default Accept headers on /id/ ------------------------------------
CLIENT_HEADERS = [
    # axios and Angular's HttpClient by default
    ("application/json, text/plain, */*", "application/ld+json"),
    # jQuery.getJSON
    ("application/json, text/javascript, */*; q=0.01", "application/ld+json"),
    ("text/turtle, */*", "text/turtle"),
    ("application/ld+json, */*", "application/ld+json"),
    ("application/rdf+xml, text/*", "application/rdf+xml"),
    # unchanged: a browser, the fetch API's default, no Accept, a wildcard alone
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("*/*", "text/html"),
    ("text/*", "text/html"),
    ("", "text/html"),
    # both named outright at equal q: the page's order (HTML first) still decides
    ("application/ld+json, text/html", "text/html"),
]


@pytest.mark.parametrize(("accept", "expected"), CLIENT_HEADERS)
def test_a_type_named_outright_beats_a_wildcard_on_id_iris(
    srv: Running, accept: str, expected: str
) -> None:
    r = requests.get(srv.url + NO0054, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert r.headers["Vary"] == "Accept"


# -- a media type typed into a URL -----------------------------------------------------------
def test_a_media_types_unencoded_plus_in_format(srv: Running) -> None:
    q = quote("SELECT ?s WHERE { ?s a ogp:Plan } LIMIT 1")
    c = quote("CONSTRUCT WHERE { ?s a ogp:Plan } LIMIT 1")
    for query, fmt, media in (
        (q, "application/sparql-results+json", "application/sparql-results+json"),
        (q, "application/sparql-results+xml", "application/sparql-results+xml"),
        (c, "application/ld+json", "application/ld+json"),
        (c, "application/rdf+xml", "application/rdf+xml"),
    ):
        # the "+" as typed (requests sends it as it is): the server reads a space
        r = requests.get(f"{srv.sparql}?query={query}&format={fmt}", timeout=30)
        assert r.status_code == 200, (fmt, r.text)
        assert r.headers["Content-Type"] == f"{media}; charset=utf-8"
    r = requests.get(f"{srv.url}{NO0054}?format=application/ld+json", timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    assert f"{BASE}{NO0054}" in r.text
    # a value that is no format stays an error
    r = requests.get(f"{srv.sparql}?query={q}&format=application/sparql+results", timeout=30)
    assert r.status_code == 400 and r.json()["error"] == "unknown-format"


# -- the same behind an external engine (endpoint/sparql/remote_executor.py) -----------------
def test_xml_answers_from_an_external_engine_are_well_formed(remote_registry: Registry) -> None:
    settings = replace(remote_registry.settings, query_workers=1)
    app = create_app(settings, registry=remote_registry)
    server = Server(app, host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        # SPARQL XML with the query's own LIMIT (Oxigraph's bytes as they are) and without
        # (the engine's rows under the row cap, written here), and RDF/XML
        for query, accept in (
            (SELECT_CONTROL + " LIMIT 5", "application/sparql-results+xml"),
            (SELECT_CONTROL, "application/sparql-results+xml"),
            (CONSTRUCT_CONTROL, "application/rdf+xml"),
        ):
            r = requests.get(
                server.url + "sparql", params={"query": query}, headers={"Accept": accept},
                timeout=60,
            )
            assert r.status_code == 200, r.text
            doc = xml.dom.minidom.parseString(r.content)  # raises if not well-formed
            assert AS_XML in "".join(
                t.data for t in _texts(doc.documentElement)
            ), (query, r.text)
    finally:
        server.close()


def _texts(node: xml.dom.minidom.Node) -> Iterator[xml.dom.minidom.Text]:
    for child in node.childNodes:
        if isinstance(child, xml.dom.minidom.Text):
            yield child
        else:
            yield from _texts(child)
