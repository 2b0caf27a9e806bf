"""``ogpreg token add|list|revoke``: bearer tokens for the authenticated write paths."""

from __future__ import annotations

import json

import click

from ogpreg.context import lang_of, registry_of
from registry.access.audit import AuditLog
from registry.access.tokens import ROLES, issue, list_tokens, revoke
from registry.errors import RegistryError
from registry.i18n import msg, msg_n


@click.group("token")
def token() -> None:
    """Issue, list and revoke bearer tokens for writing to a running registry.

    A token belongs to one organisation and has a role: submitter (writes its own
    organisation's source graphs), approver (the coordinating ministry: any source graph,
    and SPARQL Update) or admin (the registry's operators: like approver). Tokens are stored
    hashed in the store directory (tokens.json); the value is shown once, when it is issued.
    Every issue and revoke is written to the audit log (audit.log). See
    docs/security-writes.md.

    \b
    Example:
      ogpreg token add --org 912660680 --role submitter --label "NFD, innsending 2019"
      ogpreg token list
      ogpreg token revoke t-1a2b3c4d
    """


@token.command("add")
@click.option(
    "--org",
    "organisation",
    required=True,
    metavar="ORG",
    help="The organisation the token acts for: organisation number, name or IRI from the "
    "registry's organisation register. Example: --org 912660680",
)
@click.option(
    "--role",
    required=True,
    type=click.Choice(list(ROLES)),
    help="submitter: writes its organisation's own source graphs; approver: the coordinating "
    "ministry (must be ogp:coordinatedBy of a plan), writes any source graph and may use "
    "SPARQL Update; admin: the registry's operators, rights as approver. "
    "Example: --role submitter",
)
@click.option(
    "--label",
    metavar="TEXT",
    help="A note on what the token is for (shown by 'token list'). "
    'Example: --label "NFD, innsending 2019"',
)
@click.pass_context
def add(ctx: click.Context, organisation: str, role: str, label: str | None) -> None:
    """Issue a token and print it once, on standard output (store it safely: it is not kept).

    The token's id, organisation and role go to standard error, so that
    TOKEN=$(ogpreg token add ...) captures the token alone.

    \b
    Example:
      ogpreg token add --org 912660680 --role submitter --label "NFD, innsending 2019"
      ogpreg token add --org "Kommunal- og moderniseringsdepartementet" --role approver
    """
    reg = registry_of(ctx)
    log = AuditLog(reg.store.path)
    try:
        issued = issue(reg, organisation, role, label)
    except RegistryError as exc:
        log.record(
            "token.issue",
            "refused",
            role=role,
            target=organisation,
            actor=reg.settings.user,
            message=exc.render("en"),
        )
        raise
    rec = issued.record
    log.record(
        "token.issue",
        "ok",
        token_id=rec.id,
        organisation=rec.organisation,
        role=rec.role,
        actor=reg.settings.user,
        message=rec.label or "",
    )
    click.echo(
        msg(
            "Token {id} for {org} ({role}) issued. It is shown only now; keep it safe:",
            id=rec.id,
            org=rec.organisation_name,
            role=rec.role,
        ).render(lang_of(ctx)),
        err=True,
    )
    click.echo(issued.secret)


@token.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format. Example: --format json",
)
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """List every token issued for this store, revoked ones too (never the token values).

    \b
    Example:
      ogpreg token list
      ogpreg token list --format json
    """
    records = list_tokens(registry_of(ctx))
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return
    from registry.sparql.results import _table

    lang = lang_of(ctx)
    # TRANSLATORS: the column headers of a table, separated by " | " (keep the separators)
    header = msg("id | organisation | role | label | created | revoked").render(lang).split(" | ")
    rows = [
        [
            r.id,
            r.organisation_name or r.organisation,
            r.role,
            r.label or "",
            r.created,
            r.revoked_at or "",
        ]
        for r in records
    ]
    click.echo(_table(header, rows), nl=False)
    click.echo(msg_n("({n} token)", "({n} tokens)", len(records)).render(lang))


@token.command("revoke")
@click.argument("token_id", metavar="ID")
@click.pass_context
def revoke_(ctx: click.Context, token_id: str) -> None:
    """Revoke a token: a running server refuses it from its next request on.

    ID is the token's id as 'ogpreg token list' shows it (not the token itself).

    \b
    Example:
      ogpreg token revoke t-1a2b3c4d
    """
    reg = registry_of(ctx)
    log = AuditLog(reg.store.path)
    try:
        rec = revoke(reg, token_id)
    except RegistryError as exc:
        log.record(
            "token.revoke",
            "refused",
            target=token_id,
            actor=reg.settings.user,
            message=exc.render("en"),
        )
        raise
    log.record(
        "token.revoke",
        "ok",
        token_id=rec.id,
        organisation=rec.organisation,
        role=rec.role,
        actor=reg.settings.user,
        message=f"revoked at {rec.revoked_at}",
    )
    click.echo(
        msg(
            "Token {id} ({org}, {role}) is revoked ({when}).",
            id=rec.id,
            org=rec.organisation_name,
            role=rec.role,
            when=rec.revoked_at,
        ).render(lang_of(ctx))
    )


def register(main: click.Group) -> None:
    main.add_command(token)
