"""References from submissions to what the registry already holds: organisations by number or
any of their names (``registry/model/orgnames.py``: bokmål, nynorsk, English, abbreviation,
former names; "did you mean" from every name), action plans by id or name, commitments by
their registry id or OGP id, and items by IRI. Every look-up is by key, so its cost depends on
the submission, not on the size of the registry (the organisation register is read once).

A number or name several organisations share is read as the one
:class:`registry.model.organisations.Registration` puts first (the registry's own before a
copy a submitter registered later; else the one registered first), never by the order of
their IRIs; a number no one comes first for is refused, naming them all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from loaders.build.dates import PartialDate, parse_date
from loaders.columns import norm
from registry.i18n import Msg, msg
from registry.model.organisations import Registration, listed, shared_number
from registry.model.orgnames import Body, Found, Name, OrgIndex, Period, bodies
from registry.namespaces import OGP
from registry.service import Registry

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_DIGITS = re.compile(r"^\d+$")

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
        #: numbers several organisations have and no one of them comes first for
        self.shared_numbers: dict[str, list[Org]] = {}
        #: per IRI: (class, graph) of the registry's rdf:type statements about it (has_type)
        self._types: dict[str, list[tuple[str, str | None]]] = {}
        self.registration = Registration(registry)
        found = bodies(registry)
        for b in found:
            o = self.orgs[b.iri] = Org(b.iri, [n.text for n in b.names], b.number, b.kind)
            if b.label in o.names:  # the preferred (bokmål) name first
                o.names.remove(b.label)
            o.names.insert(0, b.label)
        numbers: dict[str, list[Org]] = {}
        names: dict[str, list[Org]] = {}
        for o in self.orgs.values():
            if o.number:
                numbers.setdefault(o.number, []).append(o)
            for n in o.names:
                same = names.setdefault(norm(n), [])
                if o not in same:
                    same.append(o)
        for number, orgs in numbers.items():
            first = self._first(orgs)
            if first is not None:
                self.by_number[number] = first
            else:
                self.shared_numbers[number] = orgs
        for name, orgs in names.items():
            first = self._first(orgs)
            if first is not None:
                self.by_name[name] = first
        self.index = OrgIndex(found)
        self._plans: dict[str, tuple[str, str | None, str | None]] | None = None
        self._ogp_ids: dict[str, list[tuple[str, str]]] | None = None

    def _first(self, orgs: list[Org]) -> Org | None:
        """The one of ``orgs`` (sharing a number or a name) it is read as, if one comes
        first."""
        if len(orgs) == 1:
            return orgs[0]
        iri = self.registration.first([o.iri for o in orgs])
        return self.orgs[iri] if iri is not None else None

    def add_org(self, org: Org) -> None:
        """An organisation defined by the submission itself (the organisations kind)."""
        self.orgs[org.iri] = org
        if org.number:
            self.by_number[org.number] = org
        for n in org.names:
            self.by_name[norm(n)] = org
        known = self.index.bodies.get(org.iri)
        names = list(known.names) if known is not None else []
        names += [Name(n) for n in org.names if all(n != x.text for x in names)]
        self.index.add(Body(org.iri, org.name, names, org.number, org.kind))

    def body(self, iri: str) -> Body | None:
        return self.index.bodies.get(iri)

    def organisation(
        self, text: str, period: Period | None = None
    ) -> tuple[Org | None, Msg | None]:
        """The organisation ``text`` names (number, IRI or any name), or why none is found."""
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
            shared = self.shared_numbers.get(compact)
            if shared:
                return None, shared_number(compact, ((x.iri, x.name, x.number) for x in shared))
            return None, msg(
                "No organisation with the organisation number {value} in the organisation "
                "register. Write the organisation's name, or add it with an organisations "
                "submission (ogpreg template --kind organisations).",
                value=compact,
            )
        if t in self.orgs:
            return self.orgs[t], None
        hits = [h for h in self.index.find(t, period) if h.how != "shortened"]
        if len(hits) > 1:  # a name several bodies have: the one registered first, if any
            first = self.registration.first([h.body.iri for h in hits])
            if first is None:
                return None, self.ambiguous(t, hits)
            hits = [h for h in hits if h.body.iri == first][:1]
        if len(hits) == 1:
            return self.orgs.get(hits[0].body.iri) or Org(hits[0].body.iri), None
        return None, self.unknown(t)

    def find(self, text: str, period: Period | None = None) -> list[Found]:
        """Every body ``text`` names as a whole (shortened names included)."""
        return self.index.find(text, period)

    def ambiguous(self, text: str, hits: list[Found]) -> Msg:
        return msg(
            "\"{value}\" is a name of several organisations in the register: {names}. Write the "
            "organisation number or another of its names.",
            value=text,
            names=listed((h.body.iri, h.body.label, h.body.number) for h in hits),
        )

    def unknown(self, text: str) -> Msg:
        """The message for a name the register does not have: the closest of all names, and
        how to add the organisation."""
        close = self.index.suggest(text)
        if close:
            return msg(
                "No organisation {value!r} in the organisation register. Did you mean: "
                "{suggest}? If it is a former or other name of a registered organisation, add "
                "the name to that organisation (column «Andre navn (bokmål)» of an "
                "organisations submission) rather than registering it anew; if it is another "
                "organisation, add it with an organisations submission (ogpreg template --kind "
                "organisations) and load that first.",
                value=text,
                suggest=", ".join(_named(b, name) for b, name in close),
            )
        return msg(
            "No organisation {value!r} in the organisation register. Give the organisation "
            "number or one of its names (bokmål, nynorsk, English or abbreviation). If it is a "
            "former or other name of a registered organisation, add the name to that "
            "organisation (column «Andre navn (bokmål)» of an organisations submission) rather "
            "than registering it anew; if it is another organisation, add it with an "
            "organisations submission (ogpreg template --kind organisations) and load that "
            "first.",
            value=text,
        )

    # -- plans and commitments ---------------------------------------------------------------
    def _plan_table(self) -> dict[str, tuple[str, str | None, str | None]]:
        """Normalised id, title or other name → (plan id, start, end), for every plan."""
        if self._plans is None:
            self._plans = {}
            result = self.registry.query(
                "SELECT ?id ?name ?start ?end WHERE { ?p a ogp:ActionPlan ; dct:identifier ?id "
                "OPTIONAL { ?p dct:title|dct:alternative ?name } "
                "OPTIONAL { ?p schema:startDate ?start } OPTIONAL { ?p schema:endDate ?end } }"
            )
            assert isinstance(result, ox.QuerySolutions)
            for row in result:
                ident = str(row["id"].value)
                start = str(row["start"].value) if row["start"] is not None else None
                end = str(row["end"].value) if row["end"] is not None else None
                for name in (ident, row["name"].value if row["name"] is not None else None):
                    if name:
                        self._plans.setdefault(norm(str(name)), (ident, start, end))
        return self._plans

    def plan_ids(self) -> list[str]:
        return sorted({v[0] for v in self._plan_table().values()})

    def plan(self, text: str) -> str | None:
        """The id of the registered plan ``text`` names: by id, title or other name."""
        hit = self._plan_table().get(norm(text))
        return hit[0] if hit else None

    def plan_period(self, plan_id: str) -> Period | None:
        """The registered plan's period (first and last possible day), if it has one."""
        for ident, start, end in self._plan_table().values():
            if ident == plan_id:
                return period_of(start, end)
        return None

    def ogp_owners(self, ogp_id: str, exclude: str | None) -> list[tuple[str, str]]:
        """(commitment IRI, graph) of the registry's commitments with OGP id ``ogp_id``
        outside the graph ``exclude``."""
        if self._ogp_ids is None:
            self._ogp_ids = {}
            for q in self.reader.quads_for_pattern(
                None, ox.NamedNode(str(OGP.ogpIdentifier)), None, None
            ):
                g = getattr(q.graph_name, "value", "")
                self._ogp_ids.setdefault(str(getattr(q.object, "value", "")), []).append(
                    (str(getattr(q.subject, "value", "")), g)
                )
        return [(s, g) for s, g in self._ogp_ids.get(ogp_id, []) if g != exclude]

    def has_type(self, iri: str, classes: tuple[str, ...], exclude: str | None = None) -> bool:
        """Whether the registry (outside the graph ``exclude``) types ``iri`` as one of
        ``classes``."""
        types = self._types.get(iri)
        if types is None:  # read once per IRI (rows name the same item again and again)
            types = self._types[iri] = [
                (q.object.value, getattr(q.graph_name, "value", None))
                for q in self.reader.quads_for_pattern(ox.NamedNode(iri), RDF_TYPE, None, None)
                if isinstance(q.object, ox.NamedNode)
            ]
        return any(c in classes and (exclude is None or g != exclude) for c, g in types)

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


def _named(body: Body, name: str) -> str:
    """A suggestion: the close name, and the body's preferred name when it differs."""
    return name if name == body.label else f"{name} ({body.label})"


def period_of(start: str | None, end: str | None) -> Period | None:
    """The period of two dates of any precision (first and last possible day)."""
    def bound(value: str | None, first: bool) -> str | None:
        if not value:
            return None
        try:
            d: PartialDate = parse_date(value)
        except ValueError:
            return None
        return d.earliest if first else d.latest

    if not start and not end:
        return None
    return Period(bound(start, True), bound(end, False))
