"""An item's lifecycle as the store holds it (docs/lifecycle.md, "Registry status").

The current status is ``<item> ogp:registryStatus status:X`` in the lifecycle graph
``{base}graph/lifecycle``, and every change is an ``ogp:StatusChange`` record there
(:func:`status_change_quads`). :func:`item_facts` reads what the rules (``rules.py``) need to
know about an item: its kinds, statuses, owning organisations, plans and approval dates.

The owning organisations (docs/lifecycle.md, "Who owns an item") come only from the source
graphs that *describe* the item, those that state its ``rdf:type`` as a plan, commitment or
proposal: each one's submitter (``ogp:submittedBy`` in the provenance graph) and the
``ogp:leadAgency``, ``ogp:proposedBy`` and ``ogp:coordinatedBy`` it states. A source that only
mentions the item (a statement about it without its type) gives nobody a right over it. Where
the registry's own data (a source without a submitter) describes the item, the organisations it
names are the owners; else the organisations every describing submitter's sources agree on
(:func:`owners`), so a second description by another organisation never adds an owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
#: the statements of a describing source that name the item's own organisation
OWNER_PREDICATES = frozenset(
    ox.NamedNode(p) for p in (OGP.proposedBy, OGP.leadAgency, OGP.coordinatedBy)
)
SUBMITTED_BY = ox.NamedNode(OGP.submittedBy)
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
    #: the source graphs that describe the item (``rdf:type``) and their submitters (``None``:
    #: the registry's own data); :func:`owners` reads the owners from them alone
    sources: dict[str, str | None] = field(default_factory=dict)

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


def _is_source(graph: object, base: str) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(base + "graph/source/")


def submitters(reader: ox.Store, base: str, graph: str) -> set[str]:
    """The submitters of source ``graph``, read from the provenance graph alone (none: the
    registry's own data)."""
    prov = _n(base + "graph/provenance")
    return {value(q.object) for q in reader.quads_for_pattern(_n(graph), SUBMITTED_BY, None, prov)}


def owners(
    reader: ox.Store, base: str, named: dict[str, set[str]]
) -> tuple[set[str], dict[str, str | None]]:
    """The organisations that own an item, from ``named``: each source graph that describes
    it (``rdf:type``) and the organisations that source names as its lead agency, proposer or
    coordinator. Returns the owners and each describing source's submitter (``None``: the
    registry's own data).

    Each submitter claims itself and the organisations its sources name. Where the registry's
    own data describes the item, its claims alone count (it is written by the operator, the
    coordinating ministry or ``ogpreg init``, never by a submitter); otherwise the owners are
    the organisations every submitter's claims agree on, so another organisation's second
    description of the item never adds an owner (and if the descriptions disagree, only the
    coordinating ministry or admin may set the status)."""
    sources: dict[str, str | None] = {}
    claims: dict[str | None, set[str]] = {}
    for graph, orgs in sorted(named.items()):
        subs = submitters(reader, base, graph)
        sources[graph] = min(subs) if subs else None
        if not subs:
            claims.setdefault(None, set()).update(orgs)
        for sub in subs:
            claims.setdefault(sub, {sub}).update(orgs)
    if None in claims:
        return claims[None], sources
    if not claims:
        return set(), sources
    return set.intersection(*claims.values()), sources


def item_facts(reader: ox.Store, base: str, item: str) -> ItemFacts:
    """What the rules need to know about ``item``: its kinds, statuses, owners, plans."""
    kinds: set[str] = set()
    statuses: list[ox.Quad] = []
    typed: set[str] = set()  # the source graphs that describe it
    named: dict[str, set[str]] = {}  # per source graph, the organisations it names
    for q in reader.quads_for_pattern(_n(item), None, None, None):
        if not is_item_graph(q.graph_name, base):
            continue
        if q.predicate == RDF_TYPE and value(q.object) in _KINDS:
            kinds.add(_KINDS[value(q.object)])
            if _is_source(q.graph_name, base):
                typed.add(value(q.graph_name))
        elif q.predicate == STATUS:
            statuses.append(q)
        elif q.predicate in OWNER_PREDICATES and isinstance(q.object, ox.NamedNode):
            named.setdefault(value(q.graph_name), set()).add(q.object.value)
    owned, sources = owners(reader, base, {g: named.get(g, set()) for g in typed})
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
    return ItemFacts(item, kinds, statuses, owned, plans, dates, sources)


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
