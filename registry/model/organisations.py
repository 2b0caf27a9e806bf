"""The organisation register: look up organisations by number, any of their names, or IRI;
which of several organisations a shared number or name is read as (:class:`Registration`);
and the registry's organisations that share a number or a name with those a source describes
(:func:`namesakes`: what the shapes' ``ogpsh:OrganisationNumberUnique`` and
``ogpsh:OrganisationNameUnique`` need to see of the registry when a source, or the result of a
SPARQL Update, is validated); and the number and name rules across the files of one load
(:func:`numbers_across`, :func:`names_across`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from registry.errors import NotFound
from registry.handle import RegistryHandle
from registry.history.terms import history_graph
from registry.i18n import Msg, msg
from registry.model.orgnames import Body, OrgIndex, bodies, key
from registry.namespaces import OGP

_ORGS = """
SELECT ?org ?name ?number WHERE {
  ?org a org:Organization ; skos:prefLabel ?name .
  OPTIONAL { ?org ogp:organisationNumber ?number }
}"""

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SKOS = "http://www.w3.org/2004/02/skos/core#"
#: The classes an organisation is typed with (validation runs without inference), as the
#: shapes' organisation rules target them.
ORG_CLASSES = frozenset(
    {"http://www.w3.org/ns/org#Organization", str(OGP.PublicBody), str(OGP.Ministry)}
)
#: The names the shapes compare (``ogpsh:OrganisationNameUnique``).
NAME_PREDICATES = tuple(
    ox.NamedNode(_SKOS + n) for n in ("prefLabel", "altLabel", "hiddenLabel")
)
_NUMBER = ox.NamedNode(str(OGP.organisationNumber))


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


# -- which of several organisations ----------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    """How an organisation came into the registry: ``own`` when a source of the registry's
    own describes it (a source graph without a submitter: the bundled data, the operator's
    loads); ``first_change`` the number of the change that created its first version (None:
    the history has none, e.g. statements written before the history was kept)."""

    iri: str
    own: bool
    first_change: int | None


_STANDING = """
SELECT ?org ?provenance ?history ?graph ?submitter ?change WHERE {
  {
    GRAPH ?graph { ?org a org:Organization }
    OPTIONAL { GRAPH ?provenance { ?graph ogp:submittedBy ?submitter } }
  } UNION {
    GRAPH ?history { ?version dct:isVersionOf ?org ; ogp:inChange ?c . ?c ogp:changeNumber ?change }
  }
}"""


class Registration:
    """Which of several organisations a number or a name they share is read as.

    A copy submitted later never wins over the registry's organisation: one that the
    registry's own sources describe comes before those only organisations submitted, and
    among equals the one registered first (the earliest change in its history) comes first.
    When no one comes first (two of the registry's own registered in the same change, one
    without a history), there is no answer and the look-up refuses, naming them all."""

    def __init__(self, registry: RegistryHandle) -> None:
        self.registry = registry
        self._standings: dict[str, Standing] = {}

    def standing(self, iri: str) -> Standing:
        known = self._standings.get(iri)
        if known is not None:
            return known
        base = self.registry.settings.base_uri
        result = self.registry.query(
            _STANDING,
            substitutions={
                ox.Variable("org"): ox.NamedNode(iri),
                ox.Variable("provenance"): ox.NamedNode(self.registry.uris.provenance_graph),
                ox.Variable("history"): ox.NamedNode(history_graph(base)),
            },
        )
        assert isinstance(result, ox.QuerySolutions)
        # every row read here: pyoxigraph results must not be freed on another thread
        rows = [(row["graph"], row["submitter"], row["change"]) for row in result]
        del result
        own = any(
            graph is not None
            and self.registry.uris.is_source_graph(str(graph.value))
            and submitter is None
            for graph, submitter, _change in rows
        )
        changes = [int(str(change.value)) for _g, _s, change in rows if change is not None]
        known = Standing(iri, own, min(changes) if changes else None)
        self._standings[iri] = known
        return known

    def first(self, iris: Collection[str]) -> str | None:
        """The organisation of ``iris`` that a number or name they share is read as, or None
        when no one comes first."""
        distinct = sorted(set(iris))
        if len(distinct) == 1:
            return distinct[0]
        ranked = sorted(
            (self.standing(i) for i in distinct),
            key=lambda s: (not s.own, s.first_change is None, s.first_change or 0),
        )
        a, b = ranked[0], ranked[1]
        if a.own and not b.own:
            return a.iri
        if (
            a.own == b.own
            and a.first_change is not None
            and b.first_change is not None
            and a.first_change < b.first_change
        ):
            return a.iri
        return None


def listed(candidates: Iterable[tuple[str, str, str | None]]) -> str:
    """Organisations (IRI, name, number) for a message: name, number and IRI each, so that
    copies with the same name and number can be told apart."""
    return "; ".join(f"{name} ({number or '-'}) <{iri}>" for iri, name, number in candidates)


def shared_number(number: str, candidates: Iterable[tuple[str, str, str | None]]) -> Msg:
    """The refusal of an organisation number several organisations have (``candidates``:
    IRI, name, number), for the look-up here and the loaders' (``loaders/build/refs.py``)."""
    return msg(
        "The organisation number {number} is the number of several organisations in "
        "the register: {names}. One number belongs to one organisation: give the "
        "organisation by its IRI, and ask the registry's operators to remove the one "
        "that should not be there.",
        number=number,
        names=listed(candidates),
    )


def _ref(b: Body) -> OrganisationRef:
    return OrganisationRef(b.iri, b.label, b.number)


def resolve_organisation(
    registry: RegistryHandle, ref: str, *, strict: bool = False
) -> OrganisationRef:
    """Find an organisation by organisation number, IRI or any of its names: bokmål,
    nynorsk, English, abbreviation or a former name, ignoring case, a leading "The" and an
    abbreviation in parentheses (``registry/model/orgnames.py``). The name returned is the
    organisation's preferred (bokmål) name.

    A number or name several organisations have is read as the one :class:`Registration`
    puts first, never as a copy submitted later; with ``strict`` (a token is issued for the
    organisation) it is refused, naming them all, and only the IRI names one of them.

    A name that matches nothing gets "did you mean" suggestions from every name."""
    ref = ref.strip()
    compact = ref.replace(" ", "")
    found = bodies(registry)
    for b in found:
        if b.iri == ref:
            return _ref(b)
    numbered = [b for b in found if b.number is not None and b.number == compact]
    if len(numbered) == 1:
        return _ref(numbered[0])
    if numbered:
        first = None if strict else Registration(registry).first([b.iri for b in numbered])
        if first is not None:
            return next(_ref(b) for b in numbered if b.iri == first)
        raise NotFound(shared_number(compact, ((b.iri, b.label, b.number) for b in numbered)))
    index = OrgIndex(found)
    hits: list[Body] = []
    for h in index.find(ref):
        if h.how != "shortened" and h.body not in hits:
            hits.append(h.body)
    if len(hits) == 1:
        return _ref(hits[0])
    if len(hits) > 1:
        if strict:
            raise NotFound(
                msg(
                    "\"{value}\" names several organisations in the register: {names}. Give "
                    "the organisation by its IRI.",
                    value=ref,
                    names=listed((b.iri, b.label, b.number) for b in hits),
                )
            )
        first = Registration(registry).first([b.iri for b in hits])
        if first is not None:
            return next(_ref(b) for b in hits if b.iri == first)
        raise NotFound(
            msg(
                "\"{value}\" is a name of several organisations in the register: {names}. Write "
                "the organisation number or another of its names.",
                value=ref,
                names=listed((b.iri, b.label, b.number) for b in hits),
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


# -- the validation context of the uniqueness rules -------------------------------------------
def namesakes(
    reader: ox.Store, quads: Sequence[ox.Quad], exclude: Collection[str]
) -> list[ox.Quad]:
    """The registry's statements, outside the graphs ``exclude`` (those being replaced), that
    the shapes need to see when ``quads`` describe organisations: for every other
    organisation that has the number of one of them, or one of their names (compared as the
    look-up compares names: ``orgnames.key``), its types, number and names.

    The rules ``ogpsh:OrganisationNumberUnique`` and ``ogpsh:OrganisationNameUnique`` compare
    an organisation with every other one, but a source's validation context holds only what
    its items point to (``registry/loading/pipeline.py``, ``validation_context``); this adds
    exactly the organisations that share something with the source's own, so its size
    depends on the source. Reading the names means reading every name in the registry (a few
    thousand), and only for sources that describe organisations."""
    own: set[ox.NamedNode | ox.BlankNode] = set()
    for q in quads:
        if (q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)
                and q.object.value in ORG_CLASSES) or q.predicate == _NUMBER:
            if isinstance(q.subject, ox.NamedNode | ox.BlankNode):
                own.add(q.subject)
    if not own:
        return []
    numbers = {q.object for q in quads if q.subject in own and q.predicate == _NUMBER}
    keys = {
        key(q.object.value)
        for q in quads
        if q.subject in own and q.predicate in NAME_PREDICATES and isinstance(q.object, ox.Literal)
    }
    keys.discard("")

    def kept(q: ox.Quad) -> bool:
        gn = q.graph_name
        return not (isinstance(gn, ox.NamedNode) and gn.value in exclude)

    others: set[ox.NamedNode | ox.BlankNode] = set()
    for number in numbers:
        for q in reader.quads_for_pattern(None, _NUMBER, number, None):
            if kept(q):
                others.add(q.subject)  # type: ignore[arg-type]
    if keys:
        for predicate in NAME_PREDICATES:
            for q in reader.quads_for_pattern(None, predicate, None, None):
                if isinstance(q.object, ox.Literal) and kept(q) and key(q.object.value) in keys:
                    others.add(q.subject)  # type: ignore[arg-type]
    out: list[ox.Quad] = []
    for subject in sorted(others - own, key=str):
        described = [q for q in reader.quads_for_pattern(subject, None, None, None) if kept(q)]
        if not any(
            q.predicate == RDF_TYPE and getattr(q.object, "value", None) in ORG_CLASSES
            for q in described
        ):
            continue  # a name of a concept, a name record, ...: not an organisation
        out.extend(
            q for q in described
            if q.predicate == RDF_TYPE or q.predicate == _NUMBER or q.predicate in NAME_PREDICATES
        )
    return out


# -- one number, one organisation, across the sources of one load ------------------------------
@dataclass(frozen=True)
class Holder:
    """An organisation that a source of a load gives a number: the source's position in the
    load, the organisation's IRI and its name (bokmål, else any, else the IRI)."""

    source: int
    iri: str
    name: str
    #: the number the source gives the organisation, and the name as the source writes it
    #: (:func:`names_across`)
    number: str | None = None
    written: str | None = None


def numbers_across(sources: Sequence[Sequence[ox.Quad]]) -> list[tuple[str, Holder, Holder]]:
    """``ogpsh:OrganisationNumberUnique`` across the sources of one load, which are validated
    one at a time against the registry (so neither sees the other's organisations): for each
    organisation a source gives a number that another source gives another organisation, the
    number, that organisation and the first such other one. Within one source the shape sees
    both."""
    holders: dict[str, list[Holder]] = {}
    for i, quads in enumerate(sources):
        names: dict[str, dict[str, str]] = {}
        for q in quads:
            if q.predicate == NAME_PREDICATES[0] and isinstance(q.object, ox.Literal):
                names.setdefault(str(q.subject), {}).setdefault(q.object.language or "",
                                                                q.object.value)
        for q in quads:
            if (q.predicate != _NUMBER or not isinstance(q.subject, ox.NamedNode)
                    or not isinstance(q.object, ox.Literal)):
                continue
            iri = q.subject.value
            name = _shown(names.get(str(q.subject), {}), iri)
            same = holders.setdefault(q.object.value, [])
            if not any(h.source == i and h.iri == iri for h in same):
                same.append(Holder(i, iri, name))
    out = []
    for number, same in holders.items():
        for h in same:
            other = next((o for o in same if o.source != h.source and o.iri != h.iri), None)
            if other is not None:
                out.append((number, h, other))
    return out


def names_across(
    sources: Sequence[Sequence[ox.Quad]],
) -> list[tuple[str, str | None, Holder, Holder]]:
    """One name, one organisation, across the sources of one load: a name (``skos:prefLabel``,
    ``altLabel`` or ``hiddenLabel``, compared as the look-up compares names: ``orgnames.key``)
    that one source gives an organisation and another source gives another organisation (two
    organisations with one name), or the same organisation with another number (one
    organisation with two numbers). For each organisation so described: the name as its
    source writes it and its language, that organisation (with its number) and the first
    such other one.

    Within one source the loaders match a second row of the same name to the first and refuse
    it; against the registry a submission's row of a registered name is read as that
    organisation and may not change its number. Each source of a load is validated alone, so
    only this sees the files together. An organisation here is a subject a source types as
    one or gives a number; two sources describing one IRI without contradicting numbers are
    one organisation, as the registry would read them."""
    #: key -> (holder, the name as written, its language)
    seen: dict[str, list[tuple[Holder, str, str | None]]] = {}
    for i, quads in enumerate(sources):
        orgs: set[str] = set()
        numbers: dict[str, str] = {}
        for q in quads:
            if not isinstance(q.subject, ox.NamedNode):
                continue
            if (q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)
                    and q.object.value in ORG_CLASSES):
                orgs.add(q.subject.value)
            elif q.predicate == _NUMBER and isinstance(q.object, ox.Literal):
                orgs.add(q.subject.value)
                numbers.setdefault(q.subject.value, q.object.value)
        if not orgs:
            continue
        labels: dict[str, dict[str, str]] = {}
        written: list[tuple[str, str, str | None]] = []  # (IRI, name, language)
        for q in quads:
            if (isinstance(q.subject, ox.NamedNode) and q.subject.value in orgs
                    and q.predicate in NAME_PREDICATES and isinstance(q.object, ox.Literal)):
                written.append((q.subject.value, q.object.value, q.object.language))
                if q.predicate == NAME_PREDICATES[0]:
                    labels.setdefault(q.subject.value, {}).setdefault(
                        q.object.language or "", q.object.value)
        for iri, name, lang in written:
            k = key(name)
            if not k:
                continue
            holder = Holder(i, iri, _shown(labels.get(iri, {}), iri), numbers.get(iri), name)
            same = seen.setdefault(k, [])
            if not any(h.source == i and h.iri == iri for h, _n, _l in same):
                same.append((holder, name, lang))
    out = []
    for same in seen.values():
        for h, name, lang in same:
            other = next((o for o, _n, _l in same if o.source != h.source and _apart(h, o)),
                         None)
            if other is not None:
                out.append((name, lang, h, other))
    return out


def _apart(a: Holder, b: Holder) -> bool:
    """Whether two holders of one name are two organisations (two IRIs) or one organisation
    with two numbers."""
    if a.iri != b.iri:
        return True
    return a.number is not None and b.number is not None and a.number != b.number


def _shown(names: dict[str, str], iri: str) -> str:
    """The name an organisation is shown by in a refusal: its bokmål name, else any, else its
    IRI."""
    return names.get("nb") or next(iter(names.values()), iri)
