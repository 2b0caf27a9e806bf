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
  one request: the new revision's markers (``CREATE SILENT GRAPH``), ``DROP SILENT GRAPH`` for
  every replaced graph that exists, ``DELETE DATA``, ``INSERT DATA`` with N-Triples bodies. The
  revision is the highest ``revision:{n}`` marker; the previous markers are dropped by a second,
  small request (left-overs are harmless). The request holds no operation that reads unless a
  graph is replaced (Oxigraph inserts much more slowly in a transaction that has read), so the
  check that no other writer committed meanwhile is one ``ASK`` just before it: writers on one
  host are serialised by the write lock; two loader hosts committing in the same instant could
  both succeed (run loads from one host, docs/deployment.md).
* **Time limit.** Oxigraph has no per-query limit in the protocol: start the server with
  ``--timeout-s`` (the registry's fixtures use ``OGPREG_QUERY_TIMEOUT``). That stops the work on
  the server; the registry also stops waiting after the HTTP time limit.
* **Results.** SELECT answers are read as TSV (lossless N-Triples term syntax, one row per line:
  the endpoint stops reading at the row cap and closes the connection, which stops Oxigraph's
  streaming evaluation); ASK as JSON; graphs as N-Triples.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote

import pyoxigraph as ox

from registry.errors import StoreError
from registry.i18n import msg
from registry.store.engines.base import (
    SOLUTIONS_JSON,
    SOLUTIONS_TSV,
    CommitPlan,
    Engine,
    Meta,
    by_graph,
    data_block,
    nt,
    ntriples,
)

#: Oxigraph's 500 answers that name a fault of the query (Engine.query_fault)
_QUERY_FAULT = re.compile(r"custom function|is not supported|is unbound", re.IGNORECASE)
_PREFIX = "urn:ogpreg:"
_REVISION = _PREFIX + "revision:"
_COMMITTED = _PREFIX + "committed:"
_BASE = _PREFIX + "base-uri:"


class OxigraphEngine(Engine):
    """Oxigraph server: one atomic update request per commit."""

    kind = "oxigraph"
    atomic_commit = True
    rewrites_queries = False
    direct_post = True
    cheap_check = True
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

    #: every query reads one RocksDB snapshot, from its start
    snapshot_reads = True
    #: Oxigraph's server writes SPARQL results with the same serialisers as pyoxigraph
    passthrough = {
        "json": SOLUTIONS_JSON,
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": SOLUTIONS_TSV,
    }

    def solutions_accept(self) -> str:
        return SOLUTIONS_TSV

    def query_fault(self, text: str) -> bool:
        # Oxigraph's server answers 500 for evaluation errors, the query's among them: "The
        # custom function <…> is not supported", "The variable … is unbound"
        return _QUERY_FAULT.search(text) is not None

    def still_current(self, meta: Meta | None) -> bool:
        """One ASK: the revision's marker graphs exist and the next revision's does not (a
        commit creates it in the transaction that writes the data). Much cheaper than
        :meth:`meta`, which lists every named graph."""
        if meta is None:
            return self.meta() is None
        markers = " ".join(f"GRAPH <{g}> {{ }}" for g in (f"{_REVISION}{meta.number}",
                                                          *meta.detail))
        following = f"GRAPH <{_REVISION}{meta.number + 1}> {{ }}"
        resp = self.query(f"ASK {{ {markers} FILTER NOT EXISTS {{ {following} }} }}",
                          accept=SOLUTIONS_JSON, union=False, raw=True,
                          timeout=self.bookkeeping_timeout)
        result = self.read_solutions(resp)
        return isinstance(result, ox.QueryBoolean) and bool(result)

    def graphs(self) -> list[str]:
        """The named graphs that have triples, as :meth:`Engine.graphs`, by one existence probe
        per named graph instead of reading every quad (``SELECT DISTINCT ?g`` over the whole
        store: 270–360 ms at 10,000 commitments, this 42–57 ms, the same 69 graphs; measured
        on 6 December 2026). A transaction reads this list once, and its commit needs it
        (docs/performance.md, "Writes outside the load path")."""
        rows = self.select(
            "SELECT ?g WHERE { GRAPH ?g { } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }",
            union=False,
            raw=True,
        )
        return sorted(str(r["g"].value) for r in rows if isinstance(r["g"], ox.NamedNode))

    def named_graphs(self) -> set[str]:
        """Every named graph Oxigraph keeps, empty ones included (cheap: no triple is read)."""
        rows = self.select("SELECT ?g WHERE { GRAPH ?g { } }", union=False, raw=True,
                           timeout=self.bookkeeping_timeout)
        return {str(r["g"].value) for r in rows}

    def meta(self) -> Meta | None:
        rows = self.select(
            'SELECT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), "urn:ogpreg:")) }',
            union=False,
            raw=True,
            timeout=self.bookkeeping_timeout,
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
        n = plan.number
        assert plan.committed is not None
        # Another writer (another host: writers on one host hold the write lock) must not
        # have committed since the transaction began. Checked here, just before the request,
        # and not inside it: any operation that reads (CREATE GRAPH without SILENT, DROP GRAPH,
        # even DROP SILENT GRAPH of an absent graph) makes Oxigraph's transaction insert much
        # more slowly (measured: 83,746 quads, 1.1-1.9 s with blind writes only, 2.5-3.3 s
        # with one such operation; docs/performance.md).
        if not self.still_current(plan.old):
            raise StoreError(
                msg(
                    "Another writer changed the registry meanwhile (revision {rev} is no "
                    "longer the latest); nothing was changed. Try again.",
                    rev=plan.old.number if plan.old else 0,
                )
            )
        ops: list[bytes] = [
            f"CREATE SILENT GRAPH <{_REVISION}{n}>".encode(),
            f"CREATE SILENT GRAPH <{_COMMITTED}{n}:{plan.committed.isoformat()}>".encode(),
            f"CREATE SILENT GRAPH <{_BASE}{quote(plan.base_uri, safe='')}>".encode(),
        ]
        # Replaced graphs are dropped only if they exist (a DROP reads, see above; a first
        # load drops nothing).
        existing = self.named_graphs()
        for g in plan.replaced:
            if g in existing:
                ops.append(f"DROP SILENT GRAPH <{g}>".encode())
        if plan.deleted:
            ops.append(data_block("DELETE DATA", by_graph(plan.deleted)))
        # INSERT DATA: N-Triples lines are valid inside GRAPH <g> { … }; a replaced graph's
        # content is written by pyoxigraph straight from the transaction's store
        blocks: list[bytes] = []
        for g in plan.replaced:
            body = plan.replaced_ntriples(g)
            if body:
                blocks += [b"GRAPH ", nt(ox.NamedNode(g)).encode(), b" {\n", body, b"}\n"]
        for g, triples in by_graph(plan.inserted).items():
            blocks += [b"GRAPH ", nt(ox.NamedNode(g)).encode(), b" {\n", ntriples(triples),
                       b"}\n"]
        if blocks:
            ops.append(b"".join([b"INSERT DATA {\n", *blocks, b"}"]))
        if self.poison:
            ops.append(self.poison.encode())
        self.update(b" ;\n".join(ops), "commit")
        # The older revisions' markers go in a request of their own: until then the
        # revision is the highest marker (meta), and still_current looks for the next one.
        # All of them at once (left-overs of a clean-up that failed too), so that a revision
        # marker never outlives the marker of the revision after it.
        old = sorted(g for g in existing if (k := _marker_number(g)) is not None and k < n)
        if old:
            with contextlib.suppress(StoreError):
                self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in old), "clean-up")


def _marker_number(graph: str) -> int | None:
    """The revision number of a revision or commit-time marker graph."""
    for prefix in (_REVISION, _COMMITTED):
        if graph.startswith(prefix):
            head = graph[len(prefix) :].partition(":")[0]
            return int(head) if head.isdigit() else None
    return None
