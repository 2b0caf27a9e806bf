"""The numbers behind each action plan's dashboard, computed from a revision's digest
(``registry/model/digest.py``) and kept in it: which commitments count, commitments per theme,
milestones per due year and completion level, and who took part.

The rules are those of the dashboard (docs/pages.md): a plan's commitments are linked either way
(``ogp:inActionPlan`` / ``ogp:hasCommitment``) and count unless withdrawn or superseded; a
milestone's completion is its own ``ogp:completion``, else that of its latest assessment; the
participants are the organisations invited to the plan's meetings, those that proposed (at its
meetings or the proposals its commitments derive from), commented (on its commitments and those
proposals) or lead its commitments. Only IRIs are kept; labels are looked up when a page is
rendered, so a new name of an organisation never makes a dashboard stale.

A commit recomputes only the plans its changed statements lead to (:func:`plans_of`), and with
them the rows their participation, progress and co-creation panels read (``planpanels.py``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from registry.model import planpanels
from registry.model.terms import DCT, GONE_STATUSES, SCHEMA
from registry.namespaces import OGP, VOCAB_NS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
COMPLETION_LEVELS: tuple[str, ...] = tuple(
    VOCAB_NS + "completion/" + c for c in ("not-started", "limited", "substantial", "complete")
)
NOT_ASSESSED = "not-assessed"

IN_PLAN = str(OGP.inActionPlan)
HAS_COMMITMENT = str(OGP.hasCommitment)
STATUS = str(OGP.registryStatus)
THEME = str(OGP.theme)
OF_COMMITMENT = str(OGP.ofCommitment)
HAS_MILESTONE = str(OGP.hasMilestone)
COMPLETION = str(OGP.completion)
ASSESSES = str(OGP.assesses)
ASSESSMENT_DATE = str(OGP.assessmentDate)
FOR_PLAN = str(OGP.forActionPlan)
INVITED = str(OGP.invited)
SUBMITTED_AT = str(OGP.submittedAt)
DERIVED_FROM = str(OGP.derivedFromProposal)
PROPOSED_BY = str(OGP.proposedBy)
COMMENT_ON = str(OGP.commentOn)
COMMENT_BY = str(OGP.commentBy)
LEAD = str(OGP.leadAgency)
START, END = SCHEMA + "startDate", SCHEMA + "endDate"

#: The statements the dashboards are computed from.
PREDICATES: tuple[str, ...] = (
    RDF_TYPE, IN_PLAN, HAS_COMMITMENT, STATUS, THEME, OF_COMMITMENT, HAS_MILESTONE, COMPLETION,
    ASSESSES, ASSESSMENT_DATE, FOR_PLAN, INVITED, SUBMITTED_AT, DERIVED_FROM, PROPOSED_BY,
    COMMENT_ON, COMMENT_BY, LEAD, START, END, DCT + "identifier",
)
#: Links followed from a changed resource towards the plans it counts in (the dashboard's, then
#: those of the plan's panels, ``planpanels.py``): subject -> object.
_UP = tuple(dict.fromkeys(
    (IN_PLAN, OF_COMMITMENT, ASSESSES, COMMENT_ON, SUBMITTED_AT, FOR_PLAN, *planpanels.UP)))
#: ... and object -> subject.
_DOWN = tuple(dict.fromkeys((HAS_COMMITMENT, HAS_MILESTONE, DERIVED_FROM, *planpanels.DOWN)))


class _Facts:
    """Lookups over the ``facts`` table, deduplicated over graphs."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def objects(self, s: str, p: str, *, iri: bool | None = None) -> list[str]:
        sql = "SELECT DISTINCT o FROM facts WHERE s = ? AND p = ?"
        if iri is not None:
            sql += " AND lit = 0" if iri else " AND lit = 1"
        return sorted(r[0] for r in self.db.execute(sql + " ORDER BY o", (s, p)))

    def literal(self, s: str, p: str) -> list[Any] | None:
        row = self.db.execute(
            "SELECT o, lang, dt FROM facts WHERE s = ? AND p = ? AND lit = 1 "
            "ORDER BY o, lang, dt LIMIT 1",
            (s, p),
        ).fetchone()
        return list(row) if row else None

    def subjects(self, p: str, o: str) -> list[str]:
        return sorted(
            r[0] for r in self.db.execute("SELECT DISTINCT s FROM facts WHERE p = ? AND o = ?",
                                          (p, o))
        )


def compute(db: sqlite3.Connection, plan: str) -> dict[str, Any]:
    """The dashboard numbers of ``plan`` (JSON-ready)."""
    f = _Facts(db)
    every = sorted(set(f.subjects(IN_PLAN, plan)) | set(f.objects(plan, HAS_COMMITMENT, iri=True)))
    commitments = [
        c for c in every if not any(s in GONE_STATUSES for s in f.objects(c, STATUS))
    ]
    themes: dict[str, int] = defaultdict(int)
    without = 0
    milestones: list[tuple[str, str]] = []  # (due year or "", level)
    for c in commitments:
        ts = f.objects(c, THEME, iri=True)
        for t in ts:
            themes[t] += 1
        if not ts:
            without += 1
        ms = sorted(set(f.subjects(OF_COMMITMENT, c)) | set(f.objects(c, HAS_MILESTONE, iri=True)))
        for m in ms:
            end = f.literal(m, END)
            level = _completion(f, m)
            milestones.append((end[0][:4] if end else "", level))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for key in milestones:
        counts[key] += 1
    meetings = f.subjects(FOR_PLAN, plan)
    invited = {o for m in meetings for o in f.objects(m, INVITED)}
    proposals = {p for m in meetings for p in f.subjects(SUBMITTED_AT, m)}
    proposals |= {o for c in commitments for o in f.objects(c, DERIVED_FROM)}
    proposed = {o for p in proposals for o in f.objects(p, PROPOSED_BY)}
    commented: set[str] = set()
    for t in set(commitments) | proposals:
        for x in f.subjects(COMMENT_ON, t):
            commented |= set(f.objects(x, COMMENT_BY))
    lead = {o for c in commitments for o in f.objects(c, LEAD)}
    ident = f.literal(plan, DCT + "identifier")
    status = f.objects(plan, STATUS, iri=True)
    return {
        "identifier": ident[0] if ident else None,
        "start": f.literal(plan, START),
        "end": f.literal(plan, END),
        "status": status[0] if status else None,
        "commitments": len(commitments),
        "themes": dict(sorted(themes.items())),
        "without_theme": without,
        "milestones": len(milestones),
        "completion": sorted([y, lv, n] for (y, lv), n in counts.items()),
        "participants": {
            "invited": sorted(invited),
            "proposed": sorted(proposed),
            "commented": sorted(commented),
            "lead": sorted(lead),
        },
    }


def _completion(f: _Facts, milestone: str) -> str:
    own = f.objects(milestone, COMPLETION, iri=True)
    level: str | None = own[0] if own else None
    if level is None:  # the latest assessment that gives one
        best: tuple[str, str] | None = None
        for a in f.subjects(ASSESSES, milestone):
            for c in f.objects(a, COMPLETION):
                dates = [d for d in f.objects(a, ASSESSMENT_DATE, iri=False)] or [""]
                for d in dates:
                    if best is None or d > best[0]:
                        best = (d, c)
        level = best[1] if best else None
    return level if level in COMPLETION_LEVELS else NOT_ASSESSED


def _plans(db: sqlite3.Connection) -> set[str]:
    return {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT s FROM facts WHERE p = ? AND o = ? AND lit = 0",
            (RDF_TYPE, str(OGP.ActionPlan)),
        )
    }


def every_plan(db: sqlite3.Connection) -> set[str]:
    """Every plan of the revision the views show, and every resource the ``plans`` view still
    has numbers for (one that is no longer a plan gets them closed by :func:`store_plans`)."""
    return _plans(db) | {r[0] for r in db.execute("SELECT plan FROM plans")}


def plans_of(db: sqlite3.Connection, touched: Iterable[str], *, include_removed: bool) -> set[str]:
    """The plans whose numbers may depend on any of ``touched`` (resources whose statements a
    commit changed), found by following the links towards the plans; with ``include_removed``
    also every touched resource that the ``plans`` table has (a plan that is no more)."""
    seen = set(touched)
    frontier = set(seen)
    for _ in range(6):  # comment -> proposal -> commitment / meeting -> plan: a few steps
        nxt: set[str] = set()
        for x in frontier:
            for p in _UP:
                nxt.update(r[0] for r in db.execute(
                    "SELECT o FROM facts WHERE s = ? AND p = ? AND lit = 0", (x, p)))
            for p in _DOWN:
                nxt.update(r[0] for r in db.execute(
                    "SELECT s FROM facts WHERE p = ? AND o = ?", (p, x)))
        frontier = nxt - seen
        seen |= frontier
        if not frontier:
            break
    found = seen & _plans(db)
    if include_removed:
        found |= {
            x for x in seen
            if db.execute("SELECT 1 FROM plans WHERE plan = ?", (x,)).fetchone()
        }
    return found


def store_plans(
    db: sqlite3.Connection,
    plans: Iterable[str],
    revision: int,
    store: planpanels.Queryable | None = None,
) -> None:
    """Recompute the numbers of ``plans`` as of ``revision`` (the connection's views show it,
    ``digest.at_revision``) and keep them stamped from it; a plan whose numbers did not change
    keeps its row, one that is no longer a plan gets its row closed. With ``store`` (the
    revision's content) also the rows its panels read (``planpanels.py``, table ``panels``)."""
    existing = _plans(db)
    for plan in sorted(set(plans)):
        data = (
            json.dumps(compute(db, plan), ensure_ascii=False, sort_keys=True)
            if plan in existing
            else None
        )
        keep(db, "plans", plan, data, revision)
        if store is not None:
            rows = (
                json.dumps(planpanels.compute(store, plan), ensure_ascii=False, sort_keys=True)
                if plan in existing
                else None
            )
            keep(db, "panels", plan, rows, revision)


def keep(
    db: sqlite3.Connection,
    table: str,
    key: str,
    data: str | None,
    revision: int,
    *,
    column: str = "plan",
) -> bool:
    """Make ``table``'s row of ``key`` (in ``column``) at ``revision`` hold ``data`` (None: no
    row), stamped from ``revision`` (the digest's ``plans``, ``panels`` and ``blanks``); True
    if it changed."""
    row = db.execute(
        f"SELECT rowid, data, r0 FROM main.{table} WHERE {column} = ? AND r0 <= ? AND r1 > ?",
        (key, revision, revision),
    ).fetchone()
    if row is not None and row[1] == data:
        return False
    if row is not None:
        if row[2] == revision:
            db.execute(f"DELETE FROM main.{table} WHERE rowid = ?", (row[0],))
        else:
            db.execute(f"UPDATE main.{table} SET r1 = ? WHERE rowid = ?", (revision, row[0]))
    if data is not None:
        db.execute(
            f"INSERT INTO main.{table} ({column}, data, r0, r1) VALUES (?, ?, ?, ?)",
            (key, data, revision, 1 << 62),
        )
    return True


def store_all(
    db: sqlite3.Connection, revision: int, store: planpanels.Queryable | None = None
) -> None:
    """Compute and store the numbers of every plan (of a digest being built from scratch),
    and with ``store`` the rows of its panels."""
    store_plans(db, _plans(db), revision, store)


def load(db: sqlite3.Connection, plan: str) -> dict[str, Any] | None:
    row = db.execute("SELECT data FROM plans WHERE plan = ?", (plan,)).fetchone()
    if row is None:
        return None
    data: dict[str, Any] = json.loads(row[0])
    return data
