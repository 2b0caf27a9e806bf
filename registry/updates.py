"""What a SPARQL 1.1 update writes, read from its syntax before anything runs.

The authenticated update path (registry/graphstore.py) runs an update only if every graph it
writes is named by a constant IRI and it fetches nothing (no ``LOAD``, no ``SERVICE``): the
graphs found here are checked against the token's rights, and the store's own count of what
changed is compared with them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import URIRef

from registry.errors import QueryError
from registry.graphstore import Target, target
from registry.i18n import msg
from registry.namespaces import PREFIXES
from registry.service import Registry


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


def _refuse_update(nb: str, en: str, **params: object) -> QueryError:
    return QueryError(msg(nb, en, **params))


def update_targets(registry: Registry, sparql: str) -> list[Target]:
    """The graphs a SPARQL update writes, read from its syntax (rdflib's parser).

    Refuses (:class:`QueryError`) what cannot be checked or must not run on the server:
    ``LOAD``, ``SERVICE``, a graph given by a variable, ``CLEAR/DROP NAMED|ALL``."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    base = registry.settings.base_uri
    try:
        update = translateUpdate(parseUpdate(sparql), base=base, initNs=PREFIXES)
    except Exception as exc:  # rdflib raises pyparsing and plain exceptions alike
        raise QueryError(
            msg(
                "Syntaksfeil i SPARQL-oppdateringen: {detail}",
                "Syntax error in the SPARQL update: {detail}",
                detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            )
        ) from exc
    targets: dict[str | None, Target] = {}

    def add(term: object) -> None:
        if term == "DEFAULT" or term is None:
            targets[None] = target(registry.uris, None)
        elif isinstance(term, URIRef):
            targets[str(term)] = target(registry.uris, str(term))
        elif term in ("NAMED", "ALL"):
            raise _refuse_update(
                "CLEAR/DROP {which} gjelder alle grafer; nevn hver graf med sin IRI.",
                "CLEAR/DROP {which} applies to every graph; name each graph by its IRI.",
                which=term,
            )
        else:
            raise _refuse_update(
                "Grafer som skrives må angis med en fast IRI, ikke en variabel ({term}).",
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
                "SERVICE er ikke tillatt i oppdateringer: tjeneren henter ingenting utenfra.",
                "SERVICE is not allowed in updates: the server fetches nothing from outside.",
            )
        name = op.name
        if name == "Load":
            raise _refuse_update(
                "LOAD er ikke tillatt: tjeneren henter ingenting utenfra. Send dataene med PUT "
                "til /graph-store (ogpreg load --remote).",
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
                "Operasjonen {op} støttes ikke i oppdateringer.",
                "The operation {op} is not supported in updates.",
                op=name,
            )
    return list(targets.values())
