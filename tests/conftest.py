"""Shared fixtures: real on-disk pyoxigraph stores, initialised once and copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from registry.service import Registry, open_registry
from registry.settings import Settings, load_settings

#: external SPARQL engines for the remote-store tests (tests/engines.py)
pytest_plugins = ["tests.engines"]

BASE = "http://localhost:8000/"
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def make_settings(store: Path, **overrides: object) -> Settings:
    # Two query workers unless a test asks for more: the test servers answer a handful of
    # clients, and the machine running the suite may have two cores.
    values: dict[str, object | None] = {
        "store": str(store),
        "base_uri": BASE,
        "user": "tester",
        "query_workers": 2,
    }
    values.update(overrides)
    return load_settings(values, environ={})


@pytest.fixture(scope="session")
def initialised_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store after `ogpreg init` (the bundled Turtle, then the bundled submissions through
    the loaders: loaders/bundled.py), built once per test session."""
    from loaders.bundled import init

    path = tmp_path_factory.mktemp("template") / "store"
    init(open_registry(make_settings(path)))
    return path


@pytest.fixture
def registry(initialised_store: Path, tmp_path: Path) -> Iterator[Registry]:
    """A registry on its own copy of the initialised store."""
    path = tmp_path / "store"
    shutil.copytree(initialised_store, path)
    yield open_registry(make_settings(path))


@pytest.fixture
def empty_registry(tmp_path: Path) -> Registry:
    return open_registry(make_settings(tmp_path / "store"))


def all_quads(reg: Registry) -> set[ox.Quad]:
    """Every quad of the committed state (for before/after comparisons)."""
    return set(reg.store.reader())


def shared_file(*parts: str) -> Path:
    """A file in ../shared; missing is a skip on a developer machine, a failure in CI."""
    import os

    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} not present")
    return path
