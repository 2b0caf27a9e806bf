"""The organisation register: look up organisations by number, name or IRI."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pyoxigraph as ox

from registry.errors import NotFound
from registry.handle import RegistryHandle
from registry.i18n import msg

_ORGS = """
SELECT ?org ?name ?number WHERE {
  ?org a org:Organization ; skos:prefLabel ?name .
  OPTIONAL { ?org ogp:organisationNumber ?number }
}"""


@dataclass(frozen=True)
class OrganisationRef:
    iri: str
    name: str
    number: str | None


def organisations(registry: RegistryHandle) -> list[OrganisationRef]:
    """Every organisation with each of its names (one entry per name)."""
    out = []
    result = registry.query(_ORGS)
    assert isinstance(result, ox.QuerySolutions)
    for sol in result:
        number = sol["number"]
        out.append(
            OrganisationRef(
                sol["org"].value, sol["name"].value, number.value if number is not None else None
            )
        )
    return out


def resolve_organisation(registry: RegistryHandle, ref: str) -> OrganisationRef:
    """Find an organisation by organisation number, IRI or name (case-insensitive).

    A name that matches nothing gets "did you mean" suggestions."""
    ref = ref.strip()
    orgs = organisations(registry)
    compact = ref.replace(" ", "")
    for o in orgs:
        if o.iri == ref or (o.number is not None and o.number == compact):
            return o
    for o in orgs:
        if o.name.casefold() == ref.casefold():
            return o
    names = sorted({o.name for o in orgs})
    close = difflib.get_close_matches(ref, names, n=3, cutoff=0.6)
    if not close:
        close = [n for n in names if ref.casefold() in n.casefold()][:3]
    if close:
        raise NotFound(
            msg(
                "No organisation {ref!r} in the organisation register. Did you mean: {names}?",
                ref=ref,
                names=", ".join(close),
            )
        )
    raise NotFound(
        msg(
            "No organisation {ref!r} in the organisation register. Give the organisation number "
            "or the exact name.",
            ref=ref,
        )
    )
