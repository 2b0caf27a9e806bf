"""The terms the read views know: IRIs of the vocabularies and of the external terms the pages
name, labels of the external terms the ontology does not label itself, the kinds of resources
a page is drawn for, the statuses that take an item out of force, and where a browser goes for
an IRI (its documentation on this server, or the IRI itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from registry.i18n import N_
from registry.namespaces import (
    OGP,
    OGP_NS,
    OGPSH_NS,
    PREFIXES,
    THEME_NS,
    VOCAB_NS,
)

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dct"]
XSD = PREFIXES["xsd"]
SCHEMA = PREFIXES["schema"]
ORG_ORGANIZATION = PREFIXES["org"] + "Organization"
SKOS_CONCEPT = SKOS + "Concept"
SKOS_SCHEME = SKOS + "ConceptScheme"
SCHEMA_PLACE = SCHEMA + "Place"
DCT_IS_REPLACED_BY = DCT + "isReplacedBy"
SKOS_CHANGE_NOTE = SKOS + "changeNote"

#: Where the w3id vocabulary namespaces are documented on this server (relative to the base
#: URI). In production the w3id.org redirects must point here (docs/pages.md).
W3ID_ROOT = "https://w3id.org/ogp-no/"
ONTOLOGY_IRI = "https://w3id.org/ogp-no/def"
SHAPES_IRI = "https://w3id.org/ogp-no/shapes"
THEME_SCHEME = THEME_NS + "scheme"

#: Statuses that take an item out of force: its URI answers 410 Gone (with its description).
STATUS_WITHDRAWN = VOCAB_NS + "status/withdrawn"
STATUS_SUPERSEDED = VOCAB_NS + "status/superseded"
GONE_STATUSES = (STATUS_WITHDRAWN, STATUS_SUPERSEDED)

#: Label properties, best first.
LABEL_PREDICATES: tuple[str, ...] = (SKOS + "prefLabel", DCT + "title", RDFS_LABEL)

#: Labels of the common external terms that the ontology does not label itself (msgids: page
#: words, translated with the pages' language).
_RDFS = PREFIXES["rdfs"]
_OWL = PREFIXES["owl"]
EXTRA_LABELS: dict[str, str] = {
    RDF_TYPE: N_("type"),
    RDFS_LABEL: N_("label"),
    _RDFS + "comment": N_("comment"),
    _RDFS + "subClassOf": N_("subclass of"),
    _RDFS + "subPropertyOf": N_("subproperty of"),
    _RDFS + "domain": N_("domain"),
    _RDFS + "range": N_("range"),
    _RDFS + "isDefinedBy": N_("defined by"),
    _RDFS + "seeAlso": N_("see also"),
    _OWL + "inverseOf": N_("inverse of"),
    _OWL + "versionInfo": N_("version"),
    _OWL + "Ontology": N_("Ontology"),
    _OWL + "Class": N_("Class"),
    _OWL + "ObjectProperty": N_("Object property"),
    _OWL + "DatatypeProperty": N_("Datatype property"),
    _OWL + "FunctionalProperty": N_("Functional property"),
    SKOS + "definition": N_("definition"),
    SKOS + "broader": N_("broader"),
    SKOS + "narrower": N_("narrower"),
    SKOS + "topConceptOf": N_("top concept of"),
    SKOS + "hasTopConcept": N_("has top concept"),
    SKOS + "closeMatch": N_("close match"),
    SKOS + "exactMatch": N_("exact match"),
    SKOS + "relatedMatch": N_("related match"),
    SKOS + "broadMatch": N_("broad match"),
    SKOS + "narrowMatch": N_("narrow match"),
    SKOS + "scopeNote": N_("scope note"),
    SKOS_CHANGE_NOTE: N_("change note"),
    DCT + "license": N_("licence"),
    DCT + "modified": N_("modified"),
    DCT_IS_REPLACED_BY: N_("replaced by"),
    DCT + "replaces": N_("replaces"),
    PREFIXES["prov"] + "Entity": N_("Entity (PROV)"),
}

Kind = Literal[
    "plan",
    "commitment",
    "milestone",
    "organisation",
    "meeting",
    "place",
    "proposal",
    "comment",
    "assessment",
    "concept",
    "scheme",
    "source",
    "graph",
    "resource",
]

_KIND_BY_TYPE: tuple[tuple[str, Kind], ...] = (
    (str(OGP.ActionPlan), "plan"),
    (str(OGP.Commitment), "commitment"),
    (str(OGP.Milestone), "milestone"),
    (ORG_ORGANIZATION, "organisation"),
    (str(OGP.Ministry), "organisation"),
    (str(OGP.PublicBody), "organisation"),
    (str(OGP.Meeting), "meeting"),
    (str(OGP.ConsultationMeeting), "meeting"),
    (str(OGP.FollowUpMeeting), "meeting"),
    (str(OGP.EvaluationMeeting), "meeting"),
    (str(OGP.Proposal), "proposal"),
    (str(OGP.Comment), "comment"),
    (str(OGP.ProgressAssessment), "assessment"),
    (str(OGP.Source), "source"),
    (SKOS_CONCEPT, "concept"),
    (SKOS_SCHEME, "scheme"),
    (SCHEMA_PLACE, "place"),
)


def kind_of(types: Iterable[str]) -> Kind:
    found = set(types)
    for t, kind in _KIND_BY_TYPE:
        if t in found:
            return kind
    return "resource"


# -- where a browser goes for an IRI -------------------------------------------------------
def doc_iri(iri: str, base: str) -> str | None:
    """The page on this server that documents a vocabulary IRI (``ogp:``, ``ogpsh:``,
    ``theme:``, ``vocab:``), or None for other IRIs."""
    if iri == ONTOLOGY_IRI:
        return base + "def"
    if iri.startswith(OGP_NS):
        return base + "def#" + iri[len(OGP_NS) :]
    if iri == SHAPES_IRI:
        return base + "def/shapes"
    if iri.startswith(OGPSH_NS):
        return base + "def/shapes#" + iri[len(OGPSH_NS) :]
    if iri == THEME_SCHEME:
        return base + "def/theme"
    if iri.startswith(THEME_NS):
        return base + "def/theme/" + iri[len(THEME_NS) :]
    if iri.startswith(VOCAB_NS):
        return base + "def/vocab/" + iri[len(VOCAB_NS) :]
    return None


def vocabulary_iri(path: str) -> str | None:
    """The vocabulary IRI documented at ``{base}def/<path>`` (the inverse of :func:`doc_iri`
    for pages that describe one term or scheme)."""
    if path in ("", "def"):
        return ONTOLOGY_IRI
    if path == "shapes":
        return SHAPES_IRI
    if path == "theme":
        return THEME_SCHEME
    if path.startswith("theme/") and len(path) > len("theme/"):
        return THEME_NS + path[len("theme/") :]
    if path.startswith("vocab/") and len(path) > len("vocab/"):
        return VOCAB_NS + path[len("vocab/") :]
    return None


def term_anchor(iri: str) -> str:
    """The anchor of a term on the ontology page: the local name of ``ogp:`` terms, and
    ``prefix-local`` for the external terms the ontology documents (``dct-title``)."""
    if iri.startswith(OGP_NS):
        return iri[len(OGP_NS) :]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}-{iri[len(ns) :]}"
    return "".join(c if c.isalnum() else "-" for c in iri)


def href(iri: str, base: str) -> str:
    """Where a link to ``iri`` points: vocabulary terms to their documentation here; data
    IRIs (under the base URI) and external IRIs as they are."""
    return doc_iri(iri, base) or iri
