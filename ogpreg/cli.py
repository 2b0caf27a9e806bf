"""``ogpreg``: initialise, load, validate, query, export and count the OGP registry.

Exit codes: 0 success, 1 failure or data that does not conform, 2 usage error.

This module is the click group: its global options, the :class:`~ogpreg.context.State` they
make, the mapping of the registry's errors to messages and exit codes, and the list of command
modules (``ogpreg/commands/``) that add the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ogpreg.context import State, lang_of
from registry.errors import RegistryError, ValidationFailed
from registry.i18n import LANGS, msg

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class RegistryGroup(click.Group):
    """Maps the registry's errors to messages and exit codes, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            lang = lang_of(ctx)
            report_format = ctx.meta.get("report_format", "text")
            if report_format == "json":
                click.echo(exc.report.to_json(lang))
            else:
                click.echo(exc.report.render(lang), err=True)
                click.echo(exc.message.render(lang), err=True)
            ctx.exit(exc.exit_code)
        except RegistryError as exc:
            lang = lang_of(ctx)
            if ctx.meta.get("report_format") == "json":
                click.echo(
                    json.dumps({"error": exc.code, "message": exc.render(lang)}, ensure_ascii=False)
                )
            click.echo(msg("Error: {message}", message=exc.render(lang)).render(lang), err=True)
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
    type=click.Choice(list(LANGS)),
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


#: Command modules that add commands to ``main`` with ``register(main)``.
COMMAND_MODULES: tuple[str, ...] = (
    "commands.data",
    "commands.load",
    "commands.query",
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
