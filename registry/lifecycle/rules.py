"""The rules of the registry status (docs/lifecycle.md, "Registry status"): the statuses and
their labels, which status may follow which (:func:`allowed_next`), who may set it
(:func:`role_check`), and the refusal messages that say what is allowed instead.

Pure rules: nothing here reads or writes the store (``state.py`` reads an item's facts,
``change.py`` applies a change).
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.actors import TokenHolder
from registry.errors import LifecycleForbidden
from registry.i18n import Msg, msg
from registry.namespaces import VOCAB_NS

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


def status_iri(code: str) -> str:
    """The IRI of status ``code`` (``draft`` → ``{vocab}status/draft``)."""
    return STATUS_NS + code


def status_code(iri: str) -> str | None:
    """The code of a status IRI, or ``None`` for an IRI that is not one of :data:`STATUSES`."""
    code = iri.removeprefix(STATUS_NS)
    return code if iri.startswith(STATUS_NS) and code in STATUSES else None


# -- which status may follow which, and who may set it ------------------------------------------
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


# -- messages ----------------------------------------------------------------------------------
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


def label(code: str | None, lang: str) -> str:
    """A status for messages: «utkast» (draft), “draft” (draft), or no status."""
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
        parts.append(f"{label(t.to, lang)} – {_who(t, lang)}{extra}")
    return "; ".join(parts)


def refusal(item: str, current: str | None, to: str, why_nb: str, why_en: str) -> Msg:
    """Why ``to`` cannot be set on ``item``, with the current status and what is allowed."""
    return msg(
        "Kan ikke sette status {to_nb} på {item}: {why_nb} Nåværende status er {cur_nb}. "
        "Tillatt herfra: {allowed_nb}.",
        "Cannot set the status {to_en} on {item}: {why_en} The current status is {cur_en}. "
        "Allowed from here: {allowed_en}.",
        item=item,
        to_nb=label(to, "nb"),
        to_en=label(to, "en"),
        why_nb=why_nb,
        why_en=why_en,
        cur_nb=label(current, "nb"),
        cur_en=label(current, "en"),
        allowed_nb=_allowed_text(current, "nb"),
        allowed_en=_allowed_text(current, "en"),
    )


# -- who may ------------------------------------------------------------------------------------
def role_check(
    actor: TokenHolder, item: str, owners: set[str], t: Transition, current: str | None
) -> None:
    """Raise :class:`LifecycleForbidden` unless ``actor`` may make transition ``t`` on ``item``
    (whose owning organisations are ``owners``): approvers and admins may make any; the
    item's own organisation only those for its ``owner``."""
    if actor.role in APPROVER_ROLES:
        return
    org = actor.organisation_name or actor.organisation
    if t.who == "approver":
        raise LifecycleForbidden(
            refusal(
                item,
                current,
                t.to,
                f"bare koordinerende departement (rolle approver) eller admin kan sette den; "
                f"tokenet for {org} har rollen {actor.role}.",
                f"only the coordinating ministry (role approver) or admin may set it; the "
                f"token of {org} has the role {actor.role}.",
            )
        )
    if actor.organisation not in owners:
        owned = ", ".join(sorted(owners)) or "–"
        raise LifecycleForbidden(
            refusal(
                item,
                current,
                t.to,
                f"{org} har ikke sendt inn eller foreslått elementet (det tilhører {owned}); "
                "bare elementets egen organisasjon eller koordinerende departement kan sette den.",
                f"{org} did not submit or propose the item (it belongs to {owned}); only the "
                "item's own organisation or the coordinating ministry may set it.",
            )
        )

