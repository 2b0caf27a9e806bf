"""The registry status of plans, commitments and proposals: its rules, who may change it, and
where it lives (docs/lifecycle.md, "Registry status").

``draft → submitted → accepted → approved → in-force → completed``, and from any status that
is not final: ``withdrawn`` (with a reason) or ``superseded`` (with a successor). The current
status is ``<item> ogp:registryStatus status:X`` in the lifecycle graph ``{base}graph/lifecycle``,
and every change is an ``ogp:StatusChange`` there. A status in a loaded file is the initial
status only while the item has none in the lifecycle graph: the load moves it there (with a
status change naming the source); afterwards a file's status is ignored with a warning and
:func:`set_status` is the one way to change it. Which initial statuses (and other lifecycle
statements) a file may give depends on who loads it: registry/lifecycle/files.py. An ``admin`` may
correct any status with :func:`set_status`, out of a final one too, with a reason.

Implementation progress (``ogp:completion`` on milestones and on progress assessments, one per
assessor) is a separate lifecycle and is never touched here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from registry.errors import LifecycleError, LifecycleForbidden, NotFound, UsageError
from registry.history import changes as history
from registry.history.changes import value
from registry.i18n import Msg, msg
from registry.namespaces import OGP, VOCAB_NS
from registry.validation import Issue

if TYPE_CHECKING:
    from registry.access.tokens import TokenRecord
    from registry.service import PreparedSource, Registry

STATUS_NS = VOCAB_NS + "status/"
STATUSES: tuple[str, ...] = (
    "draft",
    "submitted",
    "accepted",
    "approved",
    "in-force",
    "completed",
    "withdrawn",
    "superseded",
)
FINAL: frozenset[str] = frozenset({"completed", "withdrawn", "superseded"})
#: bokmål and English labels (those of ontology/values.ttl)
LABELS: dict[str, tuple[str, str]] = {
    "draft": ("utkast", "draft"),
    "submitted": ("sendt inn", "submitted"),
    "accepted": ("tatt inn i planen", "accepted into a plan"),
    "approved": ("godkjent av regjeringen", "approved by the government"),
    "in-force": ("trådt i kraft", "in force"),
    "completed": ("avsluttet", "completed"),
    "withdrawn": ("trukket tilbake", "withdrawn"),
    "superseded": ("erstattet", "superseded"),
}
APPROVER_ROLES: frozenset[str] = frozenset({"approver", "admin"})

SKOS_CHANGE_NOTE = "http://www.w3.org/2004/02/skos/core#changeNote"
DCT = "http://purl.org/dc/terms/"
DCT_IS_REPLACED_BY = DCT + "isReplacedBy"
DCT_IS_PART_OF = DCT + "isPartOf"
DCT_DATE = DCT + "date"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_STATUS = ox.NamedNode(OGP.registryStatus)
_KINDS = {
    str(OGP.ActionPlan): "plan",
    str(OGP.Commitment): "commitment",
    str(OGP.Proposal): "proposal",
}


def status_iri(code: str) -> str:
    return STATUS_NS + code


def status_code(iri: str) -> str | None:
    code = iri.removeprefix(STATUS_NS)
    return code if iri.startswith(STATUS_NS) and code in STATUSES else None


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


# -- the rules --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    """A status that may follow the current one: who may set it and what it needs."""

    to: str
    #: ``owner`` (the item's own organisation, or an approver) or ``approver``
    who: str
    #: ``plan``, ``date``, ``reason``, ``successor`` or ``None``
    needs: str | None = None


def allowed_next(current: str | None) -> list[Transition]:
    """The statuses that may follow ``current`` (``None``: the item has no status yet)."""
    if current in FINAL:
        return []
    out: list[Transition] = []
    if current is None:
        out.append(Transition("draft", "owner"))
    if current in (None, "draft"):
        out.append(Transition("submitted", "owner"))
    step = {"submitted": ("accepted", "plan"), "accepted": ("approved", "date"),
            "approved": ("in-force", None), "in-force": ("completed", None)}
    if current in step:
        to, needs = step[current]
        out.append(Transition(to, "approver", needs))
    out.append(Transition("withdrawn", "approver", "reason"))
    out.append(Transition("superseded", "approver", "successor"))
    return out


def _who(t: Transition, lang: str) -> str:
    if t.who == "owner":
        return (
            "the item's own organisation or the coordinating ministry"
            if lang == "en"
            else "elementets egen organisasjon eller koordinerende departement"
        )
    return (
        "the coordinating ministry (role approver) or admin"
        if lang == "en"
        else "koordinerende departement (rolle approver) eller admin"
    )


_NEEDS = {
    "plan": ("krever handlingsplan (--plan)", "needs an action plan (--plan)"),
    "date": ("krever godkjenningsdato (--date)", "needs the approval date (--date)"),
    "reason": ("krever begrunnelse (--reason)", "needs a reason (--reason)"),
    "successor": ("krever etterfølger (--successor)", "needs a successor (--successor)"),
}


def _label(code: str | None, lang: str) -> str:
    if code is None:
        return "ingen status" if lang == "nb" else "no status"
    nb, en = LABELS[code]
    return f"«{nb}» ({code})" if lang == "nb" else f"“{en}” ({code})"


def _allowed_text(current: str | None, lang: str) -> str:
    nexts = allowed_next(current)
    if not nexts:
        return (
            "ingen: det er en sluttstatus (bare admin kan rette den, med begrunnelse, --reason)"
            if lang == "nb"
            else "none: it is a final status (only admin can correct it, with a reason, --reason)"
        )
    parts = []
    for t in nexts:
        extra = f", {_NEEDS[t.needs][0 if lang == 'nb' else 1]}" if t.needs else ""
        parts.append(f"{_label(t.to, lang)} – {_who(t, lang)}{extra}")
    return "; ".join(parts)


def _refusal(item: str, current: str | None, to: str, why_nb: str, why_en: str) -> Msg:
    return msg(
        "Kan ikke sette status {to_nb} på {item}: {why_nb} Nåværende status er {cur_nb}. "
        "Tillatt herfra: {allowed_nb}.",
        "Cannot set the status {to_en} on {item}: {why_en} The current status is {cur_en}. "
        "Allowed from here: {allowed_en}.",
        item=item,
        to_nb=_label(to, "nb"),
        to_en=_label(to, "en"),
        why_nb=why_nb,
        why_en=why_en,
        cur_nb=_label(current, "nb"),
        cur_en=_label(current, "en"),
        allowed_nb=_allowed_text(current, "nb"),
        allowed_en=_allowed_text(current, "en"),
    )


# -- facts about an item, read from the state before a change ---------------------------------
@dataclass
class ItemFacts:
    item: str
    kinds: set[str]
    statuses: list[ox.Quad]  # ogp:registryStatus quads in item graphs
    owners: set[str]
    plans: set[str]
    approval_dates: set[str]

    @property
    def current(self) -> str | None:
        lifecycle = [q for q in self.statuses if value(q.graph_name).endswith("/graph/lifecycle")]
        for q in lifecycle or self.statuses:
            code = status_code(value(q.object))
            if code:
                return code
        return None


def _objects(reader: ox.Store, s: str, p: str, base: str) -> set[str]:
    return {
        value(q.object)
        for q in reader.quads_for_pattern(_n(s), _n(p), None, None)
        if history.is_item_graph(q.graph_name, base)
    }


def item_facts(reader: ox.Store, base: str, item: str) -> ItemFacts:
    """What the rules need to know about ``item``: its kinds, statuses, owners, plans."""
    kinds: set[str] = set()
    statuses: list[ox.Quad] = []
    graphs: set[str] = set()
    for q in reader.quads_for_pattern(_n(item), None, None, None):
        if not history.is_item_graph(q.graph_name, base):
            continue
        graphs.add(value(q.graph_name))
        if q.predicate == history.RDF_TYPE and value(q.object) in _KINDS:
            kinds.add(_KINDS[value(q.object)])
        elif q.predicate == _STATUS:
            statuses.append(q)
    owners: set[str] = set()
    for p in (OGP.proposedBy, OGP.leadAgency, OGP.coordinatedBy):
        owners |= _objects(reader, item, p, base)
    prov = _n(base + "graph/provenance")
    for g in graphs:
        for q in reader.quads_for_pattern(_n(g), _n(OGP.submittedBy), None, prov):
            owners.add(value(q.object))
    plans = _objects(reader, item, OGP.inActionPlan, base) | _objects(
        reader, item, DCT_IS_PART_OF, base
    )
    if "proposal" in kinds and not plans:
        for meeting in _objects(reader, item, OGP.submittedAt, base):
            plans |= _objects(reader, meeting, OGP.forActionPlan, base)
    if "plan" in kinds:
        plans.add(item)
    dates: set[str] = set()
    for plan in plans:
        dates |= _objects(reader, plan, OGP.approvalDate, base)
    return ItemFacts(item, kinds, statuses, owners, plans, dates)


def _exists(reader: ox.Store, base: str, iri: str, kind: str | None = None) -> bool:
    for q in reader.quads_for_pattern(_n(iri), history.RDF_TYPE, None, None):
        if history.is_item_graph(q.graph_name, base) and (
            kind is None or _KINDS.get(value(q.object)) == kind
        ):
            return True
    return False


# -- changing the status ----------------------------------------------------------------------
@dataclass(frozen=True)
class StatusResult:
    """What :func:`set_status` recorded."""

    item: str
    from_status: str | None
    to_status: str
    change: int
    status_change: str
    time: datetime
    version: str
    #: an admin's correction outside the rules (:func:`set_status`)
    correction: bool = False


def _check_status(status: str) -> str:
    code = status_code(status) if status.startswith(STATUS_NS) else status
    if code not in STATUSES:
        raise UsageError(
            msg(
                "Ukjent status {status!r}. Tillatte verdier: {codes}.",
                "Unknown status {status!r}. Allowed values: {codes}.",
                status=status,
                codes=", ".join(STATUSES),
            )
        )
    return code


def _parse_date(value: date | str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise UsageError(
            msg(
                "Ugyldig dato {value!r}: skriv den som ÅÅÅÅ-MM-DD, for eksempel 2019-06-28.",
                "Invalid date {value!r}: write it as YYYY-MM-DD, for example 2019-06-28.",
                value=value,
            )
        ) from None


def _role_check(
    actor: TokenRecord, facts: ItemFacts, t: Transition, current: str | None
) -> None:
    if actor.role in APPROVER_ROLES:
        return
    org = actor.organisation_name or actor.organisation
    if t.who == "approver":
        raise LifecycleForbidden(
            _refusal(
                facts.item,
                current,
                t.to,
                f"bare koordinerende departement (rolle approver) eller admin kan sette den; "
                f"tokenet for {org} har rollen {actor.role}.",
                f"only the coordinating ministry (role approver) or admin may set it; the "
                f"token of {org} has the role {actor.role}.",
            )
        )
    if actor.organisation not in facts.owners:
        owners = ", ".join(sorted(facts.owners)) or "–"
        raise LifecycleForbidden(
            _refusal(
                facts.item,
                current,
                t.to,
                f"{org} har ikke sendt inn eller foreslått elementet (det tilhører {owners}); "
                "bare elementets egen organisasjon eller koordinerende departement kan sette den.",
                f"{org} did not submit or propose the item (it belongs to {owners}); only the "
                "item's own organisation or the coordinating ministry may set it.",
            )
        )


def set_status(
    registry: Registry,
    actor: TokenRecord,
    item: str,
    status: str,
    reason: str | None = None,
    successor: str | None = None,
    date: date | str | None = None,
    plan: str | None = None,
    *,
    reason_lang: str = "nb",
) -> StatusResult:
    """Change ``item``'s registry status to ``status`` as ``actor`` (a token record: its
    organisation and role), recording the status change and the item's new version in one
    commit. Raises :class:`LifecycleError` (409) for a transition the rules refuse,
    :class:`LifecycleForbidden` (403) for one the actor may not make, :class:`NotFound` for an
    unknown item, :class:`UsageError` for a malformed argument.

    An ``admin`` may also make a transition the rules do not allow, out of a final status too
    (a correction): only with a ``reason``, which the record, the history and (through the
    callers) the audit log keep; what the new status needs (a successor, a plan, a date) is
    still required. Leaving ``withdrawn`` or ``superseded`` removes the item's
    ``skos:changeNote``/``dct:isReplacedBy`` from the lifecycle graph."""
    registry.ensure_initialised()
    base = registry.settings.base_uri
    to = _check_status(status)
    reason = (reason or "").strip() or None
    if reason_lang not in ("nb", "en"):
        raise UsageError(msg("Språket må være nb eller en.", "The language must be nb or en."))
    approval = _parse_date(date) if date is not None else None
    with registry.store.transaction() as tx:
        # Every read below is of the state before this transaction; writes come last.
        facts = item_facts(tx, base, item)
        if not facts.kinds:
            if _exists(tx, base, item):
                raise UsageError(
                    msg(
                        "{item} er verken en handlingsplan, en forpliktelse eller et forslag; "
                        "bare de har registerstatus.",
                        "{item} is neither an action plan, a commitment nor a proposal; only "
                        "those have a registry status.",
                        item=item,
                    )
                )
            raise NotFound(
                msg(
                    "{item} finnes ikke i registeret. Oppgi hele URI-en, for eksempel "
                    "{base}id/commitment/NO0054.",
                    "{item} does not exist in the registry. Give the full URI, for example "
                    "{base}id/commitment/NO0054.",
                    item=item,
                    base=base,
                )
            )
        current = facts.current
        transition = next((t for t in allowed_next(current) if t.to == to), None)
        correction = False
        if transition is None and current != to and actor.role == "admin":
            if reason is None:
                raise LifecycleError(
                    _refusal(
                        item,
                        current,
                        to,
                        "reglene tillater ikke overgangen, og en admin kan bare rette en status "
                        "utenom reglene med en begrunnelse (--reason, i POST /api/status "
                        "«reason»), som føres i historikken og revisjonsloggen.",
                        "the rules do not allow the transition, and an admin can correct a "
                        "status outside the rules only with a reason (--reason, in POST "
                        "/api/status \"reason\"), which goes into the history and the audit "
                        "log.",
                    )
                )
            transition = Transition(to, "approver")
            correction = True
        if transition is None:
            if current == to:
                why = ("den har allerede denne statusen.", "it already has this status.")
            elif current in FINAL:
                why = (
                    "nåværende status er en sluttstatus; bare admin kan rette den, med "
                    "begrunnelse (--reason).",
                    "the current status is final; only admin can correct it, with a reason "
                    "(--reason).",
                )
            else:
                why = ("overgangen er ikke tillatt.", "the transition is not allowed.")
            raise LifecycleError(_refusal(item, current, to, *why))
        _role_check(actor, facts, transition, current)
        lc = _n(history.lifecycle_graph(base))
        removed = list(facts.statuses)
        if correction and current in ("withdrawn", "superseded"):
            # the reason or successor belonged to the status being corrected
            for p in (SKOS_CHANGE_NOTE, DCT_IS_REPLACED_BY):
                removed += tx.quads_for_pattern(_n(item), _n(p), None, lc)
        added: list[ox.Quad] = []
        extra: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = []  # on the record
        if to == "withdrawn" and reason is None:
            raise LifecycleError(
                _refusal(item, current, to, "en begrunnelse mangler (--reason).",
                         "a reason is missing (--reason).")
            )
        if to == "superseded":
            if not successor:
                raise LifecycleError(
                    _refusal(item, current, to, "etterfølgeren mangler (--successor).",
                             "the successor is missing (--successor).")
                )
            if successor == item or not _exists(tx, base, successor):
                raise LifecycleError(
                    _refusal(
                        item,
                        current,
                        to,
                        f"etterfølgeren {successor} finnes ikke i registeret (eller er elementet "
                        "selv).",
                        f"the successor {successor} does not exist in the registry (or is the "
                        "item itself).",
                    )
                )
            added.append(ox.Quad(_n(item), _n(DCT_IS_REPLACED_BY), _n(successor), lc))
            extra.append((_n(DCT_IS_REPLACED_BY), _n(successor)))
        if to == "withdrawn":
            assert reason is not None
            added.append(
                ox.Quad(
                    _n(item), _n(SKOS_CHANGE_NOTE), ox.Literal(reason, language=reason_lang), lc
                )
            )
        if to == "accepted" and facts.kinds & {"commitment", "proposal"}:
            if plan is not None:
                if not _exists(tx, base, plan, "plan"):
                    raise LifecycleError(
                        _refusal(item, current, to, f"handlingsplanen {plan} finnes ikke.",
                                 f"the action plan {plan} does not exist.")
                    )
                if "commitment" in facts.kinds and facts.plans and plan not in facts.plans:
                    raise LifecycleError(
                        _refusal(
                            item,
                            current,
                            to,
                            f"forpliktelsen hører til {', '.join(sorted(facts.plans))}, ikke "
                            f"{plan}.",
                            f"the commitment belongs to {', '.join(sorted(facts.plans))}, not "
                            f"{plan}.",
                        )
                    )
                chosen = plan
            elif len(facts.plans) == 1:
                chosen = next(iter(facts.plans))
            else:
                raise LifecycleError(
                    _refusal(
                        item,
                        current,
                        to,
                        "det er ikke kjent hvilken handlingsplan den tas inn i; oppgi --plan.",
                        "it is not known which action plan it is accepted into; give --plan.",
                    )
                )
            if "proposal" in facts.kinds and chosen not in _objects(tx, item, DCT_IS_PART_OF, base):
                added.append(ox.Quad(_n(item), _n(DCT_IS_PART_OF), _n(chosen), lc))
            extra.append((_n(DCT_IS_PART_OF), _n(chosen)))
        if to == "approved":
            known = facts.approval_dates
            if approval is None:
                if len(known) != 1:
                    raise LifecycleError(
                        _refusal(
                            item,
                            current,
                            to,
                            "datoen regjeringen godkjente planen, mangler (--date ÅÅÅÅ-MM-DD).",
                            "the date the government approved the plan is missing (--date "
                            "YYYY-MM-DD).",
                        )
                    )
                approval = next(iter(known))
            elif "plan" in facts.kinds and known and approval not in known:
                raise LifecycleError(
                    _refusal(
                        item,
                        current,
                        to,
                        f"planen har allerede godkjenningsdatoen {', '.join(sorted(known))}.",
                        f"the plan already has the approval date {', '.join(sorted(known))}.",
                    )
                )
            date_lit = ox.Literal(approval, datatype=_n(XSD_DATE))
            if "plan" in facts.kinds and not known:
                added.append(ox.Quad(_n(item), _n(OGP.approvalDate), date_lit, lc))
            extra.append((_n(DCT_DATE), date_lit))
        number, when = history.next_change(tx)
        sc = _n(f"{base}id/status-change/{number}")
        added.append(ox.Quad(_n(item), _STATUS, _n(status_iri(to)), lc))
        reasons = [ox.Literal(reason, language=reason_lang)] if reason else []
        record = status_change_quads(
            sc, item, current, to, when, lc, agent=actor.organisation, reasons=reasons
        )
        record += [ox.Quad(sc, p, o, lc) for p, o in extra]
        rec = history.record(
            tx,
            base,
            history.Delta(removed=removed, added=added),
            number=number,
            when=when,
            kind="status",
            agent=actor.organisation,
            loaded_by=actor.loaded_by,
            reasons=reasons,
            always=True,
        )
        for q in removed:
            tx.remove(q)
        tx.extend(added)
        tx.extend(record)
        tx.extend(rec.quads)
    return StatusResult(
        item=item,
        from_status=current,
        to_status=to,
        change=number,
        status_change=sc.value,
        time=when,
        version=history.version_iri(item, number),
        correction=correction,
    )


def status_change_quads(
    node: ox.NamedNode,
    item: str,
    from_status: str | None,
    to_status: str,
    when: datetime,
    graph: ox.NamedNode,
    *,
    agent: str | None = None,
    reasons: Sequence[ox.Literal] = (),
    used: str | None = None,
) -> list[ox.Quad]:
    """The ``ogp:StatusChange`` record (see docs/lifecycle.md)."""
    out = [
        ox.Quad(node, history.RDF_TYPE, _n(OGP.StatusChange), graph),
        ox.Quad(node, _n(OGP.statusOf), _n(item), graph),
        ox.Quad(node, _n(OGP.toStatus), _n(status_iri(to_status)), graph),
        ox.Quad(node, history.PROV_AT_TIME, history.time_literal(when), graph),
    ]
    if from_status is not None:
        out.append(ox.Quad(node, _n(OGP.fromStatus), _n(status_iri(from_status)), graph))
    if agent:
        out.append(ox.Quad(node, history.PROV_ASSOCIATED, _n(agent), graph))
    if used:
        out.append(ox.Quad(node, history.PROV_USED, _n(used), graph))
    out.extend(ox.Quad(node, _n(OGP.reason), r, graph) for r in reasons)
    return out


# -- statuses in loaded files -----------------------------------------------------------------
def lifecycle_status(
    reader: ox.Store, base: str, subject: ox.NamedNode | ox.BlankNode
) -> str | None:
    """The status IRI ``subject`` has in the lifecycle graph, if any."""
    lc = _n(history.lifecycle_graph(base))
    for q in reader.quads_for_pattern(subject, _STATUS, None, lc):
        return value(q.object)
    return None


def drop_overridden_statuses(reader: ox.Store, base: str, p: PreparedSource) -> None:
    """Before validation: remove from a prepared source the ``ogp:registryStatus`` of items that
    already have a status in the lifecycle graph (the file's status is then ignored), with a
    warning when it differs from the current one."""
    kept: list[ox.Quad] = []
    for q in p.quads:
        if q.predicate != _STATUS or not isinstance(q.subject, ox.NamedNode):
            kept.append(q)
            continue
        current = lifecycle_status(reader, base, q.subject)
        if current is None:
            kept.append(q)
            continue
        if current != value(q.object):
            code = status_code(current) or current
            given = status_code(value(q.object)) or value(q.object)
            p.report.issues.append(
                Issue(
                    severity="warning",
                    focus=q.subject.value,
                    path=OGP.registryStatus,
                    value=value(q.object),
                    file=p.file.name,
                    message_nb=f"Statusen i filen ({given}) er ignorert: elementet har status "
                    f"{code} i registeret. Endre status med 'ogpreg status'.",
                    message_en=f"The status in the file ({given}) is ignored: the item has the "
                    f"status {code} in the registry. Change the status with 'ogpreg status'.",
                )
            )
    p.quads = kept


def initial_statuses(
    reader: ox.Store,
    base: str,
    sources: Iterable[tuple[str, str, list[ox.Quad]]],
    *,
    number: int,
    when: datetime,
    agent: str | None,
) -> tuple[list[ox.Quad], dict[str, list[ox.Quad]]]:
    """At a load: move the ``ogp:registryStatus`` statements of ``sources`` (graph, source id,
    quads) into the lifecycle graph as initial statuses, with a status change each, for items
    that have no status there yet; drop the others. Returns the lifecycle quads and, per
    graph, the quads to store in the source graph (without statuses)."""
    lc = _n(history.lifecycle_graph(base))
    out: list[ox.Quad] = []
    stored: dict[str, list[ox.Quad]] = {}
    seen: set[str] = set()
    k = 0
    for graph, source_id, quads in sources:
        keep: list[ox.Quad] = []
        for q in quads:
            if q.predicate != _STATUS:
                keep.append(q)
                continue
            s = q.subject
            code = status_code(value(q.object))
            if (
                not isinstance(s, ox.NamedNode)
                or code is None
                or s.value in seen
                or lifecycle_status(reader, base, s) is not None
            ):
                continue
            seen.add(s.value)
            k += 1
            out.append(ox.Quad(s, _STATUS, q.object, lc))
            out += status_change_quads(
                _n(f"{base}id/status-change/{number}-{k}"),
                s.value,
                None,
                code,
                when,
                lc,
                agent=agent,
                used=graph,
                reasons=[
                    ox.Literal(f"Startstatus fra kilden {source_id}.", language="nb"),
                    ox.Literal(f"Initial status from the source {source_id}.", language="en"),
                ],
            )
        stored[graph] = keep
    return out, stored


def current_status(reader: ox.Store, base: str, item: str) -> str | None:
    """The item's current status code (lifecycle graph first, then a source's statement)."""
    return item_facts(reader, base, item).current
