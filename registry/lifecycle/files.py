"""What a loaded file may say about the lifecycle of plans, commitments and proposals, by who
loads it (docs/lifecycle.md, "Statuses and lifecycle statements in loaded files").

A file's ``ogp:registryStatus`` becomes an item's initial status in the lifecycle graph
(:func:`registry.lifecycle.initial_statuses`); once the item has a status, the file's status is
ignored with a warning (:func:`registry.lifecycle.drop_overridden_statuses`). This module says
which initial statuses and lifecycle statements the actor (registry/access/actors.py) may give:

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
written. :meth:`registry.service.Registry.prepare` checks before validation and
:meth:`registry.service.Registry._commit` again inside the commit's transaction, so a source
loaded in between cannot change the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from registry.access.actors import Actor
from registry.history import changes as history
from registry.history.changes import value
from registry.lifecycle.status import (
    DCT_IS_REPLACED_BY,
    LABELS,
    SKOS_CHANGE_NOTE,
    lifecycle_status,
    status_code,
)
from registry.namespaces import OGP
from registry.validation import Issue

if TYPE_CHECKING:
    from registry.service import PreparedSource

#: The statuses a submitter may give its own new items in a file.
SUBMITTER_STATUSES: frozenset[str] = frozenset({"draft", "submitted"})

_STATUS = ox.NamedNode(OGP.registryStatus)
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
_HOW = (
    "'ogpreg status {item} --set {code} --token …' (eller POST /api/status)",
    "'ogpreg status {item} --set {code} --token …' (or POST /api/status)",
)


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
        for q in self.reader.quads_for_pattern(ox.NamedNode(item), history.RDF_TYPE, None, None):
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


def _issue(
    p: PreparedSource, focus: str, path: str, val: str | None, nb: str, en: str
) -> Issue:
    return Issue(
        severity="violation",
        focus=focus,
        path=str(path),  # a plain string (an rdflib URIRef never equals one)
        value=val,
        constraint="lifecycle",
        file=p.file.name,
        message_nb=nb,
        message_en=en,
    )


def _owner_text(owner: str | None, graph: str, lang: str) -> str:
    if owner is None:
        return (
            f"i registerets egne data ({graph}, uten innsender)"
            if lang == "nb"
            else f"in the registry's own data ({graph}, without a submitter)"
        )
    return (
        f"i kilden {graph}, sendt inn av {owner}"
        if lang == "nb"
        else f"in the source {graph}, submitted by {owner}"
    )


def check_files(
    reader: ox.Store, base: str, prepared: Sequence[PreparedSource], actor: Actor
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
        if q.predicate == history.RDF_TYPE
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
                q.predicate == history.RDF_TYPE and q.object == _STATUS_CHANGE
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
                        f"Filen fra {org} (rolle {role}) inneholder en statusendring "
                        f"(ogp:StatusChange, ogp:statusOf, ogp:toStatus, ogp:fromStatus) for "
                        f"{target}. Statusendringer registreres bare av registeret selv, når "
                        "statusen endres med 'ogpreg status URI --set STATUS --token …' eller "
                        "POST /api/status. Fjern dem fra filen.",
                        f"The file from {org} (role {role}) contains a status change "
                        f"(ogp:StatusChange, ogp:statusOf, ogp:toStatus, ogp:fromStatus) for "
                        f"{target}. Status changes are recorded only by the registry itself, "
                        "when a status is changed with 'ogpreg status URI --set STATUS --token "
                        "…' or POST /api/status. Remove them from the file.",
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
                        f"{org} (rolle submitter) kan ikke si at {s.value} er erstattet "
                        "(dct:isReplacedBy) eller hvorfor det er trukket tilbake "
                        "(skos:changeNote): elementet er beskrevet "
                        f"{_owner_text(owner, graph, 'nb')}, og sidene viser dette som "
                        "elementets livsløp. Fjern utsagnet fra filen; koordinerende "
                        "departement (rolle approver) eller admin gjør det med 'ogpreg status "
                        f"{s.value} --set superseded --successor URI --token …' eller "
                        "'--set withdrawn --reason TEKST'.",
                        f"{org} (role submitter) cannot say that {s.value} was replaced "
                        "(dct:isReplacedBy) or why it was withdrawn (skos:changeNote): the item "
                        f"is described {_owner_text(owner, graph, 'en')}, and the pages show "
                        "this as the item's lifecycle. Remove the statement from the file; the "
                        "coordinating ministry (role approver) or admin does it with 'ogpreg "
                        f"status {s.value} --set superseded --successor URI --token …' or "
                        "'--set withdrawn --reason TEXT'.",
                    )
                )
                continue
            if q.predicate != _STATUS:
                continue
            code = status_code(value(q.object))
            if code is None or lifecycle_status(reader, base, s) is not None:
                continue  # unknown: the shapes say so; with a status already: ignored
            nb_label, en_label = LABELS[code]
            how_nb = _HOW[0].format(item=s.value, code=code)
            how_en = _HOW[1].format(item=s.value, code=code)
            if code not in SUBMITTER_STATUSES:
                nb = (
                    f"Statusen {code} («{nb_label}») kan ikke gis i en fil fra {org} (rolle "
                    "submitter): en innsender kan bare gi sine egne nye elementer status "
                    "draft (utkast) eller submitted (sendt inn). Fjern statusen fra filen, "
                    "eller oppgi draft eller submitted. Statusen settes av koordinerende "
                    f"departement (rolle approver) eller admin med {how_nb}."
                )
                en = (
                    f"The status {code} (“{en_label}”) cannot be given in a file from {org} "
                    "(role submitter): a submitter may give its own new items only the status "
                    "draft or submitted. Remove the status from the file, or give draft or "
                    "submitted. The status is set by the coordinating ministry (role approver) "
                    f"or admin with {how_en}."
                )
            elif (where := own.foreign(s.value)) is not None:
                owner, graph = where
                nb = (
                    f"{org} (rolle submitter) kan ikke gi {s.value} status i en fil: "
                    f"elementet er beskrevet {_owner_text(owner, graph, 'nb')}, og en "
                    "innsender gir bare sine egne elementer status. Fjern statusen fra filen. "
                    "Elementets egen organisasjon eller koordinerende departement (rolle "
                    f"approver) setter den med {how_nb}."
                )
                en = (
                    f"{org} (role submitter) cannot give {s.value} a status in a file: the item "
                    f"is described {_owner_text(owner, graph, 'en')}, and a submitter gives "
                    "only its own items a status. Remove the status from the file. The item's "
                    "own organisation or the coordinating ministry (role approver) sets it "
                    f"with {how_en}."
                )
            elif s.value not in typed_here and not own.typed_elsewhere(s.value):
                nb = (
                    f"{org} (rolle submitter) kan ikke gi {s.value} status: bare "
                    "handlingsplaner, forpliktelser og forslag har registerstatus, og verken "
                    f"filen eller en annen kilde fra {org} beskriver {s.value} som en av dem "
                    "(rdf:type). Beskriv elementet i filen, eller fjern statusen."
                )
                en = (
                    f"{org} (role submitter) cannot give {s.value} a status: only action "
                    "plans, commitments and proposals have a registry status, and neither the "
                    f"file nor another source of {org} describes {s.value} as one of them "
                    "(rdf:type). Describe the item in the file, or remove the status."
                )
            else:
                continue
            out[i].append(_issue(p, s.value, OGP.registryStatus, value(q.object), nb, en))
    return out
