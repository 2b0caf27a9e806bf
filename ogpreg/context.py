"""What every command asks of the command line: the registry and the language the group's
options chose (:class:`State`), and writing bytes to a file or standard output.

``ogpreg/cli.py`` (the group) and every module in ``ogpreg/commands/`` import this module;
commands never import ``cli.py``, so the group can import its commands without a circle.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from loaders import bundled as bundled_data
from registry.errors import RegistryError
from registry.i18n import DEFAULT_LANG, Lang, as_lang
from registry.publish import materialise
from registry.service import Registry, open_registry
from registry.settings import Settings, load_settings, unused


class State:
    """What the group's options decided; commands ask it for the registry."""

    def __init__(self, store: Path | None, base_uri: str | None, lang: str | None) -> None:
        self.overrides: dict[str, object | None] = {
            "store": str(store) if store else None,
            "base_uri": base_uri,
            "lang": lang,
        }
        self._registry: Registry | None = None

    def set(self, name: str, value: object) -> None:
        """A global option given after the command (``store``, ``base_uri``, ``lang``)."""
        self.overrides[name] = str(value) if isinstance(value, Path) else value
        self._registry = None

    @property
    def lang(self) -> Lang:
        return as_lang(str(load_settings(self.overrides).lang))

    def registry(self) -> Registry:
        if self._registry is None:
            settings = load_settings(self.overrides)
            warn_unused(settings)
            self._registry = open_registry(settings)
            bundled_data.install(self._registry)  # a new store gets what `ogpreg init` loads
            materialise.install(self._registry)  # commits build the catalogue (issue 24)
        return self._registry


def warn_unused(settings: Settings) -> None:
    """Say on standard error which settings given the chosen store does not read."""
    for warning in unused(settings):
        click.echo(warning.render(as_lang(str(settings.lang))), err=True)


def lang_of(ctx: click.Context) -> Lang:
    """The language of messages: ``--lang``, else the settings; bokmål when they fail."""
    state = ctx.find_object(State)
    try:
        return state.lang if state else DEFAULT_LANG
    except RegistryError:
        return DEFAULT_LANG


def registry_of(ctx: click.Context) -> Registry:
    """The registry the group's ``--store`` and ``--base-uri`` name, opened once."""
    return ctx.find_object(State).registry()  # type: ignore[union-attr]


def write_output(output: str, data: bytes) -> None:
    """``data`` to the file ``output``, or to standard output for ``-``."""
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(data)
