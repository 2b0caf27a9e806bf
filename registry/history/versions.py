"""Reading the history: the changes in number order, each with the versions it created, and the
versions of one item. Takes any reader of a committed revision and needs no base URI: history
quads are recognised by their graph (:func:`registry.history.terms.is_history_graph`).

Change numbers are 1, 2, 3, … without gaps and their times never decrease, so the latest change
and the first change at or after a time are found by binary search.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from registry.history.terms import (
    ACTION_NAMES,
    ACTIONS,
    CHANGE_KIND,
    CHANGE_NUMBER,
    DCT_IS_VERSION_OF,
    IN_CHANGE,
    KIND_NAMES,
    KINDS,
    LOADED_BY,
    PROV_ASSOCIATED,
    PROV_AT_TIME,
    PROV_GENERATED,
    PROV_REVISION_OF,
    PROV_USED,
    REASON,
    SNAPSHOT,
    VERSION_ACTION,
    canonical,
    change_iri,
    is_history_graph,
    number_literal,
    parse_snapshot,
    parse_time,
    utc,
    value,
    version_iri,
)


@dataclass(frozen=True)
class ChangeInfo:
    """One change: a commit that changed data."""

    number: int
    uri: str
    time: datetime
    #: ``load``, ``status`` or ``erase`` (see :data:`KINDS`)
    kind: str
    #: the organisation or agent (``prov:wasAssociatedWith``), if recorded
    agent: str | None = None
    #: the operating-system user or ``token:<id>`` (``ogp:loadedBy``), if recorded
    loaded_by: str | None = None
    #: the source graphs a load wrote (``prov:used``)
    sources: tuple[str, ...] = ()
    #: the reason by language tag (``ogp:reason``)
    reasons: tuple[tuple[str, str], ...] = ()

    @property
    def kind_iri(self) -> str:
        return KINDS[self.kind]

    def reason(self, lang: str = "nb") -> str | None:
        """The reason in ``lang``, else in the other language, else ``None``."""
        by_lang = dict(self.reasons)
        for key in (lang, "nb", "nn", "en", ""):  # registry.i18n.FALLBACKS
            if key in by_lang:
                return by_lang[key]
        return None


@dataclass(frozen=True)
class Version:
    """One version of an item."""

    item: str
    number: int
    uri: str
    time: datetime
    #: ``create``, ``update`` or ``delete`` (see :data:`ACTIONS`)
    action: str
    #: the item's description in this version (empty for a deletion)
    snapshot: tuple[ox.Triple, ...]
    change: ChangeInfo
    #: the previous version's IRI (``prov:wasRevisionOf``)
    previous: str | None = None

    @property
    def action_iri(self) -> str:
        return ACTIONS[self.action]

    @property
    def deleted(self) -> bool:
        return self.action == "delete"

    def ntriples(self) -> str:
        return canonical(self.snapshot)


@dataclass(frozen=True)
class Change(ChangeInfo):
    """A change with the versions it created (ordered by item IRI)."""

    versions: tuple[Version, ...] = ()


def _history_quads(reader: ox.Store, subject: ox.NamedNode) -> list[ox.Quad]:
    return [
        q
        for q in reader.quads_for_pattern(subject, None, None, None)
        if is_history_graph(q.graph_name)
    ]


def change_node(
    reader: ox.Store, number: int, base: str | None = None, *, by_number: bool = True
) -> ox.NamedNode | None:
    """The node of change ``number`` in the history graph, or ``None``.

    With ``base``, the change's own IRI (``{base}id/change/{number}``) is looked up first, by
    subject: Virtuoso has been seen to miss the look-up by number (an object-bound pattern)
    right after an erase while the subject-bound one found the statement (docs/lifecycle.md),
    and a missed number on ``last_change_number``'s search would make the next write reuse a
    change number. The look-up by number is the fallback (a change recorded under another
    base), unless ``by_number`` is false."""
    if base is not None:
        node = ox.NamedNode(change_iri(base, number))
        for q in reader.quads_for_pattern(node, CHANGE_NUMBER, None, None):
            if is_history_graph(q.graph_name) and _is_number(q.object, number):
                return node
        if not by_number:
            return None
    for q in reader.quads_for_pattern(None, CHANGE_NUMBER, number_literal(number), None):
        if is_history_graph(q.graph_name) and isinstance(q.subject, ox.NamedNode):
            return q.subject
    return None


def _is_number(term: object, number: int) -> bool:
    return isinstance(term, ox.Literal) and term.value.strip() == str(number)


def last_change_number(reader: ox.Store, base: str | None = None) -> int:
    """The number of the latest change (0 when there is none); O(log n) look-ups.

    With ``base``, and change 1 recorded under it (the usual case), the search looks changes up
    by their IRIs alone (see ``change_node``): a probe past the last change then costs one
    look-up, not two. One look-up by number of the change after the one found confirms it (a
    change recorded under another base, after a change of the base URI, would answer it); if it
    does, or if change 1 is not under ``base``, the search looks up by number too."""
    if base is not None and change_node(reader, 1, base, by_number=False) is not None:
        found = _last(reader, base, by_number=False)
        if change_node(reader, found + 1, None) is None:
            return found
    if change_node(reader, 1, base) is None:
        return 0
    return _last(reader, base, by_number=True)


def _last(reader: ox.Store, base: str | None, *, by_number: bool) -> int:
    """The last change number, change 1 being known to exist (binary search)."""
    hi = 2
    while change_node(reader, hi, base, by_number=by_number) is not None:
        hi *= 2
    lo = hi // 2  # exists; hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if change_node(reader, mid, base, by_number=by_number) is not None:
            lo = mid
        else:
            hi = mid
    return lo


def change_time(reader: ox.Store, number: int, base: str | None = None) -> datetime | None:
    """The time of change ``number``, or ``None``."""
    node = change_node(reader, number, base)
    if node is None:
        return None
    for q in reader.quads_for_pattern(node, PROV_AT_TIME, None, None):
        if is_history_graph(q.graph_name):
            return parse_time(value(q.object))
    return None


def first_change_at_or_after(
    reader: ox.Store, when: datetime, last: int, base: str | None = None
) -> int:
    """The smallest change number whose time is at or after ``when`` (``last + 1`` if none);
    change times never decrease, so a binary search does."""
    lo, hi = 1, last + 1
    while lo < hi:
        mid = (lo + hi) // 2
        t = change_time(reader, mid, base)
        if t is not None and t >= when:
            hi = mid
        else:
            lo = mid + 1
    return lo


class _Cache:
    def __init__(self) -> None:
        self.changes: dict[str, ChangeInfo] = {}


def _change_info(reader: ox.Store, node: ox.NamedNode, cache: _Cache | None = None) -> ChangeInfo:
    if cache is not None and node.value in cache.changes:
        return cache.changes[node.value]
    number = 0
    when = datetime.fromtimestamp(0, UTC)
    kind = "load"
    agent: str | None = None
    loaded_by: str | None = None
    sources: list[str] = []
    reasons: list[tuple[str, str]] = []
    for q in _history_quads(reader, node):
        p, o = q.predicate, q.object
        if p == CHANGE_NUMBER:
            number = int(value(o))
        elif p == PROV_AT_TIME:
            when = parse_time(value(o))
        elif p == CHANGE_KIND:
            kind = KIND_NAMES.get(value(o), kind)
        elif p == PROV_ASSOCIATED:
            agent = value(o)
        elif p == LOADED_BY:
            loaded_by = value(o)
        elif p == PROV_USED:
            sources.append(value(o))
        elif p == REASON and isinstance(o, ox.Literal):
            reasons.append((o.language or "", o.value))
    info = ChangeInfo(
        number=number,
        uri=node.value,
        time=when,
        kind=kind,
        agent=agent,
        loaded_by=loaded_by,
        sources=tuple(sorted(sources)),
        reasons=tuple(sorted(reasons)),
    )
    if cache is not None:
        cache.changes[node.value] = info
    return info


def _version(reader: ox.Store, node: ox.NamedNode, cache: _Cache) -> Version | None:
    item: str | None = None
    change: ox.NamedNode | None = None
    when: datetime | None = None
    action = "update"
    previous: str | None = None
    snapshot = ""
    for q in _history_quads(reader, node):
        p, o = q.predicate, q.object
        if p == DCT_IS_VERSION_OF:
            item = value(o)
        elif p == IN_CHANGE and isinstance(o, ox.NamedNode):
            change = o
        elif p == PROV_GENERATED:
            when = parse_time(value(o))
        elif p == VERSION_ACTION:
            action = ACTION_NAMES.get(value(o), action)
        elif p == PROV_REVISION_OF:
            previous = value(o)
        elif p == SNAPSHOT:
            snapshot = value(o)
    if item is None or change is None:
        return None
    info = _change_info(reader, change, cache)
    return Version(
        item=item,
        number=info.number,
        uri=node.value,
        time=when or info.time,
        action=action,
        snapshot=parse_snapshot(snapshot),
        change=info,
        previous=previous,
    )


def _version_nodes(reader: ox.Store, item: str) -> list[ox.NamedNode]:
    return [
        q.subject
        for q in reader.quads_for_pattern(None, DCT_IS_VERSION_OF, ox.NamedNode(item), None)
        if is_history_graph(q.graph_name) and isinstance(q.subject, ox.NamedNode)
    ]


def _number_of(version_uri: str) -> int:
    tail = version_uri.rsplit("/version/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def versions(reader: ox.Store, item: str) -> list[Version]:
    """Every version of ``item``, oldest first."""
    cache = _Cache()
    out = [v for n in _version_nodes(reader, item) if (v := _version(reader, n, cache))]
    return sorted(out, key=lambda v: v.number)


def version(reader: ox.Store, item: str, number: int) -> Version | None:
    """The version of ``item`` created by change ``number`` (``None`` if there is none)."""
    node = ox.NamedNode(version_iri(item, number))
    return _version(reader, node, _Cache()) if _history_quads(reader, node) else None


def diff(a: Version | None, b: Version) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """``(added, removed)``: the triples of ``b`` not in ``a``, and those of ``a`` not in ``b``
    (``a`` ``None``: everything in ``b`` is added), each sorted as N-Triples."""
    old = set(a.snapshot) if a is not None else set()
    new = set(b.snapshot)
    return sorted(new - old, key=str), sorted(old - new, key=str)


def change(reader: ox.Store, number: int, base: str | None = None) -> Change | None:
    """Change ``number`` with its versions, or ``None``."""
    node = change_node(reader, number, base)
    if node is None:
        return None
    cache = _Cache()
    info = _change_info(reader, node, cache)
    found = [
        v
        for q in reader.quads_for_pattern(None, IN_CHANGE, node, None)
        if is_history_graph(q.graph_name) and isinstance(q.subject, ox.NamedNode)
        if (v := _version(reader, q.subject, cache)) is not None
    ]
    found.sort(key=lambda v: v.item)
    fields = {f: getattr(info, f) for f in ChangeInfo.__dataclass_fields__}
    return Change(**fields, versions=tuple(found))


def changes(
    reader: ox.Store,
    after: int = 0,
    since: datetime | None = None,
    limit: int = 100,
    *,
    base: str | None = None,
) -> list[Change]:
    """Up to ``limit`` changes in number order: those after change ``after`` (the feed's
    cursor) and, with ``since``, at or after that time. Each carries its versions. With
    ``base``, changes are looked up by their IRIs first (``change_node``)."""
    last = last_change_number(reader, base)
    start = max(after, 0) + 1
    if since is not None:
        start = max(start, first_change_at_or_after(reader, utc(since), last, base))
    out: list[Change] = []
    for n in range(start, min(last, start + max(limit, 0) - 1) + 1):
        c = change(reader, n, base)
        if c is not None:
            out.append(c)
    return out


def latest_versions(reader: ox.Store, items: Iterable[str]) -> dict[str, int]:
    """The number of each item's latest version (items without a version left out)."""
    out: dict[str, int] = {}
    for item in items:
        numbers = [_number_of(n.value) for n in _version_nodes(reader, item)]
        if numbers:
            out[item] = max(numbers)
    return out


def iter_history(reader: ox.Store) -> Iterator[ox.Quad]:
    """Every quad of the history graph (for erase and backups)."""
    for g in list(reader.named_graphs()):
        if is_history_graph(g):
            yield from reader.quads_for_pattern(None, None, None, g)
