"""SPARQL 1.1 Update through ``POST /sparql/update`` gives the same result on every store.

Each case of :data:`CASES` is sent over a real socket to the app in front of the embedded store,
Oxigraph's server and Virtuoso (tests/engines.py), each holding the same source graphs before
the case; the status, the JSON answer (``changes``: ``added``/``removed``/``triples``/
``created``/``deleted``/``unchanged``; the error code of a refusal) and the quads of the source
graphs the cases write (compared as graphs: blank nodes by isomorphism) must be the embedded
store's, and the embedded store's status the one the table expects.

Issue 15 (an outside probe): on both engines ``INSERT DATA``/``DELETE DATA``/``DELETE WHERE``
into an existing graph replaced it with what the update alone wrote (the graphs of
``… DATA`` and of templates were not brought into the transaction), so a ``DELETE DATA``
deleted nothing and an ``INSERT DATA`` dropped the rest of the graph; on Virtuoso every write to
a new graph was refused (its ``COUNT(*)`` of a graph outside the query's dataset is 1).

The engines are shared with the other remote tests; each engine gets one registry for this
module, loaded once with graphs of its own for every case (``{A}`` … ``{D}`` and the resources
``r:`` of case k are ``…/graph/source/cf{k}-a`` … and ``…/id/test/conformance/{k}/``), so no
case needs the store put back after another. Everything in the test graphs is invented.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from endpoint.app import create_app
from endpoint.server import Server
from registry.access import tokens
from registry.loading.sources import SourceFile
from registry.service import Registry, open_registry
from registry.store.remote.store import RemoteStore
from tests.conftest import BASE, make_settings
from tests.engines import EngineServer, initialised_on, remote_settings

SRC = BASE + "graph/source/"
THEMES = BASE + "graph/vocabulary/themes"
PROV = BASE + "graph/provenance"
R = BASE + "id/test/conformance/{k}/"
EX = "http://example.org/test#"
NFD = "912660680"  # submitter: A and B are its graphs
NFD_IRI = BASE + "id/organisation/naerings-og-fiskeridepartementet"
PREFIXES = f"PREFIX ex: <{EX}> PREFIX r: <{R}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"

#: what A and B of every case hold before it (N-Triples, invented)
BEFORE = {
    "A": f"""
<{R}r1> <http://purl.org/dc/terms/title> "x"@nb .
<{R}r1> <http://purl.org/dc/terms/title> "English"@en .
<{R}r1> <{EX}code> "p" .
<{R}r1> <{EX}n> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .
<{R}r1> <{EX}part> _:p .
_:p <{EX}label> "blank" .
<{R}r2> <http://purl.org/dc/terms/title> "Andre"@nb .
""",
    "B": f"""
<{R}r3> <{EX}label> "b" .
<{R}r3> <{EX}n> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .
""",
}
LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Case:
    """One request: ``update`` ({A}…{D} are the test graphs), its expected status on the
    embedded store, the protocol parameters (in the URL, or in the form with ``form``) and
    the token (``approver`` unless said)."""

    name: str
    update: str
    status: int = 200
    params: dict[str, list[str]] = field(default_factory=dict)
    form: bool = False
    token: str = "approver"
    #: on the embedded store a case answered 200 changes the test graphs (or, False: not)
    changes: bool = True


def _c(name: str, update: str, status: int = 200, **kw: Any) -> Case:
    return Case(name, update, status, **kw)


CASES = [
    # INSERT DATA / DELETE DATA: language-tagged, typed and plain literals, blank nodes
    _c("insert-data-lang", 'INSERT DATA { GRAPH <{A}> { r:r1 ex:alt "ny"@nb } }'),
    _c("delete-data-lang", 'DELETE DATA { GRAPH <{A}> { r:r1 dct:title "x"@nb } }'),
    _c("delete-data-lang-upper-case", 'DELETE DATA { GRAPH <{A}> { r:r1 dct:title "x"@NB } }'),
    _c("delete-data-lang-other-tag", 'DELETE DATA { GRAPH <{A}> { r:r1 dct:title "x"@nn } }',
       changes=False),
    _c("insert-data-typed", 'INSERT DATA { GRAPH <{A}> { r:r1 ex:n "6"^^xsd:integer } }'),
    _c("delete-data-typed", 'DELETE DATA { GRAPH <{A}> { r:r1 ex:n "5"^^xsd:integer } }'),
    _c("delete-data-typed-as-plain", 'DELETE DATA { GRAPH <{A}> { r:r1 ex:n "5" } }',
       changes=False),
    _c("insert-data-plain", 'INSERT DATA { GRAPH <{A}> { r:r1 ex:code "q" } }'),
    _c("delete-data-plain", 'DELETE DATA { GRAPH <{A}> { r:r1 ex:code "p" } }'),
    _c("delete-data-xsd-string", 'DELETE DATA { GRAPH <{A}> { r:r1 ex:code "p"^^xsd:string } }'),
    _c("insert-data-existing", 'INSERT DATA { GRAPH <{A}> { r:r1 ex:code "p" } }',
       changes=False),
    _c("delete-data-absent", 'DELETE DATA { GRAPH <{A}> { r:r1 ex:code "nothing" } }',
       changes=False),
    _c("insert-data-blank", 'INSERT DATA { GRAPH <{A}> { r:r2 ex:part [ ex:label "ny" ] } }'),
    _c("delete-data-blank", 'DELETE DATA { GRAPH <{A}> { _:x ex:label "blank" } }', 400),
    _c("insert-data-new-graph", 'INSERT DATA { GRAPH <{C}> { r:r9 ex:label "c"@nb } }'),
    _c(
        "insert-and-delete-data-two-graphs",
        'INSERT DATA { GRAPH <{A}> { r:r1 ex:code "q" } GRAPH <{C}> { r:r9 ex:code "c" } } ;'
        ' DELETE DATA { GRAPH <{B}> { r:r3 ex:label "b" } }',
    ),
    _c("delete-data-last-triples", 'DELETE DATA { GRAPH <{B}> { r:r3 ex:label "b" . '
       'r:r3 ex:n 7 } }'),
    # DELETE WHERE, DELETE/INSERT WHERE, WITH, USING, USING NAMED
    _c("delete-where", "DELETE WHERE { GRAPH <{A}> { ?s dct:title ?t } }"),
    _c("delete-where-blank", "DELETE WHERE { GRAPH <{A}> { ?s ex:part ?b . ?b ?p ?o } }"),
    _c("delete-where-nothing", "DELETE WHERE { GRAPH <{A}> { ?s ex:nothing ?t } }",
       changes=False),
    _c(
        "delete-insert-where",
        'DELETE { GRAPH <{A}> { ?s dct:title ?t } } '
        'INSERT { GRAPH <{A}> { ?s dct:title "y"@nb } }'
        ' WHERE { GRAPH <{A}> { ?s dct:title ?t FILTER(lang(?t) = "nb") } }',
    ),
    _c(
        "insert-where-across-graphs",
        "INSERT { GRAPH <{C}> { ?s ex:seen ?n } } WHERE { GRAPH <{A}> { ?s ex:n ?n } "
        "GRAPH <{B}> { ?x ex:n ?m } FILTER(?m > ?n) }",
    ),
    _c(
        "insert-where-graph-variable",  # reads every graph: A and B are not named
        "INSERT { GRAPH <{C}> { ?s ex:in ?g } } WHERE { GRAPH ?g { ?s ex:n ?n } "
        'FILTER(STRSTARTS(STR(?g), "{G}")) }',
    ),
    _c(
        "insert-where-blank-template",
        "INSERT { GRAPH <{A}> { ?s ex:note [ ex:text ?t ] } } WHERE { GRAPH <{A}> "
        "{ ?s dct:title ?t } }",
    ),
    _c(
        "with",
        'WITH <{A}> DELETE { ?s ex:code ?c } INSERT { ?s ex:code "w" } WHERE { ?s ex:code ?c }',
    ),
    _c(
        "with-and-graph-template",
        "WITH <{B}> INSERT { GRAPH <{C}> { ?s ex:label ?l } } WHERE { ?s ex:label ?l }",
    ),
    _c(
        "using",
        "INSERT { GRAPH <{C}> { ?s ex:label ?l } } USING <{B}> WHERE { ?s ex:label ?l }",
    ),
    _c(
        "using-two-graphs",
        "INSERT { GRAPH <{C}> { ?s ?p ?n } } USING <{A}> USING <{B}> WHERE { ?s ?p ?n "
        "FILTER(isLiteral(?n) && datatype(?n) = xsd:integer) }",
    ),
    _c(
        "using-named",
        "INSERT { GRAPH <{C}> { ?s ex:from ?g } } USING NAMED <{B}> WHERE { GRAPH ?g "
        "{ ?s ex:label ?l } }",
    ),
    _c("with-delete-everything", "WITH <{A}> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    _c(
        "using-instead-of-with",
        "WITH <{A}> INSERT { ?s ex:copied ?l } USING <{B}> WHERE { ?s ex:label ?l }",
    ),
    _c(
        "where-default-graph-is-empty",
        "INSERT { GRAPH <{C}> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
        changes=False,
    ),
    # the protocol's using-graph-uri / using-named-graph-uri
    _c(
        "param-using-graph-uri",
        "INSERT { GRAPH <{C}> { ?s ex:label ?l } } WHERE { ?s ex:label ?l }",
        params={"using-graph-uri": ["{B}"]},
    ),
    _c(
        "param-using-graph-uri-form",
        "INSERT { GRAPH <{C}> { ?s ?p ?n } } WHERE { ?s ?p ?n FILTER(isNumeric(?n)) }",
        params={"using-graph-uri": ["{A}", "{B}"]},
        form=True,
    ),
    _c(
        "param-using-named-graph-uri",
        "INSERT { GRAPH <{C}> { ?s ex:from ?g } } WHERE { GRAPH ?g { ?s ex:label ?l } }",
        params={"using-named-graph-uri": ["{B}"]},
    ),
    _c(
        "param-applies-to-every-operation",
        "INSERT { GRAPH <{C}> { ?s ex:one ?l } } WHERE { ?s ex:label ?l } ; "
        'INSERT DATA { GRAPH <{D}> { r:r9 ex:code "d" } } ; '
        "INSERT { GRAPH <{D}> { ?s ex:two ?l } } WHERE { ?s ex:label ?l }",
        params={"using-graph-uri": ["{B}"]},
    ),
    _c(
        "param-does-not-change-what-is-written",
        "DELETE { GRAPH <{A}> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
        params={"using-graph-uri": ["{B}"]},
        changes=False,
    ),
    _c(
        "param-and-with",
        "WITH <{A}> INSERT { ?s ex:x 1 } WHERE { ?s ex:n ?n }",
        400,
        params={"using-graph-uri": ["{B}"]},
    ),
    _c(
        "param-and-using",
        "INSERT { GRAPH <{C}> { ?s ex:x 1 } } USING <{A}> WHERE { ?s ex:n ?n }",
        400,
        params={"using-named-graph-uri": ["{B}"]},
    ),
    _c(
        "param-not-an-iri",
        "INSERT { GRAPH <{C}> { ?s ex:x 1 } } WHERE { ?s ex:n ?n }",
        400,
        params={"using-graph-uri": ["{A}> } ; DROP GRAPH <{B}"]},
    ),
    _c(
        "param-relative-iri",
        "INSERT { GRAPH <{C}> { ?s ex:x 1 } } WHERE { ?s ex:n ?n }",
        400,
        params={"using-graph-uri": ["conformance-a"]},
    ),
    # graph management between source graphs
    _c("drop", "DROP GRAPH <{B}>"),
    _c("drop-absent", "DROP GRAPH <{C}>", 400),
    _c("drop-silent-absent", "DROP SILENT GRAPH <{C}>", changes=False),
    _c("clear", "CLEAR GRAPH <{B}>"),
    _c("add", "ADD <{A}> TO <{B}>"),
    _c("add-to-new", "ADD <{B}> TO <{C}>"),
    _c("copy", "COPY <{A}> TO <{B}>"),
    _c("copy-to-new", "COPY <{B}> TO <{C}>"),
    _c("move", "MOVE <{B}> TO <{A}>"),
    _c("move-to-new", "MOVE <{A}> TO <{C}>"),
    _c("create", "CREATE GRAPH <{C}>", changes=False),
    _c("create-and-insert", 'CREATE GRAPH <{C}> ; INSERT DATA { GRAPH <{C}> { r:r9 ex:c "c" } }'),
    _c("create-existing", "CREATE GRAPH <{A}>", 400),
    _c("create-silent-existing", "CREATE SILENT GRAPH <{A}>", changes=False),
    # refusals
    _c("submitter", 'INSERT DATA { GRAPH <{A}> { r:r1 ex:code "q" } }', 403, token="submitter"),
    _c("vocabulary-graph", f'INSERT DATA {{ GRAPH <{THEMES}> {{ r:r1 ex:code "q" }} }}', 403),
    _c("provenance-graph", f"DELETE WHERE {{ GRAPH <{PROV}> {{ <{{A}}> ?p ?o }} }}", 403),
    _c("default-graph", 'INSERT DATA { r:r1 ex:code "q" }', 403),
    _c("copy-to-vocabulary", f"COPY <{{A}}> TO <{THEMES}>", 403),
    _c("move-to-default", "MOVE <{A}> TO DEFAULT", 403),
    _c("graph-variable-template", "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g "
       "{ ?s ?p ?o } }", 400),
    _c("drop-all", "DROP ALL", 400),
    _c("syntax", "INSERT DATA { GRAPH <{A}> { r:r1 ex:code } }", 400),
    _c(
        "does-not-conform",
        f'INSERT DATA {{ GRAPH <{{A}}> {{ <{BASE}id/commitment/NO9999> a ogp:Commitment }} }}',
        422,
    ),
]


# -- the three registries ------------------------------------------------------------------------
@dataclass
class Live:
    kind: str
    url: str
    registry: Registry
    secrets: dict[str, str]
    admin: tokens.TokenRecord


def _serve(kind: str, reg: Registry) -> Iterator[Live]:
    issued = {
        "approver": tokens.issue(reg, "972417858", "approver", "KMD"),
        "submitter": tokens.issue(reg, NFD, "submitter", "NFD"),
        "admin": tokens.issue(reg, "972417858", "admin", "operator"),
    }
    app = create_app(replace(reg.settings, query_workers=1), registry=reg)
    server = Server(app, host="127.0.0.1", port=0).start_in_thread()
    try:
        yield Live(
            kind,
            server.url.rstrip("/"),
            reg,
            {k: v.secret for k, v in issued.items()},
            issued["admin"].record,
        )
    finally:
        server.close()


@pytest.fixture(scope="module")
def embedded(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    path = tmp_path_factory.mktemp("conformance") / "store"
    shutil.copytree(initialised_store, path)
    reg = open_registry(make_settings(path))
    _load_before(reg)
    yield from _serve("embedded", reg)


def _remote(srv: EngineServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    state = tmp_path_factory.mktemp(f"conformance-{srv.kind}") / "state"
    # as the embedded store here: after `ogpreg init`
    reg = initialised_on(srv, remote_settings(srv, state))
    _load_before(reg)
    yield from _serve(srv.kind, reg)


@pytest.fixture(scope="module")
def oxigraph(
    oxigraph_server: EngineServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    yield from _remote(oxigraph_server, tmp_path_factory)


@pytest.fixture(scope="module")
def virtuoso(
    virtuoso_server: EngineServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    yield from _remote(virtuoso_server, tmp_path_factory)


# -- a case on one registry ----------------------------------------------------------------------
def _quads(reg: Registry, graph: str) -> set[ox.Quad]:
    return set(reg.store.reader().quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def _canonical(quads: set[ox.Quad]) -> list[str]:
    """A graph's triples as sorted N-Triples lines, blank nodes labelled canonically."""
    data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                        format=ox.RdfFormat.N_TRIPLES) or b""
    g = Graph().parse(data=data.decode("utf-8"), format="nt")
    return sorted(to_canonical_graph(g).serialize(format="nt").strip().splitlines())


def _graphs(k: int) -> dict[str, str]:
    """Case k's graphs by letter (and ``G``: the prefix they share)."""
    prefix = f"{SRC}cf{k}-"
    return {**{x: prefix + x.lower() for x in LETTERS}, "G": prefix}


def _fill(text: str, k: int) -> str:
    for name, iri in _graphs(k).items():
        text = text.replace("{" + name + "}", iri)
    return text.replace("{k}", str(k))


def _before(k: int, letter: str) -> list[str]:
    if letter not in BEFORE:
        return []
    data = _fill(BEFORE[letter], k).encode()
    return _canonical({ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                       for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)})


def _load_before(reg: Registry) -> None:
    """A and B of every case, in one load (submitted by NFD)."""
    files = []
    for k in range(len(CASES)):
        for letter, data in BEFORE.items():
            sid = _graphs(k)[letter].rsplit("/", 1)[1]
            files.append(SourceFile(sid + ".nt", _fill(data, k).encode(), sid, "ntriples"))
    reg.load(files, submitted_by=NFD_IRI)


@dataclass
class Outcome:
    status: int
    answer: Any
    graphs: dict[str, list[str]]
    #: whether the request committed a new revision
    committed: bool


def _run(live: Live, k: int) -> Outcome:
    case = CASES[k]
    text = _fill(PREFIXES + case.update, k)
    params = [(name, _fill(v, k)) for name, vs in case.params.items() for v in vs]
    headers = {"Authorization": f"Bearer {live.secrets[case.token]}", "Accept-Language": "en"}
    rev = live.registry.store.revision()
    if case.form:
        r = requests.post(live.url + "/sparql/update", data=[("update", text), *params],
                          headers=headers, timeout=120)
    else:
        r = requests.post(live.url + "/sparql/update", params=params, data=text.encode(),
                          headers={**headers, "Content-Type": "application/sparql-update"},
                          timeout=120)
    body = r.json()
    if r.status_code == 200:
        answer: Any = {
            "changes": sorted(
                (sorted(c.items()) for c in body["changes"]), key=lambda c: str(c)
            ),
            "warnings": sorted((w["focus"], w["constraint"]) for w in body["warnings"]),
        }
    else:
        answer = body["error"]
    graphs = _graphs(k)
    return Outcome(
        r.status_code,
        answer,
        {x: _canonical(_quads(live.registry, graphs[x])) for x in LETTERS},
        live.registry.store.revision() != rev,
    )


@pytest.mark.parametrize("k", range(len(CASES)), ids=[c.name for c in CASES])
def test_update_gives_the_embedded_result_on_every_engine(
    k: int, embedded: Live, oxigraph: Live, virtuoso: Live
) -> None:
    case = CASES[k]
    expected = _run(embedded, k)
    assert expected.status == case.status, expected.answer
    # the premise: a refusal changes nothing, and the table's writes write (so what is
    # compared below is a real change)
    untouched = expected.graphs == {x: _before(k, x) for x in LETTERS}
    if case.status != 200 or not case.changes:
        assert untouched, expected.graphs
    else:
        assert not untouched, expected.answer
    # an update that changes nothing commits no revision (every cache stays valid)
    assert expected.committed == (case.status == 200 and case.changes)
    for live in (oxigraph, virtuoso):
        got = _run(live, k)
        assert (live.kind, got.status, got.answer) == (live.kind, expected.status,
                                                       expected.answer)
        assert (live.kind, got.graphs) == (live.kind, expected.graphs)
        assert (live.kind, got.committed) == (live.kind, expected.committed)


def test_a_graph_holding_one_term_in_two_forms_on_virtuoso_can_be_updated(
    virtuoso: Live, virtuoso_server: EngineServer
) -> None:
    """Virtuoso keeps ``"p"`` and ``"p"^^xsd:string`` as two rows, which are one RDF term
    (and one quad when read back). Such a graph (written to the engine by something other
    than the registry) is updated like any other, and comes out holding the term once: the
    transaction's count of the graph is what it read, not the engine's ``COUNT(*)``."""
    reg = virtuoso.registry
    graph = SRC + "cf-two-forms"
    r = f"{BASE}id/test/conformance/two-forms"
    reg.load([SourceFile("two-forms.nt", f'<{r}> <{EX}code> "p" .\n'.encode(), "cf-two-forms",
                         "ntriples")], submitted_by=NFD_IRI)
    virtuoso_server.update(
        f'INSERT DATA {{ GRAPH <{graph}> {{ <{r}> <{EX}code> '
        f'"p"^^<http://www.w3.org/2001/XMLSchema#string> }} }}'
    )
    store = reg.store
    assert isinstance(store, RemoteStore)
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    assert store.engine.select(count)[0]["n"].value == "2"  # the premise: two rows
    resp = requests.post(
        virtuoso.url + "/sparql/update",
        data=f'INSERT DATA {{ GRAPH <{graph}> {{ <{r}> <{EX}code> "q" }} }}'.encode(),
        headers={"Authorization": f"Bearer {virtuoso.secrets['approver']}",
                 "Content-Type": "application/sparql-update"},
        timeout=120,
    )
    assert resp.status_code == 200, resp.text
    change = resp.json()["changes"][0]
    assert (change["added"], change["removed"], change["triples"]) == (1, 0, 2)
    assert {str(q.object) for q in _quads(reg, graph)} == {'"p"', '"q"'}
    assert store.engine.select(count)[0]["n"].value == "2"


def test_a_graph_an_update_only_reads_is_not_rewritten(oxigraph: Live) -> None:
    """On an external engine the graphs an update reads are copied into the transaction; the
    commit rewrites only those it changed (a read-only graph stays as the engine holds it)."""
    k = 0  # case 0's graphs; nothing is committed here
    graphs = _graphs(k)
    update = _fill(
        PREFIXES + "INSERT { GRAPH <{C}> { ?s ex:seen ?l } } USING <{B}> WHERE { ?s ex:label ?l }"
        " ; INSERT { GRAPH <{D}> { ?s ex:in ?g } } WHERE { GRAPH ?g { ?s ex:n ?n } "
        'FILTER(STRSTARTS(STR(?g), "{G}")) }',
        k,
    )

    class Abort(Exception):
        pass

    reg = oxigraph.registry
    with pytest.raises(Abort):
        with reg.store.transaction() as tx:
            tx.update(update, base_iri=BASE)
            plan = tx.plan(1, BASE)  # type: ignore[attr-defined]
            assert sorted(plan.replaced) == [graphs["C"], graphs["D"]]
            assert len(_canonical(set(tx.quads_for_pattern(None, None, None,
                                                           ox.NamedNode(graphs["D"]))))) == 2
            raise Abort
