"""Plans and commitments as the pages show them: a commitment's milestones as a timeline with
their completion, its progress assessments side by side, its proposals and comments; the plans
with their periods and statuses; and the numbers behind a plan's dashboard.

Built on :class:`registry.model.resources.Resources` (labels, links, the per-revision index);
every read goes through :meth:`registry.handle.RegistryHandle.query` with values bound, never
formatted in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from registry.i18n import N_, Lang, gettext
from registry.model.description import Node, Term, node_sort_key
from registry.model.resources import Resources
from registry.model.terms import DCT, GONE_STATUSES, SCHEMA
from registry.model.text import Text, date_key, lang_rank, literal_text, pick
from registry.namespaces import OGP, VOCAB_NS

#: Completion levels in order (vocab:completion), and "not assessed".
COMPLETION_LEVELS: tuple[str, ...] = tuple(
    VOCAB_NS + "completion/" + c for c in ("not-started", "limited", "substantial", "complete")
)
NOT_ASSESSED = "not-assessed"
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
    def plans(self, lang: Lang) -> list[PlanSummary]:
        """Every action plan with its period, status and number of commitments, newest first."""
        rows = self.res.select("SELECT DISTINCT ?plan WHERE { ?plan a ogp:ActionPlan }")
        out = [self.plan_summary(r["plan"].value, lang) for r in rows]
        out.sort(key=lambda p: (p.start_raw or "", p.node.iri), reverse=True)
        return out

    def plan_summary(self, plan: str, lang: Lang) -> PlanSummary:
        props = self.res.outgoing(plan)
        start = _first_literal(props, SCHEMA + "startDate")
        end = _first_literal(props, SCHEMA + "endDate")
        ident = _first_literal(props, DCT + "identifier")
        return PlanSummary(
            node=self.res.node(plan, lang),
            identifier=ident.value if ident is not None else plan.rsplit("/", 1)[-1],
            start=literal_text(start, lang) if start is not None else None,
            end=literal_text(end, lang) if end is not None else None,
            start_raw=start.value if start is not None else None,
            status=self._opt_node(props, str(OGP.registryStatus), lang),
            commitments=len(self.active_commitments_of(plan)),
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

    def commitment_rows(self, plan: str, lang: Lang) -> list[CommitmentRow]:
        out = []
        for c in self.commitments_of(plan):
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
        out.sort(key=lambda r: (r.identifier, r.node.iri))
        return out

    def dashboard(self, plan: str, lang: Lang) -> Dashboard:
        """The numbers behind the plan's charts: commitments per theme, milestones per due year
        and completion, and participation (invited organisations against those that proposed,
        commented or lead commitments)."""
        summary = self.plan_summary(plan, lang)
        commitments = self.active_commitments_of(plan)
        # commitments per theme, in the theme scheme's order (notation), then "no theme"
        per_theme: dict[str, int] = defaultdict(int)
        without = 0
        for c in commitments:
            themes = {
                t.value
                for t in self.res.outgoing(c).get(str(OGP.theme), [])
                if isinstance(t, ox.NamedNode)
            }
            for t in themes:
                per_theme[t] += 1
            if not themes:
                without += 1
        notation = self._notations()
        theme_bars = [
            Bar(t, self.res.node(t, lang).label or Text(t), n, self.res.node(t, lang))
            for t, n in sorted(
                per_theme.items(), key=lambda kv: (_notation_key(notation.get(kv[0], "")), kv[0])
            )
        ]
        if without:
            theme_bars.append(
                Bar("none", Text(gettext(lang, N_("No theme")), lang), without)
            )
        # milestones per due year and completion level
        milestones = [m for c in commitments for m in self.milestones(c, lang)]
        years = sorted({(m.end_raw or "")[:4] for m in milestones if m.end_raw})
        if any(not m.end_raw for m in milestones):
            years.append("")
        levels = [*COMPLETION_LEVELS, NOT_ASSESSED]
        counts = {lv: [0] * len(years) for lv in levels}
        for m in milestones:
            year = (m.end_raw or "")[:4]
            level = (
                m.completion.iri if m.completion and m.completion.iri in counts else NOT_ASSESSED
            )
            counts[level][years.index(year)] += 1
        series = []
        for lv in levels:
            if lv == NOT_ASSESSED:
                label = Text(gettext(lang, N_("Not assessed")), lang)
            else:
                label = self.res.node(lv, lang).label or Text(lv.rsplit("/", 1)[-1])
            series.append(Series(lv, label, counts[lv]))
        # participation
        participants = self._participants(plan, commitments)
        invited = set(participants["invited"])
        took_part = (
            set(participants["proposed"])
            | set(participants["commented"])
            | set(participants["lead"])
        )
        participants["invited-took-part"] = sorted(invited & took_part)
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
            commitments=len(commitments),
            milestone_years=years,
            milestone_series=series,
            milestones=len(milestones),
            participation=bars,
            participants=nodes,
        )

    def _participants(self, plan: str, commitments: Sequence[str]) -> dict[str, list[str]]:
        p = ox.NamedNode(plan)
        invited = self.res.select(
            "SELECT ?plan ?org WHERE { ?m ogp:forActionPlan ?plan ; ogp:invited ?org }", plan=p
        )
        proposals: set[str] = set()
        for r in self.res.select(
            "SELECT ?plan ?p WHERE { ?m ogp:forActionPlan ?plan . ?p ogp:submittedAt ?m }", plan=p
        ):
            proposals.add(r["p"].value)
        for c in commitments:
            for o in self.res.outgoing(c).get(str(OGP.derivedFromProposal), []):
                proposals.add(o.value)
        proposed: set[str] = set()
        targets = set(commitments) | proposals
        for prop in proposals:
            for o in self.res.outgoing(prop).get(str(OGP.proposedBy), []):
                proposed.add(o.value)
        commented: set[str] = set()
        for t in targets:
            for r in self.res.select(
                "SELECT ?t ?org WHERE { ?c ogp:commentOn ?t ; ogp:commentBy ?org }",
                t=ox.NamedNode(t),
            ):
                commented.add(r["org"].value)
        lead: set[str] = set()
        for c in commitments:
            for o in self.res.outgoing(c).get(str(OGP.leadAgency), []):
                lead.add(o.value)
        return {
            "invited": sorted({r["org"].value for r in invited}),
            "proposed": sorted(proposed),
            "commented": sorted(commented),
            "lead": sorted(lead),
        }

    def _notations(self) -> dict[str, str]:
        rows = self.res.select("SELECT ?c ?n WHERE { ?c skos:notation ?n }")
        return {r["c"].value: r["n"].value for r in rows}


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
