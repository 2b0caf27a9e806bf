"""Search through the full-text index of each revision (registry/model/digest.py, SQLite FTS5
with the trigram tokenizer): what a commit adds is found, what it changes or removes is not,
after a load, a new version of a source, an erase and a restore of an earlier dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.backup import dump_to_file, restore
from registry.erase import erase
from registry.loading.sources import SourceFile
from registry.model.resources import Resources
from registry.service import Registry
from tests.conftest import BASE
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
