"""rdflib as reusers run it against the registry over a real socket: its ``SPARQLStore``
(``Graph(store="SPARQLStore")``, with rdflib's own ways of sending a query: GET, POST of the
query itself, POST of a form; SPARQL XML, rdflib's default, and JSON) and ``Graph.parse`` of an
``/id/…`` IRI, which asks for RDF with an Accept header of its own for each format.

A real-clients audit found that a literal holding a control character (a submission can carry
one: Turtle writes it as ``\\u0001``) made the SPARQL XML and RDF/XML answers ill-formed XML, so
that rdflib's default ``SPARQLStore`` and ``Graph.parse(format="xml")`` failed on the whole
answer; such a character is now written as U+FFFD in the XML formats only
(`registry.rdf.writing.xml_safe`). NO9907 below is invented."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import requests
from click.testing import CliRunner
from rdflib import DCTERMS, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from ogpreg.cli import main
from registry.loading.sources import SourceFile
from registry.service import open_registry
from tests.conftest import BASE, FIXTURES, make_settings
from tests.endpoint_server import Running, running

# rdflib's own parsers (trig, json-ld, n3) still use its deprecated ConjunctiveGraph inside
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(ConjunctiveGraph|default_context).*deprecated:DeprecationWarning"
)

PLAN = f"{BASE}id/plan/2019-2021"
IDS = [f"NO00{n}" for n in range(54, 63)]
NO9907 = f"{BASE}id/commitment/NO9907"
#: the invented description of NO9907 with two characters XML 1.0 cannot carry
CONTROL = "Et oppdiktet eksempel på en forpliktelse med \x01 og \x0c midt i."
AS_XML = CONTROL.replace("\x01", "\ufffd").replace("\x0c", "\ufffd")


def control_commitment() -> bytes:
    """The invented NO9901 of tests/fixtures/rdf/valid-commitment.ttl as NO9907, whose
    description holds U+0001 and U+000C (as Turtle escapes)."""
    ttl = (FIXTURES / "rdf" / "valid-commitment.ttl").read_text(encoding="utf-8")
    ttl = ttl.replace("NO9901", "NO9907").replace("med æøå.", "med \\u0001 og \\u000C midt i.")
    assert "\\u0001" in ttl
    return ttl.encode()


@pytest.fixture(scope="module")
def srv(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = tmp_path_factory.mktemp("clients-rdflib") / "store"
    shutil.copytree(initialised_store, store)
    reg = open_registry(make_settings(store))
    reg.load([SourceFile("control.ttl", control_commitment(), "clients-control")])
    with running(store) as r:
        yield r


def store_graph(srv: Running, method: str, fmt: str = "xml") -> Graph:
    return Graph(store=SPARQLStore(srv.sparql, method=method, returnFormat=fmt))


METHODS = ["GET", "POST", "POST_FORM"]


# -- SPARQLStore ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("method", METHODS)
def test_sparqlstore_select_and_ask(srv: Running, method: str, fmt: str) -> None:
    g = store_graph(srv, method, fmt)
    rows = g.query(
        f"SELECT ?id WHERE {{ ?c a ogp:Commitment ; ogp:inActionPlan <{PLAN}> ;"
        ' dct:identifier ?id FILTER (?id != "NO9907") } ORDER BY ?id'
    )
    assert [str(r[0]) for r in rows] == IDS  # type: ignore[index]
    assert g.query("ASK { ?c a ogp:Commitment }").askAnswer is True
    assert g.query("ASK { ?c a ogp:NoSuchClass }").askAnswer is False


@pytest.mark.parametrize("method", METHODS)
def test_sparqlstore_construct_describe_and_triple_patterns(srv: Running, method: str) -> None:
    g = store_graph(srv, method)  # rdflib's default: SPARQL XML, and RDF/XML for graphs
    built = g.query(
        "CONSTRUCT { ?c dct:identifier ?id } WHERE { ?c a ogp:Commitment ;"
        f' ogp:inActionPlan <{PLAN}> ; dct:identifier ?id FILTER (?id != "NO9907") }}'
    ).graph
    assert built is not None
    assert sorted(str(o) for o in built.objects(None, DCTERMS.identifier)) == IDS
    described = g.query(f"DESCRIBE <{PLAN}>").graph
    assert described is not None and (URIRef(PLAN), None, None) in described
    # Graph API calls that SPARQLStore turns into queries of its own
    assert (URIRef(PLAN), DCTERMS.title, None) in g
    assert {str(o) for o in g.objects(URIRef(f"{BASE}id/commitment/NO0054"), DCTERMS.identifier)} \
        == {"NO0054"}


@pytest.mark.parametrize("method", METHODS)
def test_sparqlstore_reads_a_control_character_in_every_format(srv: Running, method: str) -> None:
    query = f"SELECT ?d WHERE {{ <{NO9907}> dct:description ?d }}"
    # JSON carries the value exactly; SPARQL XML cannot, and says U+FFFD in its place (before,
    # the answer was not well-formed XML and rdflib's XML reader refused all of it)
    exact = [r[0] for r in store_graph(srv, method, "json").query(query)]  # type: ignore[index]
    assert exact == [Literal(CONTROL, lang="nb")]
    as_xml = [r[0] for r in store_graph(srv, method).query(query)]  # type: ignore[index]
    assert as_xml == [Literal(AS_XML, lang="nb")]
    built = store_graph(srv, method).query(
        f"CONSTRUCT {{ <{NO9907}> dct:description ?d }} WHERE {{ <{NO9907}> dct:description ?d }}"
    ).graph
    assert built is not None
    assert list(built.objects(URIRef(NO9907), DCTERMS.description)) == [Literal(AS_XML, lang="nb")]


# -- Graph.parse of /id/ IRIs (linked data) --------------------------------------------------
# (format="json-ld" is left out: rdflib then follows the answer's Link rel="alternate"
# type="application/ld+json", an absolute URL from the base URI, http://localhost:8000/ here,
# where nothing listens; against a deployment whose base URI is its public URL it reads the
# same triples, as checked by hand against `ogpreg serve`)
@pytest.mark.parametrize("fmt", [None, "xml", "turtle", "n3", "nt", "trig"])
def test_graph_parse_dereferences_an_iri_in_each_format(srv: Running, fmt: str | None) -> None:
    url = srv.url + "id/commitment/NO0054"
    reference = Graph().parse(url + ".ttl", format="turtle")
    if fmt == "trig":  # a dataset: the description in its default graph, and per source graph
        ds = rdflib.Dataset()
        ds.parse(url, format="trig")
        got = Graph()
        for t in ds.graph(rdflib.graph.DATASET_DEFAULT_GRAPH_ID):
            got.add(t)
    else:
        got = Graph().parse(url, format=fmt) if fmt else Graph().parse(url)
    subject = URIRef(f"{BASE}id/commitment/NO0054")
    assert (subject, DCTERMS.identifier, Literal("NO0054")) in got
    assert set(got) == set(reference)


def test_graph_parse_reads_rdfxml_holding_a_control_character(srv: Running) -> None:
    url = srv.url + "id/commitment/NO9907"
    # Turtle and JSON-LD keep the value as it is
    exact = Graph().parse(url, format="turtle")
    assert Literal(CONTROL, lang="nb") in set(exact.objects(URIRef(NO9907), DCTERMS.description))
    # RDF/XML cannot, and says U+FFFD (before: "not well-formed (invalid token)")
    as_xml = Graph().parse(url, format="xml")
    assert set(as_xml.objects(URIRef(NO9907), DCTERMS.description)) == {Literal(AS_XML, lang="nb")}


def test_every_rdfxml_writer_gives_xml_readers_a_well_formed_document(
    srv: Running, tmp_path: Path
) -> None:
    """The export (``ogpreg export --format rdfxml``) and a Graph Store read in RDF/XML go
    through the same RDF writer as the answers above: U+FFFD where XML 1.0 has no character."""
    source = f"{BASE}graph/source/clients-control"
    out = tmp_path / "control.rdf"
    result = CliRunner().invoke(main, ["--store", str(srv.registry.store.path), "--base-uri",
                                       BASE, "export", "--graph", source, "--format", "rdfxml",
                                       "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    exported = Graph().parse(out, format="xml")
    read = requests.get(srv.url + "graph-store", params={"graph": source},
                        headers={"Accept": "application/rdf+xml"}, timeout=60)
    assert read.status_code == 200
    over_http = Graph().parse(data=read.content, format="xml")
    for g in (exported, over_http):
        assert set(g.objects(URIRef(NO9907), DCTERMS.description)) == {Literal(AS_XML, lang="nb")}


def test_the_catalogue_in_rdfxml_is_well_formed_whatever_a_title_holds(srv: Running) -> None:
    """The DCAT catalogue names each plan's dataset by the plan's title: a control character
    there (an invented bokmål title for the 2016–2018 plan, which has only an English one) is
    U+FFFD in the catalogue's RDF/XML, as a harvester's XML reader needs."""
    title = "Oppdiktet tittel med \x01 i"
    srv.registry.load([SourceFile(
        "plan-title.ttl",
        f'<{BASE}id/plan/2016-2018> <http://purl.org/dc/terms/title> "{title}"@nb .'
        .replace("\x01", "\\u0001").encode(),
        "clients-control-plan",
    )])
    r = requests.get(srv.url + "catalog", params={"format": "rdfxml"}, timeout=60)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/rdf+xml")
    catalogue = Graph().parse(data=r.content, format="xml")
    titles = {str(o) for o in catalogue.objects(None, DCTERMS.title)}
    assert any(t.startswith(title.replace("\x01", "\ufffd")) for t in titles), titles
