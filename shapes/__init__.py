"""SHACL shapes of the OGP registry.

The shapes live in ``ogp-shapes.ttl`` next to this module (namespace
``https://w3id.org/ogp-no/shapes#``, prefix ``ogpsh:``). They implement the contract in
``docs/data-model.md``: cardinalities, datatypes, value sets (``sh:in`` with the full list
of concept IRIs), the mod-11 check of Norwegian organisation numbers and date logic (the
last two as SHACL-SPARQL constraints). Every constraint has a message in bokmål (``@nb``)
and English (``@en``); property shapes have ``sh:name`` and ``sh:description`` in both
languages, usable as column headers in spreadsheet templates.

Use :func:`shapes_file` to locate the file; it works from a source checkout and from an
installed package (``importlib.resources``).
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["SHAPES_FILE_NAME", "shapes_file"]

#: File name of the shapes graph inside this package.
SHAPES_FILE_NAME = "ogp-shapes.ttl"


def shapes_file() -> Traversable:
    """Return the Turtle file with the registry's SHACL shapes.

    The result is a :class:`~importlib.resources.abc.Traversable`; read it with
    ``shapes_file().read_bytes()`` or open it with ``shapes_file().open("rb")``.
    """
    return files(__name__).joinpath(SHAPES_FILE_NAME)
