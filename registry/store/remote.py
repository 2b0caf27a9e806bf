"""The remote store: the registry on an external SPARQL engine (``OGPREG_ENGINE``).

:class:`RemoteStore` offers what :class:`registry.store.EmbeddedStore` offers (the
:class:`registry.backend.Backend` protocol), over the SPARQL 1.1 Query, Update and Graph Store
protocols only; what differs between engines lives in ``registry/store/engines/``.

* **Reading.** :meth:`RemoteStore.reader` returns a :class:`RemoteReader`: the part of
  pyoxigraph's ``Store`` API the registry uses (``query`` with the same keyword arguments,
  ``quads_for_pattern``, ``named_graphs``, ``dump``, ``len``, iteration), answered by the engine.
  ``query`` returns real pyoxigraph result objects (solutions are parsed from the engine's
  answer; graphs are parsed and re-read from an in-memory store), so callers cannot tell.
  Prefixes and the base IRI become the query's prologue; ``substitutions`` become a
  ``VALUES`` block at the start of the query's outermost group (terms serialised by pyoxigraph,
  never formatted by hand). Unlike an embedded reader, a remote reader is not a snapshot: each
  call reads the latest committed state (``dump`` and iteration check that the revision did not
  change while they read, and read again if it did).
* **Writing.** :meth:`RemoteStore.transaction` yields a :class:`RemoteTransaction`. It reads the
  state before the transaction from the engine and keeps its writes to itself: a graph it
  replaces (``remove_graph``, ``clear``, or a graph a SPARQL Update touches) is held whole in a
  local in-memory store; single quads added to or removed from other graphs are kept as sets.
  Its reads (``quads_for_pattern``, ``len``, ``named_graphs``) show those writes over the
  engine's state, as an embedded transaction would; ``query`` reads the state before the
  transaction. At the end of the block the writes go to the engine as one commit
  (:meth:`registry.engines.Engine.commit`: one atomic request on Oxigraph, staging and a
  journal on Virtuoso) together with the next revision number.
* **Writers** on one host are serialised by ``flock`` on ``<state dir>/write.lock``; across
  hosts the commit itself compares and sets the revision, so a second host's commit fails
  instead of overwriting.
* **State directory.** ``path`` (``OGPREG_STATE_DIR``, default ``OGPREG_STORE``) holds what is
  not RDF: tokens, the audit log, catalogue dates, locks, the Virtuoso journal.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from registry.errors import ConfigurationError, QueryError, StoreError
from registry.i18n import msg
from registry.settings import Settings
from registry.sparql.querytext import _TOKEN
from registry.store.embedded import Revision
from registry.store.engines import (
    NTRIPLES,
    SOLUTIONS_JSON,
    CommitPlan,
    Connection,
    Engine,
    GraphContents,
    Meta,
    make_engine,
    nt,
)
from registry.store.locks import exclusive

_EPOCH = datetime.fromtimestamp(0, UTC)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


# -- query text ------------------------------------------------------------------------------
def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these words outside strings, IRIs
    and comments."""
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word":
            word = m.group("word").upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return word
    return "SELECT"


def _values_block(substitutions: Mapping[ox.Variable, Term]) -> str:
    names = []
    terms = []
    for var, term in substitutions.items():
        if isinstance(term, (ox.BlankNode, ox.Triple)):
            raise QueryError(
                msg(
                    "En blank node eller et triple-term kan ikke bindes i en spørring mot en "
                    "ekstern SPARQL-motor.",
                    "A blank node or a triple term cannot be bound in a query to an external "
                    "SPARQL engine.",
                )
            )
        names.append(f"?{var.value}")
        terms.append(nt(term))
    return f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }} "


def bind_values(query: str, substitutions: Mapping[ox.Variable, Term]) -> str:
    """``query`` with ``substitutions`` as a VALUES block opening its outermost group (the
    first ``{`` after a top-level ``WHERE``, else the first top-level ``{``). For a
    ``CONSTRUCT WHERE { … }`` short form the block goes after the query instead."""
    block = _values_block(substitutions)
    depth = 0
    first: int | None = None
    after_where = False
    where_brace: int | None = None
    constructs = False
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup
        if kind == "word" and depth == 0:
            word = m.group("word").upper()
            if word == "WHERE":
                after_where = True
            elif word == "CONSTRUCT":
                constructs = True
        elif kind == "other":
            ch = m.group("other")
            if ch == "{":
                if depth == 0:
                    if first is None:
                        first = m.end()
                    if after_where and where_brace is None:
                        where_brace = m.end()
                depth += 1
            elif ch == "}":
                depth -= 1
    if where_brace is not None and not (constructs and where_brace == first):
        pos = where_brace
    elif first is not None and not constructs:
        pos = first
    else:
        return query + "\n" + block
    return query[:pos] + block + query[pos:]


def prologue(prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    head = f"BASE <{base_iri}>\n" if base_iri else ""
    for name, iri in (prefixes or {}).items():
        head += f"PREFIX {name}: <{iri}>\n"
    return head


def _graph_iris(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, (list, tuple, set)) else [value]
    out = []
    for g in items:
        if isinstance(g, ox.DefaultGraph):
            continue
        out.append(g.value if isinstance(g, ox.NamedNode) else str(g))
    return out


# -- the reader ------------------------------------------------------------------------------
class RemoteReader:
    """The registry's reads, answered by the engine (see the module docstring)."""

    def __init__(self, store: RemoteStore) -> None:
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
        defaults = _graph_iris(default_graph)
        named = _graph_iris(named_graphs)
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
                "Registeret endret seg mens det ble lest; prøv igjen.",
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


# -- the transaction -------------------------------------------------------------------------
class RemoteTransaction(RemoteReader):
    """Writes kept locally until the commit; reads show them over the engine's state."""

    def __init__(self, store: RemoteStore, old: Meta | None) -> None:
        super().__init__(store)
        self.old = old
        self._local = ox.Store()
        self._owned: set[str] = set()
        self._ins: set[ox.Quad] = set()
        self._del: set[ox.Quad] = set()
        self._cleared = False
        self._before_graphs: list[str] | None = None
        #: the number of distinct quads read from the engine for a whole graph (see __len__)
        self._sizes: dict[str, int] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _engine_graphs(self) -> list[str]:
        if self._before_graphs is None:
            self._before_graphs = self._engine.graphs()
        return self._before_graphs

    def _own(self, graph: str, *, fetch: bool = True) -> set[ox.Quad] | None:
        """Hold ``graph`` whole in the local store from now on. Returns what was read from
        the engine if nothing else was written to the graph in this transaction yet."""
        if self._cleared or graph in self._owned:
            return None
        self._owned.add(graph)
        node = ox.NamedNode(graph)
        if fetch:
            fetched = {
                ox.Quad(t.subject, t.predicate, t.object, node)
                for t in self._engine.graph_triples(graph)
            }
            self._sizes[graph] = len(fetched)
            self._local.extend(fetched)
            pending = False
            for q in [q for q in self._del if q.graph_name == node]:
                self._local.remove(q)
                pending = True
            for q in [q for q in self._ins if q.graph_name == node]:
                self._local.add(q)
                pending = True
        self._del = {q for q in self._del if q.graph_name != node}
        self._ins = {q for q in self._ins if q.graph_name != node}
        return fetched if fetch and not pending else None

    @staticmethod
    def _graph_of(q: ox.Quad) -> str:
        g = q.graph_name
        if not isinstance(g, ox.NamedNode):
            raise StoreError(
                msg(
                    "Registeret skriver ikke til standardgrafen på en ekstern SPARQL-motor; "
                    "hvert utsagn hører til en navngitt graf.",
                    "The registry does not write the default graph on an external SPARQL "
                    "engine; every statement belongs to a named graph.",
                )
            )
        return g.value

    # -- reads -----------------------------------------------------------------------------
    def quads_for_pattern(
        self,
        subject: Any,
        predicate: Any,
        object: Any,  # noqa: A002
        graph_name: Any = None,
    ) -> Iterator[ox.Quad]:
        local = list(self._local.quads_for_pattern(subject, predicate, object, graph_name))
        if self._cleared or (
            isinstance(graph_name, ox.NamedNode) and graph_name.value in self._owned
        ):
            return iter(local)
        out = local
        seen: set[ox.Quad] = set()
        read = list(super().quads_for_pattern(subject, predicate, object, graph_name))
        if all(t is None for t in (subject, predicate, object)) and isinstance(
            graph_name, ox.NamedNode
        ):
            self._sizes[graph_name.value] = len(set(read))
        for q in read:
            g = q.graph_name
            if isinstance(g, ox.NamedNode) and g.value in self._owned:
                continue
            if q in self._del:
                continue
            seen.add(q)
            out.append(q)
        for q in self._ins:
            if q in seen:
                continue
            if (
                (subject is None or q.subject == subject)
                and (predicate is None or q.predicate == predicate)
                and (object is None or q.object == object)
                and (graph_name is None or q.graph_name == graph_name)
            ):
                out.append(q)
        return iter(out)

    def _engine_has(self, q: ox.Quad) -> bool:
        return next(super().quads_for_pattern(q.subject, q.predicate, q.object, q.graph_name),
                    None) is not None

    def _engine_size(self, graph: str) -> int:
        """How many of the engine's quads a graph held locally stands for in the engine's
        count: none for a graph the engine does not list (Virtuoso answers ``COUNT(*)`` = 1,
        not 0, for a graph outside the query's dataset: tests/test_update_conformance.py), the
        number of distinct quads read for a graph read whole in this transaction (an engine
        may hold two rows that are one RDF term, ``"x"`` and ``"x"^^xsd:string`` on
        Virtuoso), else the engine's count."""
        if graph not in self._engine_graphs():
            return 0
        size = self._sizes.get(graph)
        if size is not None:
            return size
        rows = self._engine.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {nt(ox.NamedNode(graph))} {{ ?s ?p ?o }} }}",
            union=False,
        )
        return int(rows[0]["n"].value) if rows else 0

    def __len__(self) -> int:
        if self._cleared:
            return len(self._local)
        total = super().__len__()
        for g in self._owned:
            total -= self._engine_size(g)
        total += len(self._local)
        total += sum(1 for q in self._ins if not self._engine_has(q))
        total -= sum(1 for q in self._del if self._engine_has(q))
        return total

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        names = set() if self._cleared else set(self._engine_graphs()) - self._owned
        names |= {q.graph_name.value for q in self._ins if isinstance(q.graph_name, ox.NamedNode)}
        names |= {g.value for g in self._local.named_graphs() if isinstance(g, ox.NamedNode)
                  and next(self._local.quads_for_pattern(None, None, None, g), None) is not None}
        return iter([ox.NamedNode(g) for g in sorted(names)])

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return any(g == graph for g in self.named_graphs())

    def __iter__(self) -> Iterator[ox.Quad]:
        out: list[ox.Quad] = []
        for g in self.named_graphs():
            out.extend(self.quads_for_pattern(None, None, None, g))
        return iter(out)

    # -- writes ----------------------------------------------------------------------------
    def add(self, quad: ox.Quad) -> None:
        self.extend([quad])

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        owned: list[ox.Quad] = []
        ins, dels = self._ins, self._del
        mine: dict[Any, bool] = {}  # graph name -> held whole locally
        for q in quads:
            g = q.graph_name
            local = mine.get(g)
            if local is None:
                local = mine[g] = self._cleared or self._graph_of(q) in self._owned
            if local:
                owned.append(q)
            else:
                dels.discard(q)
                ins.add(q)
        if owned:
            self._local.extend(owned)

    def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
        self.extend(quads)

    def bulk_load(
        self,
        input: bytes | str | IO[bytes] | None = None,  # noqa: A002 - pyoxigraph's name
        format: ox.RdfFormat | None = None,  # noqa: A002
        *,
        path: str | os.PathLike[str] | None = None,
        base_iri: str | None = None,
        to_graph: ox.NamedNode | None = None,
    ) -> None:
        """Parse RDF and add it, like pyoxigraph's ``Store.bulk_load``. Graphs held whole
        locally (replaced in this transaction) are filled by pyoxigraph without a Python object
        per quad."""
        if to_graph is not None:
            parsed = ox.parse(input, format, path=path, base_iri=base_iri)
            self.extend(ox.Quad(q.subject, q.predicate, q.object, to_graph) for q in parsed)
            return
        staged = ox.Store()
        staged.bulk_load(input, format, path=path, base_iri=base_iri)
        stray = next(staged.quads_for_pattern(None, None, None, ox.DefaultGraph()), None)
        if stray is not None:
            self._graph_of(stray)  # raises: the registry writes no default graph
        whole: list[ox.NamedNode] = []
        for g in staged.named_graphs():
            if isinstance(g, ox.NamedNode) and (self._cleared or g.value in self._owned):
                whole.append(g)
            else:
                self.extend(staged.quads_for_pattern(None, None, None, g))
        if not whole:
            return
        for g in [g for g in staged.named_graphs() if g not in whole]:
            staged.remove_graph(g)
        if next(iter(self._local), None) is None:
            self._local = staged  # nothing held yet: the parsed store becomes the local one
        else:
            self._local.bulk_load(staged.dump(format=ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS)

    def remove(self, quad: ox.Quad) -> None:
        g = self._graph_of(quad)
        if not self._cleared and g not in self._owned:
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                self._own(g)  # a quad with a blank node can only be removed with its graph
            else:
                self._ins.discard(quad)
                self._del.add(quad)
                return
        self._local.remove(quad)

    def add_graph(self, graph: ox.NamedNode) -> None:
        """Nothing to do: engines keep no empty graphs; the graph exists once it has triples."""

    def remove_graph(self, graph: ox.NamedNode) -> None:
        self._own(graph.value, fetch=False)
        self._local.remove_graph(graph) if self._local.contains_named_graph(graph) else None

    def clear_graph(self, graph: ox.NamedNode) -> None:
        self.remove_graph(graph)

    def clear(self) -> None:
        self._engine_graphs()
        self._cleared = True
        self._local = ox.Store()
        self._ins.clear()
        self._del.clear()

    def update(
        self,
        update: str,
        *,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        """A SPARQL Update over the transaction: every existing graph the update names (all of
        them if it reads ``GRAPH ?variable``) is brought into the local store, where pyoxigraph
        runs the update with the same semantics as on the embedded store.

        The graphs are read from rdflib's algebra of the update: an IRI anywhere in it, as a
        value (``WITH``, ``USING``, ``GRAPH <g>`` in a pattern, the graphs of ``COPY`` …) or
        as a key (the graphs of ``INSERT DATA``/``DELETE DATA`` and of templates are the keys
        of their ``quads``). A graph the update writes that exists on the engine but was not
        brought in would be replaced by what the update alone wrote into it: that is refused
        (:class:`StoreError`) instead of committed."""
        from rdflib import URIRef, Variable
        from rdflib.plugins.sparql.algebra import translateUpdate
        from rdflib.plugins.sparql.parser import parseUpdate
        from rdflib.plugins.sparql.parserutils import CompValue

        try:
            parsed = translateUpdate(
                parseUpdate(update), base=base_iri, initNs=dict(prefixes or {})
            )
        except Exception:
            # pyoxigraph reports the syntax error the embedded store would report
            ox.Store().update(update, base_iri=base_iri, prefixes=dict(prefixes or {}))
            raise
        iris: set[str] = set()
        every_graph = False
        for op in parsed.algebra:
            # GRAPH ?g ranges over every graph, unless the operation's USING clauses give
            # its dataset (then over its USING NAMED graphs, which are named)
            reads_all = not dict.get(op, "using")
            todo: list[Any] = [op]
            while todo:
                node = todo.pop()
                if isinstance(node, URIRef):
                    iris.add(str(node))
                elif isinstance(node, CompValue):
                    # "Graph" in the translated algebra of a WHERE clause, "GraphGraphPattern"
                    # where the parser's form is kept
                    if reads_all and node.name in ("Graph", "GraphGraphPattern") and isinstance(
                        dict.get(node, "term"), Variable
                    ):
                        every_graph = True
                    todo.extend(dict.values(node))
                elif isinstance(node, dict):
                    todo.extend(node.keys())
                    todo.extend(node.values())
                elif isinstance(node, (list, tuple, set)):
                    todo.extend(node)
        existing = set(self._engine_graphs()) if not self._cleared else set()
        read: dict[str, set[ox.Quad]] = {}
        for name in sorted(existing if every_graph else iris & existing):
            content = self._own(name)
            if content is not None:
                read[name] = content
        before = {n.value for n in self._local.named_graphs() if isinstance(n, ox.NamedNode)}
        self._local.update(update, base_iri=base_iri, prefixes=dict(prefixes or {}))
        # A graph the update only read goes back to the engine's (the commit leaves it alone)
        for name, content in read.items():
            node = ox.NamedNode(name)
            if set(self._local.quads_for_pattern(None, None, None, node)) == content:
                if self._local.contains_named_graph(node):
                    self._local.remove_graph(node)
                self._owned.discard(name)
        for node in self._local.named_graphs():
            if isinstance(node, ox.NamedNode) and node.value not in before:
                if node.value in existing and node.value not in self._owned:
                    raise StoreError(
                        msg(
                            "Oppdateringen skriver grafen {graph}, som registeret ikke fant i "
                            "teksten; ingenting er endret.",
                            "The update writes the graph {graph}, which the registry did not "
                            "find in its text; nothing was changed.",
                            graph=node.value,
                        )
                    )
                self._own(node.value, fetch=False)
        if next(self._local.quads_for_pattern(None, None, None, ox.DefaultGraph()), None):
            raise StoreError(
                msg(
                    "Oppdateringen skriver til standardgrafen; på en ekstern SPARQL-motor hører "
                    "hvert utsagn til en navngitt graf.",
                    "The update writes the default graph; on an external SPARQL engine every "
                    "statement belongs to a named graph.",
                )
            )

    def flush(self) -> None:
        pass

    # -- the commit ------------------------------------------------------------------------
    def plan(self, number: int, base_uri: str) -> CommitPlan:
        if self._cleared:
            local = {g.value for g in self._local.named_graphs() if isinstance(g, ox.NamedNode)}
            replaced = [*self._engine_graphs(), *sorted(local)]
        else:
            replaced = sorted(self._owned)
        return CommitPlan(
            replaced=GraphContents(self._local, replaced),
            graphs=[g.value for g in self.named_graphs()],
            inserted=sorted(self._ins, key=str),
            deleted=sorted(self._del, key=str),
            old=self.old,
            number=number,
            committed=datetime.now(UTC).replace(microsecond=0),
            base_uri=base_uri,
        )


# -- the store -------------------------------------------------------------------------------
class RemoteStore:
    """The registry's store on an external SPARQL engine (see the module docstring)."""

    def __init__(self, engine: Engine, path: Path, *, lock_timeout: float = 120.0) -> None:
        self.engine = engine
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._pending_base: str | None = None

    def state(self) -> Meta | None:
        """The engine's bookkeeping, read now."""
        return self.engine.meta()

    def exists(self) -> bool:
        return self.state() is not None

    def revision(self) -> Revision | None:
        meta = self.state()
        if meta is None:
            return None
        return Revision(meta.number, meta.committed or _EPOCH)

    def base_uri(self) -> str | None:
        meta = self.state()
        return meta.base_uri if meta else None

    def check_base_uri(self, base_uri: str) -> None:
        stored = self.base_uri()
        if stored is None:
            self._pending_base = base_uri  # written with the first commit
        elif stored != base_uri:
            raise ConfigurationError(
                msg(
                    "Registeret i SPARQL-motoren {url} ble opprettet med basis-URI {stored}, "
                    "men innstillingen er {configured}. Sett OGPREG_BASE_URI={stored}.",
                    "The registry in the SPARQL engine {url} was created with base URI "
                    "{stored}, but the setting is {configured}. Set OGPREG_BASE_URI={stored}.",
                    url=self.engine.conn.query_url,
                    stored=stored,
                    configured=base_uri,
                )
            )

    def reader(self) -> ox.Store:
        """A reader of the latest committed state (a stand-in for pyoxigraph's Store with the
        part of its API the registry uses; see :class:`registry.backend.StoreLike`)."""
        return cast(ox.Store, RemoteReader(self))

    def _write_lock(self) -> contextlib.AbstractContextManager[None]:
        return exclusive(self.path / "write.lock", self.lock_timeout)

    @contextlib.contextmanager
    def transaction(
        self, *, writes: int = 0, compact: bool = False, fresh: bool = False
    ) -> Iterator[ox.Store]:
        """A transaction over the engine; committed when the block ends, discarded if it
        raises. ``fresh`` starts from an empty registry (everything is rewritten); ``writes``
        and ``compact`` concern the embedded store only."""
        with self._write_lock():
            self.engine.recover(self.path)
            old = self.state()
            tx = RemoteTransaction(self, old)
            if fresh:
                tx.clear()
            yield cast(ox.Store, tx)
            base = (old.base_uri if old else None) or self._pending_base or ""
            plan = tx.plan((old.number if old else 0) + 1, base)
            self.engine.commit(plan, self.path)

    def optimize(self) -> Revision:
        """Nothing to compact here: the engine maintains its own storage. The current
        revision."""
        rev = self.revision()
        if rev is None:
            raise StoreError(msg("Registeret er tomt.", "The registry is empty."))
        return rev

    def recover(self) -> bool:
        """Finish a commit that was interrupted half-way (Virtuoso's journal)."""
        with self._write_lock():
            return self.engine.recover(self.path)



def open_remote_store(settings: Settings) -> RemoteStore:
    """The remote store ``settings`` describe (``OGPREG_ENGINE`` and the engine URLs)."""
    query_url = settings.engine_query_url
    if settings.engine == "oxigraph":
        root = query_url.rsplit("/query", 1)[0] if query_url.endswith("/query") else query_url
        update_url = settings.engine_update_url or root + "/update"
        store_url = settings.engine_store_url or root + "/store"
    else:
        root = query_url.rsplit("/", 1)[0]
        update_url = settings.engine_update_url or query_url
        store_url = settings.engine_store_url or (
            root + ("/sparql-graph-crud-auth" if settings.engine_user else "/sparql-graph-crud")
        )
    conn = Connection(
        query_url=query_url,
        update_url=update_url,
        store_url=store_url,
        user=settings.engine_user or None,
        password=settings.engine_password or None,
    )
    engine = make_engine(settings.engine, conn, settings.base_uri)
    return RemoteStore(engine, settings.state_dir or settings.store)
