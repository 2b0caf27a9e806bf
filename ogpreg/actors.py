"""Who a command acts as: the organisation and role of a bearer token (``--token``), the
submitter of ``--submitted-by ORG``, or the operator (docs/lifecycle.md). Used by ``ogpreg
load``/``validate`` (ogpreg/commands/load.py, ogpreg/commands/submissions.py) and by ``ogpreg
status``/``erase`` (ogpreg/commands/status.py)."""

from __future__ import annotations

from ogpreg.remote import read_token
from registry.access.tokens import TokenRecord, verify
from registry.actors import OPERATOR, Actor
from registry.errors import AuthenticationRequired, UsageError
from registry.i18n import msg
from registry.service import Registry


def token_actor(reg: Registry, token: str | None) -> TokenRecord:
    """The token a command needs (``--token``), checked against this store's tokens."""
    if not token:
        raise UsageError(
            msg(
                "Give a token with --token (or the environment variable OGPREG_TOKEN); it "
                "decides which organisation and role you act for. Tokens are issued with "
                "'ogpreg token add'.",
            )
        )
    record = verify(reg, read_token(token))
    if record is None:
        raise AuthenticationRequired(
            msg(
                "The token is unknown or revoked in this store. 'ogpreg token list' shows the "
                "tokens.",
            )
        )
    return record


def load_actor(
    reg: Registry, token: str | None, submitted_by: str | None
) -> tuple[Actor, str | None]:
    """Who a local ``ogpreg load`` acts as, and the organisation it records as submitter
    (docs/lifecycle.md, "Statuses and lifecycle statements in loaded files"): with a token,
    the token's organisation and role (a submitter's load is its own organisation's); else
    with ``--submitted-by ORG``, ORG's submitter; else the operator (admin)."""
    org = None
    if submitted_by:
        from registry.model.organisations import resolve_organisation

        org = resolve_organisation(reg, submitted_by)
    if token:
        record = verify(reg, read_token(token))
        if record is None:
            raise AuthenticationRequired(
                msg(
                    "The token is unknown or revoked in this store ({store}); a local load "
                    "with --token acts with the token's organisation and role. To send the "
                    "file to a server, add --remote URL.",
                    store=reg.store.path,
                )
            )
        if record.role == "submitter":
            if org is not None and org.iri != record.organisation:
                raise UsageError(
                    msg(
                        "The token belongs to {token_org} (role submitter), and a submitter "
                        "loads only for its own organisation; --submitted-by {org} does not "
                        "match. Leave out --submitted-by, or use a token of {org}.",
                        token_org=record.organisation_name or record.organisation,
                        org=org.name,
                    )
                )
            return record.actor(), record.organisation
        return record.actor(), org.iri if org is not None else None
    if org is not None:
        from registry.access.graphstore import organisation_name

        return Actor.submitter(org.iri, organisation_name(reg.store.reader(), org.iri)), org.iri
    return OPERATOR, None
