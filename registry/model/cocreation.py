"""The evidence for OGP's Participation and Co-Creation Standards for one plan (issue 21).

For each minimum requirement (:data:`REQUIREMENTS`) the registry gathers what it holds and
computes a verdict from it: ``met``, ``not-met`` or ``not-recorded``. The rule throughout
(docs/co-creation.md): **"not met" only from what the registry holds** — recorded meetings
with a gap of more than six months, an invitation sent less than two weeks before its meeting,
proposals still waiting after the plan was approved, a half-year without updates while the
registry kept its history. Where nothing of a kind is recorded, the verdict is "not recorded",
never "not met". A requirement is "not met" when one of its findings is, else "not recorded"
when one is, else "met".

Every read starts from the plan (``planpanels.for_plan``: a ``VALUES`` row serialised by
pyoxigraph, never text pasted in) and its meetings, commitments and proposals, so the work grows
with the plan, not with the registry; what it reads of the plan's meetings, commitments,
proposals, assessments and documents the commit keeps in the revision's digest
(``planpanels.py``). Only the forums, the forum meetings and the registry's history of changes
are read whole, when the page is drawn (they grow with time, not with the number of plans or
commitments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pyoxigraph as ox

from registry.i18n import N_, Msg, msg, msg_n
from registry.model.planpanels import Row, for_plan
from registry.model.resources import Resources
from registry.namespaces import VOCAB_NS

MET, NOT_MET, NOT_RECORDED = "met", "not-met", "not-recorded"
VERDICTS: tuple[str, ...] = (MET, NOT_MET, NOT_RECORDED)
#: OGP's text of the standards (the requirements below are the registry's own wording).
OGP_STANDARDS_URL = "https://www.opengovpartnership.org/ogp-participation-co-creation-standards/"
#: At least every six months: the longest gap allowed between forum meetings, in days.
MAX_GAP_DAYS = 183
#: The notice the registry reads OGP's standards as asking for before a meeting, in days.
MIN_NOTICE_DAYS = 14
#: Meetings with stakeholders during implementation that the registry looks for.
MIN_DIALOGUE_MEETINGS = 2

#: The minimum requirements, in order: key, title, the requirement in the registry's words.
REQUIREMENTS: tuple[tuple[str, str, str], ...] = (
    ("forum", N_("Multi-stakeholder forum"),
     N_("A forum of government and non-governmental members oversees the OGP process, meets "
        "at least every six months and has public rules on participation.")),
    ("repository", N_("Website and repository"),
     N_("The OGP process has a public website with a repository of its documents (plans, "
        "minutes, self-assessments, IRM reports), updated at least twice a year.")),
    ("participation", N_("Informed participation in co-creation"),
     N_("Stakeholders are invited in good time to take part in drawing up the plan: the "
        "invitation gives notice before each consultation meeting and before the deadline for "
        "proposals.")),
    ("response", N_("Reasoned response"),
     N_("Every proposal gets a documented response: taken into the plan (into which "
        "commitment), merged, or not taken forward with a reason.")),
    ("implementation", N_("Dialogue during implementation"),
     N_("Government and stakeholders keep meeting while the plan is carried out, at least "
        "twice during its period.")),
)

_GOVERNMENT_KINDS = (VOCAB_NS + "organisation-kind/ministry",
                     VOCAB_NS + "organisation-kind/public-body")
_APPROVED = tuple(VOCAB_NS + "status/" + s for s in ("approved", "in-force", "completed"))
_RESPONSE = VOCAB_NS + "response/"

_PLAN = """SELECT ?plan ?start ?end ?approval ?status WHERE {
  OPTIONAL { ?plan schema:startDate ?start }
  OPTIONAL { ?plan schema:endDate ?end }
  OPTIONAL { ?plan ogp:approvalDate ?approval }
  OPTIONAL { ?plan ogp:registryStatus ?status }
}"""
_MEETINGS = """SELECT DISTINCT ?m ?type ?start ?mine ?inv ?reg ?prop ?minutes ?forum WHERE {
  { ?m ogp:forActionPlan ?plan BIND(true AS ?mine) }
  UNION { ?m ogp:meetingOf ?anyForum }
  UNION { ?m a ogp:ForumMeeting }
  VALUES ?type { ogp:Meeting ogp:ConsultationMeeting ogp:FollowUpMeeting ogp:EvaluationMeeting
                 ogp:ForumMeeting }
  ?m a ?type ; schema:startDate ?start .
  OPTIONAL { ?m ogp:invitationDate ?inv }
  OPTIONAL { ?m ogp:registrationDeadline ?reg }
  OPTIONAL { ?m ogp:proposalDeadline ?prop }
  OPTIONAL { ?m ogp:minutes ?minutes }
  OPTIONAL { ?m ogp:meetingOf ?forum }
}"""
_FORUMS = """SELECT DISTINCT ?f ?member ?kind ?rules WHERE {
  ?f a ogp:MultiStakeholderForum .
  OPTIONAL { ?f ogp:forumMember ?member OPTIONAL { ?member ogp:organisationKind ?kind } }
  OPTIONAL { ?f ogp:forumRules ?rules }
}"""
_CHANGES = """SELECT ?at WHERE { ?c a ogp:Change ; prov:atTime ?at }"""


@dataclass
class Evidence:
    """One item the verdict rests on: what it shows, the item (linked), its date and, where
    the item is checked on its own, its own status."""

    note: Msg
    iri: str | None = None
    day: date | None = None
    status: str | None = None


@dataclass
class Requirement:
    """One minimum requirement: its verdict, why (``summary``) and the evidence."""

    key: str
    title: str  # an English msgid
    text: str  # an English msgid
    verdict: str
    summary: list[Msg] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Standards:
    """The standards page of one plan."""

    plan: str
    today: date
    requirements: list[Requirement]
    waiting: list[str] = field(default_factory=list)  # proposals without a response

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(VERDICTS, 0)
        for r in self.requirements:
            out[r.verdict] += 1
        return out


# -- dates ----------------------------------------------------------------------------------
def _day(value: str | None, *, last: bool = False) -> date | None:
    """A date of any precision (``2019``, ``2019-07``, ``2019-07-01``, a date-time) as a day:
    the earliest possible one, or the latest with ``last``."""
    if not value:
        return None
    text = value[:10]
    try:
        if len(text) == 4 and text.isdigit():
            return date(int(text), 12, 31) if last else date(int(text), 1, 1)
        if len(text) == 7 and text[4] == "-":
            y, m = int(text[:4]), int(text[5:7])
            if not last:
                return date(y, m, 1)
            nxt = date(y + (m == 12), m % 12 + 1, 1)
            return nxt - timedelta(days=1)
        return date.fromisoformat(text)
    except ValueError:
        return None


def half_year(d: date) -> tuple[int, int]:
    """(year, 1 or 2)."""
    return d.year, 1 if d.month <= 6 else 2


def _half_start(h: tuple[int, int]) -> date:
    return date(h[0], 1 if h[1] == 1 else 7, 1)


def _half_end(h: tuple[int, int]) -> date:
    return date(h[0], 6, 30) if h[1] == 1 else date(h[0], 12, 31)


def _halves(first: date, last: date) -> list[tuple[int, int]]:
    out, h = [], half_year(first)
    while _half_start(h) <= last:
        out.append(h)
        h = (h[0], 2) if h[1] == 1 else (h[0] + 1, 1)
    return out


def half_label(h: tuple[int, int]) -> str:
    return f"{h[0]}-H{h[1]}"


def _combine(statuses: list[str]) -> str:
    if NOT_MET in statuses:
        return NOT_MET
    if NOT_RECORDED in statuses or not statuses:
        return NOT_RECORDED
    return MET


def _v(row: Row, var: str) -> str | None:
    t = row[var]
    return None if t is None else str(t.value)


# -- the facts --------------------------------------------------------------------------------
@dataclass
class _Meeting:
    iri: str
    types: set[str]
    day: date
    plans: set[str] = field(default_factory=set)
    invitation: date | None = None
    registration: date | None = None
    proposals: date | None = None
    minutes: set[str] = field(default_factory=set)
    forums: set[str] = field(default_factory=set)


class _Facts:
    def __init__(self, res: Resources, plan: str, today: date) -> None:
        self.plan, self.today = plan, today
        p = ox.NamedNode(plan)
        start = end = approval = None
        self.approved = False
        for row in res.select(_PLAN, plan=p):
            start = start or _day(_v(row, "start"))
            end = end or _day(_v(row, "end"), last=True)
            approval = approval or _day(_v(row, "approval"))
            self.approved |= _v(row, "status") in _APPROVED
        self.start, self.end, self.approval = start, end, approval
        self.meetings: dict[str, _Meeting] = {}
        for row in res.select(for_plan(_MEETINGS, plan)):
            iri, day = str(row["m"].value), _day(_v(row, "start"))
            if day is None:
                continue
            m = self.meetings.setdefault(iri, _Meeting(iri, set(), day))
            m.types.add(str(row["type"].value).rsplit("#", 1)[-1])
            for var, attr in (("inv", "invitation"), ("reg", "registration"),
                              ("prop", "proposals")):
                d = _day(_v(row, var))
                if d is not None and getattr(m, attr) is None:
                    setattr(m, attr, d)
            if row["mine"] is not None:
                m.plans.add(plan)
            for var, bag in (("minutes", m.minutes), ("forum", m.forums)):
                value = _v(row, var)
                if value:
                    bag.add(value)
        self.people: dict[str, dict[str, dict[str, bool]]] = {}
        for kept in res.plan_rows(plan, "people"):
            rel = self.people.setdefault(str(kept["m"].value), {}).setdefault(
                str(kept["rel"].value), {})
            rel[str(kept["o"].value)] = _v(kept, "kind") in _GOVERNMENT_KINDS
        self.forums: dict[str, tuple[dict[str, bool | None], set[str]]] = {}
        for row in res.select(_FORUMS):
            members, rules = self.forums.setdefault(str(row["f"].value), ({}, set()))
            member = _v(row, "member")
            if member:
                kind = _v(row, "kind")
                members[member] = None if kind is None else kind in _GOVERNMENT_KINDS
            if _v(row, "rules"):
                rules.add(str(_v(row, "rules")))
        self.documents: list[tuple[str, str | None, date | None]] = sorted(
            ((str(r["d"].value), _v(r, "kind"), _day(_v(r, "issued")))
             for r in res.plan_rows(plan, "documents")),
            key=lambda d: (d[2] or date.max, d[0]),
        )
        # every change of the registry's history (they grow with the commits, not the plans)
        self.changes = sorted(
            d for d in (_day(_v(r, "at")) for r in res.select(_CHANGES)) if d is not None
        )
        self.responses: dict[str, dict[str, set[str]]] = {}
        for kept in res.plan_rows(plan, "proposals"):
            entry = self.responses.setdefault(str(kept["p"].value), {})
            for var in ("response", "reason", "by", "date", "merged"):
                value = _v(kept, var)
                if value:
                    entry.setdefault(var, set()).add(value)
        self.proposals = sorted(self.responses)
        for kept in res.plan_rows(plan, "taken"):
            self.responses.setdefault(str(kept["p"].value), {}).setdefault("into", set()).add(
                str(kept["c"].value))
        self.assessments = [
            (str(r["a"].value), str(r["kind"].value), _day(_v(r, "date")))
            for r in res.plan_rows(plan, "assessments")
        ]

    # the plan's consultation meetings, and when co-creation began
    def consultations(self) -> list[_Meeting]:
        return sorted((m for m in self.meetings.values()
                       if self.plan in m.plans and "ConsultationMeeting" in m.types),
                      key=lambda m: (m.day, m.iri))

    def cocreation_start(self) -> date | None:
        days = [d for m in self.consultations() for d in (m.day, m.invitation) if d]
        if self.start:
            days.append(self.start)
        return min(days) if days else None

    def window_end(self) -> date:
        return min(self.end, self.today) if self.end else self.today

    def forum_meetings(self) -> list[_Meeting]:
        return sorted((m for m in self.meetings.values()
                       if m.forums or "ForumMeeting" in m.types), key=lambda m: (m.day, m.iri))


# -- the requirements ---------------------------------------------------------------------------
def _forum(f: _Facts) -> Requirement:
    key, title, text = REQUIREMENTS[0]
    r = Requirement(key, title, text, NOT_RECORDED)
    if not f.forums:
        r.summary.append(msg("No multi-stakeholder forum is recorded."))
        return r
    start, end = f.cocreation_start(), f.window_end()
    meetings = [m for m in f.forum_meetings()
                if (start is None or m.day >= start) and m.day <= end]
    # the forums that met in the plan's period (a forum meeting that names no forum: any)
    met_in = {x for m in meetings for x in m.forums} or (set(f.forums) if meetings else set())
    if not met_in:
        r.summary.append(msg("A forum is recorded, but none of its meetings falls in the plan's "
                             "period."))
        return r
    statuses: list[str] = []
    for forum in sorted(met_in & set(f.forums)):
        members, rules = f.forums[forum]
        gov = sum(1 for g in members.values() if g)
        other = sum(1 for g in members.values() if g is False)
        if not members:
            st = NOT_RECORDED
            note = msg("The forum's members are not recorded.")
        elif gov and other:
            st = MET
            note = msg("Members: {gov} from government, {other} non-governmental.",
                       gov=gov, other=other)
        else:
            st = NOT_MET
            note = msg("Members: {gov} from government, {other} non-governmental; the forum "
                       "needs both.", gov=gov, other=other)
        statuses.append(st)
        r.evidence.append(Evidence(note, forum, status=st))
        if rules:
            for link in sorted(rules):
                r.evidence.append(Evidence(msg("The forum's rules"), link, status=MET))
            statuses.append(MET)
        else:
            statuses.append(NOT_RECORDED)
            r.evidence.append(Evidence(msg("The forum's rules are not recorded."), forum,
                                       status=NOT_RECORDED))
    for m in meetings:
        r.evidence.append(Evidence(msg("Forum meeting"), m.iri, m.day))
    days = [m.day for m in meetings] + [end]
    gap = max(b - a for a, b in zip(days, days[1:], strict=False)).days
    statuses.append(MET if gap <= MAX_GAP_DAYS else NOT_MET)
    r.summary.append(msg_n("{n} forum meeting in the plan's period; the longest gap is "
                           "{days} days (at most {max}).",
                           "{n} forum meetings in the plan's period; the longest gap is "
                           "{days} days (at most {max}).",
                           len(meetings), days=gap, max=MAX_GAP_DAYS))
    r.verdict = _combine(statuses)
    return r


def _repository(f: _Facts) -> Requirement:
    key, title, text = REQUIREMENTS[1]
    r = Requirement(key, title, text, NOT_RECORDED)
    start = f.cocreation_start()
    for iri, _kind, day in f.documents:
        r.evidence.append(Evidence(msg("Repository document"), iri, day))
    if start is None:
        r.summary.append(msg("The plan's period is not recorded."))
        return r
    end = f.window_end()
    updates: dict[tuple[int, int], int] = {}
    for _iri, _kind, day in f.documents:
        if day is not None:
            updates[half_year(day)] = updates.get(half_year(day), 0) + 1
    for day in f.changes:
        updates[half_year(day)] = updates.get(half_year(day), 0) + 1
    halves = _halves(start, end)
    seen = [h for h in halves if updates.get(h)]
    kept_from = f.changes[0] if f.changes else None
    statuses = []
    for h in halves:
        n = updates.get(h, 0)
        if n:
            st = MET
            note = msg_n("{half}: {n} update", "{half}: {n} updates", n, half=half_label(h))
        elif seen and seen[0] < h < seen[-1] or (kept_from and _half_start(h) >= kept_from):
            st = NOT_MET
            note = msg("{half}: no update", half=half_label(h))
        else:
            st = NOT_RECORDED
            note = msg("{half}: none recorded", half=half_label(h))
        statuses.append(st)
        r.evidence.append(Evidence(note, None, status=st))
    if not seen:
        r.summary.append(msg("No updates of the repository are recorded for the plan's "
                             "period."))
        return r
    r.summary.append(msg("Updates recorded in {n} of {m} half-years (dated documents and the "
                         "registry's own history).", n=len(seen), m=len(halves)))
    r.verdict = _combine(statuses)
    return r


def _participation(f: _Facts) -> Requirement:
    key, title, text = REQUIREMENTS[2]
    r = Requirement(key, title, text, NOT_RECORDED)
    meetings = f.consultations()
    if not meetings:
        r.summary.append(msg("No consultation meetings are recorded for the plan."))
        return r
    statuses = []
    for m in meetings:
        r.evidence.append(Evidence(msg("Consultation meeting"), m.iri, m.day))
        if m.invitation is None:
            st = NOT_RECORDED
            r.evidence.append(Evidence(msg("When the invitation was sent is not recorded."),
                                       m.iri, status=st))
        else:
            notice = (m.day - m.invitation).days
            st = MET if notice >= MIN_NOTICE_DAYS else NOT_MET
            r.evidence.append(Evidence(
                msg("Invitation sent {days} days before the meeting (at least {min}).",
                    days=notice, min=MIN_NOTICE_DAYS), m.iri, m.invitation, status=st))
            if m.proposals is not None:
                r.evidence.append(Evidence(
                    msg("Invitation sent {days} days before the deadline for proposals.",
                        days=(m.proposals - m.invitation).days), m.iri, m.proposals))
        statuses.append(st)
        for day, note in ((m.registration, msg("Deadline for registration")),
                          (m.proposals, msg("Deadline for proposals"))):
            if day is not None:
                r.evidence.append(Evidence(
                    msg("{what}: {days} days before the meeting", what=note,
                        days=(m.day - day).days), m.iri, day))
        people = f.people.get(m.iri, {})
        invited = people.get("invited", {})
        if invited:
            gov = sum(1 for g in invited.values() if g)
            r.evidence.append(Evidence(msg("Invited: {gov} from government, {other} others.",
                                           gov=gov, other=len(invited) - gov), m.iri))
        attended = people.get("attended", {})
        if attended:
            r.evidence.append(Evidence(msg_n("{n} organisation attended.",
                                             "{n} organisations attended.", len(attended)),
                                       m.iri))
        for link in sorted(m.minutes):
            r.evidence.append(Evidence(msg("Minutes"), link))
    r.summary.append(msg_n("{n} consultation meeting recorded.",
                           "{n} consultation meetings recorded.", len(meetings)))
    r.verdict = _combine(statuses)
    return r


def _response(f: _Facts) -> tuple[Requirement, list[str]]:
    key, title, text = REQUIREMENTS[3]
    r = Requirement(key, title, text, NOT_RECORDED)
    if not f.proposals:
        r.summary.append(msg("No proposals are recorded for the plan."))
        return r, []
    waiting: list[str] = []
    for p in f.proposals:
        entry = f.responses.get(p, {})
        response = next(iter(entry.get("response", ())), None)
        into = sorted(entry.get("into", ()))
        if response is None and not into:
            waiting.append(p)
            r.evidence.append(Evidence(msg("Waiting for a response"), p, status=NOT_RECORDED))
            continue
        when = _day(next(iter(entry.get("date", ())), None))
        code = (response or "").removeprefix(_RESPONSE)
        if code == "not-taken-forward":
            note = msg("Not taken forward, with a reason")
        elif code == "merged":
            note = msg("Merged")
        elif response is None:
            note = msg("Taken into a commitment (the commitment names it; who responded and "
                       "when is not recorded)")
        else:
            note = msg("Taken into the plan")
        r.evidence.append(Evidence(note, p, when, status=MET))
        for c in into:
            r.evidence.append(Evidence(msg("Commitment"), c))
        for other in sorted(entry.get("merged", ())):
            r.evidence.append(Evidence(msg("Merged with"), other))
    n, m = len(f.proposals) - len(waiting), len(f.proposals)
    r.summary.append(msg("{n} of {m} proposals have a reasoned response.", n=n, m=m))
    if not waiting:
        r.verdict = MET
    elif f.approval or f.approved or (f.start and f.start <= f.today):
        r.verdict = NOT_MET
        r.summary.append(msg("The plan is approved or in force while proposals still wait."))
    else:
        r.summary.append(msg("The plan is not yet approved: the responses may still come."))
    return r, waiting


def _implementation(f: _Facts) -> Requirement:
    key, title, text = REQUIREMENTS[4]
    r = Requirement(key, title, text, NOT_RECORDED)
    start = f.approval or f.start
    if start is None or f.end is None:
        r.summary.append(msg("The plan's implementation period is not recorded."))
        return r
    meetings = sorted(
        (m for m in f.meetings.values()
         if start <= m.day <= f.end and (
             m.forums or "ForumMeeting" in m.types
             or (f.plan in m.plans and m.types & {"FollowUpMeeting", "EvaluationMeeting"}))),
        key=lambda m: (m.day, m.iri))
    for m in meetings:
        r.evidence.append(Evidence(msg("Meeting during implementation"), m.iri, m.day))
    for iri, kind, day in sorted(f.assessments, key=lambda a: (a[2] or date.max, a[0])):
        code = kind.rsplit("/", 1)[-1]
        if code in ("self-assessment", "civil-society") and day and start <= day:
            r.evidence.append(Evidence(msg("Assessment during implementation"), iri, day))
    r.summary.append(msg_n("{n} meeting with stakeholders during implementation (at least "
                           "{min}).",
                           "{n} meetings with stakeholders during implementation (at least "
                           "{min}).", len(meetings), min=MIN_DIALOGUE_MEETINGS))
    if len(meetings) >= MIN_DIALOGUE_MEETINGS:
        r.verdict = MET
    elif meetings and f.end < f.today:
        r.verdict = NOT_MET
    elif f.end >= f.today:
        r.summary.append(msg("The implementation period is not over yet."))
    return r


def standards(res: Resources, plan: str, today: date) -> Standards:
    """The evidence and verdicts for ``plan`` (its IRI), as of ``today``."""
    facts = _Facts(res, plan, today)
    response, waiting = _response(facts)
    reqs = [_forum(facts), _repository(facts), _participation(facts), response,
            _implementation(facts)]
    return Standards(plan, today, reqs, waiting)


__all__ = [
    "MET", "NOT_MET", "NOT_RECORDED", "OGP_STANDARDS_URL", "REQUIREMENTS", "VERDICTS",
    "Evidence", "Requirement", "Standards", "half_label", "half_year", "standards",
]
