"""Graph Store reads are public (issue 15, item 9): a standard SPARQL 1.1 Graph Store client —
plain ``requests``, as such clients do it, with no token — gets every graph the public can
read through ``/sparql`` anyway, in each format, by ``GET`` and ``HEAD``; writes still need a
token. The real app on a real socket; answers parsed with pyoxigraph (rdflib for isomorphism
where blank nodes occur) and compared with the store's quads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from endpoint.app import create_app
from endpoint.server import Server
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads
from tests.endpoint_server import Served as Serving
from tests.endpoint_server import copy_store, servers, serving

STORE_URL = "graph-store"
FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
PLAN_GRAPH = BASE + "graph/source/bundled-plan-2019-2021"


@dataclass
class Served:
    run: Serving
    token: tokens.IssuedToken

    @property
    def url(self) -> str:
        return self.run.url + STORE_URL


@pytest.fixture(scope="module", params=servers())
def srv(
    request: pytest.FixtureRequest,
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """A copy of the initialised registry and a token, under each HTTP server of ``ogpreg
    serve`` (waitress in this process, granian in a process of its own)."""
    store = copy_store(initialised_store, tmp_path_factory.mktemp("gsp") / "store")
    with serving(request.param, store, query_workers=1) as r:
        token = tokens.issue(r.registry, "912660680", "submitter", "NFD")
        yield Served(r, token)


def _triples(body: bytes, fmt: ox.RdfFormat) -> list[ox.Triple]:
    return [ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(body, format=fmt)]


def _same(got: list[ox.Triple], want: list[ox.Triple]) -> bool:
    """The same graph, blank nodes compared by isomorphism."""
    if {t for t in got} == {t for t in want}:
        return True

    def to_rdflib(ts: list[ox.Triple]) -> Graph:
        g = Graph()
        g.parse(data=ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
        return g

    return isomorphic(to_rdflib(got), to_rdflib(want))


def _graph_triples(srv: Served, graph: str) -> list[ox.Triple]:
    reader = srv.run.registry.store.reader()
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def test_every_graph_in_every_format_without_a_token(srv: Served) -> None:
    graphs = sorted(g.value for g in srv.run.registry.store.reader().named_graphs()
                    if isinstance(g, ox.NamedNode))
    assert PLAN_GRAPH in graphs and len(graphs) >= 5
    audit_before = len(list(AuditLog(srv.run.registry.store.path).entries()))
    for graph in graphs:
        want = _graph_triples(srv, graph)
        for media_type, fmt in FORMATS.items():
            r = requests.get(srv.url, params={"graph": graph}, headers={"Accept": media_type},
                             timeout=60)
            assert r.status_code == 200, (graph, media_type, r.text[:300])
            assert r.headers["Content-Type"] == media_type + "; charset=utf-8"
            assert r.headers["Vary"] == "Accept"
            got = _triples(r.content, fmt)
            assert _same(got, want), (graph, media_type)
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) and want:
                # one graph, written as the document's default graph (as before issue 15)
                assert {q.graph_name for q in ox.parse(r.content, format=fmt)} == {
                    ox.DefaultGraph()}
    # reads are not audited
    assert len(list(AuditLog(srv.run.registry.store.path).entries())) == audit_before


def test_the_graph_is_what_sparql_shows(srv: Served) -> None:
    r = requests.get(srv.url, params={"graph": PLAN_GRAPH},
                     headers={"Accept": "application/n-triples"}, timeout=60)
    q = requests.get(
        srv.run.sparql,
        params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PLAN_GRAPH}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    assert r.status_code == q.status_code == 200
    assert _same(_triples(r.content, ox.RdfFormat.N_TRIPLES),
                 _triples(q.content, ox.RdfFormat.N_TRIPLES))


def test_default_graph_is_the_union_of_all_graphs(srv: Served) -> None:
    r = requests.get(srv.url + "?default", headers={"Accept": "application/n-triples"},
                     timeout=60)
    assert r.status_code == 200
    union = [ox.Triple(q.subject, q.predicate, q.object) for q in all_quads(srv.run.registry)]
    assert _same(_triples(r.content, ox.RdfFormat.N_TRIPLES), list(set(union)))
    # no dataset format for the default graph (unchanged): 406 names what is offered
    r = requests.get(srv.url + "?default", headers={"Accept": "application/n-quads"},
                     timeout=60)
    assert r.status_code == 406 and "text/turtle" in r.json()["message"]


def test_head_answers_like_get_without_a_body(srv: Served) -> None:
    for media_type in ("text/turtle", "application/n-quads"):
        h = requests.head(srv.url, params={"graph": PLAN_GRAPH},
                          headers={"Accept": media_type}, timeout=60)
        g = requests.get(srv.url, params={"graph": PLAN_GRAPH},
                         headers={"Accept": media_type}, timeout=60)
        assert h.status_code == g.status_code == 200
        assert h.content == b""
        assert h.headers["Content-Type"] == g.headers["Content-Type"]
        assert int(h.headers["Content-Length"]) == len(g.content)


def test_clients_get_what_they_name_as_on_the_pages_and_at_sparql(srv: Served) -> None:
    """The Accept headers real clients send, by the endpoint's rules (endpoint/conneg.py): the
    older media types (text/plain for N-Triples, rdflib's parse(format="nt") asks for it;
    application/json for JSON-LD), and a type named outright before a wildcard at equal q."""
    cases = {
        "text/plain": "application/n-triples",
        "application/json": "application/ld+json",
        "application/json, text/plain, */*": "application/ld+json",  # axios's default
        "text/turtle, */*": "text/turtle",
        "application/rdf+xml, */*;q=0.5": "application/rdf+xml",
        "*/*": "text/turtle",
        "": "text/turtle",
    }
    for accept, media_type in cases.items():
        r = requests.get(srv.url, params={"graph": PLAN_GRAPH}, headers={"Accept": accept},
                         timeout=60)
        assert r.status_code == 200, accept
        assert r.headers["Content-Type"].split(";")[0] == media_type, accept
        fmt = FORMATS[media_type]
        assert {q.triple for q in ox.parse(r.content, format=fmt)}, accept
    r = requests.get(srv.url, params={"graph": PLAN_GRAPH}, headers={"Accept": "image/png"},
                     timeout=60)
    assert r.status_code == 406


def test_answers_about_a_token_are_never_cached(srv: Served) -> None:
    r = requests.get(srv.url, headers={"Authorization": f"Bearer {srv.token.secret}"},
                     timeout=60)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"


def test_unknown_graph_and_bad_parameters_without_a_token(srv: Served) -> None:
    r = requests.get(srv.url, params={"graph": BASE + "graph/source/nothing"}, timeout=60)
    assert r.status_code == 404 and r.json()["error"] == "not-found"
    r = requests.get(srv.url, params={"graph": "urn:ogpreg:meta"}, timeout=60)  # engine's own
    assert r.status_code == 400 and r.json()["status"] == 400
    r = requests.get(srv.url, params={"graph": PLAN_GRAPH, "default": ""}, timeout=60)
    assert r.status_code == 400
    # no IRI although the pattern let it through: 400, not 500 (found by the page probe)
    for bad in (BASE + "graph/source/x\x00", BASE + "graph/source/%zz", BASE + "a\x7fb"):
        r = requests.get(srv.url, params={"graph": bad}, timeout=60)
        assert r.status_code == 400 and r.json()["error"] == "usage-error", bad


def test_a_token_is_accepted_and_an_invalid_one_refused(srv: Served) -> None:
    ok = requests.get(srv.url, params={"graph": PLAN_GRAPH},
                      headers={"Authorization": f"Bearer {srv.token.secret}"}, timeout=60)
    assert ok.status_code == 200
    for bad in ("Bearer " + "A" * 43, "Basic abc", "Bearer " + srv.token.secret[:-1]):
        r = requests.get(srv.url, params={"graph": PLAN_GRAPH},
                         headers={"Authorization": bad}, timeout=60)
        assert r.status_code == 401, bad
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="ogp-registry"')
    # without parameters the answer describes the token: it needs one
    r = requests.get(srv.url, timeout=60)
    assert r.status_code == 401
    r = requests.get(srv.url, headers={"Authorization": f"Bearer {srv.token.secret}"},
                     timeout=60)
    assert r.status_code == 200 and r.json()["token"]["role"] == "submitter"


def test_writes_still_need_a_token(srv: Served) -> None:
    reg = srv.run.registry
    before, rev = all_quads(reg), reg.store.revision()
    body = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
    graph = BASE + "graph/source/valid-commitment"
    for method in ("PUT", "POST"):
        r = requests.request(method, srv.url, params={"graph": graph}, data=body,
                             headers={"Content-Type": "text/turtle"}, timeout=60)
        assert r.status_code == 401, method
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="ogp-registry"')
    r = requests.delete(srv.url, params={"graph": PLAN_GRAPH}, timeout=60)
    assert r.status_code == 401
    assert all_quads(reg) == before and reg.store.revision() == rev


# -- on an external engine: the same public graphs, and nothing of the engine's own ----------
def test_reads_on_an_engine_show_the_registry_graphs_only(
    remote_registry: Registry, registry: Registry
) -> None:
    """Oxigraph's server keeps empty ``urn:ogpreg:…`` bookkeeping graphs and Virtuoso its
    ``urn:ogpreg:meta`` graph and its own system graphs: none of them is readable here, as none
    is through ``/sparql``. The registry's graphs read as on the embedded store; a resource's
    N-Quads (issue 15, item 11) too."""
    settings = replace(remote_registry.settings, query_workers=1)
    app = create_app(settings, registry=remote_registry)
    server = Server(app, host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        url = server.url
        r = requests.get(url + STORE_URL, params={"graph": PLAN_GRAPH},
                         headers={"Accept": "application/n-triples"}, timeout=60)
        assert r.status_code == 200
        embedded = [ox.Triple(q.subject, q.predicate, q.object)
                    for q in registry.store.reader().quads_for_pattern(
                        None, None, None, ox.NamedNode(PLAN_GRAPH))]
        assert _same(_triples(r.content, ox.RdfFormat.N_TRIPLES), embedded)
        for hidden in ("http://www.openlinksw.com/schemas/virtrdf#",
                       "http://www.w3.org/2002/07/owl#", "http://localhost:8890/DAV/"):
            r = requests.get(url + STORE_URL, params={"graph": hidden}, timeout=60)
            assert r.status_code == 404, (hidden, r.text[:200])
        r = requests.get(url + STORE_URL + "?default", headers={"Accept": "application/n-triples"},
                         timeout=60)
        assert r.status_code == 200
        union = _triples(r.content, ox.RdfFormat.N_TRIPLES)
        assert not [t for t in union if "urn:ogpreg" in str(t) or "openlinksw" in str(t)]
        count = requests.get(
            url + "sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                             "WHERE { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        ).json()["results"]["bindings"][0]["n"]["value"]
        assert len(set(union)) == int(count)  # what /sparql shows, no more
        nq = requests.get(url + "id/commitment/NO0054", headers={"Accept": "application/n-quads"},
                          timeout=60)
        assert nq.status_code == 200
        got = {(q.subject, q.predicate, q.object, q.graph_name)
               for q in ox.parse(nq.content, format=ox.RdfFormat.N_QUADS)}
        graphs = {g for *_, g in got} - {ox.DefaultGraph()}  # the document's own statements
        assert all(isinstance(g, ox.NamedNode) and g.value.startswith(BASE) for g in graphs)
        assert ox.NamedNode(BASE + "graph/source/bundled-editorial") in graphs
    finally:
        server.close()
