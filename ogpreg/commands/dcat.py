"""``ogpreg dcat``: write the DCAT-AP-NO catalogue offline (the same graph as ``/catalog``)."""

from __future__ import annotations

import sys
from pathlib import PurePath

import click

from ogpreg.context import State, lang_of
from registry.errors import UsageError
from registry.i18n import msg
from registry.publish.dcat import FEED_FORMATS, CataloguePublisher

_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".nt": "ntriples",
}


def _format_for(output: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output == "-":
        return "turtle"
    suffix = PurePath(output).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise UsageError(
        msg(
            "Cannot tell which format {file} should have (extension {suffix!r}). Use a known "
            "extension ({known}) or pass --format ({allowed}).",
            file=output,
            suffix=suffix,
            known=", ".join(_EXTENSIONS),
            allowed=", ".join(FEED_FORMATS),
        )
    )


def register(main: click.Group) -> None:
    @main.command("dcat")
    @click.option(
        "-o",
        "--output",
        default="-",
        show_default=True,
        help="File to write the catalogue to, '-' for standard output. Example: -o catalog.ttl",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(list(FEED_FORMATS)),
        help="RDF format of the catalogue; default from the file extension (.ttl, .rdf, "
        ".jsonld, .nt), Turtle for standard output. Example: --format rdfxml",
    )
    @click.pass_context
    def dcat(ctx: click.Context, output: str, fmt: str | None) -> None:
        """Write the DCAT-AP-NO catalogue of the registry: one dataset per action plan, the
        organisation register, the vocabularies, their downloads and the SPARQL endpoint.

        It is the same graph the endpoint serves at /catalog for the same store revision
        (download URLs point to the endpoint under the base URI).

        \b
        Example:
          ogpreg dcat -o catalog.ttl
          ogpreg dcat --format jsonld -o - | head
        """
        chosen = _format_for(output, fmt)
        st = ctx.find_object(State)
        assert st is not None
        reg = st.registry()
        cat = CataloguePublisher(reg).current()
        data = cat.serialise(chosen)
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        try:
            with open(output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise UsageError(
                msg(
                    "Cannot write {file}: {error}",
                    file=output,
                    error=exc.strerror or exc,
                )
            ) from exc
        click.echo(
            msg(
                "Wrote the catalogue to {file} ({fmt}): {datasets} datasets, {files} "
                "distributions, revision {rev}.",
                file=output,
                fmt=chosen,
                datasets=len(cat.datasets),
                files=len(cat.files),
                rev=cat.revision,
            ).render(lang_of(ctx)),
            err=True,
        )
