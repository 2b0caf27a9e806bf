"""``ogpreg dcat``: write the DCAT-AP-NO catalogue offline (the same graph as ``/catalog``), in
the default profile (DCAT-AP-NO 2.0) or another (``--profile dcat-ap-no-3``)."""

from __future__ import annotations

import sys
from pathlib import PurePath

import click

from ogpreg.context import State, lang_of
from registry.errors import UsageError
from registry.i18n import msg
from registry.publish import dcat_profiles
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
    @click.option(
        "--profile",
        type=click.Choice(list(dcat_profiles.TOKENS)),
        default=dcat_profiles.DEFAULT.token,
        show_default=True,
        help="Profile of the catalogue: dcat-ap-no-2 (what data.norge.no harvests today), "
        "dcat-ap-no-3 or dcat-ap-3 (the same DCAT-AP 3 graph: dataset series, both data "
        "services). Example: --profile dcat-ap-no-3",
    )
    @click.pass_context
    def dcat(ctx: click.Context, output: str, fmt: str | None, profile: str) -> None:
        """Write the DCAT-AP-NO catalogue of the registry: one dataset per action plan, the
        organisation register, the vocabularies, their downloads and the SPARQL endpoint.

        It is the same graph the endpoint serves at /catalog for the same store revision
        (download URLs point to the endpoint under the base URI); --profile picks the graph
        /catalog gives for Accept-Profile or ?_profile=.

        \b
        Example:
          ogpreg dcat -o catalog.ttl
          ogpreg dcat --format jsonld -o - | head
          ogpreg dcat --profile dcat-ap-no-3 -o catalog-ap3.ttl
        """
        chosen = _format_for(output, fmt)
        st = ctx.find_object(State)
        assert st is not None
        reg = st.registry()
        cat = CataloguePublisher(reg).current()
        chosen_profile = dcat_profiles.lookup(profile) or dcat_profiles.DEFAULT
        data = cat.serialise(chosen, chosen_profile.graph)
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
                "Wrote the catalogue to {file} ({fmt}, profile {profile}): {datasets} datasets, "
                "{files} distributions, revision {rev}.",
                file=output,
                fmt=chosen,
                profile=chosen_profile.title,
                datasets=len(cat.datasets),
                files=len(cat.files),
                rev=cat.revision,
            ).render(lang_of(ctx)),
            err=True,
        )
