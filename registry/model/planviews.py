"""Plans and commitments as the pages show them: a commitment's milestones as a timeline with
their completion, its progress assessments side by side, its proposals and comments; the plans
with their periods and statuses; and the numbers behind a plan's dashboard.

Built on :class:`registry.model.resources.Resources` (labels, links, the per-revision index);
every read goes through :meth:`registry.handle.RegistryHandle.query` with values bound, never
formatted in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox

from registry.i18n import N_, Lang, gettext
from registry.model import planagg
from registry.model.description import Node, Term, node_sort_key
from registry.model.resources import Resources
from registry.model.terms import DCT, GONE_STATUSES, SCHEMA
from registry.model.text import Text, date_key, lang_rank, literal_text, pick
from registry.namespaces import OGP

#: Completion levels in order (vocab:completion), and "not assessed".
COMPLETION_LEVELS, NOT_ASSESSED = planagg.COMPLETION_LEVELS, planagg.NOT_ASSESSED
#: The participation chart's bars (msgids).
_ROLE_LABELS: dict[str, str] = {
    "invited": N_("Invited"),
    "proposed": N_("Proposed"),
    "commented": N_("Commented"),
    "lead": N_("Lead commitments"),
    "invited-took-part": N_("Invited and took part"),
}


# -- page-level records --------------------------------------------------------------------
@dataclass
class Milestone:
    node: Node
    position: int | None
    start: Text | None
    end: Text | None
    end_raw: str | None
    completion: Node | None  # from the milestone, else from its latest assessment
    completion_from: str  # "milestone", "assessment" or ""
    deliverables: list[Text]


@dataclass
class Assessment:
    node: Node
    target: Node
    kind: Node | None
    by: Node | None
    date: Text | None
    date_raw: str | None
    completion: Node | None
    potential_impact: Node | None
    specificity: Node | None
    opened_government: Node | None
    starred: Text | None
    description: Text | None


@dataclass
class CommentView:
    node: Node
    by: Node | None
    on: Node | None
    date: Text | None
    date_raw: str | None
    text: Text | None
    reply_to: Node | None


@dataclass
class ProposalView:
    node: Node
    by: Node | None
    date: Text | None
    themes: list[Node]


@dataclass
class PlanSummary:
    node: Node
    identifier: str
    start: Text | None
    end: Text | None
    start_raw: str | None
    status: Node | None
    commitments: int


@dataclass
class CommitmentRow:
    node: Node
    identifier: str
    lead: Node | None
    status: Node | None
    themes: list[Node]


@dataclass
class Bar:
    """One category of a chart and its count."""

    key: str
    label: Text
    value: int
    node: Node | None = None


@dataclass
class Series:
    """One series of a stacked chart: its key, label and one value per category."""

    key: str
    label: Text
    values: list[int]


@dataclass
class Dashboard:
    plan: PlanSummary
    themes: list[Bar]  # commitments per theme
    commitments: int
    milestone_years: list[str]  # categories of the completion chart
    milestone_series: list[Series]  # completion level -> milestones per year
    milestones: int
    participation: list[Bar]
    participants: dict[str, list[Node]]  # role -> organisations


class PlanViews:
    """The plan and commitment views of one registry (wraps its :class:`Resources`)."""

    def __init__(self, res: Resources) -> None:
        self.res = res

    # -- commitments ----------------------------------------------------------------------------
    def milestones(self, commitment: str, lang: Lang) -> list[Milestone]:
        """The commitment's milestones in order, each with its completion: its own
        ``ogp:completion``, else that of its most recent assessment."""
        rows = self.res.select(
            "SELECT ?c ?m WHERE { { ?m ogp:ofCommitment ?c } UNION { ?c ogp:hasMilestone ?m } }",
            c=ox.NamedNode(commitment),
        )
        found: list[Milestone] = []
        for m_iri in dict.fromkeys(r["m"].value for r in rows if isinstance(r["m"], ox.NamedNode)):
            found.append(self._milestone(m_iri, lang))
        found.sort(key=lambda m: (m.position or 10**6, date_key(m.end_raw), m.node.iri))
        return found

    def _milestone(self, iri: str, lang: Lang) -> Milestone:
        props = self.res.outgoing(iri)
        pos = _first_literal(props, SCHEMA + "position")
        start = _first_literal(props, SCHEMA + "startDate")
        end = _first_literal(props, SCHEMA + "endDate")
        completion = _first_iri(props, str(OGP.completion))
        source = "milestone" if completion else ""
        if completion is None:
            latest = self._latest_assessed_completion(iri)
            if latest:
                completion, source = latest, "assessment"
        deliverables = [
            literal_text(o, lang)
            for o in props.get(str(OGP.deliverable), [])
            if isinstance(o, ox.Literal)
        ]
        if deliverables:  # the texts in the best language available
            best = min(lang_rank(d.lang, lang) for d in deliverables)
            deliverables = [d for d in deliverables if lang_rank(d.lang, lang) == best]
        return Milestone(
            node=self.res.node(iri, lang),
            position=int(pos.value) if pos is not None and pos.value.isdigit() else None,
            start=literal_text(start, lang) if start is not None else None,
            end=literal_text(end, lang) if end is not None else None,
            end_raw=end.value if end is not None else None,
            completion=self.res.node(completion, lang) if completion else None,
            completion_from=source,
            deliverables=deliverables,
        )

    def _latest_assessed_completion(self, target: str) -> str | None:
        rows = self.res.select(
            """SELECT ?t ?date ?c WHERE {
                 ?a ogp:assesses ?t ; ogp:completion ?c .
                 OPTIONAL { ?a ogp:assessmentDate ?date }
               }""",
            t=ox.NamedNode(target),
        )
        best: tuple[str, str] | None = None
        for r in rows:
            d = r["date"].value if r["date"] is not None else ""
            if best is None or d > best[0]:
                best = (d, r["c"].value)
        return best[1] if best else None

    def assessments(
        self, target: str, lang: Lang, *, with_milestones: bool = True
    ) -> list[Assessment]:
        """Progress assessments of ``target`` (and, for a commitment, of its milestones), by
        date; each with who made it."""
        targets = [target]
        if with_milestones:
            targets += [m.node.iri for m in self.milestones(target, lang)]
        out: list[Assessment] = []
        for t in targets:
            rows = self.res.select("SELECT ?t ?a WHERE { ?a ogp:assesses ?t }", t=ox.NamedNode(t))
            for a_iri in dict.fromkeys(
                r["a"].value for r in rows if isinstance(r["a"], ox.NamedNode)
            ):
                props = self.res.outgoing(a_iri)
                date = _first_literal(props, str(OGP.assessmentDate))
                starred = _first_literal(props, str(OGP.starred))
                out.append(
                    Assessment(
                        node=self.res.node(a_iri, lang),
                        target=self.res.node(t, lang),
                        kind=self._opt_node(props, str(OGP.assessmentKind), lang),
                        by=self._opt_node(props, str(OGP.assessedBy), lang),
                        date=literal_text(date, lang) if date is not None else None,
                        date_raw=date.value if date is not None else None,
                        completion=self._opt_node(props, str(OGP.completion), lang),
                        potential_impact=self._opt_node(props, str(OGP.potentialImpact), lang),
                        specificity=self._opt_node(props, str(OGP.specificity), lang),
                        opened_government=self._opt_node(props, str(OGP.openedGovernment), lang),
                        starred=literal_text(starred, lang) if starred is not None else None,
                        description=_pick_prop(props, DCT + "description", lang),
                    )
                )
        out = merge_same_assessments(out)
        out.sort(key=lambda a: (a.target.iri != target, date_key(a.date_raw), a.node.iri))
        return out

    def comments(self, target: str, lang: Lang) -> list[CommentView]:
        """Comments on a proposal or commitment, oldest first."""
        rows = self.res.select("SELECT ?t ?c WHERE { ?c ogp:commentOn ?t }", t=ox.NamedNode(target))
        out = [self._comment(r["c"].value, lang) for r in rows if isinstance(r["c"], ox.NamedNode)]
        out = list({c.node.iri: c for c in out}.values())
        out.sort(key=lambda c: (date_key(c.date_raw), c.node.iri))
        return out

    def _comment(self, iri: str, lang: Lang) -> CommentView:
        props = self.res.outgoing(iri)
        date = _first_literal(props, DCT + "date")
        return CommentView(
            node=self.res.node(iri, lang),
            by=self._opt_node(props, str(OGP.commentBy), lang),
            on=self._opt_node(props, str(OGP.commentOn), lang),
            date=literal_text(date, lang) if date is not None else None,
            date_raw=date.value if date is not None else None,
            text=_pick_prop(props, DCT + "description", lang),
            reply_to=self._opt_node(props, str(OGP.isResponseTo), lang),
        )

    def comments_by(self, org: str, lang: Lang) -> list[CommentView]:
        rows = self.res.select("SELECT ?o ?c WHERE { ?c ogp:commentBy ?o }", o=ox.NamedNode(org))
        out = [self._comment(r["c"].value, lang) for r in rows if isinstance(r["c"], ox.NamedNode)]
        out = list({c.node.iri: c for c in out}.values())
        out.sort(key=lambda c: (date_key(c.date_raw), c.node.iri))
        return out

    def proposals(self, iris: Iterable[str], lang: Lang) -> list[ProposalView]:
        out = []
        for iri in dict.fromkeys(iris):
            props = self.res.outgoing(iri)
            date = _first_literal(props, DCT + "dateSubmitted")
            out.append(
                ProposalView(
                    node=self.res.node(iri, lang),
                    by=self._opt_node(props, str(OGP.proposedBy), lang),
                    date=literal_text(date, lang) if date is not None else None,
                    themes=[
                        self.res.node(t.value, lang)
                        for t in props.get(str(OGP.theme), [])
                        if isinstance(t, ox.NamedNode)
                    ],
                )
            )
        return out

    def _opt_node(self, props: dict[str, list[Term]], predicate: str, lang: Lang) -> Node | None:
        iri = _first_iri(props, predicate)
        return self.res.node(iri, lang) if iri else None

    # -- plans and dashboard ----------------------------------------------------------------------
    # The numbers come from the revision's digest (registry/model/planagg.py), which the commit
    # keeps up to date; only labels are looked up here.
    def _plan_data(self, plan: str) -> dict[str, Any]:
        digest = self.res.digest()
        data = digest.plan_data(plan) if digest else None
        return data if data is not None else _EMPTY_PLAN

    def plans(self, lang: Lang) -> list[PlanSummary]:
        """Every action plan with its period, status and number of commitments, newest first."""
        digest = self.res.digest()
        out = [self.plan_summary(p, lang) for p in (digest.plan_iris() if digest else [])]
        out.sort(key=lambda p: (p.start_raw or "", p.node.iri), reverse=True)
        return out

    def plan_summary(self, plan: str, lang: Lang) -> PlanSummary:
        data = self._plan_data(plan)
        start, end = _literal(data["start"]), _literal(data["end"])
        return PlanSummary(
            node=self.res.node(plan, lang),
            identifier=data["identifier"] or plan.rsplit("/", 1)[-1],
            start=literal_text(start, lang) if start is not None else None,
            end=literal_text(end, lang) if end is not None else None,
            start_raw=start.value if start is not None else None,
            status=self.res.node(data["status"], lang) if data["status"] else None,
            commitments=int(data["commitments"]),
        )

    def active_commitments_of(self, plan: str) -> list[str]:
        """The plan's commitments that are not withdrawn or superseded (what the plan's
        numbers count)."""
        out = []
        for c in self.commitments_of(plan):
            status = self.res.outgoing(c).get(str(OGP.registryStatus), [])
            if not any(o.value in GONE_STATUSES for o in status):
                out.append(c)
        return out

    def commitments_of(self, plan: str) -> list[str]:
        """Every commitment of the plan (either direction of the link), any status."""
        rows = self.res.select(
            """SELECT ?plan ?c WHERE {
                 { ?c ogp:inActionPlan ?plan } UNION { ?plan ogp:hasCommitment ?c }
               }""",
            plan=ox.NamedNode(plan),
        )
        return sorted({r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)})

    def commitment_order(self, plan: str) -> list[str]:
        """Every commitment of the plan in the order of its list (identifier, IRI): from the
        digest, one indexed lookup per commitment, without reading their descriptions."""
        digest = self.res.digest()
        out: list[tuple[str, str]] = []
        for c in self.commitments_of(plan):
            rows = digest.rows(
                "SELECT o FROM facts WHERE s = ? AND p = ? AND lit = 1 ORDER BY o LIMIT 1",
                c, DCT + "identifier",
            ) if digest else []
            out.append((rows[0][0] if rows else c.rsplit("/", 1)[-1], c))
        return [c for _, c in sorted(out)]

    def commitment_rows(
        self, plan: str, lang: Lang, *, offset: int = 0, limit: int | None = None
    ) -> list[CommitmentRow]:
        """The rows of the plan's commitment list, ``limit`` of them from ``offset`` (all by
        default); only the rows asked for are read."""
        order = self.commitment_order(plan)
        chosen = order[offset:] if limit is None else order[offset : offset + limit]
        out = []
        for c in chosen:
            props = self.res.outgoing(c)
            ident = _first_literal(props, DCT + "identifier")
            out.append(
                CommitmentRow(
                    node=self.res.node(c, lang),
                    identifier=ident.value if ident is not None else c.rsplit("/", 1)[-1],
                    lead=self._opt_node(props, str(OGP.leadAgency), lang),
                    status=self._opt_node(props, str(OGP.registryStatus), lang),
                    themes=[
                        self.res.node(t.value, lang)
                        for t in props.get(str(OGP.theme), [])
                        if isinstance(t, ox.NamedNode)
                    ],
                )
            )
        return out

    def dashboard(self, plan: str, lang: Lang) -> Dashboard:
        """The numbers behind the plan's charts: commitments per theme, milestones per due year
        and completion, and participation (invited organisations against those that proposed,
        commented or lead commitments)."""
        data = self._plan_data(plan)
        summary = self.plan_summary(plan, lang)
        per_theme: dict[str, int] = data["themes"]
        notation = self._notations(per_theme)
        theme_bars = [
            Bar(t, self.res.node(t, lang).label or Text(t), n, self.res.node(t, lang))
            for t, n in sorted(
                per_theme.items(), key=lambda kv: (_notation_key(notation.get(kv[0], "")), kv[0])
            )
        ]
        if data["without_theme"]:
            theme_bars.append(
                Bar("none", Text(gettext(lang, N_("No theme")), lang), data["without_theme"])
            )
        # milestones per due year and completion level
        cells = {(y, lv): n for y, lv, n in data["completion"]}
        years = sorted({y for y, _ in cells if y})
        if any(not y for y, _ in cells):
            years.append("")
        levels = [*COMPLETION_LEVELS, NOT_ASSESSED]
        series = []
        for lv in levels:
            if lv == NOT_ASSESSED:
                label = Text(gettext(lang, N_("Not assessed")), lang)
            else:
                label = self.res.node(lv, lang).label or Text(lv.rsplit("/", 1)[-1])
            series.append(Series(lv, label, [cells.get((y, lv), 0) for y in years]))
        # participation
        participants: dict[str, list[str]] = dict(data["participants"])
        took_part = (
            set(participants["proposed"])
            | set(participants["commented"])
            | set(participants["lead"])
        )
        participants["invited-took-part"] = sorted(set(participants["invited"]) & took_part)
        nodes = {
            role: sorted((self.res.node(i, lang) for i in iris), key=node_sort_key)
            for role, iris in participants.items()
        }
        bars = [
            Bar(role, Text(gettext(lang, _ROLE_LABELS[role]), lang), len(nodes[role]))
            for role in ("invited", "proposed", "commented", "lead", "invited-took-part")
        ]
        return Dashboard(
            plan=summary,
            themes=theme_bars,
            commitments=int(data["commitments"]),
            milestone_years=years,
            milestone_series=series,
            milestones=int(data["milestones"]),
            participation=bars,
            participants=nodes,
        )

    def _notations(self, iris: Iterable[str]) -> dict[str, str]:
        digest = self.res.digest()
        out: dict[str, str] = {}
        for iri in iris:
            rows = digest.rows(
                "SELECT o FROM facts WHERE s = ? AND p = ? AND lit = 1 ORDER BY o LIMIT 1",
                iri, SKOS_NOTATION,
            ) if digest else []
            if rows:
                out[iri] = rows[0][0]
        return out


#: The ratings of an assessment: one value each, so two assessments that give different ones
#: are two assessments, never merged.
_RATINGS = ("completion", "potential_impact", "specificity", "opened_government", "starred")


def _filled(a: Assessment) -> int:
    return sum(getattr(a, f) is not None for f in (*_RATINGS, "description", "by"))


def merge_same_assessments(found: list[Assessment]) -> list[Assessment]:
    """One assessment per real assessment: sources that mint their own IRIs for the same one
    (a ministry's sheet ``NO0055-irm-2023``, the bundled ``NO0055-irm-results-report-2019-2022``)
    describe the same target, kind, assessor and date. Those are shown once: the one that
    gives the most, its missing fields filled from the others. Undated assessments, and
    assessments whose ratings disagree, stay apart (docs/pages.md)."""
    groups: dict[tuple[str, str, str, str], list[Assessment]] = {}
    out: list[Assessment] = []
    for a in found:
        if not a.date_raw or a.kind is None:
            out.append(a)
            continue
        key = (a.target.iri, a.kind.iri, a.by.iri if a.by else "", a.date_raw)
        groups.setdefault(key, []).append(a)
    for group in groups.values():
        group.sort(key=lambda a: (-_filled(a), a.node.iri))
        merged: list[Assessment] = []
        for a in group:
            into = next((m for m in merged if _agree(m, a)), None)
            if into is None:
                merged.append(replace(a))
                continue
            for f in (*_RATINGS, "description", "by"):
                if getattr(into, f) is None:
                    setattr(into, f, getattr(a, f))
        out.extend(merged)
    return out


def _agree(a: Assessment, b: Assessment) -> bool:
    """No rating that both give differs."""
    for f in _RATINGS:
        x, y = getattr(a, f), getattr(b, f)
        if x is not None and y is not None and _rating_key(x) != _rating_key(y):
            return False
    return True


def _rating_key(v: Node | Text) -> str:
    return v.iri if isinstance(v, Node) else v.value


SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
_EMPTY_PLAN: dict[str, Any] = {
    "identifier": None, "start": None, "end": None, "status": None, "commitments": 0,
    "themes": {}, "without_theme": 0, "milestones": 0, "completion": [],
    "participants": {"invited": [], "proposed": [], "commented": [], "lead": []},
}


def _literal(cell: list[Any] | None) -> ox.Literal | None:
    """A literal kept in the digest as [value, language, datatype]."""
    if not cell:
        return None
    value, tag, dt = cell
    if tag:
        return ox.Literal(value, language=tag)
    return ox.Literal(value, datatype=ox.NamedNode(dt)) if dt else ox.Literal(value)


def _first_literal(props: dict[str, list[Term]], predicate: str) -> ox.Literal | None:
    return next((o for o in props.get(predicate, []) if isinstance(o, ox.Literal)), None)


def _first_iri(props: dict[str, list[Term]], predicate: str) -> str | None:
    return next((o.value for o in props.get(predicate, []) if isinstance(o, ox.NamedNode)), None)


def _pick_prop(props: dict[str, list[Term]], predicate: str, lang: Lang) -> Text | None:
    lits = [o for o in props.get(predicate, []) if isinstance(o, ox.Literal)]
    return pick(((o.value, o.language) for o in lits), lang)


def _notation_key(n: str) -> tuple[tuple[int, ...], str]:
    parts = []
    for p in n.split("."):
        if not p.isdigit():
            return ((10**6,), n)
        parts.append(int(p))
    return (tuple(parts), n)
