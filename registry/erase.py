"""Audited erase: remove data that was loaded by mistake (for example personal data) so that it
is gone from the store, the dumps, the history and the change feed (docs/lifecycle.md,
"Audited erase"). Not the same as withdrawing an item, which keeps it and says why.

``erase`` removes every triple with the item (or a sub-resource ``{item}/…``, such as its
milestones and versions) as subject or object from every graph, the item's status-change
records, the blank nodes hanging off them (:func:`_blank_closure`), every line naming the item
or one of those blank nodes from the snapshots of other items' versions, and the contact
persons given for it in the browser's proposal form (kept outside the RDF,
registry/access/contacts.py); it adds a change
of kind ``ogp:Erase`` that names neither the item nor its content, only how much was removed.
The audit log (``<store>/audit.log``) records who, when, why and the erased IRI.

The store is rewritten: Oxigraph never forgets a string it has stored and RocksDB keeps removed
values in its files until they are compacted away, so the erased content would survive in the
files of a revision that was merely cloned and edited. The new revision is built afresh from
what is kept, and the older revisions (which hold the content) are removed at once. Catalogue
downloads and query answers are cached per revision in memory, so the next request after the
commit rebuilds them. Backups written before the erase (``ogpreg dump``) still hold the content:
erase those by hand. Admin only; its cost is that of rewriting the whole registry.

Blank nodes: personal data often sits in a blank node hanging off an item (a contact point
with a name and an e-mail address, an address inside it, a list), which no IRI names. The
erase removes, in every graph, the statements of every blank node reachable from what it
removes (the objects of the removed triples, of those blank nodes' own statements, recursively,
lists and cycles included, and a blank node that is the subject of a triple pointing at the
item), as a Concise Bounded Description would collect them; but only a blank node whose every
reference comes from what is erased: one that another resource (or a blank node kept) also
refers to stays, with what it leads to, and only the erased item's link to it goes.

RDF 1.2 (RDF-star): the loaders refuse triple terms (registry/rdf/formats.py), but a restored
dump may hold them. A statement quoting the item (``<< <item> ex:p "…" >>``, an annotation)
is removed like one naming it, and a blank node quoted in a triple term counts as referred to
by the statement's subject. A blank node naming a graph is no reference; the statements of a
graph so named go when the blank node does.

External engines (registry/store/remote/): a blank node read in one request cannot be named in
the next (Virtuoso answers ``nodeID://…``), so the erase names none: it reads every graph
(labels stay the same across the reads of one revision on both engines), decides locally, and
rewrites every graph, as on the embedded store (the transaction is cleared and refilled: the
kept blank nodes are written as new ones). The engine's own files may keep the
erased strings until its database is rebuilt (docs/lifecycle.md, "Audited erase").

An operation on a whole registry (docs/architecture.md), like backups (registry/backup.py): it
checks the token's role and writes the audit log itself, and records the erase in the history
(registry/history/recording.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from registry.access.audit import AuditLog
from registry.access.contacts import ContactBook
from registry.access.tokens import TokenRecord
from registry.errors import Forbidden, NotFound, UsageError
from registry.handle import RegistryHandle
from registry.history.recording import Delta, next_change, record
from registry.history.terms import RDF_TYPE, is_history_graph, is_item, is_item_graph
from registry.i18n import msg
from registry.namespaces import OGP
from registry.store.embedded import EmbeddedStore

_SNAPSHOT = ox.NamedNode(OGP.snapshot)
_STATUS_OF = ox.NamedNode(OGP.statusOf)


@dataclass(frozen=True)
class EraseResult:
    """What an erase removed."""

    item: str
    triples: int  # quads removed from the data, lifecycle and provenance graphs
    blank_nodes: int  # blank nodes hanging off the item whose statements were removed
    versions: int  # versions of the item (and its sub-resources) removed from the history
    status_changes: int  # status-change records of the item removed
    snapshots_scrubbed: int  # other items' versions whose snapshot named it or its blank nodes
    contacts: int  # contact persons given for the item (proposal form) removed
    change: int
    revisions_removed: tuple[int, ...]


def _hits(item: str) -> tuple[str, str]:
    return item, item + "/"


def _is_hit(term: object, item: str, prefix: str) -> bool:
    """Whether ``term`` is the item or a sub-resource, or a triple term (RDF 1.2, which the
    loaders refuse but a restored dump may hold) that mentions one, however deeply quoted."""
    if isinstance(term, ox.Triple):
        return any(_is_hit(t, item, prefix) for t in (term.subject, term.predicate, term.object))
    return isinstance(term, ox.NamedNode) and (term.value == item or term.value.startswith(prefix))


def _blanks(term: object) -> list[ox.BlankNode]:
    """The blank nodes of ``term``: itself, or those inside a triple term, however deep."""
    if isinstance(term, ox.BlankNode):
        return [term]
    if isinstance(term, ox.Triple):
        return _blanks(term.subject) + _blanks(term.object)
    return []


def _quad_blanks(q: ox.Quad) -> list[ox.BlankNode]:
    """Every blank node a quad names: subject, object (inside triple terms too), graph name."""
    graph = [q.graph_name] if isinstance(q.graph_name, ox.BlankNode) else []
    return _blanks(q.subject) + _blanks(q.object) + graph


def _scrub(text: str, item: str, prefix: str) -> str:
    """The snapshot without the lines naming the item or a sub-resource."""
    needles = (f"<{item}>", f"<{prefix}")
    return "".join(
        line for line in text.splitlines(keepends=True) if not any(n in line for n in needles)
    )


_BLANK_LABEL = re.compile(r"_:(\S+) ")  # a blank node in an N-Triples line of a snapshot


def _scrub_blanks(text: str, gone: set[str]) -> str:
    """The snapshot without the lines naming one of the blank nodes ``gone`` (their ids)."""
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not any(b in gone for b in _BLANK_LABEL.findall(line))
    )


def _blank_closure(seeds: Iterable[ox.BlankNode], held: Iterable[ox.Quad]) -> set[ox.BlankNode]:
    """The blank nodes an erase removes: those reachable from ``seeds`` (the blank nodes of the
    removed quads) along ``held`` (every other quad with a blank node as subject or object, in
    any graph), except those referred to from outside what is reached, and what they lead to.

    A blank node is the same node in every graph it appears in (the store's identity), so a
    reference from any graph counts."""
    leads: dict[ox.BlankNode, list[ox.BlankNode]] = defaultdict(list)
    referrers: dict[ox.BlankNode, set[object]] = defaultdict(set)
    for q in held:
        # an object's blank nodes, those quoted in a triple term included, are referred to by
        # the subject (a graph's name is no reference: a statement in a graph named by a
        # removed blank node goes with it)
        objects = _blanks(q.object)
        for o in objects:
            referrers[o].add(q.subject)
        for b in _blanks(q.subject):
            leads[b].extend(objects)

    def reach(start: Iterable[ox.BlankNode], within: set[ox.BlankNode] | None) -> set[ox.BlankNode]:
        found: set[ox.BlankNode] = set()
        todo = list(start)
        while todo:
            b = todo.pop()
            if b not in found and (within is None or b in within):
                found.add(b)
                todo.extend(leads.get(b, ()))
        return found

    reached = reach(seeds, None)
    shared = [b for b in reached if any(s not in reached for s in referrers.get(b, ()))]
    return reached - reach(shared, reached)


def erase(
    registry: RegistryHandle,
    actor: TokenRecord,
    item: str,
    reason: str,
    *,
    user: str | None = None,
    remote: str | None = None,
) -> EraseResult:
    """Erase ``item`` as ``actor`` (an ``admin`` token record) for ``reason``; see the module
    documentation. Raises :class:`Forbidden` for another role, :class:`NotFound` when nothing
    names the item, :class:`UsageError` without a reason or for an IRI outside ``{base}id/``."""
    log = AuditLog(registry.store.path)
    base = registry.settings.base_uri
    reason = reason.strip()

    def refuse(exc: Exception, outcome: str = "refused") -> Exception:
        log.record(
            "erase",
            "refused" if outcome == "refused" else "failed",
            token_id=actor.id,
            organisation=actor.organisation,
            role=actor.role,
            target=item,
            actor=user,
            remote=remote,
            message=str(exc),
        )
        return exc

    if actor.role != "admin":
        raise refuse(
            Forbidden(
                msg(
                    "Erasing is reserved for the role admin (the registry's operators); the "
                    "token of {org} has the role {role}. To take an item out of use, set the "
                    "status withdrawn with 'ogpreg status URI --set withdrawn --reason …'.",
                    org=actor.organisation_name or actor.organisation,
                    role=actor.role,
                )
            )
        )
    if not reason:
        raise refuse(
            UsageError(
                msg(
                    "Give the reason for the erase (--reason), for example \"personal data "
                    "loaded by mistake\".",
                )
            )
        )
    if not is_item(item, base):
        raise refuse(
            UsageError(
                msg(
                    "Only resources under {base}id/ can be erased; {item} is not one of them.",
                    base=base,
                    item=item,
                )
            )
        )
    registry.ensure_initialised()
    item_, prefix = _hits(item)
    store = registry.store
    counts = {"triples": 0, "versions": 0, "scrubbed": 0, "blank_nodes": 0}
    with (
        store.transaction(fresh=True, compact=True)
        if isinstance(store, EmbeddedStore)
        else store.transaction()
    ) as tx:
        # The state before: the committed revision (the write lock is held).
        reader = store.reader()
        named = any(True for _ in reader.quads_for_pattern(ox.NamedNode(item_), None, None, None))
        named = named or any(
            True for _ in reader.quads_for_pattern(None, None, ox.NamedNode(item_), None)
        )
        if not named:
            raise refuse(
                NotFound(
                    msg(
                        "Nothing in the registry names {item}; nothing was erased.",
                        item=item,
                    )
                )
            )
        records = {
            q.subject
            for q in reader.quads_for_pattern(None, _STATUS_OF, ox.NamedNode(item_), None)
            if is_item_graph(q.graph_name, base)
        }
        number, when = next_change(reader, base=base)

        def kept() -> Iterator[ox.Quad]:
            # Quads naming a blank node (and snapshots that may) wait for the end of the pass,
            # when the blank nodes to remove are known.
            seeds: set[ox.BlankNode] = set()
            held: list[ox.Quad] = []
            held_snapshots: list[ox.Quad] = []
            for q in reader:
                in_history = is_history_graph(q.graph_name)
                if _is_hit(q.subject, item_, prefix) or _is_hit(q.object, item_, prefix):
                    if in_history:
                        if q.predicate == RDF_TYPE:
                            counts["versions"] += 1
                    else:
                        counts["triples"] += 1
                    seeds.update(_blanks(q.subject) + _blanks(q.object))
                    continue
                if q.subject in records:
                    seeds.update(_blanks(q.object))
                    continue
                if _quad_blanks(q):
                    held.append(q)
                    continue
                if in_history and q.predicate == _SNAPSHOT and isinstance(q.object, ox.Literal):
                    text = q.object.value
                    if "_:" in text:
                        held_snapshots.append(q)
                        continue
                    if item_ in text:
                        scrubbed = _scrub(text, item_, prefix)
                        if scrubbed != text:
                            counts["scrubbed"] += 1
                            yield ox.Quad(
                                q.subject, q.predicate, ox.Literal(scrubbed), q.graph_name
                            )
                            continue
                yield q
            gone = _blank_closure(seeds, held)
            counts["blank_nodes"] = len(gone)
            for q in held:
                if any(b in gone for b in _quad_blanks(q)):
                    if not is_history_graph(q.graph_name):
                        counts["triples"] += 1
                    continue
                yield q
            labels = {b.value for b in gone}
            for q in held_snapshots:
                text = q.object.value if isinstance(q.object, ox.Literal) else ""
                scrubbed = _scrub_blanks(_scrub(text, item_, prefix), labels)
                if scrubbed != text:
                    counts["scrubbed"] += 1
                    q = ox.Quad(q.subject, q.predicate, ox.Literal(scrubbed), q.graph_name)
                yield q

        if isinstance(store, EmbeddedStore):
            tx.bulk_extend(kept())
        else:
            quads = list(kept())
            tx.clear()
            tx.extend(quads)
        count = counts["triples"]
        change = record(
            reader,
            base,
            Delta(),
            number=number,
            when=when,
            kind="erase",
            agent=actor.organisation,
            loaded_by=actor.loaded_by if user is None else user,
            reasons=[
                ox.Literal(
                    f"Sletting av data som ble lastet inn ved en feil: {count} tripler fjernet. "
                    "Revisjonsloggen sier hva og hvorfor.",
                    language="nb",
                ),
                ox.Literal(
                    f"Erase of data loaded by mistake: {count} triples removed. The audit log "
                    "says what and why.",
                    language="en",
                ),
            ],
            always=True,
        )
        tx.extend(change.quads)
    removed = tuple(store.prune_now()) if isinstance(store, EmbeddedStore) else ()
    contacts = ContactBook(store.path).forget(item_)
    result = EraseResult(
        item=item,
        triples=counts["triples"],
        blank_nodes=counts["blank_nodes"],
        versions=counts["versions"],
        status_changes=len(records),
        snapshots_scrubbed=counts["scrubbed"],
        contacts=contacts,
        change=number,
        revisions_removed=removed,
    )
    log.record(
        "erase",
        "ok",
        token_id=actor.id,
        organisation=actor.organisation,
        role=actor.role,
        target=item,
        actor=user,
        remote=remote,
        message=(
            f"reason: {reason}; change {number}; {result.triples} triples (of them those of "
            f"{result.blank_nodes} blank nodes), {result.versions} versions, "
            f"{result.status_changes} status changes, {result.contacts} contact persons "
            f"removed; {result.snapshots_scrubbed} other versions scrubbed"
        ),
    )
    return result
