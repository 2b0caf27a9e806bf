"""An item's lifecycle as the store holds it (docs/lifecycle.md, "Registry status").

The current status is ``<item> ogp:registryStatus status:X`` in the lifecycle graph
``{base}graph/lifecycle``, and every change is an ``ogp:StatusChange`` record there
(:func:`status_change_quads`). :func:`item_facts` reads what the rules (``rules.py``) need to
know about an item: its kinds, statuses, owning organisations, plans and approval dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from registry.history.terms import (
    PROV_ASSOCIATED,
    PROV_AT_TIME,
    PROV_USED,
    RDF_TYPE,
    is_item_graph,
    lifecycle_graph,
    time_literal,
    value,
)
from registry.lifecycle.rules import status_code, status_iri
from registry.namespaces import OGP

# the statements a status change writes next to the status (docs/lifecycle.md)
SKOS_CHANGE_NOTE = "http://www.w3.org/2004/02/skos/core#changeNote"
DCT = "http://purl.org/dc/terms/"
DCT_IS_REPLACED_BY = DCT + "isReplacedBy"
DCT_IS_PART_OF = DCT + "isPartOf"
DCT_DATE = DCT + "date"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
STATUS = ox.NamedNode(OGP.registryStatus)
_KINDS = {
    str(OGP.ActionPlan): "plan",
    str(OGP.Commitment): "commitment",
    str(OGP.Proposal): "proposal",
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@dataclass
class ItemFacts:
    """What the rules need to know about an item, read from the state before a change."""

    item: str
    kinds: set[str]
    statuses: list[ox.Quad]  # ogp:registryStatus quads in item graphs
    owners: set[str]
    plans: set[str]
    approval_dates: set[str]

    @property
    def current(self) -> str | None:
        lifecycle = [q for q in self.statuses if value(q.graph_name).endswith("/graph/lifecycle")]
        for q in lifecycle or self.statuses:
            code = status_code(value(q.object))
            if code:
                return code
        return None


def objects(reader: ox.Store, s: str, p: str, base: str) -> set[str]:
    """The values of ``s p ?o`` in the item graphs (source graphs and the lifecycle)."""
    return {
        value(q.object)
        for q in reader.quads_for_pattern(_n(s), _n(p), None, None)
        if is_item_graph(q.graph_name, base)
    }


def item_facts(reader: ox.Store, base: str, item: str) -> ItemFacts:
    """What the rules need to know about ``item``: its kinds, statuses, owners, plans."""
    kinds: set[str] = set()
    statuses: list[ox.Quad] = []
    graphs: set[str] = set()
    for q in reader.quads_for_pattern(_n(item), None, None, None):
        if not is_item_graph(q.graph_name, base):
            continue
        graphs.add(value(q.graph_name))
        if q.predicate == RDF_TYPE and value(q.object) in _KINDS:
            kinds.add(_KINDS[value(q.object)])
        elif q.predicate == STATUS:
            statuses.append(q)
    owners: set[str] = set()
    for p in (OGP.proposedBy, OGP.leadAgency, OGP.coordinatedBy):
        owners |= objects(reader, item, p, base)
    prov = _n(base + "graph/provenance")
    for g in graphs:
        for q in reader.quads_for_pattern(_n(g), _n(OGP.submittedBy), None, prov):
            owners.add(value(q.object))
    plans = objects(reader, item, OGP.inActionPlan, base) | objects(
        reader, item, DCT_IS_PART_OF, base
    )
    if "proposal" in kinds and not plans:
        for meeting in objects(reader, item, OGP.submittedAt, base):
            plans |= objects(reader, meeting, OGP.forActionPlan, base)
    if "plan" in kinds:
        plans.add(item)
    dates: set[str] = set()
    for plan in plans:
        dates |= objects(reader, plan, OGP.approvalDate, base)
    return ItemFacts(item, kinds, statuses, owners, plans, dates)


def exists(reader: ox.Store, base: str, iri: str, kind: str | None = None) -> bool:
    """Whether an item graph types ``iri`` (as a ``plan``, ``commitment`` or ``proposal``
    when ``kind`` is given)."""
    for q in reader.quads_for_pattern(_n(iri), RDF_TYPE, None, None):
        if is_item_graph(q.graph_name, base) and (
            kind is None or _KINDS.get(value(q.object)) == kind
        ):
            return True
    return False


def current_status(reader: ox.Store, base: str, item: str) -> str | None:
    """The item's current status code (lifecycle graph first, then a source's statement)."""
    return item_facts(reader, base, item).current


def lifecycle_status(
    reader: ox.Store, base: str, subject: ox.NamedNode | ox.BlankNode
) -> str | None:
    """The status IRI ``subject`` has in the lifecycle graph, if any."""
    lc = _n(lifecycle_graph(base))
    for q in reader.quads_for_pattern(subject, STATUS, None, lc):
        return value(q.object)
    return None


def status_change_quads(
    node: ox.NamedNode,
    item: str,
    from_status: str | None,
    to_status: str,
    when: datetime,
    graph: ox.NamedNode,
    *,
    agent: str | None = None,
    reasons: Sequence[ox.Literal] = (),
    used: str | None = None,
) -> list[ox.Quad]:
    """The ``ogp:StatusChange`` record (see docs/lifecycle.md)."""
    out = [
        ox.Quad(node, RDF_TYPE, _n(OGP.StatusChange), graph),
        ox.Quad(node, _n(OGP.statusOf), _n(item), graph),
        ox.Quad(node, _n(OGP.toStatus), _n(status_iri(to_status)), graph),
        ox.Quad(node, PROV_AT_TIME, time_literal(when), graph),
    ]
    if from_status is not None:
        out.append(ox.Quad(node, _n(OGP.fromStatus), _n(status_iri(from_status)), graph))
    if agent:
        out.append(ox.Quad(node, PROV_ASSOCIATED, _n(agent), graph))
    if used:
        out.append(ox.Quad(node, PROV_USED, _n(used), graph))
    out.extend(ox.Quad(node, _n(OGP.reason), r, graph) for r in reasons)
    return out
