"""What a page shows of a resource: :class:`Node` (an IRI with its link, label and types),
:class:`Value` and :class:`Property` (statements, with the graphs asserting each),
:class:`Description` (everything about one IRI and what links to it), a search hit and a
source graph; the order they are shown in (labels as people sort them, the predicates a
reader looks for first); and which values of several sources name one real thing
(:func:`same_thing`, :func:`merge_same_things`: shown once, docs/pages.md)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pyoxigraph as ox

from registry.i18n import Lang
from registry.model.terms import (
    DCT,
    DCT_IS_REPLACED_BY,
    GONE_STATUSES,
    RDF_TYPE,
    RDFS_LABEL,
    SCHEMA,
    SKOS,
    SKOS_CHANGE_NOTE,
    Kind,
    kind_of,
)
from registry.model.text import Text, pick
from registry.namespaces import OGP

#: An object of a statement as the read views hand it out.
Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Node:
    """A resource named on a page: its IRI, where a link to it goes, its label (None when
    the registry has none) and its types."""

    iri: str
    href: str
    label: Text | None
    types: tuple[str, ...] = ()
    local: bool = False  # minted under the base URI

    @property
    def kind(self) -> Kind:
        return kind_of(self.types)


@dataclass
class Value:
    """One object of one statement: a node or a literal, with the graphs asserting it."""

    node: Node | None = None
    text: Text | None = None
    raw: str | None = None  # the literal's lexical form
    datatype: str | None = None
    graphs: list[Node] = field(default_factory=list)
    nested: list[Property] = field(default_factory=list)  # a blank node's own statements
    #: the other sources' wordings of the same real thing, merged into this value
    #: (:func:`merge_same_things`), each with the graphs stating it
    variants: list[Value] = field(default_factory=list)


@dataclass
class Property:
    """The values of one predicate (outgoing), or the subjects linking here by it (incoming)."""

    predicate: Node
    values: list[Value] = field(default_factory=list)

    def texts(self) -> list[tuple[str, str | None]]:
        return [(v.raw or "", v.text.lang if v.text else None) for v in self.values if v.raw]


@dataclass
class Description:
    """What the registry says about one IRI, and what links to it."""

    node: Node
    lang: Lang
    properties: list[Property]
    backlinks: list[Property]
    described: bool  # the IRI is the subject of at least one statement
    is_graph: bool = False

    def __post_init__(self) -> None:
        # one real thing that several sources state, each in its own words, is one value
        merge_same_things(self.properties)

    def prop(self, predicate: str) -> Property | None:
        return next((p for p in self.properties if p.predicate.iri == predicate), None)

    def values(self, predicate: str) -> list[Value]:
        p = self.prop(predicate)
        return p.values if p else []

    def nodes(self, predicate: str) -> list[Node]:
        return [v.node for v in self.values(predicate) if v.node is not None]

    def text(self, predicate: str) -> Text | None:
        p = self.prop(predicate)
        return pick(p.texts(), self.lang) if p else None

    def first(self, predicate: str) -> Value | None:
        vals = self.values(predicate)
        return vals[0] if vals else None

    def linking(self, *predicates: str) -> list[Node]:
        """Subjects that link here by any of ``predicates`` (deduplicated, in label order)."""
        seen: dict[str, Node] = {}
        for p in self.backlinks:
            if p.predicate.iri in predicates:
                for v in p.values:
                    if v.node is not None:
                        seen.setdefault(v.node.iri, v.node)
        return sorted(seen.values(), key=node_sort_key)

    @property
    def status(self) -> Node | None:
        nodes = self.nodes(str(OGP.registryStatus))
        return nodes[0] if nodes else None

    @property
    def gone(self) -> bool:
        """Withdrawn or superseded: the URI answers 410 Gone."""
        return any(n.iri in GONE_STATUSES for n in self.nodes(str(OGP.registryStatus)))

    @property
    def replaced_by(self) -> list[Node]:
        return self.nodes(DCT_IS_REPLACED_BY)

    @property
    def reasons(self) -> list[Text]:
        """Why the item was withdrawn or superseded: ``skos:changeNote`` in the page's
        language (falling back as usual); else the registry's ``ogp:editorialNote``."""
        for pred in (SKOS_CHANGE_NOTE, str(OGP.editorialNote)):
            t = self.text(pred)
            if t is not None:
                return [t]
        return []


def node_sort_key(n: Node) -> tuple[str, str]:
    label = n.label.value if n.label else n.iri
    return (unicodedata.normalize("NFKD", label).casefold(), n.iri)


@dataclass
class SearchHit:
    node: Node
    matched: Text
    score: int


@dataclass
class SourceInfo:
    """A source graph, its provenance and what it describes."""

    node: Node
    provenance: list[Property]
    subjects: list[Node]
    triples: int


# -- the order of predicates and values --------------------------------------------------
_PREDICATE_ORDER: tuple[str, ...] = (
    RDF_TYPE,
    DCT + "identifier",
    SKOS + "prefLabel",
    DCT + "title",
    RDFS_LABEL,
    SKOS + "altLabel",
    SKOS + "notation",
    str(OGP.registryStatus),
    DCT_IS_REPLACED_BY,
    SKOS_CHANGE_NOTE,
    DCT + "description",
    SKOS + "definition",
    str(OGP.problemAddressed),
    str(OGP.ambition),
    str(OGP.inActionPlan),
    str(OGP.ofCommitment),
    str(OGP.leadAgency),
    str(OGP.supportingPublicBody),
    str(OGP.supportingNonGovernmentalActor),
    str(OGP.theme),
    str(OGP.ogpValue),
    str(OGP.policyArea),
    SCHEMA + "startDate",
    SCHEMA + "endDate",
)
_RANK = {p: i for i, p in enumerate(_PREDICATE_ORDER)}


def predicate_rank(iri: str) -> tuple[int, str]:
    """Where a predicate is shown among a resource's statements: the ones a reader looks for
    first, then the rest by IRI."""
    return (_RANK.get(iri, len(_RANK)), iri)


def value_sort_key(v: Value) -> tuple[int, str, str]:
    """Values of one predicate: nodes by label, then literals by language and text."""
    if v.node is not None:
        k = node_sort_key(v.node)
        return (0, k[0], k[1])
    return (1, v.text.lang or "" if v.text else "", v.raw or "")


# -- one real thing, several sources -------------------------------------------------------
#: The dashes a person may type between the years of a report's name ("2019–2021", the en dash
#: of Norwegian typography) where the published name has a hyphen ("2019-2021").
_DASHES = re.compile("[\u2010-\u2015\u2212]")  # after NFKC, which folds the others


def same_thing(predicate: str, value: Value) -> str | None:
    """What identifies the real thing ``value`` of ``predicate`` names, where sources write
    one thing in different words; None where the value is its own identity.

    * ``ogp:irmReport``: a report is identified by its name as published, however the name was
      typed or copied: any dash is a hyphen ("Results Report 2019–2022" is "Results Report
      2019-2022"), and compatibility forms (a no-break space or a ligature copied from a PDF)
      and runs of spaces do not count. Capitalisation and words do count.

    Every other value, a number of commitments included, is its own identity: the same value
    from two sources is one value with both sources anyway.
    """
    if value.node is not None or value.raw is None or predicate != str(OGP.irmReport):
        return None
    name = _DASHES.sub("-", unicodedata.normalize("NFKC", value.raw))
    name = " ".join(name.split())
    return "report:" + name if name else None


def merge_same_things(properties: list[Property]) -> None:
    """Merge, in place, the values of each property that name the same real thing
    (:func:`same_thing`): one value stays, the first in the page's order (so the name with a
    hyphen, as OGP publishes it, before one with an en dash), with every graph that states the
    thing; the other wordings are kept in its ``variants``."""
    for prop in properties:
        groups: dict[str, list[Value]] = {}
        for v in prop.values:
            key = same_thing(prop.predicate.iri, v)
            if key is not None:
                groups.setdefault(key, []).append(v)
        if all(len(g) < 2 for g in groups.values()):
            continue
        dropped: set[int] = set()
        for group in groups.values():
            if len(group) < 2:
                continue
            kept = group[0]
            for v in group:
                if v is kept:
                    continue
                dropped.add(id(v))
                kept.variants.append(v)
                for g in v.graphs:
                    if all(n.iri != g.iri for n in kept.graphs):
                        kept.graphs.append(g)
            kept.graphs.sort(key=node_sort_key)
        prop.values = [v for v in prop.values if id(v) not in dropped]
