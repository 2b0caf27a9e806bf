"""``ogpreg load`` and ``ogpreg validate``: RDF files checked against the shapes and loaded,
each into its own named graph, all or nothing; locally, or pushed to a running registry
(``--remote``, ogpreg/remote.py). Spreadsheet, CSV and JSON submissions and URLs take the path
in ogpreg/commands/submissions.py.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ogpreg.actors import load_actor
from ogpreg.commands.submissions import (
    handles,
    load_submissions,
    load_verb,
    quiet_option,
    validate_submissions,
)
from ogpreg.context import lang_of, registry_of
from registry.errors import UsageError
from registry.i18n import Lang, msg
from registry.loading.pipeline import LoadResult
from registry.loading.sources import SourceFile, source_id_for
from registry.rdf.formats import RDF_FORMATS, read_limited


def _read_inputs(
    files: tuple[str, ...], fmt: str | None, source: str | None, max_bytes: int | None = None
) -> list[SourceFile]:
    """The RDF files (``-`` for standard input) as source files, at most ``max_bytes`` each."""
    if not files:
        raise UsageError(msg("Give at least one file."))
    if source and len(files) > 1:
        raise UsageError(
            msg(
                "--source can only be used with one file.",
            )
        )
    out = []
    for name in files:
        if name == "-":
            if not fmt or not source:
                raise UsageError(
                    msg(
                        "Reading standard input (-) needs --format and --source.",
                    )
                )
            label = "<stdin>"
            data = (
                sys.stdin.buffer.read()
                if max_bytes is None
                else read_limited(sys.stdin.buffer, max_bytes, file=label)
            )
        else:
            path = Path(name)
            if not path.is_file():
                raise UsageError(
                    msg(
                        "File not found: {file}.",
                        file=name,
                    )
                )
            label = name
            data = (
                path.read_bytes() if max_bytes is None else read_limited(path, max_bytes, file=name)
            )
        out.append(
            SourceFile(label, data, source_id_for(path.name if name != "-" else label, source), fmt)
        )
    return out


def print_load(
    results: list[LoadResult], lang: Lang, dry_run: bool, *, warnings: bool = True
) -> int:
    """What a load of RDF files did (or, with ``dry_run``, would do), a line per file, each
    followed by its warnings (only counted with ``warnings=False``); the number of warnings."""
    count = 0
    for r in results:
        if r.unchanged:
            text = msg(
                "{file}: unchanged (same content as before) in {graph}",
                file=r.file,
                graph=r.graph,
            )
        else:
            text = msg(
                "{file}: {verb} {graph}: {triples} triples ({added} new, {removed} removed)",
                file=r.file,
                verb=load_verb(dry_run, r.replaced),
                graph=r.graph,
                triples=r.triples,
                added=r.added,
                removed=r.removed,
            )
        click.echo(text.render(lang))
        count += len(r.warnings)
        for w in r.warnings if warnings else ():
            click.echo(w.render(lang))
    if dry_run:
        click.echo(
            msg("Dry run: nothing was written.").render(lang)
        )
    return count


_FORMAT_HELP = (
    "RDF format (" + ", ".join(RDF_FORMATS) + ") or submission format (xlsx, csv, json); "
    "default from the file extension."
)
_SUBMISSION_FORMATS = ("xlsx", "csv", "json")


def _submission_options(f: Any) -> Any:
    """--plan, --kind and --allow-private-urls for spreadsheet/CSV/JSON submissions and URLs."""
    f = click.option(
        "--allow-private-urls",
        is_flag=True,
        help="Allow fetching a URL on a loopback, private or link-local address. Example: "
        "ogpreg load --allow-private-urls http://intranett.local/forslag.xlsx",
    )(f)
    f = click.option(
        "--kind",
        metavar="KIND",
        help="Submission kind of CSV/XLSX/JSON files (commitments, proposals, comments, "
        "assessments, organisations); default: from the sheets and headers. Example: --kind "
        "proposals",
    )(f)
    f = click.option(
        "--plan",
        metavar="ID",
        help="Action plan of a submission (part of its source id; commitments take it from "
        "their rows). Example: --plan 2019-2021",
    )(f)
    return f


@click.command()
@click.argument("files", nargs=-1, metavar="FILE...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*RDF_FORMATS, *_SUBMISSION_FORMATS]),
    help=_FORMAT_HELP + " Example: --format turtle",
)
@click.option(
    "--source",
    metavar="ID",
    help="Source id (the named graph graph/source/ID); default: the file name without "
    "extension. Loading the same id again replaces it. Example: --source kmd-2019",
)
@click.option(
    "--submitted-by",
    metavar="ORG",
    help="Organisation that submitted the file: organisation number, name or IRI; recorded "
    "as provenance, and the file's statuses are checked as that organisation's submitter's "
    "(draft or submitted, on its own items). Example: --submitted-by 972417858",
)
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option(
    "--recorded-at",
    "recorded_at",
    metavar="DATETIME",
    help="Record the load in the history at this earlier time (ISO 8601, with a time zone), to "
    "back-fill the history of earlier plans; not before the latest change, not in the future "
    "(docs/lifecycle.md). Local loads only. Example: --recorded-at 2019-06-01T12:00:00+02:00",
)
@click.option(
    "--report",
    "report_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format for problems. Example: --report json",
)
@click.option(
    "--remote",
    metavar="URL",
    help="Push the files to a running registry at URL instead of the local store (RDF: PUT "
    "URL/graph-store?graph=...; XLSX, CSV, JSON: POST URL/api/submissions); the server "
    "validates and loads as a local load does. Needs --token. "
    "Example: --remote https://ogp.example.no/",
)
@click.option(
    "--token",
    metavar="TOKEN",
    envvar="OGPREG_TOKEN",
    help="Bearer token (from 'ogpreg token add'), or @FILE to read it from a file; default: "
    "$OGPREG_TOKEN. With --remote it authenticates to the server; without, the local load acts "
    "with the token's organisation and role (a submitter's load is its own organisation's, "
    "and its files may give only draft or submitted). Never printed. Example: --token "
    "@~/.config/ogpreg/token",
)
@_submission_options
@quiet_option("load")
@click.pass_context
def load(
    ctx: click.Context,
    files: tuple[str, ...],
    fmt: str | None,
    source: str | None,
    submitted_by: str | None,
    dry_run: bool,
    report_format: str,
    remote: str | None,
    token: str | None,
    plan: str | None = None,
    kind: str | None = None,
    allow_private_urls: bool = False,
    recorded_at: str | None = None,
) -> None:
    """Validate RDF files and load each into its own named graph, all or nothing.

    FILE is Turtle, TriG, N-Triples, N-Quads, JSON-LD or RDF/XML ('-' for standard input,
    with --format and --source), a submission as XLSX, CSV or JSON (docs/submissions.md), or
    an http(s) URL of one. If any file fails to parse or validate, nothing is written.

    A status in a file (ogp:registryStatus) is an item's initial status, if the loader may
    give it: with --token, the token's role decides; with --submitted-by ORG, ORG's submitter
    may give only draft or submitted, on its own organisation's items; with neither, the
    operator may give any. Other statuses are set with 'ogpreg status'.

    \b
    Example:
      ogpreg load --submitted-by 972417858 tillegg.ttl
      ogpreg load --dry-run tillegg.ttl
      ogpreg load --dry-run forpliktelser.xlsx
      ogpreg load --remote https://ogp.example.no/ --token @token.txt tillegg.ttl
      ogpreg load --remote https://ogp.example.no/ --token @token.txt forpliktelser.xlsx
      ogpreg load --token @fin.token forpliktelser.xlsx
    """
    ctx.meta["report_format"] = report_format
    if recorded_at is not None:
        if remote:
            raise UsageError(
                msg(
                    "--recorded-at applies to local loads only, not --remote.",
                )
            )
        registry_of(ctx).recorded_at = _parse_recorded_at(recorded_at)
    if remote:
        remote_results = _load_remote(
            ctx, files, fmt, source, submitted_by, dry_run, remote, token, kind, report_format
        )
        if remote_results is None:  # a submission: the server's report is printed
            return
        results = remote_results
    elif handles(files, fmt):
        load_submissions(
            ctx, registry_of(ctx), files, fmt=fmt, source=source, submitted_by=submitted_by,
            dry_run=dry_run, report_format=report_format, lang=lang_of(ctx), plan=plan,
            kind=kind, allow_private_urls=allow_private_urls, token=token,
        )
        return
    else:
        reg = registry_of(ctx)
        inputs = _read_inputs(files, fmt, source, reg.settings.max_upload_bytes)
        actor, org_iri = load_actor(reg, token, submitted_by)
        results = reg.load(inputs, submitted_by=org_iri, dry_run=dry_run, actor=actor)
    lang = lang_of(ctx)
    if report_format == "json":
        click.echo(
            json.dumps(
                {
                    "dry_run": dry_run,
                    "sources": [
                        {
                            "file": r.file,
                            "graph": r.graph,
                            "triples": r.triples,
                            "added": r.added,
                            "removed": r.removed,
                            "unchanged": r.unchanged,
                            "warnings": [w.to_dict(lang) for w in r.warnings],
                        }
                        for r in results
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print_load(results, lang, dry_run)


def _parse_recorded_at(value: str) -> datetime:
    """``--recorded-at``: an ISO 8601 date and time with a time zone."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise UsageError(
            msg(
                "Invalid --recorded-at {value!r}: write a date and time with a time zone, for "
                "example 2019-06-01T12:00:00+02:00.",
                value=value,
            )
        )
    return when


def _load_remote(
    ctx: click.Context,
    files: tuple[str, ...],
    fmt: str | None,
    source: str | None,
    submitted_by: str | None,
    dry_run: bool,
    remote: str | None,
    token: str | None,
    kind: str | None = None,
    report_format: str = "text",
) -> list[LoadResult] | None:
    """``load --remote``: the server validates and loads (ogpreg/remote.py). RDF files go to
    the Graph Store (their results are returned); spreadsheets, CSV and JSON go to ``POST
    /api/submissions`` and its report is printed here (``None`` is returned)."""
    from ogpreg.remote import load_remote, plaintext_warning, send_submissions

    if not remote or not token:
        raise UsageError(
            msg(
                "--remote and --token must be used together.",
            )
        )
    if submitted_by:
        raise UsageError(
            msg(
                "--submitted-by cannot be used with --remote: the server takes the submitter "
                "from the token.",
            )
        )
    lang = lang_of(ctx)
    if handles(files, fmt):
        if source:
            raise UsageError(
                msg(
                    "--source cannot be used with --remote for spreadsheets, CSV and JSON: the "
                    "server names the source from the kind, the plan and the token's "
                    "organisation.",
                )
            )
        inputs = _remote_submission_files(files, fmt)
        warning = plaintext_warning(remote)
        if warning is not None:
            click.echo(warning.render(lang), err=True)
        body = send_submissions(remote, token, inputs, kind=kind, dry_run=dry_run, lang=lang)
        _print_remote_submissions(body, lang, dry_run, report_format)
        return None
    warning = plaintext_warning(remote)
    if warning is not None:
        click.echo(warning.render(lang), err=True)
    return load_remote(remote, token, _read_inputs(files, fmt, source), dry_run=dry_run, lang=lang)


def _remote_submission_files(files: tuple[str, ...], fmt: str | None) -> list[tuple[str, bytes]]:
    """The spreadsheet, CSV and JSON files to send with ``--remote`` (no URLs, no RDF among
    them: the server reads one submission, all or nothing)."""
    from loaders.fetch import is_url
    from loaders.submission import submission_format

    if not files:
        raise UsageError(msg("Give at least one file."))
    out = []
    for name in files:
        if name == "-" or is_url(name):
            raise UsageError(
                msg(
                    "--remote sends files, not standard input or URLs: {file}. Download it "
                    "first, then send the file.",
                    file=name,
                )
            )
        path = Path(name)
        if not path.is_file():
            raise UsageError(msg("File not found: {file}.", file=name))
        data = path.read_bytes()
        if submission_format(name, data[:4096], fmt) is None:
            raise UsageError(
                msg(
                    "Send RDF files and spreadsheets in separate 'ogpreg load --remote' "
                    "commands: {file} is RDF.",
                    file=name,
                )
            )
        out.append((path.name, data))
    return out


def _print_remote_submissions(
    body: dict[str, Any], lang: Lang, dry_run: bool, report_format: str
) -> None:
    """The server's report of a submission, printed as a local ``ogpreg load`` prints it."""
    from ogpreg.remote import submission_issue

    sources = body.get("sources") or []
    if report_format == "json":
        for src in sources:
            src.pop("changes_text", None)
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for src in sources:
        if src.get("unchanged"):
            click.echo(msg("{file}: unchanged (same file as before) in {graph}",
                           file=src.get("file"), graph=src.get("graph")).render(lang))
        else:
            click.echo(msg("{file}: {verb} {graph}: {triples} triples",
                           file=src.get("file"), verb=load_verb(dry_run, bool(src.get("replaced"))),
                           graph=src.get("graph"), triples=src.get("triples")).render(lang))
        if src.get("changes_text"):
            click.echo(src["changes_text"])
    for issue in body.get("issues") or []:
        click.echo(submission_issue(issue).render(lang))
    if dry_run:
        click.echo(msg("Dry run: nothing was written.").render(lang))


@click.command()
@click.argument("files", nargs=-1, metavar="FILE...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*RDF_FORMATS, *_SUBMISSION_FORMATS]),
    help=_FORMAT_HELP + " Example: --format trig",
)
@_submission_options
@click.option(
    "--submitted-by",
    metavar="ORG",
    help="Submitter of a spreadsheet/CSV/JSON submission (organisation number or name); "
    "decides which earlier submission it would replace. Example: --submitted-by 972417858",
)
@click.option(
    "--report",
    "report_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format. Example: --report json",
)
@quiet_option("validate")
@click.pass_context
def validate(
    ctx: click.Context,
    files: tuple[str, ...],
    fmt: str | None,
    report_format: str,
    plan: str | None = None,
    kind: str | None = None,
    allow_private_urls: bool = False,
    submitted_by: str | None = None,
) -> None:
    """Validate RDF files against the shapes and print the report; write nothing.

    Exits 1 if any file does not conform (warnings alone do not fail).

    \b
    Example:
      ogpreg validate --lang en forslag.ttl
      ogpreg validate --report json forpliktelser.xlsx
    """
    ctx.meta["report_format"] = report_format
    reg = registry_of(ctx)
    if handles(files, fmt):
        validate_submissions(
            ctx, reg, files, fmt=fmt, report_format=report_format, lang=lang_of(ctx),
            plan=plan, kind=kind, allow_private_urls=allow_private_urls,
            submitted_by=submitted_by,
        )
        return
    report = reg.validate(_read_inputs(files, fmt, None, reg.settings.max_upload_bytes))
    lang = lang_of(ctx)
    click.echo(report.to_json(lang) if report_format == "json" else report.render(lang))


def register(main: click.Group) -> None:
    main.add_command(load)
    main.add_command(validate)
