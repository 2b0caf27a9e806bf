"""Minting of resource URIs: from the configured base URI and the item's own identifier only."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def slugify(text: str) -> str:
    """A readable, stable URI segment: ``"Kommunal- og moderniseringsdepartementet"`` →
    ``"kommunal-og-moderniseringsdepartementet"`` (æ→ae, ø→o, å→a)."""
    t = text.translate(_TRANSLIT)
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode("ascii").lower()
    t = re.sub(r"[^a-z0-9]+", "-", t).strip("-")
    if not t:
        raise ValueError(f"cannot make an identifier from {text!r}")
    return t


@dataclass(frozen=True)
class Uris:
    """URI patterns of the registry (see docs/data-model.md)."""

    base: str

    def _mint(self, *segments: str) -> str:
        return self.base + "/".join(quote(s, safe="-._~") for s in segments)

    def plan(self, plan_id: str) -> str:
        return self._mint("id", "plan", plan_id)

    def commitment(self, ogp_id: str) -> str:
        return self._mint("id", "commitment", ogp_id)

    def milestone(self, ogp_id: str, position: int) -> str:
        return self._mint("id", "commitment", ogp_id, "milestone", str(position))

    def organisation(self, name: str) -> str:
        return self._mint("id", "organisation", slugify(name))

    def meeting(self, date: str) -> str:
        return self._mint("id", "meeting", date)

    def place(self, name: str) -> str:
        return self._mint("id", "place", slugify(name))

    def proposal(self, ident: str) -> str:
        return self._mint("id", "proposal", ident)

    def comment(self, ident: str) -> str:
        return self._mint("id", "comment", ident)

    def assessment(self, ident: str) -> str:
        return self._mint("id", "assessment", ident)

    def source_graph(self, source_id: str) -> str:
        return self._mint("graph", "source", source_id)

    def vocabulary_graph(self, name: str) -> str:
        return self._mint("graph", "vocabulary", name)

    @property
    def provenance_graph(self) -> str:
        return self._mint("graph", "provenance")

    def is_source_graph(self, iri: str) -> bool:
        return iri.startswith(self.base + "graph/source/")
