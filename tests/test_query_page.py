"""Shareable queries (issue 19): ``/sparql?query=…`` opened by a browser shows the query page
with the query, while SPARQL clients (SPARQLWrapper, Jena's and curl's Accept headers) get
exactly the answer; CONSTRUCT and DESCRIBE downloads; the registry's prefixes predeclared on
``/sparql`` as in ``ogpreg query`` and named in the service description; syntax errors as
line, column and what was expected, in the reader's language; the site menu on the query page.

The real app under both servers of ``ogpreg serve`` (waitress, granian) on a free port
(tests/endpoint_server.py), over real HTTP with ``requests`` and SPARQLWrapper."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from ogpreg.cli import main
from registry.namespaces import PREFIXES
from tests.conftest import BASE
from tests.endpoint_server import Served, copy_store, servers, serving
from tests.test_ui import Page

#: What browsers send when they open a link (Firefox 128, Chromium 126, Safari 17).
BROWSERS = {
    "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "chromium": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "safari": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}
#: What SPARQL clients send: Jena's defaults (RDFConnection / QueryExecutionHTTP, SELECT and
#: the combined one), SPARQLWrapper 2's for JSON, XML, and its default for any query, curl.
CLIENTS = {
    "jena-select": "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, "
    "application/xml;q=0.2, */*;q=0.1",
    "jena-graph": "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,"
    "application/rdf+xml;q=0.7,*/*;q=0.5",
    "sparqlwrapper-json": "application/sparql-results+json,application/json,text/javascript,"
    "application/javascript",
    "sparqlwrapper-xml": "application/sparql-results+xml",
    "sparqlwrapper-default": "application/sparql-results+xml,application/rdf+xml,*/*",
    "curl": "*/*",
    "none": "",
}
SELECT = "SELECT ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id } ORDER BY ?id"
CONSTRUCT = (
    "CONSTRUCT { ?c dct:title ?t } WHERE { ?c a ogp:Commitment ; dct:title ?t "
    'FILTER(lang(?t) = "en") }'
)


@pytest.fixture(scope="module", params=servers())
def server(
    request: pytest.FixtureRequest,
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("qpage") / "store")
    with serving(request.param, store) as srv:
        yield srv


def get(srv: Served, path: str, **kw: object) -> requests.Response:
    return requests.get(urljoin(srv.url, path), timeout=60, **kw)  # type: ignore[arg-type]


# -- a shared link -----------------------------------------------------------------------------
@pytest.mark.parametrize("browser", sorted(BROWSERS))
def test_a_shared_sparql_link_opens_the_query_page_with_the_query_in_a_browser(
    server: Served, browser: str
) -> None:
    resp = get(server, "sparql", params={"query": SELECT},
               headers={"Accept": BROWSERS[browser]})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in resp.headers["Vary"]
    page = Page(resp.text)
    assert page.by_id("query-editor")[2] == SELECT
    data = json.loads(page.by_id("ui-data")[2])
    assert data["run"] is True  # the page runs it: the link shows its answer
    # HEAD says the same
    head = requests.head(urljoin(server.url, "sparql"), params={"query": SELECT},
                         headers={"Accept": BROWSERS[browser]}, timeout=60)
    assert head.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_sparql_clients_still_get_the_answer_to_a_query(server: Served, client: str) -> None:
    """A GET with a client's Accept gets what the protocol answers (the same as a form POST
    with that Accept, a path that never shows the page): the answer, never HTML."""
    for query in (SELECT, CONSTRUCT):
        headers = {"Accept": CLIENTS[client]}
        resp = get(server, "sparql", params={"query": query}, headers=headers)
        posted = requests.post(server.sparql, data={"query": query}, headers=headers, timeout=60)
        ctype = resp.headers["Content-Type"]
        assert not ctype.startswith("text/html"), (client, query)
        assert (resp.status_code, ctype, resp.content) == (
            posted.status_code, posted.headers["Content-Type"], posted.content)
        if resp.status_code == 406:  # SPARQL XML only, for a CONSTRUCT: as the protocol says
            assert client == "sparqlwrapper-xml" and query is CONSTRUCT
            continue
        assert resp.status_code == 200
        if query is SELECT:
            assert ctype.startswith("application/sparql-results+"), client
            assert "NO0062" in resp.text
        else:
            assert "Establish public register of the beneficial owners" in resp.text


def test_sparqlwrapper_reads_select_and_construct(server: Served) -> None:
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]  # type: ignore[index, call-overload]
    expected = [s["id"].value for s in server.registry.query(SELECT)]  # type: ignore[index, union-attr]
    assert [r["id"]["value"] for r in rows] == expected and "NO0062" in expected
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(SELECT)  # SPARQLWrapper's default: SPARQL XML
    doc = sw.query().convert()
    assert doc.getElementsByTagName("result").length == len(rows)  # type: ignore[union-attr]
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    body = sw.query().convert()
    assert isinstance(body, bytes) and b"beneficial owners" in body


def test_a_browser_that_names_a_format_or_posts_gets_the_answer(server: Served) -> None:
    accept = BROWSERS["firefox"]
    resp = get(server, "sparql", params={"query": SELECT, "format": "csv"},
               headers={"Accept": accept})
    assert resp.headers["Content-Type"].startswith("text/csv") and "NO0062" in resp.text
    resp = requests.post(server.sparql, data={"query": SELECT}, headers={"Accept": accept},
                         timeout=60)
    assert resp.headers["Content-Type"].startswith("application/sparql-results+xml")
    # a client that likes results more than HTML gets results
    resp = get(server, "sparql", params={"query": SELECT},
               headers={"Accept": "application/sparql-results+json, text/html;q=0.5"})
    assert resp.headers["Content-Type"].startswith("application/sparql-results+json")


def test_the_query_page_keeps_a_typed_query_and_offers_rdf_downloads_for_construct(
    server: Served,
) -> None:
    resp = get(server, "query", params={"query": CONSTRUCT, "lang": "en"})
    page = Page(resp.text)
    assert page.by_id("query-editor")[2] == CONSTRUCT
    assert "hidden" in page.by_id("downloads-solutions")[1]
    assert "hidden" not in page.by_id("downloads-graph")[1]
    triples = len(list(server.registry.query(CONSTRUCT)))  # type: ignore[arg-type]
    media = {"download-turtle": "text/turtle", "download-ntriples": "application/n-triples",
             "download-jsonld": "application/ld+json"}
    for ident, mt in media.items():
        _, attrs, text = page.by_id(ident)
        assert text in ("Turtle", "N-Triples", "JSON-LD")
        answer = get(server, attrs["href"])
        assert answer.status_code == 200, (ident, answer.text)
        assert answer.headers["Content-Type"].startswith(mt)
        graph = ox.parse(answer.content, format=ox.RdfFormat.from_media_type(mt))
        assert len(list(graph)) == triples > 9, ident
    # a SELECT: CSV and JSON, the RDF links hidden
    page = Page(get(server, "query", params={"query": SELECT}).text)
    assert "hidden" not in page.by_id("downloads-solutions")[1]
    assert "hidden" in page.by_id("downloads-graph")[1]


def test_the_query_page_has_the_site_menu(server: Served) -> None:
    page = Page(get(server, "query").text)
    navs = [a for a, _ in page.all("nav")]
    assert any(a.get("class") == "site-nav" for a in navs)
    hrefs = {a["href"] for a, _ in page.all("a")}
    for path in ("", "search", "query", "def", "catalog"):  # links to this server
        assert "/" + path in hrefs, path
    assert page.by_id("site-search-q")[0] == "input"


# -- prefixes ----------------------------------------------------------------------------------
def test_the_registry_prefixes_are_predeclared_on_every_query_path_as_in_the_cli(
    server: Served,
) -> None:
    query = 'SELECT ?t WHERE { ?c dct:identifier "NO0054" ; dct:title ?t } ORDER BY ?t'
    accept = {"Accept": "text/csv"}
    cli = CliRunner().invoke(main, ["--store", str(server.registry.store.path), "--base-uri",
                                    BASE, "query", "--format", "csv", query])
    assert cli.exit_code == 0, cli.output
    answers = [
        get(server, "sparql", params={"query": query}, headers=accept),
        requests.post(server.sparql, data={"query": query}, headers=accept, timeout=60),
        requests.post(server.sparql, data=query.encode(), timeout=60,
                      headers={**accept, "Content-Type": "application/sparql-query"}),
    ]
    for resp in answers:
        assert resp.status_code == 200, resp.text
        assert resp.text.replace("\r\n", "\n") == cli.stdout.replace("\r\n", "\n")
    every = " ".join(f"?s{i} {p}:x ?o{i} ." for i, p in enumerate(PREFIXES))
    for params in ({}, {"as_of": "2999-01-01"}):
        resp = get(server, "sparql", headers=accept,
                   params={"query": f"SELECT * WHERE {{ OPTIONAL {{ {every} }} }}", **params})
        assert resp.status_code == 200, (params, resp.text)


def test_the_service_description_names_the_predeclared_prefixes(server: Served) -> None:
    resp = get(server, "sparql", headers={"Accept": "text/turtle"})
    graph = ox.Store()
    graph.load(resp.content, format=ox.RdfFormat.TURTLE)
    rows = graph.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?p ?ns WHERE { "
        f"<{BASE}sparql#service> sh:declare [ sh:prefix ?p ; sh:namespace ?ns ] }}"
    )
    declared = {r["p"].value: r["ns"].value for r in rows}  # type: ignore[index, union-attr]
    assert declared == PREFIXES


# -- syntax errors -----------------------------------------------------------------------------
#: (query, language, what the message must say, line:column)
SYNTAX = [
    ("SELECT * WHERE { ?s ?p ?o } LIMT 3", "en",
     "line 1, column 29: “LIMT” is not a SPARQL keyword. Did you mean LIMIT?", "1:29"),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 3", "nb",
     "linje 1, kolonne 29: «LIMT» er ikke et SPARQL-nøkkelord. Mente du LIMIT?", "1:29"),
    ("SELECT ?x WHERE {\n  ?s ?p ?o .\n  FILTER(?o > 3\n}", "en",
     "line 4, column 1: expected “)” to close the “(” at line 3, column 9, but found “}”.",
     "4:1"),
    ("SELECT * WHERE {\n  ?s foo:bar ?o }", "en",
     "line 2, column 6: the prefix “foo:” is not declared.", "2:6"),
    ("SELECT * WHERE {\n  ?s foo:bar ?o }", "nb",
     "linje 2, kolonne 6: prefikset «foo:» er ikke deklarert.", "2:6"),
    ('SELECT * WHERE { ?s ?p "abc }', "en",
     "line 1, column 24: the string that starts here is not closed", "1:24"),
    ("PREFIX x: <http://x/>\nSELECT * WHERE { ?s x:p ?o ", "en",
     "line 2, column 16: the “{” that opens here is never closed: add “}”", "2:16"),
    ("SELEC * WHERE { ?s ?p ?o }", "en",
     "line 1, column 1: expected SELECT, CONSTRUCT, DESCRIBE or ASK, found “SELEC”. "
     "Did you mean SELECT?", "1:1"),
    ("SELECT * WHERE { ?s ?p ?o } GROUP BY", "en",
     "line 1, column 37: expected “$”, “(”, “:”, “<”, “?”, a name (letters, digits, _); "
     "the query ends here.", "1:37"),
    ("SELECT * WHERE { ?s <http://x/p ?o }", "en",
     "line 1, column 21: the IRI that starts here is not closed", "1:21"),
]


@pytest.mark.parametrize(("query", "lang", "says", "at"), SYNTAX)
def test_a_syntax_error_says_line_column_and_what_was_expected_in_the_readers_language(
    server: Served, query: str, lang: str, says: str, at: str
) -> None:
    resp = requests.post(server.sparql, data={"query": query}, timeout=60,
                         headers={"Accept-Language": lang})
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == "query-error"
    assert says in body["message"], body["message"]
    assert resp.headers["OGP-Error-Position"] == at
    # never the parser's character ranges, always the line with a caret under the place
    assert not re.search(r"\\u\{|\.\.=|\[_\]", body["message"]), body["message"]
    line, column = (int(x) for x in at.split(":"))
    shown = query.split("\n")[line - 1]
    assert f"{line} | {shown}\n" in body["message"]
    assert body["message"].endswith("| " + " " * (column - 1) + "^")


def test_the_command_line_explains_a_syntax_error_the_same_way(server: Served) -> None:
    query, lang, says, _ = SYNTAX[1]
    r = CliRunner().invoke(main, ["--store", str(server.registry.store.path), "--base-uri",
                                  BASE, "query", "--lang", lang, query])
    assert r.exit_code == 1
    assert says in r.stderr
