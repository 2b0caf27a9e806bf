"""Which graphs a SPARQL update can touch, read from rdflib's algebra of it.

An update is run on a small store holding only the graphs it can read or write (the registry's
writes, ``registry/access/graphstore.py``, and the external engines' transactions,
``registry/store/remote/transaction.py``), never on the whole registry: that is both cheaper
(the work follows the graphs named, not the size of the registry) and safer (the update cannot
change a graph that was not brought in). For that the graphs must be known beforehand:

* every IRI anywhere in the update is a candidate (``WITH``, ``USING``, ``GRAPH <g>`` in a
  pattern, the graphs of ``ADD``/``COPY``/``MOVE``, the keys of ``INSERT DATA``'s quads...):
  a superset of the graphs it names, intersected with the graphs that exist by the caller;
* ``GRAPH ?g`` ranges over every named graph, unless the operation's ``USING`` clauses give
  its dataset (then over its ``USING NAMED`` graphs, which are IRIs of the update):
  :attr:`UpdateReads.every_graph`, and the caller must bring in everything (or run it the
  general way);
* the default graph is read by a ``WHERE`` without ``USING``: the caller brings it in too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UpdateReads:
    """The graphs an update can read or write."""

    #: every IRI of the update: the graphs it can touch are among them
    iris: frozenset[str]
    #: whether it reads ``GRAPH ?variable`` over every named graph
    every_graph: bool


def update_reads(algebra: Any) -> UpdateReads:
    """:class:`UpdateReads` of an update's algebra (``translateUpdate(...).algebra``: a list
    of operations)."""
    from rdflib import URIRef, Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    iris: set[str] = set()
    every_graph = False
    for op in algebra:
        # GRAPH ?g ranges over every graph, unless the operation's USING clauses give its
        # dataset (then over its USING NAMED graphs, which are named)
        reads_all = not dict.get(op, "using")
        todo: list[Any] = [op]
        while todo:
            node = todo.pop()
            if isinstance(node, URIRef):
                iris.add(str(node))
            elif isinstance(node, CompValue):
                # "Graph" in the translated algebra of a WHERE clause, "GraphGraphPattern"
                # where the parser's form is kept (inside EXISTS)
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
    return UpdateReads(frozenset(iris), every_graph)
