"""The registry's vocabulary files, shipped as package data.

``ogp.ttl`` is the OWL ontology (namespace ``https://w3id.org/ogp-no/def#``), ``themes.ttl`` the
SKOS theme scheme (``https://w3id.org/ogp-no/theme/scheme``) and ``values.ttl`` the SKOS value
sets (``https://w3id.org/ogp-no/vocab/{set}``). See ``docs/ontology.md``.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["ontology_files"]

#: Key (also the name of the vocabulary graph, ``{base}graph/vocabulary/{key}``) -> file name.
_FILES: dict[str, str] = {
    "ontology": "ogp.ttl",
    "themes": "themes.ttl",
    "values": "values.ttl",
}


def ontology_files() -> dict[str, Traversable]:
    """Return the Turtle files of the vocabulary, keyed by vocabulary graph name.

    The keys are ``"ontology"`` (``ogp.ttl``), ``"themes"`` (``themes.ttl``) and ``"values"``
    (``values.ttl``). The values are :class:`~importlib.resources.abc.Traversable` resources, so
    they work from a source checkout, an installed wheel or a zip; read them with
    ``.read_text(encoding="utf-8")`` or ``.open("rb")``.
    """
    package = files(__name__)
    return {key: package.joinpath(name) for key, name in _FILES.items()}
