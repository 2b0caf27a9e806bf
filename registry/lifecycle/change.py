"""Changing an item's registry status (docs/lifecycle.md, "Registry status"): :func:`set_status`
checks the change against the rules (``rules.py``) and the item's facts (``state.py``), then
writes the new status, the ``ogp:StatusChange`` record and the item's new version in one
commit. ``ogpreg status --set`` and ``POST /api/status`` call it; the callers write the audit
log.

A status in a loaded file is the initial status only (``files.py``); afterwards this is the
one way to change it. An ``admin`` may correct any status, out of a final one too, with a
reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pyoxigraph as ox

from registry.actors import TokenHolder
from registry.errors import LifecycleError, NotFound, UsageError
from registry.handle import RegistryHandle
from registry.history.recording import Delta, next_change, record
from registry.history.terms import lifecycle_graph, version_iri
from registry.i18n import LANGS, msg
from registry.lifecycle.rules import (
    FINAL,
    STATUS_NS,
    STATUSES,
    Transition,
    allowed_next,
    refusal,
    role_check,
    status_code,
    status_iri,
)
from registry.lifecycle.state import (
    DCT_DATE,
    DCT_IS_PART_OF,
    DCT_IS_REPLACED_BY,
    SKOS_CHANGE_NOTE,
    STATUS,
    XSD_DATE,
    exists,
    item_facts,
    objects,
    status_change_quads,
)
from registry.namespaces import OGP


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


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
                "Invalid date {value!r}: write it as YYYY-MM-DD, for example 2019-06-28.",
                value=value,
            )
        ) from None


def set_status(
    registry: RegistryHandle,
    actor: TokenHolder,
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
    if reason_lang not in LANGS:
        raise UsageError(msg("The language must be nb, nn or en."))
    approval = _parse_date(date) if date is not None else None
    with registry.store.transaction() as tx:
        # Every read below is of the state before this transaction; writes come last.
        facts = item_facts(tx, base, item)
        if not facts.kinds:
            if exists(tx, base, item):
                raise UsageError(
                    msg(
                        "{item} is neither an action plan, a commitment nor a proposal; only "
                        "those have a registry status.",
                        item=item,
                    )
                )
            raise NotFound(
                msg(
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
                    refusal(
                        item,
                        current,
                        to,
                        msg(
                            "the rules do not allow the transition, and an admin can correct a "
                            "status outside the rules only with a reason (--reason, in POST "
                            "/api/status \"reason\"), which goes into the history and the "
                            "audit log."
                        ),
                    )
                )
            transition = Transition(to, "approver")
            correction = True
        if transition is None:
            if current == to:
                why = msg("it already has this status.")
            elif current in FINAL:
                why = msg(
                    "the current status is final; only admin can correct it, with a reason "
                    "(--reason)."
                )
            else:
                why = msg("the transition is not allowed.")
            raise LifecycleError(refusal(item, current, to, why))
        role_check(actor, item, facts.owners, transition, current, sources=facts.sources)
        lc = _n(lifecycle_graph(base))
        removed = list(facts.statuses)
        if correction and current in ("withdrawn", "superseded"):
            # the reason or successor belonged to the status being corrected
            for p in (SKOS_CHANGE_NOTE, DCT_IS_REPLACED_BY):
                removed += tx.quads_for_pattern(_n(item), _n(p), None, lc)
        added: list[ox.Quad] = []
        extra: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = []  # on the record
        if to == "withdrawn" and reason is None:
            raise LifecycleError(
                refusal(item, current, to, msg("a reason is missing (--reason)."))
            )
        if to == "superseded":
            if not successor:
                raise LifecycleError(
                    refusal(item, current, to, msg("the successor is missing (--successor)."))
                )
            if successor == item or not exists(tx, base, successor):
                raise LifecycleError(
                    refusal(
                        item,
                        current,
                        to,
                        msg(
                            "the successor {successor} does not exist in the registry (or is "
                            "the item itself).",
                            successor=successor,
                        ),
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
                if not exists(tx, base, plan, "plan"):
                    raise LifecycleError(
                        refusal(
                            item,
                            current,
                            to,
                            msg("the action plan {plan} does not exist.", plan=plan),
                        )
                    )
                if "commitment" in facts.kinds and facts.plans and plan not in facts.plans:
                    raise LifecycleError(
                        refusal(
                            item,
                            current,
                            to,
                            msg(
                                "the commitment belongs to {plans}, not {plan}.",
                                plans=", ".join(sorted(facts.plans)),
                                plan=plan,
                            ),
                        )
                    )
                chosen = plan
            elif len(facts.plans) == 1:
                chosen = next(iter(facts.plans))
            else:
                raise LifecycleError(
                    refusal(
                        item,
                        current,
                        to,
                        msg(
                            "it is not known which action plan it is accepted into; give "
                            "--plan."
                        ),
                    )
                )
            if "proposal" in facts.kinds and chosen not in objects(tx, item, DCT_IS_PART_OF, base):
                added.append(ox.Quad(_n(item), _n(DCT_IS_PART_OF), _n(chosen), lc))
            extra.append((_n(DCT_IS_PART_OF), _n(chosen)))
        if to == "approved":
            known = facts.approval_dates
            if approval is None:
                if len(known) != 1:
                    raise LifecycleError(
                        refusal(
                            item,
                            current,
                            to,
                            msg(
                                "the date the government approved the plan is missing (--date "
                                "YYYY-MM-DD)."
                            ),
                        )
                    )
                approval = next(iter(known))
            elif "plan" in facts.kinds and known and approval not in known:
                raise LifecycleError(
                    refusal(
                        item,
                        current,
                        to,
                        msg(
                            "the plan already has the approval date {dates}.",
                            dates=", ".join(sorted(known)),
                        ),
                    )
                )
            date_lit = ox.Literal(approval, datatype=_n(XSD_DATE))
            if "plan" in facts.kinds and not known:
                added.append(ox.Quad(_n(item), _n(OGP.approvalDate), date_lit, lc))
            extra.append((_n(DCT_DATE), date_lit))
        number, when = next_change(tx, base=base)
        sc = _n(f"{base}id/status-change/{number}")
        added.append(ox.Quad(_n(item), STATUS, _n(status_iri(to)), lc))
        reasons = [ox.Literal(reason, language=reason_lang)] if reason else []
        status_record = status_change_quads(
            sc, item, current, to, when, lc, agent=actor.organisation, reasons=reasons
        )
        status_record += [ox.Quad(sc, p, o, lc) for p, o in extra]
        rec = record(
            tx,
            base,
            Delta(removed=removed, added=added),
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
        tx.extend(status_record)
        tx.extend(rec.quads)
        note_quads = getattr(registry.store, "note_quads", None)
        if note_quads is not None:  # derived data re-reads only these subjects (issue 24)
            note_quads([*removed, *added, *status_record, *rec.quads])
    return StatusResult(
        item=item,
        from_status=current,
        to_status=to,
        change=number,
        status_change=sc.value,
        time=when,
        version=version_iri(item, number),
        correction=correction,
    )
