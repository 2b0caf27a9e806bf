"""The DCAT-AP-NO catalogue core (registry/publish/dcat.py, registry/publish/exports.py) and `ogpreg dcat`:
dataset contents, dumps, CSV exports, stable IRIs and the "always current" dates.

Everything under ``INVENTED_*`` below is invented test data: no such plan, commitment, meeting,
proposal, comment or assessment exists.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from ogpreg.cli import main
from registry.errors import ConfigurationError
from registry.loading.sources import SourceFile
from registry.publish.dcat import Catalogue, CataloguePublisher
from registry.publish.dcat_terms import publisher_iri
from registry.publish.exports import COMMITMENT_COLUMNS, MILESTONE_COLUMNS, csv_cell
from registry.rdf.convert import quads_to_graph
from registry.service import Registry, open_registry
from tests.conftest import BASE, make_settings

INVENTED_PLAN = """\
# INVENTED FOR TESTS: the plan "test-2031-2032", the commitments ZZ9001 and ZZ9002 and
# everything attached to them are made up; no such plan exists.
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<id/plan/test-2031-2032> a ogp:ActionPlan ;
    dct:identifier "test-2031-2032" ;
    dct:title "Oppdiktet testplan (ikke en ekte handlingsplan)"@nb ,
        "Invented test plan (not a real action plan)"@en ;
    ogp:country <http://publications.europa.eu/resource/authority/country/NOR> ;
    schema:startDate "2031-02"^^xsd:gYearMonth ;
    schema:endDate "2032"^^xsd:gYear .

<id/commitment/ZZ9001> a ogp:Commitment ;
    dct:identifier "ZZ9001" ;
    dct:title "=SUM(1+1) oppdiktet forpliktelse (test av formelinjeksjon)"@nb ,
        "Invented commitment (formula-injection test)"@en ;
    ogp:inActionPlan <id/plan/test-2031-2032> ;
    ogp:leadAgency <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:theme <https://w3id.org/ogp-no/theme/archiving> ;
    ogp:derivedFromProposal <id/proposal/test-1> .

<id/commitment/ZZ9001/milestone/1> a ogp:Milestone ;
    ogp:ofCommitment <id/commitment/ZZ9001> ;
    schema:position 1 ;
    dct:title "-Oppdiktet milepæl (test)"@nb , "Invented milestone (test)"@en .

<id/commitment/ZZ9002> a ogp:Commitment ;
    dct:identifier "ZZ9002" ;
    dct:title "Oppdiktet forpliktelse nummer to (test)"@nb , "Second invented commitment (test)"@en ;
    ogp:inActionPlan <id/plan/test-2031-2032> ;
    ogp:leadAgency <id/organisation/kulturdepartementet> .

<id/meeting/2031-03-03> a ogp:FollowUpMeeting ;
    dct:title "Oppdiktet oppfølgingsmøte (test)"@nb ;
    schema:startDate "2031-03-03T10:00:00+01:00"^^xsd:dateTime ;
    ogp:forActionPlan <id/plan/test-2031-2032> ;
    schema:location [ a schema:Place ; schema:address "Oppdiktet gate 1 (test)" ] .

<id/proposal/test-1> a ogp:Proposal ;
    dct:identifier "test-1" ;
    dct:title "Oppdiktet forslag (test)"@nb ;
    ogp:proposedBy <id/organisation/transparency-international-norge> ;
    ogp:theme <https://w3id.org/ogp-no/theme/archiving> .

<id/comment/test-1> a ogp:Comment ;
    ogp:commentOn <id/commitment/ZZ9001> ;
    ogp:commentBy <id/organisation/transparency-international-norge> ;
    dct:description "Oppdiktet kommentar (test)"@nb .

<id/comment/test-2> a ogp:Comment ;
    ogp:commentOn <id/commitment/ZZ9001> ;
    ogp:isResponseTo <id/comment/test-1> ;
    ogp:commentBy <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    dct:description "Oppdiktet svar (test)"@nb .

<id/assessment/test-1> a ogp:ProgressAssessment ;
    ogp:assesses <id/commitment/ZZ9001> ;
    ogp:assessmentKind <https://w3id.org/ogp-no/vocab/assessment-kind/self-assessment> ;
    ogp:assessedBy <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:assessmentDate "2032-06-01"^^xsd:date .
"""

#: A true fact about the organisation register: KMD is the abbreviation of the ministry's name.
ORG_CHANGE = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<id/organisation/kommunal-og-moderniseringsdepartementet> skos:altLabel "KMD"@nb .
"""

#: INVENTED editorial note (test text) on a real commitment, plus an organisation label.
MIXED_V1 = """\
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<id/commitment/NO0055> ogp:editorialNote "Oppdiktet testmerknad, bare for tester."@nb .
<id/organisation/kommunal-og-moderniseringsdepartementet> skos:altLabel "KMD"@nb .
"""
#: The same, with only the organisation part changed.
MIXED_V2 = MIXED_V1.replace('"KMD"@nb', '"KMD"@nb , "KMD"@en')

#: INVENTED meeting that belongs to no plan: it changes the store but no dataset.
UNRELATED = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/meeting/2031-09-09> a ogp:FollowUpMeeting ;
    dct:title "Oppdiktet møte uten plan (test)"@nb ;
    schema:startDate "2031-09-09T10:00:00+02:00"^^xsd:dateTime .
"""

PLAN = BASE + "dataset/plan/2019-2021"
ORGS = BASE + "dataset/organisations"
VOCABS = BASE + "dataset/vocabularies"
CATALOG = BASE + "catalog"
INVENTED = BASE + "dataset/plan/test-2031-2032"


def plan_datasets(reg: Registry) -> set[str]:
    """One dataset IRI per action plan in the registry, asked of the data (not of the catalogue)."""
    res = reg.query("SELECT ?id WHERE { ?p a ogp:ActionPlan ; dct:identifier ?id }")
    assert isinstance(res, ox.QuerySolutions)
    return {BASE + "dataset/plan/" + row["id"].value for row in res}


def load(reg: Registry, source: str, text: str) -> None:
    reg.load([SourceFile(f"{source}.ttl", text.encode("utf-8"), source)])


def build(reg: Registry) -> Catalogue:
    """A fresh publisher each time, as a new process would have."""
    return CataloguePublisher(reg).current()


def feed(cat: Catalogue) -> Graph:
    g = Graph()
    g.parse(data=cat.serialise("ntriples"), format="nt")
    return g


def modified(cat: Catalogue) -> dict[str, str]:
    g = feed(cat)
    return {str(s): str(o) for s, o in g.subject_objects(DCTERMS.modified)}


def reloaded(data: bytes, fmt: ox.RdfFormat) -> Graph:
    """A dump loaded into an empty pyoxigraph store, read back as an rdflib graph."""
    store = ox.Store()
    store.load(data, format=fmt)
    return quads_to_graph(store)


def union_graphs(reg: Registry, graphs: list[str]) -> Graph:
    reader = reg.store.reader()
    g = Graph()
    for name in graphs:
        quads_to_graph(reader.quads_for_pattern(None, None, None, ox.NamedNode(name)), g)
    return g


def construct(reg: Registry, sparql: str) -> Graph:
    """Expected contents, asked independently of registry/publish/exports.py: the triples about the
    subjects ``sparql`` selects, outside the provenance graph, with their blank nodes."""
    reader = reg.store.reader()
    prov = ox.NamedNode(reg.uris.provenance_graph)
    res = reg.query(sparql)
    assert isinstance(res, ox.QuerySolutions)
    todo = [row["s"] for row in res]
    g = Graph()
    seen = set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in reader.quads_for_pattern(s, None, None, None):
            if q.graph_name == prov:
                continue
            quads_to_graph([q], g)
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    return g


PLAN_SUBJECTS = """
SELECT DISTINCT ?s WHERE {
  { VALUES ?s { %(plan)s } }
  UNION { ?s ogp:inActionPlan %(plan)s }
  UNION { ?s ogp:ofCommitment/ogp:inActionPlan %(plan)s }
  UNION { ?s ogp:forActionPlan %(plan)s }
  UNION { [] ogp:forActionPlan %(plan)s ; schema:location ?s }
  UNION { [] ogp:inActionPlan %(plan)s ; ogp:derivedFromProposal ?s }
  UNION { ?s ogp:commentOn/ogp:inActionPlan %(plan)s }
  UNION { ?s ogp:assesses/ogp:inActionPlan %(plan)s }
}"""
ORG_SUBJECTS = """SELECT DISTINCT ?s WHERE {
  { ?s a org:Organization } UNION { [] a org:Organization ; ogp:hasName ?s } }"""


def assert_isomorphic(actual: Graph, expected: Graph, what: str) -> None:
    if isomorphic(actual, expected):
        return
    _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
    pytest.fail(
        f"{what}: not isomorphic\nonly in dump:\n"
        + "\n".join(sorted(" ".join(x.n3() for x in t) for t in only_actual)[:20])
        + "\nonly in registry:\n"
        + "\n".join(sorted(" ".join(x.n3() for x in t) for t in only_expected)[:20])
    )


# -- datasets and dumps -----------------------------------------------------------------------
def test_one_dataset_per_plan_plus_organisations_and_vocabularies(registry: Registry) -> None:
    cat = build(registry)
    plans = plan_datasets(registry)
    assert PLAN in plans and len(plans) >= 5  # the five bundled plans (action-plans.csv)
    assert {BASE + "dataset/" + d.key for d in cat.datasets} == plans | {ORGS, VOCABS}
    load(registry, "invented-plan", INVENTED_PLAN)
    cat = build(registry)
    assert {BASE + "dataset/" + d.key for d in cat.datasets} == plans | {ORGS, VOCABS, INVENTED}
    g = feed(cat)
    assert set(g.subjects(RDF.type, DCAT.Dataset)) == {
        URIRef(x) for x in plans | {ORGS, VOCABS, INVENTED}
    }


def test_dumps_reloaded_into_an_empty_store_give_back_the_registry_data(
    registry: Registry,
) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    cat = build(registry)
    expected = {
        ds: construct(
            registry, PLAN_SUBJECTS % {"plan": f"<{BASE}id/plan/{ds.rsplit('/', 1)[1]}>"}
        )
        for ds in plan_datasets(registry)
    }
    expected.update({
        ORGS: construct(registry, ORG_SUBJECTS),
        VOCABS: union_graphs(
            registry, [registry.uris.vocabulary_graph(n) for n in ("themes", "values")]
        ),
    })
    assert INVENTED in expected and PLAN in expected
    # the invented plan's meeting place is a blank node: its description travels with it
    assert any(isinstance(s, BNode) for s in expected[INVENTED].subjects())
    for d in cat.datasets:
        iri = BASE + "dataset/" + d.key
        for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
            data = cat.files[f"{d.file_stem}.{ext}"].data
            assert_isomorphic(reloaded(data, fmt), expected[iri], f"{d.file_stem}.{ext}")
    assert len(expected[INVENTED]) == 52  # every triple of the invented file


def test_the_dumps_together_hold_every_triple_of_the_bundled_data(registry: Registry) -> None:
    cat = build(registry)
    together = Graph()
    for d in cat.datasets:
        together += reloaded(cat.files[f"{d.file_stem}.nt"].data, ox.RdfFormat.N_TRIPLES)
    sources = [
        registry.uris.source_graph(s)
        for s in (
            "bundled-organisations",
            "bundled-plan-2019-2021",
            "bundled-consultation-2018",
            "bundled-editorial",
        )
    ]
    bundled = union_graphs(registry, sources)
    missing = bundled - together
    assert len(missing) == 0, sorted(" ".join(x.n3() for x in t) for t in missing)[:10]


def test_iris_are_minted_under_the_base_uri_and_stable(registry: Registry, tmp_path: Path) -> None:
    first = feed(build(registry))
    again = feed(build(registry))
    assert isomorphic(first, again)
    kinds = (DCAT.Catalog, DCAT.Dataset, DCAT.Distribution, DCAT.DataService)
    nodes = {s for k in kinds for s in first.subjects(RDF.type, k)}
    plans = len(plan_datasets(registry))
    # the catalogue; every plan, the organisations, the vocabularies; Turtle and N-Triples of each
    # and the two CSV files of each plan; the feed's data service
    assert len(nodes) == 1 + (plans + 2) + (2 * (plans + 2) + 2 * plans) + 1
    for n in nodes:
        assert isinstance(n, URIRef) and str(n).startswith(BASE), n
    # the same data in another store gives the same IRIs (minted from identifiers only)
    other = open_registry(make_settings(tmp_path / "other"))
    other.init()
    assert {s for k in kinds for s in feed(build(other)).subjects(RDF.type, k)} == nodes


def test_feed_is_cached_per_revision_and_follows_each_load(registry: Registry) -> None:
    pub = CataloguePublisher(registry)
    cat = pub.current()
    assert pub.current() is cat
    load(registry, "invented-plan", INVENTED_PLAN)
    newer = pub.current()
    assert newer is not cat
    assert newer.revision == registry.store.revision().number  # type: ignore[union-attr]
    assert len(newer.datasets) == len(plan_datasets(registry)) + 2


# -- "always current" -------------------------------------------------------------------------
def test_an_organisation_change_changes_only_the_organisation_register(registry: Registry) -> None:
    before = modified(build(registry))
    load(registry, "org-change", ORG_CHANGE)
    after = modified(build(registry))
    assert after[PLAN] == before[PLAN]
    assert after[VOCABS] == before[VOCABS]
    assert after[ORGS] > before[ORGS]
    assert after[CATALOG] > before[CATALOG]
    assert modified(build(registry)) == after  # rebuilding changes nothing


def test_a_source_feeding_two_datasets_changes_only_the_one_whose_data_changed(
    registry: Registry,
) -> None:
    before = modified(build(registry))
    load(registry, "mixed", MIXED_V1)
    first = modified(build(registry))
    assert first[PLAN] > before[PLAN] and first[ORGS] > before[ORGS]
    load(registry, "mixed", MIXED_V2)  # the same graph again: only its organisation part differs
    second = modified(build(registry))
    assert second[PLAN] == first[PLAN]
    assert second[ORGS] > first[ORGS]
    assert second[VOCABS] == before[VOCABS]


def test_a_load_that_touches_no_dataset_changes_no_date(registry: Registry) -> None:
    before = modified(build(registry))
    load(registry, "unrelated-meeting", UNRELATED)
    assert modified(build(registry)) == before


def test_a_removed_plan_disappears_and_the_catalogue_changes(registry: Registry) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    with_plan = build(registry)
    assert INVENTED in modified(with_plan)
    load(registry, "invented-plan", "")  # the source now says nothing: the plan is gone
    without = build(registry)
    dates = modified(without)
    assert INVENTED not in dates
    assert not [n for n in without.files if "test-2031-2032" in n]
    assert dates[CATALOG] > modified(with_plan)[CATALOG]
    assert dates[PLAN] == modified(with_plan)[PLAN]


# -- metadata ---------------------------------------------------------------------------------
def test_plan_period_is_given_as_dates_at_the_plans_precision(registry: Registry) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    g = feed(build(registry))
    period = g.value(URIRef(INVENTED), DCTERMS.temporal)
    assert g.value(period, DCAT.startDate) == Literal(
        "2031-02-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    assert g.value(period, DCAT.endDate) == Literal(
        "2032-12-31", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    bundled = g.value(URIRef(PLAN), DCTERMS.temporal)
    assert str(g.value(bundled, DCAT.startDate)) == "2019-07-01"
    assert str(g.value(bundled, DCAT.endDate)) == "2021-06-30"


def test_publisher_is_the_register_record_of_the_configured_organisation(
    registry: Registry,
) -> None:
    g = feed(build(registry))
    expected = URIRef("https://data.brreg.no/enhetsregisteret/api/enheter/972417858")
    for s in [
        *g.subjects(RDF.type, DCAT.Dataset),
        *g.subjects(RDF.type, DCAT.Catalog),
        *g.subjects(RDF.type, DCAT.DataService),
    ]:
        assert g.value(s, DCTERMS.publisher) == expected
    assert publisher_iri("972417858") == str(expected)
    with pytest.raises(ConfigurationError) as err:
        publisher_iri("972417859")  # wrong check digit
    assert "OGPREG_PUBLISHER_ORGNR" in err.value.render("en")


def test_a_wrong_publisher_number_in_the_settings_is_refused(
    initialised_store: Path, tmp_path: Path
) -> None:
    import shutil

    shutil.copytree(initialised_store, tmp_path / "store")
    reg = open_registry(make_settings(tmp_path / "store", publisher_orgnr="12345678"))
    with pytest.raises(ConfigurationError):
        build(reg)


def test_themes_are_gove_and_los_themes_the_theme_scheme_confirms(registry: Registry) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    g = feed(build(registry))
    confirmed = Graph()
    confirmed.parse(Path(__file__).resolve().parents[1] / "ontology" / "themes.ttl")
    los_in_scheme = {
        o for o in confirmed.objects() if str(o).startswith("https://psi.norge.no/los/")
    }
    gove = URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
    for ds in g.subjects(RDF.type, DCAT.Dataset):
        themes = set(g.objects(ds, DCAT.theme))
        assert gove in themes, ds
        los = {t for t in themes if str(t).startswith("https://psi.norge.no/los/")}
        assert los and los <= los_in_scheme, (ds, los)
        assert themes - los == {gove}, ds


# -- CSV --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "escaped"),
    [
        ("=1+2", "'=1+2"),
        ("+47 22 24 90 90", "'+47 22 24 90 90"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("NO0054", "NO0054"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_csv_cells_that_start_a_formula_are_escaped(cell: str, escaped: str) -> None:
    assert csv_cell(cell) == escaped


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_exports_of_commitments_and_milestones(registry: Registry) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    cat = build(registry)
    rows = read_csv(cat.files["plan-2019-2021-commitments.csv"].data)
    assert list(rows[0]) == COMMITMENT_COLUMNS
    assert [r["identifier"] for r in rows] == [f"NO00{n}" for n in range(54, 63)]
    no54 = rows[0]
    assert no54["lead_agency"] == "Kulturdepartementet"
    assert no54["start_date"] == "2018-02-01" and no54["status"] == "completed"
    assert no54["milestones"] == "1"
    miles = read_csv(cat.files["plan-2019-2021-milestones.csv"].data)
    assert list(miles[0]) == MILESTONE_COLUMNS
    assert [(m["commitment"], m["position"]) for m in miles] == [
        ("NO0054", "1"),
        ("NO0062", "1"),
        ("NO0062", "2"),
        ("NO0062", "3"),
        ("NO0062", "4"),
    ]
    invented = read_csv(cat.files["plan-test-2031-2032-commitments.csv"].data)
    assert invented[0]["title_nb"] == "'=SUM(1+1) oppdiktet forpliktelse (test av formelinjeksjon)"
    assert invented[0]["themes"] == "archiving"
    invented_miles = read_csv(cat.files["plan-test-2031-2032-milestones.csv"].data)
    assert invented_miles[0]["title_nb"] == "'-Oppdiktet milepæl (test)"


# -- the command ------------------------------------------------------------------------------
#: rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
RDFLIB_JSONLD = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"
)


@RDFLIB_JSONLD
def test_ogpreg_dcat_writes_the_catalogue_in_each_format(
    registry: Registry, tmp_path: Path
) -> None:
    expected = feed(build(registry))
    runner = CliRunner()
    for name, fmt in (
        ("c.ttl", "turtle"),
        ("c.rdf", "xml"),
        ("c.jsonld", "json-ld"),
        ("c.nt", "nt"),
    ):
        out = tmp_path / name
        result = runner.invoke(main, ["--store", str(registry.store.path), "dcat", "-o", str(out)])
        assert result.exit_code == 0, result.output
        g = Graph()
        g.parse(out, format=fmt)
        assert isomorphic(g, expected), name
    result = runner.invoke(
        main, ["--store", str(registry.store.path), "dcat", "--format", "ntriples"]
    )
    assert result.exit_code == 0
    g = Graph()
    g.parse(data=result.stdout_bytes, format="nt")
    assert isomorphic(g, expected)


def test_ogpreg_dcat_refuses_an_unknown_extension(registry: Registry, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "--store",
            str(registry.store.path),
            "--lang",
            "en",
            "dcat",
            "-o",
            str(tmp_path / "c.txt"),
        ],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: Cannot tell which format {tmp_path / 'c.txt'} should have (extension '.txt'). "
        "Use a known extension (.ttl, .turtle, .rdf, .xml, .jsonld, .json, .nt) or pass "
        "--format (turtle, rdfxml, jsonld, ntriples).\n"
    )


def test_dcat_help_has_an_example_for_the_command_and_every_option() -> None:
    result = CliRunner().invoke(main, ["dcat", "--help"])
    assert result.exit_code == 0
    assert "Example:\n    ogpreg dcat -o catalog.ttl" in result.output
    options = result.output.split("\nOptions:", 1)[1]
    for option in ("-o, --output", "--format"):
        block = options.split(option, 1)[1].split("\n  -", 1)[0]
        assert "Example:" in block, option
