"""The digest of a revision: what the pages need of the whole registry, kept in SQLite so that a
page costs the same in a big registry as in a small one (issue 24).

The digest of every revision of a store lives in **one SQLite file shared by the revisions**
(``digest/gen-<first revision>.sqlite`` in the store directory, WAL mode), each row stamped with
the revisions it holds for (``r0 <= revision < r1``):

- ``facts``: the statements the pages aggregate or look up (labels, types, the links between
  plans, commitments, milestones, assessments, meetings, proposals and comments, and a few
  dates), one row per (graph, subject, predicate, object), IRI subjects only;
- ``texts``: a full-text index (SQLite FTS5, trigram tokenizer) of the texts search looks in
  (titles, labels, alternative and former names, identifiers, notations), lower-cased, one
  row per ``facts`` row (same rowid);
- ``plans``: the numbers of each action plan's dashboard (``registry/model/planagg.py``);
- ``panels``: the answer rows each plan's participation, progress and co-creation panels read
  (``registry/model/planpanels.py``), for the digests commits keep (not those a reader of a
  remote store builds).

A reader of revision ``r`` sees only the rows of ``r``: its connection has temporary views
``facts``, ``plans`` and ``panels`` over the stamped tables (:class:`Digest`), so every query
is written as for one revision.

**Built by the commit, in proportion to what it changed.** :func:`install` makes the store call
:func:`build` before it commits a revision. When the writer said what it changed
(:class:`registry.store.embedded.Changes`: whole graphs, and in the shared lifecycle, history
and provenance graphs the subjects it wrote) and the shared file holds the previous revision,
the rows of those graphs and subjects are compared with the new content, the rows that went
are closed (``r1``), the new ones added (``r0``), and the dashboards and panels of the plans
they lead to recomputed: nothing is copied, nothing else is read. Otherwise (a restore, an
erase, a store from before) a new file is built from scratch. Rows no kept revision can see
are deleted at the next commit; a file whose revisions are all pruned is removed. A revision
committed without a digest (a remote engine, an older version) gets one built from scratch by
its first reader (:func:`open_digest`), in the revision's derived folder.
``tests/test_materialised.py`` checks that the rows a revision sees equal those built from
scratch, after loads, status changes, Graph Store writes, an erase and a restore.

Why one shared file rather than a copy per revision: the digest of 10,000 commitments is 324
MB (574,000 facts, 139,000 texts); copying it at every commit costs 0.14 s from the page cache
and 324 MB of disk per kept revision, both growing with the registry, where the stamped rows
cost what the commit changed. (ext4 here has no reflinks, so a copy-on-write file copy is not
available.)
"""

from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.model import planagg
from registry.model.digestfile import (
    FILE,
    FOLDER,
    RDF_TYPE,
    SEARCH_PREDICATES,
    at_revision,
    build_file,
    covers,
    generations,
    install,
    norm,
)
from registry.model.terms import LABEL_PREDICATES
from registry.namespaces import OGP
from registry.store.embedded import DERIVED_DIR, EmbeddedStore

__all__ = ["FILE", "FOLDER", "Digest", "at_revision", "build_file", "digest_path", "install",
           "open_digest", "reached", "shared_at"]


# -- reading -------------------------------------------------------------------------------------
def digest_path(store: Any, number: int) -> Path:
    """Where the digest of revision ``number`` of ``store`` is: the shared file that holds it,
    else the revision's own file (built by its first reader)."""
    if isinstance(store, EmbeddedStore):
        for first, path in reversed(generations(store.path / FOLDER)):
            if first <= number and covers(path, number):
                return path
        return store.derived_dir(number) / FILE
    return Path(store.path) / "derived" / f"rev-{number:06d}" / DERIVED_DIR / FILE


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _close_all(conns: list[sqlite3.Connection], lock: threading.Lock) -> None:
    with lock:
        for conn in conns:
            conn.close()
        conns.clear()


#: At most this many matching texts are ranked by a search (:meth:`Digest.search`).
SEARCH_CAP = 5000


@dataclass
class Found:
    """What :meth:`Digest.search` found: rows (IRI, text, language, tier), and whether the
    text was found in more than :data:`SEARCH_CAP` texts (only that many were ranked)."""

    rows: list[tuple[str, str, str | None, int]]
    broad: bool


class Digest:
    """Read access to one revision's digest; one SQLite connection per thread, whose views
    ``facts``, ``plans`` and ``panels`` show that revision's rows (:func:`at_revision`)."""

    def __init__(self, path: Path, revision: int | None) -> None:
        self.path = path
        self.revision = revision
        self._local = threading.local()
        # every connection opened, closed together when the digest is dropped (a newer
        # revision's replaces it) or closed: not left to the garbage collector
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _close_all, self._conns, self._conns_lock)

    def db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            shared = self.path.name.startswith("gen-")
            uri = self.path.absolute().as_uri() + ("?mode=rw" if shared else "?mode=ro&immutable=1")
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 60000")
            at_revision(conn, self.revision or 0)
            with self._conns_lock:
                self._conns.append(conn)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close every connection of this digest (also done when it is garbage-collected)."""
        self._finalizer()
        self._local = threading.local()
        self._finalizer = weakref.finalize(self, _close_all, self._conns, self._conns_lock)

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return self.db().execute(sql, args).fetchall()

    def labels(self, iri: str) -> list[tuple[str, str, str | None]]:
        """(predicate, text, language) of every label-like statement about ``iri``."""
        marks = ",".join("?" * len(LABEL_PREDICATES))
        return [
            (r[0], r[1], r[2])
            for r in self.rows(
                f"SELECT DISTINCT p, o, lang FROM facts WHERE s = ? AND p IN ({marks}) "
                "AND lit = 1",
                iri,
                *LABEL_PREDICATES,
            )
        ]

    def types(self, iri: str) -> set[str]:
        return {
            r[0]
            for r in self.rows(
                "SELECT o FROM facts WHERE s = ? AND p = ? AND lit = 0", iri, RDF_TYPE
            )
        }

    def plan_data(self, plan: str) -> dict[str, Any] | None:
        return planagg.load(self.db(), plan)

    def panels(self, plan: str) -> dict[str, Any] | None:
        """The rows ``plan``'s panels read (``planpanels.py``), by query name; None when this
        digest does not keep them (a reader's digest of a remote store; not a plan)."""
        row = self.db().execute("SELECT data FROM panels WHERE plan = ?", (plan,)).fetchone()
        if row is None:
            return None
        data: dict[str, Any] = json.loads(row[0])
        return data

    def plan_iris(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT plan FROM plans ORDER BY plan")]

    def search(self, q: str, *, limit: int) -> Found:
        """Rows (IRI, text, language, tier) whose text contains ``q`` (lower-cased): tier 0
        the whole text, 1 its beginning, 2 elsewhere. The IRIs are the first ``limit`` by
        (best tier, text, IRI); each comes with all its matching texts.

        Bounded: one query of the full-text index (a trigram phrase, so a substring anywhere)
        ranks the IRIs in SQL and returns at most ``limit``; the texts of those IRIs are then
        read by their subject. (``LIKE`` would not do: with an ``ESCAPE`` clause SQLite does
        not hand it to the index, and every text is scanned.) Ranking reads every matching
        text, so a text found in more than :data:`SEARCH_CAP` texts (``data`` in 47,642 at
        100,000 commitments) ranks only the first :data:`SEARCH_CAP` the index gives and the
        first :data:`SEARCH_CAP` that begin with it (the trigram index finds those too), and
        says so (:attr:`Found.broad`): the cost stays that of :data:`SEARCH_CAP` texts however
        large the registry. A query of one or two characters cannot use the trigram index: the
        scan stops at the first ``limit`` IRIs it meets, which are then ranked, instead of
        ranking every match."""
        low = norm(q)
        if not low:
            return Found([], broad=False)
        r = int(self.revision or 0)
        valid = f"f.r0 <= {r} AND f.r1 > {r}"
        broad = False
        # the trigram index: one query, ranked in SQL, at most ``limit`` (FTS5's query syntax
        # cannot hold a NUL character: such a query takes the scan below)
        if len(low) >= 3 and "\x00" not in low:
            phrase = '"' + low.replace('"', '""') + '"'
            (matches,) = self.rows(
                "SELECT count(*) FROM (SELECT 1 FROM main.texts WHERE low MATCH ?1 LIMIT ?2)",
                phrase, SEARCH_CAP + 1,
            )[0]
            broad = matches > SEARCH_CAP
            which = (
                "(t.rowid IN (SELECT rowid FROM main.texts WHERE low MATCH ?1 LIMIT ?4) "
                "OR t.rowid IN (SELECT rowid FROM main.texts WHERE low MATCH ?5 LIMIT ?4))"
                if broad
                else "t.low MATCH ?1"
            )
            sql = (
                "SELECT t.x FROM main.texts t JOIN main.facts f ON f.id = t.rowid "
                f"WHERE {which} AND {valid} GROUP BY t.x "
                "ORDER BY MIN(CASE WHEN t.low = ?2 THEN '0' "
                "WHEN substr(t.low, 1, length(?2)) = ?2 THEN '1' ELSE '2' END || t.low), t.x "
                "LIMIT ?3"
            )
            args: tuple[Any, ...] = (phrase, low, limit)
            if broad:
                args += (SEARCH_CAP, "^" + phrase)
            found = [x for (x,) in self.rows(sql, *args)]
        else:  # too short for a trigram: the first ``limit`` met, then ranked here
            sql = (
                "SELECT DISTINCT t.x FROM main.texts t JOIN main.facts f ON f.id = t.rowid "
                f"WHERE t.low LIKE ?1 ESCAPE '\\' AND {valid} LIMIT ?2"
            )
            found = [x for (x,) in self.rows(sql, "%" + _escape_like(low) + "%", limit)]
        out: list[tuple[str, str, str | None, int]] = []
        marks = ",".join("?" * len(SEARCH_PREDICATES))
        for i in range(0, len(found), 200):
            chunk = found[i : i + 200]
            rows = self.rows(
                f"SELECT s, o, lang FROM facts WHERE s IN ({','.join('?' * len(chunk))}) "
                f"AND p IN ({marks}) AND lit = 1",
                *chunk,
                *SEARCH_PREDICATES,
            )
            for x, text, lang in rows:
                t = norm(text)
                if low in t:
                    out.append((x, text, lang, 0 if t == low else 1 if t.startswith(low) else 2))
        if len(low) < 3 or "\x00" in low:
            best: dict[str, tuple[int, str]] = {}
            for x, text, _lang, tier in out:
                key = (tier, norm(text))
                if x not in best or key < best[x]:
                    best[x] = key
            found = sorted(best, key=lambda x: (best[x], x))
        rank = {x: i for i, x in enumerate(found)}
        rows = sorted(set(out), key=lambda row: (rank[row[0]], row[3], row[1], row[2] or ""))
        return Found(rows, broad=broad)

    def organisation_names(self, iris: Iterable[str]) -> set[str]:
        """Those of ``iris`` typed ``ogp:OrganisationName`` (found as their organisation)."""
        wanted = list(dict.fromkeys(iris))
        out: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out |= {
                r[0]
                for r in self.rows(
                    f"SELECT s FROM facts WHERE p = ? AND o = ? AND s IN ({marks})",
                    RDF_TYPE,
                    str(OGP.OrganisationName),
                    *chunk,
                )
            }
        return out

    def snapshot(self) -> dict[str, Any]:
        """Everything this revision's digest holds, comparable (tests)."""
        return {
            "facts": sorted(self.rows("SELECT g, s, p, o, lit, lang, dt FROM facts")),
            "texts": sorted(
                self.rows(
                    "SELECT t.low, t.x, t.text, t.lang FROM main.texts t JOIN facts f "
                    "ON f.id = t.rowid"
                )
            ),
            "plans": dict(self.rows("SELECT plan, data FROM plans")),
            "panels": dict(self.rows("SELECT plan, data FROM panels")),
        }


_build_lock = threading.Lock()


def open_digest(store: Any) -> Digest | None:
    """The digest of ``store``'s current revision, built from scratch first if it has none
    (a revision committed before digests existed, or by a store that builds none); None for a
    store without a revision."""
    rev = store.revision()
    if rev is None:
        return None
    while True:  # the reader of exactly that revision
        reader = store.reader()
        after = store.revision()
        if after == rev:
            break
        rev = after
        if rev is None:
            return None
    path = digest_path(store, rev.number)
    if not covers(path, rev.number):
        with _build_lock:
            if not covers(path, rev.number):
                # a remote store's reader would ask the engine a dozen queries per plan: its
                # pages ask for the plan shown instead (planpanels.py)
                build_file(reader, path, rev.number, panels=isinstance(store, EmbeddedStore))
    return Digest(path, rev.number)


def shared_at(store_dir: Path, number: int) -> Digest | None:
    """The digest of revision ``number`` in the shared file of the store at ``store_dir``
    (also the revision being committed, whose rows the commit has just written), or None."""
    for first, path in reversed(generations(store_dir / FOLDER)):
        if first <= number:
            return Digest(path, number) if covers(path, number) else None
    return None


def reached(d: Digest, start: Iterable[str], up: Iterable[str], down: Iterable[str]) -> set[str]:
    """Every IRI reached from ``start`` (included) by following ``up`` links from subject to
    object and ``down`` links from object to subject, as often as they lead somewhere new."""
    ups, downs = list(up), list(down)
    seen = set(start)
    frontier = list(seen)
    while frontier:
        nxt: set[str] = set()
        for i in range(0, len(frontier), 200):
            chunk = frontier[i : i + 200]
            marks = ",".join("?" * len(chunk))
            if ups:
                pm = ",".join("?" * len(ups))
                nxt.update(r[0] for r in d.rows(
                    f"SELECT o FROM facts WHERE s IN ({marks}) AND p IN ({pm}) AND lit = 0",
                    *chunk, *ups))
            if downs:
                pm = ",".join("?" * len(downs))
                nxt.update(r[0] for r in d.rows(
                    f"SELECT s FROM facts WHERE o IN ({marks}) AND p IN ({pm}) AND lit = 0",
                    *chunk, *downs))
        frontier = sorted(nxt - seen)
        seen |= nxt
    return seen
