"""The authenticated write paths over a real socket: the Graph Store Protocol at /graph-store,
SPARQL Update at /sparql/update, bearer tokens, the rights of each role, the audit log,
`ogpreg load --remote`, and loading while the server serves queries.

The app is served by a real threaded WSGI server on a free port; requests go through requests.
NO9901 (tests/fixtures/rdf/valid-commitment.ttl) and the other fixture contents are invented.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from flask import Flask

from endpoint.app import create_app
from endpoint.server import Server
from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads
from tests.endpoint_server import running_granian, servers

RDF = FIXTURES / "rdf"
VALID = RDF / "valid-commitment.ttl"
BAD_ORGNR = RDF / "bad-orgnr.ttl"
SRC = BASE + "graph/source/"
GRAPH = SRC + "valid-commitment"
PROV = BASE + "graph/provenance"
NFD = BASE + "id/organisation/naerings-og-fiskeridepartementet"
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
OGP = "https://w3id.org/ogp-no/def#"
TTL = {"Content-Type": "text/turtle"}


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` with the production server (waitress and its query workers) on a free
    port, in a thread; yield its URL."""
    server = Server(app, host="127.0.0.1", port=0).start_in_thread()
    try:
        yield server.url.rstrip("/")
    finally:
        server.close()


@dataclass
class Live:
    url: str
    app: Flask
    registry: Registry
    nfd: tokens.IssuedToken  # submitter, Nærings- og fiskeridepartementet
    kud: tokens.IssuedToken  # submitter, Kulturdepartementet
    kmd: tokens.IssuedToken  # approver, Kommunal- og moderniseringsdepartementet

    def auth(self, t: tokens.IssuedToken) -> dict[str, str]:
        return {"Authorization": f"Bearer {t.secret}"}

    def put(self, t: tokens.IssuedToken | None, graph: str, body: bytes, **kw: Any) -> Any:
        headers = {**TTL, **(self.auth(t) if t else {}), **kw.pop("headers", {})}
        return requests.put(
            self.url + "/graph-store",
            params={"graph": graph},
            data=body,
            headers=headers,
            timeout=60,
            **kw,
        )

    def update(self, t: tokens.IssuedToken | None, sparql: str) -> Any:
        headers = {"Content-Type": "application/sparql-update", **(self.auth(t) if t else {})}
        return requests.post(
            self.url + "/sparql/update", data=sparql.encode("utf-8"), headers=headers, timeout=60
        )

    def audit(self) -> list[Any]:
        return list(AuditLog(self.registry.store.path).entries())


@pytest.fixture(params=servers())
def live(request: pytest.FixtureRequest, registry: Registry) -> Iterator[Live]:
    """The registry served by each HTTP server of ``ogpreg serve`` (tests/endpoint_server.py),
    with three tokens. ``app`` is the app of this process (under granian: built, not served,
    for its routes)."""
    nfd = tokens.issue(registry, "912660680", "submitter", "NFD")
    kud = tokens.issue(registry, "972417866", "submitter", "KUD")
    kmd = tokens.issue(registry, "972417858", "approver", "KMD")
    settings = replace(registry.settings, query_workers=1)
    app = create_app(settings, registry=registry)
    if request.param == "granian":
        with running_granian(registry.store.path, query_workers=1) as served:
            yield Live(served.url.rstrip("/"), app, registry, nfd, kud, kmd)
        return
    with serving(app) as url:
        yield Live(url, app, registry, nfd, kud, kmd)


def _provenance(reg: Registry, graph: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for q in reg.store.reader().quads_for_pattern(
        ox.NamedNode(graph), None, None, ox.NamedNode(PROV)
    ):
        out[q.predicate.value.rsplit("#", 1)[-1]] = q.object.value
    return out


def _graph(reg: Registry, graph: str) -> set[ox.Quad]:
    return set(reg.store.reader().quads_for_pattern(None, None, None, ox.NamedNode(graph)))


# -- authentication ---------------------------------------------------------------------------
def test_no_write_without_a_valid_token(live: Live) -> None:
    before = all_quads(live.registry)
    rev = live.registry.store.revision()
    body = VALID.read_bytes()
    attempts: list[Callable[[dict[str, str]], Any]] = [
        lambda h: requests.put(
            live.url + "/graph-store",
            params={"graph": GRAPH},
            data=body,
            headers={**TTL, **h},
            timeout=30,
        ),
        lambda h: requests.post(
            live.url + "/graph-store",
            params={"graph": GRAPH},
            data=body,
            headers={**TTL, **h},
            timeout=30,
        ),
        lambda h: requests.delete(
            live.url + "/graph-store",
            params={"graph": SRC + "bundled-editorial"},
            headers=h,
            timeout=30,
        ),
        lambda h: requests.post(
            live.url + "/sparql/update",
            data={"update": f"DROP GRAPH <{SRC}bundled-editorial>"},
            headers=h,
            timeout=30,
        ),
        # reads are public (issue 15, tests/test_graph_store_read.py), but a token that is
        # sent must be valid: only the invalid ones below are refused
        lambda h: requests.get(
            live.url + "/graph-store", params={"graph": GRAPH}, headers=h, timeout=30
        ),
    ]
    for headers in (
        {},
        {"Authorization": "Bearer " + "A" * 43},
        {"Authorization": "Bearer " + live.nfd.secret[:-2]},
        {"Authorization": "Basic " + live.nfd.secret},
        {"Authorization": live.nfd.secret},
        {"Authorization": "Bearer " + live.nfd.record.id},
    ):
        for attempt in attempts if headers else attempts[:-1]:
            r = attempt(headers)
            assert r.status_code == 401, (headers, r.text)
            assert r.headers["WWW-Authenticate"].startswith('Bearer realm="ogp-registry"')
            assert r.json()["error"] == "authentication-required"
            assert live.nfd.secret not in r.text
    assert (
        'error="invalid_token"'
        in requests.put(
            live.url + "/graph-store",
            params={"graph": GRAPH},
            data=body,
            headers={**TTL, "Authorization": "Bearer nope"},
            timeout=30,
        ).headers["WWW-Authenticate"]
    )
    assert all_quads(live.registry) == before
    assert live.registry.store.revision() == rev


def test_a_token_in_the_query_string_is_not_accepted(live: Live) -> None:
    r = requests.put(
        live.url + "/graph-store",
        params={"graph": GRAPH, "access_token": live.nfd.secret},
        data=VALID.read_bytes(),
        headers=TTL,
        timeout=30,
    )
    assert r.status_code == 401


def test_revoked_token_is_refused_by_the_running_server(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    r = CliRunner().invoke(
        main,
        [
            "--store",
            str(live.registry.store.path),
            "--base-uri",
            BASE,
            "token",
            "revoke",
            live.nfd.record.id,
        ],
    )
    assert r.exit_code == 0
    before = all_quads(live.registry)
    r = live.put(live.nfd, GRAPH, VALID.read_bytes().replace(b"(eksempel)", b"(eksempel 2)"))
    assert r.status_code == 401
    assert (
        r.json()["message"]
        == requests.put(  # the same answer as for an unknown token
            live.url + "/graph-store",
            params={"graph": GRAPH},
            data=b"x",
            headers={**TTL, "Authorization": "Bearer unknown"},
            timeout=30,
        ).json()["message"]
    )
    assert all_quads(live.registry) == before
    last = [e for e in live.audit() if e.action == "graph-store.put"][-2]
    assert last.status == 401 and last.outcome == "refused"
    assert "revoked token " + live.nfd.record.id in last.message


# -- Graph Store: PUT, rights, validation ------------------------------------------------------
def test_submitter_put_creates_the_source_graph_with_provenance(live: Live) -> None:
    r = live.put(
        live.nfd,
        GRAPH,
        VALID.read_bytes(),
        headers={"Content-Disposition": 'attachment; filename="valid-commitment.ttl"'},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["sources"][0]["graph"] == GRAPH and body["sources"][0]["created"] is True
    assert body["sources"][0]["triples"] == 27
    prov = _provenance(live.registry, GRAPH)
    assert prov["submittedBy"] == NFD
    assert prov["loadedBy"] == "token:" + live.nfd.record.id
    assert prov["fileName"] == "valid-commitment.ttl"
    assert prov["tripleCount"] == "27"
    # the same through a query over all graphs
    result = live.registry.query(
        "SELECT ?org ?by WHERE { GRAPH ?g { ?c dct:identifier 'NO9901' } "
        "?g ogp:submittedBy ?org ; ogp:loadedBy ?by }"
    )
    assert isinstance(result, ox.QuerySolutions)
    rows = [(s["org"].value, s["by"].value) for s in result]
    assert rows == [(NFD, "token:" + live.nfd.record.id)]
    # the same content again is recognised as unchanged: 200, not 201
    again = live.put(live.nfd, GRAPH, VALID.read_bytes())
    assert again.status_code == 200 and again.json()["sources"][0]["unchanged"] is True


def test_another_organisations_graph_is_refused(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    before = all_quads(live.registry)
    changed = VALID.read_bytes().replace(b"(eksempel)", b"(endret)")
    r = live.put(live.kud, GRAPH, changed)
    assert r.status_code == 403
    assert "Nærings- og fiskeridepartementet" in r.json()["message"]
    r = requests.post(
        live.url + "/graph-store",
        params={"graph": GRAPH},
        data=changed,
        headers={**TTL, **live.auth(live.kud)},
        timeout=30,
    )
    assert r.status_code == 403
    r = requests.delete(
        live.url + "/graph-store", params={"graph": GRAPH}, headers=live.auth(live.kud), timeout=30
    )
    assert r.status_code == 403
    assert all_quads(live.registry) == before
    # the registry's own data belongs to no organisation: submitters may not touch it
    r = live.put(live.nfd, SRC + "bundled-editorial", VALID.read_bytes())
    assert r.status_code == 403 and "approver" in r.json()["message"]
    assert all_quads(live.registry) == before


PROTECTED = [
    BASE + "graph/vocabulary/ontology",
    BASE + "graph/vocabulary/shapes",
    PROV,
    BASE + "id/commitment/NO0054",
    "http://example.org/other",
    SRC + "Not_A_Valid_Id",
]


def test_vocabulary_provenance_and_other_graphs_are_refused_to_everyone(live: Live) -> None:
    before = all_quads(live.registry)
    for graph in PROTECTED:
        for t in (live.nfd, live.kmd):
            assert live.put(t, graph, VALID.read_bytes()).status_code == 403, graph
            r = requests.post(
                live.url + "/graph-store",
                params={"graph": graph},
                data=VALID.read_bytes(),
                headers={**TTL, **live.auth(t)},
                timeout=30,
            )
            assert r.status_code == 403, graph
            r = requests.delete(
                live.url + "/graph-store", params={"graph": graph}, headers=live.auth(t), timeout=30
            )
            assert r.status_code == 403, graph
            r = live.update(t, f"INSERT DATA {{ GRAPH <{graph}> {{ <{BASE}x> <{BASE}p> 1 }} }}")
            assert r.status_code == 403, graph
    assert all_quads(live.registry) == before


def test_the_default_graph_is_not_writable(live: Live) -> None:
    before = all_quads(live.registry)
    r = requests.put(
        live.url + "/graph-store?default",
        data=VALID.read_bytes(),
        headers={**TTL, **live.auth(live.kmd)},
        timeout=30,
    )
    assert r.status_code == 403
    r = requests.delete(live.url + "/graph-store?default", headers=live.auth(live.kmd), timeout=30)
    assert r.status_code == 403
    r = live.update(live.kmd, f"INSERT DATA {{ <{BASE}x> <{BASE}p> 1 }}")
    assert r.status_code == 403
    r = live.update(live.kmd, "CLEAR DEFAULT")
    assert r.status_code == 403
    assert all_quads(live.registry) == before


def test_bad_orgnr_is_422_with_the_report_and_changes_nothing(live: Live) -> None:
    before = all_quads(live.registry)
    r = live.put(
        live.nfd, SRC + "bad-orgnr", BAD_ORGNR.read_bytes(), headers={"Accept-Language": "en"}
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "validation-failed"
    report = body["report"]
    assert report["conforms"] is False and report["errors"] == 1
    issue = report["issues"][0]
    assert issue["value"] == "972417859"
    assert "wrong check digit" in issue["message"]
    assert all_quads(live.registry) == before


def test_syntax_error_is_400_naming_the_line(live: Live) -> None:
    before = all_quads(live.registry)
    r = live.put(
        live.nfd,
        SRC + "syntax-error",
        (RDF / "syntax-error.ttl").read_bytes(),
        headers={"Content-Disposition": 'attachment; filename="syntax-error.ttl"'},
    )
    assert r.status_code == 400
    assert r.json()["error"] == "source-error"
    assert "syntax-error.ttl:7" in r.json()["message"]
    assert all_quads(live.registry) == before


def test_unsupported_media_type_is_415(live: Live) -> None:
    r = live.put(live.nfd, GRAPH, VALID.read_bytes(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 415
    assert "text/turtle" in r.json()["message"]


def test_other_rdf_formats_and_dry_run(live: Live) -> None:
    nt = ox.serialize(
        ox.parse(VALID.read_bytes(), ox.RdfFormat.TURTLE, base_iri=BASE),
        format=ox.RdfFormat.N_TRIPLES,
    )
    before = all_quads(live.registry)
    r = requests.put(
        live.url + "/graph-store",
        params={"graph": GRAPH, "dry-run": "true"},
        data=nt,
        headers={"Content-Type": "application/n-triples", **live.auth(live.nfd)},
        timeout=30,
    )
    assert r.status_code == 200 and r.json()["dry_run"] is True
    assert r.json()["sources"][0]["added"] == 27
    assert all_quads(live.registry) == before
    r = live.put(live.nfd, GRAPH, nt, headers={"Content-Type": "application/n-triples"})
    assert r.status_code == 201 and len(_graph(live.registry, GRAPH)) == 27


def test_post_adds_to_the_graph(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    extra = (
        b"@prefix dct: <http://purl.org/dc/terms/> .\n"
        b'<id/commitment/NO9901> dct:description "An invented description."@en .\n'
    )
    r = requests.post(
        live.url + "/graph-store",
        params={"graph": GRAPH},
        data=extra,
        headers={**TTL, **live.auth(live.nfd)},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.json()["sources"][0]["added"] == 1
    assert len(_graph(live.registry, GRAPH)) == 28
    assert _provenance(live.registry, GRAPH)["submittedBy"] == NFD
    # the same POST again adds nothing: it commits no revision (every cache stays valid)
    rev = live.registry.store.revision()
    for body in (extra, extra.replace(b"dct:description", b"<http://purl.org/dc/terms/description>")):
        again = requests.post(live.url + "/graph-store", params={"graph": GRAPH}, data=body,
                              headers={**TTL, **live.auth(live.nfd)}, timeout=30)
        assert again.status_code == 200, again.text
        assert (again.json()["sources"][0]["added"], again.json()["sources"][0]["unchanged"]) == (
            0, True)
        assert live.registry.store.revision() == rev
    assert len(_graph(live.registry, GRAPH)) == 28


def test_approver_writes_a_ministrys_graph_and_the_ministry_keeps_it(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    changed = VALID.read_bytes().replace(b"(eksempel)", b"(godkjent eksempel)")
    r = live.put(live.kmd, GRAPH, changed)
    assert r.status_code == 200, r.text
    prov = _provenance(live.registry, GRAPH)
    assert prov["submittedBy"] == NFD  # the graph is still the ministry's
    assert prov["loadedBy"] == "token:" + live.kmd.record.id  # the approver loaded this version
    # so the ministry can still send its next version
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 200
    # a new graph created by the approver is the approver's
    r = live.put(live.kmd, SRC + "kmd-example", VALID.read_bytes())
    assert r.status_code == 201
    assert _provenance(live.registry, SRC + "kmd-example")["submittedBy"] == KMD


# -- Graph Store: GET and DELETE ------------------------------------------------------------------
def test_get_a_graph(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    r = requests.get(
        live.url + "/graph-store",
        params={"graph": GRAPH},
        headers={"Accept": "application/n-triples", **live.auth(live.kud)},
        timeout=30,
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/n-triples")
    got = {(t.subject, t.predicate, t.object) for t in ox.parse(r.content, ox.RdfFormat.N_TRIPLES)}
    want = {(q.subject, q.predicate, q.object) for q in _graph(live.registry, GRAPH)}
    assert got == want and len(got) == 27
    r = requests.get(
        live.url + "/graph-store", params={"graph": GRAPH}, headers=live.auth(live.kud), timeout=30
    )
    assert r.headers["Content-Type"].startswith("text/turtle")
    assert "Åpne data om offentlige anskaffelser (eksempel)" in r.content.decode("utf-8")
    r = requests.get(
        live.url + "/graph-store",
        params={"graph": SRC + "nothing"},
        headers=live.auth(live.kud),
        timeout=30,
    )
    assert r.status_code == 404
    r = requests.get(live.url + "/graph-store", headers=live.auth(live.nfd), timeout=30)
    assert r.json()["source_graph_prefix"] == SRC
    assert r.json()["token"]["organisation"] == NFD
    assert live.nfd.secret not in r.text


def test_delete_removes_the_graph_and_its_provenance(live: Live) -> None:
    before = all_quads(live.registry)
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    r = requests.delete(
        live.url + "/graph-store", params={"graph": GRAPH}, headers=live.auth(live.nfd), timeout=30
    )
    assert r.status_code == 200, r.text
    assert r.json()["changes"][0]["deleted"] is True
    # Everything is as before, except the history, which now has the PUT and the DELETE.
    history_graph = ox.NamedNode(BASE + "graph/history")
    assert {q for q in all_quads(live.registry) if q.graph_name != history_graph} == {
        q for q in before if q.graph_name != history_graph
    }
    reader = live.registry.store.reader()
    actions = {
        str(q.object.value).rsplit("#", 1)[-1]
        for q in reader.quads_for_pattern(
            None, ox.NamedNode(OGP + "versionAction"), None, history_graph
        )
    }
    assert {"Create", "Delete"} <= actions
    r = requests.delete(
        live.url + "/graph-store", params={"graph": GRAPH}, headers=live.auth(live.nfd), timeout=30
    )
    assert r.status_code == 404


def test_delete_that_would_leave_dangling_references_is_refused(live: Live) -> None:
    before = all_quads(live.registry)
    r = requests.delete(
        live.url + "/graph-store",
        params={"graph": SRC + "bundled-organisations"},
        headers={**live.auth(live.kmd), "Accept-Language": "en"},
        timeout=60,
    )
    assert r.status_code == 422
    assert r.json()["report"]["errors"] > 0
    assert all_quads(live.registry) == before


# -- SPARQL Update ----------------------------------------------------------------------------------
APPROVE = f"""
DELETE {{ GRAPH <{GRAPH}> {{ ?c ogp:registryStatus ?old }} }}
INSERT {{ GRAPH <{GRAPH}> {{ ?c ogp:registryStatus <https://w3id.org/ogp-no/vocab/status/approved> }} }}
WHERE  {{ GRAPH <{GRAPH}> {{ ?c dct:identifier "NO9901" OPTIONAL {{ ?c ogp:registryStatus ?old }} }} }}
"""


def test_sparql_update_by_an_approver(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    r = live.update(live.kmd, APPROVE)
    assert r.status_code == 200, r.text
    change = r.json()["changes"][0]
    assert change["graph"] == GRAPH and change["added"] == 1 and change["removed"] == 0
    result = live.registry.query(
        "ASK { GRAPH ?g { ?c dct:identifier 'NO9901' ; ogp:registryStatus ?s } }"
    )
    assert bool(result)
    prov = _provenance(live.registry, GRAPH)
    assert prov["submittedBy"] == NFD and prov["loadedBy"] == "token:" + live.kmd.record.id
    assert prov["tripleCount"] == "28" and prov["fileName"] == "sparql-update"
    # the form-encoded variant of the protocol
    r = requests.post(
        live.url + "/sparql/update",
        data={
            "update": f"WITH <{GRAPH}> DELETE {{ ?c ogp:registryStatus ?s }} "
            "WHERE { ?c ogp:registryStatus ?s }"
        },
        headers=live.auth(live.kmd),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert len(_graph(live.registry, GRAPH)) == 27


def test_sparql_update_is_refused_for_a_submitter(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    before = all_quads(live.registry)
    r = live.update(live.nfd, APPROVE)  # even on its own graph
    assert r.status_code == 403
    assert "approver" in r.json()["message"]
    assert all_quads(live.registry) == before


def test_update_whose_result_does_not_conform_is_422_and_changes_nothing(live: Live) -> None:
    assert live.put(live.nfd, GRAPH, VALID.read_bytes()).status_code == 201
    before = all_quads(live.registry)
    r = live.update(live.kmd, f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?s dct:title ?t }} }}")
    assert r.status_code == 422
    assert r.json()["report"]["errors"] == 3  # the commitment and its two milestones
    # removing an organisation another graph depends on is checked from the other side too
    r = live.update(
        live.kmd,
        f"DELETE WHERE {{ GRAPH <{SRC}bundled-organisations> "
        f"{{ <{BASE}id/organisation/naerings-og-fiskeridepartementet> ?p ?o }} }}",
    )
    assert r.status_code == 422
    focus = {i["focus"] for i in r.json()["report"]["issues"]}
    assert BASE + "id/commitment/NO9901" in focus
    assert all_quads(live.registry) == before


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        self.wfile.write(b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def outside() -> Iterator[str]:
    """A real HTTP server standing for 'the outside': it records any request it gets."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_updates_that_fetch_or_name_no_graph_are_refused(live: Live, outside: str) -> None:
    before = all_quads(live.registry)
    refused = {
        f"LOAD <{outside}data.ttl> INTO GRAPH <{GRAPH}>": 400,
        f"INSERT {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{outside}sparql> "
        "{ ?s ?p ?o } }": 400,
        f"INSERT {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ OPTIONAL {{ SERVICE SILENT "
        f"<{outside}sparql> {{ ?s ?p ?o }} }} }}": 400,
        "DELETE WHERE { GRAPH ?g { ?s ogp:leadAgency ?o } }": 400,
        "CLEAR ALL": 400,
        "DROP NAMED": 400,
        f"COPY <{SRC}bundled-editorial> TO <{BASE}graph/vocabulary/themes>": 403,
        f"MOVE <{SRC}bundled-editorial> TO DEFAULT": 403,
        "this is not SPARQL": 400,
    }
    for update, status in refused.items():
        r = live.update(live.kmd, update)
        assert r.status_code == status, (update, r.text)
    assert _Recorder.hits == []  # nothing was fetched
    assert all_quads(live.registry) == before


def test_update_wrong_media_type_and_missing_update(live: Live) -> None:
    r = requests.post(
        live.url + "/sparql/update",
        data=APPROVE,
        headers={"Content-Type": "text/plain", **live.auth(live.kmd)},
        timeout=30,
    )
    assert r.status_code == 400
    r = requests.post(
        live.url + "/sparql/update",
        data={"query": "ASK {}"},
        headers=live.auth(live.kmd),
        timeout=30,
    )
    assert r.status_code == 400
    r = requests.get(live.url + "/sparql/update", headers=live.auth(live.kmd), timeout=30)
    assert r.status_code == 405


# -- the audit log ----------------------------------------------------------------------------------
def test_every_write_attempt_is_audited_without_token_values(live: Live) -> None:
    requests.put(
        live.url + "/graph-store", params={"graph": GRAPH}, data=b"x", headers=TTL, timeout=30
    )  # 401
    live.put(live.nfd, GRAPH, VALID.read_bytes())  # 201
    live.put(live.kud, GRAPH, VALID.read_bytes())  # 403
    live.put(live.nfd, SRC + "bad-orgnr", BAD_ORGNR.read_bytes())  # 422
    live.update(live.kmd, APPROVE)  # 200
    live.update(live.nfd, APPROVE)  # 403
    requests.delete(
        live.url + "/graph-store", params={"graph": GRAPH}, headers=live.auth(live.nfd), timeout=30
    )  # 200
    requests.get(
        live.url + "/graph-store", params={"graph": GRAPH}, headers=live.auth(live.nfd), timeout=30
    )  # not a write
    entries = live.audit()
    assert [(e.action, e.status, e.outcome, e.token_id) for e in entries] == [
        ("graph-store.put", 401, "refused", None),
        ("graph-store.put", 201, "ok", live.nfd.record.id),
        ("graph-store.put", 403, "refused", live.kud.record.id),
        ("graph-store.put", 422, "refused", live.nfd.record.id),
        ("sparql.update", 200, "ok", live.kmd.record.id),
        ("sparql.update", 403, "refused", live.nfd.record.id),
        ("graph-store.delete", 200, "ok", live.nfd.record.id),
    ]
    assert entries[1].organisation == NFD and entries[1].role == "submitter"
    assert entries[1].target == GRAPH and entries[1].remote == "127.0.0.1"
    assert entries[4].target == GRAPH and entries[4].organisation == KMD
    assert "1 error and 0 warnings" in entries[3].message  # the singular
    assert entries[0].message == "no Authorization header"
    log = (live.registry.store.path / "audit.log").read_text("utf-8")
    for t in (live.nfd, live.kud, live.kmd):
        assert t.secret not in log
    for line in log.splitlines():
        json.loads(line)


# -- no unauthenticated write anywhere ---------------------------------------------------------
def test_the_public_app_has_no_unauthenticated_route_that_writes(live: Live) -> None:
    reg = live.registry
    before = all_quads(reg)
    rev = reg.store.revision()
    insert = f"INSERT DATA {{ GRAPH <{SRC}intruder> {{ <{BASE}x> <{BASE}p> 'x' }} }}"
    bodies: list[dict[str, Any]] = [
        {"data": {"update": insert, "query": insert}},
        {"data": insert.encode(), "headers": {"Content-Type": "application/sparql-update"}},
        {"data": VALID.read_bytes(), "headers": TTL},
    ]
    rules = list(live.app.url_map.iter_rules())
    assert {"/graph-store", "/sparql/update"} <= {r.rule for r in rules}
    tried = 0
    for rule in rules:
        path = re.sub(r"<(?:int|float):[^>]+>", "1", rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            for body in bodies:
                params = {"graph": SRC + "intruder", "update": insert}
                r = requests.request(method, live.url + path, params=params, timeout=30, **body)
                tried += 1
                allowed = {401, 403, 404, 405}
                if path.startswith("/sparql") and path != "/sparql/update":
                    # a query endpoint answers an update with a syntax error or a media-type error
                    allowed |= {400, 415}
                assert r.status_code in allowed, (method, path, r.status_code, r.text[:200])
                if path in ("/graph-store", "/sparql/update") and method in (rule.methods or ()):
                    assert r.status_code == 401, (method, path)
    assert tried >= 12
    assert all_quads(reg) == before
    assert reg.store.revision() == rev


# -- ogpreg load --remote ----------------------------------------------------------------------------
def test_load_remote_end_to_end(live: Live, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(live.nfd.secret + "\n", "utf-8")
    local = tmp_path / "elsewhere"  # the client's own store is never touched
    env = {**os.environ, "OGPREG_STORE": str(local), "PYTHONIOENCODING": "utf-8"}
    cmd = [
        sys.executable,
        "-m",
        "ogpreg",
        "--lang",
        "en",
        "load",
        "--remote",
        live.url,
        "--token",
        live.nfd.secret,
    ]
    ok = subprocess.run([*cmd, str(VALID)], capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"{VALID}: loaded into {GRAPH}: 27 triples (27 new, 0 removed)")
    assert live.nfd.secret not in ok.stdout + ok.stderr
    assert not local.exists()
    assert _provenance(live.registry, GRAPH)["submittedBy"] == NFD
    before = all_quads(live.registry)
    bad = subprocess.run(
        [*cmd, str(BAD_ORGNR)], capture_output=True, text=True, env=env, timeout=120
    )
    assert bad.returncode == 1
    assert f"ERROR: {BAD_ORGNR}" in bad.stdout  # the report on standard output
    assert "972417859 has a wrong check digit" in bad.stdout
    assert "The data does not conform to the shapes; nothing was loaded." in bad.stderr
    assert live.nfd.secret not in bad.stdout + bad.stderr
    assert all_quads(live.registry) == before

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--lang", "en", "load", *args], env=env)

    # several files: all validated first, nothing written unless all conform (like a local load)
    r = run(
        "--remote",
        live.url,
        "--token",
        f"@{token_file}",
        str(VALID),
        str(BAD_ORGNR),
        str(RDF / "end-before-start.ttl"),
    )
    assert r.exit_code == 1
    assert "2 errors and 0 warnings." in r.stdout and "nothing was submitted" in r.stderr
    assert all_quads(live.registry) == before
    # the report as JSON, like a local load
    r = run("--remote", live.url, "--token", f"@{token_file}", "--report", "json", str(BAD_ORGNR))
    assert r.exit_code == 1 and json.loads(r.stdout)["errors"] == 1
    # rights: the server says why, exit 1
    r = run("--remote", live.url, "--token", live.kud.secret, str(VALID))
    assert r.exit_code == 1 and "HTTP 403" in r.stderr
    r = run("--remote", live.url, "--token", "not-a-token", str(VALID))
    assert r.exit_code == 1 and "HTTP 401" in r.stderr and "Check --token" in r.stderr
    # usage errors: exit 2
    assert run("--remote", live.url, str(VALID)).exit_code == 2
    # --token without --remote is a local load acting as the token (issue 15): not this store's
    r = run("--token", live.nfd.secret, str(VALID))
    assert r.exit_code == 1 and "add --remote URL" in r.stderr
    assert run("--remote", "ftp://example.org/", "--token", "x", str(VALID)).exit_code == 2
    r = run(
        "--remote", live.url, "--token", live.nfd.secret, "--submitted-by", "972417858", str(VALID)
    )
    assert r.exit_code == 2
    # spreadsheets go to POST /api/submissions (issue 18; tests/test_submit_remote.py), after the
    # client's own checks
    r = run("--remote", live.url, "--token", live.nfd.secret, "forpliktelser.xlsx")
    assert r.exit_code == 2 and "File not found: forpliktelser.xlsx" in r.stderr
    # dry run writes nothing
    r = run(
        "--remote",
        live.url,
        "--token",
        live.nfd.secret,
        "--dry-run",
        "--source",
        "nfd-2",
        str(VALID),
    )
    assert r.exit_code == 0 and "would load into" in r.stdout
    assert all_quads(live.registry) == before


# -- loading while serving --------------------------------------------------------------------------
_STATE = f"""SELECT (COUNT(?s) AS ?n) (SAMPLE(?c) AS ?count) WHERE {{
  {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} UNION {{ GRAPH <{PROV}> {{ <{GRAPH}> ogp:tripleCount ?c }} }}
}}"""


def test_loads_while_serving_are_seen_whole_without_restart(live: Live, tmp_path: Path) -> None:
    """A remote load while queries run through /sparql: each query sees the graph and its
    provenance either both absent or both complete. Then a local `ogpreg load` in another process while the
    server serves, seen by the server without restart; then another remote write."""
    seen: list[tuple[int, str | None]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def state_now(session: requests.Session) -> tuple[int, str | None]:
        r = session.get(
            live.url + "/sparql",
            params={"query": _STATE},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        (row,) = r.json()["results"]["bindings"]
        return int(row["n"]["value"]), row["count"]["value"] if "count" in row else None

    def observe() -> None:
        with requests.Session() as session:
            try:
                for _ in range(10_000):
                    seen.append(state_now(session))
                    if done.is_set():
                        return
            except BaseException as exc:  # reported below
                errors.append(exc)

    with requests.Session() as session:
        assert state_now(session) == (0, None)
    watchers = [threading.Thread(target=observe) for _ in range(3)]
    for w in watchers:
        w.start()
    r = live.put(live.nfd, GRAPH, VALID.read_bytes())
    done.set()
    for w in watchers:
        w.join()
    assert r.status_code == 201
    assert not errors, errors
    assert set(seen) <= {(0, None), (27, "27")}, set(seen)
    with requests.Session() as session:
        assert state_now(session) == (27, "27")  # no restart needed

    # a local load in another process while the server serves
    local = subprocess.run(
        [
            sys.executable,
            "-m",
            "ogpreg",
            "--store",
            str(live.registry.store.path),
            "--base-uri",
            BASE,
            "load",
            "--submitted-by",
            "972417866",
            "--source",
            "kud-local",
            str(VALID),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert local.returncode == 0, local.stderr
    r = requests.get(
        live.url + "/graph-store",
        params={"graph": SRC + "kud-local"},
        headers={"Accept": "application/n-triples", **live.auth(live.kud)},
        timeout=30,
    )
    assert r.status_code == 200 and len(r.content.splitlines()) == 27
    # and the server keeps writing after it: the locally loaded graph is Kulturdepartementet's
    changed = VALID.read_bytes() + (
        b"<id/commitment/NO9901> dct:source <https://example.org/invented-source> .\n"
    )
    assert live.put(live.kud, SRC + "kud-local", changed).status_code == 200
    assert live.put(live.nfd, SRC + "kud-local", changed).status_code == 403


def test_other_sites_cannot_send_a_token_to_the_write_paths(live: Live) -> None:
    """The CORS preflight of the write paths does not allow the Authorization header."""
    for path, method in (("/graph-store", "PUT"), ("/sparql/update", "POST")):
        r = requests.options(
            live.url + path,
            headers={
                "Origin": "https://other-site.example",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "authorization, content-type",
            },
            timeout=30,
        )
        allowed = r.headers.get("Access-Control-Allow-Headers", "").lower()
        assert "authorization" not in allowed and allowed.strip() != "*", (path, r.headers)


# -- JSON Python cannot hold, and faults --------------------------------------------------------
def test_json_nested_too_deep_or_with_huge_numbers_is_400_and_audited(live: Live) -> None:
    """A red-team audit sent ``[`` × 100,000 to the JSON write paths: 500 as Flask's HTML page,
    and /api/status and /api/erase left no trace in the audit log (the body was read for the
    log's target before the audited part began). Now: 400 in the endpoint's error shape,
    audited, nothing changed."""
    rev = live.registry.store.revision()
    deep = b"[" * 100_000 + b"]" * 100_000
    huge = b'{"item": "id/commitment/NO0054", "status": ' + b"1" * 5000 + b"}"
    before = len(live.audit())
    for body in (deep, huge):
        for path, token in (("/api/status", live.kud), ("/api/erase", live.kmd)):
            r = requests.post(live.url + path, data=body, timeout=60,
                              headers={**live.auth(token), "Content-Type": "application/json"})
            assert r.status_code == 400, (path, r.status_code, r.text[:200])
            assert r.json()["error"] == "usage-error" and "JSON" in r.json()["message"]
        r = requests.post(live.url + "/api/submissions", timeout=60, headers=live.auth(live.nfd),
                          files=[("file", ("forpliktelser.json", body, "application/json"))])
        assert r.status_code in (400, 422), (r.status_code, r.text[:200])
        assert "forpliktelser.json" in r.json()["message"] or "forpliktelser.json" in r.text
    entries = live.audit()[before:]
    assert [(e.action, e.outcome) for e in entries] == [
        ("api.status", "refused"), ("api.erase", "refused"), ("api.submissions", "refused")
    ] * 2
    assert live.registry.store.revision() == rev


def test_a_fault_of_the_server_is_500_in_the_error_shape_without_a_traceback(
    registry: Registry,
) -> None:
    """A fault no handler knows (here a route added for the test that raises) is answered in
    the endpoint's JSON error shape, in the asker's language, without Flask's HTML page or
    anything of the traceback."""
    app = create_app(replace(registry.settings, query_workers=1), registry=registry)

    def broken() -> str:
        raise RuntimeError("secret detail /srv/path")

    app.add_url_rule("/test-fault", "test_fault", broken)
    server = Server(app, host="127.0.0.1", port=0).start_in_thread()
    try:
        r = requests.get(server.url.rstrip("/") + "/test-fault", timeout=30,
                         headers={"Accept-Language": "en"})
    finally:
        server.close()
    assert r.status_code == 500 and r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"] == "internal-error" and "fault" in r.json()["message"]
    assert "secret" not in r.text and "Traceback" not in r.text


# -- the registry's own graphs are described by the registry alone ------------------------------
def test_no_source_may_describe_a_graph_of_the_registry(live: Live) -> None:
    """A red-team audit: KUD put ``<graph/source/bundled-plan-2019-2021> ogp:submittedBy
    <id/organisation/kulturdepartementet>`` into its own graph (201), and the provenance
    example and the graph's page then said KUD submitted the registry's own plan. Now a PUT and
    a SPARQL update that say anything about a graph under {base}graph/ are refused (422, with
    the statement's subject), and nothing changes."""
    bundled = BASE + "graph/source/bundled-plan-2019-2021"
    forged = (f"<{bundled}> <https://w3id.org/ogp-no/def#submittedBy> "
              f"<{BASE}id/organisation/kulturdepartementet> .\n").encode()
    rev = live.registry.store.revision()
    r = live.put(live.kud, SRC + "provforge", forged,
                 headers={"Content-Type": "application/n-triples", "Accept-Language": "en"})
    assert r.status_code == 422, r.text
    issues = r.json()["report"]["issues"]
    assert [(i["focus"], i["constraint"]) for i in issues] == [(bundled, "reserved-graph")]
    assert "one of the registry's own graphs" in issues[0]["message"]
    r = live.update(live.kmd, f"INSERT DATA {{ GRAPH <{SRC}provforge> {{ {forged.decode()} }} }}")
    assert r.status_code == 422, r.text
    assert live.registry.store.revision() == rev
    assert not _graph(live.registry, SRC + "provforge")


def test_a_submitter_cannot_take_the_source_id_of_another_organisations_submissions(
    live: Live,
) -> None:
    """A red-team audit: KUD PUT a graph under NFD's submission id for 2023-2027 first, and
    NFD's own submission for that plan was then refused (403, "submitted by Kulturdepartementet").
    Ids ending with another organisation's name are kept for it; one's own still work."""
    theirs = SRC + "commitments-2023-2027-naerings-og-fiskeridepartementet"
    r = live.put(live.kud, theirs, VALID.read_bytes(), headers={"Accept-Language": "en"})
    assert r.status_code == 403, r.text
    assert "Nærings- og fiskeridepartementet" in r.json()["message"]
    assert "kulturdepartementet" in r.json()["message"]  # the ending it may use
    assert not _graph(live.registry, theirs)
    assert live.put(live.nfd, theirs, VALID.read_bytes()).status_code == 201
    assert live.put(live.kud, SRC + "notes-kulturdepartementet", VALID.read_bytes().replace(
        b"NO9901", b"NO9903")).status_code == 201
