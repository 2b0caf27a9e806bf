"""A SPARQL update runs on a store of the graphs it can read or write
(``registry/access/updates.py``, ``run_confined``), not on the whole registry: the same result
as Oxigraph running it on the whole store, no other graph read, and — should the registry's
reading of the text and the engine's ever disagree — a graph it does not name left unchanged
and the update refused. (The endpoint's results on every engine: tests/test_update_conformance.py.)

The graphs and statements here are invented test data.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from registry.access.updates import plan_update, run_confined
from registry.errors import QueryError
from registry.namespaces import PREFIXES
from registry.service import Registry
from tests.conftest import BASE

SRC = BASE + "graph/source/"
A, B, C, Z = (SRC + f"confined-{x}" for x in "abcz")
EX = "http://example.org/test#"
START = f"""
<{EX}r1> <{EX}n> "5"^^<http://www.w3.org/2001/XMLSchema#integer> <{A}> .
<{EX}r1> <{EX}label> "a"@nb <{A}> .
_:b1 <{EX}label> "blank" <{A}> .
<{EX}r3> <{EX}n> "7"^^<http://www.w3.org/2001/XMLSchema#integer> <{B}> .
<{EX}r3> <{EX}label> "b" <{B}> .
<{EX}r9> <{EX}label> "unrelated" <{Z}> .
"""

UPDATES = [
    f'INSERT DATA {{ GRAPH <{A}> {{ <{EX}r1> <{EX}code> "q" }} }}',
    f'DELETE DATA {{ GRAPH <{A}> {{ <{EX}r1> <{EX}label> "a"@nb }} }}',
    f"DELETE WHERE {{ GRAPH <{A}> {{ ?s <{EX}label> ?l }} }}",
    f"INSERT {{ GRAPH <{C}> {{ ?s <{EX}seen> ?n }} }} WHERE {{ GRAPH <{A}> {{ ?s <{EX}n> ?n }} "
    f"GRAPH <{B}> {{ ?x <{EX}n> ?m }} FILTER(?m > ?n) }}",
    f"INSERT {{ GRAPH <{A}> {{ ?s <{EX}note> [ <{EX}text> ?l ] }} }} "
    f"WHERE {{ GRAPH <{A}> {{ ?s <{EX}label> ?l }} }}",
    f'WITH <{A}> DELETE {{ ?s <{EX}label> ?l }} INSERT {{ ?s <{EX}label> "w" }} '
    f"WHERE {{ ?s <{EX}label> ?l }}",
    f"INSERT {{ GRAPH <{C}> {{ ?s ?p ?o }} }} USING <{B}> WHERE {{ ?s ?p ?o }}",
    f"ADD <{A}> TO <{C}>",
    f"COPY <{B}> TO <{A}>",
    f"MOVE <{B}> TO <{C}>",
    f"DROP GRAPH <{B}>",
    f"CREATE GRAPH <{C}> ; INSERT DATA {{ GRAPH <{C}> {{ <{EX}r5> <{EX}c> 1 }} }}",
]


def _store() -> ox.Store:
    store = ox.Store()
    store.load(START.encode(), ox.RdfFormat.N_QUADS)
    return store


def _nquads(store: Any) -> list[str]:
    """The store's quads as N-Quads lines, blank node labels replaced (compared as sets of
    statements whose blank nodes are new in both runs)."""
    lines = []
    for q in store.quads_for_pattern(None, None, None, None):
        s = "_:b" if isinstance(q.subject, ox.BlankNode) else str(q.subject)
        o = "_:b" if isinstance(q.object, ox.BlankNode) else str(q.object)
        lines.append(f"{s} {q.predicate} {o} {q.graph_name}")
    return sorted(lines)


class Reading:
    """An ox.Store that records which graphs were read from it (a test seam: the update's
    work follows the graphs it names)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.read: set[str] = set()

    def quads_for_pattern(self, *pattern: Any) -> Iterator[ox.Quad]:
        graph = pattern[3] if len(pattern) > 3 else None
        self.read.add("every graph" if graph is None else str(graph))
        return self.store.quads_for_pattern(*pattern)

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return self.store.contains_named_graph(graph)

    def remove(self, quad: ox.Quad) -> None:
        self.store.remove(quad)

    def extend(self, quads: Any) -> None:
        self.store.extend(quads)


@pytest.mark.parametrize("update", UPDATES, ids=range(len(UPDATES)))
def test_the_same_result_as_on_the_whole_store_reading_only_its_graphs(
    registry: Registry, update: str
) -> None:
    whole = _store()
    whole.update(update, base_iri=BASE, prefixes=PREFIXES)
    tx = Reading(_store())
    run_confined(tx, update, plan_update(registry, update),  # type: ignore[arg-type]
                 base_iri=BASE, prefixes=PREFIXES)
    assert _nquads(tx.store) == _nquads(whole)
    assert f"<{Z}>" not in tx.read and "every graph" not in tx.read, tx.read


def test_a_graph_it_does_not_name_is_left_unchanged_and_the_update_refused(
    registry: Registry,
) -> None:
    """As if the registry's parser had missed a graph that the engine writes: the plan is
    given without B as a target."""
    update = (
        f'INSERT DATA {{ GRAPH <{A}> {{ <{EX}r1> <{EX}code> "q" }} }} ; '
        f'DELETE DATA {{ GRAPH <{B}> {{ <{EX}r3> <{EX}label> "b" }} }}'
    )
    plan = plan_update(registry, update)
    assert sorted(t.iri or "" for t in plan.targets) == [A, B]  # the premise
    missed = replace(plan, targets=[t for t in plan.targets if t.iri == A])
    tx = _store()
    before = _nquads(tx)
    with pytest.raises(QueryError, match="ikke nevner"):  # nb: "does not name"
        run_confined(tx, update, missed, base_iri=BASE, prefixes=PREFIXES)
    assert _nquads(tx) == before  # not even A was written


def test_an_update_over_every_graph_is_not_confined(registry: Registry) -> None:
    """GRAPH ?g without USING reads every named graph: it runs on the transaction (the
    registry then counts the store before and after, registry/access/graphstore.py)."""
    update = f"INSERT {{ GRAPH <{C}> {{ ?s <{EX}in> ?g }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert plan_update(registry, update).reads.every_graph
    using = (
        f"INSERT {{ GRAPH <{C}> {{ ?s <{EX}in> ?g }} }} USING NAMED <{A}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    assert not plan_update(registry, using).reads.every_graph  # over its USING NAMED graphs


def test_the_update_benchmark_runs_and_prints_both_ways(
    initialised_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """benchmarks/bench_update.py on the bundled registry, one round, embedded and on
    Oxigraph's server (what it prints is checked, not how long it took); the store given is
    copied, not changed."""
    from benchmarks import bench_update

    if shutil.which("oxigraph") is None and not (Path(sys.executable).parent / "oxigraph").exists():
        if os.environ.get("CI"):
            pytest.fail("the oxigraph command is missing in CI (the test extra installs it)")
        pytest.skip("the oxigraph command (pip install oxigraph)")
    before = _revision(initialised_store)
    args = ["--stores", str(initialised_store), "--rounds", "1", "--oxigraph"]
    assert bench_update.main(args) == 0
    out = capsys.readouterr().out
    name = initialised_store.name
    quads = {}
    for engine in ("embedded", "oxigraph"):
        row = next(line for line in out.splitlines() if line.startswith(f"| {engine} | {name} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        quads[engine] = int(cells[2].replace(",", ""))
        assert all(float(cells[i].replace(",", "")) > 0 for i in (3, 4))  # ms per update
        assert cells[5].endswith("×")
    assert quads["embedded"] > 0 and quads["oxigraph"] >= quads["embedded"]
    assert _revision(initialised_store) == before


def _revision(store: Path) -> str:
    return (store / "CURRENT").read_text()
