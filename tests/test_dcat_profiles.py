"""The catalogue's profiles (issue 20), without HTTP: the default DCAT-AP-NO 2.0 graph byte for
byte as it was before profiles existed, and the DCAT-AP 3 / DCAT-AP-NO 3 graph
(registry/publish/dcat_graph3.py): sizes and checksums, the action plans as a dataset series,
both data services, the recommended properties, the DCAT-AP-NO 3 requirements we can check
without its shapes, `ogpreg dcat --profile`, and how a client's profile preferences are read.

The invented plan loaded here is tests/test_dcat.py's INVENTED_PLAN: made-up test data.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from ogpreg.cli import main
from registry.publish import dcat_profiles as profiles
from registry.publish.dcat import Catalogue, CataloguePublisher
from registry.service import Registry, open_registry
from tests.conftest import BASE, FIXTURES, make_settings
from tests.test_dcat import INVENTED_PLAN, RDFLIB_JSONLD, load

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LDES = Namespace("https://w3id.org/ldes#")
EU = "http://publications.europa.eu/resource/authority/"
DEFAULT = FIXTURES / "dcat-default"
BODIES = {
    "turtle": "catalog.ttl",
    "rdfxml": "catalog.rdf",
    "jsonld": "catalog.jsonld",
    "ntriples": "catalog.nt",
}
SERIES = URIRef(BASE + "series/action-plans")
PLAN = URIRef(BASE + "dataset/plan/2019-2021")
INVENTED = URIRef(BASE + "dataset/plan/test-2031-2032")
ORGS = URIRef(BASE + "dataset/organisations")
VOCABS = URIRef(BASE + "dataset/vocabularies")
CATALOG = URIRef(BASE + "catalog")
PUBLISHER = URIRef("https://data.brreg.no/enhetsregisteret/api/enheter/972417858")


def fixed_registry(path: Path) -> Registry:
    """A registry on a fresh store holding exactly the quads of tests/fixtures/dcat-default (no
    dcat-state.json, so the dates come from the provenance in those quads)."""
    reg = open_registry(make_settings(path))
    data = gzip.decompress((DEFAULT / "store.nq.gz").read_bytes())
    with reg.store.transaction(compact=True) as tx:
        tx.extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    return reg


@pytest.fixture
def fixed(tmp_path: Path) -> Registry:
    """The fixed store: tests here do not depend on what the bundled data holds today."""
    return fixed_registry(tmp_path / "fixed")


def build(reg: Registry) -> Catalogue:
    return CataloguePublisher(reg).current()


def ap3(cat: Catalogue) -> Graph:
    g = Graph()
    g.parse(data=cat.serialise("ntriples", "ap3"), format="nt")
    return g


def no2(cat: Catalogue) -> Graph:
    g = Graph()
    g.parse(data=cat.serialise("ntriples"), format="nt")
    return g


# -- the default profile is what it was ---------------------------------------------------------
def test_the_default_graph_is_byte_for_byte_what_a_harvester_got_before_profiles(
    tmp_path: Path,
) -> None:
    cat = build(fixed_registry(tmp_path / "store"))
    for fmt, name in BODIES.items():
        assert cat.serialise(fmt) == (DEFAULT / name).read_bytes(), fmt
        assert cat.serialise(fmt, "no2") == (DEFAULT / name).read_bytes(), fmt
    runner = CliRunner()
    store = str(tmp_path / "store")
    for args in ([], ["--profile", "dcat-ap-no-2"]):
        result = runner.invoke(main, ["--store", store, "dcat", *args, "-o", "-"])
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == (DEFAULT / "catalog.ttl").read_bytes(), args


def test_the_fixture_says_what_each_request_got() -> None:
    answers = json.loads((DEFAULT / "answers.json").read_text())
    assert len(answers) == 21
    assert {a["body"] for a in answers} == set(BODIES.values())


# -- the DCAT-AP 3 profile ----------------------------------------------------------------------
def test_sizes_are_non_negative_integers_and_checksums_sha256(fixed: Registry) -> None:
    cat = build(fixed)
    g = ap3(cat)
    https_sha256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
    dists = set(g.subjects(RDF.type, DCAT.Distribution))
    assert len(dists) == len(cat.files) == 8
    by_url = {f"{BASE}download/{name}": f for name, f in cat.files.items()}
    for d in dists:
        f = by_url[str(g.value(d, DCAT.downloadURL))]
        sizes = list(g.objects(d, DCAT.byteSize))
        assert sizes == [Literal(str(len(f.data)), datatype=XSD.nonNegativeInteger)], d
        checksums = list(g.objects(d, SPDX.checksum))
        assert len(checksums) == 1, d
        assert g.value(checksums[0], SPDX.algorithm) == https_sha256
        assert str(g.value(checksums[0], SPDX.checksumValue)) == hashlib.sha256(f.data).hexdigest()
    assert (https_sha256, RDF.type, SPDX.ChecksumAlgorithm) in g
    assert (https_sha256, OWL.sameAs, SPDX.checksumAlgorithm_sha256) in g
    assert (SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm) in g
    assert not set(g.subjects(SPDX.algorithm, SPDX.checksumAlgorithm_sha1))
    # the default graph keeps SHA-1 and xsd:decimal (the DCAT-AP-NO 2.0 shapes require them)
    d2 = no2(cat)
    assert {o.datatype for o in d2.objects(None, DCAT.byteSize)} == {XSD.decimal}  # type: ignore[attr-defined]
    assert set(d2.objects(None, SPDX.algorithm)) == {SPDX.checksumAlgorithm_sha1}


def test_the_action_plans_are_a_dataset_series_in_plan_order(fixed: Registry) -> None:
    g = ap3(build(fixed))
    assert (SERIES, RDF.type, DCAT.DatasetSeries) in g
    assert (CATALOG, DCAT.dataset, SERIES) in g
    assert {str(t) for t in g.objects(SERIES, DCTERMS.title)} == {
        "Norges handlingsplaner for Open Government Partnership",
        "Norway's OGP action plans",
    }
    assert g.value(SERIES, DCAT.first) == PLAN and g.value(SERIES, DCAT.last) == PLAN
    assert (PLAN, DCAT.inSeries, SERIES) in g
    assert g.value(PLAN, DCAT.prev) is None and g.value(PLAN, DCAT.next) is None
    assert (ORGS, DCAT.inSeries, SERIES) not in g

    load(fixed, "invented-plan", INVENTED_PLAN)
    g = ap3(build(fixed))
    assert g.value(SERIES, DCAT.first) == PLAN
    assert g.value(SERIES, DCAT.last) == INVENTED
    assert (INVENTED, DCAT.inSeries, SERIES) in g
    assert list(g.objects(PLAN, DCAT.next)) == [INVENTED]
    assert list(g.objects(INVENTED, DCAT.prev)) == [PLAN]
    assert g.value(PLAN, DCAT.prev) is None and g.value(INVENTED, DCAT.next) is None
    # the series covers the plans' periods: from the first start to the last end
    start = g.value(g.value(PLAN, DCTERMS.temporal), DCAT.startDate)
    period = g.value(SERIES, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == start
    assert g.value(period, DCAT.endDate) == Literal("2032-12-31", datatype=XSD.date)

    load(fixed, "invented-plan", "")
    g = ap3(build(fixed))
    assert g.value(SERIES, DCAT.last) == PLAN
    assert (INVENTED, None, None) not in g


#: INVENTED FOR TESTS: a made-up plan for which the data gives no period.
INVENTED_UNDATED = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
<id/plan/test-undated> a ogp:ActionPlan ;
    dct:identifier "test-undated" ;
    dct:title "Oppdiktet plan uten periode (test)"@nb , "Invented plan without a period (test)"@en ;
    ogp:country <http://publications.europa.eu/resource/authority/country/NOR> .
"""


def test_a_plan_without_a_period_is_in_the_series_but_outside_its_order(fixed: Registry) -> None:
    load(fixed, "invented-plan", INVENTED_PLAN)
    load(fixed, "invented-undated", INVENTED_UNDATED)
    g = ap3(build(fixed))
    undated = URIRef(BASE + "dataset/plan/test-undated")
    assert set(g.subjects(DCAT.inSeries, SERIES)) == {PLAN, INVENTED, undated}
    assert list(g.objects(PLAN, DCAT.next)) == [INVENTED]  # the dated plans keep their order
    assert list(g.objects(INVENTED, DCAT.prev)) == [PLAN]
    for p in (DCAT.prev, DCAT.next):
        assert (undated, p, None) not in g and (None, p, undated) not in g
    # its place is unknown, so the series names no first, last or period
    for p in (DCAT.first, DCAT.last, DCTERMS.temporal):
        assert g.value(SERIES, p) is None, p


def test_both_services_are_in_the_catalogue(fixed: Registry) -> None:
    g = ap3(build(fixed))
    sparql, feed = URIRef(BASE + "service/sparql"), URIRef(BASE + "service/feed")
    assert set(g.objects(CATALOG, DCAT.service)) == {sparql, feed}
    for s in (sparql, feed):
        assert (s, RDF.type, DCAT.DataService) in g
        assert g.value(s, DCTERMS.publisher) == PUBLISHER
        assert g.value(s, DCAT.contactPoint) is not None
    assert g.value(sparql, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert g.value(sparql, DCAT.endpointDescription) == URIRef(BASE + "sparql")
    datasets = {PLAN, ORGS, VOCABS}
    assert set(g.objects(sparql, DCAT.servesDataset)) == datasets
    assert list(g.objects(feed, DCAT.endpointURL)) == [URIRef(BASE + "feed")]
    assert (URIRef(BASE + "feed"), RDF.type, LDES.EventStream) in g
    assert (feed, DCTERMS.conformsTo, URIRef("https://w3id.org/ldes/specification")) in g
    assert set(g.objects(feed, DCAT.servesDataset)) == {PLAN, ORGS}  # the feed has no vocabularies


def test_recommended_properties_from_real_vocabularies(fixed: Registry) -> None:
    g = ap3(build(fixed))
    data_theme = URIRef(EU + "data-theme")
    los = URIRef("https://psi.norge.no/los/ontologi/tema")
    assert set(g.objects(CATALOG, DCAT.themeTaxonomy)) == {data_theme, los}
    for scheme in (data_theme, los):
        assert (scheme, RDF.type, SKOS.ConceptScheme) in g and g.value(scheme, DCTERMS.title)
    for theme in g.objects(None, DCAT.theme):
        assert (theme, RDF.type, SKOS.Concept) in g, theme
        assert g.value(theme, SKOS.inScheme) in (data_theme, los), theme
    assert (CATALOG, DCAT.contactPoint, URIRef(BASE + "catalog/contact-point")) in g
    assert list(g.objects(VOCABS, DCTERMS.type)) == [URIRef(EU + "dataset-type/CODE_LIST")]
    assert g.value(URIRef(EU + "dataset-type/CODE_LIST"), SKOS.inScheme) == URIRef(
        EU + "dataset-type"
    )
    assert g.value(PUBLISHER, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/NationalAuthority"
    )
    assert g.value(URIRef(EU + "licence/NLOD_2_0"), DCTERMS.type) == URIRef(
        "http://purl.org/adms/licencetype/Attribution"
    )
    # temporal coverage only where the data has a period: the plans and the series
    assert g.value(PLAN, DCTERMS.temporal) is not None
    assert g.value(ORGS, DCTERMS.temporal) is None and g.value(VOCABS, DCTERMS.temporal) is None


def test_the_publisher_is_a_national_authority_only_when_the_register_says_ministry(
    fixed: Registry,
) -> None:
    # Kommunesektorens interesse- og arbeidsgiverorganisasjon: in the register, not a ministry
    other = open_registry(make_settings(fixed.store.path, publisher_orgnr="971032146"))
    g = ap3(build(other))
    publisher = URIRef("https://data.brreg.no/enhetsregisteret/api/enheter/971032146")
    assert g.value(publisher, FOAF.name) is not None
    assert g.value(publisher, DCTERMS.type) is None


def test_the_dcat_ap_no_3_requirements_we_can_check(fixed: Registry) -> None:
    """What the DCAT-AP-NO 3.0 draft shapes make mandatory (Digdir's dcatapno3-core-shapes.ttl,
    2025-01-30, not vendored here) and DCAT-AP 3.0.1's shapes do not check: a contact point on
    the catalogue, every dataset, the series and both services; one publisher; one title and
    description per language; a theme from the EU data themes; one endpoint URL."""
    load(fixed, "invented-plan", INVENTED_PLAN)
    g = ap3(build(fixed))
    catalog_like = [CATALOG]
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    assert SERIES in datasets and len(datasets) == 5
    services = list(g.subjects(RDF.type, DCAT.DataService))
    for r in catalog_like + datasets + services:
        contact = g.value(r, DCAT.contactPoint)
        assert contact is not None, r
        assert (contact, RDF.type, VCARD.Organization) in g
        assert g.value(contact, VCARD.fn) and g.value(contact, VCARD.hasEmail)
        assert list(g.objects(r, DCTERMS.publisher)) == [PUBLISHER], r
        for p in (DCTERMS.title, DCTERMS.description):
            langs = Counter(o.language for o in g.objects(r, p))  # type: ignore[attr-defined]
            assert langs == Counter({"nb": 1, "en": 1}), (r, p, langs)
    for r in datasets:
        themes = set(g.objects(r, DCAT.theme))
        assert any(str(t).startswith(EU + "data-theme/") for t in themes), r
    for s in services:
        assert len(list(g.objects(s, DCAT.endpointURL))) == 1, s
    for d in g.subjects(RDF.type, DCAT.Distribution):
        assert len(list(g.objects(d, DCTERMS.format))) <= 1
        assert len(list(g.objects(d, DCTERMS.license))) <= 1
        assert g.value(d, DCAT.accessURL) is not None


@RDFLIB_JSONLD
def test_ogpreg_dcat_profile_writes_the_graph_the_endpoint_serves(
    fixed: Registry, tmp_path: Path
) -> None:
    registry = fixed  # the fixed store (tests/fixtures/dcat-default)
    expected = ap3(build(registry))
    runner = CliRunner()
    for token, name, fmt in (
        ("dcat-ap-no-3", "c.ttl", "turtle"),
        ("dcat-ap-3", "c.jsonld", "json-ld"),
    ):
        out = tmp_path / name
        result = runner.invoke(
            main,
            [
                "--store",
                str(registry.store.path),
                "--lang",
                "en",
                "dcat",
                "--profile",
                token,
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "profile DCAT-AP" in result.stderr
        g = Graph()
        g.parse(out, format=fmt)
        assert isomorphic(g, expected), token
    result = runner.invoke(main, ["--store", str(registry.store.path), "dcat", "--profile", "x"])
    assert result.exit_code == 2
    help_text = runner.invoke(main, ["dcat", "--help"]).output
    block = help_text.split("\nOptions:", 1)[1].split("--profile", 1)[1].split("\n  -", 1)[0]
    assert "Example: --profile dcat-ap-no-3" in " ".join(block.split())


# -- reading a client's preferences -------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (["<https://semiceu.github.io/DCAT-AP/releases/3.0.1/>"], "dcat-ap-3"),
        (["<https://semiceu.github.io/DCAT-AP/releases/3.0.1>"], "dcat-ap-3"),
        (["<urn:x>;q=1, <https://data.norge.no/specification/dcat-ap-no>;q=0.5"], "dcat-ap-no-3"),
        (
            ["<https://data.norge.no/specification/dcat-ap-no/v2>;q=0.2, dcat-ap-3;q=0.9"],
            "dcat-ap-3",
        ),
        (["<urn:x>", "<https://data.norge.no/specification/dcat-ap-no/v2>"], "dcat-ap-no-2"),
        (
            ["dcat-ap-3;q=0, <https://data.norge.no/specification/dcat-ap-no/v2>;q=0.1"],
            "dcat-ap-no-2",
        ),
        (["<urn:x,y>;q=0.9"], None),
        (["dcat-ap-3;q=0"], None),
    ],
)
def test_accept_profile_is_read_by_preference(header: list[str], chosen: str | None) -> None:
    found = profiles.choose(profiles.parse_accept_profile(header))
    assert (found.token if found else None) == chosen


def test_a_profile_parameter_lists_tokens_or_uris_in_order() -> None:
    assert profiles.parse_profile_param("x,<urn:a,b>, dcat-ap-3") == ["x", "<urn:a,b>", "dcat-ap-3"]
    found = profiles.choose([(n, 1.0) for n in profiles.parse_profile_param("x,dcat-ap-no-3")])
    assert found is not None and found.graph == "ap3"
    assert profiles.DEFAULT.conforms_to == ("https://data.norge.no/specification/dcat-ap-no/v2",)
    assert set(profiles.lookup("dcat-ap-3").conforms_to) == {  # type: ignore[union-attr]
        profiles.DCAT_AP_NO_3,
        profiles.DCAT_AP_3,
    }
