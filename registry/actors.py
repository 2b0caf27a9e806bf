"""Who acts on the registry: an organisation (or none) and a role.

Every load names its actor (docs/lifecycle.md, "Statuses and lifecycle statements in loaded
files"): what a file may say about the lifecycle of plans, commitments and proposals depends
on it (registry/lifecycle/files.py). The adapters decide it:

* the write API (Graph Store PUT/POST, ``ogpreg load --remote``) and a local load with
  ``--token``: the token's organisation and role
  (:meth:`registry.access.tokens.TokenRecord.actor`);
* a local ``ogpreg load --submitted-by ORG``: ORG's ``submitter``;
* a local ``ogpreg load`` with neither: the operator (:data:`OPERATOR`, role ``admin``; the
  threat model in docs/security.md trusts the shell operator);
* ``ogpreg init`` (the bundled data): :data:`SYSTEM`.

A status change is made through a token: the lifecycle takes a :class:`TokenHolder` (what it
needs to know of the token's holder), which :class:`registry.access.tokens.TokenRecord` is.
This module is of the foundation layer (docs/architecture.md): it imports nothing of the
registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["submitter", "approver", "admin", "system"]
ACTOR_ROLES: tuple[Role, ...] = ("submitter", "approver", "admin", "system")


@dataclass(frozen=True)
class Actor:
    """An organisation (IRI, or ``None`` for the operator and the registry itself) acting in a
    role: ``submitter`` (a ministry or civil-society organisation sending its own data),
    ``approver`` (the coordinating ministry), ``admin`` (the registry's operators) or
    ``system`` (the registry's own bundled data)."""

    organisation: str | None
    role: Role
    #: the organisation's name, for messages
    name: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ACTOR_ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "submitter" and not self.organisation:
            raise ValueError("a submitter acts for an organisation")

    @classmethod
    def submitter(cls, organisation: str, name: str | None = None) -> Actor:
        return cls(organisation, "submitter", name)

    @property
    def is_submitter(self) -> bool:
        return self.role == "submitter"

    @property
    def trusted(self) -> bool:
        """The operator and the registry itself: a file may say anything about the lifecycle
        (also status-change records, e.g. when a registry is moved)."""
        return self.role in ("admin", "system")

    @property
    def label(self) -> str:
        """The organisation's name (or IRI) for messages."""
        return self.name or self.organisation or "operator"


#: The operator with a shell on the server (``ogpreg load`` without --submitted-by or --token).
OPERATOR = Actor(None, "admin", "operator")
#: The registry itself (``ogpreg init``: the ontology, value sets and bundled data).
SYSTEM = Actor(None, "system", "ogp-registry")


def actor_for_load(submitted_by: str | None) -> Actor:
    """The actor of a load that names none: the submitter of the organisation it is recorded
    for (never more than what the call itself claims), else (the registry's own data, which no
    token can write) the operator. Every adapter passes its actor explicitly; this default is
    for code in the same process (tests, benchmarks)."""
    return Actor.submitter(submitted_by) if submitted_by else OPERATOR


class TokenHolder(Protocol):
    """An organisation acting in a role through a bearer token, as a status change names it
    (:class:`registry.access.tokens.TokenRecord` is one)."""

    @property
    def organisation(self) -> str:
        """The organisation's IRI."""
        ...

    @property
    def organisation_name(self) -> str:
        """Its name, for messages (may be empty)."""
        ...

    @property
    def role(self) -> str:
        """``submitter``, ``approver`` or ``admin``."""
        ...

    @property
    def loaded_by(self) -> str:
        """How the history and provenance name a change made with the token."""
        ...
