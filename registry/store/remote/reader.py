"""The registry's reads, answered by the engine: :class:`RemoteReader`, the part of pyoxigraph's
``Store`` API the registry uses (``query`` with the same keyword arguments,
``quads_for_pattern``, ``named_graphs``, ``dump``, ``len``, iteration).

``query`` returns real pyoxigraph result objects (solutions are parsed from the engine's
answer; graphs are parsed and re-read from an in-memory store), so callers cannot tell.
Prefixes and the base IRI become the query's prologue; ``substitutions`` become a ``VALUES``
block at the start of the query's outermost group (``query.py``). Unlike an embedded reader, a
remote reader is not a snapshot: each call reads the latest committed state (``dump`` and
iteration check that the revision did not change while they read, and read again if it did).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from typing import IO, Any, Protocol

import pyoxigraph as ox

from registry.errors import StoreError
from registry.i18n import msg
from registry.store.engines.base import NTRIPLES, SOLUTIONS_JSON, Engine, Meta, nt
from registry.store.remote.query import Term, bind_values, graph_iris, prologue, query_form


class EngineState(Protocol):
    """What a reader needs of its store (:class:`registry.store.remote.store.RemoteStore`):
    the engine, and its bookkeeping read now."""

    engine: Engine

    def state(self) -> Meta | None: ...


class RemoteReader:
    """The registry's reads, answered by the engine (see the module docstring)."""

    def __init__(self, store: EngineState) -> None:
        self._store = store
        self._engine = store.engine
        self._all: list[ox.Quad] | None = None

    # pyoxigraph's Store.query, over the protocol
    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
        timeout: float | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        text = query
        if substitutions:
            text = bind_values(text, substitutions)
        text = prologue(prefixes, base_iri) + text
        defaults = graph_iris(default_graph)
        named = graph_iris(named_graphs)
        dataset = defaults is not None or named is not None
        form = query_form(query)
        engine = self._engine
        kwargs: dict[str, Any] = {
            "union": use_default_graph_as_union and not dataset,
            "default_graphs": defaults,
            "named_graphs": named,
            "timeout": timeout,
        }
        if form in ("CONSTRUCT", "DESCRIBE"):
            resp = engine.query(text, accept=NTRIPLES, **kwargs)
            mem = ox.Store()
            if resp.content.strip():
                mem.load(resp.content, format=ox.RdfFormat.N_TRIPLES)
            triples = mem.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            assert isinstance(triples, ox.QueryTriples)
            return triples
        accept = SOLUTIONS_JSON if form == "ASK" else engine.solutions_accept()
        return engine.read_solutions(engine.query(text, accept=accept, **kwargs))

    def quads_for_pattern(
        self,
        subject: Any,
        predicate: Any,
        object: Any,  # noqa: A002 - pyoxigraph's name
        graph_name: Any = None,
    ) -> Iterator[ox.Quad]:
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())  # the registry keeps nothing in the default graph
        terms = (subject, predicate, object)
        if any(isinstance(t, ox.BlankNode) for t in (*terms, graph_name)):
            return iter(())  # a blank node cannot be named in a query (docs/deployment.md)
        if all(t is None for t in terms) and isinstance(graph_name, ox.NamedNode):
            g = graph_name
            return iter(
                [
                    ox.Quad(t.subject, t.predicate, t.object, g)
                    for t in self._engine.graph_triples(g.value)
                ]
            )
        names = ("s", "p", "o", "g")
        parts = [nt(t) if t is not None else f"?{n}" for t, n in zip(terms, names, strict=False)]
        g_part = nt(graph_name) if graph_name is not None else "?g"
        free = [f"?{n}" for t, n in zip((*terms, graph_name), names, strict=True) if t is None]
        text = (
            f"SELECT {' '.join(free) or '*'} WHERE {{ GRAPH {g_part} "
            f"{{ {parts[0]} {parts[1]} {parts[2]} }} }}"
        )
        out: list[ox.Quad] = []
        for row in self._engine.select(text, union=False):
            s = subject if subject is not None else row["s"]
            p = predicate if predicate is not None else row["p"]
            o = object if object is not None else row["o"]
            gn = graph_name if graph_name is not None else row["g"]
            out.append(ox.Quad(s, p, o, gn))
        return iter(out)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter([ox.NamedNode(g) for g in self._engine.graphs()])

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return graph.value in self._engine.graphs()

    def __len__(self) -> int:
        rows = self._engine.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", union=False
        )
        return int(rows[0]["n"].value) if rows else 0

    def _consistent(self, read: Any) -> Any:
        """``read()`` with no commit in between (read again if the revision moved)."""
        for _ in range(5):
            before = self._store.state()
            out = read()
            after = self._store.state()
            if before == after and not (after and after.committing):
                return out
            time.sleep(0.1)
        raise StoreError(
            msg(
                "The registry changed while it was being read; try again.",
            )
        )

    def __iter__(self) -> Iterator[ox.Quad]:
        # Read once per reader, at one revision: a dump and a count through the same reader
        # (ogpreg dump) agree.
        if self._all is None:
            self._all = self._consistent(lambda: list(self._engine.dump_all()))
        return iter(self._all)

    def dump(
        self,
        output: str | os.PathLike[str] | IO[bytes] | None = None,
        format: ox.RdfFormat | None = None,  # noqa: A002 - pyoxigraph's name
        *,
        from_graph: Any = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes | None:
        if from_graph is not None:
            items: list[Any] = self._engine.graph_triples(from_graph.value)
        else:
            if format is not None and not format.supports_datasets:
                raise ValueError(f"{format} cannot hold several graphs; give from_graph")
            items = list(self)
        return ox.serialize(items, output, format, prefixes=dict(prefixes) if prefixes else None)
