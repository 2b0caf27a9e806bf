"""SERVICE in disguise (issue 15): federated queries are refused on what the query means, on
every path and every engine, and nothing connects out.

A real HTTP server on 127.0.0.1 stands for "the outside" and counts every connection. The
disguises are sent to the embedded store's endpoint (the real app on a socket), to
``Registry.query`` and ``ogpreg query`` (pyoxigraph in the calling process: no network namespace
at all), to query workers started without their namespace, to the update path, and to the
registry on Oxigraph's server and on Virtuoso; each must be a 400 with a clear message while the
outside sees nothing. Queries that merely mention "service" still run.
"""

from __future__ import annotations

import http.server
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from endpoint.app import create_app
from endpoint.server import Server
from endpoint.sparql.answers import QueryRequest
from endpoint.sparql.executor import QueryExecutor
from ogpreg.cli import main
from registry.access import tokens
from registry.errors import QueryError
from registry.namespaces import PREFIXES
from registry.service import Registry
from registry.sparql.queryguard import (
    MAX_CHECKED_TOKENS,
    ServiceNotAllowed,
    refuse_service,
    verdict,
)
from registry.sparql.querytext import form_of, inspect
from tests.conftest import BASE
from tests.endpoint_server import Running, copy_store, running, servers
from tests.test_remote_endpoint import serving

JSON = {"Accept": "application/sparql-results+json"}


class _Outside(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        # an empty SPARQL answer, so that a query that does get out ends at once
        body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Outside(http.server.ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1 that counts every connection made to it."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Outside)
        self.connections = 0
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def verify_request(self, request: object, client_address: object) -> bool:
        self.connections += 1
        return True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/sparql"

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()


@pytest.fixture
def outside() -> Iterator[Outside]:
    srv = Outside()
    try:
        yield srv
    finally:
        srv.close()


# -- the disguises -----------------------------------------------------------------------------
#: Texts that oxigraph evaluates as a SERVICE call (each is checked below: ``{url}`` set to
#: port 1, which pyoxigraph refuses before connecting), but that a lexer can be fooled by.
DISGUISES = {
    # the issue's query: an escaped quote in a prefixed name opens a "string" for a naive lexer
    "escape in a prefixed name": "PREFIX ex: <http://e/> SELECT * WHERE { OPTIONAL { ?s ex:a\\' "
    "?o } SERVICE <{url}> { ?x ?y ?z } } # '",
    # a comment ends at a carriage return for oxigraph; rdflib's parser reads on to the newline
    "comment ended by a carriage return": "SELECT * WHERE { ?s ?p ?o # \r SERVICE <{url}> "
    "{ ?x ?y ?z } \n }",
    # oxigraph matches keywords without a word boundary
    "keyword glued to the one before": "SELECT * WHERE { ?s ?p trueSERVICE <{url}> { ?x ?y ?z } }",
    # oxigraph decodes \\u only inside strings; a parser that decodes everywhere reads a string
    "escaped quote read two ways": 'SELECT * WHERE { ?s ?p ?o BIND("\\u0022" AS ?q) SERVICE '
    '<{url}> { ?x ?y ?z } #""" AS ?w)\n}',
    "lower case": "select * where { ?s ?p ?o service <{url}> { ?x ?y ?z } }",
    "in a sub-select": "SELECT * WHERE { ?s ?p ?o { SELECT * WHERE { SERVICE <{url}> "
    "{ ?x ?y ?z } } } }",
    "in OPTIONAL": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?x ?y ?z } } }",
    "in nested groups": "SELECT * WHERE { ?s ?p ?o { { { SERVICE <{url}> { ?x ?y ?z } } } } }",
    "CONSTRUCT": "CONSTRUCT { ?x ?y ?z } WHERE { ?s ?p ?o SERVICE <{url}> { ?x ?y ?z } }",
    "ASK": "ASK { ?s ?p ?o SERVICE <{url}> { ?x ?y ?z } }",
}
#: Further places a SERVICE may hide; refused all the same (oxigraph may skip evaluating some
#: of them on an empty result, so they are not checked against it).
MORE = {
    "SERVICE SILENT": "SELECT * WHERE { SERVICE SILENT <{url}> { ?x ?y ?z } }",
    "a variable": "SELECT * WHERE { VALUES ?svc { <{url}> } SERVICE ?svc { ?x ?y ?z } }",
    "\\u0053ERVICE": "SELECT * WHERE { \\u0053ERVICE <{url}> { ?x ?y ?z } }",
    "\\U00000053ERVICE": "SELECT * WHERE { \\U00000053ERVICE <{url}> { ?x ?y ?z } }",
    "in FILTER EXISTS": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> "
    "{ ?x ?y ?z } } }",
    "in MINUS": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?s ?p ?o } } }",
    "in FILTER NOT EXISTS": "SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE <{url}> "
    "{ ?x ?y ?z } } }",
    "in BIND(EXISTS …)": "SELECT * WHERE { BIND(EXISTS { SERVICE <{url}> { } } AS ?b) }",
    "in a SELECT expression": "SELECT (EXISTS { SERVICE <{url}> { } } AS ?b) WHERE { }",
    "in UNION": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?x ?y ?z } } }",
    "in GRAPH": "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> { ?x ?y ?z } } }",
    "DESCRIBE": "DESCRIBE ?x WHERE { SERVICE <{url}> { ?x ?y ?z } }",
    "glued prefix": "PREFIX a: <{url}> SELECT * WHERE { SERVICEa: { } }",
}
ALL = {**DISGUISES, **MORE}

#: Queries that only mention the word: they run.
MENTIONS = (
    'SELECT ?service WHERE { BIND("SERVICE" AS ?service) }',
    "SELECT * WHERE { ?s a dcat:DataService }",
    "SELECT * WHERE { ?s <http://example.org/service> ?o } # a SERVICE in a comment",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service '''SERVICE <x> {}''' }",
)


def _text(template: str, url: str) -> str:
    return template.replace("{url}", url)


def _oxigraph_calls_service(query: str) -> bool:
    """Whether pyoxigraph evaluates a SERVICE call in ``query`` (its target on port 1, which
    pyoxigraph refuses before connecting: nothing leaves the machine)."""
    store = ox.Store()
    s = ox.NamedNode("http://127.0.0.1:1/s")
    store.add(ox.Quad(s, s, ox.Literal("true", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#boolean"))))
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except OSError as exc:
        return "port 1 " in str(exc) or "refused" in str(exc)
    return False


@pytest.mark.parametrize("name", sorted(DISGUISES))
def test_each_disguise_is_a_service_call_to_oxigraph_and_is_refused(name: str) -> None:
    query = _text(DISGUISES[name], "http://127.0.0.1:1/x")
    assert _oxigraph_calls_service(query)  # the premise: the disguise works on the engine
    assert verdict(query).refused in ("service", "escapes")
    assert inspect(query).uses_service


def test_the_lexer_reads_prefixed_names_with_escapes_to_their_end() -> None:
    # the same trick hid an outermost LIMIT in a comment: the worker then skipped the row cap
    hidden = "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\' ?o } # ' } LIMIT 5"
    assert inspect(hidden).limit is None
    assert inspect("SELECT * WHERE { ?s ex:a\\' ?o } LIMIT 5").limit == 5
    assert form_of("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\' ?o } # ' CONSTRUCT") == (
        "SELECT"
    )
    assert form_of("CONSTRUCTWHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert form_of("# only a comment") is None


def test_what_cannot_be_checked_is_refused_and_says_how_to_rephrase() -> None:
    sparql12 = 'SELECT * WHERE { ?s ?p <<( ?a ?b "service" )>> }'
    found = verdict(sparql12)
    assert found.refused == "unparsable"
    long = "SELECT * WHERE { ?s ?p ?o FILTER(?o != 'service') " + "FILTER(1+1) " * (
        MAX_CHECKED_TOKENS // 6 + 10
    ) + "}"
    assert verdict(long).refused == "too-long"
    escaped = 'SELECT * WHERE { ?s ?p "\\u00e6 service" }'
    assert verdict(escaped).refused == "escapes"
    for query in (sparql12, long, escaped):
        with pytest.raises(ServiceNotAllowed) as refused:
            refuse_service(query)
        text = refused.value.render("en")
        assert '"service"' in text and "rephrase" in text.lower()
    # the cheap test: no parse for a text without the letters
    assert verdict("SELECT * WHERE { ?s ?p ?o }").allowed
    # Virtuoso's built-ins (bif:http_get fetches a URL) are refused on every engine
    assert verdict('SELECT (bif:http_get("http://x/") AS ?x) {}').refused == "builtin"
    assert verdict('PREFIX v: <BIF:> SELECT (v:http_get("http://x/") AS ?x) {}').refused
    assert verdict('SELECT * WHERE { ?s ?p "mysql:host" }').allowed


def test_the_longest_checked_text_is_parsed_and_one_token_more_is_refused() -> None:
    """The boundary of MAX_CHECKED_TOKENS: a text that mentions the word and has exactly that
    many tokens (spaces aside, as the lexer reads them) is parsed, and runs; one token more is
    refused as too long to check."""
    from registry.sparql.lexer import TOKEN

    def tokens_of(text: str) -> int:
        return sum(1 for m in TOKEN.finditer(text) if not m.group(0).isspace())

    def query(k: int) -> str:
        return "SELECT * WHERE { ?s ?p ?o FILTER(?o != 'service') VALUES ?x { " + "1 " * k + "} }"

    k = MAX_CHECKED_TOKENS - tokens_of(query(0))
    assert tokens_of(query(k)) == MAX_CHECKED_TOKENS  # the premise: one token per value
    assert tokens_of(query(k + 1)) == MAX_CHECKED_TOKENS + 1
    assert verdict(query(k)).allowed
    assert verdict(query(k + 1)).refused == "too-long"


def _nested(levels: int, padding: int = 0) -> str:
    """An ASK whose comment ends in an escape that takes ``levels`` rounds of decoding to
    give "A": ``\\u005C`` (a backslash) ``levels - 1`` times, then ``u0041``."""
    return "ASK {} # " + "x" * padding + "\\u005C" + "u005C" * (levels - 2) + "u0041"


def test_escapes_are_decoded_at_most_three_rounds_deep() -> None:
    """Each round of decoding is linear; rounds without end were quadratic in the text's length
    (an escape decoding into an escape, level after level: a red-team audit's 320 kB query held
    a request thread for 5 s, 2 MB would be minutes). Three levels are read; a fourth is refused
    unread, with its own error."""
    from registry.sparql.queryguard import MAX_DECODE_ROUNDS, EscapesNotAllowed, decode

    assert MAX_DECODE_ROUNDS == 3
    assert decode(_nested(3)).endswith("# A") and verdict(_nested(3)).allowed
    assert verdict(_nested(4)).refused == "nested-escapes"
    with pytest.raises(EscapesNotAllowed) as refused:
        refuse_service(_nested(4))
    assert refused.value.code == "nested-escapes"
    assert "\\u005Cu005C" in refused.value.render("en")
    # three levels that spell SERVICE are still read, and refused as SERVICE
    deep = "SELECT * WHERE { \\u005Cu005Cu0053ERVICE <http://x/> { ?x ?y ?z } }"
    assert decode(deep).startswith("SELECT * WHERE { SERVICE")
    assert verdict(deep).refused == "service"


# -- the embedded store: the endpoint, Registry.query, ogpreg query, workers without network --
@pytest.fixture(scope="module")
def srv(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("service") / "store")
    with running(store, query_workers=1, row_cap=20) as r:
        yield r


def _assert_refused(resp: requests.Response, code: str = "service-not-allowed") -> str:
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["error"] == code and body["status"] == 400
    return str(body["message"])


def test_the_endpoint_refuses_every_disguise_and_nothing_connects(
    srv: Running, outside: Outside
) -> None:
    for name, template in ALL.items():
        query = _text(template, outside.url)
        for resp in (
            requests.get(srv.sparql, params={"query": query}, headers=JSON, timeout=30),
            requests.post(
                srv.sparql,
                data=query.encode("utf-8"),
                headers={**JSON, "Content-Type": "application/sparql-query"},
                timeout=30,
            ),
        ):
            message = _assert_refused(resp)
            assert "SERVICE" in message, name
    assert outside.connections == 0
    for query in MENTIONS:
        ok = requests.get(srv.sparql, params={"query": query}, headers=JSON, timeout=30)
        assert ok.status_code == 200, (query, ok.text)


def test_the_endpoint_refuses_a_megabyte_of_nested_escapes_at_once(srv: Running) -> None:
    """The audit's query, 1.3 MB of escapes nested 260,000 levels deep: 400 nested-escapes
    (before, the request thread decoded it level by level: minutes of a core)."""
    query = _nested(260_000)
    resp = requests.post(srv.sparql, data=query.encode(), timeout=60,
                         headers={**JSON, "Content-Type": "application/sparql-query"})
    _assert_refused(resp, "nested-escapes")
    ok = requests.get(srv.sparql, params={"query": _nested(3)}, headers=JSON, timeout=30)
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_the_row_cap_holds_when_a_prefixed_name_hides_a_limit(srv: Running) -> None:
    query = (
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ?o OPTIONAL { ?s ex:a\\' ?x } } "
        "# ' } } LIMIT 5\n"
    )
    resp = requests.get(srv.sparql, params={"query": query}, headers=JSON, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("OGP-Truncated") == "true"
    assert len(resp.json()["results"]["bindings"]) == 20


def test_registry_query_and_ogpreg_query_refuse_without_any_namespace(
    registry: Registry, outside: Outside
) -> None:
    # pyoxigraph runs in this very process here: only the refusal stands between the query
    # and the network
    for template in ALL.values():
        with pytest.raises(ServiceNotAllowed):
            registry.query(_text(template, outside.url))
    runner = CliRunner()
    store = str(registry.store.path)
    for template in (DISGUISES["escape in a prefixed name"], MORE["in MINUS"]):
        result = runner.invoke(
            main,
            ["--store", store, "--base-uri", BASE, "--lang", "en", "query",
             _text(template, outside.url)],
        )
        assert result.exit_code == 1, result.output
        assert "SERVICE is not allowed: a federated query" in result.stderr
    assert outside.connections == 0
    for query in MENTIONS:
        registry.query(query)


def test_query_workers_without_a_network_namespace_refuse_it_themselves(
    registry: Registry, outside: Outside
) -> None:
    """The second check: a worker that has a network (no namespace allowed on this host, or a
    remote engine's as-of workers) refuses what the protocol layer would have let through."""
    ex = QueryExecutor(
        registry.store.path, BASE, prefixes=dict(PREFIXES), workers=1, isolate_network=False
    )
    try:
        ex.start()
        assert not ex.network_isolated()
        for template in (DISGUISES["escape in a prefixed name"],
                         DISGUISES["comment ended by a carriage return"]):
            with pytest.raises(QueryError, match="SERVICE"):
                ex.execute(QueryRequest(_text(template, outside.url), solutions_format="json"))
        ok = ex.execute(QueryRequest(MENTIONS[0], solutions_format="json"))
        assert b"SERVICE" in ok.body
    finally:
        ex.close()
    assert outside.connections == 0


def test_updates_cannot_fetch_in_disguise(registry: Registry, outside: Outside) -> None:
    approver = tokens.issue(registry, "972417858", "approver", "KMD")
    app = create_app(replace(registry.settings, query_workers=1), registry=registry)
    server = Server(app, host="127.0.0.1", port=0).start_in_thread()
    graph = BASE + "graph/source/valid-commitment"
    try:
        for update in (
            f"INSERT {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o # \r SERVICE "
            f"<{outside.url}> {{ ?s ?p ?o }} \n }}",
            f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }} ; # \r LOAD "
            f"<{outside.url}> INTO GRAPH <{graph}> \n",
        ):
            resp = requests.post(
                server.url + "sparql/update",
                data=update.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update",
                         "Authorization": f"Bearer {approver.secret}"},
                timeout=30,
            )
            message = _assert_refused(resp)
            assert "LOAD" in message
    finally:
        server.close()
    assert outside.connections == 0


@pytest.mark.parametrize("server", servers())
def test_ogpreg_serve_says_whether_the_workers_have_a_network(
    initialised_store: Path, tmp_path: Path, server: str
) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    probe = subprocess.run(
        [sys.executable, "-c",
         "from endpoint.sparql.worker import _isolate_network; print(_isolate_network())"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    possible = probe.stdout.strip() == "True"
    env = {**os.environ, "OGPREG_BASE_URI": BASE, "OGPREG_QUERY_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ogpreg", "--store", str(store), "--lang", "en", "serve",
         "--server", server, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        # under either server: the network line (granian's worker prints it as it starts),
        # then the address
        first, second = proc.stdout.readline(), proc.stdout.readline()
        assert "answers at" in second, first + second
        expected = "yes (a network namespace" if possible else "no (the kernel or a sandbox"
        assert re.match(r"Query workers without network: (yes|no) \(", first), first
        assert expected in first
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


# -- the registry on Oxigraph's server and on Virtuoso -------------------------------------------
#: Odd and invalid queries: a 400 in the endpoint's error shape on every engine, never a 5xx.
CLIENT_ERRORS = {
    "a syntax error": "SELECT * WHERE { ?s ?p }",
    "an unknown prefix": "SELECT * WHERE { ?s foo:bar ?o }",
    "only a comment": "# nothing to see",
    "an update sent as a query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "a \\u-escaped keyword": "\\u0053ELECT * WHERE { ?s ?p ?o }",
    "a NUL character": "SELECT * WHERE { ?s ?p ?o } \x00",
    "an unsupported function": "SELECT (<http://example.org/fn>(1) AS ?x) WHERE { }",
    "a negative OFFSET": "SELECT * WHERE { ?s ?p ?o } OFFSET -1",
    "SPARQL 1.2 mentioning service": 'SELECT * WHERE { ?s ?p <<( ?a ?b "service" )>> }',
}
#: What engines disagree about: an answer or a 400, never a 5xx (Oxigraph: an invalid regular
#: expression is an error of the expression, so no row; Virtuoso refuses it, and takes a LIMIT
#: beyond 64 bits that Oxigraph refuses).
EITHER = {
    "an invalid regular expression":
        'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(")) } LIMIT 5',
    "a huge LIMIT": "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999",
}
#: Odd but valid: answered (200).
ODD_VALID = {
    "CONSTRUCT glued to WHERE (oxigraph) / refused (Virtuoso)": "CONSTRUCTWHERE { ?s ?p ?o }",
    "FROM an unknown graph": "SELECT * FROM <http://unknown.example/g> WHERE { ?s ?p ?o }",
    "15 000 VALUES": "SELECT ?x WHERE { VALUES ?x { "
    + " ".join(f'"v{i}"' for i in range(15000)) + " } } LIMIT 3",
    "a 300 kB IRI": "SELECT * WHERE { <http://x/" + "a" * 300_000 + "> ?p ?o }",
}


def test_remote_engines_refuse_service_and_builtins_and_answer_400_not_500(
    remote_registry: Registry, outside: Outside
) -> None:
    reg = remote_registry
    with serving(reg) as (url, _executor):
        for name, template in ALL.items():
            query = _text(template, outside.url)
            resp = requests.post(url + "sparql", data={"query": query}, headers=JSON, timeout=60)
            assert "SERVICE" in _assert_refused(resp), name
        for builtin in ("bif:http_get", "<bif:http_client>", "bif:HTTP_GET"):
            query = f'SELECT ({builtin}("{outside.url}") AS ?x) WHERE {{ }}'
            resp = requests.get(url + "sparql", params={"query": query}, headers=JSON, timeout=60)
            assert "bif:" in _assert_refused(resp, "function-not-allowed")
        assert outside.connections == 0
        for query in MENTIONS:
            ok = requests.get(url + "sparql", params={"query": query}, headers=JSON, timeout=60)
            assert ok.status_code == 200, (query, ok.text)
        for name, query in CLIENT_ERRORS.items():
            resp = requests.post(url + "sparql", data={"query": query}, headers=JSON, timeout=60)
            assert resp.status_code == 400, (name, resp.status_code, resp.text[:300])
            assert resp.json()["error"] in ("query-error", "service-not-allowed"), name
        for name, query in EITHER.items():
            resp = requests.post(url + "sparql", data={"query": query}, headers=JSON, timeout=60)
            assert resp.status_code in (200, 400), (name, resp.status_code, resp.text[:300])
            if resp.status_code == 400:
                assert resp.json()["error"] == "query-error"
        for name, query in ODD_VALID.items():
            resp = requests.post(
                url + "sparql",
                data={"query": query},
                headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
                timeout=60,
            )
            if "Virtuoso" in name and reg.settings.engine == "virtuoso":
                assert resp.status_code == 400, (name, resp.text[:300])
            else:
                assert resp.status_code == 200, (name, resp.status_code, resp.text[:300])
    # the command line's path on a remote registry (RemoteReader)
    with pytest.raises(ServiceNotAllowed):
        reg.query(_text(DISGUISES["escape in a prefixed name"], outside.url))
    assert outside.connections == 0
