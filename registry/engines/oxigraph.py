"""Oxigraph's server (``oxigraph serve``, PyPI package ``oxigraph``) as the registry's engine.

Endpoints: ``/query`` (SPARQL Query), ``/update`` (SPARQL Update), ``/store`` (Graph Store
Protocol, ``?graph=`` for a named graph).

Quirks and how the registry handles them:

* **Union default graph.** Oxigraph's default graph is a graph of its own. The registry asks for
  the union per query (the ``union-default-graph`` protocol parameter) when the query names no
  dataset; with ``FROM``/``default-graph-uri`` it must not be set (Oxigraph refuses both at once,
  and would otherwise ignore ``FROM``). ``--union-default-graph`` on the server is not needed.
  Oxigraph's union *includes its real default graph*, so the registry keeps that graph empty.
* **Bookkeeping without triples.** The revision is kept as *empty named graphs* (Oxigraph keeps
  empty named graphs; no other engine here does): ``urn:ogpreg:revision:{n}``,
  ``urn:ogpreg:committed:{n}:{time}`` and ``urn:ogpreg:base-uri:{base}``. They hold no triples,
  so no user query that matches triples (``?s ?p ?o``, ``GRAPH ?g { ?s ?p ?o }``, counts,
  dumps) sees them; only ``GRAPH ?g { }`` lists them.
* **All-or-nothing.** One SPARQL Update request is one Oxigraph transaction (checked by
  ``tests/test_remote_store.py``: a request whose last operation fails changes nothing), and
  readers read snapshots, so a query sees the state before or after, never a mix. A commit is
  one request: the revision markers first (``CREATE GRAPH <…revision:n+1>`` fails if another
  writer committed ``n+1``; ``DROP GRAPH <…revision:n>`` fails if the revision moved: a
  compare-and-set, so two loader hosts cannot overwrite each other), then ``DROP SILENT GRAPH``
  for every replaced graph, ``DELETE DATA``, ``INSERT DATA`` with N-Triples bodies.
* **Time limit.** Oxigraph has no per-query limit in the protocol: start the server with
  ``--timeout-s`` (the registry's fixtures use ``OGPREG_QUERY_TIMEOUT``). That stops the work on
  the server; the registry also stops waiting after the HTTP time limit.
* **Results.** SELECT answers are read as TSV (lossless N-Triples term syntax, one row per line:
  the endpoint stops reading at the row cap and closes the connection, which stops Oxigraph's
  streaming evaluation); ASK as JSON; graphs as N-Triples.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote

from registry.engines import (
    SOLUTIONS_TSV,
    CommitPlan,
    Engine,
    Meta,
    by_graph,
    data_block,
)

_PREFIX = "urn:ogpreg:"
_REVISION = _PREFIX + "revision:"
_COMMITTED = _PREFIX + "committed:"
_BASE = _PREFIX + "base-uri:"


class OxigraphEngine(Engine):
    """Oxigraph server: one atomic update request per commit."""

    kind = "oxigraph"
    atomic_commit = True
    #: tests only: an operation appended to the commit request, to make it fail half-way
    poison: str | None = None

    def query_params(
        self,
        *,
        union: bool,
        default_graphs: Iterable[str] | None,
        named_graphs: Iterable[str] | None,
        timeout: float | None,
    ) -> list[tuple[str, str]]:
        params = super().query_params(
            union=union, default_graphs=default_graphs, named_graphs=named_graphs, timeout=timeout
        )
        if union and not params:
            params.append(("union-default-graph", "true"))
        return params

    def solutions_accept(self) -> str:
        return SOLUTIONS_TSV

    def meta(self) -> Meta | None:
        rows = self.select(
            'SELECT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), "urn:ogpreg:")) }',
            union=False,
        )
        number = 0
        committed: dict[int, tuple[datetime, str]] = {}
        base: str | None = None
        markers: list[str] = []
        for row in rows:
            g = str(row["g"].value)
            if g.startswith(_REVISION) and g[len(_REVISION) :].isdigit():
                number = max(number, int(g[len(_REVISION) :]))
            elif g.startswith(_COMMITTED):
                n, _, when = g[len(_COMMITTED) :].partition(":")
                if n.isdigit():
                    try:
                        committed[int(n)] = (datetime.fromisoformat(when), g)
                    except ValueError:
                        pass
            elif g.startswith(_BASE):
                base = unquote(g[len(_BASE) :])
        if number == 0:
            return None
        stamp = committed.get(number)
        if stamp is not None:
            markers.append(stamp[1])
        return Meta(number, stamp[0] if stamp else None, base, False, tuple(markers))

    def commit(self, plan: CommitPlan, state_dir: Path) -> None:
        ops: list[bytes] = []
        n = plan.number
        assert plan.committed is not None
        ops.append(f"CREATE GRAPH <{_REVISION}{n}>".encode())
        if plan.old is not None:
            ops.append(f"DROP GRAPH <{_REVISION}{plan.old.number}>".encode())
            for marker in plan.old.detail:
                ops.append(f"DROP SILENT GRAPH <{marker}>".encode())
        ops.append(f"CREATE SILENT GRAPH <{_COMMITTED}{n}:{plan.committed.isoformat()}>".encode())
        ops.append(f"CREATE SILENT GRAPH <{_BASE}{quote(plan.base_uri, safe='')}>".encode())
        for g in plan.replaced:
            ops.append(f"DROP SILENT GRAPH <{g}>".encode())
        if plan.deleted:
            ops.append(data_block("DELETE DATA", by_graph(plan.deleted)))
        inserted = {g: t for g, t in plan.replaced.items() if t}
        for g, triples in by_graph(plan.inserted).items():
            inserted.setdefault(g, []).extend(triples)
        if inserted:
            ops.append(data_block("INSERT DATA", inserted))
        if self.poison:
            ops.append(self.poison.encode())
        self.update(b" ;\n".join(ops), "commit")
