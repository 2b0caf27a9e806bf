"""History: every commit that changes data is a *change*; each change creates a *version* of
every item whose description it changed (docs/lifecycle.md, "History: changes and versions").

An *item* is an IRI under ``{base}id/`` that is the subject of a triple in a source graph
(``{base}graph/source/…``) or in the lifecycle graph (``{base}graph/lifecycle``); its
*description* is every such triple, as sorted N-Triples lines. Status-change records
(``{base}id/status-change/…``) are not items: they never change after they are written.

Everything lives in the history graph ``{base}graph/history``::

    <{base}id/change/{n}> a ogp:Change ; ogp:changeNumber n ; prov:atTime t ;
        ogp:changeKind ogp:Load | ogp:StatusUpdate | ogp:Erase ;
        prov:wasAssociatedWith <org> ; ogp:loadedBy "user" ; prov:used <source graph> ;
        ogp:reason "…"@nb .
    <{item}/version/{n}> a ogp:Version ; dct:isVersionOf <item> ; ogp:inChange <change n> ;
        prov:generatedAtTime t ; ogp:versionAction ogp:Create | ogp:Update | ogp:Delete ;
        prov:wasRevisionOf <{item}/version/{m}> ; ogp:snapshot "<s> <p> <o> .\\n…" .

Change numbers are 1, 2, 3, … without gaps, in commit order, and their times never decrease,
so the latest change and the first change at or after a time are found by binary search.

Writing (:func:`next_change`, :func:`record`) reads only the state *before* the transaction (a
transaction's own writes are never read back), and its cost follows the commit: one look-up
by subject per touched item and one by object for its latest version. Reading
(:func:`versions`, :func:`changes`, :func:`snapshot_as_of`, :func:`state_as_of`, …) takes any
reader of a committed revision and needs no base URI: history quads are recognised by their
graph, whose IRI ends with ``/graph/history``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyoxigraph as ox

from registry.errors import UsageError
from registry.i18n import msg
from registry.namespaces import OGP

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_DATETIME = ox.NamedNode(XSD + "dateTime")
PROV_AT_TIME = ox.NamedNode(PROV + "atTime")
PROV_GENERATED = ox.NamedNode(PROV + "generatedAtTime")
PROV_ASSOCIATED = ox.NamedNode(PROV + "wasAssociatedWith")
PROV_USED = ox.NamedNode(PROV + "used")
PROV_REVISION_OF = ox.NamedNode(PROV + "wasRevisionOf")
DCT_IS_VERSION_OF = ox.NamedNode(DCT + "isVersionOf")

_CHANGE_NUMBER = ox.NamedNode(OGP.changeNumber)
_CHANGE_KIND = ox.NamedNode(OGP.changeKind)
_IN_CHANGE = ox.NamedNode(OGP.inChange)
_ACTION = ox.NamedNode(OGP.versionAction)
_SNAPSHOT = ox.NamedNode(OGP.snapshot)
_REASON = ox.NamedNode(OGP.reason)
_LOADED_BY = ox.NamedNode(OGP.loadedBy)

#: Change kinds: short name -> ontology individual.
KINDS: dict[str, str] = {
    "load": str(OGP.Load),
    "status": str(OGP.StatusUpdate),
    "erase": str(OGP.Erase),
}
#: Version actions: short name -> ontology individual.
ACTIONS: dict[str, str] = {
    "create": str(OGP.Create),
    "update": str(OGP.Update),
    "delete": str(OGP.Delete),
}
_KIND_NAMES = {iri: name for name, iri in KINDS.items()}
_ACTION_NAMES = {iri: name for name, iri in ACTIONS.items()}

#: "As of a date" means the end of that day in this time zone.
OSLO = ZoneInfo("Europe/Oslo")
_HISTORY_SUFFIX = "/graph/history"


# -- IRIs ---------------------------------------------------------------------------------------
def history_graph(base: str) -> str:
    """The history graph of a registry with base URI ``base``."""
    return base + "graph/history"


def lifecycle_graph(base: str) -> str:
    """The lifecycle graph (current statuses and status-change records)."""
    return base + "graph/lifecycle"


def change_iri(base: str, number: int) -> str:
    return f"{base}id/change/{number}"


def version_iri(item: str, number: int) -> str:
    """The stable, citable IRI of ``item``'s version created by change ``number``."""
    return f"{item}/version/{number}"


def is_item(iri: str, base: str) -> bool:
    """An IRI the history versions: under ``{base}id/``, not a status-change or change record."""
    return (
        iri.startswith(base + "id/")
        and not iri.startswith(base + "id/status-change/")
        and not iri.startswith(base + "id/change/")
    )


def is_item_graph(graph: object, base: str) -> bool:
    """A graph whose statements make up item descriptions: source graphs and the lifecycle."""
    if not isinstance(graph, ox.NamedNode):
        return False
    g = graph.value
    return g.startswith(base + "graph/source/") or g == lifecycle_graph(base)


def is_history_graph(graph: object) -> bool:
    """The history graph (recognised by its IRI ending in ``/graph/history``)."""
    return isinstance(graph, ox.NamedNode) and graph.value.endswith(_HISTORY_SUFFIX)


_is_history = is_history_graph


# -- values -------------------------------------------------------------------------------------
def canonical(triples: Iterable[ox.Triple]) -> str:
    """A description as sorted, de-duplicated N-Triples lines (the snapshot text)."""
    return "".join(sorted({f"{t} .\n" for t in triples}))


def parse_snapshot(text: str) -> tuple[ox.Triple, ...]:
    if not text:
        return ()
    return tuple(
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    )


def _utc(when: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def instant(when: datetime | date) -> datetime:
    """The moment ``as_of`` means: a datetime as it is (naive = UTC); a date is the end of that
    day in Europe/Oslo."""
    if isinstance(when, datetime):
        return _utc(when)
    end = datetime.combine(when + timedelta(days=1), time(0, 0), tzinfo=OSLO)
    return end.astimezone(UTC) - timedelta(microseconds=1)


def time_literal(when: datetime) -> ox.Literal:
    text = _utc(when).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return ox.Literal(text, datatype=XSD_DATETIME)


def _parse_time(value: str) -> datetime:
    return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def value(term: object) -> str:
    """The IRI or lexical value of a term (what ``.value`` gives, for any term type)."""
    v = getattr(term, "value", None)
    return v if isinstance(v, str) else str(term)


def _number_literal(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=XSD_INTEGER)


# -- what the reading side returns ---------------------------------------------------------------
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
        for key in (lang, "nb", "en", ""):
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


# -- reading ------------------------------------------------------------------------------------
def _history_quads(reader: ox.Store, subject: ox.NamedNode) -> list[ox.Quad]:
    return [
        q for q in reader.quads_for_pattern(subject, None, None, None) if _is_history(q.graph_name)
    ]


def _change_node(reader: ox.Store, number: int) -> ox.NamedNode | None:
    for q in reader.quads_for_pattern(None, _CHANGE_NUMBER, _number_literal(number), None):
        if _is_history(q.graph_name) and isinstance(q.subject, ox.NamedNode):
            return q.subject
    return None


def last_change_number(reader: ox.Store) -> int:
    """The number of the latest change (0 when there is none); O(log n) look-ups."""
    if _change_node(reader, 1) is None:
        return 0
    hi = 2
    while _change_node(reader, hi) is not None:
        hi *= 2
    lo = hi // 2  # exists; hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _change_node(reader, mid) is not None:
            lo = mid
        else:
            hi = mid
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
        if p == _CHANGE_NUMBER:
            number = int(value(o))
        elif p == PROV_AT_TIME:
            when = _parse_time(value(o))
        elif p == _CHANGE_KIND:
            kind = _KIND_NAMES.get(value(o), kind)
        elif p == PROV_ASSOCIATED:
            agent = value(o)
        elif p == _LOADED_BY:
            loaded_by = value(o)
        elif p == PROV_USED:
            sources.append(value(o))
        elif p == _REASON and isinstance(o, ox.Literal):
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
        elif p == _IN_CHANGE and isinstance(o, ox.NamedNode):
            change = o
        elif p == PROV_GENERATED:
            when = _parse_time(value(o))
        elif p == _ACTION:
            action = _ACTION_NAMES.get(value(o), action)
        elif p == PROV_REVISION_OF:
            previous = value(o)
        elif p == _SNAPSHOT:
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
        if _is_history(q.graph_name) and isinstance(q.subject, ox.NamedNode)
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


def version_as_of(reader: ox.Store, item: str, when: datetime | date) -> Version | None:
    """The version of ``item`` that was current at ``when`` (see :func:`instant`): the latest
    one recorded at or before it; ``None`` when the item had no version yet."""
    limit = instant(when)
    current: Version | None = None
    for v in versions(reader, item):
        if v.time <= limit:
            current = v
    return current


def snapshot_as_of(reader: ox.Store, item: str, when: datetime | date) -> list[ox.Triple] | None:
    """``item``'s description at ``when``: ``None`` if it did not exist yet, ``[]`` if it had
    been deleted, else its triples (sorted)."""
    v = version_as_of(reader, item, when)
    if v is None:
        return None
    return sorted(v.snapshot, key=str)


def _change_time(reader: ox.Store, number: int) -> datetime | None:
    node = _change_node(reader, number)
    if node is None:
        return None
    for q in reader.quads_for_pattern(node, PROV_AT_TIME, None, None):
        if _is_history(q.graph_name):
            return _parse_time(value(q.object))
    return None


def _first_change_at_or_after(reader: ox.Store, when: datetime, last: int) -> int:
    """The smallest change number whose time is at or after ``when`` (``last + 1`` if none);
    change times never decrease, so a binary search does."""
    lo, hi = 1, last + 1
    while lo < hi:
        mid = (lo + hi) // 2
        t = _change_time(reader, mid)
        if t is not None and t >= when:
            hi = mid
        else:
            lo = mid + 1
    return lo


def state_as_of(reader: ox.Store, when: datetime | date) -> ox.Store:
    """An in-memory store (default graph only) of every item's description as it stood at
    ``when``; items deleted by then are left out."""
    limit = instant(when)
    last = last_change_number(reader)
    upto = _first_change_at_or_after(reader, limit + timedelta(microseconds=1), last) - 1
    solutions = reader.query(
        """
        SELECT ?item ?n ?snapshot WHERE {
          GRAPH ?g {
            ?v dct:isVersionOf ?item ; ogp:inChange ?c ; ogp:snapshot ?snapshot .
            ?c ogp:changeNumber ?n .
          }
          FILTER (STRENDS(STR(?g), "/graph/history"))
        }""",
        prefixes={"dct": DCT, "ogp": str(OGP._NS)},
    )
    assert isinstance(solutions, ox.QuerySolutions)
    latest: dict[str, tuple[int, str]] = {}
    for row in solutions:
        n = int(row["n"].value)
        if n > upto:
            continue
        item = row["item"].value
        if item not in latest or latest[item][0] < n:
            latest[item] = (n, row["snapshot"].value)
    del solutions
    out = ox.Store()
    for _n, text in latest.values():
        out.extend(ox.Quad(t.subject, t.predicate, t.object) for t in parse_snapshot(text))
    return out


def change(reader: ox.Store, number: int) -> Change | None:
    """Change ``number`` with its versions, or ``None``."""
    node = _change_node(reader, number)
    if node is None:
        return None
    cache = _Cache()
    info = _change_info(reader, node, cache)
    found = [
        v
        for q in reader.quads_for_pattern(None, _IN_CHANGE, node, None)
        if _is_history(q.graph_name) and isinstance(q.subject, ox.NamedNode)
        if (v := _version(reader, q.subject, cache)) is not None
    ]
    found.sort(key=lambda v: v.item)
    fields = {f: getattr(info, f) for f in ChangeInfo.__dataclass_fields__}
    return Change(**fields, versions=tuple(found))


def changes(
    reader: ox.Store, after: int = 0, since: datetime | None = None, limit: int = 100
) -> list[Change]:
    """Up to ``limit`` changes in number order: those after change ``after`` (the feed's
    cursor) and, with ``since``, at or after that time. Each carries its versions."""
    last = last_change_number(reader)
    start = max(after, 0) + 1
    if since is not None:
        start = max(start, _first_change_at_or_after(reader, _utc(since), last))
    out: list[Change] = []
    for n in range(start, min(last, start + max(limit, 0) - 1) + 1):
        c = change(reader, n)
        if c is not None:
            out.append(c)
    return out


# -- writing ------------------------------------------------------------------------------------
@dataclass
class Delta:
    """What a commit does to the item graphs, known before anything is written: the graphs it
    replaces as a whole (their old content is read from the state before), the further quads
    it removes, and the quads it adds."""

    replaced_graphs: set[str] = field(default_factory=set)
    removed: list[ox.Quad] = field(default_factory=list)
    added: list[ox.Quad] = field(default_factory=list)
    #: the content of (some of) the replaced graphs, when the caller has read it already
    old: dict[str, Iterable[ox.Quad]] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    """The history quads of one change, to be added in the same transaction."""

    number: int
    time: datetime
    quads: list[ox.Quad]
    #: (item, action) of every version created
    versions: list[tuple[str, str]]


def next_change(
    reader: ox.Store, recorded_at: datetime | None = None, *, now: datetime | None = None
) -> tuple[int, datetime]:
    """The number and time of the next change, read from the state before the transaction.

    ``recorded_at`` back-dates the change (``ogpreg load --recorded-at``); it must not be
    before the latest change (history stays ordered) nor in the future. Without it the time is
    now, or the latest change's time if the clock is behind it."""
    last = last_change_number(reader)
    last_time = _change_time(reader, last) if last else None
    current = _utc(now or datetime.now(UTC)).replace(microsecond=0)
    if recorded_at is None:
        when = max(current, last_time) if last_time else current
    else:
        when = _utc(recorded_at).replace(microsecond=0)
        if when > current + timedelta(seconds=1):
            raise UsageError(
                msg(
                    "--recorded-at {when} ligger i fremtiden. Oppgi et tidspunkt før nå.",
                    "--recorded-at {when} is in the future. Give a time before now.",
                    when=when.isoformat(),
                )
            )
        if last_time is not None and when < last_time:
            raise UsageError(
                msg(
                    "--recorded-at {when} er før den siste endringen i historikken (nr. {n}, "
                    "{last}). Historikken må være ordnet: last inn eldre kilder først, eller "
                    "oppgi et tidspunkt fra {last} og senere.",
                    "--recorded-at {when} is before the latest change in the history (no. {n}, "
                    "{last}). The history must stay ordered: load older sources first, or give "
                    "a time from {last} on.",
                    when=when.isoformat(),
                    n=last,
                    last=last_time.isoformat(),
                )
            )
    return last + 1, when


def _latest_versions(reader: ox.Store, items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        numbers = [_number_of(n.value) for n in _version_nodes(reader, item)]
        if numbers:
            out[item] = max(numbers)
    return out


def touched_descriptions(
    reader: ox.Store, base: str, delta: Delta
) -> dict[str, tuple[set[str], set[str]]]:
    """For every item whose description ``delta`` may change: (before, after) as sets of
    N-Triples lines, computed from the state before and the delta alone (nothing written is
    read back).

    An item whose statements in the replaced graphs are exactly its new statements, and that
    loses nothing else, keeps its description whatever the other graphs say: it is left out
    without a look-up (most items of a resubmission)."""
    replaced = delta.replaced_graphs
    # per graph: 0 not an item graph, 1 an item graph that stays, 2 one being replaced
    kinds: dict[object, int] = {}

    def kind(gn: object) -> int:
        k = kinds.get(gn)
        if k is None:
            k = kinds[gn] = (
                0 if not is_item_graph(gn, base) else 2 if value(gn) in replaced else 1
            )
        return k

    # Which subjects can change: those of the quads that differ between the replaced graphs'
    # old and new content (set operations, no per-quad Python work for what stays), of the
    # quads added to other item graphs, and of the quads removed.
    replaced_nodes = {ox.NamedNode(g) for g in replaced}
    old: set[ox.Quad] = set()
    for g in replaced:
        content = delta.old.get(g)
        old.update(
            content
            if content is not None
            else reader.quads_for_pattern(None, None, None, ox.NamedNode(g))
        )
    new: set[ox.Quad] = set()
    elsewhere: list[ox.Quad] = []
    for q in delta.added:  # one pass: each quad's graph is read once
        gn = q.graph_name
        if gn in replaced_nodes:
            new.add(q)
        elif kind(gn):
            elsewhere.append(q)
    gone = old - new  # leave the replaced graphs
    came = [q for q in new - old if kind(q.graph_name)]  # enter them
    removed = set(delta.removed)
    candidates = {
        q.subject.value
        for q in (*gone, *came, *elsewhere, *removed)
        if isinstance(q.subject, ox.NamedNode)
    }
    new_by: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in (*came, *elsewhere):
        if isinstance(q.subject, ox.NamedNode):
            new_by[q.subject.value].append(q)
    out: dict[str, tuple[set[str], set[str]]] = {}
    for item in sorted(s for s in candidates if is_item(s, base)):
        before: set[str] = set()
        after: set[str] = set()
        for q in reader.quads_for_pattern(ox.NamedNode(item), None, None, None):
            k = kind(q.graph_name)
            if not k:
                continue
            line = f"{q.triple} .\n"
            before.add(line)
            if not ((k == 2 and q in gone) or (removed and q in removed)):
                after.add(line)
        after.update(f"{q.triple} .\n" for q in new_by.get(item, ()))
        out[item] = (before, after)
    return out


def record(
    reader: ox.Store,
    base: str,
    delta: Delta,
    *,
    number: int,
    when: datetime,
    kind: str,
    agent: str | None = None,
    loaded_by: str | None = None,
    sources: Sequence[str] = (),
    reasons: Sequence[ox.Literal] = (),
    always: bool = False,
) -> Recorded:
    """The history quads of change ``number`` (from :func:`next_change`) for ``delta``.

    Reads only ``reader``, the state before the transaction. With no item changed, no change
    is recorded (empty :class:`Recorded`) unless ``always``."""
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    described = touched_descriptions(reader, base, delta)
    changed = {item: ba for item, ba in described.items() if ba[0] != ba[1]}
    if not changed and not always:
        return Recorded(number, when, [], [])
    h = ox.NamedNode(history_graph(base))
    c = ox.NamedNode(change_iri(base, number))
    at = time_literal(when)
    quads = [
        ox.Quad(c, RDF_TYPE, ox.NamedNode(OGP.Change), h),
        ox.Quad(c, _CHANGE_NUMBER, _number_literal(number), h),
        ox.Quad(c, PROV_AT_TIME, at, h),
        ox.Quad(c, _CHANGE_KIND, ox.NamedNode(KINDS[kind]), h),
    ]
    if agent:
        quads.append(ox.Quad(c, PROV_ASSOCIATED, ox.NamedNode(agent), h))
    if loaded_by:
        quads.append(ox.Quad(c, _LOADED_BY, ox.Literal(loaded_by), h))
    quads.extend(ox.Quad(c, PROV_USED, ox.NamedNode(s), h) for s in sorted(set(sources)))
    quads.extend(ox.Quad(c, _REASON, r, h) for r in reasons)
    previous = _latest_versions(reader, changed)
    made: list[tuple[str, str]] = []
    version_class = ox.NamedNode(OGP.Version)
    action_nodes = {a: ox.NamedNode(iri) for a, iri in ACTIONS.items()}
    for item, (before, after) in changed.items():
        action = "create" if not before else "delete" if not after else "update"
        v = ox.NamedNode(version_iri(item, number))
        quads += [
            ox.Quad(v, RDF_TYPE, version_class, h),
            ox.Quad(v, DCT_IS_VERSION_OF, ox.NamedNode(item), h),
            ox.Quad(v, _IN_CHANGE, c, h),
            ox.Quad(v, PROV_GENERATED, at, h),
            ox.Quad(v, _ACTION, action_nodes[action], h),
            ox.Quad(v, _SNAPSHOT, ox.Literal("".join(sorted(after))), h),
        ]
        if item in previous:
            quads.append(
                ox.Quad(v, PROV_REVISION_OF, ox.NamedNode(version_iri(item, previous[item])), h)
            )
        made.append((item, action))
    return Recorded(number, when, quads, made)


def iter_history(reader: ox.Store) -> Iterator[ox.Quad]:
    """Every quad of the history graph (for erase and backups)."""
    for g in list(reader.named_graphs()):
        if _is_history(g):
            yield from reader.quads_for_pattern(None, None, None, g)
