"""The digest's SQLite file: its schema, and how a commit builds or updates it
(``registry/model/digest.py`` describes the digest and reads it).

One file per generation, ``digest/gen-<first revision>.sqlite`` in the store directory, shared
by the revisions from ``first`` to its ``head`` (table ``meta``); each row is stamped with the
revisions it holds for (``r0 <= revision < r1``). :func:`build` is the store's deriver.

Blank nodes. The digest keeps statements between IRIs and literals only, so a commit cannot
follow a blank node's links towards the plans it concerns. The panels' queries
(``planpanels.py``) read blank nodes as they read anything else (an assessment uploaded as
``[] a ogp:ProgressAssessment ; ogp:assesses <…>``), so the digest keeps, per graph, a
fingerprint of the statements with a blank node that those queries may read (table
``blanks``); when a commit changes a graph's fingerprint, or names a blank node among the
subjects it changed, every plan's panels are recomputed. (The registry's own writers do not
write blank nodes; uploaded RDF may.)
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from registry.model import planagg, planpanels
from registry.model.terms import DCT, LABEL_PREDICATES
from registry.namespaces import OGP
from registry.store.embedded import Changes, EmbeddedStore, Revision

#: Bump when the schema or what goes into it changes: older digests are rebuilt.
VERSION = "6"
FILE = "digest.sqlite"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: Texts search looks in.
SEARCH_PREDICATES: tuple[str, ...] = (
    SKOS + "prefLabel",
    SKOS + "altLabel",
    SKOS + "hiddenLabel",
    DCT + "title",
    RDFS_LABEL,
    DCT + "identifier",
    SKOS + "notation",
)
#: Links the catalogue follows to find the datasets a change touches
#: (``registry/publish/materialise.py``) besides those of the dashboards.
CATALOGUE_LINKS: tuple[str, ...] = (
    "https://schema.org/location",
    str(OGP.discussed),
    str(OGP.isResponseTo),
    str(OGP.hasName),
)
#: Everything the digest keeps.
PREDICATES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            RDF_TYPE,
            *LABEL_PREDICATES,
            *SEARCH_PREDICATES,
            *planagg.PREDICATES,
            *planpanels.PREDICATES,
            *CATALOGUE_LINKS,
        ]
    )
)

#: r1 of a row still valid (no revision number reaches it).
OPEN = 1 << 62
FOLDER = "digest"

_SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE facts (
  id INTEGER PRIMARY KEY, g TEXT NOT NULL, s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL,
  lit INTEGER NOT NULL, lang TEXT, dt TEXT, r0 INTEGER NOT NULL, r1 INTEGER NOT NULL
);
CREATE INDEX facts_gs ON facts (g, s);
CREATE INDEX facts_sp ON facts (s, p);
CREATE INDEX facts_op ON facts (o, p);
CREATE INDEX facts_r1 ON facts (r1);
CREATE INDEX facts_r0 ON facts (r0);
CREATE VIRTUAL TABLE texts USING fts5 (low, x UNINDEXED, text UNINDEXED, lang UNINDEXED,
                                       tokenize = 'trigram');
CREATE TABLE plans (plan TEXT NOT NULL, data TEXT NOT NULL, r0 INTEGER NOT NULL,
                    r1 INTEGER NOT NULL);
CREATE INDEX plans_plan ON plans (plan);
CREATE INDEX plans_r1 ON plans (r1);
CREATE TABLE panels (plan TEXT NOT NULL, data TEXT NOT NULL, r0 INTEGER NOT NULL,
                     r1 INTEGER NOT NULL);
CREATE INDEX panels_plan ON panels (plan);
CREATE INDEX panels_r1 ON panels (r1);
CREATE TABLE blanks (g TEXT NOT NULL, data TEXT NOT NULL, r0 INTEGER NOT NULL,
                     r1 INTEGER NOT NULL);
CREATE INDEX blanks_g ON blanks (g);
"""

Row = tuple[str, str, str, str, int, str | None, str | None]  # g s p o lit lang dt
_SEARCH = frozenset(SEARCH_PREDICATES)
_KEPT = frozenset(PREDICATES)
_PANEL_PREDICATES = frozenset(planpanels.PREDICATES) - {RDF_TYPE}
_PANEL_CLASSES = frozenset(planpanels.CLASSES)
#: graph -> the statements (N-Quads) with a blank node that the panels' queries may read
Blanks = dict[str, list[str]]


def norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def at_revision(db: sqlite3.Connection, revision: int) -> None:
    """Give ``db`` the temporary views ``facts``, ``plans`` and ``panels``: the rows of
    ``revision``."""
    r = int(revision)
    db.execute("DROP VIEW IF EXISTS temp.facts")
    db.execute("DROP VIEW IF EXISTS temp.plans")
    db.execute("DROP VIEW IF EXISTS temp.panels")
    db.execute(
        "CREATE TEMP VIEW facts AS SELECT id, g, s, p, o, lit, lang, dt FROM main.facts "
        f"WHERE r0 <= {r} AND r1 > {r}"
    )
    db.execute(
        f"CREATE TEMP VIEW plans AS SELECT plan, data FROM main.plans WHERE r0 <= {r} AND r1 > {r}"
    )
    db.execute(
        "CREATE TEMP VIEW panels AS SELECT plan, data FROM main.panels "
        f"WHERE r0 <= {r} AND r1 > {r}"
    )


# -- reading a revision into rows ---------------------------------------------------------------
def _row(q: ox.Quad, p: str) -> Row | None:
    s, o, g = q.subject, q.object, q.graph_name
    if not isinstance(s, ox.NamedNode):
        return None
    gname = g.value if isinstance(g, ox.NamedNode) else ""
    if isinstance(o, ox.NamedNode):
        return (gname, s.value, p, o.value, 0, None, None)
    if isinstance(o, ox.Literal):
        return (gname, s.value, p, o.value, 1, o.language, None if o.language else o.datatype.value)
    return None


def _rows(
    store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph | None, blanks: Blanks | None = None
) -> Iterator[Row]:
    """The rows of ``graph`` (None: every graph); with ``blanks``, the statements with a blank
    node the panels' queries may read are added to it, by graph."""
    for p in PREDICATES:
        for q in store.quads_for_pattern(None, ox.NamedNode(p), None, graph):
            row = _row(q, p)
            if row is not None:
                yield row
            elif blanks is not None and _panel_blank(q, p):
                g = q.graph_name
                blanks.setdefault(g.value if isinstance(g, ox.NamedNode) else "", []).append(
                    str(q)
                )


def _panel_blank(q: ox.Quad, p: str) -> bool:
    """Whether ``q`` has a blank node (subject or object) and a panel query may read it."""
    if not (isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)):
        return False
    if p == RDF_TYPE:
        return isinstance(q.object, ox.NamedNode) and q.object.value in _PANEL_CLASSES
    return p in _PANEL_PREDICATES


def _fingerprint(lines: list[str] | None) -> str | None:
    if not lines:
        return None
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def _keep_blanks(db: sqlite3.Connection, graph: str, lines: list[str] | None, n: int) -> bool:
    """Keep ``graph``'s fingerprint as of revision ``n``; True if it changed."""
    return planagg.keep(db, "blanks", graph, _fingerprint(lines), n, column="g")


def _subject_rows(store: ox.Store, graph: str, subject: str) -> set[Row]:
    if subject.startswith("_:"):
        return set()
    node: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    out: set[Row] = set()
    for q in store.quads_for_pattern(ox.NamedNode(subject), None, None, node):
        p = q.predicate.value
        if p in _KEPT:
            row = _row(q, p)
            if row is not None:
                out.add(row)
    return out


def _insert(db: sqlite3.Connection, rows: Iterable[Row], revision: int) -> None:
    for row in rows:
        cur = db.execute(
            "INSERT INTO main.facts (g, s, p, o, lit, lang, dt, r0, r1) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*row, revision, OPEN),
        )
        if row[4] == 1 and row[2] in _SEARCH:
            db.execute(
                "INSERT INTO main.texts (rowid, low, x, text, lang) VALUES (?, ?, ?, ?, ?)",
                (cur.lastrowid, norm(row[3]), row[1], row[3], row[5]),
            )


def _valid_rows(db: sqlite3.Connection, sql: str, *args: Any) -> dict[Row, int]:
    """Rows (of the view ``facts``) -> id, for a WHERE clause ``sql``."""
    return {
        (r[1], r[2], r[3], r[4], r[5], r[6], r[7]): r[0]
        for r in db.execute(f"SELECT id, g, s, p, o, lit, lang, dt FROM facts WHERE {sql}", args)
    }


# -- building ------------------------------------------------------------------------------------
def generations(folder: Path) -> list[tuple[int, Path]]:
    out = []
    for f in folder.glob("gen-*.sqlite"):
        suffix = f.name[4:-7]
        if suffix.isdigit():
            out.append((int(suffix), f))
    return sorted(out)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 60000")
    return db


def _meta(db: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(db.execute("SELECT key, value FROM main.meta"))
    except sqlite3.Error:
        return {}


def build(
    store: ox.Store,
    target: Path,
    previous: Path | None,
    changes: Changes | None,
    revision: Revision | None = None,
) -> None:
    """The deriver (:data:`registry.store.embedded.Deriver`): make the digest hold
    ``revision``, whose content ``store`` has. ``target`` is the new revision's derived folder
    (its parent's parent the store directory). Incremental when ``changes`` are known and the
    shared file holds the previous revision, else a new file from scratch."""
    if revision is None:  # a one-off build into ``target`` (tests, a reader's fallback)
        build_file(store, target / FILE, 0)
        return
    n = revision.number
    folder = target.parent.parent / FOLDER
    folder.mkdir(exist_ok=True)
    gens = generations(folder)
    if changes is not None and previous is not None and gens and gens[-1][0] <= n - 1:
        db = _connect(gens[-1][1])
        try:
            meta = _meta(db)
            if meta.get("version") == VERSION and meta.get("head") in (str(n - 1), str(n)):
                _update(db, store, changes, n, _oldest_kept(target.parent.parent))
                _prune_gens(folder, target.parent.parent)
                return
        finally:
            db.close()
    build_file(store, folder / f"gen-{n:06d}.sqlite", n, wal=True)
    if previous is None:  # a store rewritten from scratch (an erase): nothing older stays
        for first, path in generations(folder):
            if first < n:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
    _prune_gens(folder, target.parent.parent)


def build_file(
    store: ox.Store, path: Path, revision: int, *, wal: bool = False, panels: bool = True
) -> None:
    """Build the digest of ``store``'s content, valid from ``revision``, into a new file at
    ``path`` (a temporary file renamed at the end: a reader never sees half of it); with
    ``panels``, the rows of every plan's panels too (``planpanels.py``: queries run on
    ``store``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(_SCHEMA_SQL)
        db.execute("BEGIN")
        blanks: Blanks = {}
        _insert(db, _rows(store, None, blanks), revision)
        for graph, lines in blanks.items():
            _keep_blanks(db, graph, lines, revision)
        at_revision(db, revision)
        planagg.store_all(db, revision, store if panels else None)
        db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
        db.execute("INSERT INTO meta VALUES ('head', ?)", (str(revision),))
        db.execute("COMMIT")
        if wal:
            db.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(tmp, path)


def _update(
    db: sqlite3.Connection, store: ox.Store, changes: Changes, n: int, oldest: int
) -> None:
    """Make the shared file hold revision ``n`` (the previous one being ``n - 1``)."""
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN IMMEDIATE")
    try:
        # what a writer that did not commit left (its revision number is ours now)
        left = [r[0] for r in db.execute("SELECT id FROM main.facts WHERE r0 >= ?", (n,))]
        _delete(db, left)
        db.execute("UPDATE main.facts SET r1 = ? WHERE r1 >= ? AND r1 < ?", (OPEN, n, OPEN))
        for table in ("plans", "panels", "blanks"):
            db.execute(f"DELETE FROM main.{table} WHERE r0 >= ?", (n,))
            db.execute(f"UPDATE main.{table} SET r1 = ? WHERE r1 >= ? AND r1 < ?", (OPEN, n, OPEN))
        # rows no kept revision sees any more
        if oldest > 0:
            gone = [r[0] for r in db.execute("SELECT id FROM main.facts WHERE r1 <= ?", (oldest,))]
            _delete(db, gone)
            db.execute("DELETE FROM main.plans WHERE r1 <= ?", (oldest,))
            db.execute("DELETE FROM main.panels WHERE r1 <= ?", (oldest,))
            db.execute("DELETE FROM main.blanks WHERE r1 <= ?", (oldest,))
        at_revision(db, n - 1)
        touched: set[str] = set()
        every_plan = False  # a blank node the panels may read changed: no link to follow
        for graph in sorted(changes.graphs):
            node: ox.NamedNode | ox.DefaultGraph = (
                ox.NamedNode(graph) if graph else ox.DefaultGraph()
            )
            blanks: Blanks = {}
            after = set(_rows(store, node, blanks))
            _replace(db, _valid_rows(db, "g = ?", graph), after, n, touched)
            every_plan |= _keep_blanks(db, graph, blanks.get(graph), n)
        for graph, subjects in sorted(changes.subjects.items()):
            for subject in sorted(subjects):
                if subject.startswith("_:"):
                    every_plan = True
                    continue
                _replace(
                    db,
                    _valid_rows(db, "g = ? AND s = ?", graph, subject),
                    _subject_rows(store, graph, subject),
                    n,
                    touched,
                )
        at_revision(db, n)
        plans = planagg.plans_of(db, touched, include_removed=True)
        if every_plan:
            plans |= planagg.every_plan(db)
        planagg.store_plans(db, plans, n, store)
        db.execute("INSERT OR REPLACE INTO main.meta VALUES ('head', ?)", (str(n),))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _replace(
    db: sqlite3.Connection, before: dict[Row, int], after: set[Row], n: int, touched: set[str]
) -> None:
    gone = [i for row, i in before.items() if row not in after]
    new = sorted((row for row in after if row not in before), key=str)
    for row in [r for r in before if r not in after] + new:
        touched.add(row[1])
        if row[4] == 0:
            touched.add(row[3])
    for i in range(0, len(gone), 500):
        chunk = gone[i : i + 500]
        db.execute(
            f"UPDATE main.facts SET r1 = ? WHERE id IN ({','.join('?' * len(chunk))})",
            (n, *chunk),
        )
    _insert(db, new, n)


def _delete(db: sqlite3.Connection, ids: list[int]) -> None:
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM main.texts WHERE rowid IN ({marks})", chunk)
        db.execute(f"DELETE FROM main.facts WHERE id IN ({marks})", chunk)


def _kept(store_dir: Path) -> list[int]:
    out = []
    for d in (store_dir / "revisions").glob("rev-*"):
        suffix = d.name[4:]
        if suffix.isdigit():
            out.append(int(suffix))
    return sorted(out)


def _oldest_kept(store_dir: Path) -> int:
    kept = _kept(store_dir)
    return kept[0] if kept else 0


def _prune_gens(folder: Path, store_dir: Path) -> None:
    """Remove the files whose revisions are all pruned (a newer file starts after them)."""
    gens = generations(folder)
    kept = _kept(store_dir)
    for (first, path), (nxt, _) in zip(gens, gens[1:], strict=False):
        if not any(first <= k < nxt for k in kept):
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)


def covers(path: Path, number: int) -> bool:
    """True when the file at ``path`` holds revision ``number``."""
    if not path.is_file():
        return False
    try:
        db = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
        try:
            meta = _meta(db)
        finally:
            db.close()
    except sqlite3.Error:
        return False
    first = path.name[4:-7] if path.name.startswith("gen-") else None
    head = meta.get("head", "")
    return (
        meta.get("version") == VERSION
        and head.isdigit()
        and (int(head) == number if first is None else int(first) <= number <= int(head))
    )


def install(store: Any) -> None:
    """Make ``store`` build the digest of each revision before committing it (embedded stores;
    other backends get theirs built by the first reader)."""
    if isinstance(store, EmbeddedStore):
        store.add_deriver("digest", build)
