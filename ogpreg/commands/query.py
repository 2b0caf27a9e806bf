"""``ogpreg query``: ask the registry a SPARQL question and print the answer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ogpreg.context import lang_of, registry_of
from registry.errors import UsageError
from registry.i18n import msg
from registry.sparql.results import ALL_FORMATS, serialize


def _read_query(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise UsageError(
                msg(
                    "Query file not found: {file}.", file=path
                )
            )
        return path.read_text("utf-8")
    return text


@click.command()
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
    result = registry_of(ctx).query(_read_query(query_text))
    sys.stdout.buffer.write(serialize(result, fmt, lang_of(ctx)))
    sys.stdout.buffer.flush()


def register(main: click.Group) -> None:
    main.add_command(query)
