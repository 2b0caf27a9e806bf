"""The embedded store: atomic commits, snapshot reads, refusal to mix base URIs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from registry.errors import ConfigurationError
from registry.loading.sources import SourceFile
from registry.model import digestfile
from registry.publish import materialise
from registry.service import open_registry
from registry.settings import load_settings
from registry.store.embedded import EmbeddedStore
from tests.conftest import FIXTURES, make_settings

EX = "http://example.org/"  # invented IRIs for store mechanics only


def quad(i: int) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"{EX}s{i}"),
        ox.NamedNode(f"{EX}p"),
        ox.Literal(f"v{i} æøå"),
        ox.NamedNode(f"{EX}g"),
    )


def test_commit_creates_a_new_revision_visible_to_readers(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    assert store.revision() is None
    assert len(store.reader()) == 0
    with store.transaction() as tx:
        tx.add(quad(1))
    assert store.revision().number == 1  # type: ignore[union-attr]
    assert set(store.reader()) == {quad(1)}
    with store.transaction() as tx:
        tx.add(quad(2))
    assert store.revision().number == 2  # type: ignore[union-attr]
    assert set(store.reader()) == {quad(1), quad(2)}


def test_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    with store.transaction() as tx:
        tx.add(quad(1))
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
        tx.add(quad(2))
        tx.remove(quad(1))
        raise RuntimeError("boom")
    assert store.revision().number == 1  # type: ignore[union-attr]
    assert set(store.reader()) == {quad(1)}
    assert not list(store.path.glob("work-*"))


def test_reader_keeps_its_snapshot_while_a_writer_commits(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    with store.transaction() as tx:
        tx.extend([quad(i) for i in range(100)])
    before = store.reader()
    with store.transaction() as tx:
        # in the middle of a transaction, readers still see the committed state
        tx.remove_graph(ox.NamedNode(f"{EX}g"))
        assert len(store.reader()) == 100
    assert len(before) == 100  # an open handle keeps reading its revision
    assert len(store.reader()) == 0


def test_stale_work_directory_from_a_crash_is_ignored_and_removed(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s")
    with store.transaction() as tx:
        tx.add(quad(1))
    # what a killed writer leaves behind: a half-written clone that was never committed
    ox.Store.read_only(str(store._revision_dir(1))).backup(str(store.path / "work-999-0"))
    assert set(store.reader()) == {quad(1)}
    with store.transaction() as tx:
        tx.add(quad(2))
    assert not (store.path / "work-999-0").exists()
    assert set(store.reader()) == {quad(1), quad(2)}


def test_store_refuses_a_different_base_uri(tmp_path: Path) -> None:
    open_registry(make_settings(tmp_path / "s"))
    with pytest.raises(ConfigurationError) as err:
        open_registry(make_settings(tmp_path / "s", base_uri="https://ogp.example.no/"))
    assert "http://localhost:8000/" in err.value.render("en")
    assert "OGPREG_BASE_URI" in err.value.render("nb")


def test_invalid_base_uri_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="slutter på '/'"):
        make_settings(tmp_path / "s", base_uri="https://ogp.example.no")


def _write_batches(store: EmbeddedStore, batches: int, size: int = 1000, first: int = 0) -> None:
    for i in range(first, first + batches):
        with store.transaction(writes=size) as tx:
            tx.extend(
                ox.Quad(
                    ox.NamedNode(f"http://example.org/{i}/{j}"),
                    ox.NamedNode("http://example.org/p"),
                    ox.Literal(str(j)),
                    ox.NamedNode("http://example.org/g"),
                )
                for j in range(size)
            )


def _sst_files(store: EmbeddedStore) -> int:
    rev = store.revision()
    assert rev is not None
    return len(list((store.path / "revisions" / f"rev-{rev.number:06d}").glob("*.sst")))


def test_commits_count_uncompacted_writes_and_optimize_compacts(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s", compact_after=10**9)
    _write_batches(store, 5)
    assert store.uncompacted() == 5000
    before = _sst_files(store)
    quads = set(store.reader())
    rev = store.optimize()
    assert rev.number == 6
    assert store.uncompacted() == 0
    assert _sst_files(store) < before  # RocksDB merged the small files of five commits
    assert set(store.reader()) == quads


def test_a_commit_compacts_once_the_threshold_is_reached(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s", compact_after=3000)
    _write_batches(store, 2)
    assert store.uncompacted() == 2000
    uncompacted_files = _sst_files(store)
    _write_batches(store, 1, first=2)  # 3,000 written since the last compaction: this commit compacts
    assert store.uncompacted() == 0
    assert _sst_files(store) < uncompacted_files + 2
    assert len(store.reader()) == 3000


def test_the_compaction_interval_grows_with_the_store(tmp_path: Path) -> None:
    """A compaction rewrites the whole store, so it comes after a quarter of the store's size
    (at its last compaction) has been written, and never more often than ``compact_after``."""
    store = EmbeddedStore(tmp_path / "s", compact_after=10**9)
    _write_batches(store, 8)
    store.optimize()
    assert store.uncompacted() == 0
    assert store.compacted_quads() == 8000
    store.compact_after = 1000
    assert store.compaction_threshold() == 2000
    _write_batches(store, 1, first=8)
    assert store.uncompacted() == 1000  # 1,000 < 2,000: not compacted this time
    assert store.compacted_quads() == 8000
    _write_batches(store, 1, first=9)
    assert store.uncompacted() == 0 and store.compacted_quads() == 10000


def test_another_handle_sees_every_commit_and_a_damaged_current_file(tmp_path: Path) -> None:
    """``revision`` remembers ``CURRENT`` by its stat identity (pages ask for it per label):
    a commit through another handle (another process, in the endpoint) replaces the file, and
    the next call sees it; so does a file damaged in place."""
    from registry.errors import StoreError

    writer, reader = EmbeddedStore(tmp_path / "s"), EmbeddedStore(tmp_path / "s")
    assert reader.revision() is None
    for i in range(1, 4):
        with writer.transaction() as tx:
            tx.add(quad(i))
        seen = reader.revision()
        assert seen is not None and seen.number == i
        assert reader.revision() is seen  # unchanged file: the same answer, not re-read
        assert set(reader.reader()) == {quad(j) for j in range(1, i + 1)}
    (tmp_path / "s" / "CURRENT").write_text("{not json", "utf-8")
    with pytest.raises(StoreError, match="CURRENT"):
        reader.revision()


def test_a_relative_store_path_derives_everything_at_a_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ogpreg --store store …``: the files derived at a commit (the catalogue, the pages'
    digest) are opened by file URI, which a relative path cannot be; the commit warned "could
    not derive catalogue …" (an error under this suite's warning filter) and left them to the
    readers."""
    monkeypatch.chdir(tmp_path)
    reg = open_registry(make_settings(Path("store")))
    assert reg.store.path == tmp_path / "store"
    materialise.install(reg)
    digestfile.install(reg.store)
    reg.ensure_initialised()
    # a commit after the first: the catalogue is derived from the previous one and the digest
    reg.load([SourceFile("one.ttl", (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes(),
                         "one")])
    current = reg.store.revision()
    assert current is not None
    derived = reg.store.derived_dir(current.number)
    assert (derived / "catalogue").is_dir(), sorted(p.name for p in derived.iterdir())
    assert digestfile.covers(next((tmp_path / "store" / "digest").glob("gen-*.sqlite")),
                             current.number)


@pytest.mark.parametrize(
    ("env", "value", "words"),
    [
        ("OGPREG_COMPACT_AFTER_QUADS", "-5", "må være minst 1"),
        ("OGPREG_COMPACT_AFTER_QUADS", "0", "må være minst 1"),
        ("OGPREG_CACHE_BYTES", "-1", "kan ikke være negativ"),
        ("OGPREG_QUERY_QUEUE", "-1", "kan ikke være negativ"),
    ],
)
def test_a_limit_out_of_range_is_a_configuration_error(
    env: str, value: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/configuration.md: a limit out of its range is refused, naming the variable
    (``OGPREG_CACHE_BYTES=0``, no answer cache, and ``OGPREG_QUERY_QUEUE=0`` are allowed)."""
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigurationError) as err:
        load_settings()
    assert env in err.value.render("nb") and words in err.value.render("nb")


@pytest.mark.parametrize("env", ["OGPREG_CACHE_BYTES", "OGPREG_QUERY_QUEUE"])
def test_zero_is_no_answer_cache_or_no_queue(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env, "0")
    assert getattr(load_settings(), env.removeprefix("OGPREG_").lower()) == 0
