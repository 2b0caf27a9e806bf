"""Each page is drawn from one revision (``Resources.pin``, set for every request of the pages
by ``endpoint/pages/routes.py``): the labels and types a page shows are looked up in the
revision current when the request began, and whether the store has a new revision is asked
once per page, not once per label (issue 24: about 1,400 times for a home page at 10,000
commitments, each a ``stat`` of ``CURRENT``). Real store, the real app over a real socket.
NO9901 and its title are invented (tests/fixtures/rdf/valid-commitment.ttl)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from registry.loading.sources import SourceFile
from registry.model.resources import Resources
from tests.conftest import BASE, FIXTURES
from tests.endpoint_server import Running, running

NO9901 = BASE + "id/commitment/NO9901"
TTL = (FIXTURES / "rdf" / "valid-commitment.ttl").read_text("utf-8")
OLD = "Åpne data om offentlige anskaffelser (eksempel)"


@pytest.fixture
def site(initialised_store: Path, tmp_path: Path) -> Iterator[Running]:
    store = tmp_path / "store"
    shutil.copytree(initialised_store, store)
    with running(store) as r:
        r.registry.load([SourceFile("c.ttl", TTL.encode(), "one-revision")])
        yield r


def _count_revisions(site: Running, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    store: Any = site.registry.store
    real = store.revision

    def counted() -> Any:
        calls.append(1)
        return real()

    monkeypatch.setattr(store, "revision", counted)
    return calls


def test_a_page_asks_for_the_revision_once_not_per_label(
    site: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_revisions(site, monkeypatch)
    for path in ("", "id/plan/2019-2021", "id/commitment/NO0054", "search?q=data"):
        calls.clear()
        r = requests.get(site.url + path, headers={"Accept": "text/html"}, timeout=60)
        assert r.status_code == 200
        # the pin, the query executor's and the page's ETag: a handful, whatever the labels
        # one for the pin, and one per SPARQL query the page runs (the store's reader), not
        # one per label: 21, 30, 29 and 1 here; 72, 408, 252 and 59 before the pin
        assert len(calls) <= 40, (path, len(calls))


def test_a_pinned_thread_reads_one_revision_and_sees_the_next_once_unpinned(
    site: Running,
) -> None:
    res = Resources(site.registry)
    assert res.label(NO9901, "nb").value == OLD  # type: ignore[union-attr]
    res.pin()
    try:
        site.registry.load([SourceFile("c.ttl", TTL.replace(OLD, "Ny tittel (oppdiktet)")
                                       .encode(), "one-revision")])
        assert res.label(NO9901, "nb").value == OLD  # type: ignore[union-attr]
    finally:
        res.unpin()
    assert res.label(NO9901, "nb").value == "Ny tittel (oppdiktet)"  # type: ignore[union-attr]
