"""Submissions on the command line: ``ogpreg template``, and the spreadsheet, CSV, JSON and URL
paths of ``ogpreg load`` / ``ogpreg validate`` (called from ``ogpreg/commands/load.py``), with
their progress bar and ``--quiet``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from loaders.columns import KINDS, normalise_kind
from loaders.engine import engine_name
from loaders.fetch import fetch, is_url
from loaders.load import load, validate
from loaders.submission import (
    FORMATS,
    Options,
    RawInput,
    Submission,
    read_submissions,
    submission_format,
)
from ogpreg.actors import load_actor
from ogpreg.context import write_output
from registry.actors import Actor
from registry.errors import UsageError
from registry.i18n import DEFAULT_LANG, N_, Lang, Msg, msg
from registry.loading.sources import SourceFile, source_id_for
from registry.rdf.formats import RDF_FORMATS
from registry.service import Registry
from registry.validation.report import ValidationReport

#: Formats ``--format`` accepts in addition to the RDF formats.
SUBMISSION_FORMATS = tuple(FORMATS)
F = TypeVar("F", bound=Callable[..., Any])


def handles(files: tuple[str, ...], fmt: str | None) -> bool:
    """Whether ``ogpreg load/validate`` must take the submission path for these arguments:
    a spreadsheet, CSV or JSON file, a URL, or a file whose format is not a known RDF one."""
    if fmt in SUBMISSION_FORMATS:
        return True
    if fmt:
        return any(is_url(f) for f in files)
    for f in files:
        if f == "-":
            continue
        if is_url(f):
            return True
        suffix = Path(f).suffix.lower()
        if not any(suffix in i.extensions for i in RDF_FORMATS.values()):
            return True
    return False


class Progress:
    """A progress bar on standard error while the submitted files are read and their rows
    built (``click.progressbar``): the bytes of the files with a percentage, the time left
    and the rows read so far; then a status line per later phase (validating). Drawn only when
    standard error is a terminal and ``--quiet`` is not given; otherwise nothing at all.

    The loaders report bytes (``Options.progress_bytes``: a CSV file as it is streamed, a
    workbook or JSON file in shares of its size per row, by the row count the file declares)
    and rows (``Options.progress``)."""

    def __init__(self, lang: Lang, enabled: bool) -> None:
        self.lang = lang
        self.enabled = enabled
        self.rows = 0
        self.total = 0
        self.bar: Any = None
        self._status = False

    def start(self, total: int, names: list[str]) -> None:
        """Begin the bar for ``total`` bytes of the files ``names``."""
        self.total = total
        if not self.enabled or total <= 0:
            return
        what = names[0] if len(names) == 1 else msg("{n} files", n=len(names))
        label = msg("Reading {what}", what=what).render(self.lang)
        self.bar = click.progressbar(
            length=total,
            label=label,
            file=sys.stderr,
            show_percent=True,
            show_eta=True,
            item_show_func=self._info,
            update_min_steps=max(1, total // 500),
            width=30,
        )
        self.bar.__enter__()

    def _info(self, _item: object) -> str:
        done = self.bar.pos if self.bar is not None else 0
        return msg(
            "{done}/{total}, rows read: {rows}",
            done=_size(done),
            total=_size(self.total),
            rows=self.rows,
        ).render(self.lang)

    def __call__(self, n: int) -> None:
        """Rows read (``Options.progress``)."""
        self.rows += n

    def read(self, n: int) -> None:
        """Bytes read (``Options.progress_bytes``)."""
        if self.bar is not None:
            self.bar.update(n)

    def _finish_bar(self) -> None:
        if self.bar is not None:
            self.bar.render_progress()  # the last rows counted after the last bytes
            self.bar.__exit__(None, None, None)
            self.bar = None

    def phase(self, text: Msg) -> None:
        self._finish_bar()
        if self.enabled:
            click.echo(f"\r{text.render(self.lang):<60}", err=True, nl=False)
            self._status = True

    def done(self) -> None:
        self._finish_bar()
        if self._status:
            click.echo("\r" + " " * 60 + "\r", err=True, nl=False)
            self._status = False


#: What a load does to a file's graph (msgids): the {verb} of "{file}: {verb} {graph}: …", by
#: (dry run, the graph held an earlier version of the file).
_VERBS: dict[tuple[bool, bool], str] = {
    (False, False): N_("loaded into"),
    (False, True): N_("replaced"),
    (True, False): N_("would load into"),
    (True, True): N_("would replace"),
}


def load_verb(dry_run: bool, replaced: bool) -> Msg:
    """What a load did (or, with ``dry_run``, would do) to a file's graph."""
    return msg(_VERBS[dry_run, replaced])


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.0f} kB"


def progress_for(ctx: click.Context, lang: Lang) -> Progress:
    """The progress display of a command: on a terminal (standard error), unless --quiet."""
    return Progress(lang, sys.stderr.isatty() and not ctx.meta.get("quiet", False))


def _inputs(
    reg: Registry, files: tuple[str, ...], fmt: str | None, allow_private: bool
) -> tuple[list[tuple[RawInput, str]], list[tuple[str, bytes]]]:
    """(submission inputs with their format, RDF files as (name, bytes))."""
    if not files:
        raise UsageError(msg("Give at least one file."))
    subs: list[tuple[RawInput, str]] = []
    rdf: list[tuple[str, bytes]] = []
    for name in files:
        if name == "-":
            raise UsageError(
                msg(
                    "Submissions (XLSX, CSV, JSON) are read from a file or URL, not from "
                    "standard input.",
                )
            )
        if is_url(name):
            got = fetch(name, max_bytes=reg.settings.max_upload_bytes, allow_private=allow_private)
            sub_fmt = submission_format(got.name, got.data, fmt)
            if sub_fmt is None:
                rdf.append((got.name, got.data))
            else:
                subs.append((RawInput(got.name, data=got.data), sub_fmt))
            continue
        path = Path(name)
        if not path.is_file():
            raise UsageError(msg("File not found: {file}.", file=name))
        with path.open("rb") as fh:
            head = fh.read(4096)
        sub_fmt = submission_format(name, head, fmt)
        if sub_fmt is None:
            rdf.append((name, path.read_bytes()))
        else:
            subs.append((RawInput(path.name, path=path), sub_fmt))
    return subs, rdf


def _prepare(
    ctx: click.Context,
    reg: Registry,
    files: tuple[str, ...],
    *,
    fmt: str | None,
    source: str | None,
    submitted_by: str | None,
    plan: str | None,
    kind: str | None,
    allow_private_urls: bool,
    progress: Progress,
    token: str | None = None,
) -> tuple[list[Submission], list[SourceFile], str | None, Actor]:
    kind_key = None
    if kind:
        kind_key = normalise_kind(kind)
        if kind_key is None:
            raise UsageError(
                msg(
                    "Unknown submission kind {kind!r}. Allowed values: {allowed}.",
                    kind=kind,
                    allowed=", ".join(KINDS),
                )
            )
    subs_in, rdf_in = _inputs(reg, files, fmt, allow_private_urls)
    if source and len(subs_in) + len(rdf_in) > 1:
        raise UsageError(
            msg("--source can only be used with one file.")
        )
    # who loads: the token's organisation and role, else --submitted-by's submitter, else the
    # operator; it decides which statuses the files may give (registry/lifecycle/files.py)
    actor, org_iri = load_actor(reg, token, submitted_by)
    rdf = [
        SourceFile(name, data, source_id_for(Path(name).name, source),
                   fmt if fmt in RDF_FORMATS else None)
        for name, data in rdf_in
    ]
    opts = Options(kind=kind_key, plan=plan, submitted_by=org_iri, source=source,
                   progress=progress, progress_bytes=progress.read)
    progress.start(sum(_input_size(r) for r, _fmt in subs_in), [r.name for r, _fmt in subs_in])
    subs = read_submissions(reg, subs_in, opts)
    progress.phase(msg("Validating ..."))
    return subs, rdf, org_iri, actor


def _input_size(raw: RawInput) -> int:
    if raw.data is not None:
        return len(raw.data)
    return raw.path.stat().st_size if raw.path is not None else 0


def load_submissions(
    ctx: click.Context,
    reg: Registry,
    files: tuple[str, ...],
    *,
    fmt: str | None,
    source: str | None,
    submitted_by: str | None,
    dry_run: bool,
    report_format: str,
    lang: Lang,
    plan: str | None = None,
    kind: str | None = None,
    allow_private_urls: bool = False,
    token: str | None = None,
) -> None:
    """``ogpreg load`` for submissions: validate, show the changes, load all or nothing."""
    progress = progress_for(ctx, lang)
    try:
        subs, rdf, org_iri, actor = _prepare(
            ctx, reg, files, fmt=fmt, source=source, submitted_by=submitted_by, plan=plan,
            kind=kind, allow_private_urls=allow_private_urls, progress=progress, token=token,
        )
        results, report = load(
            reg, subs, rdf, submitted_by=org_iri, dry_run=dry_run, actor=actor
        )
    finally:
        progress.done()
    by_graph = {s.graph: s for s in subs}
    if report_format == "json":
        out: dict[str, Any] = {
            "dry_run": dry_run,
            "engine": engine_name(),
            "sources": [],
            "issues": json.loads(report.to_json(lang))["issues"],
        }
        for r in results:
            sub = by_graph.get(r.graph)
            entry: dict[str, Any] = {
                "file": r.file,
                "graph": r.graph,
                "source_id": r.source_id,
                "triples": r.triples,
                "unchanged": r.unchanged,
                "replaced": r.replaced,
            }
            if sub is not None:
                entry |= {"kind": sub.kind, "plan": sub.plan, "submitted_by": sub.submitter}
                if sub.diff is not None:
                    entry["changes"] = sub.diff.to_dict(lang)
            out["sources"].append(entry)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for r in results:
        sub = by_graph.get(r.graph)
        if r.unchanged:
            click.echo(msg("{file}: unchanged (same file as before) in {graph}",
                           file=r.file, graph=r.graph).render(lang))
        else:
            click.echo(msg("{file}: {verb} {graph}: {triples} triples",
                           file=r.file, verb=load_verb(dry_run, r.replaced), graph=r.graph,
                           triples=r.triples).render(lang))
        if sub is not None and sub.diff is not None:
            click.echo(sub.diff.render(lang))
    _echo_report(report, lang)
    if dry_run:
        click.echo(msg("Dry run: nothing was written.")
                   .render(lang))


def _echo_report(report: ValidationReport, lang: Lang) -> None:
    for i in report.issues:
        click.echo(i.render(lang))


def validate_submissions(
    ctx: click.Context,
    reg: Registry,
    files: tuple[str, ...],
    *,
    fmt: str | None,
    report_format: str,
    lang: Lang,
    plan: str | None = None,
    kind: str | None = None,
    submitted_by: str | None = None,
    allow_private_urls: bool = False,
) -> None:
    """``ogpreg validate`` for submissions: the report; exit 1 on any error."""
    progress = progress_for(ctx, lang)
    try:
        subs, rdf, _org, actor = _prepare(
            ctx, reg, files, fmt=fmt, source=None, submitted_by=submitted_by, plan=plan,
            kind=kind, allow_private_urls=allow_private_urls, progress=progress,
        )
        report = validate(reg, subs, rdf, actor=actor)
    finally:
        progress.done()
    click.echo(report.to_json(lang) if report_format == "json" else report.render(lang))


def _quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["quiet"] = True


def quiet_option(command: str) -> Callable[[F], F]:
    """``--quiet`` for ``ogpreg load`` and ``ogpreg validate`` (``command``): no progress bar."""
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_quiet,
        help="Draw no progress bar while a spreadsheet, CSV or JSON submission is read "
        "(it is drawn on standard error when that is a terminal). Example: ogpreg "
        f"{command} --quiet forslag.csv",
    )


# -- ogpreg template ----------------------------------------------------------------------------
def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--kind",
        required=True,
        type=click.Choice(list(KINDS)),
        help="Kind of submission. Example: --kind commitments",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["xlsx", "csv", "json", "schema"]),
        default="xlsx",
        show_default=True,
        help="Template format; 'schema' writes the JSON Schema of JSON submissions. "
        "Example: --format csv",
    )
    @click.option(
        "-o",
        "--output",
        default=None,
        help="Output file ('-' for standard output, not for xlsx). For CSV, a kind with "
        "several sheets (commitments) gives one file per sheet: NAME-commitments.csv, "
        "NAME-milestones.csv, NAME-plans.csv. Example: -o mal.xlsx",
    )
    @click.option(
        "--delimiter",
        type=click.Choice([";", ","]),
        default=";",
        show_default=True,
        help="CSV delimiter. Example: --delimiter ,",
    )
    @click.pass_context
    def template(
        ctx: click.Context, kind: str, fmt: str, output: str | None, delimiter: str
    ) -> None:
        """Write an empty submission template generated from the shapes.

        XLSX: one sheet per kind of row, bokmål headers with English headers in row 2,
        column descriptions as header comments and in the sheet «Veiledning», drop-down
        lists of allowed values, and an example row (first cell EKSEMPEL, skipped when
        loading). A filled template loads with 'ogpreg load' without changes.

        \b
        Example:
          ogpreg template --kind commitments --format xlsx -o mal.xlsx
          ogpreg template --kind proposals --format csv -o forslag.csv
          ogpreg template --kind commitments --format json -o mal.json
        """
        from loaders import template as T  # noqa: N812

        state = ctx.obj
        lang: Lang = state.lang if state is not None else DEFAULT_LANG
        written = [output] if output not in (None, "-") else []
        if fmt == "xlsx":
            names: list[str] | None = None
            try:
                reg = state.registry()
                if reg.is_initialised():
                    from registry.model.organisations import organisations

                    names = sorted({o.name for o in organisations(reg)})
            except Exception:  # noqa: BLE001 - the template is useful without the register
                names = None
            data = T.xlsx_template(kind, names)
            if output in (None, "-"):
                raise UsageError(msg("Give a file with -o for XLSX, e.g. -o template.xlsx."))
            write_output(output, data)
        elif fmt == "json":
            write_output(output or "-", T.json_template(kind))
        elif fmt == "schema":
            write_output(output or "-", T.schema_text().encode("utf-8"))
        else:
            files = T.csv_templates(kind, delimiter)
            if len(files) == 1:
                write_output(output or "-", next(iter(files.values())))
            else:
                if output in (None, "-"):
                    raise UsageError(msg(
                        "The kind {kind} has several sheets; give a file name with -o (it "
                        "writes one file per sheet).",
                        kind=kind))
                out = Path(output)
                written = []
                for key, data in files.items():
                    name = str(out.with_name(f"{out.stem}-{key}{out.suffix or '.csv'}"))
                    write_output(name, data)
                    written.append(name)
        for name in written:  # the files there are (one per sheet for some CSV templates)
            click.echo(msg("Template written: {file}", file=name).render(lang), err=True)


__all__ = [
    "handles",
    "load_submissions",
    "load_verb",
    "quiet_option",
    "register",
    "validate_submissions",
]
