"""OGP's policy areas (ontology/values.ttl, loaders/vocab.py): every label of
reference/ogp-policy-areas.csv is a concept (older and newer spellings of one tag one concept;
the glossary group as skos:broader; a replaced tag with dct:isReplacedBy), each mapped to the
seed's themes where the editors' mapping says so (marked editorial), the same way for the
bundled plan and for submissions; the unmapped ones are listed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from loaders.vocab import POLICY_AREA_NS, policy_area, policy_area_themes, unmapped_policy_areas
from registry.service import Registry, open_registry
from tests.conftest import make_settings, shared_file

ROOT = Path(__file__).resolve().parents[1]
PA = POLICY_AREA_NS
THEME = "https://w3id.org/ogp-no/theme/"


@pytest.fixture(scope="module")
def values() -> Graph:
    return Graph().parse(ROOT / "ontology" / "values.ttl")


def _rows() -> list[dict[str, str]]:
    with shared_file("data", "reference", "ogp-policy-areas.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_label_of_the_reference_list_is_a_concept(values: Graph) -> None:
    rows = _rows()
    assert len(rows) == 71
    for row in rows:
        iri = policy_area(row["label_en"])
        assert iri is not None, row["label_en"]
        labels = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel)
                  for o in values.objects(URIRef(iri), p)}
        assert row["label_en"] in labels, row["label_en"]


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("Anti Corruption and Integrity", "Anti-Corruption and Integrity"),
        ("Media & Telecommunications", "Media and Telecommunications"),
        ("Land Rights & Spatial Planning", "Land and Spatial Planning"),
        ("Land Rights and Spatial Planning", "Land and Spatial Planning"),
    ],
)
def test_older_and_newer_spellings_of_a_tag_are_one_concept(older: str, newer: str) -> None:
    assert policy_area(older) == policy_area(newer) is not None


def test_tags_are_found_as_people_write_them() -> None:
    assert policy_area("e-government") == PA + "e-government"
    assert policy_area("PUBLICATION OF BUDGET/FISCAL INFORMATION") == (
        PA + "publication-of-budget-fiscal-information")
    assert policy_area("Legislation & Regulation") == PA + "legislation-regulation"
    assert policy_area("Åpne data") == PA + "open-data"  # the bokmål label
    assert policy_area("Health") is None  # not in OGP's list as far as known: kept as text


def test_groups_and_replacements_come_from_the_reference_list(values: Graph) -> None:
    for row in _rows():
        iri = URIRef(str(policy_area(row["label_en"])))
        group = row["parent_group"].split(" (")[0].strip()
        if group:
            assert (iri, SKOS.broader, URIRef(str(policy_area(group)))) in values, row
    assert set(values.objects(URIRef(PA + "fiscal-transparency"), DCTERMS.isReplacedBy)) == {
        URIRef(PA + "fiscal-openness"), URIRef(PA + "publication-of-budget-fiscal-information")}
    assert set(values.objects(URIRef(PA + "legislation-regulation"), DCTERMS.isReplacedBy)) == {
        URIRef(PA + "legislation"), URIRef(PA + "regulation")}


def test_the_bokmal_labels_are_marked_as_the_editors(values: Graph) -> None:
    for concept in values.subjects(SKOS.inScheme, URIRef("https://w3id.org/ogp-no/vocab/policy-area")):
        notes = {str(n) for n in values.objects(concept, SKOS.editorialNote)}
        assert any("registry editors'" in n for n in notes), concept


def test_the_mapping_to_the_themes_is_the_editors_and_derives_themes() -> None:
    themes = Graph().parse(ROOT / "ontology" / "themes.ttl")
    notes = [str(n) for n in themes.objects(URIRef(THEME + "scheme"), SKOS.editorialNote)
             if isinstance(n, Literal) and n.language == "en"]
    assert notes and "editors', not OGP's" in notes[0]
    assert policy_area_themes(PA + "e-government") == (THEME + "public-sector-innovation",)
    assert policy_area_themes(PA + "open-contracting") == (THEME + "public-procurement",)
    assert policy_area_themes(PA + "anti-corruption-and-integrity") == (THEME + "anti-corruption",)
    assert policy_area_themes(PA + "tax") == ()  # only related: no theme
    assert PA + "tax" in unmapped_policy_areas()
    assert PA + "e-government" not in unmapped_policy_areas()


def test_the_bundled_plan_gets_its_themes_from_the_same_mapping(initialised_store: Path) -> None:
    reg: Registry = open_registry(make_settings(initialised_store))
    result = reg.query("""SELECT ?c ?area ?theme WHERE {
        ?c ogp:inActionPlan/dct:identifier "2019-2021" .
        OPTIONAL { ?c ogp:policyArea ?area } OPTIONAL { ?c ogp:theme ?theme } }""")
    areas: dict[str, set[str]] = {}
    themes: dict[str, set[str]] = {}
    for row in result:  # type: ignore[union-attr]
        c = row["c"].value  # type: ignore[index]
        if row["area"] is not None:  # type: ignore[index]
            areas.setdefault(c, set()).add(row["area"].value)  # type: ignore[index]
        if row["theme"] is not None:  # type: ignore[index]
            themes.setdefault(c, set()).add(row["theme"].value)  # type: ignore[index]
    assert len(areas) == 9
    for c, tagged in areas.items():
        derived = {t for a in tagged for t in policy_area_themes(a)}
        assert themes.get(c, set()) == derived, c
