"""The pages as an outside probe saw them (issue 15), over a real socket.

* Item 8: hostile values in every page's parameters and paths (line breaks, NUL and other
  control characters, broken percent-encoding and UTF-8, very long values, text that is no IRI)
  never give a 5xx: a bad ``/def?uri=`` is a 400 in the endpoint's error shape, an impossible
  path a 404. Before the fix: ``/def?uri=`` with a line break, ``/id/%zz`` (and ``/graph/…``,
  ``…/version/…``, ``….ttl``) and ``/def/vocab/a b`` (and ``/def/theme/…``) answered 500.
* Item 11: resource URIs also answer in N-Quads and TriG, each statement in the named graph
  that asserts it, compared with the store's own quads (``quads_for_pattern``, no SPARQL).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests

from registry.loading.sources import SourceFile
from tests.conftest import BASE
from tests.endpoint_server import Running, copy_store, running

NO0054 = BASE + "id/commitment/NO0054"
REPEATED = BASE + "graph/source/gjentatt"


@pytest.fixture(scope="module")
def site(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("probe") / "store")
    with running(store, query_workers=1) as r:
        reader = r.registry.store.reader()
        title = next(q.object for q in reader.quads_for_pattern(
            ox.NamedNode(NO0054), ox.NamedNode("http://purl.org/dc/terms/title"), None, None)
            if isinstance(q.object, ox.Literal) and q.object.language == "nb")
        # INVENTED second source: repeats NO0054's title and adds a blank node
        ttl = (
            "@prefix dct: <http://purl.org/dc/terms/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            f"<id/commitment/NO0054> dct:title {title} ;\n"
            '    rdfs:seeAlso [ rdfs:label "Et oppdiktet notat (eksempel)"@nb ] .\n'
        )
        r.registry.load([SourceFile("gjentatt.ttl", ttl.encode(), "gjentatt")])
        yield r


# -- item 8: hostile parameters and paths -------------------------------------------------------
VALUES: dict[str, str] = {
    "line-feed": "https://w3id.org/ogp-no/def#lead%0AAgency",
    "crlf-header": "https://w3id.org/ogp-no/def%0D%0ASet-Cookie:%20a=b",
    "carriage-return": "https://w3id.org/ogp-no/def#a%0Db",
    "nul": "https://w3id.org/ogp-no/def#x%00y",
    "controls": "%01%1B%7F",
    "base-line-feed": quote(BASE, safe="") + "id%2Fa%0Ab",
    "base-nul": quote(BASE, safe="") + "id%2Fx%00",
    "bad-utf8": "%FF%FE",
    "surrogate": "%ED%A0%80",
    "stray-percent": "%25",
    "bad-percent": "%25zz",
    "long": "x" * 60_000,
    "long-iri": quote(BASE, safe="") + "id%2F" + "a" * 20_000,
    "not-an-iri": "bare%20words",
    "markup": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "quotes": "%27%22%7B%7D%7C%5E%60%5C",
    "space": "a%20b",
    "date-nonsense": "2020-13-45",
}
TARGETS: dict[str, str] = {
    "def?uri": "def?uri={}",
    "def?format": "def?format={}",
    "landing?plan": "?plan={}",
    "landing?lang": "?lang={}",
    "search?q": "search?q={}",
    "id?as_of": "id/commitment/NO0054?as_of={}",
    "id?as_of&format": "id/commitment/NO0054?format=ttl&as_of={}",
    "id?format": "id/commitment/NO0054?format={}",
    "id?lang": "id/commitment/NO0054?lang={}",
    "id/path": "id/{}",
    "id/commitment/path": "id/commitment/{}",
    "id/path.ttl": "id/{}.ttl",
    "version": "id/commitment/NO0054/version/{}",
    "graph/path": "graph/{}",
    "graph/source/path": "graph/source/{}",
    "def/path": "def/{}",
    "def/theme/path": "def/theme/{}",
    "def/vocab/path": "def/vocab/{}",
    "def.ext": "def.{}",
    "download": "download/{}",
    "catalog?format": "catalog?format={}",
    "feed?after": "feed?after={}",
    "feed?since": "feed?since={}",
    "query?example": "query?example={}",
    "graph-store?graph": "graph-store?graph={}",
}


def _check(resp: requests.Response, what: object) -> None:
    assert resp.status_code < 500, (what, resp.status_code, resp.text[:300])
    if resp.headers.get("Content-Type", "").startswith("application/json") and resp.status_code >= 400:
        body = resp.json()
        assert set(body) >= {"error", "message", "status"} and body["status"] == resp.status_code
    location = resp.headers.get("Location", "")
    assert not any(c in location for c in "\r\n\x00"), (what, location)


def test_no_hostile_value_gives_a_server_error(site: Running) -> None:
    s = requests.Session()
    for (target, template), (name, value) in itertools.product(TARGETS.items(), VALUES.items()):
        for accept in ("text/html", "text/turtle"):
            resp = s.get(site.url + template.format(value), headers={"Accept": accept},
                         allow_redirects=False, timeout=60)
            _check(resp, (target, name, accept))


@pytest.mark.parametrize(
    ("header", "value"),
    [("Accept", "text/html;q=abc"), ("Accept", "*/*;q=nan"), ("Accept", "text/turtle;q=1e999"),
     ("Accept", "a/b;" * 2000), ("Accept", ";;;,,,"), ("If-None-Match", '"x'),
     ("If-Modified-Since", "yesterday"), ("Accept-Language", "\x7f;q=x")],
)
def test_no_hostile_header_gives_a_server_error(site: Running, header: str, value: str) -> None:
    for path in ("", "id/commitment/NO0054", "def", "def/theme", "search?q=a", "catalog",
                 "feed", "graph-store?default"):
        _check(requests.get(site.url + path, headers={header: value}, timeout=60),
               (path, header))


@pytest.mark.parametrize(
    "value",
    ["https://w3id.org/ogp-no/def#lead\nAgency", "https://w3id.org/ogp-no/def#a\r\nb",
     "https://w3id.org/ogp-no/def#x\x00", BASE + "id/a\nb", "bare words", "not-an-iri",
     BASE + "id/" + "a" * 3000],
)
def test_def_uri_that_is_no_iri_is_a_400(site: Running, value: str) -> None:
    for lang, word in (("nb", "gyldig IRI"), ("en", "valid IRI")):
        resp = requests.get(site.url + "def", params={"uri": value, "lang": lang},
                            allow_redirects=False, timeout=60)
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert body["error"] == "bad-uri" and body["status"] == 400
        assert word in body["message"] and "def?uri=https://" in body["message"]
        assert "Location" not in resp.headers


def test_def_uri_still_redirects_a_good_iri(site: Running) -> None:
    resp = requests.get(site.url + "def", params={"uri": "https://w3id.org/ogp-no/def#leadAgency"},
                        allow_redirects=False, timeout=60)
    assert resp.status_code == 303
    assert resp.headers["Location"] == BASE + "def#leadAgency"


@pytest.mark.parametrize(
    "path",
    ["id/%25zz", "id/commitment/%25", "id/%25.ttl", "graph/%25zz", "graph/source/%25",
     "id/commitment/%25/version/1", "def/vocab/a%20b", "def/vocab/%00", "def/theme/%3Cx%3E",
     "def/vocab/%FF"],
)
def test_an_impossible_path_is_a_404(site: Running, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        resp = requests.get(site.url + path, headers={"Accept": accept}, timeout=60)
        assert resp.status_code == 404, (path, accept, resp.text[:200])


# -- item 11: N-Quads and TriG --------------------------------------------------------------
DATASET = {"application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG}


def _store_quads(site: Running, iri: str) -> set[ox.Quad]:
    """What a resource's description holds, read from the store's quads directly."""
    reader = site.registry.store.reader()
    node = ox.NamedNode(iri)
    out = set(reader.quads_for_pattern(node, None, None, None))
    for q in list(out):
        if isinstance(q.object, ox.BlankNode):
            out |= set(reader.quads_for_pattern(q.object, None, None, None))
    out |= set(reader.quads_for_pattern(None, None, node, None))
    out |= set(reader.quads_for_pattern(None, None, None, node))  # a graph's content
    return out


def _triples(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}


def _split(quads: set[ox.Quad]) -> tuple[set[ox.Triple], set[ox.Quad]]:
    """A document's default graph (as triples) and its quads in named graphs."""
    default = {ox.Triple(q.subject, q.predicate, q.object) for q in quads
               if q.graph_name == ox.DefaultGraph()}
    return default, {q for q in quads if q.graph_name != ox.DefaultGraph()}


def _get(site: Running, path: str, accept: str) -> requests.Response:
    resp = requests.get(site.url + path, headers={"Accept": accept}, timeout=60)
    assert resp.status_code == 200, (path, accept, resp.text[:300])
    return resp


@pytest.mark.parametrize("accept", list(DATASET))
def test_a_commitment_in_nquads_and_trig_keeps_each_statement_in_its_graph(
    site: Running, accept: str
) -> None:
    resp = _get(site, "id/commitment/NO0054", accept)
    assert resp.headers["Content-Type"] == accept + "; charset=utf-8"
    assert resp.headers["Vary"] == "Accept"
    ext = ".nq" if accept == "application/n-quads" else ".trig"
    assert resp.headers["Content-Location"] == NO0054 + ext
    default, got = _split(set(ox.parse(resp.content, format=DATASET[accept])))
    assert got == _store_quads(site, NO0054)
    # the repeated title is there once per source graph that asserts it
    titles = {q.graph_name.value for q in got
              if q.predicate.value == "http://purl.org/dc/terms/title"
              and isinstance(q.object, ox.Literal) and q.object.language == "nb"}
    assert titles == {BASE + "graph/source/bundled-editorial", REPEATED}
    assert any(isinstance(q.subject, ox.BlankNode) and q.graph_name.value == REPEATED
               for q in got)
    # the same statements as the Turtle answer, and those in the default graph too: a
    # client that reads the default graph only (Comunica asks for N-Quads first) sees them
    turtle = _triples(_get(site, "id/commitment/NO0054", "text/turtle").content,
                      ox.RdfFormat.TURTLE)
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in got} == turtle
    assert default == turtle


def test_a_source_graph_in_nquads(site: Running) -> None:
    default, got = _split(set(ox.parse(
        _get(site, "graph/source/gjentatt", "application/n-quads").content,
        format=ox.RdfFormat.N_QUADS)))
    assert got == _store_quads(site, REPEATED)
    assert default == {ox.Triple(q.subject, q.predicate, q.object) for q in got}
    graphs = {q.graph_name.value for q in got}
    assert {REPEATED, BASE + "graph/provenance"} <= graphs


@pytest.mark.parametrize(
    ("path", "graph"),
    [("def", "ontology"), ("def/theme", "themes"), ("def/vocab", "values"),
     ("def/shapes", "shapes")],
)
def test_the_vocabulary_pages_in_nquads_are_their_graph(
    site: Running, path: str, graph: str
) -> None:
    node = ox.NamedNode(BASE + "graph/vocabulary/" + graph)
    for accept, fmt in DATASET.items():
        default, got = _split(set(ox.parse(_get(site, path, accept).content, format=fmt)))
        reader = site.registry.store.reader()
        assert got == set(reader.quads_for_pattern(None, None, None, node)), (path, accept)
        assert default == {ox.Triple(q.subject, q.predicate, q.object) for q in got}


def test_a_value_set_and_a_theme_in_their_graphs(site: Running) -> None:
    values = ox.NamedNode(BASE + "graph/vocabulary/values")
    default, got = _split(set(ox.parse(_get(site, "def/vocab/status.nq", "*/*").content,
                                       format=ox.RdfFormat.N_QUADS)))
    assert got and {q.graph_name for q in got} == {values}
    assert default == {ox.Triple(q.subject, q.predicate, q.object) for q in got}
    turtle = _triples(_get(site, "def/vocab/status.ttl", "*/*").content, ox.RdfFormat.TURTLE)
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in got} == turtle
    theme = "https://w3id.org/ogp-no/theme/open-data"
    _, got = _split(set(ox.parse(_get(site, "def/theme/open-data", "application/trig").content,
                                 format=ox.RdfFormat.TRIG)))
    assert got == _store_quads(site, theme)


def test_format_parameter_extension_and_alternates(site: Running) -> None:
    for path in ("id/commitment/NO0054?format=nq", "id/commitment/NO0054.nq",
                 "id/commitment/NO0054?format=application/n-quads"):
        resp = _get(site, path, "text/html")
        assert resp.headers["Content-Type"] == "application/n-quads; charset=utf-8", path
    resp = _get(site, "id/commitment/NO0054.trig", "text/html")
    assert resp.headers["Content-Type"] == "application/trig; charset=utf-8"
    html = _get(site, "id/commitment/NO0054", "text/html")
    for ext, mt in ((".nq", "application/n-quads"), (".trig", "application/trig")):
        assert f'<{NO0054}{ext}>; rel="alternate"; type="{mt}"' in html.headers["Link"]
        assert f'<link rel="alternate" type="{mt}" href="{NO0054}{ext}">' in html.text
    # a browser and */* still get HTML; other RDF clients what they got before
    assert _get(site, "id/commitment/NO0054", "*/*").headers["Content-Type"].startswith(
        "text/html")
    assert _get(site, "id/commitment/NO0054", "application/*").headers[
        "Content-Type"].startswith("application/ld+json")
    resp = requests.get(site.url + "id/commitment/NO0054", headers={"Accept": "image/png"},
                        timeout=60)
    assert resp.status_code == 406 and "application/n-quads" in resp.json()["message"]


def test_a_version_in_nquads_is_in_the_default_graph(site: Running) -> None:
    resp = _get(site, "id/commitment/NO0054/version/1", "application/n-quads")
    got = list(ox.parse(resp.content, format=ox.RdfFormat.N_QUADS))
    assert got and {q.graph_name for q in got} == {ox.DefaultGraph()}
    turtle = _triples(_get(site, "id/commitment/NO0054/version/1", "text/turtle").content,
                      ox.RdfFormat.TURTLE)
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in got} == turtle
