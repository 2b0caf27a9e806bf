"""The one settings table: every option with its environment variable, type, default,
description and example. ``docs/configuration.md`` mirrors it (a test checks that).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from registry.errors import ConfigurationError
from registry.i18n import LANGS, Msg, msg


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
        "Language of messages and reports: 'nb' (bokmål), 'nn' (nynorsk) or 'en'. Also set "
        "by --lang.",
        "en",
    ),
    Setting(
        "user",
        "OGPREG_USER",
        "$USER, else $LOGNAME, else 'unknown'",
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
    Setting(
        "compact_after_quads",
        "OGPREG_COMPACT_AFTER_QUADS",
        "200000",
        "Compact the store (RocksDB) in the commit that brings the quads written since the "
        "last compaction to this number, or to a quarter of the store's size at that "
        "compaction if that is more (a compaction rewrites the whole store); read-only "
        "revisions never compact themselves, and queries on an uncompacted one run several "
        "times slower. 'ogpreg optimize' compacts at once.",
        "50000",
    ),
    Setting(
        "query_timeout",
        "OGPREG_QUERY_TIMEOUT",
        "30",
        "Seconds a SPARQL query may run on the endpoint before it is stopped (the worker "
        "process evaluating it is killed).",
        "10",
    ),
    Setting(
        "row_cap",
        "OGPREG_ROW_CAP",
        "10000",
        "Most result rows (or triples) the public endpoint returns for one query; larger "
        "results are truncated and say so.",
        "50000",
    ),
    Setting(
        "max_request_bytes",
        "OGPREG_MAX_REQUEST_BYTES",
        "2000000",
        "Largest HTTP request body or query string the public endpoint accepts (413 above).",
        "500000",
    ),
    Setting(
        "max_upload_bytes",
        "OGPREG_MAX_UPLOAD_BYTES",
        "104857600",
        "Largest submission accepted on the authenticated write paths, by 'ogpreg load URL' "
        "and by 'ogpreg load/validate' of a local RDF file (refused before it is read).",
        "20000000",
    ),
    Setting(
        "max_unpacked_bytes",
        "OGPREG_MAX_UNPACKED_BYTES",
        "268435456",
        "Largest total size of an XLSX submission's parts once unzipped (its XML); larger "
        "workbooks (zip bombs) are refused before they are read. The other limits of the ZIP "
        "container are fixed (docs/security.md).",
        "536870912",
    ),
    Setting(
        "query_workers",
        "OGPREG_QUERY_WORKERS",
        "8",
        "Processes evaluating SPARQL queries for one endpoint process. As many as HTTP "
        "threads, so that a cheap query never waits behind expensive ones (each idle worker "
        "holds about 60 MB).",
        "4",
    ),
    Setting(
        "http_threads",
        "OGPREG_HTTP_THREADS",
        "8",
        "Threads of the WSGI server for every request that does not wait for a query worker "
        "(cached answers, pages, files, /health); the server adds one thread for each query "
        "that may be evaluated or wait (OGPREG_QUERY_WORKERS + OGPREG_QUERY_QUEUE).",
        "16",
    ),
    Setting(
        "server",
        "OGPREG_SERVER",
        "waitress",
        "HTTP server of `ogpreg serve`: 'waitress' (pure Python) or 'granian' (compiled; "
        "needs the `granian` extra; faster for small answers; GET requests longer than 64 kB "
        "are refused with a bare 414/431: docs/deployment.md). Also set by --server.",
        "granian",
    ),
    Setting(
        "query_queue",
        "OGPREG_QUERY_QUEUE",
        "16",
        "Queries that may wait for a busy query worker, beyond those being evaluated; a query "
        "arriving when that many wait is refused at once (503 with Retry-After). Half of these "
        "places are kept for clients with no query in, and each client (remote address) gets "
        "a fair share: more is 429 with Retry-After (docs/endpoint.md, \"Admission\").",
        "32",
    ),
    Setting(
        "query_wait",
        "OGPREG_QUERY_WAIT",
        "10",
        "Seconds a query waits for a free query worker before it is refused (503 with "
        "Retry-After).",
        "5",
    ),
    Setting(
        "cache_bytes",
        "OGPREG_CACHE_BYTES",
        "67108864",
        "Memory for cached query answers (valid until the next load); 0: no answer cache.",
        "268435456",
    ),
    Setting(
        "publisher_orgnr",
        "OGPREG_PUBLISHER_ORGNR",
        "972417858",
        "Organisation number of the publisher in the DCAT catalogue (default: Kommunal- og "
        "moderniseringsdepartementet, the coordinating ministry of the bundled plan).",
        "972417858",
    ),
    Setting(
        "publisher_name",
        "OGPREG_PUBLISHER_NAME",
        "Kommunal- og moderniseringsdepartementet",
        "Name of the publisher in the DCAT catalogue.",
        "Digitaliserings- og forvaltningsdepartementet",
    ),
    Setting(
        "contact_email",
        "OGPREG_CONTACT_EMAIL",
        "postmottak@kmd.dep.no",
        "Contact e-mail of the catalogue and its datasets.",
        "postmottak@example.no",
    ),
    Setting(
        "engine",
        "OGPREG_ENGINE",
        "embedded",
        "Where the RDF lives: 'embedded' (pyoxigraph on disk in OGPREG_STORE) or an external "
        "SPARQL engine reached over the SPARQL 1.1 protocols: 'oxigraph' (oxigraph serve) or "
        "'virtuoso' (Virtuoso Open Source 7). See docs/deployment.md.",
        "virtuoso",
    ),
    Setting(
        "engine_query_url",
        "OGPREG_ENGINE_QUERY_URL",
        "",
        "SPARQL 1.1 Query endpoint of the external engine (required unless OGPREG_ENGINE is "
        "'embedded').",
        "http://127.0.0.1:8890/sparql",
    ),
    Setting(
        "engine_update_url",
        "OGPREG_ENGINE_UPDATE_URL",
        "",
        "SPARQL 1.1 Update endpoint of the external engine. Empty: Oxigraph's /update next to "
        "/query; for Virtuoso the query URL.",
        "http://127.0.0.1:8890/sparql-auth",
    ),
    Setting(
        "engine_store_url",
        "OGPREG_ENGINE_STORE_URL",
        "",
        "Graph Store Protocol endpoint of the external engine. Empty: Oxigraph's /store next "
        "to /query; Virtuoso's /sparql-graph-crud (/sparql-graph-crud-auth with a user).",
        "http://127.0.0.1:8890/sparql-graph-crud-auth",
    ),
    Setting(
        "engine_user",
        "OGPREG_ENGINE_USER",
        "",
        "User name for the external engine's update and graph-store endpoints (HTTP Basic for "
        "Oxigraph behind a proxy, Digest for Virtuoso's -auth endpoints). Empty: no "
        "authentication.",
        "ogpreg",
    ),
    Setting(
        "engine_password",
        "OGPREG_ENGINE_PASSWORD",
        "",
        "Password of OGPREG_ENGINE_USER.",
        "(a secret)",
    ),
    Setting(
        "backup_key",
        "OGPREG_BACKUP_KEY",
        "",
        "Secret key (at least 16 characters) for backups: 'ogpreg dump' signs the manifest "
        "with HMAC-SHA256 under it and 'ogpreg restore' refuses a dump not signed with it "
        "(unless --accept-unsigned). Empty: a plain SHA-256 digest, which detects a changed "
        "dump but not someone who recomputes the digest (docs/security.md).",
        "(a secret, e.g. from 'openssl rand -hex 32')",
    ),
    Setting(
        "state_dir",
        "OGPREG_STATE_DIR",
        "",
        "With an external engine (OGPREG_ENGINE): the local directory for what is not RDF "
        "(tokens, audit log, catalogue dates, write lock, Virtuoso's commit journal). Empty: "
        "the OGPREG_STORE directory. The embedded store keeps these files in its own "
        "directory (OGPREG_STORE) and does not read this setting (ogpreg says so on "
        "standard error when it is set).",
        "/var/lib/ogp-registry/state",
    ),
    Setting(
        "session_lifetime",
        "OGPREG_SESSION_LIFETIME",
        "28800",
        "Seconds a sign-in to the submission pages in the browser lasts (from signing in; "
        "signing out, or revoking the token, ends it at once). Files uploaded for checking "
        "are kept as long as the session (docs/submitting-in-a-browser.md).",
        "3600",
    ),
    Setting(
        "feed_entries",
        "OGPREG_FEED_ENTRIES",
        "50",
        "Changes in the Atom representation of the change feed (/feed?format=atom, for feed "
        "readers): the latest this many, newest first. The LDES representation of /feed has "
        "every change (docs/feed.md).",
        "100",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def environment_of(overrides: Mapping[str, object | None]) -> dict[str, str]:
    """The environment variables that make :func:`load_settings` in another process see
    ``overrides`` (command-line options) as this one does; None values are left out."""
    return {
        _BY_NAME[name].env: str(value) for name, value in overrides.items() if value is not None
    }


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
    compact_after_quads: int = 200_000
    query_timeout: float = 30.0
    row_cap: int = 10000
    max_request_bytes: int = 2_000_000
    max_upload_bytes: int = 104_857_600
    max_unpacked_bytes: int = 268_435_456
    query_workers: int = 8
    http_threads: int = 8
    server: str = "waitress"
    query_queue: int = 16
    query_wait: float = 10.0
    cache_bytes: int = 67_108_864
    publisher_orgnr: str = "972417858"
    publisher_name: str = "Kommunal- og moderniseringsdepartementet"
    contact_email: str = "postmottak@kmd.dep.no"
    engine: str = "embedded"
    engine_query_url: str = ""
    engine_update_url: str = ""
    engine_store_url: str = ""
    engine_user: str = ""
    engine_password: str = ""
    backup_key: str = field(default="", repr=False)  # a secret
    state_dir: Path | None = None
    session_lifetime: int = 28800
    feed_entries: int = 50

    def __post_init__(self) -> None:
        check_base_uri(self.base_uri)
        if self.engine not in ("embedded", "oxigraph", "virtuoso"):
            raise ConfigurationError(
                msg(
                    "Unknown SPARQL engine {value!r} in OGPREG_ENGINE: use 'embedded', "
                    "'oxigraph' or 'virtuoso'.",
                    value=self.engine,
                )
            )
        if self.server not in ("waitress", "granian"):
            raise ConfigurationError(
                msg(
                    "Unknown HTTP server {value!r} in OGPREG_SERVER: use 'waitress' or "
                    "'granian'.",
                    value=self.server,
                )
            )
        if self.engine != "embedded" and not self.engine_query_url:
            raise ConfigurationError(
                msg(
                    "OGPREG_ENGINE={engine} needs OGPREG_ENGINE_QUERY_URL (the engine's SPARQL "
                    "endpoint, for example http://127.0.0.1:8890/sparql).",
                    engine=self.engine,
                )
            )
        if self.lang not in LANGS:
            raise ConfigurationError(
                msg(
                    "Invalid language {value!r} in OGPREG_LANG: use 'nb', 'nn' or 'en'.",
                    value=self.lang,
                )
            )
        for name in (
            "keep_revisions",
            "query_timeout",
            "row_cap",
            "max_request_bytes",
            "max_upload_bytes",
            "max_unpacked_bytes",
            "query_workers",
            "http_threads",
            "session_lifetime",
            "compact_after_quads",
            "feed_entries",
        ):
            if getattr(self, name) < 1:
                env = _BY_NAME[name].env
                raise ConfigurationError(
                    msg("{env} must be at least 1.", env=env)
                )
        for name in ("query_queue", "cache_bytes"):  # 0: no queue, no answer cache
            if getattr(self, name) < 0:
                raise ConfigurationError(
                    msg("{env} cannot be negative.", env=_BY_NAME[name].env)
                )
        if not self.query_wait > 0:
            raise ConfigurationError(
                msg(
                    "OGPREG_QUERY_WAIT must be greater than 0 (seconds).",
                )
            )


def check_base_uri(value: str) -> None:
    """Refuse a base URI that is not absolute http(s) ending in '/'."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or not value.endswith("/"):
        raise ConfigurationError(
            msg(
                "Invalid base URI {value!r} (OGPREG_BASE_URI): it must be an absolute http(s) "
                "URI ending in '/', for example 'https://ogp.example.no/'.",
                value=value,
            )
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            msg(
                "Base URI {value!r} cannot have a query or a fragment.",
                value=value,
            )
        )


_PARSERS: dict[str, Callable[[str], Any]] = {
    "store": lambda v: Path(v).expanduser(),
    "keep_revisions": int,
    "compact_after_quads": int,
    "query_timeout": float,
    "row_cap": int,
    "max_request_bytes": int,
    "max_upload_bytes": int,
    "max_unpacked_bytes": int,
    "query_workers": int,
    "http_threads": int,
    "query_queue": int,
    "query_wait": float,
    "cache_bytes": int,
    "state_dir": lambda v: Path(v).expanduser() if v else None,
    "session_lifetime": int,
    "feed_entries": int,
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
        if f.name in _PARSERS and not isinstance(raw, (int, float, Path)):
            raw = str(raw)
        if isinstance(raw, str) and f.name in _PARSERS:
            try:
                raw = _PARSERS[f.name](raw)
            except ValueError as exc:
                raise ConfigurationError(
                    msg(
                        "Invalid value {value!r} for {env}: {error}",
                        value=raw,
                        env=setting.env,
                        error=exc,
                    )
                ) from exc
        values[f.name] = raw
    return Settings(**values)


def unused(settings: Settings) -> list[Msg]:
    """Settings given that the chosen store does not read, each as a warning to show at start:
    a setting silently ignored would leave an operator looking for files where none are."""
    found: list[Msg] = []
    if settings.engine == "embedded" and settings.state_dir is not None:
        found.append(msg(
            "OGPREG_STATE_DIR ({state_dir}) is set, but the embedded store does not read it: "
            "tokens, the audit log and the write lock are in the store's own directory "
            "({store}). Unset OGPREG_STATE_DIR, or name an external engine with OGPREG_ENGINE.",
            state_dir=str(settings.state_dir),
            store=str(settings.store),
        ))
    return found


def settings_markdown() -> str:
    """The settings table as Markdown (docs/configuration.md embeds it; a test compares)."""
    rows = [
        "| setting | environment variable | default | description | example |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.description} | `{s.example}` |")
    return "\n".join(rows) + "\n"
