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


#: The group's options, also accepted after the command (``ogpreg validate --lang en FILE``):
#: (parameter declarations, the :class:`State` override they set, click options).
_STORE_HELP = (
    "Directory of the embedded store (default: $OGPREG_STORE, else "
    "~/.local/share/ogp-registry/store). Example: --store ./var/store"
)
_BASE_URI_HELP = (
    "Base URI for minted resources (default: $OGPREG_BASE_URI, else "
    "http://localhost:8000/). Example: --base-uri https://ogp.example.no/"
)
_LANG_HELP = (
    "Language of messages and reports: nb (bokmål, default), nn (nynorsk) or en. "
    "Example: --lang nn"
)
GLOBAL_OPTIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("--store", "store", {"type": click.Path(file_okay=False, path_type=Path),
                          "help": _STORE_HELP}),
    ("--base-uri", "base_uri", {"metavar": "URI", "help": _BASE_URI_HELP}),
    ("--lang", "lang", {"type": click.Choice(list(LANGS)), "help": _LANG_HELP}),
)


def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """A global option given after the command: it overrides the group's (or the default)."""
    if value is None:
        return
    state = ctx.find_object(State)
    if state is not None and param.name:
        state.set(param.name, value)


def with_global_options(cmd: click.Command) -> click.Command:
    """Let ``cmd`` (and every command of a group) take the group's options after its name."""
    names = {o for p in cmd.params for o in getattr(p, "opts", ())}
    for decl, name, kwargs in GLOBAL_OPTIONS:
        if decl not in names:
            cmd.params.append(
                click.Option([decl, name], expose_value=False, callback=_set_global, **kwargs)
            )
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            with_global_options(sub)
    return cmd


class RegistryGroup(click.Group):
    """Maps the registry's errors to messages and exit codes, in one place; every command it
    holds also takes the global options after its name."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(with_global_options(cmd), name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            lang = lang_of(ctx)
            report_format = ctx.meta.get("report_format", "text")
            if report_format == "json":
                click.echo(exc.report.to_json(lang))
            else:  # the report is the command's output; the verdict goes to standard error
                click.echo(exc.report.render(lang))
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
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), help=_STORE_HELP)
@click.option("--base-uri", metavar="URI", help=_BASE_URI_HELP)
@click.option("--lang", type=click.Choice(list(LANGS)), help=_LANG_HELP)
@click.version_option(package_name="ogp-registry", prog_name="ogpreg")
@click.pass_context
def main(ctx: click.Context, store: Path | None, base_uri: str | None, lang: str | None) -> None:
    """The OGP registry: Norway's Open Government Partnership action plans as linked open data.

    The options --store, --base-uri and --lang may also follow the command
    (ogpreg validate --lang en FILE).

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
