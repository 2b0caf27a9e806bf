"""After all rows: every reference resolved (in the submission or the registry), one action
plan per submission, the OGP ids unique in the registry, and the shapes' SHACL-SPARQL date
rules evaluated here, with the shapes' own messages (docs/performance.md)."""

from __future__ import annotations

from urllib.parse import unquote

import pyoxigraph as ox

from loaders.build.dates import PartialDate, parse_date
from loaders.build.state import END, START, BuilderState
from loaders.columns import shape_message
from loaders.issues import issue
from registry.i18n import N_, Lines, Msg, msg, msg_n
from registry.namespaces import OGP, OGPSH

_MEETINGS = tuple(
    str(c) for c in (OGP.Meeting, OGP.ConsultationMeeting, OGP.FollowUpMeeting,
                     OGP.EvaluationMeeting)
)
_REF_CLASSES: dict[str, tuple[str, ...]] = {
    "plan": (str(OGP.ActionPlan),),
    "commitment": (str(OGP.Commitment),),
    "proposal": (str(OGP.Proposal),),
    "meeting": _MEETINGS,
    "comment": (str(OGP.Comment),),
    "milestone": (str(OGP.Milestone),),
}
_MILESTONE = str(OGP.Milestone)
_COMMITMENT = str(OGP.Commitment)
_OF_COMMITMENT = str(OGP.ofCommitment)
_IN_ACTION_PLAN = str(OGP.inActionPlan)
#: What a reference points to, in the message for one that points nowhere.
_REF_NAMES = {
    "plan": N_("action plan"),
    "commitment": N_("commitment"),
    "proposal": N_("proposal"),
    "meeting": N_("meeting"),
    "comment": N_("comment"),
    "milestone": N_("milestone"),
}


class Checks(BuilderState):
    """The builder's part that checks the whole submission once its rows are read."""

    @property
    def _by_subject(self) -> dict[str, list[ox.Triple]]:
        if self._by_subject_cache is None:
            idx: dict[str, list[ox.Triple]] = {}
            for tr in self.b.triples:
                if isinstance(tr.subject, ox.NamedNode):
                    idx.setdefault(tr.subject.value, []).append(tr)
            self._by_subject_cache = idx
        return self._by_subject_cache

    # -- after all rows ----------------------------------------------------------------------
    def _resolve_refs(self) -> None:
        for r in self.pending:
            classes = _REF_CLASSES[r.ref]
            local = self.b.types.get(r.iri)
            if local is not None and local in classes:
                continue
            if self.refs.has_type(r.iri, classes):
                continue
            if r.ref == "plan":
                known = self.refs.plan_ids()
                message = msg(
                    "No action plan \"{value}\" in the submission or in the registry. Known "
                    "action plans: {known}. Correct the reference, or register the plan: with "
                    "a plans submission (ogpreg template --kind plans), loaded first, or on the "
                    "sheet \"{sheet}\" of this workbook.",
                    value=r.text,
                    known=", ".join(known) if known else msg("(none)"),
                    sheet=Msg.texts(nb="Handlingsplaner", en="Action plans"),
                )
            else:
                message = msg(
                    "No {what} \"{value}\" in the submission or in the registry. Correct the "
                    "reference, or submit what it points to first.",
                    what=msg(_REF_NAMES[r.ref]),
                    value=r.text,
                )
            self.problem(
                message,
                table=r.table,
                row=r.row,
                key=r.key,
                value=r.text,
                focus=r.subject,
            )

    # -- the shapes' SHACL-SPARQL date rules, evaluated here (docs/performance.md) ---------
    def _registry_dates(self, iri: str) -> dict[str, PartialDate]:
        out: dict[str, PartialDate] = {}
        for path in (START, END):
            if (iri, path) in self.b.dates:
                out[path] = self.b.dates[(iri, path)]
                continue
            # a row of this submission without the date leaves the date other sources give
            # (the registry's own OGP data, say): the file replaces its own graph only
            for obj, _graph in self.refs.values(iri, path, exclude=self.exclude):
                lexical = getattr(obj, "value", "")
                try:
                    out[path] = parse_date(lexical)
                except ValueError:
                    continue
        return out

    def date_rules(self, exclude: str | None) -> None:
        """The shapes' date rules (ogpsh:EndNotBeforeStart, ogpsh:MilestoneWithinCommitment,
        ogpsh:CommitmentWithinPlan) with their own messages; registry dates are read outside
        ``exclude`` (the graph this submission replaces)."""
        self.exclude = exclude
        start, end = START, END
        limits_of: dict[str, dict[str, PartialDate]] = {}  # the registry does not change here
        for iri, (t, row) in self.b.subjects.items():
            own = {p: d for p in (start, end) if (d := self.b.dates.get((iri, p))) is not None}
            if start in own and end in own:  # ogpsh:EndNotBeforeStart
                e, b = own[end].lexical, own[start].lexical
                if e < b and not b.startswith(e):
                    self._rule(iri, t, row, end, e, "EndNotBeforeStart", "violation",
                               "DateOrderShape", start=b)
            cls = self.b.types.get(iri)
            if cls == _MILESTONE:
                parent, shape, ref_var = self._parent(iri, _OF_COMMITMENT)
                constraint, node_shape, severity = ("MilestoneWithinCommitment",
                                                    "MilestonePeriodShape", "violation")
            elif cls == _COMMITMENT:
                parent, shape, ref_var = self._parent(iri, _IN_ACTION_PLAN)
                constraint, node_shape, severity = ("CommitmentWithinPlan",
                                                    "CommitmentPeriodShape", "warning")
            else:
                continue
            if parent is None or not own:
                continue
            limits = limits_of.get(parent)
            if limits is None:
                limits = limits_of[parent] = self._registry_dates(parent)
            for path, v in own.items():
                for limit_path, lim in limits.items():
                    a, b = v.lexical, lim.lexical
                    outside = (a < b and not b.startswith(a)) if limit_path == start else (
                        a > b and not a.startswith(b))
                    if outside:  # the parent by its identifier, as the sheet names it
                        ident = self.b.labels.get(parent) or unquote(parent.rsplit("/", 1)[-1])
                        self._rule(iri, t, row, path, a, constraint, severity, node_shape,
                                   limit=b, **{ref_var: ident})
            _ = shape

    def _parent(self, iri: str, predicate: str) -> tuple[str | None, str, str]:
        for tr in self._by_subject.get(iri, ()):
            if tr.predicate.value == predicate and isinstance(tr.object, ox.NamedNode):
                var = "commitment" if predicate == _OF_COMMITMENT else "plan"
                return tr.object.value, predicate, var
        return None, predicate, ""

    def _rule(
        self, iri: str, t: int, row: int, path: str, value: str, constraint: str, severity: str,
        node_shape: str, **params: str,
    ) -> None:
        values = {"value": value, **params}
        key = "end_date" if path == END else "start_date"
        i = issue(
            Msg.texts(
                nb=shape_message(constraint, "nb", **values),
                en=shape_message(constraint, "en", **values),
            ),
            file=self.b.tables[t].file,
            severity=severity,
            focus=iri,
            path=path,
            value=value,
            shape=str(OGPSH[node_shape]),
        )
        i.constraint = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
        i.location = {k: v for k, v in self.b.tables[t].locate(row, key).items() if v is not None}
        self.b.issues.append(i)

    def _check_plan(self) -> None:
        """One action plan per submission: the plan most rows name, and each other plan
        reported once (at its first row, with how many rows name it)."""
        described = [iri for iri, cls in self.b.types.items() if cls == str(OGP.ActionPlan)
                     and iri not in self.b.provisional]
        if len(self.b.plans) <= 1 and not (self.b.plans and described):
            return
        counts = self.b.plans.most_common()
        tie = len(counts) > 1 and counts[0][1] == counts[1][1]
        main_plan = counts[0][0] if counts else ""
        if tie:
            named: list[Msg] = []
            for plan, n in counts:
                named.append(msg_n("{plan} ({n} row)", "{plan} ({n} rows)", n, plan=plan))
            t, row = self.b.plan_rows[counts[0][0]]
            self.problem(
                msg(
                    "A submission is for one action plan, and the rows name several: {plans}. "
                    "Send the commitments of each plan in a separate submission.",
                    plans=Lines(named, ", "),
                ),
                table=t, row=row, key="plan", value=counts[0][0],
            )
            return
        for plan, n in counts[1:]:
            t, row = self.b.plan_rows[plan]
            self.problem(
                msg_n(
                    "A submission is for one action plan, and most rows are for {main}; {n} row "
                    "is for {plan} (the first here). Send the commitments for {plan} in a "
                    "separate submission.",
                    "A submission is for one action plan, and most rows are for {main}; {n} rows "
                    "are for {plan} (the first here). Send the commitments for {plan} in a "
                    "separate submission.",
                    n, main=main_plan, plan=plan,
                ),
                table=t, row=row, key="plan", value=plan,
            )
        for iri in described:
            ident = self.b.labels.get(iri, iri)
            if main_plan and ident != main_plan:
                t, row = self.b.subjects[iri]
                self.problem(
                    msg(
                        "The sheet of action plans describes {plan}, and the commitments are "
                        "for {main}. A submission is for one action plan: describe {main} "
                        "here, or register {plan} in a submission of its own.",
                        plan=ident, main=main_plan,
                    ),
                    table=t, row=row, key="id", value=ident, focus=iri,
                )

    # -- the OGP ids, unique in the registry ------------------------------------------------
    def ogp_id_rules(self, exclude: str | None) -> None:
        """Each OGP id names one commitment in the registry: one given here that another
        commitment has (outside ``exclude``, the graph this submission replaces) is refused."""
        for ogp, (iri, t, row) in self.b.ogp_ids.items():
            for other, graph in self.refs.ogp_owners(ogp, exclude):
                if other == iri:
                    continue
                self.problem(
                    msg(
                        "The OGP ID {ogp} is already the OGP ID of the commitment {other} in the "
                        "registry (source {graph}). An OGP ID names one commitment: correct it, "
                        "or give this row that commitment's ID ({ident}) to update it.",
                        ogp=ogp, other=other, graph=graph,
                        ident=other.rsplit("/", 1)[-1],
                    ),
                    table=t, row=row, key="ogp_id", value=ogp, focus=iri,
                )
                break
