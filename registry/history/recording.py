"""Recording a change: its number and time (:func:`next_change`), and the history quads of a
change (:func:`record`): the change itself and a version of every item whose description it
changed.

Reads only the state *before* the transaction (a transaction's own writes are never read
back), and its cost follows the commit: one look-up by subject per touched item and one by
object for its latest version. Loads (registry/loading/pipeline.py), Graph Store writes and
SPARQL Update (registry/access/graphstore.py), status changes (registry/lifecycle/change.py)
and erasures (registry/erase.py) record through here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from registry.errors import UsageError
from registry.history.terms import (
    ACTIONS,
    CHANGE_KIND,
    CHANGE_NUMBER,
    DCT_IS_VERSION_OF,
    IN_CHANGE,
    KINDS,
    LOADED_BY,
    PROV_ASSOCIATED,
    PROV_AT_TIME,
    PROV_GENERATED,
    PROV_REVISION_OF,
    PROV_USED,
    RDF_TYPE,
    REASON,
    SNAPSHOT,
    VERSION_ACTION,
    change_iri,
    history_graph,
    is_item,
    is_item_graph,
    number_literal,
    time_literal,
    utc,
    value,
    version_iri,
)
from registry.history.versions import change_time, last_change_number, latest_versions
from registry.i18n import msg
from registry.namespaces import OGP


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
    reader: ox.Store,
    recorded_at: datetime | None = None,
    *,
    base: str,
    now: datetime | None = None,
) -> tuple[int, datetime]:
    """The number and time of the next change, read from the state before the transaction.

    ``recorded_at`` back-dates the change (``ogpreg load --recorded-at``); it must not be
    before the latest change (history stays ordered) nor in the future. Without it the time is
    now, or the latest change's time if the clock is behind it."""
    last = last_change_number(reader, base)
    last_time = change_time(reader, last, base) if last else None
    current = utc(now or datetime.now(UTC)).replace(microsecond=0)
    if recorded_at is None:
        when = max(current, last_time) if last_time else current
    else:
        when = utc(recorded_at).replace(microsecond=0)
        if when > current + timedelta(seconds=1):
            raise UsageError(
                msg(
                    "--recorded-at {when} is in the future. Give a time before now.",
                    when=when.isoformat(),
                )
            )
        if last_time is not None and when < last_time:
            raise UsageError(
                msg(
                    "--recorded-at {when} is before the latest change in the history (no. {n}, "
                    "{last}). The history must stay ordered: load older sources first, or give "
                    "a time from {last} on.",
                    when=when.isoformat(),
                    n=last,
                    last=last_time.isoformat(),
                )
            )
    return last + 1, when


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
        ox.Quad(c, CHANGE_NUMBER, number_literal(number), h),
        ox.Quad(c, PROV_AT_TIME, at, h),
        ox.Quad(c, CHANGE_KIND, ox.NamedNode(KINDS[kind]), h),
    ]
    if agent:
        quads.append(ox.Quad(c, PROV_ASSOCIATED, ox.NamedNode(agent), h))
    if loaded_by:
        quads.append(ox.Quad(c, LOADED_BY, ox.Literal(loaded_by), h))
    quads.extend(ox.Quad(c, PROV_USED, ox.NamedNode(s), h) for s in sorted(set(sources)))
    quads.extend(ox.Quad(c, REASON, r, h) for r in reasons)
    previous = latest_versions(reader, changed)
    made: list[tuple[str, str]] = []
    version_class = ox.NamedNode(OGP.Version)
    action_nodes = {a: ox.NamedNode(iri) for a, iri in ACTIONS.items()}
    for item, (before, after) in changed.items():
        action = "create" if not before else "delete" if not after else "update"
        v = ox.NamedNode(version_iri(item, number))
        quads += [
            ox.Quad(v, RDF_TYPE, version_class, h),
            ox.Quad(v, DCT_IS_VERSION_OF, ox.NamedNode(item), h),
            ox.Quad(v, IN_CHANGE, c, h),
            ox.Quad(v, PROV_GENERATED, at, h),
            ox.Quad(v, VERSION_ACTION, action_nodes[action], h),
            ox.Quad(v, SNAPSHOT, ox.Literal("".join(sorted(after))), h),
        ]
        if item in previous:
            quads.append(
                ox.Quad(v, PROV_REVISION_OF, ox.NamedNode(version_iri(item, previous[item])), h)
            )
        made.append((item, action))
    return Recorded(number, when, quads, made)

