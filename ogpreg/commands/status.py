"""``ogpreg status``, ``ogpreg history`` and ``ogpreg erase``: the registry status of plans,
commitments and proposals, the versions of every item, and the audited erase
(docs/lifecycle.md). A thin adapter over registry/lifecycle/ (change.py, rules.py, state.py),
registry/history/versions.py and registry/erase.py."""

from __future__ import annotations

import json
from typing import Any

import click
import pyoxigraph as ox

from ogpreg.actors import token_actor
from ogpreg.context import lang_of, registry_of
from registry.access.audit import AuditLog
from registry.errors import NotFound, RegistryError, UsageError
from registry.history.versions import Version, diff, versions
from registry.i18n import DEFAULT_LANG, LANGS, N_, Msg, gettext, msg
from registry.lifecycle.change import set_status
from registry.lifecycle.rules import STATUSES, allowed_next, status_label
from registry.lifecycle.state import current_status, exists, item_facts
from registry.namespaces import OGP, PREFIXES
from registry.service import Registry

_TOKEN_HELP = (
    "Bearer token (from 'ogpreg token add'), or @FILE to read it from a file; default: "
    "$OGPREG_TOKEN. Its organisation and role decide what you may do. Never printed. "
    "Example: --token @kmd.token"
)


def _iri(reg: Registry, value: str, kind: str | None = None) -> str:
    """A full IRI from a full IRI, a path under the base URI (``id/commitment/NO0054``) or,
    for ``kind="plan"``, a plan id (``2019-2021``)."""
    value = value.strip()
    if "://" in value:
        return value
    if kind == "plan" and "/" not in value:
        return reg.uris.plan(value)
    return reg.settings.base_uri + value.lstrip("/")


#: The kinds of item that have a registry status, by class.
_STATUS_KINDS = (OGP.ActionPlan, OGP.Commitment, OGP.Proposal)


def _by_identifier(reg: Registry, ident: str) -> str:
    """The plan, commitment or proposal whose ``dct:identifier`` is ``ident`` (NO0054,
    2019-2021, 2018-tin-01); :class:`NotFound` when none has it, :class:`UsageError` when
    several do."""
    reg.ensure_initialised()
    kinds = " ".join(f"<{k}>" for k in _STATUS_KINDS)
    found = sorted(
        {
            str(row["item"].value)
            for row in reg.query(
                "SELECT DISTINCT ?item ?id WHERE { ?item dct:identifier ?id ; a ?kind "
                f"VALUES ?kind {{ {kinds} }} }}",
                substitutions={ox.Variable("id"): ox.Literal(ident)},
            )  # type: ignore[union-attr]
        }
    )
    if not found:
        raise NotFound(
            msg(
                "No action plan, commitment or proposal has the identifier {ident}. Give an "
                "identifier (NO0054, 2019-2021), a path under the base URI "
                "(id/commitment/NO0054) or a full URI.",
                ident=ident,
            )
        )
    if len(found) > 1:
        raise UsageError(
            msg(
                "Several items have the identifier {ident}: {items}. Give the URI of the one "
                "you mean.",
                ident=ident,
                items=", ".join(found),
            )
        )
    return found[0]


def _status_item(reg: Registry, value: str) -> str:
    """The IRI of the item ``ogpreg status`` is about: a full IRI, a path under the base URI
    or an identifier; an item the registry does not have is an error (exit 1), one that has
    no registry status (an organisation, a milestone) a usage error."""
    value = value.strip()
    if "://" not in value and "/" not in value:
        return _by_identifier(reg, value)
    iri = _iri(reg, value)
    reg.ensure_initialised()
    reader = reg.store.reader()
    base = reg.settings.base_uri
    if not item_facts(reader, base, iri).kinds:
        if exists(reader, base, iri):
            raise UsageError(
                msg(
                    "{item} is neither an action plan, a commitment nor a proposal; only "
                    "those have a registry status.",
                    item=iri,
                )
            )
        raise NotFound(
            msg(
                "{item} does not exist in the registry. Give an identifier (NO0054), a path "
                "under the base URI (id/commitment/NO0054) or the full URI.",
                item=iri,
            )
        )
    return iri


def _status_text(code: str | None) -> Msg:
    """A status in a message: its label and code (``tatt inn i planen (accepted)``), or no
    status."""
    if code is None:
        return status_label(None)
    return msg("{label} ({code})", label=status_label(code), code=code)


# -- status -----------------------------------------------------------------------------------
@click.command("status")
@click.argument("item", metavar="ID|URI")
@click.option(
    "--set",
    "to",
    type=click.Choice(list(STATUSES)),
    help="The new status. Without --set the current status and what may follow it are shown. "
    "Example: --set accepted",
)
@click.option(
    "--reason",
    metavar="TEXT",
    help="Why (required for withdrawn and for an admin's correction outside the rules; "
    "recorded with the change and in the audit log). Example: --reason "
    '"Slått sammen med NO0060"',
)
@click.option(
    "--successor",
    metavar="URI",
    help="The item that replaces this one (required for superseded). Example: --successor "
    "id/commitment/NO0062",
)
@click.option(
    "--date",
    "approval",
    metavar="YYYY-MM-DD",
    help="The date the government approved the plan (for approved; default: the plan's "
    "ogp:approvalDate). Example: --date 2019-06-28",
)
@click.option(
    "--plan",
    metavar="ID|URI",
    help="The action plan an item is accepted into (for accepted, when the registry does not "
    "know it). Example: --plan 2019-2021",
)
@click.option("--token", metavar="TOKEN", envvar="OGPREG_TOKEN", help=_TOKEN_HELP)
@click.option(
    "--reason-lang",
    type=click.Choice(list(LANGS)),
    default=DEFAULT_LANG,
    show_default=True,
    help="Language of --reason. Example: --reason-lang en",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format. Example: --format json",
)
@click.pass_context
def status(
    ctx: click.Context,
    item: str,
    to: str | None,
    reason: str | None,
    successor: str | None,
    approval: str | None,
    plan: str | None,
    token: str | None,
    reason_lang: str,
    fmt: str,
) -> None:
    """Show or change the registry status of a plan, commitment or proposal.

    draft → submitted → accepted → approved → in-force → completed, or withdrawn (with
    --reason) or superseded (with --successor) from any status that is not final. An item's
    own organisation may submit it; only the coordinating ministry (token role approver) or
    admin may accept, approve, put in force, complete, withdraw or supersede. An admin token may
    also correct a status outside these rules, out of a final one too, only with --reason (in
    the history and the audit log). Every change is recorded with who, when and why, and
    creates a new version of the item (ogpreg history). ID|URI is the item's identifier
    (NO0054, 2019-2021, 2018-tin-01), a path under the base URI or a full IRI; an item the
    registry does not have is an error (exit 1).

    \b
    Example:
      ogpreg status NO0054
      ogpreg status id/proposal/2018-tin-01
      ogpreg status id/proposal/2018-tin-01 --set submitted --token @tin.token
      ogpreg status id/commitment/NO9901 --set approved --date 2019-06-28 --token @kmd.token
      ogpreg status id/commitment/NO9903 --set withdrawn --reason "Slått sammen" --token @kmd.token
      ogpreg status id/commitment/NO9903 --set in-force --reason "Feilregistrert" --token @ops.token
    """
    reg = registry_of(ctx)
    lang = lang_of(ctx)
    iri = _status_item(reg, item)
    if to is None:
        code = current_status(reg.store.reader(), reg.settings.base_uri, iri)
        nexts = [t.to for t in allowed_next(code)]
        if fmt == "json":
            click.echo(json.dumps({"item": iri, "status": code, "allowed": nexts}, indent=2))
            return
        click.echo(
            msg(
                "{item}: {status}. Allowed from here: {allowed}.",
                item=iri,
                status=_status_text(code),
                allowed=", ".join(nexts) or "–",
            ).render(lang)
        )
        return
    actor = token_actor(reg, token)
    log = AuditLog(reg.store.path)
    try:
        result = set_status(
            reg,
            actor,
            iri,
            to,
            reason=reason,
            successor=_iri(reg, successor) if successor else None,
            date=approval,
            plan=_iri(reg, plan, "plan") if plan else None,
            reason_lang=reason_lang,
        )
    except RegistryError as exc:
        log.record(
            "status",
            "refused",
            token_id=actor.id,
            organisation=actor.organisation,
            role=actor.role,
            target=iri,
            actor=reg.settings.user,
            message=exc.render("en"),
        )
        raise
    log.record(
        "status",
        "ok",
        token_id=actor.id,
        organisation=actor.organisation,
        role=actor.role,
        target=iri,
        actor=reg.settings.user,
        message=f"{result.from_status or '-'} -> {result.to_status}; change {result.change}"
        + ("; admin correction" if result.correction else "")
        + (f"; reason: {reason}" if reason else ""),
    )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "item": result.item,
                    "from": result.from_status,
                    "to": result.to_status,
                    "change": result.change,
                    "status_change": result.status_change,
                    "version": result.version,
                    "time": result.time.isoformat(),
                },
                indent=2,
            )
        )
        return
    click.echo(
        msg(
            "{item}: {old} → {new} (change {n}, version {version}).",
            item=result.item,
            old=_status_text(result.from_status),
            new=_status_text(result.to_status),
            n=result.change,
            version=result.version,
        ).render(lang)
    )


# -- history ----------------------------------------------------------------------------------
#: What a version did to its item, in a line of the history (msgids).
_ACTION_WORDS: dict[str, str] = {
    "create": N_("created"),
    "update": N_("updated"),
    "delete": N_("deleted"),
}
#: The kind of change that made a version, in a line of the history (msgids).
_KIND_WORDS: dict[str, str] = {
    "load": N_("load"),
    "status": N_("status change"),
    # TRANSLATORS: the kind of change (a noun), in a line of 'ogpreg history'
    "erase": N_("erase"),
}


def _short(term: object, base: str) -> str:
    """A readable term: a CURIE, a path under the base URI, or N-Triples."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(base):
            return "<" + iri[len(base) :] + ">"
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = iri[len(ns) :]
            if iri.startswith(ns) and local and all(c.isalnum() or c in "-_/" for c in local):
                return f"{prefix}:{local}"
        return str(term)
    if isinstance(term, ox.Literal) and not term.language:
        dt = term.datatype.value
        if dt != "http://www.w3.org/2001/XMLSchema#string":
            return f"{ox.Literal(term.value)}^^{_short(term.datatype, base)}"
    return str(term)


def _triple_text(t: ox.Triple, base: str) -> str:
    return f"{_short(t.predicate, base)} {_short(t.object, base)}"


def _version_json(v: Version, previous: Version | None) -> dict[str, Any]:
    added, removed = diff(previous, v)
    c = v.change
    return {
        "number": v.number,
        "uri": v.uri,
        "time": v.time.isoformat(),
        "action": v.action,
        "previous": v.previous,
        "change": {
            "number": c.number,
            "uri": c.uri,
            "kind": c.kind,
            "agent": c.agent,
            "loaded_by": c.loaded_by,
            "sources": list(c.sources),
            "reason": dict(c.reasons),
        },
        "added": [f"{t} ." for t in added],
        "removed": [f"{t} ." for t in removed],
    }


@click.command("history")
@click.argument("item", metavar="URI")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format. Example: --format json",
)
@click.pass_context
def history_(ctx: click.Context, item: str, fmt: str) -> None:
    """List the versions of an item and the differences between consecutive ones.

    Every load, status change and erase that changes an item's description creates a version
    with a stable, citable URI ({item}/version/{n}, n = the change number): when, what
    (created, updated, deleted), who (organisation, user or token), from which source and
    why. The differences are the statements added (+) and removed (-). URI is a full IRI or a
    path under the base URI.

    \b
    Example:
      ogpreg history id/commitment/NO0054
      ogpreg history id/proposal/2018-tin-01 --format json
    """
    reg = registry_of(ctx)
    lang = lang_of(ctx)
    reg.ensure_initialised()
    iri = _iri(reg, item)
    found = versions(reg.store.reader(), iri)
    if not found:
        raise NotFound(
            msg(
                "{item} has no versions in the history (does it exist? is the URI right?).",
                item=iri,
            )
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "item": iri,
                    "versions": [
                        _version_json(v, found[i - 1] if i else None) for i, v in enumerate(found)
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    base = reg.settings.base_uri
    click.echo(iri)
    for i, v in enumerate(found):
        c = v.change
        parts = [
            msg("version {n}", n=v.number).render(lang),
            v.time.isoformat().replace("+00:00", "Z"),
            gettext(lang, _ACTION_WORDS[v.action]),
            f"({gettext(lang, _KIND_WORDS[c.kind])})",
        ]
        who = [w for w in (c.agent and _short(ox.NamedNode(c.agent), base), c.loaded_by) if w]
        if who:
            parts.append(msg("by {who}", who=", ".join(who)).render(lang))
        if c.sources:
            sources = ", ".join(_short(ox.NamedNode(s), base) for s in c.sources)
            parts.append(msg("source {sources}", sources=sources).render(lang))
        click.echo("  ".join(parts))
        click.echo(f"  {v.uri}")
        reason = c.reason(lang)
        if reason:
            click.echo("  " + msg("reason: {reason}", reason=reason).render(lang))
        added, removed = diff(found[i - 1] if i else None, v)
        for t in removed:
            click.echo("  - " + _triple_text(t, base))
        for t in added:
            click.echo("  + " + _triple_text(t, base))


# -- erase ------------------------------------------------------------------------------------
@click.command("erase")
@click.argument("item", metavar="URI")
@click.option(
    "--reason",
    required=True,
    metavar="TEXT",
    help="Why the data is erased (goes to the audit log). Example: --reason "
    '"personopplysninger lastet inn ved en feil"',
)
@click.option("--token", metavar="TOKEN", envvar="OGPREG_TOKEN", help=_TOKEN_HELP)
@click.option(
    "--yes", is_flag=True, help="Do not ask for confirmation (for scripts). Example: --yes"
)
@click.pass_context
def erase_(ctx: click.Context, item: str, reason: str, token: str | None, yes: bool) -> None:
    """Erase an item loaded by mistake (e.g. personal data), with an admin token.

    Removes every statement about the item and its sub-resources ({URI}/…) from every graph,
    its versions from the history and from the change feed, and rewrites the store so that
    nothing of it remains in the store's files; older revisions are removed at once. The
    history gets an erase change that names neither the item nor its content; the audit log
    (audit.log) records who, when, why and the IRI. Not the same as withdrawing (ogpreg status
    --set withdrawn), which keeps the item and says why. Backups made earlier still hold it.

    \b
    Example:
      ogpreg erase id/organisation/ola-nordmann --reason "personopplysninger" --token @ops.token
    """
    from registry.erase import erase

    reg = registry_of(ctx)
    lang = lang_of(ctx)
    iri = _iri(reg, item)
    actor = token_actor(reg, token)
    if not yes:
        click.confirm(
            msg(
                "Erase {item} for good, with its history? It cannot be undone.",
                item=iri,
            ).render(lang),
            abort=True,
            err=True,
        )
    result = erase(reg, actor, iri, reason, user=reg.settings.user)
    click.echo(
        msg(
            "{item} erased: {triples} triples, {versions} versions, {records} status "
            "changes and {contacts} contact persons removed; {scrubbed} other versions "
            "scrubbed (change {n}).",
            item=iri,
            triples=result.triples,
            versions=result.versions,
            records=result.status_changes,
            contacts=result.contacts,
            scrubbed=result.snapshots_scrubbed,
            n=result.change,
        ).render(lang)
    )


def register(main: click.Group) -> None:
    main.add_command(status)
    main.add_command(history_)
    main.add_command(erase_)
