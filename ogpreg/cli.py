"""``ogpreg``: initialise, load, validate, query, export and count the OGP registry.

Exit codes: 0 success, 1 failure or data that does not conform, 2 usage error.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from registry.errors import RegistryError, UsageError, ValidationFailed
from registry.i18n import Lang, as_lang, msg
from registry.loading.sources import SourceFile, source_id_for
from registry.rdf.formats import RDF_FORMATS, read_limited
from registry.service import LoadResult, Registry, open_registry
from registry.settings import load_settings
from registry.sparql.results import ALL_FORMATS, serialize

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class State:
    """What the group's options decided; commands ask it for the registry."""

    def __init__(self, store: Path | None, base_uri: str | None, lang: str | None) -> None:
        self.overrides: dict[str, object | None] = {
            "store": str(store) if store else None,
            "base_uri": base_uri,
            "lang": lang,
        }
        self._registry: Registry | None = None

    @property
    def lang(self) -> Lang:
        return as_lang(str(load_settings(self.overrides).lang))

    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = open_registry(load_settings(self.overrides))
        return self._registry


def _lang_of(ctx: click.Context) -> Lang:
    state = ctx.find_object(State)
    try:
        return state.lang if state else "nb"
    except RegistryError:
        return "nb"


class RegistryGroup(click.Group):
    """Maps the registry's errors to messages and exit codes, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            lang = _lang_of(ctx)
            report_format = ctx.meta.get("report_format", "text")
            if report_format == "json":
                click.echo(exc.report.to_json(lang))
            else:
                click.echo(exc.report.render(lang), err=True)
                click.echo(exc.message.render(lang), err=True)
            ctx.exit(exc.exit_code)
        except RegistryError as exc:
            lang = _lang_of(ctx)
            prefix = "Error" if lang == "en" else "Feil"
            if ctx.meta.get("report_format") == "json":
                click.echo(
                    json.dumps({"error": exc.code, "message": exc.render(lang)}, ensure_ascii=False)
                )
            click.echo(f"{prefix}: {exc.render(lang)}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=RegistryGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the embedded store (default: $OGPREG_STORE, else "
    "~/.local/share/ogp-registry/store). Example: --store ./var/store",
)
@click.option(
    "--base-uri",
    metavar="URI",
    help="Base URI for minted resources (default: $OGPREG_BASE_URI, else "
    "http://localhost:8000/). Example: --base-uri https://ogp.example.no/",
)
@click.option(
    "--lang",
    type=click.Choice(["nb", "en"]),
    help="Language of messages and reports: nb (bokmål, default) or en. Example: --lang en",
)
@click.version_option(package_name="ogp-registry", prog_name="ogpreg")
@click.pass_context
def main(ctx: click.Context, store: Path | None, base_uri: str | None, lang: str | None) -> None:
    """The OGP registry: Norway's Open Government Partnership action plans as linked open data.

    \b
    Example:
      ogpreg init
      ogpreg query 'SELECT ?id ?title WHERE { ?c dct:identifier ?id ; dct:title ?title }'
    """
    ctx.obj = State(store, base_uri, lang)


def _registry(ctx: click.Context) -> Registry:
    return ctx.find_object(State).registry()  # type: ignore[union-attr]


def _is_submission(files: tuple[str, ...], fmt: str | None) -> bool:
    """XLSX/CSV/JSON submissions and URLs go through ogpreg/commands/submissions.py."""
    from ogpreg.commands.submissions import handles

    return handles(files, fmt)


def _read_inputs(
    files: tuple[str, ...], fmt: str | None, source: str | None, max_bytes: int | None = None
) -> list[SourceFile]:
    if not files:
        raise UsageError(msg("Oppgi minst én fil.", "Give at least one file."))
    if source and len(files) > 1:
        raise UsageError(
            msg(
                "--source kan bare brukes med én fil.",
                "--source can only be used with one file.",
            )
        )
    out = []
    for name in files:
        if name == "-":
            if not fmt or not source:
                raise UsageError(
                    msg(
                        "Fra standard inn (-) må du oppgi --format og --source.",
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
                        "Finner ikke filen {file}.",
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


def _print_load(results: list[LoadResult], lang: Lang, dry_run: bool) -> None:
    for r in results:
        if r.unchanged:
            text = msg(
                "{file}: uendret (samme innhold som før) i {graph}",
                "{file}: unchanged (same content as before) in {graph}",
                file=r.file,
                graph=r.graph,
            )
        else:
            verb = (
                ("ville erstattet", "would replace")
                if dry_run and r.replaced
                else ("ville lastet inn i", "would load into")
                if dry_run
                else ("erstattet", "replaced")
                if r.replaced
                else ("lastet inn i", "loaded into")
            )
            text = msg(
                "{file}: {verb} {graph}: {triples} tripler ({added} nye, {removed} fjernet)",
                "{file}: {verb_en} {graph}: {triples} triples ({added} new, {removed} removed)",
                file=r.file,
                verb=verb[0],
                verb_en=verb[1],
                graph=r.graph,
                triples=r.triples,
                added=r.added,
                removed=r.removed,
            )
        click.echo(text.render(lang))
        for w in r.warnings:
            click.echo(w.render(lang))
    if dry_run:
        click.echo(
            msg("Prøvekjøring: ingenting er skrevet.", "Dry run: nothing was written.").render(lang)
        )


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the store and load the ontology, schemes, shapes and bundled real data.

    Running it again refreshes the vocabularies and bundled data (in one commit).

    \b
    Example:
      ogpreg --store ./var/store init
    """
    reg = _registry(ctx)
    results = reg.init()
    lang = _lang_of(ctx)
    _print_load(results, lang, dry_run=False)
    click.echo(
        msg(
            "Registeret i {path} er klart (revisjon {rev}).",
            "The registry in {path} is ready (revision {rev}).",
            path=reg.store.path,
            rev=reg.store.revision().number,  # type: ignore[union-attr]
        ).render(lang)
    )


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


@main.command()
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
    help="Push the files to a running registry at URL instead of the local store (PUT "
    "URL/graph-store?graph=...; the server validates as a local load does). Needs --token. "
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
      ogpreg load --token @fin.token forpliktelser.xlsx
    """
    ctx.meta["report_format"] = report_format
    if recorded_at is not None:
        if remote:
            raise UsageError(
                msg(
                    "--recorded-at gjelder bare lokal lasting, ikke --remote.",
                    "--recorded-at applies to local loads only, not --remote.",
                )
            )
        _registry(ctx).recorded_at = _parse_recorded_at(recorded_at)
    if remote:
        results = _load_remote(ctx, files, fmt, source, submitted_by, dry_run, remote, token)
    elif _is_submission(files, fmt):
        from ogpreg.commands.submissions import load_submissions

        load_submissions(
            ctx, _registry(ctx), files, fmt=fmt, source=source, submitted_by=submitted_by,
            dry_run=dry_run, report_format=report_format, lang=_lang_of(ctx), plan=plan,
            kind=kind, allow_private_urls=allow_private_urls, token=token,
        )
        return
    else:
        from ogpreg.commands.status import load_actor

        reg = _registry(ctx)
        inputs = _read_inputs(files, fmt, source, reg.settings.max_upload_bytes)
        actor, org_iri = load_actor(reg, token, submitted_by)
        results = reg.load(inputs, submitted_by=org_iri, dry_run=dry_run, actor=actor)
    lang = _lang_of(ctx)
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
        _print_load(results, lang, dry_run)


def _parse_recorded_at(value: str) -> datetime:
    """``--recorded-at``: an ISO 8601 date and time with a time zone."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise UsageError(
            msg(
                "Ugyldig --recorded-at {value!r}: skriv dato og klokkeslett med tidssone, for "
                "eksempel 2019-06-01T12:00:00+02:00.",
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
) -> list[LoadResult]:
    """``load --remote``: the server validates and loads (ogpreg/remote.py)."""
    from ogpreg.remote import load_remote, plaintext_warning

    if not remote or not token:
        raise UsageError(
            msg(
                "--remote og --token må brukes sammen.",
                "--remote and --token must be used together.",
            )
        )
    if submitted_by:
        raise UsageError(
            msg(
                "--submitted-by kan ikke brukes med --remote: tjeneren tar innsenderen fra "
                "tokenet.",
                "--submitted-by cannot be used with --remote: the server takes the submitter "
                "from the token.",
            )
        )
    if _is_submission(files, fmt):
        raise UsageError(
            msg(
                "--remote sender RDF-filer (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML); "
                "innsendinger som XLSX, CSV, JSON eller URL kan ikke sendes med --remote ennå. "
                "Last dem lokalt på tjeneren, eller gjør dem om til RDF først.",
                "--remote sends RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML); "
                "submissions as XLSX, CSV, JSON or a URL cannot be sent with --remote yet. Load "
                "them locally on the server, or turn them into RDF first.",
            )
        )
    lang = _lang_of(ctx)
    warning = plaintext_warning(remote)
    if warning is not None:
        click.echo(warning.render(lang), err=True)
    return load_remote(remote, token, _read_inputs(files, fmt, source), dry_run=dry_run, lang=lang)


@main.command()
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
    reg = _registry(ctx)
    if _is_submission(files, fmt):
        from ogpreg.commands.submissions import validate_submissions

        validate_submissions(
            ctx, reg, files, fmt=fmt, report_format=report_format, lang=_lang_of(ctx),
            plan=plan, kind=kind, allow_private_urls=allow_private_urls,
            submitted_by=submitted_by,
        )
        return
    report = reg.validate(_read_inputs(files, fmt, None, reg.settings.max_upload_bytes))
    lang = _lang_of(ctx)
    click.echo(report.to_json(lang) if report_format == "json" else report.render(lang))


def _read_query(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise UsageError(
                msg(
                    "Finner ikke spørringsfilen {file}.", "Query file not found: {file}.", file=path
                )
            )
        return path.read_text("utf-8")
    return text


@main.command()
@click.argument("query_text", metavar="QUERY")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(ALL_FORMATS),
    default="table",
    show_default=True,
    help="Output format: table (readable), json/xml/csv/tsv for SELECT and ASK, "
    "turtle/ntriples/jsonld/rdfxml for CONSTRUCT and DESCRIBE. Example: --format csv",
)
@click.pass_context
def query(ctx: click.Context, query_text: str, fmt: str) -> None:
    """Ask the registry a SPARQL question over all its graphs.

    QUERY is the query text, '-' to read standard input, or @file.rq. The registry's
    prefixes (ogp:, dct:, skos:, org:, prov:, schema:, vocab:, theme: ...) are predeclared.

    \b
    Example:
      ogpreg query 'SELECT ?id ?lead WHERE { ?c ogp:leadAgency ?lead ; dct:identifier ?id }'
      ogpreg query --format csv @examples/queries/milestones.rq
    """
    result = _registry(ctx).query(_read_query(query_text))
    sys.stdout.buffer.write(serialize(result, fmt))
    sys.stdout.buffer.flush()


@main.command()
@click.option(
    "--graph",
    metavar="GRAPH",
    help="Export one graph: its IRI or a source id. Default: the whole registry. "
    "Example: --graph bundled-plan-2019-2021",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RDF_FORMATS)),
    help="RDF format (default: trig for the whole registry, turtle for one graph). "
    "Example: --format nquads",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Output file, '-' for standard output. Example: -o registry.trig",
)
@click.pass_context
def export(ctx: click.Context, graph: str | None, fmt: str | None, output: str) -> None:
    """Write the registry, or one of its graphs, as RDF.

    \b
    Example:
      ogpreg export -o registry.trig
      ogpreg export --graph bundled-organisations --format turtle
    """
    reg = _registry(ctx)
    if graph and "://" not in graph:
        graph = reg.uris.source_graph(graph)
    data = reg.export(fmt or ("trig" if graph is None else "turtle"), graph)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(data)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format. Example: --format json",
)
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Count resources per class and triples per source graph.

    \b
    Example:
      ogpreg stats --format json
    """
    s = _registry(ctx).stats()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "revision": s.revision.number if s.revision else 0,
                    "modified": s.revision.committed.isoformat() if s.revision else None,
                    "quads": s.quads,
                    "classes": dict(s.classes),
                    "sources": s.sources,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    from registry.sparql.results import _table

    lang = _lang_of(ctx)
    en = lang == "en"
    click.echo(
        _table(
            ["class" if en else "klasse", "count" if en else "antall"],
            [[c, str(n)] for c, n in s.classes],
        )
    )
    click.echo(
        _table(
            [
                "graph" if en else "graf",
                "triples" if en else "tripler",
                "file" if en else "fil",
                "loaded" if en else "lastet",
            ],
            [
                [
                    str(x["graph"]),
                    str(x["triples"]),
                    str(x.get("fileName", "")),
                    str(x.get("generatedAtTime", "")),
                ]
                for x in s.sources
            ],
        )
    )
    rev = s.revision.number if s.revision else 0
    click.echo(
        msg(
            "{quads} kvader, revisjon {rev}.",
            "{quads} quads, revision {rev}.",
            quads=s.quads,
            rev=rev,
        ).render(lang)
    )


#: Command modules that add commands to ``main`` with ``register(main)``.
COMMAND_MODULES: tuple[str, ...] = (
    "commands.serve",
    "commands.tokens",
    "commands.submissions",
    "commands.dcat",
    "commands.backup",
    "commands.status",
)


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"ogpreg.{name}").register(main)


_register_commands()
