"""References from submissions to what the registry already holds: organisations by number or
name (with "did you mean"), and items by IRI. Every look-up is by key, so its cost depends on
the submission, not on the size of the registry (the organisation register is read once)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from loaders.columns import norm
from registry.i18n import Msg, msg
from registry.service import Registry

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_DIGITS = re.compile(r"^\d+$")

_ORGS = """
SELECT ?org ?label ?number ?kind WHERE {
  ?org a org:Organization .
  { ?org skos:prefLabel ?label BIND(IF(lang(?label) = "nb", 0, 1) AS ?rank) }
  UNION { ?org skos:altLabel ?label BIND(2 AS ?rank) }
  OPTIONAL { ?org ogp:organisationNumber ?number }
  OPTIONAL { ?org ogp:organisationKind ?kind }
} ORDER BY ?org ?rank"""


def check_digit_ok(number: str) -> bool:
    """Whether a nine-digit organisation number passes the mod-11 check."""
    if len(number) != 9 or not number.isdigit():
        return False
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, number[:8], strict=True))
    r = total % 11
    check = 0 if r == 0 else (None if r == 1 else 11 - r)
    return check is not None and int(number[8]) == check


@dataclass
class Org:
    iri: str
    names: list[str] = field(default_factory=list)
    number: str | None = None
    kind: str | None = None

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.iri


class References:
    """What a submission may point to, read from the registry once per submission."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.reader = registry.store.reader()
        self.orgs: dict[str, Org] = {}
        self.by_number: dict[str, Org] = {}
        self.by_name: dict[str, Org] = {}
        result = registry.query(_ORGS)
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            iri = str(row["org"].value)
            o = self.orgs.setdefault(iri, Org(iri))
            label = str(row["label"].value)
            if label not in o.names:
                o.names.append(label)
            if row["number"] is not None:
                o.number = str(row["number"].value)
            if row["kind"] is not None:
                o.kind = str(row["kind"].value).rsplit("/", 1)[-1]
        for o in self.orgs.values():
            if o.number:
                self.by_number.setdefault(o.number, o)
            for n in o.names:
                self.by_name.setdefault(norm(n), o)

    def add_org(self, org: Org) -> None:
        """An organisation defined by the submission itself (the organisations kind)."""
        self.orgs[org.iri] = org
        if org.number:
            self.by_number[org.number] = org
        for n in org.names:
            self.by_name[norm(n)] = org

    def organisation(self, text: str) -> tuple[Org | None, Msg | None]:
        """The organisation ``text`` names (number, IRI or name), or why none is found."""
        t = text.strip()
        compact = re.sub(r"[\s.]", "", t)
        if _DIGITS.match(compact):
            if len(compact) != 9:
                return None, msg(
                    "The organisation number {value} has {n} digits; it must have nine. "
                    "Correct the number, or write the organisation's name.",
                    value=t,
                    n=len(compact),
                )
            if not check_digit_ok(compact):
                from loaders.columns import shape_message

                return None, Msg.texts(
                    nb=shape_message("OrganisationNumberCheckDigit", "nb", value=compact),
                    en=shape_message("OrganisationNumberCheckDigit", "en", value=compact),
                )
            o = self.by_number.get(compact)
            if o is not None:
                return o, None
            return None, msg(
                "No organisation with the organisation number {value} in the organisation "
                "register. Write the organisation's name, or add it with an organisations "
                "submission (ogpreg template --kind organisations).",
                value=compact,
            )
        if t in self.orgs:
            return self.orgs[t], None
        o = self.by_name.get(norm(t))
        if o is not None:
            return o, None
        return None, self._unknown(t)

    def _unknown(self, text: str) -> Msg:
        names = sorted({n for o in self.orgs.values() for n in o.names})
        normed = {norm(n): n for n in names}
        close = [normed[c] for c in difflib.get_close_matches(norm(text), list(normed), 3, 0.6)]
        if not close:
            close = [n for n in names if norm(text) in norm(n)][:3]
        if close:
            return msg(
                "No organisation {value!r} in the organisation register. Did you mean: "
                "{suggest}?",
                value=text,
                suggest=", ".join(close),
            )
        return msg(
            "No organisation {value!r} in the organisation register. Give the organisation "
            "number or the exact name, or add the organisation with an organisations "
            "submission.",
            value=text,
        )

    def has_type(self, iri: str, classes: tuple[str, ...], exclude: str | None = None) -> bool:
        """Whether the registry (outside the graph ``exclude``) types ``iri`` as one of
        ``classes``."""
        for q in self.reader.quads_for_pattern(ox.NamedNode(iri), RDF_TYPE, None, None):
            if exclude is not None and getattr(q.graph_name, "value", None) == exclude:
                continue
            if isinstance(q.object, ox.NamedNode) and q.object.value in classes:
                return True
        return False

    def values(self, iri: str, predicate: str, exclude: str | None) -> list[tuple[object, str]]:
        """(object, graph) of the registry's statements ``iri predicate ?o`` outside
        ``exclude``."""
        out: list[tuple[object, str]] = []
        for q in self.reader.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode(predicate), None, None
        ):
            g = getattr(q.graph_name, "value", "")
            if g != exclude:
                out.append((q.object, g))
        return out

    def plan_ids(self) -> list[str]:
        result = self.registry.query(
            "SELECT ?id WHERE { ?p a ogp:ActionPlan ; dct:identifier ?id } ORDER BY ?id"
        )
        assert isinstance(result, ox.QuerySolutions)
        return [str(r["id"].value) for r in result]
