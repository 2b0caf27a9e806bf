"""The one settings table: every option with its environment variable, type, default,
description and example. ``docs/configuration.md`` mirrors it (a test checks that).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from registry.errors import ConfigurationError
from registry.i18n import msg


@dataclass(frozen=True)
class Setting:
    """One configurable option."""

    name: str
    env: str
    default: str
    description: str
    example: str


def _default_store() -> str:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "ogp-registry" / "store")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_uri",
        "OGPREG_BASE_URI",
        "http://localhost:8000/",
        "Base URI every resource, graph and page of the registry is minted under. Must be an "
        "absolute http(s) URI ending in '/'. Fixed when the store is initialised.",
        "https://ogp.example.no/",
    ),
    Setting(
        "store",
        "OGPREG_STORE",
        "$XDG_DATA_HOME/ogp-registry/store (~/.local/share/ogp-registry/store)",
        "Directory of the embedded pyoxigraph store. Also set by --store.",
        "/var/lib/ogp-registry/store",
    ),
    Setting(
        "lang",
        "OGPREG_LANG",
        "nb",
        "Language of messages and reports: 'nb' (bokmål) or 'en'. Also set by --lang.",
        "en",
    ),
    Setting(
        "user",
        "OGPREG_USER",
        "the login name of the operating-system user",
        "Who loads data; recorded as ogp:loadedBy in each source's provenance.",
        "an.saksbehandler",
    ),
    Setting(
        "keep_revisions",
        "OGPREG_KEEP_REVISIONS",
        "3",
        "How many committed store revisions (read-only snapshots) to keep on disk.",
        "5",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _env_user() -> str:
    for var in ("OGPREG_USER", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "unknown"


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`; never at import time."""

    base_uri: str
    store: Path
    lang: str = "nb"
    user: str = "unknown"
    keep_revisions: int = 3

    def __post_init__(self) -> None:
        check_base_uri(self.base_uri)
        if self.lang not in ("nb", "en"):
            raise ConfigurationError(
                msg(
                    "Ugyldig språk {value!r} i OGPREG_LANG: bruk 'nb' eller 'en'.",
                    "Invalid language {value!r} in OGPREG_LANG: use 'nb' or 'en'.",
                    value=self.lang,
                )
            )
        if self.keep_revisions < 1:
            raise ConfigurationError(
                msg(
                    "OGPREG_KEEP_REVISIONS må være minst 1.",
                    "OGPREG_KEEP_REVISIONS must be at least 1.",
                )
            )


def check_base_uri(value: str) -> None:
    """Refuse a base URI that is not absolute http(s) ending in '/'."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or not value.endswith("/"):
        raise ConfigurationError(
            msg(
                "Ugyldig basis-URI {value!r} (OGPREG_BASE_URI): den må være en absolutt "
                "http(s)-URI som slutter på '/', for eksempel 'https://ogp.example.no/'.",
                "Invalid base URI {value!r} (OGPREG_BASE_URI): it must be an absolute http(s) "
                "URI ending in '/', for example 'https://ogp.example.no/'.",
                value=value,
            )
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            msg(
                "Basis-URI {value!r} kan ikke ha spørredel eller fragment.",
                "Base URI {value!r} cannot have a query or a fragment.",
                value=value,
            )
        )


_PARSERS: dict[str, Callable[[str], Any]] = {
    "store": lambda v: Path(v).expanduser(),
    "keep_revisions": int,
}


def load_settings(
    overrides: Mapping[str, object | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from explicit overrides (CLI options), then the environment, then
    the documented defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        setting = _BY_NAME[f.name]
        raw = None if overrides is None else overrides.get(f.name)
        if raw is None:
            raw = env.get(setting.env) or None
        if raw is None:
            if f.name == "store":
                raw = _default_store()
            elif f.name == "user":
                raw = _env_user()
            else:
                raw = setting.default
        if isinstance(raw, str) and f.name in _PARSERS:
            try:
                raw = _PARSERS[f.name](raw)
            except ValueError as exc:
                raise ConfigurationError(
                    msg(
                        "Ugyldig verdi {value!r} for {env}: {error}",
                        "Invalid value {value!r} for {env}: {error}",
                        value=raw,
                        env=setting.env,
                        error=exc,
                    )
                ) from exc
        values[f.name] = raw
    return Settings(**values)
