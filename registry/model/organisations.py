"""The organisation register: look up organisations by number, any of their names, or IRI."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from registry.errors import NotFound
from registry.handle import RegistryHandle
from registry.i18n import msg
from registry.model.orgnames import OrgIndex, bodies

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
    """Find an organisation by organisation number, IRI or any of its names: bokmål,
    nynorsk, English, abbreviation or a former name, ignoring case, a leading "The" and an
    abbreviation in parentheses (``registry/model/orgnames.py``). The name returned is the
    organisation's preferred (bokmål) name.

    A name that matches nothing gets "did you mean" suggestions from every name."""
    ref = ref.strip()
    compact = ref.replace(" ", "")
    found = bodies(registry)
    for b in found:
        if b.iri == ref or (b.number is not None and b.number == compact):
            return OrganisationRef(b.iri, b.label, b.number)
    index = OrgIndex(found)
    hits = [h for h in index.find(ref) if h.how != "shortened"]
    if len(hits) == 1:
        b = hits[0].body
        return OrganisationRef(b.iri, b.label, b.number)
    if len(hits) > 1:
        raise NotFound(
            msg(
                "\"{value}\" is a name of several organisations in the register: {names}. Write "
                "the organisation number or another of its names.",
                value=ref,
                names="; ".join(f"{h.body.label} ({h.body.number or '-'})" for h in hits),
            )
        )
    close = [name if name == b.label else f"{name} ({b.label})" for b, name in index.suggest(ref)]
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
