"""Who may write which graph on behalf of a token, and the refusals that say why not
(docs/security-writes.md). The writes themselves are in ``graphstore.py``, which checks
:func:`authorise` for every graph it writes (the Graph Store's ``PUT``/``POST``/``DELETE``,
each graph a SPARQL Update names) under its write lock; the submissions sent over HTTP
(``endpoint/submit/work.py``) check it too.

* Only source graphs ``{base}graph/source/{id}`` are written. The vocabulary graphs, the
  provenance graph and the default graph (the union of all graphs) are never written over
  HTTP: vocabularies change with ``ogpreg init`` on the server, provenance is written by the
  registry itself, and every statement belongs to a source.
* A ``submitter`` token writes the source graphs its organisation submitted (provenance
  ``ogp:submittedBy``) and creates new ones (which then get its organisation), except one
  whose id ends with another organisation's name. ``approver`` and ``admin`` tokens write any
  source graph.
"""

from __future__ import annotations

import pyoxigraph as ox

from registry.access.targets import Target
from registry.access.tokens import TokenRecord
from registry.errors import Forbidden
from registry.i18n import msg
from registry.namespaces import OGP
from registry.service import Registry
from registry.uris import Uris, slugify

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ORG = "http://www.w3.org/ns/org#Organization"


def owner_of(store: ox.Store, uris: Uris, graph: str) -> str | None:
    """The organisation that submitted a source graph (provenance ``ogp:submittedBy``)."""
    for q in store.quads_for_pattern(
        ox.NamedNode(graph),
        ox.NamedNode(OGP.submittedBy),
        None,
        ox.NamedNode(uris.provenance_graph),
    ):
        if isinstance(q.object, ox.NamedNode):
            return q.object.value
    return None


def graph_exists(store: ox.Store, uris: Uris, graph: str) -> bool:
    """True when the graph has statements or a provenance record."""
    g = ox.NamedNode(graph)
    if next(iter(store.quads_for_pattern(None, None, None, g)), None) is not None:
        return True
    prov = ox.NamedNode(uris.provenance_graph)
    return next(iter(store.quads_for_pattern(g, None, None, prov)), None) is not None


def organisation_name(store: ox.Store, iri: str) -> str:
    """An organisation's bokmål name (else any name, else its IRI), for messages."""
    names: dict[str, str] = {}
    for q in store.quads_for_pattern(
        ox.NamedNode(iri), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), None
    ):
        if isinstance(q.object, ox.Literal):
            names.setdefault(q.object.language or "", q.object.value)
    return names.get("nb") or next(iter(names.values()), iri)


def authorise(registry: Registry, token: TokenRecord, tgt: Target, store: ox.Store) -> None:
    """Raise :class:`Forbidden` unless ``token`` may write ``tgt``."""
    base = registry.uris.base
    if tgt.kind == "vocabulary":
        raise Forbidden(
            msg(
                "The vocabulary graph {graph} cannot be changed over HTTP; it is refreshed by "
                "'ogpreg init' on the server.",
                graph=tgt.iri,
            )
        )
    if tgt.kind == "provenance":
        raise Forbidden(
            msg(
                "The provenance graph {graph} is written only by the registry itself, when a "
                "source is loaded.",
                graph=tgt.iri,
            )
        )
    if tgt.kind == "default":
        raise Forbidden(
            msg(
                "The default graph is the union of all graphs and cannot be written directly. "
                "Write to a source graph, for example ?graph={base}graph/source/<id> (in SPARQL "
                "Update: GRAPH <{base}graph/source/<id>> {{ … }} or WITH <…>).",
                base=base,
            )
        )
    if tgt.kind != "source":
        raise Forbidden(
            msg(
                "Only source graphs ({base}graph/source/<id>, id of a–z, 0–9, '.', '_', '-') "
                "can be written; {graph} is not one of them.",
                base=base,
                graph=tgt.iri,
            )
        )
    if token.is_editor:
        return
    assert tgt.iri is not None
    if not graph_exists(store, registry.uris, tgt.iri):
        _refuse_anothers_name(token, tgt, store)
        return
    owner = owner_of(store, registry.uris, tgt.iri)
    if owner == token.organisation:
        return
    if owner is None:
        raise Forbidden(
            msg(
                "The graph {graph} is the registry's own data (no submitting organisation is "
                "recorded); only tokens with the role approver or admin can change it.",
                graph=tgt.iri,
            )
        )
    raise Forbidden(
        msg(
            "The graph {graph} was submitted by {owner}. The token {id} belongs to {org} and "
            "can only write source graphs that {org} submitted. Use another source id "
            "(--source), or ask the coordinating ministry (approver) for the change.",
            graph=tgt.iri,
            owner=organisation_name(store, owner),
            id=token.id,
            org=token.organisation_name or token.organisation,
        )
    )


def _refuse_anothers_name(token: TokenRecord, tgt: Target, store: ox.Store) -> None:
    """A new source graph whose id ends with another organisation's name (its IRI's last
    segment) is kept for that organisation: the submissions' own ids end so
    (``commitments-2023-2027-naerings-og-fiskeridepartementet``: loaders/submission.py,
    ``source_id_for``), and a graph another organisation created under that id first would
    shut the organisation out of its own submissions (a red-team audit did that)."""
    sid = tgt.source_id or ""
    own = slugify(token.organisation.rstrip("/").rsplit("/", 1)[-1])
    names = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(_RDF_TYPE), ox.NamedNode(_ORG), None):
        if isinstance(q.subject, ox.NamedNode):
            try:
                names[slugify(q.subject.value.rstrip("/").rsplit("/", 1)[-1])] = q.subject.value
            except ValueError:
                continue
    ends = {slug for slug in names if sid == slug or sid.endswith("-" + slug)}
    if not ends or own in ends:
        return
    other = names[max(ends, key=len)]
    raise Forbidden(
        msg(
            "The source id {id} ends with the name of {owner}, and such ids are kept for that "
            "organisation's own submissions. The token {token} belongs to {org}: choose an id "
            "that does not end with another organisation's name, for example one ending with "
            "{own}.",
            id=sid,
            owner=organisation_name(store, other),
            token=token.id,
            org=token.organisation_name or token.organisation,
            own=own,
        )
    )
