"""What a loaded file may say about the lifecycle of plans, commitments and proposals, by who
loads it (docs/lifecycle.md, "Statuses and lifecycle statements in loaded files").

A file's ``ogp:registryStatus`` becomes an item's initial status in the lifecycle graph
(:func:`initial_statuses`); once the item has a status, the file's status is ignored with a
warning (:func:`overridden_statuses`). :func:`check_files` says which initial statuses and
lifecycle statements the actor (registry/actors.py) may give:

* ``system``, ``admin`` (also the operator of a local load): anything.
* ``approver`` (the coordinating ministry): any initial status on any item, and
  ``dct:isReplacedBy``/``skos:changeNote`` (withdrawn and superseded need them); but no
  status-change records (``ogp:StatusChange``, ``ogp:statusOf``, ``ogp:toStatus``,
  ``ogp:fromStatus``): only the registry writes them, when a status changes.
* ``submitter``: only ``draft`` or ``submitted``, only on an item of its own organisation: a
  plan, commitment or proposal (``rdf:type``) in this load or in another source of its
  organisation, and described (``rdf:type``) in no source graph of another organisation nor in
  the registry's own graphs (no ``ogp:submittedBy``), the graphs this load replaces aside; no
  status-change records; no ``dct:isReplacedBy``/``skos:changeNote`` about another
  organisation's item (pages show them as the item's successor and the reason it was
  withdrawn).

Anything else is a violation in the validation report, located at the file, item and
statement (and, for spreadsheets, at the row and column, by the loaders), so nothing is
written. The commit pipeline (registry/loading/pipeline.py) checks before validation
(``refuse_statuses``) and again inside the commit's transaction (``recheck_statuses``), so a
source loaded in between cannot change the answer.

The pipeline hands each file over as a :class:`LoadedFile`: its graph, name and statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

import pyoxigraph as ox

from registry.actors import Actor
from registry.history.terms import RDF_TYPE, lifecycle_graph, value
from registry.i18n import Msg, msg
from registry.lifecycle.rules import status_code, status_label
from registry.lifecycle.state import (
    DCT_IS_REPLACED_BY,
    SKOS_CHANGE_NOTE,
    STATUS,
    lifecycle_status,
    status_change_quads,
)
from registry.namespaces import OGP
from registry.validation.report import Issue


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class LoadedFile(Protocol):
    """One file of a load as the lifecycle rules read it (a
    :class:`registry.loading.pipeline.PreparedSource` is one): the graph it replaces, the file
    (its ``name`` locates messages) and its statements."""

    @property
    def graph(self) -> str: ...

    @property
    def file(self) -> _Named: ...

    @property
    def quads(self) -> Sequence[ox.Quad]: ...


#: The statuses a submitter may give its own new items in a file.
SUBMITTER_STATUSES: frozenset[str] = frozenset({"draft", "submitted"})

_STATUS_CHANGE = ox.NamedNode(OGP.StatusChange)
_STATUS_OF = ox.NamedNode(OGP.statusOf)
_RECORD_PREDICATES = frozenset(
    ox.NamedNode(p) for p in (OGP.statusOf, OGP.toStatus, OGP.fromStatus)
)
_FOREIGN_PREDICATES = frozenset(ox.NamedNode(p) for p in (DCT_IS_REPLACED_BY, SKOS_CHANGE_NOTE))
_ITEM_CLASSES = frozenset(
    ox.NamedNode(c) for c in (OGP.ActionPlan, OGP.Commitment, OGP.Proposal)
)
_SUBMITTED_BY = ox.NamedNode(OGP.submittedBy)
_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


# -- what an actor may say in a file ---------------------------------------------------------
class _Ownership:
    """Who describes an item in the store, outside the graphs a load replaces."""

    def __init__(self, reader: ox.Store, base: str, actor: Actor, replaced: set[str]) -> None:
        self.reader = reader
        self.base = base
        self.actor = actor
        self.replaced = replaced
        self.prov = ox.NamedNode(base + "graph/provenance")
        self._owners: dict[str, str | None] = {}
        self._foreign: dict[str, tuple[str | None, str] | None] = {}

    def owner(self, graph: str) -> str | None:
        if graph not in self._owners:
            self._owners[graph] = next(
                (
                    value(q.object)
                    for q in self.reader.quads_for_pattern(
                        ox.NamedNode(graph), _SUBMITTED_BY, None, self.prov
                    )
                ),
                None,
            )
        return self._owners[graph]

    def name(self, org: str) -> str:
        """An organisation's bokmål name (else any name, else its IRI), for messages."""
        names: dict[str, str] = {}
        for q in self.reader.quads_for_pattern(ox.NamedNode(org), _PREF_LABEL, None, None):
            if isinstance(q.object, ox.Literal):
                names.setdefault(q.object.language or "", q.object.value)
        return names.get("nb") or next(iter(names.values()), org)

    def _typing_graphs(self, item: str) -> list[tuple[ox.NamedNode, str]]:
        out = []
        for q in self.reader.quads_for_pattern(ox.NamedNode(item), RDF_TYPE, None, None):
            g = q.graph_name
            if (
                isinstance(g, ox.NamedNode)
                and g.value.startswith(self.base + "graph/source/")
                and g.value not in self.replaced
            ):
                assert isinstance(q.object, ox.NamedNode)
                out.append((q.object, g.value))
        return out

    def foreign(self, item: str) -> tuple[str | None, str] | None:
        """(owner's name, graph) of a source that describes ``item`` and is not the actor's
        organisation's (owner ``None``: the registry's own data), else ``None``."""
        if item not in self._foreign:
            found: tuple[str | None, str] | None = None
            for _cls, graph in self._typing_graphs(item):
                owner = self.owner(graph)
                if owner is None or owner != self.actor.organisation:
                    found = (None if owner is None else self.name(owner), graph)
                    break
            self._foreign[item] = found
        return self._foreign[item]

    def typed_elsewhere(self, item: str) -> bool:
        """A plan, commitment or proposal in a source graph this load does not replace."""
        return any(cls in _ITEM_CLASSES for cls, _graph in self._typing_graphs(item))


def _issue(p: LoadedFile, focus: str, path: str, val: str | None, message: Msg) -> Issue:
    return Issue.from_msg(
        message,
        severity="violation",
        focus=focus,
        path=str(path),  # a plain string (an rdflib URIRef never equals one)
        value=val,
        constraint="lifecycle",
        file=p.file.name,
    )


def _owner_text(owner: str | None, graph: str) -> Msg:
    if owner is None:
        return msg("in the registry's own data ({graph}, without a submitter)", graph=graph)
    return msg("in the source {graph}, submitted by {owner}", graph=graph, owner=owner)


def _how(item: str, code: str) -> Msg:
    return msg(
        "'ogpreg status {item} --set {code} --token …' (or POST /api/status)",
        item=item,
        code=code,
    )


def check_files(
    reader: ox.Store, base: str, prepared: Sequence[LoadedFile], actor: Actor
) -> list[list[Issue]]:
    """The lifecycle statements of ``prepared`` that ``actor`` may not make, as violations,
    per prepared source (in order). Statuses of items that already have one in the lifecycle
    graph are left alone: the load ignores them."""
    out: list[list[Issue]] = [[] for _ in prepared]
    if actor.trusted:
        return out
    own = _Ownership(reader, base, actor, {p.graph for p in prepared})
    typed_here = {
        q.subject.value
        for p in prepared
        for q in p.quads
        if q.predicate == RDF_TYPE
        and q.object in _ITEM_CLASSES
        and isinstance(q.subject, ox.NamedNode)
    }
    org = actor.label
    role = actor.role
    for i, p in enumerate(prepared):
        records: set[str] = set()
        status_of: dict[object, str] | None = None
        for q in p.quads:
            s = q.subject
            if not isinstance(s, ox.NamedNode | ox.BlankNode):
                continue
            if q.predicate in _RECORD_PREDICATES or (
                q.predicate == RDF_TYPE and q.object == _STATUS_CHANGE
            ):
                key = str(s)
                if key in records:
                    continue
                records.add(key)
                if status_of is None:
                    status_of = {
                        r.subject: value(r.object) for r in p.quads if r.predicate == _STATUS_OF
                    }
                target = status_of.get(s, "–")
                out[i].append(
                    _issue(
                        p,
                        value(s),
                        q.predicate.value,
                        value(q.object),
                        msg(
                            "The file from {org} (role {role}) contains a status change "
                            "(ogp:StatusChange, ogp:statusOf, ogp:toStatus, ogp:fromStatus) for "
                            "{target}. Status changes are recorded only by the registry itself, "
                            "when a status is changed with 'ogpreg status URI --set STATUS "
                            "--token …' or POST /api/status. Remove them from the file.",
                            org=org,
                            role=role,
                            target=target,
                        ),
                    )
                )
                continue
            if not actor.is_submitter or not isinstance(s, ox.NamedNode):
                continue
            if q.predicate in _FOREIGN_PREDICATES:
                where = own.foreign(s.value)
                if where is None:
                    continue
                owner, graph = where
                out[i].append(
                    _issue(
                        p,
                        s.value,
                        q.predicate.value,
                        value(q.object),
                        msg(
                            "{org} (role submitter) cannot say that {item} was replaced "
                            "(dct:isReplacedBy) or why it was withdrawn (skos:changeNote): the "
                            "item is described {where}, and the pages show this as the item's "
                            "lifecycle. Remove the statement from the file; the coordinating "
                            "ministry (role approver) or admin does it with 'ogpreg status "
                            "{item} --set superseded --successor URI --token …' or '--set "
                            "withdrawn --reason TEXT'.",
                            org=org,
                            item=s.value,
                            where=_owner_text(owner, graph),
                        ),
                    )
                )
                continue
            if q.predicate != STATUS:
                continue
            code = status_code(value(q.object))
            if code is None or lifecycle_status(reader, base, s) is not None:
                continue  # unknown: the shapes say so; with a status already: ignored
            if code not in SUBMITTER_STATUSES:
                message = msg(
                    "The status {code} (“{label}”) cannot be given in a file from {org} (role "
                    "submitter): a submitter may give its own new items only the status draft "
                    "or submitted. Remove the status from the file, or give draft or "
                    "submitted. The status is set by the coordinating ministry (role approver) "
                    "or admin with {how}.",
                    code=code,
                    label=status_label(code),
                    org=org,
                    how=_how(s.value, code),
                )
            elif (where := own.foreign(s.value)) is not None:
                owner, graph = where
                message = msg(
                    "{org} (role submitter) cannot give {item} a status in a file: the item is "
                    "described {where}, and a submitter gives only its own items a status. "
                    "Remove the status from the file. The item's own organisation or the "
                    "coordinating ministry (role approver) sets it with {how}.",
                    org=org,
                    item=s.value,
                    where=_owner_text(owner, graph),
                    how=_how(s.value, code),
                )
            elif s.value not in typed_here and not own.typed_elsewhere(s.value):
                message = msg(
                    "{org} (role submitter) cannot give {item} a status: only action plans, "
                    "commitments and proposals have a registry status, and neither the file "
                    "nor another source of {org} describes {item} as one of them (rdf:type). "
                    "Describe the item in the file, or remove the status.",
                    org=org,
                    item=s.value,
                )
            else:
                continue
            out[i].append(_issue(p, s.value, OGP.registryStatus, value(q.object), message))
    return out


# -- statuses a file may no longer set --------------------------------------------------------
def overridden_statuses(
    reader: ox.Store, base: str, p: LoadedFile
) -> tuple[list[ox.Quad], list[Issue]]:
    """Before validation: ``p``'s statements without the ``ogp:registryStatus`` of items that
    already have a status in the lifecycle graph (the file's status is then ignored), and a
    warning for each such status that differs from the current one."""
    kept: list[ox.Quad] = []
    warnings: list[Issue] = []
    for q in p.quads:
        if q.predicate != STATUS or not isinstance(q.subject, ox.NamedNode):
            kept.append(q)
            continue
        current = lifecycle_status(reader, base, q.subject)
        if current is None:
            kept.append(q)
            continue
        if current != value(q.object):
            code = status_code(current) or current
            given = status_code(value(q.object)) or value(q.object)
            warnings.append(
                Issue.from_msg(
                    msg(
                        "The status in the file ({given}) is ignored: the item has the status "
                        "{code} in the registry. Change the status with 'ogpreg status'.",
                        given=given,
                        code=code,
                    ),
                    severity="warning",
                    focus=q.subject.value,
                    path=OGP.registryStatus,
                    value=value(q.object),
                    file=p.file.name,
                )
            )
    return kept, warnings


# -- initial statuses -------------------------------------------------------------------------
def initial_statuses(
    reader: ox.Store,
    base: str,
    sources: Iterable[tuple[str, str, list[ox.Quad]]],
    *,
    number: int,
    when: datetime,
    agent: str | None,
) -> tuple[list[ox.Quad], dict[str, list[ox.Quad]]]:
    """At a load: move the ``ogp:registryStatus`` statements of ``sources`` (graph, source id,
    quads) into the lifecycle graph as initial statuses, with a status change each, for items
    that have no status there yet; drop the others. Returns the lifecycle quads and, per
    graph, the quads to store in the source graph (without statuses)."""
    lc = ox.NamedNode(lifecycle_graph(base))
    out: list[ox.Quad] = []
    stored: dict[str, list[ox.Quad]] = {}
    seen: set[str] = set()
    k = 0
    for graph, source_id, quads in sources:
        keep: list[ox.Quad] = []
        for q in quads:
            if q.predicate != STATUS:
                keep.append(q)
                continue
            s = q.subject
            code = status_code(value(q.object))
            if (
                not isinstance(s, ox.NamedNode)
                or code is None
                or s.value in seen
                or lifecycle_status(reader, base, s) is not None
            ):
                continue
            seen.add(s.value)
            k += 1
            out.append(ox.Quad(s, STATUS, q.object, lc))
            out += status_change_quads(
                ox.NamedNode(f"{base}id/status-change/{number}-{k}"),
                s.value,
                None,
                code,
                when,
                lc,
                agent=agent,
                used=graph,
                reasons=[
                    ox.Literal(f"Startstatus fra kilden {source_id}.", language="nb"),
                    ox.Literal(f"Initial status from the source {source_id}.", language="en"),
                ],
            )
        stored[graph] = keep
    return out, stored
