"""The registry's pages and dereferenceable URIs over real HTTP: content negotiation (every
case), 404, 410 for withdrawn and superseded items, languages, absolute links from the base URI,
the dashboard and the search. The app runs under the production server on a free port; the
store holds the bundled data plus the invented fixtures in tests/fixtures/pages/.

The server listens on 127.0.0.1:<port> while the configured base URI is
http://localhost:8000/: every link must come from the base URI, never from the request.
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import requests

from registry.loading.sources import SourceFile
from registry.model.planviews import PlanViews
from registry.model.resources import Resources
from registry.service import open_registry
from tests.conftest import BASE, make_settings
from tests.endpoint_server import Running, running

PAGES = Path(__file__).parent / "fixtures" / "pages"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OGP = "https://w3id.org/ogp-no/def#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
STATUS = "https://w3id.org/ogp-no/vocab/status/"
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
JOURNALISTLAG = BASE + "id/organisation/norsk-journalistlag"

#: (source id, file, submitted by)
FIXTURES: tuple[tuple[str, str, str | None], ...] = (
    ("pages-story", "commitment-story.ttl", None),
    ("pages-story-cs", "commitment-story-civil-society.ttl", JOURNALISTLAG),
    ("pages-withdrawn", "withdrawn.ttl", None),
)


def load_page_fixtures(store: Path) -> None:
    """Load the invented page fixtures through Registry.load (validated like any submission)."""
    reg = open_registry(make_settings(store))
    for sid, name, by in FIXTURES:
        data = (PAGES / name).read_bytes()
        reg.load([SourceFile(name, data, sid)], submitted_by=by)


@pytest.fixture(scope="module")
def site(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = tmp_path_factory.mktemp("pages") / "store"
    shutil.copytree(initialised_store, store)
    load_page_fixtures(store)
    with running(store) as r:
        yield r


def get(
    site: Running, path: str, accept: str | None = BROWSER, **headers: str
) -> requests.Response:
    h = dict(headers)
    if accept is not None:
        h["Accept"] = accept
    return requests.get(site.url + path, headers=h, allow_redirects=False, timeout=30)


def media(resp: requests.Response) -> str:
    return resp.headers["Content-Type"].split(";")[0].strip()


OX_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def triples(resp: requests.Response) -> set[ox.Triple]:
    fmt = OX_FORMATS[media(resp)]
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(resp.content, fmt, base_iri=BASE)
    }


class Html(HTMLParser):
    """A small HTML model: elements with attributes, the text, links and ids."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.stack: list[str] = []
        self.h1: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("meta", "link", "input", "br", "img", "rect", "line", "path", "circle"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if "h1" in self.stack:
            self.h1.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.texts))

    @property
    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.elements if t in ("a", "link") and "href" in a]

    @property
    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.elements if "id" in a]


def page(site: Running, path: str) -> Html:
    resp = get(site, path)
    assert resp.status_code in (200, 410), (path, resp.status_code, resp.text[:500])
    assert media(resp) == "text/html"
    return Html(resp.text)


# -- every minted kind of URI resolves ----------------------------------------------------------
MINTED = [
    ("id/plan/2019-2021", BASE + "id/plan/2019-2021"),
    ("id/commitment/NO0054", BASE + "id/commitment/NO0054"),
    ("id/commitment/NO0062/milestone/1", BASE + "id/commitment/NO0062/milestone/1"),
    ("id/organisation/kulturdepartementet", BASE + "id/organisation/kulturdepartementet"),
    ("id/meeting/2018-06-19", BASE + "id/meeting/2018-06-19"),
    ("id/place/akersgata-59", BASE + "id/place/akersgata-59"),
    ("id/proposal/sider-1", BASE + "id/proposal/sider-1"),
    ("id/comment/sider-1", BASE + "id/comment/sider-1"),
    ("id/assessment/sider-self", BASE + "id/assessment/sider-self"),
    ("graph/source/bundled-plan-2019-2021", BASE + "graph/source/bundled-plan-2019-2021"),
    ("graph/provenance", BASE + "graph/provenance"),
    ("graph/vocabulary/themes", BASE + "graph/vocabulary/themes"),
    ("def/theme/open-data", "https://w3id.org/ogp-no/theme/open-data"),
    ("def/vocab/status/withdrawn", STATUS + "withdrawn"),
    (
        "def/vocab/ogp-value/civic-participation",
        "https://w3id.org/ogp-no/vocab/ogp-value/civic-participation",
    ),
]


@pytest.mark.parametrize(("path", "iri"), MINTED, ids=[p for p, _ in MINTED])
def test_every_minted_uri_gives_a_page_to_browsers_and_rdf_to_programs(
    site: Running, path: str, iri: str
) -> None:
    html = get(site, path)
    assert html.status_code == 200
    assert media(html) == "text/html"
    assert "Accept" in html.headers["Vary"]
    doc = Html(html.text)
    assert doc.all("html")[0]["lang"] == "nb"
    assert "".join(doc.h1).strip()
    assert iri in doc.text  # the page shows the URI it is about
    rdf = get(site, path, "text/turtle")
    assert rdf.status_code == 200
    assert media(rdf) == "text/turtle"
    assert "Accept" in rdf.headers["Vary"]
    node = ox.NamedNode(iri)
    got = triples(rdf)
    if path.startswith("graph/"):  # a graph answers with its content
        assert got
    else:
        assert any(t.subject == node or t.object == node for t in got)


# -- content negotiation --------------------------------------------------------------------------
NEGOTIATION = [
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/json", "application/ld+json"),
    ("application/xml", "application/rdf+xml"),
    ("text/html", "text/html"),
    ("application/xhtml+xml", "text/html"),
    (BROWSER, "text/html"),
    ("*/*", "text/html"),
    (None, "text/html"),
    ("text/*", "text/html"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
    ("text/turtle;q=0.4, application/ld+json;q=0.8", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.9", "text/turtle"),
    ("text/html;q=0, */*", "text/turtle"),
    ("text/html;q=0.1, application/n-triples;q=0.2, */*;q=0.05", "application/n-triples"),
    ("application/*", "application/ld+json"),
    # what rdflib's Graph.parse(url, format=…) sends: N3 is served as Turtle (which it is),
    # N-Triples under its media type of before 2014; each only when named, never by a wildcard
    ("text/n3, */*;q=0.1", "text/turtle"),
    ("text/rdf+n3", "text/turtle"),
    ("text/plain, */*;q=0.1", "application/n-triples"),
]


@pytest.mark.parametrize(("accept", "expected"), NEGOTIATION, ids=[str(a) for a, _ in NEGOTIATION])
def test_accept_header_q_values_choose_the_representation(
    site: Running, accept: str | None, expected: str
) -> None:
    resp = get(site, "id/commitment/NO9906", accept)
    assert resp.status_code == 200
    assert media(resp) == expected
    assert resp.headers["Vary"] == "Accept"
    ext = {
        "text/html": ".html",
        "text/turtle": ".ttl",
        "application/ld+json": ".jsonld",
        "application/n-triples": ".nt",
        "application/rdf+xml": ".rdf",
    }[expected]
    assert resp.headers["Content-Location"] == BASE + "id/commitment/NO9906" + ext


@pytest.mark.parametrize("fmt", ["nt", "n3", "turtle", "xml"])
def test_rdflib_dereferences_a_resource_in_each_format_it_asks_for(site: Running, fmt: str) -> None:
    """A real linked-data client: rdflib's ``Graph.parse(url, format=…)`` sends its own Accept
    header for the format and parses the answer as that format (before, "nt" and "n3" got the
    HTML page and failed)."""
    graph = rdflib.Graph()
    with warnings.catch_warnings():  # rdflib 7.6's N3 parser uses its own deprecated API
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        graph.parse(site.url + "id/commitment/NO9906", format=fmt)
    commitment = rdflib.URIRef(BASE + "id/commitment/NO9906")
    assert (commitment, rdflib.DCTERMS.identifier, rdflib.Literal("NO9906")) in graph


@pytest.mark.parametrize("fmt", ["nt", "n3"])
@pytest.mark.parametrize("path", ["catalog", "void", "sparql", "feed"])
def test_rdflib_reads_the_catalogue_descriptions_and_feed_as_nt_and_n3(
    site: Running, path: str, fmt: str
) -> None:
    """The same client on the other RDF documents (a real-clients audit: /catalog, /void,
    /sparql and /feed answered its "text/plain, */*;q=0.1" with Turtle, and text/n3 with 406
    or a 400 "missing query")."""
    graph = rdflib.Graph()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        graph.parse(site.url + path, format=fmt)
    assert len(graph) > 3, path


def test_nothing_acceptable_is_406_naming_the_formats(site: Running) -> None:
    resp = get(site, "id/commitment/NO9906", "image/png, text/turtle;q=0")
    assert resp.status_code == 406
    body = resp.json()
    assert body["error"] == "not-acceptable"
    assert "text/turtle" in body["message"] and "application/ld+json" in body["message"]


def test_every_rdf_format_says_the_same(site: Running) -> None:
    graphs = [
        triples(get(site, "id/commitment/NO9906", mt))
        for mt in (
            "text/turtle",
            "application/ld+json",
            "application/n-triples",
            "application/rdf+xml",
        )
    ]
    assert all(g == graphs[0] for g in graphs)
    c = ox.NamedNode(BASE + "id/commitment/NO9906")
    g = graphs[0]
    assert ox.Triple(c, ox.NamedNode(OGP + "leadAgency"), ox.NamedNode(KMD)) in g
    assert (
        ox.Triple(
            c,
            ox.NamedNode(DCT + "title"),
            ox.Literal("Offentlige journaler i alle kommuner (eksempel)", language="nb"),
        )
        in g
    )
    # incoming links are part of the description (backlinks for programs too)
    m1 = ox.NamedNode(BASE + "id/commitment/NO9906/milestone/1")
    assert ox.Triple(m1, ox.NamedNode(OGP + "ofCommitment"), c) in g


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        ("id/commitment/NO9906?format=ttl", BROWSER, "text/turtle"),
        ("id/commitment/NO9906?format=turtle", BROWSER, "text/turtle"),
        ("id/commitment/NO9906?format=jsonld", "text/turtle", "application/ld+json"),
        ("id/commitment/NO9906?format=nt", "text/turtle", "application/n-triples"),
        ("id/commitment/NO9906?format=rdf", "text/turtle", "application/rdf+xml"),
        ("id/commitment/NO9906?format=html", "text/turtle", "text/html"),
        ("id/commitment/NO9906.ttl", BROWSER, "text/turtle"),
        ("id/commitment/NO9906.jsonld", "text/turtle", "application/ld+json"),
        ("id/commitment/NO9906.nt", BROWSER, "application/n-triples"),
        ("id/commitment/NO9906.rdf", BROWSER, "application/rdf+xml"),
        ("id/commitment/NO9906.html", "text/turtle", "text/html"),
        ("id/commitment/NO9906/milestone/1.ttl", BROWSER, "text/turtle"),
        ("graph/source/pages-story.nt", BROWSER, "application/n-triples"),
        ("def/theme/open-data.jsonld", BROWSER, "application/ld+json"),
        ("def.ttl", BROWSER, "text/turtle"),
        ("def/theme.ttl", BROWSER, "text/turtle"),
        ("def/vocab/status.rdf", BROWSER, "application/rdf+xml"),
        ("def/shapes?format=ttl", BROWSER, "text/turtle"),
    ],
)
def test_format_parameter_and_file_extension_override_the_accept_header(
    site: Running, path: str, accept: str, expected: str
) -> None:
    resp = get(site, path, accept)
    assert resp.status_code == 200, resp.text[:300]
    assert media(resp) == expected
    assert "Content-Location" not in resp.headers  # the URL already names the format
    if expected != "text/html":
        assert triples(resp)


def test_an_unknown_format_parameter_is_400_with_the_allowed_values(site: Running) -> None:
    resp = get(site, "id/commitment/NO9906?format=yaml")
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == "unknown-format"
    assert "'yaml'" in body["message"] and "ttl" in body["message"]
    en = get(site, "id/commitment/NO9906?format=yaml&lang=en").json()
    assert en["message"].startswith("Unknown format 'yaml'")


def test_rdf_versions_are_advertised_in_link_headers_and_the_page(site: Running) -> None:
    resp = get(site, "id/commitment/NO9906")
    link = resp.headers["Link"]
    for ext, mt in (
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".nt", "application/n-triples"),
        (".rdf", "application/rdf+xml"),
    ):
        assert f'<{BASE}id/commitment/NO9906{ext}>; rel="alternate"; type="{mt}"' in link
    doc = Html(resp.text)
    alternates = {a["type"]: a["href"] for a in doc.all("link", rel="alternate") if "type" in a}
    assert alternates["text/turtle"] == BASE + "id/commitment/NO9906.ttl"


# -- 404 and 410 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "id/commitment/NO0000",
        "id/commitment/NO0000.ttl",
        "id/organisation/finnes-ikke",
        "id/commitment/NO0054/milestone/99",
        "graph/source/finnes-ikke",
        "def/vocab/status/finnes-ikke",
        "def/theme/finnes-ikke",
        "def/vocab/finnes-ikke",
    ],
)
def test_unknown_uris_are_404(site: Running, path: str) -> None:
    html = get(site, path)
    assert html.status_code == 404
    assert media(html) == "text/html"
    assert "Fant ikke ressursen" in html.text
    rdf = get(site, path, "text/turtle")
    assert rdf.status_code == 404
    assert rdf.json()["error"] == "not-found"


def test_a_withdrawn_commitment_is_410_with_its_reason_in_html(site: Running) -> None:
    resp = get(site, "id/commitment/NO9903")
    assert resp.status_code == 410
    doc = Html(resp.text)
    assert "Trukket tilbake" in doc.text
    assert (
        "Trukket fordi arbeidet ble lagt inn i et annet tiltak (oppdiktet begrunnelse)." in doc.text
    )
    assert "gone-successor" not in doc.ids  # withdrawn: no successor
    en = Html(get(site, "id/commitment/NO9903?lang=en").text)
    assert (
        "Withdrawn because the work was folded into another measure (invented reason)." in en.text
    )
    # the description is still there
    assert "Åpent register over tilskudd (trukket eksempel)" in "".join(doc.h1)


def test_a_superseded_commitment_is_410_with_reason_and_successor(site: Running) -> None:
    resp = get(site, "id/commitment/NO9904")
    assert resp.status_code == 410
    assert resp.headers["Link"].startswith(f'<{BASE}id/commitment/NO9905>; rel="successor-version"')
    doc = Html(resp.text)
    assert "Erstattet" in doc.text
    assert BASE + "id/commitment/NO9905" in doc.hrefs
    # the reason exists only in English: shown, marked as English
    assert "Replaced by a revised commitment after the consultation (invented reason)." in doc.text
    assert "(på engelsk)" in doc.text
    successor = get(site, "id/commitment/NO9905")
    assert successor.status_code == 200


def test_a_withdrawn_commitment_is_410_in_rdf_with_status_reason_and_successor(
    site: Running,
) -> None:
    for mt in OX_FORMATS:
        resp = get(site, "id/commitment/NO9904", mt)
        assert resp.status_code == 410
        g = triples(resp)
        c = ox.NamedNode(BASE + "id/commitment/NO9904")
        assert (
            ox.Triple(c, ox.NamedNode(OGP + "registryStatus"), ox.NamedNode(STATUS + "superseded"))
            in g
        )
        assert (
            ox.Triple(
                c, ox.NamedNode(DCT + "isReplacedBy"), ox.NamedNode(BASE + "id/commitment/NO9905")
            )
            in g
        )
        assert any(t.predicate.value == SKOS + "changeNote" for t in g)
    withdrawn = triples(get(site, "id/commitment/NO9903.ttl"))
    assert (
        ox.Triple(
            ox.NamedNode(BASE + "id/commitment/NO9903"),
            ox.NamedNode(OGP + "registryStatus"),
            ox.NamedNode(STATUS + "withdrawn"),
        )
        in withdrawn
    )
    assert get(site, "id/commitment/NO9903.ttl").status_code == 410


# -- links come from the base URI -------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["", "id/commitment/NO9906", "search?q=journal", "def", "def/theme"]
)
def test_links_come_from_the_configured_base_uri_never_from_the_request(
    site: Running, path: str
) -> None:
    resp = get(
        site, path, BROWSER, **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    )
    assert resp.status_code == 200
    assert "evil.example" not in resp.text
    host = urlsplit(site.url).netloc
    assert host not in resp.text
    doc = Html(resp.text)
    local = [h for h in doc.hrefs if h.startswith("http://localhost:8000/")]
    assert local  # style sheet, navigation, resources
    assert all(
        h.startswith(("http://localhost:8000/", "https://", "http://", "#")) for h in doc.hrefs
    )
    assert BASE + "static/pages/pages.css" in doc.hrefs


def test_the_style_sheet_is_served_from_the_package(site: Running) -> None:
    resp = get(site, "static/pages/pages.css", "text/css")
    assert resp.status_code == 200
    assert "--accent" in resp.text


# -- languages ----------------------------------------------------------------------------------
def test_pages_are_in_bokmal_by_default_with_a_switch_to_english(site: Running) -> None:
    resp = get(site, "id/commitment/NO9905", BROWSER, **{"Accept-Language": "en-US,en;q=0.9"})
    assert resp.headers["Content-Language"] == "nb"
    doc = Html(resp.text)
    assert doc.all("html")[0]["lang"] == "nb"
    switch = doc.all("a", id="lang-switch")[0]
    assert switch["href"] == BASE + "id/commitment/NO9905?lang=en"
    assert switch["lang"] == "en"
    assert "Digital innsynsportal (revidert eksempel)" in "".join(doc.h1)
    en = get(site, "id/commitment/NO9905?lang=en")
    assert en.headers["Content-Language"] == "en"
    endoc = Html(en.text)
    assert endoc.all("html")[0]["lang"] == "en"
    assert "Digital access portal (revised example)" in "".join(endoc.h1)
    assert endoc.all("a", id="lang-switch")[0]["href"] == BASE + "id/commitment/NO9905"
    # internal links keep the language; external ones do not get it
    assert BASE + "id/organisation/kommunal-og-moderniseringsdepartementet?lang=en" in endoc.hrefs
    assert BASE + "def?lang=en" in endoc.hrefs


def test_a_missing_translation_falls_back_visibly_with_its_own_lang_attribute(
    site: Running,
) -> None:
    doc = Html(get(site, "id/commitment/NO9906?lang=en").text)
    # the title exists only in bokmål: shown, marked, and the notice says so
    spans = doc.all("span", lang="nb")
    assert spans, "the bokmål title must carry lang=nb on an English page"
    assert "Offentlige journaler i alle kommuner (eksempel)" in "".join(doc.h1)
    assert "title-fallback" in doc.ids
    assert "(in Norwegian)" in doc.text
    # a bokmål page with an English-only plan title
    nb = Html(get(site, "id/commitment/NO0054").text)
    assert any(a.get("lang") == "en" for _, a in nb.elements)


# -- the commitment page ------------------------------------------------------------------------
def test_the_commitment_page_shows_what_the_issue_asks_for(site: Running) -> None:
    doc = Html(get(site, "id/commitment/NO9906").text)
    text = doc.text
    assert "Offentlige journaler i alle kommuner (eksempel)" in "".join(doc.h1)
    assert "Alle kommuner publiserer offentlig journal på nett (oppdiktet beskrivelse)." in text
    assert "Innsyn i kommunale dokumenter er vanskelig (oppdiktet problem)." in text
    assert "1. juli 2019 – juni 2021" in text  # the period at each date's precision
    for iri in (
        KMD,
        BASE + "id/organisation/kulturdepartementet",
        BASE + "id/organisation/norsk-redaktorforening",
        BASE + "id/plan/2019-2021",
        BASE + "id/proposal/sider-1",
        BASE + "def/theme/record-keeping",
        BASE + "def/vocab/ogp-value/access-to-information",
    ):
        assert iri in doc.hrefs, iri
    # milestones as a timeline, in order, each with its status (one from its latest assessment)
    timeline = re.search(
        r'<ol class="timeline">(.*?)</ol>', get(site, "id/commitment/NO9906").text, re.S
    )
    assert timeline
    items = re.findall(r"<li class=\"milestone\">(.*?)</li>", timeline.group(1), re.S)
    assert [
        re.sub(r"<[^>]+>", "", i).split("Gjennomføring")[0].strip().splitlines()[-1].strip()
        for i in items
    ] == [
        "1. Veileder for kommunene (eksempel)",
        "2. Halvparten av kommunene publiserer (eksempel)",
        "3. Alle kommuner publiserer (eksempel)",
    ]
    assert (
        "Fullført" in items[0] and "Begrenset" in items[1] and "ifølge siste vurdering" in items[1]
    )
    assert "Ikke vurdert" in items[2]
    # assessments side by side, each with who made it
    table = re.search(
        r'<table class="side-by-side">(.*?)</table>', get(site, "id/commitment/NO9906").text, re.S
    )
    assert table
    by = re.findall(r'<td class="assessed-by">(.*?)</td>', table.group(1), re.S)
    assert len(by) == 3  # two of the commitment, one of milestone 2
    # KMD, by its current name (Kommunal- og distriktsdepartementet since 2022, the same body)
    assert "Kommunal- og distriktsdepartementet" in by[0] and "Norsk journalistlag" in by[1]
    # the proposal it came from, and the comments on it
    assert "Fremmet av" in text and "Norsk redaktørforening" in text
    assert "Vi ønsker en tydeligere frist for kommunene (oppdiktet kommentar)." in text
    # which submission asserted each statement: the theme comes from both sources
    html = get(site, "id/commitment/NO9906").text
    statements = html[html.index('id="statements"') :]
    row = re.search(r"<tr>(?:(?!</tr>).)*def/theme/record-keeping.*?</tr>", statements, re.S)
    assert row
    assert BASE + "graph/source/pages-story" in row.group(0)
    assert BASE + "graph/source/pages-story-cs" in row.group(0)


def test_resource_pages_link_to_the_documentation_of_their_class_and_properties(
    site: Running,
) -> None:
    doc = Html(get(site, "id/commitment/NO9906").text)
    assert BASE + "def#Commitment" in doc.hrefs
    assert BASE + "def#leadAgency" in doc.hrefs
    assert BASE + "def#dct-title" in doc.hrefs or BASE + "def#title" in doc.hrefs


# -- organisation pages and backlinks -------------------------------------------------------------
def test_organisation_pages_list_roles_and_link_to_the_register(site: Running) -> None:
    kmd = Html(get(site, "id/organisation/kommunal-og-moderniseringsdepartementet").text)
    assert "972417858" in kmd.text
    assert "https://data.brreg.no/enhetsregisteret/api/enheter/972417858" in kmd.hrefs
    assert "Leder disse forpliktelsene" in kmd.text
    assert BASE + "id/commitment/NO9906" in kmd.hrefs  # backlink: commitment → lead → here
    assert "Har kommentert" in kmd.text and BASE + "id/comment/sider-1" in kmd.hrefs
    assert "Har gjort disse vurderingene" in kmd.text
    ed = Html(get(site, "id/organisation/norsk-redaktorforening").text)
    assert "Har fremmet disse forslagene" in ed.text and BASE + "id/proposal/sider-1" in ed.hrefs
    assert "Bidrar til disse forpliktelsene" in ed.text
    assert "Registeret kjenner ikke organisasjonsnummeret." in ed.text
    assert not any("brreg" in h for h in ed.hrefs)
    nj = Html(get(site, "id/organisation/norsk-journalistlag").text)
    assert "Har sendt inn disse kildene" in nj.text
    assert BASE + "graph/source/pages-story-cs" in nj.hrefs


def test_source_graph_pages_show_provenance_and_what_they_describe(site: Running) -> None:
    doc = Html(get(site, "graph/source/pages-story-cs").text)
    assert "commitment-story-civil-society.ttl" in doc.text
    assert JOURNALISTLAG in doc.hrefs  # submitted by
    assert BASE + "id/assessment/sider-cs" in doc.hrefs


# -- landing page, dashboard, search ---------------------------------------------------------------
def test_the_landing_page_lists_the_plans_and_draws_the_dashboard(site: Running) -> None:
    resp = get(site, "?plan=2019-2021")  # the default is the newest plan with commitments
    doc = Html(resp.text)
    assert BASE + "id/plan/2019-2021" in doc.hrefs
    assert "1. juli 2019 – 30. juni 2021" in doc.text
    svgs = doc.all("svg")
    assert {s["id"] for s in svgs} == {
        "chart-themes", "chart-milestones", "chart-progress", "chart-participation"
    }
    for s in svgs:
        assert s["role"] == "img"
        for ref in s["aria-labelledby"].split():
            assert ref in doc.ids
    for table in ("table-themes", "table-milestones", "table-participation"):
        assert table in doc.ids
    # the numbers in the tables are the registry's
    dash = PlanViews(Resources(site.registry)).dashboard(BASE + "id/plan/2019-2021", "nb")
    html = resp.text
    themes = re.search(r'id="table-themes">(.*?)</table>', html, re.S)
    assert themes
    cells = [int(x) for x in re.findall(r"<td>(\d+)</td>", themes.group(1))]
    assert cells == [b.value for b in dash.themes]
    # participation in three values (issue 19; tests/test_public_pages.py): 46 invited in 2018
    part = re.search(r'id="table-participation">(.*?)</table>', html, re.S)
    assert part
    counts = [int(x) for x in re.findall(r"<td>(\d+)</td>", part.group(1))]
    assert len(counts) == 3 and sum(counts) == 46
    records = re.search(r'id="table-participation-records">(.*?)</table>', html, re.S)
    assert records
    assert [int(x) for x in re.findall(r"<td>(\d+)</td>", records.group(1))] == [
        b.value for b in dash.participation if b.key not in ("invited", "invited-took-part")
    ]
    assert dash.participation[0].value == 46  # the 46 organisations KMD invited in 2018


def test_an_unknown_plan_in_the_dashboard_says_so(site: Running) -> None:
    doc = Html(get(site, "?plan=1999-2000").text)
    assert "Fant ingen handlingsplan med ID «1999-2000»" in doc.text
    assert "chart-themes" in doc.ids


@pytest.mark.parametrize("query", ["journaler", "JOURNALER", "Journaler"])
def test_search_is_case_insensitive(site: Running, query: str) -> None:
    doc = Html(get(site, "search?q=" + query).text)
    assert BASE + "id/commitment/NO9906" in doc.hrefs


@pytest.mark.parametrize(
    "query", ["næringslivets", "NÆRINGSLIVETS", "redaktør", "REDAKTØR", "Åpent register"]
)
def test_search_finds_ae_oe_aa_in_any_case(site: Running, query: str) -> None:
    resp = requests.get(site.url + "search", params={"q": query}, timeout=30)
    assert resp.status_code == 200
    # the list of hits alone: the heading above it repeats the query whatever was found
    found = re.search(r'<ol class="hits">(.*?)</ol>', resp.text, re.S)
    assert found, query
    hits = Html(found.group(1))
    assert [h for h in hits.hrefs if h.startswith(BASE + "id/")], query
    assert query.lower() in hits.text.lower()


def test_search_without_a_match_says_so(site: Running) -> None:
    doc = Html(get(site, "search?q=zzzqqq").text)
    assert "Ingen treff." in doc.text


# -- vocabulary documentation ------------------------------------------------------------------------
def test_the_ontology_is_documented_with_labels_definitions_domains_and_ranges(
    site: Running,
) -> None:
    resp = get(site, "def")
    doc = Html(resp.text)
    assert "leadAgency" in doc.ids and "Commitment" in doc.ids
    section = re.search(r'<section class="term" id="leadAgency".*?</section>', resp.text, re.S)
    assert section
    assert "ansvarlig virksomhet" in section.group(0)
    assert "Domene" in section.group(0) and BASE + "def#Commitment" in section.group(0)
    en = get(site, "def?lang=en").text
    assert "lead agency" in en


def test_themes_value_sets_and_shapes_are_documented(site: Running) -> None:
    theme = Html(get(site, "def/theme").text)
    assert "Åpne data" in theme.text and BASE + "def/theme/open-data" in theme.hrefs
    vocab = Html(get(site, "def/vocab").text)
    assert BASE + "def/vocab/status" in vocab.hrefs
    status = Html(get(site, "def/vocab/status").text)
    assert "Trukket tilbake" in status.text and BASE + "def/vocab/status/withdrawn" in status.hrefs
    shapes = get(site, "def/shapes").text
    assert "ogpsh:" in shapes or "https://w3id.org/ogp-no/shapes#" in shapes
    assert "OGP-ID" in shapes and "^NO[0-9]{4}$" in shapes


def test_the_vocabulary_documents_negotiate_to_the_turtle_they_come_from(site: Running) -> None:
    onto = triples(get(site, "def", "text/turtle"))
    assert (
        ox.Triple(
            ox.NamedNode(OGP + "Commitment"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
        )
        in onto
    )
    status = triples(get(site, "def/vocab/status", "text/turtle"))
    assert any(t.subject.value == STATUS + "withdrawn" for t in status)
    assert not any(
        t.subject.value.startswith("https://w3id.org/ogp-no/vocab/completion/") for t in status
    )


@pytest.mark.parametrize(
    ("uri", "target"),
    [
        ("https://w3id.org/ogp-no/def#leadAgency", BASE + "def#leadAgency"),
        ("https://w3id.org/ogp-no/def", BASE + "def"),
        ("https://w3id.org/ogp-no/vocab/status/withdrawn", BASE + "def/vocab/status/withdrawn"),
        ("https://w3id.org/ogp-no/theme/open-data", BASE + "def/theme/open-data"),
        ("https://w3id.org/ogp-no/theme/scheme", BASE + "def/theme"),
        (
            "https://w3id.org/ogp-no/shapes#Commitment-identifier",
            BASE + "def/shapes#Commitment-identifier",
        ),
    ],
)
def test_a_w3id_term_given_as_uri_redirects_to_its_local_documentation(
    site: Running, uri: str, target: str
) -> None:
    resp = requests.get(site.url + "def", params={"uri": uri}, allow_redirects=False, timeout=30)
    assert resp.status_code == 303
    assert resp.headers["Location"] == target


def test_an_unknown_uri_parameter_is_404(site: Running) -> None:
    resp = requests.get(site.url + "def", params={"uri": "https://example.org/x"}, timeout=30)
    assert resp.status_code == 404


# -- HTTP details --------------------------------------------------------------------------------------
def test_head_and_conditional_get(site: Running) -> None:
    head = requests.head(
        site.url + "id/commitment/NO9906", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert head.status_code == 200 and media(head) == "text/turtle"
    etag = head.headers["ETag"]
    again = get(site, "id/commitment/NO9906", "text/turtle", **{"If-None-Match": etag})
    assert again.status_code == 304
    html = get(site, "id/commitment/NO9906", BROWSER, **{"If-None-Match": etag})
    assert html.status_code == 200  # another representation, another tag
    # the tag a compressing proxy marks weak still matches (RFC 9110 compares weakly; a
    # real-clients audit found every revalidation behind nginx's gzip answered 200)
    weak = get(site, "id/commitment/NO9906", "text/turtle", **{"If-None-Match": "W/" + etag})
    assert weak.status_code == 304
    since = get(site, "id/commitment/NO9906", "text/turtle",
                **{"If-Modified-Since": head.headers["Last-Modified"]})
    assert since.status_code == 304
    # every negotiated document, the vocabulary's too (/def never answered 304)
    for path in ("def", "def/theme", "def/vocab", "def/shapes", "graph/provenance",
                 "def/vocab/status"):
        first = get(site, path, "text/turtle")
        assert first.status_code == 200 and first.headers.get("ETag"), path
        again = get(site, path, "text/turtle", **{"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        assert again.headers["ETag"] == first.headers["ETag"] and not again.content


def test_pages_send_a_content_security_policy_that_allows_only_this_server(site: Running) -> None:
    resp = get(site, "")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


# -- accessibility basics (WCAG 2.1 AA) -----------------------------------------------------------
A11Y_PAGES = [
    "",
    "?lang=en",
    "id/commitment/NO9906",
    "id/commitment/NO9906?lang=en",
    "id/commitment/NO9904",
    "id/organisation/kommunal-og-moderniseringsdepartementet",
    "id/plan/2019-2021",
    "id/meeting/2018-06-19",
    "graph/source/pages-story",
    "search?q=departementet",
    "def",
    "def/theme",
    "def/vocab/status",
    "def/shapes",
    "def/theme/open-data",
    "id/commitment/NO0000",
]


@pytest.mark.parametrize("path", A11Y_PAGES)
def test_pages_have_landmarks_headings_languages_and_labelled_charts(
    site: Running, path: str
) -> None:
    resp = get(site, path)
    assert media(resp) == "text/html"
    doc = Html(resp.text)
    lang = doc.all("html")[0]["lang"]
    assert lang in ("nb", "en")
    # landmarks: a skip link first, then header, navigation (labelled), main and footer
    first_link = next(a for t, a in doc.elements if t == "a")
    assert first_link["href"] == "#main" and first_link.get("class") == "skip-link"
    assert doc.all("main", id="main")
    assert doc.all("header") and doc.all("footer")
    assert all(n.get("aria-label") or n.get("aria-labelledby") for n in doc.all("nav"))
    # one h1, and heading levels never skip
    levels = [int(t[1]) for t, _ in doc.elements if re.fullmatch(r"h[1-6]", t)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    # ids are unique; references point to existing ids
    assert len(doc.ids) == len(set(doc.ids))
    for _, attrs in doc.elements:
        for key in ("aria-labelledby", "aria-describedby"):
            for ref in attrs.get(key, "").split():
                assert ref in doc.ids, (key, ref)
        if "lang" in attrs:
            assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", attrs["lang"]), attrs["lang"]
        assert "style" not in attrs
    for svg in doc.all("svg"):
        assert svg["role"] == "img" and svg["aria-labelledby"]
    # every form field has a label
    labels = {a.get("for") for a in doc.all("label")}
    for field in doc.all("input"):
        if field.get("type") != "hidden":
            assert field.get("id") in labels, field
    # scrollable regions can be reached by keyboard and are named
    for region in doc.all("div", role="region"):
        assert region.get("tabindex") == "0" and (
            region.get("aria-labelledby") or region.get("aria-label")
        )
