"""Honest figures (issue 19): what the registry knows about taking part and about progress, and
what it does not know, each with what it rests on.

* **Participation** of the organisations invited to a plan's meetings, in three values:
  ``took-part`` (the registry records that it proposed, commented, attended one of the plan's
  meetings or leads one of its commitments: each such record is a source), ``did-not`` (it is
  missing from the attendance list of a meeting it was invited to, and nothing records that it
  took part: the attendance lists are the sources) and ``unknown`` (no attendance list of its
  meetings is recorded and nothing records that it took part). An organisation without a record
  is never counted as not taking part: the data may simply not say.
* **Progress**: a commitment's implementation progress is the completion level
  (``ogp:completion``, the IRM's scale) of its latest assessment that gives one, with that
  assessment as the source; without one it is unknown. This is not the registry status
  (``ogp:registryStatus``: where the entry stands in its life cycle, e.g. "completed" when the
  plan period is over).

Every read starts from the plan (``registry.model.planpanels.for_plan``: a ``VALUES`` row
serialised by pyoxigraph, never text pasted in) and its meetings and commitments, so the work
grows with the plan, not with the registry; the commit keeps the answers in the revision's
digest (``planpanels.py``), so a page reads them back instead of asking the store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from registry.i18n import Lang
from registry.model.description import Node, node_sort_key
from registry.model.planpanels import Row
from registry.model.resources import Resources
from registry.model.text import Text
from registry.namespaces import VOCAB_NS

#: The three values of participation, in the order they are shown.
TOOK_PART, DID_NOT, UNKNOWN = "took-part", "did-not", "unknown"
STATES: tuple[str, ...] = (TOOK_PART, DID_NOT, UNKNOWN)
#: What a "took part" rests on, in the order they are named.
EVIDENCE: tuple[str, ...] = ("attended", "proposed", "commented", "leads")
#: Completion levels in order (vocab:completion); a commitment without one is "unknown".
LEVELS: tuple[str, ...] = tuple(
    VOCAB_NS + "completion/" + c for c in ("not-started", "limited", "substantial", "complete")
)

@dataclass
class Participant:
    """One invited organisation: its state and what the state rests on."""

    node: Node
    state: str
    evidence: list[str] = field(default_factory=list)  # EVIDENCE keys (took part)
    absent_from: list[Node] = field(default_factory=list)  # attendance lists (did not)


@dataclass
class Participation:
    """The invited organisations of one plan in three values."""

    invited: list[Participant]
    meetings: list[Node]  # the plan's meetings with invitations
    with_attendance: list[Node]  # ... of which the attendance list is recorded

    def of(self, state: str) -> list[Participant]:
        return [p for p in self.invited if p.state == state]

    def counts(self) -> dict[str, int]:
        return {s: len(self.of(s)) for s in STATES}

    def evidence_counts(self) -> dict[str, int]:
        """How many of those that took part each kind of record shows."""
        return {e: sum(1 for p in self.of(TOOK_PART) if e in p.evidence) for e in EVIDENCE}


def _iris(rows: Iterable[Row], var: str) -> set[str]:
    return {r[var].value for r in rows if isinstance(r[var], ox.NamedNode)}


def participation(res: Resources, plan: str, lang: Lang) -> Participation:
    """The organisations invited to ``plan``'s meetings, each took part / did not / unknown."""
    invited_to: dict[str, set[str]] = defaultdict(set)  # org -> meetings
    for r in res.plan_rows(plan, "invited"):
        if isinstance(r["o"], ox.NamedNode):
            invited_to[r["o"].value].add(r["m"].value)
    attended: dict[str, set[str]] = defaultdict(set)  # meeting -> attendees
    for r in res.plan_rows(plan, "attended"):
        if isinstance(r["o"], ox.NamedNode):
            attended[r["m"].value].add(r["o"].value)
    proposed = _iris(res.plan_rows(plan, "proposed"), "o")
    commented = _iris(res.plan_rows(plan, "commented"), "o")
    leads = _iris(res.plan_rows(plan, "leads"), "o")  # of commitments not gone
    attendees = {o for found in attended.values() for o in found}
    out: list[Participant] = []
    for org, meetings in invited_to.items():
        evidence = [
            key
            for key, found in (
                ("attended", attendees),
                ("proposed", proposed),
                ("commented", commented),
                ("leads", leads),
            )
            if org in found
        ]
        node = res.node(org, lang)
        if evidence:
            out.append(Participant(node, TOOK_PART, evidence))
            continue
        lists = sorted(m for m in meetings if m in attended)
        if lists:
            out.append(
                Participant(node, DID_NOT, absent_from=[res.node(m, lang) for m in lists])
            )
        else:
            out.append(Participant(node, UNKNOWN))
    out.sort(key=lambda x: (STATES.index(x.state), node_sort_key(x.node)))
    all_meetings = sorted({m for ms in invited_to.values() for m in ms})
    return Participation(
        invited=out,
        meetings=[res.node(m, lang) for m in all_meetings],
        with_attendance=[res.node(m, lang) for m in all_meetings if m in attended],
    )


# -- progress ----------------------------------------------------------------------------------
class _Assessed(Protocol):
    """What :func:`commitment_progress` reads of an assessment (planviews.Assessment)."""

    node: Node
    target: Node
    date: Text | None
    date_raw: str | None
    completion: Node | None
    kind: Node | None
    by: Node | None


class _Milestoned(Protocol):
    completion: Node | None


@dataclass
class Progress:
    """A commitment's implementation progress: the completion level of its latest assessment
    that gives one (None: unknown), that assessment, and its milestones' completion."""

    level: Node | None
    source: _Assessed | None
    milestones: int
    milestones_by_level: dict[str, int]
    milestones_unknown: int


def commitment_progress(
    commitment: str, assessments: Sequence[_Assessed], milestones: Sequence[_Milestoned]
) -> Progress:
    """Progress from what the commitment page already read (its assessments and milestones)."""
    own = [a for a in assessments if a.target.iri == commitment and a.completion is not None]
    latest = max(own, key=lambda a: (a.date_raw or "", a.node.iri), default=None)
    by_level: dict[str, int] = {}
    unknown = 0
    for m in milestones:
        if m.completion is None or m.completion.iri not in LEVELS:
            unknown += 1
        else:
            by_level[m.completion.iri] = by_level.get(m.completion.iri, 0) + 1
    return Progress(
        level=latest.completion if latest else None,
        source=latest,
        milestones=len(milestones),
        milestones_by_level=by_level,
        milestones_unknown=unknown,
    )


@dataclass
class PlanProgress:
    """How many of a plan's commitments are at each completion level (their latest assessment
    that gives one), and how many are unknown."""

    commitments: int
    levels: list[tuple[Node, int]]
    unknown: int
    assessors: list[Node]  # who made the assessments counted


def plan_progress(res: Resources, plan: str, lang: Lang) -> PlanProgress:
    """The plan's commitments (not withdrawn or superseded) by implementation progress."""
    active = _iris(res.plan_rows(plan, "commitments"), "c")
    latest: dict[str, tuple[str, str, str]] = {}  # commitment -> (date, assessment, level)
    by: dict[str, set[str]] = defaultdict(set)  # assessment -> who made it
    for r in res.plan_rows(plan, "assessed"):
        c, level = r["c"].value, r["level"].value
        if c not in active or level not in LEVELS:
            continue
        if isinstance(r["by"], ox.NamedNode):
            by[r["a"].value].add(r["by"].value)
        key = (r["date"].value if r["date"] is not None else "", r["a"].value, level)
        if c not in latest or key > latest[c]:
            latest[c] = key
    counts = {lv: 0 for lv in LEVELS}
    for _, _, lv in latest.values():
        counts[lv] += 1
    assessors = {o for _, a, _ in latest.values() for o in by[a]}
    return PlanProgress(
        commitments=len(active),
        levels=[(res.node(lv, lang), counts[lv]) for lv in LEVELS],
        unknown=len(active) - len(latest),
        assessors=sorted((res.node(a, lang) for a in assessors), key=node_sort_key),
    )
