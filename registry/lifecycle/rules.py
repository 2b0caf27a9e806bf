"""The rules of the registry status (docs/lifecycle.md, "Registry status"): the statuses and
their labels (:func:`status_label`, :func:`label`), which status may follow which
(:func:`allowed_next`), who may set it (:func:`role_check`), and the refusal messages that say
what is allowed instead.

Pure rules: nothing here reads or writes the store (``state.py`` reads an item's facts,
``change.py`` applies a change).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from registry.actors import TokenHolder
from registry.errors import LifecycleForbidden
from registry.i18n import N_, Lines, Msg, msg
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
#: The label of each status in messages (msgids, :func:`status_label`). They are the words of
#: ontology/values.ttl, whose bokmål labels are their translations in the catalogs: in
#: messages they are the interface's words, not data.
STATUS_LABELS: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "accepted": N_("accepted into a plan"),
    "approved": N_("approved by the government"),
    "in-force": N_("in force"),
    "completed": N_("completed"),
    "withdrawn": N_("withdrawn"),
    "superseded": N_("superseded"),
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
def _who(t: Transition) -> Msg:
    if t.who == "owner":
        return msg("the item's own organisation or the coordinating ministry")
    return msg("the coordinating ministry (role approver) or admin")


_NEEDS: dict[str, str] = {
    "plan": N_("needs an action plan (--plan)"),
    "date": N_("needs the approval date (--date)"),
    "reason": N_("needs a reason (--reason)"),
    "successor": N_("needs a successor (--successor)"),
}


def status_label(code: str | None) -> Msg:
    """A status's label: utkast / draft (``None``: ingen status / no status)."""
    if code is None:
        return msg("no status")
    return msg(STATUS_LABELS[code])


def label(code: str | None) -> Msg:
    """A status for messages: «utkast» (draft) / “draft” (draft), or no status."""
    if code is None:
        return msg("no status")
    return msg("“{label}” ({code})", label=status_label(code), code=code)


def _allowed_text(current: str | None) -> Msg | Lines:
    nexts = allowed_next(current)
    if not nexts:
        return msg(
            "none: it is a final status (only admin can correct it, with a reason, --reason)"
        )
    parts: list[Msg] = []
    for t in nexts:
        if t.needs:
            parts.append(
                msg(
                    "{status} – {who}, {needs}",
                    status=label(t.to),
                    who=_who(t),
                    needs=msg(_NEEDS[t.needs]),
                )
            )
        else:
            parts.append(msg("{status} – {who}", status=label(t.to), who=_who(t)))
    return Lines(parts, sep="; ")


def refusal(item: str, current: str | None, to: str, why: Msg) -> Msg:
    """Why ``to`` cannot be set on ``item`` (``why``, a sentence), with the current status and
    what is allowed."""
    return msg(
        "Cannot set the status {to} on {item}: {why} The current status is {current}. "
        "Allowed from here: {allowed}.",
        item=item,
        to=label(to),
        why=why,
        current=label(current),
        allowed=_allowed_text(current),
    )


# -- who may ------------------------------------------------------------------------------------
def _described(sources: Mapping[str, str | None]) -> Lines:
    return Lines(
        [
            msg("in the source {graph}, submitted by {owner}", graph=g, owner=by)
            if by
            else msg("in the registry's own data ({graph}, without a submitter)", graph=g)
            for g, by in sorted(sources.items())
        ],
        sep="; ",
    )


def role_check(
    actor: TokenHolder,
    item: str,
    owners: set[str],
    t: Transition,
    current: str | None,
    *,
    sources: Mapping[str, str | None] | None = None,
) -> None:
    """Raise :class:`LifecycleForbidden` unless ``actor`` may make transition ``t`` on ``item``
    (whose owning organisations are ``owners``, read from the ``sources`` that describe it and
    their submitters, ``state.owners``): approvers and admins may make any; the item's own
    organisation only those for its ``owner``."""
    if actor.role in APPROVER_ROLES:
        return
    org = actor.organisation_name or actor.organisation
    if t.who == "approver":
        raise LifecycleForbidden(
            refusal(
                item,
                current,
                t.to,
                msg(
                    "only the coordinating ministry (role approver) or admin may set it; the "
                    "token of {org} has the role {role}.",
                    org=org,
                    role=actor.role,
                ),
            )
        )
    if actor.organisation not in owners:
        owned = ", ".join(sorted(owners)) or "–"
        if sources and actor.organisation in sources.values():
            # it describes the item too, but so does another organisation or the registry
            raise LifecycleForbidden(
                refusal(
                    item,
                    current,
                    t.to,
                    msg(
                        "{org} is not the only organisation that describes the item (rdf:type): "
                        "it is described {sources}. An item several organisations describe "
                        "belongs to the organisations they all agree on (each source's "
                        "submitter and the lead agency, proposer or coordinator it names), and "
                        "one the registry's own data describes to those that data names: here "
                        "{owned}. Only the item's own organisation or the coordinating ministry "
                        "may set it.",
                        org=org,
                        sources=_described(sources),
                        owned=owned,
                    ),
                )
            )
        raise LifecycleForbidden(
            refusal(
                item,
                current,
                t.to,
                msg(
                    "{org} did not submit or propose the item (it belongs to {owned}); only the "
                    "item's own organisation or the coordinating ministry may set it.",
                    org=org,
                    owned=owned,
                ),
            )
        )
