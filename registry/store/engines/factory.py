"""The engine adapter ``OGPREG_ENGINE`` names: :func:`make_engine`."""

from __future__ import annotations

from registry.errors import ConfigurationError
from registry.i18n import msg
from registry.store.engines.base import Connection, Engine
from registry.store.engines.oxigraph import OxigraphEngine
from registry.store.engines.virtuoso import VirtuosoEngine

ENGINES = ("embedded", "oxigraph", "virtuoso")


def make_engine(kind: str, conn: Connection, base_uri: str) -> Engine:
    """The adapter for ``kind`` (``OGPREG_ENGINE``)."""
    if kind == "oxigraph":
        return OxigraphEngine(conn, base_uri)
    if kind == "virtuoso":
        return VirtuosoEngine(conn, base_uri)
    raise ConfigurationError(
        msg(
            "Unknown SPARQL engine {kind!r} in OGPREG_ENGINE: use {allowed}.",
            kind=kind,
            allowed=", ".join(ENGINES),
        )
    )
