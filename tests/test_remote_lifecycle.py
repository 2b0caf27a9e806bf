"""Lifecycle, history, "as of" and the change feed on external engines (issue 8: "history and
the change feed keep working"). The same story runs on the embedded store and on each engine
(Oxigraph's server and Virtuoso, started by tests/engines.py), and must come out the same.

All data loaded here is invented (tests/fixtures/lifecycle/README.md).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import requests

from loaders.load import load as load_submissions
from loaders.submission import Options, RawInput, read_submissions, submission_format
from registry.access import tokens
from registry.history.asof import snapshot_as_of
from registry.history.versions import change_time, diff, last_change_number, versions
from registry.lifecycle.change import set_status
from registry.lifecycle.state import current_status
from registry.service import Registry
from tests.conftest import BASE, FIXTURES
from tests.test_remote_endpoint import serving

LC = FIXTURES / "lifecycle"
PROPOSAL = BASE + "id/proposal/livslop-f1"
SECOND = BASE + "id/proposal/livslop-f2"
DCT_IS_VERSION_OF = ox.NamedNode("http://purl.org/dc/terms/isVersionOf")


def _submit(reg: Registry, path: Path) -> None:
    subs = read_submissions(
        reg, [(RawInput(path.name, path=path), str(submission_format(path.name)))], Options()
    )
    _results, report = load_submissions(reg, subs)
    assert report.conforms, report.render("en")


def _story(reg: Registry) -> list[tuple[str, str]]:
    """A proposal submitted, accepted and re-submitted; the trail of its versions.

    Change times have whole seconds, and "as of the first version" must not see the later
    changes: the submission is recorded at the time of the store's latest change (its
    ``init``, back-dated as ``ogpreg load --recorded-at`` does), the status changes after it
    now, a later second (the init was made well before; the loop below only checks that
    premise)."""
    reader = reg.store.reader()
    init = change_time(reader, last_change_number(reader))
    assert init is not None
    while datetime.now(UTC).replace(microsecond=0) <= init:  # premise, in practice never
        time.sleep(0.05)
    reg.recorded_at = init
    try:
        _submit(reg, LC / "proposal.json")
    finally:
        reg.recorded_at = None
    assert current_status(reg.store.reader(), BASE, PROPOSAL) == "draft"
    ti = tokens.issue(reg, "Transparency International Norge", "submitter", "TI")
    kmd = tokens.issue(reg, "972417858", "approver", "KMD")
    set_status(reg, ti.record, PROPOSAL, "submitted")
    set_status(reg, kmd.record, PROPOSAL, "accepted", reason="Tas med i planen (oppdiktet)")
    _submit(reg, LC / "proposal-v2.json")  # a changed title and a second proposal
    assert current_status(reg.store.reader(), BASE, PROPOSAL) == "accepted"
    return [(v.change.kind, v.action) for v in versions(reg.store.reader(), PROPOSAL)]


def _feed_members(url: str, after: int) -> set[tuple[str, str]]:
    """(member, item) of every member of the feed after change ``after``, following pages."""
    out: set[tuple[str, str]] = set()
    page: str | None = url + f"feed?after={after}"
    while page:
        r = requests.get(page, headers={"Accept": "application/n-triples"}, timeout=60)
        assert r.status_code == 200, r.text[:300]
        triples = list(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
        out |= {
            (t.subject.value, t.object.value)
            for t in triples
            if t.predicate == DCT_IS_VERSION_OF
            and isinstance(t.subject, ox.NamedNode)
            and isinstance(t.object, ox.NamedNode)
        }
        page = r.links.get("next", {}).get("url")
    return out


def test_status_history_as_of_and_feed_work_the_same_as_on_the_embedded_store(
    remote_registry: Registry, registry: Registry
) -> None:
    embedded = _story(registry)
    remote = _story(remote_registry)
    assert embedded == [("load", "create"), ("status", "update"), ("status", "update"),
                        ("load", "update")]
    assert remote == embedded

    reader = remote_registry.store.reader()
    found = versions(reader, PROPOSAL)
    # as of the first version: the draft, with the first title
    first = snapshot_as_of(reader, PROPOSAL, found[0].time)
    assert first is not None
    assert set(first) == set(found[0].snapshot)
    added, removed = diff(found[-2], found[-1])
    assert added and removed  # the re-submission changed the title
    assert [v.action for v in versions(reader, SECOND)] == ["create"]

    # the change feed over HTTP, resumed from a cursor: exactly the later versions
    cursor = found[1].number - 1
    expected = {
        (v.uri, item)
        for item in (PROPOSAL, SECOND)
        for v in versions(reader, item)
        if v.number > cursor
    }
    with serving(remote_registry) as (url, _executor):
        members = _feed_members(url, cursor)
        assert expected <= members
        assert all(
            int(member.rsplit("/", 1)[1]) > cursor for member, _item in members
        )
        # /sparql as of the first version's time answers from that state: the first proposal
        # is there, the second (created later) is not
        def ask(item: str) -> bool:
            r = requests.get(
                url + "sparql",
                params={"query": f"ASK {{ <{item}> ?p ?o }}", "as_of": found[0].time.isoformat()},
                headers={"Accept": "application/sparql-results+json"},
                timeout=60,
            )
            assert r.status_code == 200, r.text[:300]
            return bool(r.json()["boolean"])

        assert ask(PROPOSAL) is True
        assert ask(SECOND) is False
