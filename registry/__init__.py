"""The registry core: store, domain rules, validation. Imports neither Flask nor click."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ogp-registry")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

TOOL = f"ogp-registry {__version__}"
