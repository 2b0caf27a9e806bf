"""Tests of the vocabulary files in ``ontology/`` against the contract (docs/data-model.md) and
the closed list of terms (registry/namespaces.py)."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ontology import ontology_files
from registry.namespaces import OGP, OGP_NS, THEME_NS, VOCAB_NS

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = REPO / "ontology"
DATA_MODEL = REPO / "docs" / "data-model.md"
COMMITMENTS_CSV = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "nap4-2019-2021-commitments.csv"
)

ONTOLOGY_IRI = URIRef("https://w3id.org/ogp-no/def")
VANN = "http://purl.org/vocab/vann/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_DATA_THEME_CODES = {
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "OP_DATPRO",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
}
LOS_PATTERN = re.compile(r"^https://psi\.norge\.no/los/(tema|ord)/[a-z0-9-]+$")

#: The three headings of the 2018 invitation (the seed), in order.
SEED_HEADINGS = [
    "Offentlige anskaffelser, opplysninger om reelle rettighetshavere og antikorrupsjon",
    "Åpne data og viderebruk av offentlige data",
    "Integritet og åpenhet i forvaltningen",
]

OGP_TERMS: list[str] = list(OGP.__annotations__)
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property}


# ------------------------------------------------------------------------------------------------
# helpers and fixtures
# ------------------------------------------------------------------------------------------------


def _parse(name: str) -> Graph:
    return Graph().parse(ONTOLOGY_DIR / name, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse("ogp.ttl")


@pytest.fixture(scope="module")
def themes() -> Graph:
    return _parse("themes.ttl")


@pytest.fixture(scope="module")
def values() -> Graph:
    return _parse("values.ttl")


def _lang_values(g: Graph, s: Node, p: URIRef, lang: str) -> list[Literal]:
    return [o for o in g.objects(s, p) if isinstance(o, Literal) and o.language == lang]


def _assert_nb_en(g: Graph, s: Node, p: URIRef) -> None:
    for lang in ("nb", "en"):
        found = _lang_values(g, s, p, lang)
        assert len(found) == 1, f"{s} needs exactly one {p} @{lang}, has {found}"
        assert str(found[0]).strip(), f"{s} has an empty {p} @{lang}"


def _concepts(g: Graph) -> list[URIRef]:
    return sorted(s for s in g.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef))


def _schemes(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)}


def _section(markdown: str, heading: str) -> str:
    """The text of a level-2 section of the data model."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"section {heading!r} missing from {DATA_MODEL}"
    return match.group(1)


def _contract_value_sets() -> dict[str, list[str]]:
    """Value sets and their codes, read from the table in docs/data-model.md."""
    text = _section(DATA_MODEL.read_text(encoding="utf-8"), "Value sets (`vocab:`)")
    sets: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        name = re.findall(r"`([^`]+)`", cells[0])[0]
        sets[name] = re.findall(r"`([^`]+)`", cells[1])
    assert sets, "no value sets found in docs/data-model.md"
    return sets


def _contract_themes() -> dict[str, list[str]]:
    """Top theme -> narrower themes (local names), read from docs/data-model.md."""
    text = _section(DATA_MODEL.read_text(encoding="utf-8"), "Themes (`theme:scheme`)")
    entries = re.split(r"^\d+\. ", text, flags=re.M)[1:]
    tree: dict[str, list[str]] = {}
    for entry in entries:
        names = re.findall(r"`theme:([a-z0-9-]+)`", entry)
        tree[names[0]] = names[1:]
    assert len(tree) == 3, tree
    return tree


def _csv_policy_areas() -> Iterator[str]:
    with COMMITMENTS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for part in (row["theme"] or "").split(";"):
                if part.strip():
                    yield part.strip()


# ------------------------------------------------------------------------------------------------
# files parse
# ------------------------------------------------------------------------------------------------


def test_ontology_files_lists_the_three_files() -> None:
    found = ontology_files()
    assert set(found) == {"ontology", "themes", "values"}
    assert found["ontology"].name == "ogp.ttl"
    assert found["themes"].name == "themes.ttl"
    assert found["values"].name == "values.ttl"
    for resource in found.values():
        assert resource.is_file()


def _turtle_files() -> list[Path]:
    return sorted(ONTOLOGY_DIR.glob("*.ttl"))


def test_turtle_files_present() -> None:
    names = {p.name for p in _turtle_files()}
    assert {"ogp.ttl", "themes.ttl", "values.ttl"} <= names


@pytest.mark.parametrize("path", _turtle_files(), ids=lambda p: p.name)
def test_turtle_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    assert len(g) > 0
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(g)


# ------------------------------------------------------------------------------------------------
# ogp.ttl
# ------------------------------------------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.1.0")) in ontology
    assert (ONTOLOGY_IRI, DCTERMS.license, URIRef("https://data.norge.no/nlod/no/2.0")) in ontology
    assert (ONTOLOGY_IRI, URIRef(VANN + "preferredNamespacePrefix"), Literal("ogp")) in ontology
    _assert_nb_en(ontology, ONTOLOGY_IRI, DCTERMS.title)
    _assert_nb_en(ontology, ONTOLOGY_IRI, DCTERMS.description)


def test_ogp_term_list_is_not_empty() -> None:
    assert len(OGP_TERMS) > 50
    assert "Commitment" in OGP_TERMS and "leadAgency" in OGP_TERMS


@pytest.mark.parametrize("name", OGP_TERMS)
def test_every_ogp_term_is_declared(ontology: Graph, name: str) -> None:
    term = URIRef(OGP_NS + name)
    types = set(ontology.objects(term, RDF.type))
    assert types, f"ogp:{name} has no rdf:type in ogp.ttl"
    if name[0].isupper():
        # classes, and the named individuals of ogp:ChangeKind and ogp:VersionAction
        assert OWL.Class in types or OWL.NamedIndividual in types, (
            f"ogp:{name} should be an owl:Class or an owl:NamedIndividual"
        )
    else:
        assert types & PROPERTY_TYPES, f"ogp:{name} should be a property, is {types}"
    _assert_nb_en(ontology, term, RDFS.label)
    _assert_nb_en(ontology, term, SKOS.definition)
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology


def test_ogp_ttl_uses_only_terms_of_the_closed_list(ontology: Graph) -> None:
    allowed = {URIRef(OGP_NS + name) for name in OGP_TERMS}
    used = {
        t
        for triple in ontology
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(OGP_NS)
    }
    assert used, "ogp.ttl uses no ogp: terms"
    assert used <= allowed, f"not in registry.namespaces.OGP: {sorted(used - allowed)}"


@pytest.mark.parametrize("graph_name", ["themes", "values"])
def test_concept_files_use_only_terms_of_the_closed_list(
    request: pytest.FixtureRequest, graph_name: str
) -> None:
    g: Graph = request.getfixturevalue(graph_name)
    allowed = {URIRef(OGP_NS + name) for name in OGP_TERMS}
    used = {
        t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(OGP_NS)
    }
    assert used <= allowed


def test_properties_have_domain_and_range(ontology: Graph) -> None:
    without_range = {"agenda", "registerRecord"}  # IRI-or-text / any IRI (docs/ontology.md)
    without_domain = {"editorialNote"}  # editors annotate any resource
    properties = [n for n in OGP_TERMS if n[0].islower()]
    assert properties
    for name in properties:
        term = URIRef(OGP_NS + name)
        if name not in without_domain:
            assert ontology.value(term, RDFS.domain) is not None, f"ogp:{name} has no rdfs:domain"
        if name not in without_range:
            assert ontology.value(term, RDFS.range) is not None, f"ogp:{name} has no rdfs:range"


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (OGP.Ministry, OGP.PublicBody),
        (OGP.PublicBody, URIRef(ORG + "Organization")),
        (OGP.Meeting, URIRef(SCHEMA + "Event")),
        (OGP.Meeting, URIRef(PROV + "Activity")),
        (OGP.ConsultationMeeting, OGP.Meeting),
        (OGP.FollowUpMeeting, OGP.Meeting),
        (OGP.EvaluationMeeting, OGP.Meeting),
        (OGP.Source, URIRef(PROV + "Entity")),
    ],
)
def test_subclass_axioms(ontology: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in ontology


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (OGP.derivedFromProposal, URIRef(PROV + "wasDerivedFrom")),
        (OGP.theme, DCTERMS.subject),
        (OGP.inActionPlan, DCTERMS.isPartOf),
        (OGP.submittedBy, URIRef(PROV + "wasAttributedTo")),
        (OGP.registerRecord, RDFS.seeAlso),
    ],
)
def test_subproperty_axioms(ontology: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in ontology


@pytest.mark.parametrize(
    ("a", "b"),
    [(OGP.inActionPlan, OGP.hasCommitment), (OGP.ofCommitment, OGP.hasMilestone)],
)
def test_inverse_axioms(ontology: Graph, a: URIRef, b: URIRef) -> None:
    assert (a, OWL.inverseOf, b) in ontology or (b, OWL.inverseOf, a) in ontology


@pytest.mark.parametrize(
    ("prop", "domain", "rng"),
    [
        (OGP.inActionPlan, OGP.Commitment, OGP.ActionPlan),
        (OGP.hasMilestone, OGP.Commitment, OGP.Milestone),
        (OGP.leadAgency, OGP.Commitment, URIRef(ORG + "Organization")),
        (OGP.approvalDate, OGP.ActionPlan, XSD.date),
        (OGP.starred, OGP.ProgressAssessment, XSD.boolean),
        (OGP.submittedAt, OGP.Proposal, OGP.Meeting),
        (OGP.problemAddressed, OGP.Commitment, RDF.langString),
    ],
)
def test_domain_and_range_follow_the_contract(
    ontology: Graph, prop: URIRef, domain: URIRef, rng: URIRef
) -> None:
    assert (prop, RDFS.domain, domain) in ontology
    assert (prop, RDFS.range, rng) in ontology


EXTERNAL_TERMS = [
    (ORG + "Organization", "http://www.w3.org/ns/org"),
    (str(SKOS.Concept), "http://www.w3.org/2004/02/skos/core"),
    (str(SKOS.ConceptScheme), "http://www.w3.org/2004/02/skos/core"),
    (SCHEMA + "Place", SCHEMA),
    (SCHEMA + "Event", SCHEMA),
    (PROV + "Entity", "http://www.w3.org/ns/prov-o#"),
    (PROV + "Activity", "http://www.w3.org/ns/prov-o#"),
    (str(DCTERMS.identifier), str(DCTERMS)),
    (str(DCTERMS.title), str(DCTERMS)),
    (str(DCTERMS.description), str(DCTERMS)),
    (str(DCTERMS.source), str(DCTERMS)),
    (str(DCTERMS.dateSubmitted), str(DCTERMS)),  # the contract says dct:submitted
    (str(DCTERMS.date), str(DCTERMS)),
    (SCHEMA + "startDate", SCHEMA),
    (SCHEMA + "endDate", SCHEMA),
    (SCHEMA + "position", SCHEMA),
    (SCHEMA + "location", SCHEMA),
    (SCHEMA + "address", SCHEMA),
    (str(SKOS.prefLabel), "http://www.w3.org/2004/02/skos/core"),
    (str(SKOS.altLabel), "http://www.w3.org/2004/02/skos/core"),
    (str(SKOS.notation), "http://www.w3.org/2004/02/skos/core"),
    (str(SKOS.inScheme), "http://www.w3.org/2004/02/skos/core"),
    (PROV + "generatedAtTime", "http://www.w3.org/ns/prov-o#"),
]


@pytest.mark.parametrize(("iri", "defined_by"), EXTERNAL_TERMS, ids=[t for t, _ in EXTERNAL_TERMS])
def test_external_terms_are_redeclared(ontology: Graph, iri: str, defined_by: str) -> None:
    term = URIRef(iri)
    assert set(ontology.objects(term, RDF.type)), f"{iri} is not declared"
    assert (term, RDFS.isDefinedBy, URIRef(defined_by)) in ontology
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology
    _assert_nb_en(ontology, term, RDFS.label)


# ------------------------------------------------------------------------------------------------
# concepts (themes.ttl, values.ttl)
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("graph_name", ["themes", "values"])
def test_every_concept_is_complete(request: pytest.FixtureRequest, graph_name: str) -> None:
    g: Graph = request.getfixturevalue(graph_name)
    schemes = _schemes(g)
    concepts = _concepts(g)
    assert schemes and concepts
    for concept in concepts:
        _assert_nb_en(g, concept, SKOS.prefLabel)
        _assert_nb_en(g, concept, SKOS.definition)
        notations = list(g.objects(concept, SKOS.notation))
        assert len(notations) == 1 and str(notations[0]).strip(), f"{concept}: notation"
        in_schemes = set(g.objects(concept, SKOS.inScheme))
        assert in_schemes, f"{concept} has no skos:inScheme"
        assert in_schemes <= schemes, f"{concept} is in an undeclared scheme {in_schemes - schemes}"
    for scheme in schemes:
        _assert_nb_en(g, scheme, SKOS.prefLabel)


@pytest.mark.parametrize("graph_name", ["themes", "values"])
def test_top_concepts_are_declared_both_ways(
    request: pytest.FixtureRequest, graph_name: str
) -> None:
    g: Graph = request.getfixturevalue(graph_name)
    down = set(g.subject_objects(SKOS.hasTopConcept))
    up = {(scheme, concept) for concept, scheme in g.subject_objects(SKOS.topConceptOf)}
    assert down and down == up
    for scheme, concept in down:
        assert (concept, SKOS.inScheme, scheme) in g


def test_notations_unique_per_scheme(themes: Graph, values: Graph) -> None:
    for g in (themes, values):
        seen: set[tuple[Node, str]] = set()
        for concept in _concepts(g):
            for scheme in g.objects(concept, SKOS.inScheme):
                key = (scheme, str(g.value(concept, SKOS.notation)))
                assert key not in seen, f"duplicate notation {key}"
                seen.add(key)


def test_value_sets_match_the_contract(values: Graph) -> None:
    contract = _contract_value_sets()
    expected_schemes = {URIRef(VOCAB_NS + name) for name in contract}
    assert _schemes(values) == expected_schemes
    for name, codes in contract.items():
        scheme = URIRef(VOCAB_NS + name)
        members = set(values.subjects(SKOS.inScheme, scheme))
        assert members == {URIRef(f"{VOCAB_NS}{name}/{code}") for code in codes}, name
        for code in codes:
            concept = URIRef(f"{VOCAB_NS}{name}/{code}")
            assert (concept, SKOS.notation, Literal(code)) in values
            assert (concept, SKOS.topConceptOf, scheme) in values


def test_status_codes() -> None:
    assert _contract_value_sets()["status"] == [
        "draft",
        "submitted",
        "accepted",
        "approved",
        "in-force",
        "completed",
        "withdrawn",
        "superseded",
    ]


@pytest.mark.parametrize(
    ("value_set", "labels"),
    [
        ("completion", ["Not started", "Limited", "Substantial", "Complete"]),
        ("potential-impact", ["None", "Minor", "Moderate", "Transformative"]),
        ("specificity", ["None", "Low", "Medium", "High"]),
        ("opened-government", ["Worsened", "Did not change", "Marginal", "Major", "Outstanding"]),
    ],
)
def test_irm_scales_use_irm_labels(values: Graph, value_set: str, labels: list[str]) -> None:
    scheme = URIRef(VOCAB_NS + value_set)
    found = {
        str(o)
        for c in values.subjects(SKOS.inScheme, scheme)
        for o in _lang_values(values, c, SKOS.prefLabel, "en")
    }
    assert found == set(labels)


def test_theme_scheme_has_exactly_three_top_concepts(themes: Graph) -> None:
    scheme = URIRef(THEME_NS + "scheme")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in themes
    tops = set(themes.objects(scheme, SKOS.hasTopConcept))
    assert len(tops) == 3
    assert set(themes.subjects(SKOS.topConceptOf, scheme)) == tops


def test_theme_tree_matches_the_contract(themes: Graph) -> None:
    tree = _contract_themes()
    scheme = URIRef(THEME_NS + "scheme")
    assert set(themes.objects(scheme, SKOS.hasTopConcept)) == {URIRef(THEME_NS + t) for t in tree}
    all_concepts = set(_concepts(themes))
    expected_all = {URIRef(THEME_NS + n) for top, kids in tree.items() for n in [top, *kids]}
    assert all_concepts == expected_all
    for top, kids in tree.items():
        top_iri = URIRef(THEME_NS + top)
        assert set(themes.objects(top_iri, SKOS.narrower)) == {URIRef(THEME_NS + k) for k in kids}
        for kid in kids:
            assert (URIRef(THEME_NS + kid), SKOS.broader, top_iri) in themes
    # broader/narrower are stated both ways
    for narrower, broader in themes.subject_objects(SKOS.broader):
        assert (broader, SKOS.narrower, narrower) in themes


def test_top_theme_labels_are_the_seed_headings(themes: Graph) -> None:
    scheme = URIRef(THEME_NS + "scheme")
    labels = {
        str(o)
        for top in themes.objects(scheme, SKOS.hasTopConcept)
        for o in _lang_values(themes, top, SKOS.prefLabel, "nb")
    }
    assert labels == set(SEED_HEADINGS)


def test_mapping_targets_exist(themes: Graph, values: Graph) -> None:
    merged = themes + values
    concepts = set(_concepts(merged))
    mappings = [
        (s, o)
        for p in (
            SKOS.closeMatch,
            SKOS.relatedMatch,
            SKOS.exactMatch,
            SKOS.broadMatch,
            SKOS.narrowMatch,
        )
        for s, o in merged.subject_objects(p)
    ]
    assert mappings
    for s, o in mappings:
        target = str(o)
        if target.startswith((VOCAB_NS, THEME_NS)):
            assert o in concepts, f"{s} maps to undeclared {o}"
        elif target.startswith(EU_DATA_THEME):
            assert target[len(EU_DATA_THEME) :] in EU_DATA_THEME_CODES, target
        else:
            assert LOS_PATTERN.match(target), f"{s} maps to unexpected {o}"


def test_every_theme_maps_to_gove_or_a_policy_area(themes: Graph) -> None:
    gove = URIRef(EU_DATA_THEME + "GOVE")
    scheme = URIRef(THEME_NS + "scheme")
    for top in themes.objects(scheme, SKOS.hasTopConcept):
        assert (top, SKOS.relatedMatch, gove) in themes
    for concept in _concepts(themes):
        targets = set(themes.objects(concept, SKOS.closeMatch)) | set(
            themes.objects(concept, SKOS.relatedMatch)
        )
        assert targets, f"{concept} has no mapping"


# ------------------------------------------------------------------------------------------------
# policy areas against the bundled CSV
# ------------------------------------------------------------------------------------------------


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def test_policy_area_codes_are_slugs_of_the_english_labels(values: Graph) -> None:
    scheme = URIRef(VOCAB_NS + "policy-area")
    members = list(values.subjects(SKOS.inScheme, scheme))
    assert members
    for concept in members:
        (label,) = _lang_values(values, concept, SKOS.prefLabel, "en")
        assert str(values.value(concept, SKOS.notation)) == _slug(str(label))


def test_every_csv_policy_area_matches_exactly_one_concept(values: Graph) -> None:
    if not COMMITMENTS_CSV.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{COMMITMENTS_CSV} is missing in CI")
        pytest.skip(f"{COMMITMENTS_CSV} not available")
    scheme = URIRef(VOCAB_NS + "policy-area")
    labels: dict[URIRef, str] = {}
    for concept in values.subjects(SKOS.inScheme, scheme):
        assert isinstance(concept, URIRef)
        (label,) = _lang_values(values, concept, SKOS.prefLabel, "en")
        labels[concept] = str(label)
    areas = set(_csv_policy_areas())
    assert areas, "no policy areas found in the CSV column 'theme'"
    for area in sorted(areas):
        matches = [c for c, label in labels.items() if label.casefold() == area.casefold()]
        assert len(matches) == 1, f"{area!r} matches {matches}"


def test_every_term_the_shapes_use_is_declared_with_both_labels(ontology: Graph) -> None:
    """Every class and property the shapes constrain (sh:path, sh:targetClass, sh:class) exists
    in ontology/ogp.ttl with an rdfs:label in bokmål and in English."""
    from rdflib.namespace import SH

    shapes = Graph().parse(REPO / "shapes" / "ogp-shapes.ttl")
    used = {
        o
        for p in (SH.path, SH.targetClass, SH["class"])
        for o in shapes.objects(None, p)
        if isinstance(o, URIRef)
    }
    assert len(used) > 30
    for term in sorted(used):
        labels = {lit.language for lit in ontology.objects(term, RDFS.label)}
        assert {"nb", "en"} <= labels, f"{term} lacks a bokmål or English rdfs:label in ogp.ttl"
