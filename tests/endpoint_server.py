"""A real endpoint on a free port for HTTP tests: the app from ``create_app`` under the
production server (``endpoint/server.py``, waitress) in a background thread."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from endpoint.app import create_app, state
from endpoint.server import Server
from endpoint.sparql.executor import QueryExecutor
from registry.service import Registry, open_registry
from tests.conftest import make_settings


@dataclass
class Running:
    """A server under test."""

    server: Server
    app: Flask
    registry: Registry

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def sparql(self) -> str:
        return self.server.url + "sparql"

    @property
    def executor(self) -> QueryExecutor:
        return state(self.app).extras["executor"]  # type: ignore[no-any-return]


def copy_store(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


@contextmanager
def running(store: Path, **overrides: object) -> Iterator[Running]:
    """Serve the registry in ``store`` on 127.0.0.1 and a free port until the block ends."""
    settings = make_settings(store, **overrides)
    registry = open_registry(settings)
    app = create_app(settings, registry=registry)
    server = Server(app, host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        yield Running(server, app, registry)
    finally:
        server.close()
