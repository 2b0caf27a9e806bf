"""What a SPARQL 1.1 update writes, read from its syntax before anything runs, and how it runs.

The authenticated update path (registry/access/graphstore.py) runs an update only if every graph it
writes is named by a constant IRI and it fetches nothing (no ``LOAD``, no ``SERVICE``): the
graphs found here (:func:`plan_update`) are checked against the token's rights. Then
:func:`run_confined` runs it on a small in-memory store holding only the graphs it can read or
write (``registry/sparql/updatereads.py``) and copies what changed in the graphs it names back
into the transaction: its cost follows those graphs, not the registry's size, and a graph it
does not name cannot change. An update that reads ``GRAPH ?g`` over every graph runs on the
transaction itself, and the store is counted before and after instead.

:func:`with_dataset` gives an update the dataset of the SPARQL 1.1 Protocol's
``using-graph-uri`` / ``using-named-graph-uri`` parameters as ``USING`` / ``USING NAMED``
clauses in its text (pyoxigraph's ``Store.update`` takes no dataset argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from registry.access.targets import Target, target
from registry.errors import QueryError, UsageError
from registry.handle import RegistryHandle
from registry.i18n import msg
from registry.namespaces import PREFIXES
from registry.sparql.lexer import TOKEN
from registry.sparql.queryguard import refuse_service
from registry.sparql.updatereads import UpdateReads, update_reads

if TYPE_CHECKING:
    import pyoxigraph as ox


def _walk(node: Any) -> Iterator[Any]:
    """Every node of a parsed update (rdflib's algebra: dicts, lists and parse results)."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, Iterable) and not isinstance(node, (str, bytes)):
        for value in node:
            yield from _walk(value)


def _field(node: Any, key: str) -> Any:
    """A field of an rdflib algebra node, or ``None`` (``CompValue.get`` returns the key)."""
    return dict.get(node, key) if isinstance(node, dict) else None


def _refuse_update(text: str, **params: object) -> QueryError:
    return QueryError(msg(text, **params))


def _parse(registry: RegistryHandle, sparql: str) -> Any:
    """rdflib's algebra of an update (:class:`QueryError` for a syntax error)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return translateUpdate(
            parseUpdate(sparql), base=registry.settings.base_uri, initNs=PREFIXES
        )
    except Exception as exc:  # rdflib raises pyparsing and plain exceptions alike
        raise QueryError(
            msg(
                "Syntax error in the SPARQL update: {detail}",
                detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            )
        ) from exc


@dataclass(frozen=True)
class UpdatePlan:
    """What an update writes (``targets``) and which graphs it can read (``reads``)."""

    targets: list[Target]
    reads: UpdateReads


def update_targets(registry: RegistryHandle, sparql: str) -> list[Target]:
    """The graphs a SPARQL update writes (:func:`plan_update`)."""
    return plan_update(registry, sparql).targets


def plan_update(registry: RegistryHandle, sparql: str) -> UpdatePlan:
    """The graphs a SPARQL update writes, and those it can read, from its syntax (rdflib's
    parser, once).

    Refuses (:class:`QueryError`) what cannot be checked or must not run on the server:
    ``LOAD``, ``SERVICE``, a graph given by a variable, ``CLEAR/DROP NAMED|ALL``."""
    from rdflib.plugins.sparql.parserutils import CompValue

    # first as the engine may read the text, not only as rdflib does
    # (registry/sparql/queryguard.py)
    refuse_service(sparql, update=True)
    update = _parse(registry, sparql)
    targets: dict[str | None, Target] = {}

    def add(term: object) -> None:
        if term == "DEFAULT" or term is None:
            targets[None] = target(registry.uris, None)
        elif isinstance(term, URIRef):
            targets[str(term)] = target(registry.uris, str(term))
        elif term in ("NAMED", "ALL"):
            raise _refuse_update(
                "CLEAR/DROP {which} applies to every graph; name each graph by its IRI.",
                which=term,
            )
        else:
            raise _refuse_update(
                "Graphs that are written must be named by a constant IRI, not a variable ({term}).",
                term=term,
            )

    def add_template(
        quads: dict[Any, Any] | None, triples: list[Any] | None, default: object
    ) -> None:
        for g in quads or {}:
            add(g)
        if triples:
            add(default)

    for op in update.algebra:
        if any(isinstance(n, CompValue) and n.name == "ServiceGraphPattern" for n in _walk(op)):
            raise _refuse_update(
                "SERVICE is not allowed in updates: the server fetches nothing from outside.",
            )
        name = op.name
        if name == "Load":
            raise _refuse_update(
                "LOAD is not allowed: the server fetches nothing from outside. Send the data "
                "with PUT to /graph-store (ogpreg load --remote).",
            )
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            add_template(_field(op, "quads"), _field(op, "triples"), None)
        elif name == "Modify":
            with_graph = _field(op, "withClause")
            for clause in (_field(op, "delete"), _field(op, "insert")):
                if clause is not None:
                    add_template(_field(clause, "quads"), _field(clause, "triples"), with_graph)
        elif name in ("Clear", "Drop", "Create"):
            add(_field(op, "graphiri"))
        elif name in ("Add", "Copy", "Move"):
            source, dest = _field(op, "graph")
            add(dest)
            if name == "Move":
                add(source)
        else:
            raise _refuse_update(
                "The operation {op} is not supported in updates.",
                op=name,
            )
    return UpdatePlan(list(targets.values()), update_reads(update.algebra))


def run_confined(
    tx: ox.Store,
    sparql: str,
    plan: UpdatePlan,
    *,
    base_iri: str,
    prefixes: Mapping[str, str],
    whole_graphs: bool = False,
) -> None:
    """Run ``sparql`` on an in-memory store holding only the graphs of ``tx`` it can read or
    write (and the default graph), then write the changes of the graphs it names
    (``plan.targets``) into ``tx``. Raises :class:`QueryError`, ``tx`` unchanged, when it
    changed any other graph there: the registry's reading of the text and the engine's
    disagree. Errors of the update itself propagate as pyoxigraph raises them. Not for an
    update that reads every graph (``plan.reads.every_graph``). ``tx`` is the embedded store's
    transaction or an external engine's (``registry/store/remote/transaction.py``: the graphs
    are then read from the engine, its default graph is empty, the changes wait for the
    commit). ``whole_graphs``: write each changed graph whole (removed, then its new
    content) instead of its differences — for an external engine, whose transaction then
    replaces the graph on the engine, so that the engine holds exactly what the registry read
    (Virtuoso may hold one RDF term in two forms, ``"x"`` and ``"x"^^xsd:string``, as two rows;
    and a triple with a blank node can only be removed with its graph there)."""
    import pyoxigraph as ox

    assert not plan.reads.every_graph
    sandbox = ox.Store()
    loaded: dict[ox.NamedNode | ox.DefaultGraph, set[ox.Quad]] = {}
    for iri in sorted(plan.reads.iris):
        node = ox.NamedNode(iri)
        if tx.contains_named_graph(node):
            sandbox.add_graph(node)
            loaded[node] = set(tx.quads_for_pattern(None, None, None, node))
    loaded[ox.DefaultGraph()] = set(tx.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for quads in loaded.values():
        sandbox.extend(quads)
    sandbox.update(sparql, base_iri=base_iri, prefixes=dict(prefixes))
    named = {ox.NamedNode(t.iri) for t in plan.targets if t.iri is not None}
    graphs: set[ox.NamedNode | ox.DefaultGraph] = {ox.DefaultGraph(), *loaded}
    graphs.update(g for g in sandbox.named_graphs() if isinstance(g, ox.NamedNode))
    changes: list[tuple[ox.NamedNode, set[ox.Quad], set[ox.Quad]]] = []  # graph, old, new
    for graph in graphs:
        old = loaded.get(graph, set())
        new = set(sandbox.quads_for_pattern(None, None, None, graph))
        if new == old:
            continue
        if not isinstance(graph, ox.NamedNode) or graph not in named:
            raise QueryError(
                msg("The update changed graphs it does not name; nothing was changed.")
            )
        changes.append((graph, old, new))
    for graph, old, new in changes:
        if whole_graphs:
            tx.remove_graph(graph)
            tx.extend(new)
            continue
        for quad in old - new:
            tx.remove(quad)
        tx.extend(new - old)


def _dataset_of(op: Any) -> list[tuple[str, str]]:
    """The ``USING`` (``default``) and ``USING NAMED`` (``named``) clauses of an operation."""
    out = []
    for clause in _field(op, "using") or ():
        for kind in ("default", "named"):
            iri = _field(clause, kind)
            if iri is not None:
                out.append((kind, str(iri)))
    return out


def with_dataset(
    registry: RegistryHandle, sparql: str, using: list[str], using_named: list[str]
) -> str:
    """``sparql`` with the protocol's ``using-graph-uri`` (``using``) and
    ``using-named-graph-uri`` (``using_named``) as ``USING <…>`` / ``USING NAMED <…>`` clauses
    of each ``DELETE``/``INSERT … WHERE`` operation (SPARQL 1.1 Protocol §2.2.3: they are the
    dataset of the update's ``WHERE`` clauses). They only choose what the ``WHERE`` clauses
    read; the graphs written are those the text names, checked as always.

    Refused (:class:`UsageError`, 400): an IRI that is not an absolute IRI, and parameters
    together with ``USING``, ``USING NAMED`` or ``WITH`` in the text (the protocol makes that
    an error). Each IRI is checked and written by pyoxigraph; the clauses go before the
    ``WHERE`` keyword of each such operation, found outside strings, IRIs and comments, and
    the result is parsed again: unless every such operation, and no other, now reads exactly
    the given dataset, the update is refused instead of run."""
    if not using and not using_named:
        return sparql
    import pyoxigraph as ox

    terms: list[str] = []
    expected: list[tuple[str, str]] = []
    for kind, keyword, iris in (("default", "USING", using), ("named", "USING NAMED", using_named)):
        for iri in iris:
            try:
                node = ox.NamedNode(iri)  # pyoxigraph checks the IRI's syntax
            except ValueError:
                raise UsageError(
                    msg(
                        "using-graph-uri and using-named-graph-uri must be absolute IRIs; "
                        "got {iri!r}.",
                        iri=iri,
                    )
                ) from None
            terms.append(f"{keyword} {node}")
            expected.append((kind, node.value))
    original = _parse(registry, sparql)
    if any(
        _field(op, "withClause") is not None or _field(op, "using")
        for op in original.algebra
    ):
        raise UsageError(
            msg(
                "The update has USING, USING NAMED or WITH, so it cannot also be given "
                "using-graph-uri or using-named-graph-uri (SPARQL 1.1 Protocol 2.2.3). Use one "
                "or the other.",
            )
        )
    clause = " " + " ".join(terms) + " "
    # The WHERE of a DELETE/INSERT operation is the only WHERE keyword outside every brace
    # that follows a closing brace (its template's); DELETE WHERE follows DELETE.
    parts: list[str] = []
    depth = 0
    last = ""
    done = 0
    for m in TOKEN.finditer(sparql):
        group, token = m.lastgroup, m.group(0)
        if group == "comment" or (group == "other" and token.isspace()):
            continue
        if group == "other" and token == "{":
            depth += 1
        elif group == "other" and token == "}":
            depth -= 1
        elif group == "word" and token.upper() == "WHERE" and depth == 0 and last == "}":
            parts.append(sparql[done : m.start()])
            parts.append(clause)
            done = m.start()
        last = token
    parts.append(sparql[done:])
    rewritten = "".join(parts)
    again = _parse(registry, rewritten)
    ops, new_ops = list(original.algebra), list(again.algebra)
    same = len(ops) == len(new_ops) and all(
        a.name == b.name
        and _dataset_of(b) == (expected if b.name == "Modify" else [])
        for a, b in zip(ops, new_ops, strict=True)
    )
    if not same:
        raise UsageError(
            msg(
                "using-graph-uri/using-named-graph-uri could not be applied to this update; "
                "write USING <…> in the update itself.",
            )
        )
    return rewritten
