"""The embedded store: pyoxigraph on disk, committed as read-only revisions.

Layout of the store directory::

    CURRENT                  JSON: the committed revision number and its time
    revisions/rev-000042/    a complete pyoxigraph store; never written after its commit
    work-<pid>-<n>/          a transaction in progress (removed on abort or at recovery)
    write.lock               serialises writers (flock)
    registry.json            the base URI the store was initialised with

Readers (queries, the endpoint, exports) open the current revision read-only; nothing writes
to a committed revision, so pyoxigraph's rule "one writing process per store" is never in
play for them. A writer takes the lock, clones the current revision with hard links
(RocksDB checkpoint, milliseconds), changes the clone, flushes it and commits it by renaming
it into ``revisions/`` and replacing ``CURRENT`` atomically. A crash at any moment leaves
``CURRENT`` pointing at a complete revision: the state before or the state after, never a mix.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from registry.errors import ConfigurationError, StoreError
from registry.i18n import msg
from registry.store.discard import Discard
from registry.store.locks import exclusive

_REV_PREFIX = "rev-"
_counter = itertools.count()
#: The folder inside a revision's directory that holds what is derived from the revision
#: (``registry/model/digest.py``, ``registry/publish/materialise.py``). RocksDB ignores files it
#: did not write; a clone (``backup``) does not copy them.
DERIVED_DIR = "ogpreg-derived"


@dataclass(frozen=True)
class Changes:
    """What a transaction changed, as its writer said (:meth:`EmbeddedStore.note_changed`,
    :meth:`EmbeddedStore.note_quads`): ``graphs`` were replaced or changed in any way;
    ``subjects`` maps each other changed graph to the subjects of every statement added to or
    removed from it (IRIs; blank nodes as ``_:label``). Nothing else changed."""

    graphs: frozenset[str]
    subjects: Mapping[str, frozenset[str]]

    def subject_set(self) -> set[str]:
        """Every subject named in :attr:`subjects`, in any graph."""
        return {s for group in self.subjects.values() for s in group}


#: Builds what is derived from a revision before its commit: called with the clone (the new
#: content, readable), the folder to write into, the previous revision's folder (None for the
#: first revision or a fresh store), what the writer said it changed (None: unknown, build
#: from scratch) and the revision being committed (its number and commit time). The store
#: directory is ``target.parent.parent``.
Deriver = Callable[
    [ox.Store, Path, Path | None, Changes | None, "Revision"], None
]


@dataclass(frozen=True)
class Revision:
    """A committed state of the store."""

    number: int
    committed: datetime

    @property
    def etag(self) -> str:
        return f"r{self.number}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class EmbeddedStore:
    """A pyoxigraph store on disk with atomic, crash-safe commits and snapshot reads."""

    def __init__(
        self,
        path: Path,
        *,
        keep_revisions: int = 3,
        lock_timeout: float = 120.0,
        compact_after: int = 200_000,
    ):
        # absolute: the files derived at a commit are opened by file URI (SQLite), which a
        # relative path cannot be (`ogpreg --store store …` warned and skipped them)
        self.path = Path(path).absolute()
        self.keep_revisions = keep_revisions
        #: the last ``CURRENT`` read: its stat identity and the revision (see :meth:`revision`)
        self._seen_current: tuple[tuple[int, int, int], Revision] | None = None
        self.lock_timeout = lock_timeout
        #: compact a revision before its commit once this many quads were written since the
        #: last compaction (0: compact every commit); see :meth:`transaction`
        self.compact_after = compact_after
        self._reader_lock = threading.Lock()
        self._reader: tuple[int, ox.Store] | None = None
        #: what is derived from each revision, built before its commit (see :data:`Deriver`)
        self.derivers: list[tuple[str, Deriver]] = []
        self._changed: set[str] | None = None
        self._changed_subjects: dict[str, set[str]] = {}

    # -- state -----------------------------------------------------------------------------
    @property
    def _current_file(self) -> Path:
        return self.path / "CURRENT"

    @property
    def _meta_file(self) -> Path:
        return self.path / "registry.json"

    def exists(self) -> bool:
        """True when the store has at least one committed revision."""
        return self._current_file.is_file()

    def revision(self) -> Revision | None:
        """The committed revision, or None for a store that was never written.

        Pages ask this for every label they show (issue 24: ~1,400 times for a home page), so
        the parsed file is remembered by its ``stat`` identity (inode, size, modification
        time in nanoseconds): a commit replaces ``CURRENT`` by a new file (``os.replace``), so
        one ``stat`` tells whether it changed, without opening and parsing it."""
        try:
            st = os.stat(self._current_file)
        except FileNotFoundError:
            return None
        except OSError:
            st = None
        key = (st.st_ino, st.st_size, st.st_mtime_ns) if st is not None else None
        seen = self._seen_current
        if key is not None and seen is not None and seen[0] == key:
            return seen[1]
        try:
            data = json.loads(self._current_file.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StoreError(
                msg(
                    "The store in {path} is damaged: CURRENT cannot be read ({error}).",
                    path=self.path,
                    error=exc,
                )
            ) from exc
        rev = Revision(int(data["revision"]), datetime.fromisoformat(data["committed"]))
        if key is not None:
            self._seen_current = (key, rev)
        return rev

    def _current_data(self) -> dict[str, object]:
        try:
            data = json.loads(self._current_file.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def uncompacted(self) -> int:
        """Quads written by commits since the last compaction (an estimate the writers give)."""
        return int(str(self._current_data().get("uncompacted", 0)))

    def compacted_quads(self) -> int:
        """The store's size in quads when it was last compacted (0 if never)."""
        return int(str(self._current_data().get("compacted_quads", 0)))

    def compaction_threshold(self) -> int:
        """Quads to write before the next compaction: ``compact_after``, or a quarter of the
        store's size at its last compaction if that is more. A compaction rewrites the whole
        store (about 20 s at 8 million quads), so its cost grows with the store; tying the
        interval to the size keeps that cost a constant share of what each load writes, instead
        of one load in four paying for the whole store."""
        return max(self.compact_after, self.compacted_quads() // 4)

    def _revision_dir(self, number: int) -> Path:
        return self.path / "revisions" / f"{_REV_PREFIX}{number:06d}"

    def derived_dir(self, number: int) -> Path:
        """Where what is derived from revision ``number`` lives (inside the revision's folder:
        committed, pruned and removed after a crash together with it)."""
        return self._revision_dir(number) / DERIVED_DIR

    def add_deriver(self, name: str, deriver: Deriver) -> None:
        """Build ``deriver`` before every commit of this store object (once per ``name``)."""
        if all(n != name for n, _ in self.derivers):
            self.derivers.append((name, deriver))

    def note_changed(self, graphs: Iterable[str]) -> None:
        """Inside a transaction: the writer names the graphs it changed (replaced, or changed in
        ways it does not list), so that the derivers update only what depends on them. A writer
        that names nothing gets derived data built from scratch (always correct, slower)."""
        if self._changed is None:
            self._changed = set()
        self._changed.update(graphs)

    def note_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Inside a transaction: the writer added or removed these quads in graphs it does not
        name in :meth:`note_changed` (the shared lifecycle, history and provenance graphs, a
        status change): derivers re-read only the statements of their subjects in their graphs.
        The writer promises that every statement it added or removed there is covered."""
        for q in quads:
            g = q.graph_name
            s = q.subject
            name = s.value if isinstance(s, ox.NamedNode) else str(s)  # blank nodes: "_:b0"
            self.note_subjects(
                g.value if isinstance(g, ox.NamedNode) else "",
                [name if name.startswith(("http", "_:")) or isinstance(s, ox.NamedNode)
                 else f"_:{name}"],
            )

    def note_subjects(self, graph: str, subjects: Iterable[str]) -> None:
        """Like :meth:`note_quads`: in ``graph`` only statements of ``subjects`` changed."""
        if self._changed is None:
            self._changed = set()
        self._changed_subjects.setdefault(graph, set()).update(subjects)

    def _derive(
        self, store: ox.Store, work: Path, rev: Revision | None, fresh: bool, new: Revision
    ) -> None:
        if not self.derivers:
            return
        changes = None
        if not fresh and self._changed is not None:
            graphs = frozenset(self._changed)
            changes = Changes(
                graphs,
                {g: frozenset(s) for g, s in self._changed_subjects.items() if g not in graphs},
            )
        previous = None if rev is None or fresh else self.derived_dir(rev.number)
        target = work / DERIVED_DIR
        for _name, deriver in self.derivers:
            target.mkdir(exist_ok=True)
            try:
                deriver(store, target, previous, changes, new)
            except Exception as exc:  # noqa: BLE001 - readers build it lazily instead
                warnings.warn(
                    f"could not derive {_name} for the new revision: {exc!r}",
                    RuntimeWarning,
                    stacklevel=2,
                )

    def base_uri(self) -> str | None:
        """The base URI the store was initialised with."""
        try:
            return str(json.loads(self._meta_file.read_text("utf-8"))["base_uri"])
        except FileNotFoundError:
            return None

    def check_base_uri(self, base_uri: str) -> None:
        """Refuse to mix base URIs in one store; record it on first use."""
        stored = self.base_uri()
        if stored is None:
            self.path.mkdir(parents=True, exist_ok=True)
            tmp = self._meta_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"base_uri": base_uri}), "utf-8")
            os.replace(tmp, self._meta_file)
        elif stored != base_uri:
            raise ConfigurationError(
                msg(
                    "The store {path} was created with base URI {stored}, but the setting is "
                    "{configured}. Set OGPREG_BASE_URI={stored}, or use a new store (--store) "
                    "for another base URI.",
                    path=self.path,
                    stored=stored,
                    configured=base_uri,
                )
            )

    # -- reading ---------------------------------------------------------------------------
    def reader(self) -> ox.Store:
        """A read-only store of the current revision (an empty in-memory one if none).

        The handle is cached per process and replaced when a newer revision is committed;
        a query that holds the old handle keeps reading the old, complete revision.
        """
        rev = self.revision()
        if rev is None:
            return ox.Store()
        with self._reader_lock:
            if self._reader is not None and self._reader[0] == rev.number:
                return self._reader[1]
            try:
                store = ox.Store.read_only(str(self._revision_dir(rev.number)))
            except OSError as exc:
                raise StoreError(
                    msg(
                        "Cannot open revision {rev} of the store {path}: {error}",
                        rev=rev.number,
                        path=self.path,
                        error=exc,
                    )
                ) from exc
            self._reader = (rev.number, store)
            return store

    # -- writing ---------------------------------------------------------------------------
    def _write_lock(self) -> contextlib.AbstractContextManager[None]:
        return exclusive(self.path / "write.lock", self.lock_timeout)

    def _remove_stale_work_dirs(self) -> None:
        for work in self.path.glob("work-*"):
            shutil.rmtree(work, ignore_errors=True)

    def _remove_uncommitted_revisions(self, current: int) -> None:
        """Remove revision directories newer than ``CURRENT``: a writer killed between renaming
        its clone into ``revisions/`` and replacing ``CURRENT`` leaves one, never read by anyone,
        and its number is the next commit's."""
        for rev_dir in self.path.glob(f"revisions/{_REV_PREFIX}*"):
            suffix = rev_dir.name[len(_REV_PREFIX) :]
            if suffix.isdigit() and int(suffix) > current:
                shutil.rmtree(rev_dir, ignore_errors=True)

    @contextlib.contextmanager
    def transaction(
        self, *, writes: int = 0, compact: bool = False, fresh: bool = False
    ) -> Iterator[ox.Store]:
        """Yield a writable clone of the current revision; commit it when the block ends.

        If the block raises, nothing is committed and the clone is discarded; if it raises
        :class:`~registry.store.discard.Discard`, that happens quietly (the writer found that it
        changes nothing).

        ``fresh`` yields an empty store instead of a clone, for rewriting the whole content
        (an audited erase: RocksDB keeps removed values, and Oxigraph its strings, in the
        clone's files; a store built afresh holds only what is written to it). The caller
        reads the state before from :meth:`reader`.

        ``writes`` is the number of quads the caller is about to write (an estimate). A
        committed revision is opened read-only by every reader, and RocksDB never compacts a
        read-only store: a revision committed straight after a large write keeps its
        uncompacted files for good, and queries on it run several times slower (measured in
        docs/performance.md). So once the quads written since the last compaction reach
        :meth:`compaction_threshold` (or when ``compact`` is true), the clone is compacted
        (``Store.optimize``) before it is committed.
        """
        with self._write_lock():
            self._remove_stale_work_dirs()
            rev = self.revision()
            pending = self.uncompacted() + max(writes, 0)
            compact = compact or pending >= self.compaction_threshold()
            size = self.compacted_quads()
            self._remove_uncommitted_revisions(0 if rev is None else rev.number)
            work = self.path / f"work-{os.getpid()}-{next(_counter)}"
            if rev is not None and not fresh:
                ox.Store.read_only(str(self._revision_dir(rev.number))).backup(str(work))
            store: ox.Store | None = ox.Store(str(work))
            self._changed = None
            self._changed_subjects = {}
            try:
                assert store is not None
                yield store
                if compact:
                    store.optimize()
                    size = len(store)  # a count over the compacted store: ~2 s at 8 M quads
                store.flush()
                new = Revision(
                    1 if rev is None else rev.number + 1,
                    datetime.now(UTC).replace(microsecond=0),
                )
                self._derive(store, work, rev, fresh, new)
            except Discard:  # the writer changes nothing: no revision (registry/store/discard.py)
                del store
                gc.collect()
                shutil.rmtree(work, ignore_errors=True)
                return
            except BaseException:
                del store
                gc.collect()
                shutil.rmtree(work, ignore_errors=True)
                raise
            del store
            gc.collect()
            self._commit(work, new.number, 0 if compact else pending, size, new.committed)

    def optimize(self) -> Revision:
        """Commit a compacted copy of the current revision (``ogpreg optimize``)."""
        with self.transaction(compact=True):
            pass
        rev = self.revision()
        assert rev is not None
        return rev

    def _commit(
        self,
        work: Path,
        number: int,
        uncompacted: int = 0,
        compacted_quads: int = 0,
        committed: datetime | None = None,
    ) -> None:
        target = self._revision_dir(number)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work, target)
        _fsync_dir(target.parent)
        now = committed or datetime.now(UTC).replace(microsecond=0)
        tmp = self.path / "CURRENT.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "revision": number,
                    "committed": now.isoformat(),
                    "uncompacted": uncompacted,
                    "compacted_quads": compacted_quads,
                },
                fh,
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._current_file)
        _fsync_dir(self.path)
        self._prune(number)

    def prune_now(self) -> list[int]:
        """Remove every revision but the current one, whatever its age (after an erase: older
        revisions still hold the erased content). A query still reading one of them may fail.
        Returns the numbers removed."""
        removed: list[int] = []
        with self._write_lock():
            rev = self.revision()
            current = 0 if rev is None else rev.number
            for old in sorted(self.path.glob(f"revisions/{_REV_PREFIX}*")):
                suffix = old.name[len(_REV_PREFIX) :]
                if suffix.isdigit() and int(suffix) != current:
                    shutil.rmtree(old, ignore_errors=True)
                    removed.append(int(suffix))
            self._remove_stale_work_dirs()
        return removed

    def _prune(self, current: int) -> None:
        """Remove old revisions, keeping ``keep_revisions`` and any younger than 10 minutes
        (a slow query may still read one)."""
        revs = sorted(self.path.glob(f"revisions/{_REV_PREFIX}*"))
        cutoff = time.time() - 600
        for old in revs[: -self.keep_revisions]:
            number = int(old.name[len(_REV_PREFIX) :])
            if number < current and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
