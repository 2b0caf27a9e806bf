"""History (issue 7): every load and status change is a numbered change that creates versions of
the items it touched; `ogpreg history`; re-submissions that change, add and remove items;
"as of" snapshots and states from back-dated loads; the change feed's cursor; stable version
URIs; and the contract that a transaction never reads its own writes.

All data loaded here is invented (tests/fixtures/lifecycle/README.md).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
import pytest

from loaders.bundled import LOADED_BY
from registry.errors import UsageError
from registry.history.asof import snapshot_as_of, state_as_of, version_as_of
from registry.history.versions import (
    change,
    changes,
    diff,
    last_change_number,
    version,
    versions,
)
from registry.lifecycle.change import set_status
from registry.lifecycle.state import current_status
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE
from tests.test_lifecycle import LC, PROPOSAL, actors, cli, load, objects

SECOND = BASE + "id/proposal/livslop-f2"
NO0054 = BASE + "id/commitment/NO0054"
SOURCE = BASE + "graph/source/proposals-transparency-international-norge"
OGP = "https://w3id.org/ogp-no/def#"


#: The changes of ``ogpreg init`` (loaders/bundled.py): the bundled Turtle, the commitments as
#: OGP publishes them (through the loaders), their notes and IRM assessments.
INIT_CHANGES = 3


def test_the_bundled_initialisation_is_change_one(registry: Registry) -> None:
    reader = registry.store.reader()
    assert last_change_number(reader) == INIT_CHANGES
    second = change(reader, 2)
    assert second is not None and BASE + "graph/source/bundled-ogp-2013-2015" in second.sources
    first = change(reader, 1)
    assert first is not None and first.kind == "load" and first.number == 1
    assert BASE + "graph/source/bundled-plan-2019-2021" in first.sources
    assert not any("/graph/vocabulary/" in s for s in first.sources)
    items = {v.item for v in first.versions}
    assert {NO0054, BASE + "id/plan/2019-2021", BASE + "id/meeting/2018-06-19"} <= items
    assert all(v.action == "create" for v in first.versions)
    (v,) = versions(reader, NO0054)
    assert v.uri == NO0054 + "/version/1" and v.change.number == 1
    assert ox.Triple(ox.NamedNode(NO0054), ox.NamedNode(OGP + "registryStatus"),
                     ox.NamedNode("https://w3id.org/ogp-no/vocab/status/completed")) in v.snapshot
    # the bundled statuses are initial statuses in the lifecycle graph, not in the source
    assert current_status(reader, BASE, NO0054) == "completed"
    assert not objects(registry, NO0054, OGP + "registryStatus",
                       BASE + "graph/source/bundled-plan-2019-2021")


def test_resubmissions_give_update_create_and_delete_versions_with_diffs(
    registry: Registry,
) -> None:
    load(registry, str(LC / "proposal.json"))
    load(registry, str(LC / "proposal-v2.json"))  # changes livslop-f1, adds livslop-f2
    load(registry, str(LC / "proposal.json"))  # back again: livslop-f2 removed
    reader = registry.store.reader()
    first = versions(reader, PROPOSAL)
    second = versions(reader, SECOND)
    assert [v.action for v in first] == ["create", "update", "update"]
    assert [v.action for v in second] == ["create", "delete"]
    assert second[1].snapshot == () and second[1].deleted
    n = INIT_CHANGES
    assert [v.number for v in first] == [n + 1, n + 2, n + 3]
    assert [v.number for v in second] == [n + 2, n + 3]
    assert first[1].previous == first[0].uri and first[2].previous == first[1].uri
    assert second[0].previous is None and second[1].previous == second[0].uri
    added, removed = diff(first[0], first[1])
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    assert [str(t.object) for t in added if t.predicate == title] == [
        '"Åpent register over møter med lobbyister (oppdiktet)"@nb'
    ]
    assert [str(t.object) for t in removed if t.predicate == title] == [
        '"Åpent register over lobbymøter (oppdiktet)"@nb'
    ]
    assert len(added) == len(removed) == 1
    assert first[2].snapshot == first[0].snapshot  # the third load restored the first state
    c = first[1].change
    assert c.kind == "load" and c.sources == (SOURCE,) and c.loaded_by == "tester"
    assert c.agent == BASE + "id/organisation/transparency-international-norge"
    # an identical load changes nothing and records no change
    load(registry, str(LC / "proposal.json"))
    assert last_change_number(registry.store.reader()) == INIT_CHANGES + 3


def test_ogpreg_history_prints_versions_and_differences(registry: Registry) -> None:
    load(registry, str(LC / "proposal.json"))
    load(registry, str(LC / "proposal-v2.json"))
    who = actors(registry)
    set_status(registry, who.ti.record, PROPOSAL, "submitted", reason="Sendt inn")
    r = cli(registry, "--lang", "en", "history", "id/proposal/livslop-f1")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == PROPOSAL
    heads = [line for line in lines if line.startswith("version ")]
    assert [h.split("  ")[2:4] for h in heads] == [
        ["created", "(load)"], ["updated", "(load)"], ["updated", "(status change)"]
    ]
    assert heads[0].endswith(
        "by <id/organisation/transparency-international-norge>, tester  "
        "source <graph/source/proposals-transparency-international-norge>"
    )
    assert "  + ogp:registryStatus vocab:status/draft" in lines
    assert "  + dct:dateSubmitted \"2018-06-12\"^^xsd:date" in lines
    tail = lines[lines.index(heads[2]):]
    assert tail[1:] == [
        f"  {PROPOSAL}/version/{INIT_CHANGES + 3}",
        "  reason: Sendt inn",
        "  - ogp:registryStatus vocab:status/draft",
        "  + ogp:registryStatus vocab:status/submitted",
    ]
    j = cli(registry, "history", PROPOSAL, "--format", "json")
    data = json.loads(j.output)
    assert [v["action"] for v in data["versions"]] == ["create", "update", "update"]
    assert data["versions"][2]["change"]["kind"] == "status"
    assert data["versions"][2]["change"]["reason"] == {"nb": "Sendt inn"}
    assert data["versions"][2]["removed"] == [
        f"<{PROPOSAL}> <{OGP}registryStatus> <https://w3id.org/ogp-no/vocab/status/draft> ."
    ]
    missing = cli(registry, "--lang", "en", "history", "id/proposal/finnes-ikke")
    assert missing.exit_code == 1 and "has no versions" in missing.output


@pytest.fixture
def backfilled(empty_registry: Registry) -> Registry:
    """An empty store filled by back-dated loads (the first one initialises it at its time)."""
    reg = empty_registry
    load(reg, "--recorded-at", "2019-06-01T12:00:00+02:00", str(LC / "proposal.json"))
    load(reg, "--recorded-at", "2019-09-01T12:00:00+02:00", str(LC / "proposal-v2.json"))
    load(reg, "--recorded-at", "2020-01-01T12:00:00+01:00", str(LC / "proposal.json"))
    return reg


def test_as_of_returns_the_state_a_back_dated_history_recorded(backfilled: Registry) -> None:
    reader = backfilled.store.reader()
    n = INIT_CHANGES  # the first load initialised the store: changes 1..n, then the three loads
    one = change(reader, 1)
    assert one is not None and one.time == datetime(2019, 6, 1, 10, 0, tzinfo=UTC)
    assert [c.number for c in changes(reader)] == list(range(1, n + 4))
    title = ox.NamedNode("http://purl.org/dc/terms/title")

    def nb_title(triples: list[ox.Triple] | None) -> str | None:
        assert triples is not None
        found = [t.object.value for t in triples
                 if t.predicate == title and getattr(t.object, "language", None) == "nb"]
        return found[0] if found else None

    assert snapshot_as_of(reader, PROPOSAL, date(2019, 5, 31)) is None
    assert nb_title(snapshot_as_of(reader, PROPOSAL, date(2019, 7, 1))) == (
        "Åpent register over lobbymøter (oppdiktet)"
    )
    assert nb_title(snapshot_as_of(reader, PROPOSAL, date(2019, 10, 1))) == (
        "Åpent register over møter med lobbyister (oppdiktet)"
    )
    # the end of the day in Oslo: 2019-09-01 12:00+02:00 is "as of 2019-09-01"
    assert snapshot_as_of(reader, SECOND, date(2019, 8, 31)) is None
    assert snapshot_as_of(reader, SECOND, date(2019, 9, 1))
    assert snapshot_as_of(reader, SECOND, date(2020, 1, 1)) == []  # deleted by then
    v = version_as_of(reader, SECOND, datetime(2019, 12, 31, 23, 0, tzinfo=UTC))
    assert v is not None and v.number == n + 2 and v.action == "create"

    then = state_as_of(reader, date(2019, 10, 1))
    query = "SELECT ?p ?t WHERE { ?p a ogp:Proposal ; dct:title ?t FILTER(lang(?t) = 'nb') }"
    rows = {(s["p"].value, s["t"].value) for s in then.query(query, prefixes={
        "ogp": OGP, "dct": "http://purl.org/dc/terms/"})}
    assert rows == {
        (PROPOSAL, "Åpent register over møter med lobbyister (oppdiktet)"),
        (SECOND, "Åpne data om offentlige tilskudd (oppdiktet)"),
    }
    later = state_as_of(reader, date(2020, 2, 1))
    assert not list(later.quads_for_pattern(ox.NamedNode(SECOND), None, None, None))
    assert list(later.quads_for_pattern(ox.NamedNode(NO0054), None, None, None))
    assert not list(state_as_of(reader, date(2019, 5, 1)))


def test_recorded_at_keeps_the_history_ordered(backfilled: Registry, tmp_path: Path) -> None:
    f = tmp_path / "annet.ttl"
    f.write_text(
        "# INVENTED example\n<id/proposal/livslop-f1> "
        '<https://w3id.org/ogp-no/def#editorialNote> "Oppdiktet merknad"@nb .\n',
        "utf-8",
    )
    n = INIT_CHANGES  # the first load initialised the store: changes 1..n, then the three loads
    r = cli(backfilled, "--lang", "en", "load", "--recorded-at", "2019-12-31T12:00:00+01:00", str(f))
    assert r.exit_code == 2
    assert (
        f"is before the latest change in the history (no. {n + 3}, 2020-01-01T11:00:00+00:00)"
        in r.output
    )
    r = cli(backfilled, "--lang", "en", "load", "--recorded-at", "2999-01-01T00:00:00Z", str(f))
    assert r.exit_code == 2 and "is in the future" in r.output
    r = cli(backfilled, "--lang", "en", "load", "--recorded-at", "2020-02-01", str(f))
    assert r.exit_code == 2 and "with a time zone" in r.output
    r = cli(backfilled, "--lang", "en", "load", "--recorded-at", "2020-02-01T00:00:00Z",
            "--remote", "http://127.0.0.1:9/", "--token", "x", str(f))
    assert r.exit_code == 2 and "local loads only" in r.output
    assert last_change_number(backfilled.store.reader()) == n + 3
    with pytest.raises(UsageError):
        backfilled.load([SourceFile("annet.ttl", f.read_bytes(), "annet")],
                        recorded_at=datetime(2019, 1, 1, tzinfo=UTC))
    load(backfilled, "--recorded-at", "2020-01-01T11:00:00Z", str(f))  # equal time is fine
    assert last_change_number(backfilled.store.reader()) == n + 4


def test_the_change_feed_resumes_after_a_cursor_with_exactly_the_later_changes(
    backfilled: Registry,
) -> None:
    reader = backfilled.store.reader()
    n = INIT_CHANGES  # the first load initialised the store: changes 1..n, then the three loads
    everything = changes(reader, after=0, limit=100)
    assert [c.number for c in everything] == list(range(1, n + 4))
    assert [c.loaded_by for c in everything] == [LOADED_BY] * n + ["tester"] * 3
    later = changes(reader, after=n + 1)
    assert [c.number for c in later] == [n + 2, n + 3]
    assert [(v.item, v.action) for v in later[1].versions] == [
        (PROPOSAL, "update"), (SECOND, "delete")
    ]
    assert later == everything[n + 1:]
    assert [c.number for c in changes(reader, after=n, limit=2)] == [n + 1, n + 2]
    assert changes(reader, after=n + 3) == []
    since = changes(reader, since=datetime(2019, 9, 1, 10, 0, tzinfo=UTC))
    assert [c.number for c in since] == [n + 2, n + 3]
    since = changes(reader, since=datetime(2019, 9, 1, 10, 0, 1, tzinfo=UTC))
    assert [c.number for c in since] == [n + 3]
    # versions are stable and citable: later changes do not renumber or alter them
    cited = version(reader, SECOND, n + 2)
    assert cited is not None and cited.uri == SECOND + f"/version/{n + 2}"
    who = actors(backfilled)
    set_status(backfilled, who.kmd.record, PROPOSAL, "withdrawn", reason="Oppdiktet")
    again = version(backfilled.store.reader(), SECOND, n + 2)
    assert again == cited
    assert [c.number for c in changes(backfilled.store.reader(), after=n + 3)] == [n + 4]


class _Guarded:
    """A transaction's store that refuses a read after the first write."""

    _WRITES = {"add", "extend", "bulk_extend", "remove", "remove_graph", "add_graph",
               "clear", "clear_graph", "update"}
    _READS = {"quads_for_pattern", "query", "named_graphs", "contains_named_graph", "dump"}

    def __init__(self, inner: ox.Store) -> None:
        self._inner = inner
        self.wrote = False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name in self._WRITES:
            def write(*a: Any, **k: Any) -> Any:
                self.wrote = True
                return attr(*a, **k)
            return write
        if name in self._READS and self.wrote:
            raise AssertionError(f"the transaction read its own writes ({name})")
        return attr

    def __iter__(self) -> Iterator[ox.Quad]:
        assert not self.wrote, "the transaction read its own writes (iteration)"
        return iter(self._inner)

    def __len__(self) -> int:
        assert not self.wrote, "the transaction read its own writes (len)"
        return len(self._inner)


def test_writes_never_read_their_own_transaction(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract a staging backend relies on: loads and status changes read only the state
    before the transaction (the guard fails the test on a read after a write)."""
    real = registry.store.transaction
    guards: list[_Guarded] = []

    @contextlib.contextmanager
    def guarded(**kw: Any) -> Iterator[Any]:
        with real(**kw) as tx:
            guard = _Guarded(tx)
            guards.append(guard)
            yield guard

    monkeypatch.setattr(registry.store, "transaction", guarded)
    who = actors(registry)
    registry.load([SourceFile("p.ttl", (LC / "personal-data.ttl").read_bytes(), "p")])
    registry.load([SourceFile("p.ttl", (LC / "personal-data.ttl").read_bytes().replace(
        b"Ola Oppdiktet Nordmann\"@nb ;", b"Ola O. Nordmann\"@nb ;"), "p")])
    set_status(registry, who.kmd.record, BASE + "id/proposal/feil-innlastet",
                         "accepted", plan="http://localhost:8000/id/plan/2019-2021")
    assert len(guards) == 3 and all(g.wrote for g in guards)
    found = versions(registry.store.reader(), BASE + "id/proposal/feil-innlastet")
    assert [v.action for v in found] == ["create", "update"]


class _LosesANumber:
    """A transaction's store whose look-up of one change *by its number* (the object-bound
    pattern) finds nothing, while the statement is there and a look-up by subject finds it: what
    Virtuoso was seen doing right after an erase (docs/lifecycle.md). Every other read and every
    write goes to the real store."""

    def __init__(self, inner: ox.Store, number: int) -> None:
        self._inner = inner
        self._hidden = ox.Literal(str(number), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))
        self.missed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Any:
        if s is None and p == ox.NamedNode(OGP + "changeNumber") and o == self._hidden:
            self.missed += 1
            return iter(())
        return self._inner.quads_for_pattern(s, p, o, g)


def test_a_missed_look_up_by_number_does_not_make_a_write_reuse_a_change_number(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next change's number is found by the change's IRI first, so a store that misses the
    look-up by number (on the binary search's path) does not hand out a number again."""
    data = (LC / "personal-data.ttl").read_bytes()
    name = b"Ola Oppdiktet Nordmann\"@nb ;"
    for variant in (data, data.replace(name, b"Ola O. Nordmann\"@nb ;"), data):
        registry.load([SourceFile("p.ttl", variant, "p")])
    last = INIT_CHANGES + 3
    assert last_change_number(registry.store.reader()) == last == 6
    real = registry.store.transaction
    lossy_stores: list[_LosesANumber] = []

    @contextlib.contextmanager
    def lossy(**kw: Any) -> Iterator[Any]:
        with real(**kw) as tx:
            # the search probes 1, 2, 4 (missed: it would stop at 3, and hand out 4 again), ...
            lossy_stores.append(_LosesANumber(tx, 4))
            yield lossy_stores[-1]

    monkeypatch.setattr(registry.store, "transaction", lossy)
    registry.load([SourceFile("p.ttl", data.replace(name, b"Ola Nordmann\"@nb ;"), "p")])
    assert len(lossy_stores) == 1
    reader = registry.store.reader()
    numbers = [q.object.value for q in reader.quads_for_pattern(
        None, ox.NamedNode(OGP + "changeNumber"), None, None)]
    assert sorted(numbers, key=int) == [str(n) for n in range(1, last + 2)]
    assert last_change_number(reader) == last + 1


def test_reading_the_history_by_the_changes_iris_misses_none(registry: Registry) -> None:
    """The feed, the Atom feed and the browser's change look-ups read changes with the base
    given, so a store that misses a look-up by number still lists every change."""
    lossy = _LosesANumber(registry.store.reader(), 2)
    numbers = [c.number for c in changes(cast(ox.Store, lossy), base=BASE)]
    assert numbers == list(range(1, INIT_CHANGES + 1))
    assert lossy.missed == 0
    # without the base the number look-up is all there is, and the change is missing
    assert 2 not in [c.number for c in changes(cast(ox.Store, lossy))]


def test_an_as_of_state_read_by_the_changes_iris_misses_none(registry: Registry) -> None:
    """The as-of state (``/sparql?as-of=``, the feed's snapshot) finds the latest change by the
    changes' IRIs too: a store missing change 2 by number gives the same state."""
    reader = registry.store.reader()
    lossy = cast(ox.Store, _LosesANumber(reader, 2))
    later = datetime(9999, 12, 31, tzinfo=UTC)
    expected = set(state_as_of(reader, later))
    assert set(state_as_of(lossy, later, BASE)) == expected
    assert set(state_as_of(lossy, later)) != expected  # the number look-up alone stops at 1


class _CountsByNumber:
    """A store that counts the look-ups of a change by its number (object-bound)."""

    def __init__(self, inner: ox.Store) -> None:
        self._inner = inner
        self.by_number = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Any:
        if s is None and p == ox.NamedNode(OGP + "changeNumber") and o is not None:
            self.by_number += 1
        return self._inner.quads_for_pattern(s, p, o, g)


def _history(*iris: str) -> ox.Store:
    """An in-memory store whose history graph numbers the changes ``iris`` 1, 2, …"""
    store = ox.Store()
    graph = ox.NamedNode(BASE + "graph/history")
    for n, iri in enumerate(iris, start=1):
        store.add(ox.Quad(ox.NamedNode(iri), ox.NamedNode(OGP + "changeNumber"),
                          ox.Literal(str(n), datatype=ox.NamedNode(
                              "http://www.w3.org/2001/XMLSchema#integer")), graph))
    return store


def test_the_next_number_costs_one_look_up_by_number_not_one_per_probe(
    registry: Registry,
) -> None:
    """With the base, the binary search looks changes up by their IRIs alone; one look-up by
    number confirms that no change follows under another base. Before, every probe past the
    last change (about log n of them) was looked up a second time, by number: on an external
    engine, one more HTTP request each."""
    counting = _CountsByNumber(registry.store.reader())
    assert last_change_number(cast(ox.Store, counting), BASE) == INIT_CHANGES
    assert counting.by_number == 1
    many = _CountsByNumber(_history(*(BASE + f"id/change/{n}" for n in range(1, 1001))))
    assert last_change_number(cast(ox.Store, many), BASE) == 1000
    assert many.by_number == 1


def test_changes_recorded_under_another_base_are_still_counted() -> None:
    """A base URI changed after some changes and then changed back: the changes under the other
    base still count, so the next write does not reuse their numbers."""
    other = "https://old.example.org/"  # invented
    mixed = _history(*(BASE + f"id/change/{n}" for n in range(1, 6)),
                     *(other + f"id/change/{n}" for n in range(6, 10)))
    assert last_change_number(mixed, BASE) == 9
    assert last_change_number(mixed, other) == 9  # change 1 is not under it: by number
    assert last_change_number(_history(), BASE) == 0
