"""History on the pages and in SPARQL (docs/lifecycle.md, "As of"), over a real socket: the
timeline on every item page, version pages (HTML and RDF), ``?as_of=`` pages (earlier state,
404 before the item existed, 410 after it was deleted) and ``/sparql?as_of=`` queries, on a
store whose history comes from real loads (tests/history_store.py: NO9921 created on
20 June 2019 and revised on 2 September 2019, NO9922 created and then deleted; all invented).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from tests.conftest import BASE
from tests.endpoint_server import Running, running
from tests.history_store import TITLE_V1, TITLE_V2, history_store
from tests.test_pages import (
    BROWSER,
    Html,
    media,
    triples,
)
from tests.test_pages import (
    test_pages_have_landmarks_headings_languages_and_labelled_charts as accessibility_basics,
)

DCT = "http://purl.org/dc/terms/"
OGP = "https://w3id.org/ogp-no/def#"
C21 = "id/commitment/NO9921"
C22 = "id/commitment/NO9922"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = history_store(tmp_path_factory.mktemp("asof"), tmp_path_factory.getbasetemp())
    with running(store) as r:
        yield r


def get(site: Running, path: str, accept: str | None = BROWSER) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return requests.get(site.url + path, headers=headers, allow_redirects=False, timeout=30)


def h1(doc: Html) -> str:
    return "".join(doc.h1).strip()


def version_rows(doc: Html) -> list[str]:
    return [a["id"] for a in doc.all("tr") if a.get("id", "").startswith("version-")]


# -- the timeline -------------------------------------------------------------------------------
def test_every_item_page_shows_its_versions_linking_to_each(site: Running) -> None:
    resp = get(site, C21)
    assert resp.status_code == 200
    doc = Html(resp.text)
    assert "history" in doc.ids and "history-heading" in doc.ids
    assert version_rows(doc) == ["version-2", "version-3"]
    for n in (2, 3):
        assert f"{BASE}{C21}/version/{n}" in doc.hrefs
    assert "Opprettet" in doc.text and "Endret" in doc.text
    assert "Kommunal- og distriktsdepartementet" in doc.text  # who: KMD, by its current name
    assert BASE + "graph/source/history-example" in doc.hrefs  # which source
    assert "1. juni 2019" not in doc.text and "20. juni 2019 kl. 10:00" in doc.text  # Oslo time
    # the versions are not listed again as backlinks
    assert doc.hrefs.count(f"{BASE}{C21}/version/2") == 1  # only in the timeline
    bundled = Html(get(site, "id/commitment/NO0054").text)
    assert version_rows(bundled) == ["version-1"]
    assert "1. juni 2019 kl. 12:00" in bundled.text


def test_a_deleted_item_answers_410_with_a_notice_and_its_history(site: Running) -> None:
    resp = get(site, C22)
    assert resp.status_code == 410
    doc = Html(resp.text)
    assert "deleted" in doc.ids and "Slettet" in doc.text
    assert "2. september 2019 kl. 10:00" in doc.text
    assert h1(doc) == "Forpliktelse som blir fjernet (eksempel)"  # its last known title
    assert version_rows(doc) == ["version-2", "version-3"]
    rdf = get(site, C22, "text/turtle")
    assert rdf.status_code == 410
    g = triples(rdf)
    v3 = ox.NamedNode(f"{BASE}{C22}/version/3")
    assert ox.Triple(v3, ox.NamedNode(OGP + "versionAction"), ox.NamedNode(OGP + "Delete")) in g


# -- version pages ---------------------------------------------------------------------------------
def test_a_version_page_shows_that_version_and_what_changed(site: Running) -> None:
    first = get(site, C21 + "/version/2")
    assert first.status_code == 200 and media(first) == "text/html"
    doc = Html(first.text)
    assert h1(doc) == TITLE_V1
    assert BASE + C21 + "/version/2" in doc.text  # its own stable URI
    assert "Dette er den første versjonen." in doc.text and "changes" not in doc.ids
    assert BASE + C21 == next(a["href"] for a in doc.all("a", id="current-link"))
    second = Html(get(site, C21 + "/version/3").text)
    assert h1(second) == TITLE_V2
    changes = second.text.split("Endringer fra forrige versjon", 1)[1]
    assert f"Fjernet tittel {TITLE_V1}" in changes and f"Lagt til tittel {TITLE_V2}" in changes
    assert "Dette er den nyeste versjonen." in second.text
    # the row of the version shown is marked
    assert [a["id"] for a in second.all("tr", **{"aria-current": "true"})] == ["version-3"]


def test_a_version_in_rdf_is_its_snapshot_with_version_and_change_metadata(site: Running) -> None:
    v2 = ox.NamedNode(f"{BASE}{C21}/version/2")
    item = ox.NamedNode(BASE + C21)
    graphs = []
    for path, accept in (
        (C21 + "/version/2", "text/turtle"),
        (C21 + "/version/2.ttl", BROWSER),
        (C21 + "/version/2?format=nt", BROWSER),
        (C21 + "/version/2", "application/ld+json"),
        (C21 + "/version/2.rdf", BROWSER),
    ):
        resp = get(site, path, accept)
        assert resp.status_code == 200, path
        graphs.append(triples(resp))
    assert all(g == graphs[0] for g in graphs)
    g = graphs[0]
    assert ox.Triple(item, ox.NamedNode(DCT + "title"), ox.Literal(TITLE_V1, language="nb")) in g
    assert ox.Triple(v2, ox.NamedNode(DCT + "isVersionOf"), item) in g
    assert ox.Triple(v2, ox.NamedNode(OGP + "versionAction"), ox.NamedNode(OGP + "Create")) in g
    change = ox.NamedNode(BASE + "id/change/2")
    assert ox.Triple(v2, ox.NamedNode(OGP + "inChange"), change) in g
    assert any(t.subject == change and t.predicate.value.endswith("atTime") for t in g)
    assert not any(t.object == ox.Literal(TITLE_V2, language="nb") for t in g)


@pytest.mark.parametrize(
    "path", [C21 + "/version/1", C21 + "/version/99", "id/commitment/NO0000/version/1"]
)
def test_an_unknown_version_is_404(site: Running, path: str) -> None:
    assert get(site, path).status_code == 404
    assert get(site, path, "text/turtle").json()["error"] == "not-found"


# -- as_of pages ------------------------------------------------------------------------------------
def test_as_of_a_date_before_the_resubmission_shows_the_earlier_state(site: Running) -> None:
    resp = get(site, C21 + "?as_of=2019-07-01")
    assert resp.status_code == 200
    doc = Html(resp.text)
    assert h1(doc) == TITLE_V1
    assert "as-of" in doc.ids
    assert "Slik det var ved utgangen av 1. juli 2019" in doc.text
    assert "versjon 2" in doc.text
    assert BASE + C21 in [a["href"] for a in doc.all("a", id="current-link")]
    assert "Første versjon av en oppdiktet forpliktelse." in doc.text
    assert "Andre versjon" not in doc.text
    later = Html(get(site, C21 + "?as_of=2019-09-02").text)  # the end of the day of v2
    assert h1(later) == TITLE_V2
    current = Html(get(site, C21).text)
    assert h1(current) == TITLE_V2 and "as-of" not in current.ids


def test_as_of_in_english_and_with_a_timestamp(site: Running) -> None:
    en = Html(get(site, C21 + "?as_of=2019-07-01&lang=en").text)
    assert "As it stood at the end of 1 July 2019" in en.text
    assert h1(en).startswith("Open change log (example)")
    just_before = Html(get(site, C21 + "?as_of=2019-09-02T09:59:59%2B02:00").text)
    assert h1(just_before) == TITLE_V1
    at = Html(get(site, C21 + "?as_of=2019-09-02T08:00:00Z").text)
    assert h1(at) == TITLE_V2


def test_as_of_in_rdf_is_the_version_then(site: Running) -> None:
    resp = get(site, C21 + "?as_of=2019-07-01", "text/turtle")
    assert resp.status_code == 200 and media(resp) == "text/turtle"
    assert resp.headers["Content-Location"] == f"{BASE}{C21}/version/2.ttl"
    g = triples(resp)
    title = ox.NamedNode(DCT + "title")
    item = ox.NamedNode(BASE + C21)
    assert ox.Triple(item, title, ox.Literal(TITLE_V1, language="nb")) in g
    assert ox.Triple(item, title, ox.Literal(TITLE_V2, language="nb")) not in g


def test_as_of_before_the_item_existed_is_404_and_after_its_deletion_410(site: Running) -> None:
    before = get(site, C21 + "?as_of=2019-06-19")
    assert before.status_code == 404
    doc = Html(before.text)
    assert "Fantes ikke da" in h1(doc) and "19. juni 2019" in doc.text
    assert version_rows(doc) == ["version-2", "version-3"]  # when it did exist
    assert get(site, C21 + "?as_of=2019-06-19", "text/turtle").json()["error"] == "not-found"
    alive = get(site, C22 + "?as_of=2019-07-01")
    assert alive.status_code == 200
    assert h1(Html(alive.text)) == "Forpliktelse som blir fjernet (eksempel)"
    gone = get(site, C22 + "?as_of=2019-09-03")
    assert gone.status_code == 410
    assert "deleted" in Html(gone.text).ids
    bundled = get(site, "id/commitment/NO0054?as_of=2019-05-31")
    assert bundled.status_code == 404  # recorded on 1 June 2019


def test_a_bad_as_of_is_400(site: Running) -> None:
    resp = get(site, C21 + "?as_of=1.7.2019")
    assert resp.status_code == 400
    assert resp.json()["error"] == "bad-as-of"
    assert "2019-07-01" in resp.json()["message"]


HISTORY_PAGES = [
    C21,
    C21 + "?lang=en",
    C21 + "/version/2",
    C21 + "/version/3?lang=en",
    C21 + "?as_of=2019-07-01",
    C21 + "?as_of=2019-06-19",
    C22,
    C22 + "?as_of=2019-09-03",
    C22 + "/version/3",
]


@pytest.mark.parametrize("path", HISTORY_PAGES)
def test_history_pages_keep_the_accessibility_basics(site: Running, path: str) -> None:
    accessibility_basics(site, path)


# -- SPARQL as of a date -----------------------------------------------------------------------------
TITLES = f"SELECT ?t WHERE {{ <{BASE}{C21}> dct:title ?t FILTER (lang(?t) = 'nb') }}"
EXISTS = f"ASK {{ <{BASE}{C22}> a ogp:Commitment }}"


def ask(site: Running, query: str, as_of: str | None = None, **params: str) -> requests.Response:
    args = {"query": query, **params}
    if as_of is not None:
        args["as_of"] = as_of
    return requests.get(
        site.sparql,
        params=args,
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )


def titles(resp: requests.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [b["t"]["value"] for b in resp.json()["results"]["bindings"]]


def test_sparql_as_of_returns_the_earlier_state(site: Running) -> None:
    assert titles(ask(site, TITLES)) == [TITLE_V2]
    assert titles(ask(site, TITLES, "2019-07-01")) == [TITLE_V1]
    assert titles(ask(site, TITLES, "2019-09-02")) == [TITLE_V2]
    assert titles(ask(site, TITLES, "2019-06-19")) == []
    assert ask(site, EXISTS, "2019-07-01").json()["boolean"] is True
    assert ask(site, EXISTS, "2019-09-03").json()["boolean"] is False
    assert ask(site, EXISTS).json()["boolean"] is False
    resp = ask(site, TITLES, "2019-07-01")
    assert resp.headers["OGP-As-Of"] == "2019-07-01T21:59:59.999999+00:00"
    # the same by POST, with as_of in the URL
    post = requests.post(
        site.sparql + "?as_of=2019-07-01",
        data={"query": TITLES},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert titles(post) == [TITLE_V1]


def test_sparql_as_of_sees_item_descriptions_in_one_default_graph(site: Running) -> None:
    resp = ask(site, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "2019-07-01")
    assert resp.json()["results"]["bindings"][0]["n"]["value"] == "0"
    count = ask(site, "SELECT (COUNT(*) AS ?n) WHERE { ?s a ogp:Commitment }", "2019-07-01")
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == 9 + 2  # bundled + invented


def test_sparql_as_of_refuses_bad_dates_and_explicit_datasets(site: Running) -> None:
    bad = ask(site, TITLES, "juli 2019")
    assert bad.status_code == 400 and bad.json()["error"] == "bad-as-of"
    with_graph = ask(site, TITLES, "2019-07-01", **{"default-graph-uri": BASE + "graph/history"})
    assert with_graph.status_code == 400 and with_graph.json()["error"] == "as-of-with-dataset"


def test_the_pure_sparql_way_reads_versions_in_the_history_graph(site: Running) -> None:
    """docs/queries.md: the versions current at a date, without as_of."""
    from endpoint.pages.query import load_examples

    example = {e.stem: e for e in load_examples()}["commitments-as-of-date"]
    resp = requests.get(
        site.sparql,
        params={"query": example.text},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    rows = {
        b["commitment"]["value"]: b["version"]["value"] for b in resp.json()["results"]["bindings"]
    }
    assert rows[BASE + C21] == f"{BASE}{C21}/version/2"  # as it stood on 1 July 2019
    assert rows[BASE + C22] == f"{BASE}{C22}/version/2"
    assert len(rows) == 9 + 2


def test_sparql_as_of_keeps_the_timeout(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The as-of state is built in the query worker, so the timeout kills it like any query."""
    store = history_store(tmp_path_factory.mktemp("asof-timeout"), tmp_path_factory.getbasetemp())
    with running(store, query_timeout=1.0, query_workers=1) as r:
        x4 = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l"
        resp = ask(r, f"SELECT (COUNT(*) AS ?n) WHERE {{ {x4} }}", "2019-07-01")
        assert resp.status_code == 504
        assert resp.json()["error"] == "query-timeout"
