"""The public face (issue 19) over real HTTP: the catalogue as a page for browsers while every
RDF request gets the same bytes as before, robots.txt, the sitemap, the favicon, JSON-LD in
every resource page (safely escaped), participation in three values with what each rests on,
registry status and implementation progress told apart, the plan's downloads, meeting labels,
links to the business register's page for people and the ontology's version.

The server is the production one on a free port (tests/endpoint_server.py), its base URI
http://localhost:8000/ (so a link taken from the request would show). The store holds the
bundled data, the invented page fixtures (tests/fixtures/pages/) and INVENTED below.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import requests
from protego import Protego
from rdflib import Graph, Literal, URIRef

from endpoint.app import state
from endpoint.pages import charts, machines
from registry.loading.sources import SourceFile
from registry.model import progress
from registry.model.resources import Resources
from registry.publish.dcat import FEED_FORMATS
from registry.service import Registry, open_registry
from tests.conftest import BASE, make_settings
from tests.endpoint_server import Running, Served, running, servers, serving
from tests.test_pages import load_page_fixtures

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PLAN = BASE + "id/plan/2019-2021"
DCT = "http://purl.org/dc/terms/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
EVIL_TITLE = 'Tittel </script><script>alert(1)</script> & <b>"fet"</b>'
#: INVENTED for these tests: a follow-up meeting on the 2019-2021 plan with an attendance list
#: (Abelia attended, Advokatforeningen was invited and is not on the list), and a commitment
#: whose title tries to end the page's <script> element. None of this happened.
INVENTED = f"""
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/meeting/invented-attendance> a ogp:FollowUpMeeting ;
    dct:title "Oppfølgingsmøte med deltakerliste (oppdiktet)"@nb ;
    schema:startDate "2019-09-01T10:00:00+02:00"^^xsd:dateTime ;
    ogp:forActionPlan <id/plan/2019-2021> ;
    ogp:invited <id/organisation/abelia> , <id/organisation/advokatforeningen> ;
    ogp:attendee <id/organisation/abelia> .
<id/commitment/NO9990> a ogp:Commitment ;
    dct:identifier "NO9990" ;
    dct:title {json.dumps(EVIL_TITLE)}@nb , "Script title (invented)"@en ;
    ogp:leadAgency <id/organisation/finansdepartementet> ;
    schema:url <javascript:alert(4)> ;
    <http://www.w3.org/2000/01/rdf-schema#seeAlso> <data:text/html,x> ;
    ogp:inActionPlan <id/plan/2019-2021> .
"""


def _site_store(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("public") / "store"
    shutil.copytree(initialised_store, store)
    load_page_fixtures(store)
    reg = open_registry(make_settings(store))
    reg.load([SourceFile("invented-public.ttl", INVENTED.encode(), "invented-public")])
    return store


@pytest.fixture(scope="module", params=servers())
def site(
    request: pytest.FixtureRequest,
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """The pages under each HTTP server of ``ogpreg serve`` (tests/endpoint_server.py)."""
    with serving(request.param, _site_store(initialised_store, tmp_path_factory)) as r:
        yield r


@pytest.fixture(scope="module")
def local_site(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    """The pages under waitress in this process, for the tests that look inside the app."""
    with running(_site_store(initialised_store, tmp_path_factory)) as r:
        yield r


def get(site: Served, path: str, accept: str | None = BROWSER, **headers: str) -> requests.Response:
    h = dict(headers)
    if accept is not None:
        h["Accept"] = accept
    return requests.get(site.url + path, headers=h, allow_redirects=False, timeout=60)


def select(reg: Registry, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT as variable -> value, read at once (the pyoxigraph answer must not
    be dropped on another thread)."""
    result = reg.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [{n: r[n].value for n in names if r[n] is not None} for r in result]  # type: ignore[union-attr]
    del result
    return rows


def local(url: str, site: Served) -> str:
    """A URL from the base URI, on the server under test."""
    assert url.startswith(BASE), url
    return site.url + url[len(BASE) :]


class Page(HTMLParser):
    """Links, element ids, texts by id and script blocks of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: dict[str, str] = {}
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._open: list[tuple[str, str]] = []  # (tag, id) of the open elements with an id
        self._script: dict[str, str] | None = None
        self.texts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag == "script":
            self._script = a
            self.scripts.append((a, ""))
        if "id" in a:
            self.ids[a["id"]] = ""
            self._open.append((tag, a["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i]
                break

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
            return
        self.texts.append(data)
        for _, ident in self._open:
            self.ids[ident] += data

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.texts))

    def of(self, ident: str) -> str:
        return re.sub(r"\s+", " ", self.ids[ident]).strip()


# -- the catalogue ------------------------------------------------------------------------------
def test_a_browser_gets_the_catalogue_as_dataset_cards(site: Served) -> None:
    resp = get(site, "catalog")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "Accept" in resp.headers["Vary"]
    page = Page(resp.text)
    rdf = Graph().parse(data=get(site, "catalog", "text/turtle").text, format="turtle")
    dcat = "http://www.w3.org/ns/dcat#"
    datasets = set(rdf.subjects(URIRef(RDF_TYPE), URIRef(dcat + "Dataset")))
    assert len(datasets) >= 6  # five plans, organisations, vocabularies
    cards = [i for i in page.ids if re.fullmatch(r"dataset-\d+", i)]
    assert len(cards) == len(datasets)
    for ds in datasets:  # each card: its title, description and every download with its size
        title = rdf.value(ds, URIRef(DCT + "title"))  # any language; check the bokmål one
        nb = [o for o in rdf.objects(ds, URIRef(DCT + "title")) if o.language == "nb"]
        assert (nb[0] if nb else title) is not None
        assert str(nb[0]) in page.text
        for dist in rdf.objects(ds, URIRef(dcat + "distribution")):
            url = str(rdf.value(dist, URIRef(dcat + "downloadURL")))
            assert url in page.hrefs
            size = int(float(str(rdf.value(dist, URIRef(dcat + "byteSize")))))
            shown = f"{size} B" if size < 1000 else None  # (a no-break space, normalised)
            if shown:
                assert shown in page.text
    assert "Kommunal- og moderniseringsdepartementet" in page.text  # the publisher
    assert "Norsk lisens for offentlige data (NLOD) 2.0" in page.text
    assert "kB" in page.text  # sizes are human units
    assert BASE + "sparql" in page.hrefs and BASE + "feed" in page.hrefs
    assert BASE + "query" in page.hrefs
    for fmt in ("turtle", "rdfxml", "jsonld", "ntriples"):
        assert f"{BASE}catalog?format={fmt}" in page.hrefs
    # every download link of the page answers
    for href in {h for h in page.hrefs if h.startswith(BASE + "download/")}:
        r = requests.head(local(href, site), timeout=60)
        assert r.status_code == 200, href
    english = Page(get(site, "catalog?lang=en").text)
    assert "Norwegian Licence for Open Government Data (NLOD) 2.0" in english.text
    assert get(site, "catalog?format=html", None).headers["Content-Type"].startswith("text/html")
    # as for /sparql: HTML named outright and liked at least as much as RDF
    assert get(site, "catalog", "text/html, */*").headers["Content-Type"].startswith("text/html")
    assert get(site, "catalog", "application/xhtml+xml").headers["Content-Type"].startswith(
        "text/html"
    )


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Every way a harvester or RDF client asks for the catalogue: (query, Accept, other headers).
RDF_REQUESTS: list[tuple[str, str | None, dict[str, str]]] = [
    ("", None, {}),
    ("", "*/*", {}),
    ("", "text/turtle", {}),
    ("", "application/rdf+xml", {}),
    ("", "application/ld+json", {}),
    ("", "application/n-triples", {}),
    ("", "application/json", {}),
    ("", "application/x-turtle", {}),
    ("", "text/turtle;q=0.9, */*;q=0.1", {}),
    ("", "text/html;q=0.5, text/turtle", {}),
    ("", "application/rdf+xml, text/html;q=0.8", {}),
    ("?format=ttl", BROWSER, {}),
    ("?format=jsonld", BROWSER, {}),
    ("?_mediatype=application/n-triples", BROWSER, {}),
    ("?_profile=dcat-ap-no-2", None, {}),
    ("?_profile=dcat-ap-3", "text/turtle", {}),
    ("", BROWSER, {"Accept-Profile": "<https://data.norge.no/specification/dcat-ap-no>"}),
    ("", "text/turtle", {"Accept-Profile": "<https://semiceu.github.io/DCAT-AP/releases/3.0.1/>"}),
]


@pytest.mark.parametrize(("query", "accept", "headers"), RDF_REQUESTS)
def test_every_rdf_request_still_gets_exactly_the_catalogue(
    local_site: Running, query: str, accept: str | None, headers: dict[str, str]
) -> None:
    """Byte for byte the serialisation of the revision's Catalogue (what /catalog served before
    the page existed), in the format and profile asked for."""
    resp = get(local_site, "catalog" + query, accept, **headers)
    assert resp.status_code == 200, resp.text[:300]
    media_type = resp.headers["Content-Type"].split(";")[0]
    assert media_type in FEED_FORMATS.values(), media_type
    fmt = next(k for k, v in FEED_FORMATS.items() if v == media_type)
    with local_site.app.app_context():
        cat = state(local_site.app).extras["dcat"].current()
        graphs = {cat.serialise(fmt, g): g for g in ("no2", "ap3")}
    assert resp.content in graphs
    default = "?_profile" not in query and "Accept-Profile" not in headers
    if default:
        assert graphs[resp.content] == "no2"
    assert b"<html" not in resp.content[:200]


def test_the_harvesters_accept_headers_get_the_same_answer_as_no_accept_header(
    site: Served,
) -> None:
    turtle = get(site, "catalog", None)
    for accept in ("*/*", "text/turtle", "text/turtle, */*;q=0.1"):
        again = get(site, "catalog", accept)
        assert again.content == turtle.content
        assert again.headers["Content-Type"] == turtle.headers["Content-Type"]
        assert again.headers["ETag"] == turtle.headers["ETag"]


# -- robots, sitemap, favicon -------------------------------------------------------------------
def test_robots_txt_names_the_sitemap(site: Served) -> None:
    resp = get(site, "robots.txt", None)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    lines = resp.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines  # from the base URI
    assert "Disallow: /sparql" in lines and "Disallow: /submit" in lines
    assert not any(line == "Disallow: /" for line in lines)
    # as a crawler reads it: the pages, and the query page itself, yes; a query, no
    robots = Protego.parse(resp.text)
    assert robots.can_fetch(BASE + "id/commitment/NO0054", "*")
    assert robots.can_fetch(BASE + "query", "*")
    for costly in ("query?query=ASK%7B%7D&run=1", "sparql?query=ASK%7B%7D", "submit/upload"):
        assert not robots.can_fetch(BASE + costly, "*"), costly


# -- the query page without JavaScript ---------------------------------------------------------
def test_the_query_page_without_javascript_refuses_what_sparql_refuses(site: Served) -> None:
    """``/query?query=…&run=1`` runs the query on the server (for a browser without
    JavaScript) through the same gate as ``/sparql`` (``registry.sparql.querytext.admitted``):
    a query nested too deep and a federated query are refused, and the page says why."""
    deep = "SELECT * WHERE " + "{ " * 250 + "?s ?p ?o " + "} " * 250
    service = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    for query, said in ((deep, "høyst 200 er tillatt"), (service, "SERVICE")):
        page = get(site, "query?" + urlencode({"query": query, "run": "1"}))
        assert page.status_code == 200
        error = re.search(r'<pre class="error-detail">(.*?)</pre>', page.text, re.S)
        assert error is not None and said in error.group(1), page.text[:2000]
        assert "results-table" not in page.text
        protocol = requests.get(site.url + "sparql", params={"query": query}, timeout=60)
        assert protocol.status_code == 400


def _locs(xml: bytes, element: str) -> list[str]:
    root = ET.fromstring(xml)
    assert root.tag == SITEMAP + element
    return [loc.text or "" for loc in root.iter(SITEMAP + "loc")]


def test_the_sitemap_lists_every_resource_page(site: Served, registry_urls: set[str]) -> None:
    resp = get(site, "sitemap.xml", None)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/xml")
    urls = _locs(resp.content, "urlset")
    assert len(urls) == len(set(urls))
    assert registry_urls <= set(urls)
    for expected in (BASE, BASE + "catalog", BASE + "def", BASE + "def/theme/anti-corruption",
                     BASE + "id/commitment/NO0054", PLAN, BASE + "id/meeting/2018-06-19",
                     BASE + "graph/source/pages-story"):
        assert expected in urls, expected
    assert BASE + "id/commitment/NO9903" not in urls  # withdrawn: 410
    assert not [u for u in urls if "/version/" in u or "#" in u]
    # one page of each kind answers 200 with HTML
    kinds: dict[str, str] = {}
    for u in urls:
        kinds.setdefault("/".join(u[len(BASE) :].split("/")[:2]), u)
    for u in kinds.values():
        r = get(site, local(u, site)[len(site.url) :])
        assert r.status_code == 200, u
        assert r.headers["Content-Type"].startswith("text/html"), u


@pytest.fixture
def registry_urls(site: Served) -> set[str]:
    """Every typed IRI under {base}id/ that is not withdrawn or superseded: independently."""
    rows = select(
        site.registry,
        f"""SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{BASE}id/"))
           FILTER NOT EXISTS {{ ?s ogp:registryStatus ?x FILTER(?x IN (
             <https://w3id.org/ogp-no/vocab/status/withdrawn>,
             <https://w3id.org/ogp-no/vocab/status/superseded>)) }} }}""",
    )
    return {r["s"] for r in rows if "/version/" not in r["s"]}


def test_a_large_sitemap_is_an_index_of_parts(
    local_site: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _locs(get(local_site, "sitemap.xml", None).content, "urlset")
    monkeypatch.setattr(machines, "PAGE_SIZE", 50)
    index = _locs(get(local_site, "sitemap.xml", None).content, "sitemapindex")
    assert index == [f"{BASE}sitemap-{n}.xml" for n in range(1, len(index) + 1)]
    assert len(index) == -(-len(whole) // 50)
    parts: list[str] = []
    for loc in index:
        part = _locs(get(local_site, loc[len(BASE) :], None).content, "urlset")
        assert 0 < len(part) <= 50
        parts += part
    assert parts == whole
    assert get(local_site, f"sitemap-{len(index) + 1}.xml", None).status_code == 404


def test_the_favicon_is_a_small_cached_icon(site: Served) -> None:
    resp = get(site, "favicon.ico", None)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "image/vnd.microsoft.icon"
    assert "max-age=86400" in resp.headers["Cache-Control"]
    data = resp.content
    assert data[:4] == b"\x00\x00\x01\x00" and int.from_bytes(data[4:6], "little") >= 1
    assert data[6] in (16, 32) and len(data) < 10_000


# -- JSON-LD in every resource page -------------------------------------------------------------
#: rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph (tests/test_dcat.py)
RDFLIB_JSONLD = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"
)


def _jsonld(page: Page) -> Graph:
    blocks = [text for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    return Graph().parse(data=blocks[0], format="json-ld")


@RDFLIB_JSONLD
@pytest.mark.parametrize(
    "path",
    ["id/commitment/NO0054", "id/plan/2019-2021", "id/organisation/abelia",
     "id/meeting/2018-06-19", "id/proposal/sider-1", "graph/source/pages-story"],
)
def test_every_resource_page_embeds_its_description_as_json_ld(site: Served, path: str) -> None:
    page = Page(get(site, path).text)
    g = _jsonld(page)
    subject = URIRef(BASE + path)
    assert (subject, None, None) in g
    rdf = Graph().parse(data=get(site, path + ".jsonld", None).text, format="json-ld")
    assert set(g) <= set(rdf)  # nothing the RDF does not say
    assert {t for t in rdf if t[0] == subject} <= set(g)  # all it says of the resource itself


@RDFLIB_JSONLD
def test_a_title_that_closes_the_script_element_stays_inside_it(site: Served) -> None:
    resp = get(site, "id/commitment/NO9990")
    assert resp.status_code == 200
    assert "</script><script>alert(1)" not in resp.text
    page = Page(resp.text)
    g = _jsonld(page)
    titles = set(g.objects(URIRef(BASE + "id/commitment/NO9990"), URIRef(DCT + "title")))
    assert Literal(EVIL_TITLE, lang="nb") in titles
    # the only other script is the pages' own scrolling-region script (by src, empty)
    assert [(a, t) for a, t in page.scripts if a.get("type") != "application/ld+json"] == [
        ({"src": BASE + "static/pages/scroll.js", "defer": ""}, "")
    ]


def test_an_iri_of_a_scheme_that_runs_code_is_shown_not_linked(site: Served) -> None:
    """Anyone with a token may load ``schema:url <javascript:…>``; the page shows the IRI as
    text, never as a link (a red-team audit found ``<a href="javascript:alert(4)">``, which
    only the Content-Security-Policy kept from running)."""
    for lang in ("", "?lang=en"):
        resp = get(site, "id/commitment/NO9990" + lang)
        assert resp.status_code == 200
        text = html.unescape(resp.text)
        assert "javascript:alert(4)" in text and "data:text/html" in text  # shown
        hrefs = [h.lower().strip() for h in re.findall(r'href="([^"]*)"', text)]
        assert not [h for h in hrefs if h.startswith(("javascript:", "data:"))], hrefs


# -- honest figures -----------------------------------------------------------------------------
def test_participation_on_the_bundled_data_is_five_took_part_and_41_unknown(
    registry: Registry,
) -> None:
    """The bundled data records no attendance, proposal or comment: unknown, never "no"."""
    part = progress.participation(Resources(registry), PLAN, "nb")
    assert part.counts() == {"took-part": 5, "did-not": 0, "unknown": 41}
    assert part.evidence_counts() == {"attended": 0, "proposed": 0, "commented": 0, "leads": 5}
    assert all(p.evidence == ["leads"] for p in part.of("took-part"))
    assert part.with_attendance == []


def test_the_dashboard_shows_participation_in_three_values_with_their_sources(
    site: Served,
) -> None:
    page = Page(get(site, "?plan=2019-2021").text)
    row = {k: page.of(f"participation-{k}") for k in ("took-part", "did-not", "unknown")}
    # the invented meeting: Abelia attended (took part), Advokatforeningen is missing from its
    # attendance list (did not); the story fixture: Norsk redaktørforening proposed, KMD and
    # Norsk journalistlag commented (KMD was not invited)
    expected = progress.participation(Resources(site.registry), PLAN, "nb").counts()
    assert expected["did-not"] == 1
    for key, label in (("took-part", "Deltok"), ("did-not", "Deltok ikke"),
                       ("unknown", "Ukjent")):
        assert row[key].startswith(f"{label}{expected[key]}"), row[key]
    assert "var på et møte: 1" in row["took-part"] and "leder en forpliktelse i planen" in \
        row["took-part"]
    assert "deltakerlisten" in row["did-not"]
    assert "registeret vet ikke" in row["unknown"]
    did_not = page.of("participants-did-not")
    assert "Advokatforeningen" in did_not and "ikke på deltakerlisten for" in did_not
    assert "Inviterte som deltok" not in page.text
    assert "Deltakerlister er registrert for 1 av planens 2 møter med invitasjoner." in page.text


def test_registry_status_and_implementation_progress_are_shown_apart(site: Served) -> None:
    # no assessment gives a completion: progress unknown, next to the registry status
    page = Page(get(site, "id/commitment/NO0054").text)
    assert "Registerstatus" in page.text and "Avsluttet" in page.of("registry-status")
    assert "sier ikke hvor langt arbeidet er kommet" in page.of("registry-status")
    assert page.of("progress").startswith("? Ukjent")
    # the latest assessment that gives one decides, and the page says which it is
    (latest,) = select(
        site.registry,
        f"""SELECT ?c ?a ?level WHERE {{ ?a ogp:assesses ?c ; ogp:completion ?level ;
             ogp:assessmentDate ?d . ?c ogp:inActionPlan <{PLAN}> }} ORDER BY DESC(?d) LIMIT 1""",
    )
    c, a = latest["c"], latest["a"]
    shown = Page(get(site, c[len(BASE) :]).text)
    assert a in shown.hrefs
    label = {"limited": "Begrenset", "substantial": "Betydelig", "complete": "Fullført",
             "not-started": "Ikke påbegynt"}[latest["level"].rsplit("/", 1)[-1]]
    assert label in shown.of("progress") and "ifølge" in shown.of("progress")
    # the dashboard's progress table has the same numbers as the core
    dash = Page(get(site, "?plan=2019-2021").text)
    prog = progress.plan_progress(Resources(site.registry), PLAN, "nb")
    assert dash.of("progress-unknown").endswith(str(prog.unknown))
    assert sum(n for _, n in prog.levels) >= 1
    # plan tables label the column as the registry status
    assert "Registerstatus" in Page(get(site, "id/plan/2019-2021").text).text


def test_integer_ticks_at_even_steps() -> None:
    assert charts.ticks(3) == [0, 1, 2, 3]
    assert charts.ticks(0) == [0, 1]
    assert charts.ticks(7) == [0, 2, 4, 6, 8]
    assert charts.ticks(45) == [0, 20, 40, 60]
    assert charts.ticks(1234) == [0, 500, 1000, 1500]
    for n in range(1, 300):
        t = charts.ticks(n)
        assert t[-1] >= n and len(t) <= 5 and len({b - a for a, b in zip(t, t[1:], strict=False)}) == 1


# -- smaller ------------------------------------------------------------------------------------
def test_the_plan_page_links_to_its_downloads_and_the_plan_document(site: Served) -> None:
    page = Page(get(site, "id/plan/2019-2021").text)
    for name in ("commitments.csv", "milestones.csv", ".ttl", ".nt"):
        href = next(h for h in page.hrefs if h.startswith(BASE + "download/plan-2019-2021")
                    and h.endswith(name))
        assert requests.head(local(href, site), timeout=60).status_code == 200, href
    older = Page(get(site, "id/plan/2013-2015").text)
    docs = select(site.registry, f"SELECT ?d WHERE {{ <{BASE}id/plan/2013-2015> ogp:planDocument ?d }}")
    assert docs
    for row in docs:
        assert row["d"] in older.hrefs
    assert "Plandokumentet" in older.text


def test_meeting_labels_start_with_a_capital_and_places_show_their_address(
    site: Served,
) -> None:
    page = Page(get(site, "id/meeting/2018-06-19").text)
    facts = page.of("facts")
    assert "StedAkersgata 59" in facts and "Møterom" in facts and "Invitert av" in facts
    assert "sted " not in facts and "akersgata-59" not in facts
    assert page.of("invited-heading").startswith("Invitert (")


def test_organisation_numbers_link_to_the_registers_page_for_people(site: Served) -> None:
    page = Page(get(site, "id/organisation/kommunal-og-moderniseringsdepartementet").text)
    people = "https://virksomhet.brreg.no/nb/oppslag/enheter/972417858"
    assert people in page.hrefs
    ttl = get(site, "id/organisation/kommunal-og-moderniseringsdepartementet", "text/turtle")
    # the data keeps the register's API record (ogp:registerRecord, DCAT publisher IRIs)
    assert "https://data.brreg.no/enhetsregisteret/api/enheter/972417858" in ttl.text
    assert people not in ttl.text


def test_the_ontology_page_names_its_version(site: Served) -> None:
    page = Page(get(site, "def").text)
    assert page.of("version-info").startswith("0.1.0")
    assert "Versjon" in page.text
    assert "Version" in Page(get(site, "def?lang=en").text).text


# -- a path or a method nobody answers ------------------------------------------------------
def test_an_unknown_path_gets_the_registrys_page_or_its_json_not_flasks(site: Served) -> None:
    """A mistyped address: a browser gets the registry's page (bokmål, the page's language on
    request, with its navigation), a program the endpoint's JSON error shape in the language
    it asks for; before, both got Flask's bare English "Not Found" page."""
    page = get(site, "/finnes-ikke")
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="nb"' in page.text and "Fant ikke ressursen" in page.text
    assert 'href="' in page.text and "/search" in page.text  # the way on: search, home
    english = get(site, "/finnes-ikke?lang=en")
    assert '<html lang="en"' in english.text and "Resource not found" in english.text
    for accept in ("application/json", None, "text/turtle"):
        program = get(site, "/finnes-ikke", accept=accept, **{"Accept-Language": "en"})
        assert program.status_code == 404
        assert program.json() == {"error": "not-found", "status": 404,
                                  "message": "Nothing is published at /finnes-ikke."}
    nb = get(site, "/finnes-ikke", accept="application/json")
    assert nb.json()["message"] == "Ingenting er publisert på /finnes-ikke."
    # a cache must keep the answers of each language apart (a real client's audit found
    # Vary: Accept only)
    for r in (page, nb):
        assert {v.strip() for v in r.headers["Vary"].split(",")} >= {"Accept", "Accept-Language"}


def test_a_method_a_path_does_not_take_gets_405_in_json_with_allow(site: Served) -> None:
    for method, path in (("PATCH", "/graph-store?default"), ("DELETE", "/catalog"),
                         ("POST", "/feed")):
        r = requests.request(method, site.url.rstrip("/") + path, timeout=30,
                             headers={"Accept-Language": "en"})
        assert r.status_code == 405, (method, path)
        assert "Accept-Language" in r.headers["Vary"]
        allowed = r.headers["Allow"]
        assert "GET" in allowed and method not in allowed
        assert r.json() == {
            "error": "method-not-allowed", "status": 405,
            "message": f"{method} is not allowed on {path.split('?')[0]}. Allowed: {allowed}.",
        }


def test_a_page_of_another_site_may_read_the_resources_with_its_headers(site: Served) -> None:
    """A browser program on another site (Comunica in a page) sends Accept and If-None-Match,
    so the browser asks first (a CORS preflight); the pages, the graphs, /def and /download
    answered it without Access-Control-Allow-Headers, and the browser refused the read (a
    real-clients audit). Never a token: Authorization is not among the allowed headers."""
    for path in ("id/commitment/NO0054", "graph/provenance", "def", "def/theme/open-data",
                 "download/commitments.ttl", "graph-store?default"):
        r = requests.options(site.url + path, timeout=30, headers={
            "Origin": "https://other-site.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept, if-none-match, authorization",
        })
        assert r.status_code < 300, (path, r.status_code)
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "GET" in r.headers["Access-Control-Allow-Methods"], path
        allowed = {h.strip() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
        assert allowed == {"accept", "if-none-match"}, (path, allowed)
    page = get(site, "id/commitment/NO0054", "text/turtle")
    assert "Content-Location" in page.headers["Access-Control-Expose-Headers"]
