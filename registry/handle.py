"""What the domain and operation modules need of a registry, as a type they can name without
importing the :class:`registry.service.Registry` façade that uses them (docs/architecture.md,
"Layers").

:class:`registry.service.Registry` satisfies :class:`RegistryHandle`; modules below the façade
(``registry/model``, ``registry/history``, ``registry/lifecycle``) take a ``RegistryHandle``,
so importing them never pulls in the loading pipeline, and the façade may import them freely.
"""

from __future__ import annotations

from typing import Any, Protocol

import pyoxigraph as ox

from registry.settings import Settings
from registry.store.backend import Backend
from registry.uris import Uris

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class RegistryHandle(Protocol):
    """A registry over one store: its settings, store and URI minting; initialisation on
    first use; SPARQL over the union of all graphs with the registry's prefixes."""

    settings: Settings
    store: Backend
    uris: Uris

    def ensure_initialised(self) -> Any:
        """Load the vocabularies and bundled data if the store is empty."""
        ...

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a SPARQL query (values bound through ``substitutions``, never formatted
        in)."""
        ...
