"""The registry on external SPARQL engines (registry/store/remote/, registry/store/engines/): every test
runs on Oxigraph's server and on Virtuoso (tests/engines.py starts them)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from registry import backup
from registry.access import graphstore, tokens
from registry.errors import ConfigurationError, StoreError, ValidationFailed
from registry.loading.sources import SourceFile
from registry.service import Registry, open_registry
from registry.store.backend import Backend, StoreLike, WritableStoreLike
from registry.store.engines.oxigraph import OxigraphEngine
from registry.store.engines.virtuoso import PENDING, SimulatedCrash, VirtuosoEngine
from registry.store.remote.query import bind_values
from registry.store.remote.reader import RemoteReader
from registry.store.remote.store import RemoteStore
from registry.store.remote.transaction import RemoteTransaction
from tests.conftest import BASE, FIXTURES, make_settings
from tests.engines import EngineServer, initialised_on, remote_settings

VALID = FIXTURES / "rdf" / "valid-commitment.ttl"
BAD = FIXTURES / "rdf" / "bad-orgnr.ttl"
SOURCE = BASE + "graph/source/valid-commitment"
PROV = BASE + "graph/provenance"


def _quads(reg: Registry) -> set[ox.Quad]:
    return set(reg.store.reader())


def _named(quads: set[ox.Quad]) -> tuple[set[ox.Quad], int]:
    """The quads without blank nodes, and how many have one (blank node labels are the
    engine's own; the shapes use blank nodes)."""
    plain = {q for q in quads if not isinstance(q.subject, ox.BlankNode)
             and not isinstance(q.object, ox.BlankNode)}
    return plain, len(quads) - len(plain)


def _load(reg: Registry, path: Path = VALID, source: str = "valid-commitment") -> object:
    return reg.load([SourceFile(path.name, path.read_bytes(), source, None)])


def _ids(reg: Registry) -> list[str]:
    rows = reg.query(
        "SELECT ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id } ORDER BY ?id"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return [str(r["id"].value) for r in rows]


# -- the stand-ins keep the protocol --------------------------------------------------------------
def test_both_backends_satisfy_the_protocol(remote_registry: Registry, registry: Registry) -> None:
    for reg in (remote_registry, registry):
        store: Backend = reg.store
        assert isinstance(store.reader(), StoreLike)
    assert isinstance(remote_registry.store, RemoteStore)
    assert isinstance(remote_registry.store.reader(), RemoteReader)
    with remote_registry.store.transaction() as tx:
        assert isinstance(tx, RemoteTransaction)
        assert isinstance(tx, WritableStoreLike)


# -- init, query, stats ---------------------------------------------------------------------------
def test_init_holds_what_the_embedded_store_holds(
    remote_registry: Registry, registry: Registry
) -> None:
    kinds = ("graph/vocabulary/", "graph/source/")
    remote = {q for q in _quads(remote_registry) if any(k in q.graph_name.value for k in kinds)}
    local = {q for q in _quads(registry) if any(k in q.graph_name.value for k in kinds)}
    # both made by the same init, `ogpreg init` (loaders.bundled.init: tests/engines.py and
    # tests/conftest.py), so they hold the same quads, on either engine
    assert len(remote) == len(local)
    assert _named(remote) == _named(local)
    assert _ids(remote_registry) == _ids(registry)
    assert remote_registry.stats().classes == registry.stats().classes


def test_load_reload_and_provenance(remote_registry: Registry) -> None:
    reg = remote_registry
    before = reg.store.revision()
    assert before is not None
    ids = _ids(reg)
    assert "NO9901" not in ids
    first = _load(reg)[0]  # type: ignore[index]
    assert first.added > 0 and not first.unchanged
    assert reg.store.revision().number == before.number + 1  # type: ignore[union-attr]
    assert _ids(reg) == sorted([*ids, "NO9901"])  # the fixture's one commitment, no more
    again = _load(reg)[0]  # type: ignore[index]
    assert again.unchanged
    assert reg.store.revision().number == before.number + 1  # type: ignore[union-attr]
    sha = list(
        reg.store.reader().quads_for_pattern(
            ox.NamedNode(SOURCE), ox.NamedNode("https://w3id.org/ogp-no/def#sha256"), None,
            ox.NamedNode(PROV),
        )
    )
    assert len(sha) == 1  # the old provenance was replaced, not added to


def test_invalid_load_changes_nothing(remote_registry: Registry) -> None:
    before, rev = _quads(remote_registry), remote_registry.store.revision()
    with pytest.raises(ValidationFailed):
        _load(remote_registry, BAD, "bad-orgnr")
    assert _quads(remote_registry) == before
    assert remote_registry.store.revision() == rev


def test_a_commit_that_fails_half_way_changes_nothing(remote_registry: Registry) -> None:
    reg = remote_registry
    engine = reg.store.engine
    before, rev = _quads(reg), reg.store.revision()
    if isinstance(engine, OxigraphEngine):
        engine.poison = f"CREATE GRAPH <{PROV}>"  # fails: the graph exists
        try:
            with pytest.raises(StoreError):
                _load(reg)
        finally:
            engine.poison = None
        assert _quads(reg) == before and reg.store.revision() == rev
    else:
        assert isinstance(engine, VirtuosoEngine)
        engine.fail_at = "staging"
        try:
            with pytest.raises(StoreError):
                _load(reg)
        finally:
            engine.fail_at = None
        assert _quads(reg) == before and reg.store.revision() == rev
        assert not (reg.store.path / "virtuoso-commit.json").exists()
        # the new source graph, written under its own name before the failure, is gone again
        assert not _in_virtuoso(engine, SOURCE)
        assert not (reg.store.path / PENDING).exists()


def _in_virtuoso(engine: VirtuosoEngine, graph: str) -> bool:
    """Whether Virtuoso itself holds triples in ``graph`` (asked directly, not through the
    registry's dataset)."""
    r = requests.post(
        engine.conn.query_url,
        data={"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return bool(r.json()["boolean"])


def test_virtuoso_new_graph_of_a_stopped_commit_stays_hidden_and_is_removed(
    virtuoso_server: EngineServer, tmp_path: Path
) -> None:
    """A new graph is written once, under its own name, before the swap: no query through the
    registry sees it (not even one that names it), and a commit that stopped before its swap
    has it removed by the next writer."""
    reg, engine = _initialised_on_virtuoso(virtuoso_server, tmp_path)
    rev = reg.store.revision()
    engine.fail_at = "staging-crash"
    try:
        with pytest.raises(SimulatedCrash):
            _load(reg)
    finally:
        engine.fail_at = None
    assert _in_virtuoso(engine, SOURCE)  # left behind by the "crash"
    assert (reg.store.path / PENDING).exists()
    assert reg.store.revision() == rev
    for text, kwargs in (
        (f"SELECT (COUNT(*) AS ?n) FROM <{SOURCE}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{SOURCE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
         {}),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
         {"default_graph": [ox.NamedNode(SOURCE)], "named_graphs": []}),
        ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
         {"default_graph": [], "named_graphs": [ox.NamedNode(SOURCE)]}),
    ):
        found = reg.store.reader().query(text, **kwargs)
        assert isinstance(found, ox.QuerySolutions)
        assert int(next(found)["n"].value) == 0, text
    assert reg.store.recover()  # type: ignore[attr-defined]
    assert not _in_virtuoso(engine, SOURCE)
    assert not (reg.store.path / PENDING).exists()
    assert not _load(reg)[0].unchanged  # type: ignore[index]
    assert _in_virtuoso(engine, SOURCE)


def test_virtuoso_adds_from_clauses_to_the_pragmas(virtuoso_server: EngineServer) -> None:
    """Pins the Virtuoso quirk behind ``VirtuosoEngine.prepare`` taking ``FROM`` out of the
    text: the pragmas, FROM and the protocol's graph parameters are used together."""
    a, b = "urn:ogpreg:test:from-a", "urn:ogpreg:test:from-b"
    virtuoso_server.update(
        f"INSERT DATA {{ GRAPH <{a}> {{ <urn:s> <urn:p> 'a' }} "
        f"GRAPH <{b}> {{ <urn:s> <urn:p> 'b' }} }}"
    )

    def values(text: str, **params: str) -> set[str]:
        r = requests.post(
            virtuoso_server.query_url,
            data={"query": text, **params},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        return {row["o"]["value"] for row in r.json()["results"]["bindings"]}

    q = f"SELECT ?o FROM <{a}> WHERE {{ ?s <urn:p> ?o }}"
    assert values(q) == {"a"}
    assert values(f"define input:default-graph-uri <{b}>\n" + q) == {"a", "b"}
    assert values(q, **{"default-graph-uri": b}) == {"a", "b"}  # the protocol says only "b"
    virtuoso_server.update(f"DROP SILENT GRAPH <{a}> ; DROP SILENT GRAPH <{b}>")


def test_no_query_sees_the_bookkeeping_even_when_it_names_it(remote_registry: Registry) -> None:
    reg = remote_registry
    virtrdf = "http://www.openlinksw.com/schemas/virtrdf#"  # Virtuoso's own
    for graph in ("urn:ogpreg:meta", "urn:ogpreg:staging:0", virtrdf):
        found = reg.query(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
        assert isinstance(found, ox.QuerySolutions)
        assert int(next(found)["n"].value) == 0, graph


def test_virtuoso_swap_interrupted_is_finished_by_the_next_writer(
    virtuoso_server: EngineServer, tmp_path: Path
) -> None:
    reg, engine = _initialised_on_virtuoso(virtuoso_server, tmp_path)
    rev = reg.store.revision()
    assert rev is not None
    engine.fail_at = "swap"
    try:
        with pytest.raises(StoreError):
            _load(reg)
    finally:
        engine.fail_at = None
    state = reg.store.state()  # type: ignore[attr-defined]
    assert state.committing  # readers see the mark and wait; the endpoint never mixes
    assert (reg.store.path / "virtuoso-commit.json").exists()
    assert reg.store.recover()  # type: ignore[attr-defined]
    after = reg.store.revision()
    assert after is not None and after.number == rev.number + 1
    assert not reg.store.state().committing  # type: ignore[attr-defined]
    assert len(list(reg.store.reader().quads_for_pattern(None, None, None, ox.NamedNode(SOURCE))))
    assert _load(reg)[0].unchanged  # type: ignore[index]


def _initialised_on_virtuoso(
    srv: EngineServer, tmp_path: Path
) -> tuple[Registry, VirtuosoEngine]:
    """A registry of its own on the Virtuoso server, initialised (from the kept template)."""
    reg = initialised_on(srv, remote_settings(srv, tmp_path / "state"))
    engine = reg.store.engine
    assert isinstance(engine, VirtuosoEngine)
    return reg, engine


def test_engine_atomicity_of_one_update_request(engine_server: EngineServer) -> None:
    """Why the adapters differ: Oxigraph applies a multi-operation update request atomically,
    Virtuoso commits each operation on its own (so its adapter stages and journals)."""
    engine_server.reset()
    g = "urn:ogpreg:test:atomic"
    engine_server.update(f"INSERT DATA {{ GRAPH <{g}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    body = f"INSERT DATA {{ GRAPH <{g}2> {{ <urn:a> <urn:b> <urn:c> }} }} ; CREATE GRAPH <{g}>"
    r = requests.post(
        engine_server.update_url,
        data=body.encode(),
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    )
    assert r.status_code >= 400
    ask = requests.post(
        engine_server.query_url,
        data={"query": f"ASK {{ GRAPH <{g}2> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    ).json()["boolean"]
    assert ask is (engine_server.kind == "virtuoso")
    engine_server.update(f"DROP SILENT GRAPH <{g}> ; DROP SILENT GRAPH <{g}2>")


def test_virtuoso_graph_exclusion_pragma_breaks_constant_graph_patterns(
    virtuoso_server: EngineServer,
) -> None:
    """Pins the Virtuoso quirk behind the include-pragmas of registry/store/engines/virtuoso.py."""
    g = "urn:ogpreg:test:quirk"
    virtuoso_server.update(f"INSERT DATA {{ GRAPH <{g}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    q = f"SELECT * WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"

    def rows(text: str) -> int:
        r = requests.post(
            virtuoso_server.query_url,
            data={"query": text},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        return len(r.json()["results"]["bindings"])

    assert rows(q) == 1
    assert rows("define input:named-graph-exclude <urn:ogpreg:meta>\n" + q) == 0
    virtuoso_server.update(f"DROP SILENT GRAPH <{g}>")


def test_bulk_load_in_a_transaction_gives_what_the_embedded_store_gives(
    remote_registry: Registry, registry: Registry
) -> None:
    """RemoteTransaction.bulk_load parses a graph the transaction replaces straight into its
    own store, and adds the quads of other graphs to them; the commit sends the replaced
    graph as N-Triples written by pyoxigraph. Same result as on the embedded store."""
    replaced = BASE + "graph/test/replaced"  # invented test graphs
    added_to = BASE + "graph/test/added-to"
    a, b = f"<{BASE}id/test/a>", f"<{BASE}id/test/b>"
    seed = (
        f'{a} <urn:p> "gammel" <{replaced}> .\n'
        f'{a} <urn:p> "beholdt" <{added_to}> .\n'
    )
    data = (
        f'{a} <urn:p> "ny \\"verdi\\"\\nlinje 2 \u2013 \u00e6\u00f8\u00e5"@nb <{replaced}> .\n'
        f"{a} <urn:q> _:b1 <{replaced}> .\n"
        f'_:b1 <urn:p> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> <{replaced}> .\n'
        f'{b} <urn:p> "lagt til" <{added_to}> .\n'
    )
    seen = []
    for reg in (remote_registry, registry):
        with reg.store.transaction() as tx:
            tx.bulk_load(seed.encode(), ox.RdfFormat.N_QUADS)
        with reg.store.transaction() as tx:
            tx.remove_graph(ox.NamedNode(replaced))
            tx.bulk_load(data.encode(), ox.RdfFormat.N_QUADS)
            inside = len(list(tx.quads_for_pattern(None, None, None, ox.NamedNode(replaced))))
        reader = reg.store.reader()
        seen.append((inside, {
            g: _named(set(reader.quads_for_pattern(None, None, None, ox.NamedNode(g))))
            for g in (replaced, added_to)
        }))
    assert seen[0] == seen[1]
    inside, graphs = seen[0]
    assert inside == 3
    assert len(graphs[replaced][0]) == 1 and graphs[replaced][1] == 2  # "gammel" is gone
    assert len(graphs[added_to][0]) == 2


def test_bulk_load_into_the_default_graph_is_refused(remote_registry: Registry) -> None:
    reg = remote_registry
    rev = reg.store.revision()
    with pytest.raises(StoreError), reg.store.transaction() as tx:
        tx.bulk_load(b"<urn:a> <urn:b> <urn:c> .\n", ox.RdfFormat.N_QUADS)
    assert reg.store.revision() == rev


def test_still_current_notices_every_commit(remote_registry: Registry) -> None:
    """The endpoint's after-query check (Oxigraph: one ASK for the revision's marker graphs)."""
    engine = remote_registry.store.engine
    meta = engine.meta()
    assert meta is not None and engine.still_current(meta)
    with remote_registry.store.transaction() as tx:
        tx.add(ox.Quad(ox.NamedNode(f"{BASE}id/test/a"), ox.NamedNode("urn:p"),
                       ox.Literal("x"), ox.NamedNode(BASE + "graph/test/current")))
    assert not engine.still_current(meta)
    assert engine.still_current(engine.meta())


def test_oxigraph_commit_drops_every_older_revision_marker(
    oxigraph_server: EngineServer, tmp_path: Path
) -> None:
    """Older markers go in a clean-up request after the commit; one that a failed clean-up
    left behind goes with the next commit's, so still_current never confirms an old revision."""
    oxigraph_server.reset()
    reg = open_registry(make_settings(tmp_path / "state", **oxigraph_server.overrides()))
    engine = reg.store.engine
    assert isinstance(engine, OxigraphEngine)

    def commit(name: str) -> None:
        with reg.store.transaction() as tx:
            tx.add(ox.Quad(ox.NamedNode(f"{BASE}id/test/{name}"), ox.NamedNode("urn:p"),
                           ox.Literal(name), ox.NamedNode(BASE + "graph/test/markers")))

    commit("a")
    first = engine.meta()
    oxigraph_server.update("CREATE GRAPH <urn:ogpreg:revision:0> ; "
                           "CREATE GRAPH <urn:ogpreg:committed:0:2026-01-01T00:00:00+00:00>")
    commit("b")
    markers = {g for g in engine.named_graphs() if g.startswith("urn:ogpreg:revision:")}
    assert markers == {"urn:ogpreg:revision:2"}
    assert not any(g.startswith("urn:ogpreg:committed:0") for g in engine.named_graphs())
    assert first is not None and not engine.still_current(first)
    oxigraph_server.reset()


def test_oxigraph_lists_the_graphs_that_have_triples(
    oxigraph_server: EngineServer, tmp_path: Path
) -> None:
    """OxigraphEngine.graphs (an existence probe per named graph) lists what a scan of every
    quad finds: the graphs with triples, not the empty ones (bookkeeping markers, a graph
    created empty or emptied)."""
    reg = initialised_on(oxigraph_server, remote_settings(oxigraph_server, tmp_path / "state"))
    engine = reg.store.engine
    assert isinstance(engine, OxigraphEngine)
    oxigraph_server.update(f"CREATE GRAPH <{BASE}graph/test/empty> ; "
                           f"INSERT DATA {{ GRAPH <{BASE}graph/test/emptied> {{ <urn:s> <urn:p> 1 }} }} ; "
                           f"DELETE DATA {{ GRAPH <{BASE}graph/test/emptied> {{ <urn:s> <urn:p> 1 }} }}")
    scanned = sorted(str(r["g"].value) for r in engine.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", union=False, raw=True))
    listed = engine.graphs()
    assert listed == scanned
    assert len(listed) > 5 and BASE + "graph/provenance" in listed
    assert {BASE + "graph/test/empty", BASE + "graph/test/emptied"} <= engine.named_graphs()
    assert not {BASE + "graph/test/empty", BASE + "graph/test/emptied"} & set(listed)
    assert not [g for g in listed if g.startswith("urn:ogpreg:")]
    oxigraph_server.reset()


# -- queries ----------------------------------------------------------------------------------------
def test_query_dataset_forms(remote_registry: Registry) -> None:
    reg = remote_registry
    _load(reg)
    n = len(reg.store.reader())
    union = reg.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    graphs = reg.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(union, ox.QuerySolutions) and isinstance(graphs, ox.QuerySolutions)
    assert int(next(graphs)["n"].value) == n  # bookkeeping and engine graphs stay hidden
    assert 0 < int(next(union)["n"].value) <= n
    named = reg.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(named, ox.QuerySolutions)
    names = {str(r["g"].value) for r in named}
    assert all(g.startswith(BASE + "graph/") for g in names) and SOURCE in names
    only = reg.query(f"SELECT (COUNT(*) AS ?n) FROM <{SOURCE}> WHERE {{ ?s ?p ?o }}")
    assert isinstance(only, ox.QuerySolutions)
    size = len(list(reg.store.reader().quads_for_pattern(None, None, None, ox.NamedNode(SOURCE))))
    assert int(next(only)["n"].value) == size
    from_named = reg.query(
        f"SELECT DISTINCT ?g FROM NAMED <{SOURCE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert isinstance(from_named, ox.QuerySolutions)
    assert [str(r["g"].value) for r in from_named] == [SOURCE]
    ask = reg.query("ASK { ?x a ogp:Commitment }")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    built = reg.query("CONSTRUCT { ?c a ogp:Commitment } WHERE { ?c a ogp:Commitment }")
    assert isinstance(built, ox.QueryTriples)
    assert len(list(built)) == len(_ids(reg))
    bound = reg.query(
        "SELECT ?id WHERE { ?c dct:identifier ?id }",
        substitutions={ox.Variable("c"): ox.NamedNode(BASE + "id/commitment/NO0054")},
    )
    assert isinstance(bound, ox.QuerySolutions)
    assert [str(r["id"].value) for r in bound] == ["NO0054"]


def test_bind_values_places_the_block_in_the_outer_group() -> None:
    subs = {ox.Variable("x"): ox.NamedNode("urn:x")}
    assert bind_values("SELECT * WHERE { ?x ?p ?o }", subs).startswith(
        "SELECT * WHERE { VALUES (?x) { (<urn:x>) } "
    )
    assert bind_values("ASK { GRAPH ?x { ?a ?b ?c } }", subs).startswith(
        "ASK { VALUES (?x) { (<urn:x>) } "
    )
    tricky = 'SELECT * WHERE { ?x <urn:p> "{ WHERE }" }'
    assert bind_values(tricky, subs).startswith("SELECT * WHERE { VALUES")
    construct = "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }"
    assert bind_values(construct, subs) == (
        "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<urn:x>) }  ?x ?p ?o }"
    )
    short = "CONSTRUCT WHERE { ?x ?p ?o }"
    assert bind_values(short, subs).endswith("VALUES (?x) { (<urn:x>) } ")


# -- export, backup, restore -------------------------------------------------------------------------
def test_export_dump_and_restore(remote_registry: Registry, tmp_path: Path) -> None:
    reg = remote_registry
    _load(reg)
    before = _quads(reg)
    nq = reg.export("nquads")
    assert len(list(ox.parse(nq, format=ox.RdfFormat.N_QUADS))) == len(before)
    one = reg.export("turtle", graph=SOURCE)
    assert len(list(ox.parse(one, format=ox.RdfFormat.TURTLE))) == len(
        [q for q in before if q.graph_name.value == SOURCE]
    )
    tokens.issue(reg, "972417858", "admin", "backup test")
    info = backup.dump_to_file(reg, tmp_path / "backup.tar.gz")
    assert info.quads == len(before)
    with reg.store.transaction() as tx:  # something to undo
        tx.remove_graph(ox.NamedNode(SOURCE))
    assert _named(_quads(reg)) != _named(before)
    (reg.store.path / "tokens.json").unlink()
    result = backup.restore(reg, tmp_path / "backup.tar.gz")
    assert _named(_quads(reg)) == _named(before)
    assert result.revision == reg.store.revision().number  # type: ignore[union-attr]
    assert (reg.store.path / "tokens.json").exists()


def _values(reg: Registry, query: str) -> list[str]:
    """The first variable's values. The pyoxigraph result lives only in this frame: a result
    kept in the test's frame would be freed whenever a later reference cycle through that frame
    is collected (rdflib's SPARQL parser leaves such cycles), possibly by a server thread of a
    later test — an "unsendable" error there."""
    result = reg.query(query)
    assert isinstance(result, ox.QuerySolutions)
    values = [str(row[0].value) for row in result]  # type: ignore[index]
    del result
    return values


# -- writes on behalf of tokens (no HTTP here; see test_remote_endpoint.py) -----------------------------
def test_graph_store_and_sparql_update(remote_registry: Registry) -> None:
    reg = remote_registry
    kmd = tokens.issue(reg, "972417858", "approver", "KMD")
    assert (reg.store.path / "tokens.json").exists()
    result, created = graphstore.put_graph(
        reg, kmd.record, SOURCE, VALID.read_bytes(), fmt="turtle", file_name="v.ttl"
    )
    assert created and result.added > 0
    title = "https://w3id.org/ogp-no/def#editorialNote"
    update = (
        f"INSERT DATA {{ GRAPH <{SOURCE}> {{ <{BASE}id/commitment/NO0054> <{title}> "
        '"Merknad (oppfunnet testdata)"@nb } }'
    )
    changed = graphstore.apply_update(reg, kmd.record, update)
    assert [c.added for c in changed.changes] == [1]
    assert _values(reg, f"SELECT ?n WHERE {{ GRAPH <{SOURCE}> {{ ?c <{title}> ?n }} }}") == [
        "Merknad (oppfunnet testdata)"
    ]
    gone = graphstore.delete_graph(reg, kmd.record, SOURCE)
    assert gone.changes[0].deleted
    assert not list(reg.store.reader().quads_for_pattern(None, None, None, ox.NamedNode(SOURCE)))


def test_base_uri_is_kept_in_the_engine(engine_server: EngineServer, tmp_path: Path,
                                         remote_registry: Registry) -> None:
    assert remote_registry.store.base_uri() == BASE
    with pytest.raises(ConfigurationError):
        open_registry(
            make_settings(tmp_path / "other", base_uri="https://ogp.example.no/",
                          **engine_server.overrides())
        )


def test_remote_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="OGPREG_ENGINE_QUERY_URL"):
        make_settings(tmp_path, engine="virtuoso")
    with pytest.raises(ConfigurationError, match="OGPREG_ENGINE"):
        make_settings(tmp_path, engine="graphdb", engine_query_url="http://127.0.0.1:1/")
