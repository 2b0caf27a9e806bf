"""``ogpreg init``, ``ogpreg export`` and ``ogpreg stats``: the registry as a whole: created
with its vocabularies and bundled data, written out as RDF, counted."""

from __future__ import annotations

import json

import click

from loaders.bundled import init as bundled_init
from ogpreg.commands.load import print_load
from ogpreg.context import lang_of, registry_of, write_output
from registry.i18n import msg, msg_n
from registry.rdf.formats import RDF_FORMATS


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the store and load the ontology, schemes, shapes and bundled real data.

    The bundled Turtle goes in one commit; then the commitments of Norway's five plans as OGP
    publishes them, in the registry's own commitments template, through the same path as a
    ministry's spreadsheet (one commit), and their notes and IRM assessments (one commit).
    Running it again refreshes them (a file that has not changed is left alone).

    \b
    Example:
      ogpreg --store ./var/store init
    """
    reg = registry_of(ctx)
    results, report = bundled_init(reg)
    lang = lang_of(ctx)
    shapes_warnings = print_load(results, lang, dry_run=False, warnings=False)
    if shapes_warnings:  # recommendations the sources do not meet (e.g. plans without bokmål)
        click.echo(
            msg_n(
                "The shapes recommend more than the bundled sources give: {n} warning. "
                "'ogpreg validate FILE' on a file of registry/data/ shows it.",
                "The shapes recommend more than the bundled sources give: {n} warnings. "
                "'ogpreg validate FILE' on a file of registry/data/ shows each.",
                shapes_warnings,
            ).render(lang)
        )
    click.echo(
        msg(
            "The commitments as OGP publishes them (registry/data/ogp-commitments/), what their "
            "values needed: {summary} 'ogpreg validate' on one of the files shows each.",
            summary=report.summary(lang),
        ).render(lang)
    )
    click.echo(
        msg(
            "The registry in {path} is ready (revision {rev}).",
            path=reg.store.path,
            rev=reg.store.revision().number,  # type: ignore[union-attr]
        ).render(lang)
    )


@click.command()
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
    reg = registry_of(ctx)
    if graph and "://" not in graph:
        graph = reg.uris.source_graph(graph)
    write_output(output, reg.export(fmt or ("trig" if graph is None else "turtle"), graph))


@click.command()
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
    s = registry_of(ctx).stats()
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

    lang = lang_of(ctx)
    click.echo(
        _table(
            # TRANSLATORS: the column headers of a table, separated by " | " (keep the separators)
            msg("class | count").render(lang).split(" | "),
            [[c, str(n)] for c, n in s.classes],
        )
    )
    click.echo(
        _table(
            # TRANSLATORS: the column headers of a table, separated by " | " (keep the separators)
            msg("graph | triples | file | loaded").render(lang).split(" | "),
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
            "{quads} quads, revision {rev}.",
            quads=s.quads,
            rev=rev,
        ).render(lang)
    )


def register(main: click.Group) -> None:
    main.add_command(init)
    main.add_command(export)
    main.add_command(stats)
