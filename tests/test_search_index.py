"""Search through the full-text index of each revision (registry/model/digest.py, SQLite FTS5
with the trigram tokenizer): what a commit adds is found, what it changes or removes is not,
after a load, a new version of a source, an erase and a restore of an earlier dump."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from registry.backup import dump_to_file, restore
from registry.erase import erase
from registry.loading.sources import SourceFile
from registry.model import digest
from registry.model.resources import Resources
from registry.service import Registry
from registry.store.embedded import EmbeddedStore
from tests.conftest import BASE
from tests.endpoint_server import running
from tests.test_lifecycle import actors

STORY = (Path(__file__).parent / "fixtures" / "pages" / "commitment-story.ttl").read_text("utf-8")
NO9906 = BASE + "id/commitment/NO9906"
SIDER = BASE + "id/proposal/sider-1"


def _found(reg: Registry, text: str, lang: str = "nb") -> list[str]:
    return [h.node.iri for h in Resources(reg).search(text, lang)]  # type: ignore[arg-type]


def _load(reg: Registry, text: str) -> None:
    reg.load([SourceFile("story.ttl", text.encode("utf-8"), "story")])


def test_what_a_commit_adds_is_found_anywhere_in_a_text_in_any_case(registry: Registry) -> None:
    assert NO9906 not in _found(registry, "journaler i alle")
    _load(registry, STORY)
    assert NO9906 in _found(registry, "journaler i alle")  # inside the title
    assert NO9906 in _found(registry, "OFFENTLIGE JOURNALER")  # any case
    assert SIDER in _found(registry, "ÅPNE JOURNALER")  # æ, ø, å too
    assert _found(registry, "NO9906")[0] == NO9906  # the identifier: exact match first
    assert NO9906 in _found(registry, "o9")  # shorter than a trigram: still found


def test_a_new_version_replaces_what_the_index_finds(registry: Registry) -> None:
    _load(registry, STORY)
    _load(registry, STORY.replace("Offentlige journaler i alle kommuner", "Postlister på nett"))
    assert NO9906 not in _found(registry, "journaler i alle")
    assert NO9906 in _found(registry, "postlister på")


def test_an_erased_item_is_not_found_and_a_restore_brings_it_back(
    registry: Registry, tmp_path: Path
) -> None:
    _load(registry, STORY)
    dump = tmp_path / "before.tar.gz"
    dump_to_file(registry, dump)
    who = actors(registry)
    erase(registry, who.admin.record, NO9906, "Feilregistrert (oppdiktet)", user="tester")
    assert NO9906 not in _found(registry, "journaler i alle")
    restore(registry, dump, accept_unsigned=True)
    assert NO9906 in _found(registry, "journaler i alle")


def test_former_names_find_the_organisation_not_the_name_record(registry: Registry) -> None:
    hits = _found(registry, "departementet")
    assert hits, "the bundled organisations"
    assert all("/name/" not in h for h in hits)


def test_a_digest_closes_every_connection_it_opened(registry: Registry) -> None:
    """One SQLite connection per thread, all closed with the digest (explicitly, or when a
    newer revision's digest replaces it and the old one is collected), not left to the garbage
    collector's warnings."""
    import gc
    import sqlite3
    import threading

    from registry.model.digest import open_digest

    digest = open_digest(registry.store)
    assert digest is not None
    conns: list[sqlite3.Connection] = []

    def use() -> None:
        digest.labels(NO9906)
        conns.append(digest.db())

    threads = [threading.Thread(target=use) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    use()
    assert len({id(c) for c in conns}) == 4  # one per thread
    digest.close()
    for conn in conns:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
    digest.labels(NO9906)  # usable again after close (with a new connection)
    # a digest nobody holds any more (a newer revision's replaced it): closed when collected
    other = open_digest(registry.store)
    assert other is not None
    other.labels(NO9906)
    conn = other.db()
    del other
    gc.collect()
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")


def test_a_text_found_in_very_many_texts_ranks_a_bounded_number_of_them(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking reads every matching text, so a search for a text found in more than
    SEARCH_CAP texts ranks only the first SEARCH_CAP the index gives and the first SEARCH_CAP
    that begin with it, and says so: exact and prefix matches still come first."""
    res = Resources(registry)
    full = res.search_result("departement", "nb")  # 70 texts in the bundled data
    assert not full.broad and not full.more
    d = res.digest()
    assert d is not None
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    d.db().set_progress_handler(count, 10)  # SQLite's work, in steps of 10 instructions
    d.search("departement", limit=120)
    work_full = steps[0]
    monkeypatch.setattr(digest, "SEARCH_CAP", 5)
    steps[0] = 0
    found = d.search("departement", limit=120)
    assert found.broad
    assert steps[0] < work_full / 2  # fewer texts read and ranked
    capped = Resources(registry).search_result("departement", "nb")
    assert capped.broad and capped.more
    assert 0 < len(capped.hits) < len(full.hits)
    assert capped.hits[0] == full.hits[0]  # the exact match ("departement") first
    assert {h.node.iri for h in capped.hits} <= {h.node.iri for h in full.hits}


def test_a_search_with_more_hits_than_shown_says_so(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = Resources(registry).search_result("departement", "nb", limit=3)
    assert len(found.hits) == 3 and found.more and not found.broad
    assert not Resources(registry).search_result("finansdepartementet", "nb").more


def test_the_search_page_says_when_more_match_and_when_the_text_is_everywhere(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(registry.store, EmbeddedStore)
    with running(registry.store.path) as site:
        page = requests.get(site.server.url + "search",
                            params={"q": "departement", "lang": "nn"}, timeout=30)
        assert 'id="search-broad"' not in page.text and "Dei første" not in page.text
        monkeypatch.setattr(digest, "SEARCH_CAP", 5)  # (pages are kept per URL and revision)
        for lang, said in (("nb", "«departement» står i mer enn 5 tekster"),
                           ("en", "“departement” is in more than 5 texts")):
            page = requests.get(site.server.url + "search",
                                params={"q": "departement", "lang": lang}, timeout=30)
            assert 'id="search-broad"' in page.text and said in page.text, lang
            assert ("De første" if lang == "nb" else "The first") in page.text, lang
