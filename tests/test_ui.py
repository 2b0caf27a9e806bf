"""The query UI (``/query``, and ``/sparql`` for browsers): served by the real app under the real
WSGI server on a free port, with its examples, prefixes, language switch, accessibility basics,
nothing loaded from other hosts, and its contract with the SPARQL protocol (the requests the
page's script sends get the answers it reads). Browser (Chromium) tests of the page's script
live with the pages (issue 6)."""

from __future__ import annotations

import csv
import fnmatch
import io
import re
import shutil
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import pytest
import requests

from endpoint.app import create_app
from endpoint.pages.query import CONTENT_SECURITY_POLICY, load_examples
from endpoint.server import Server
from registry.namespaces import PREFIXES
from registry.service import Registry, open_registry
from tests.conftest import BASE, make_settings

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "endpoint" / "static" / "ui"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# What the page's script sends (endpoint/static/ui/query.js, run()).
PAGE_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.5, */*;q=0.1"
)


class Page(HTMLParser):
    """The elements of an HTML page as (tag, attributes, text inside) in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("meta", "link", "input", "br", "img", "hr"):
            self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self.elements[self._open[i]][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for i in self._open:
            self.elements[i][2].append(data)

    def by_id(self, ident: str) -> tuple[str, dict[str, str], str]:
        found = [(t, a, "".join(x)) for t, a, x in self.elements if a.get("id") == ident]
        assert len(found) == 1, f"#{ident} appears {len(found)} times"
        return found[0]

    def all(self, tag: str) -> list[tuple[dict[str, str], str]]:
        return [(a, "".join(x)) for t, a, x in self.elements if t == tag]


@pytest.fixture(scope="module")
def server(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Registry]]:
    """The endpoint under its production server (waitress) on a free port."""
    path = tmp_path_factory.mktemp("ui") / "store"
    shutil.copytree(initialised_store, path)
    reg = open_registry(make_settings(path))
    srv = Server(create_app(reg.settings, registry=reg), port=0, threads=4).start_in_thread()
    try:
        yield srv.url, reg
    finally:
        srv.close()


@pytest.fixture(scope="module")
def url(server: tuple[str, Registry]) -> str:
    return server[0]


def get_page(url: str, path: str = "query", **kw: object) -> tuple[requests.Response, Page]:
    resp = requests.get(urljoin(url, path), timeout=30, **kw)  # type: ignore[arg-type]
    assert resp.status_code == 200, resp.text
    return resp, Page(resp.text)


# -- the page --------------------------------------------------------------------------------
def test_the_page_is_bokmal_by_default_with_the_required_elements(url: str) -> None:
    resp, page = get_page(url)
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.headers["Content-Language"] == "nb"
    assert page.all("html")[0][0]["lang"] == "nb"
    tag, attrs, text = page.by_id("query-editor")
    assert tag == "textarea" and attrs["name"] == "query"
    labels = [a for a, _ in page.all("label") if a.get("for") == "query-editor"]
    assert len(labels) == 1, "the editor needs exactly one label"
    tag, attrs, text = page.by_id("run-query")
    assert tag == "button" and attrs["type"] == "submit" and text == "Kjør spørringen"
    assert page.by_id("results")[0] == "section"
    tag, attrs, _ = page.by_id("error")
    assert attrs["role"] == "alert" and "hidden" in attrs
    assert page.by_id("example-list")[0] == "ul"
    # landmarks, one h1, a skip link to the editor
    tags = [t for t, _, _ in page.elements]
    for landmark in ("header", "main", "aside", "footer", "nav"):
        assert landmark in tags, landmark
    assert len(page.all("h1")) == 1
    assert page.all("a")[0][0]["href"] == "#query-editor"


def test_the_page_lists_every_example_with_its_bokmal_question(url: str) -> None:
    _, page = get_page(url)
    buttons = [(a, text) for a, text in page.all("button") if "data-example" in a]
    examples = load_examples()
    assert [a["data-example"] for a, _ in buttons] == [e.stem for e in examples]
    assert [text for _, text in buttons] == [e.title_nb for e in examples]
    assert all(a["type"] == "button" for a, _ in buttons)
    # The first example is in the editor, with the PREFIX lines it uses.
    editor = page.by_id("query-editor")[2]
    assert editor == examples[0].query
    assert f"PREFIX ogp: <{PREFIXES['ogp']}>" in editor
    assert buttons[0][0].get("aria-current") == "true"


def test_an_english_browser_still_gets_bokmal_until_it_asks_with_lang_en(url: str) -> None:
    resp, page = get_page(url, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert resp.headers["Content-Language"] == "nb"
    assert page.all("html")[0][0]["lang"] == "nb"
    assert page.by_id("run-query")[2] == "Kjør spørringen"


def test_english_on_request_with_a_switch_back(url: str) -> None:
    resp, page = get_page(url, "query?lang=en")
    assert resp.headers["Content-Language"] == "en"
    assert page.all("html")[0][0]["lang"] == "en"
    assert page.by_id("run-query")[2] == "Run the query"
    titles = [text for a, text in page.all("button") if "data-example" in a]
    assert titles == [e.title_en for e in load_examples()]
    # the site's header (pages/_site_header.html), with links to this server
    _, attrs, text = page.by_id("lang-switch")
    assert (attrs["lang"], attrs["href"], text) == ("nb", "/query", "Norsk (bokmål)")
    _, page_nb = get_page(url)
    _, attrs, text = page_nb.by_id("lang-switch")
    assert (attrs["lang"], attrs["href"], text) == ("en", "/query?lang=en", "English")


def test_the_page_knows_the_registry_prefixes(url: str) -> None:
    _, page = get_page(url)
    cells = [text for _, text in page.all("code")]
    for prefix, ns in PREFIXES.items():
        assert f"{prefix}:" in cells and ns in cells, prefix
    data = page.by_id("ui-data")[2]
    for ns in PREFIXES.values():
        assert ns in data


def test_an_example_or_a_query_can_be_opened_by_link_and_is_escaped(url: str) -> None:
    _, page = get_page(url, "query?example=overdue-milestones")
    overdue = {e.stem: e for e in load_examples()}["overdue-milestones"]
    assert page.by_id("query-editor")[2] == overdue.query
    hostile = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    resp, page = get_page(url, "query", params={"query": hostile})
    assert page.by_id("query-editor")[2] == hostile
    assert "<script>alert(1)" not in resp.text
    _, page = get_page(url, "query?example=no-such-example")
    assert page.by_id("query-editor")[2] == load_examples()[0].query


def test_download_links_ask_the_endpoint_for_csv_and_json_of_the_query(
    server: tuple[str, Registry],
) -> None:
    url, reg = server
    _, page = get_page(url)
    # the page opens with the first example; its answer, asked of the registry directly
    expected = reg.query(load_examples()[0].query)
    assert isinstance(expected, ox.QuerySolutions)
    assert [v.value for v in expected.variables] == ["lead", "id", "title"]
    ids = [str(sol["id"].value) for sol in expected]
    # among them the 2019–2021 plan's nine (the store holds every bundled plan)
    assert {f"NO00{n}" for n in range(54, 63)} <= set(ids)
    for ident, media in (("download-csv", "text/csv"), ("download-json", "application/sparql")):
        _, attrs, _ = page.by_id(ident)
        assert attrs["href"].startswith("/sparql?")
        resp = requests.get(urljoin(url, attrs["href"]), timeout=60)
        assert resp.status_code == 200, resp.text
        assert resp.headers["Content-Type"].startswith(media)
        if media == "text/csv":
            rows = list(csv.reader(io.StringIO(resp.text)))
            assert rows[0] == ["lead", "id", "title"]
            assert len(rows) == 1 + len(ids)  # header + one row per (lead, commitment)
            assert [row[1] for row in rows[1:]] == ids
        else:
            bindings = resp.json()["results"]["bindings"]
            assert len(bindings) == len(ids)
            assert [b["id"]["value"] for b in bindings] == ids
        assert "NO0061" in resp.text


def test_sparql_shows_the_page_to_a_browser_without_a_query(url: str) -> None:
    resp, page = get_page(url, "sparql", headers={"Accept": BROWSER_ACCEPT})
    assert resp.headers["Content-Type"].startswith("text/html")
    assert page.by_id("query-editor")[0] == "textarea"
    assert len([a for a, _ in page.all("button") if "data-example" in a]) >= 12


# -- nothing from other hosts ----------------------------------------------------------------
def test_the_page_loads_nothing_from_other_hosts(url: str) -> None:
    resp, page = get_page(url)
    assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    loads = [a.get("src", "") for t, a, _ in page.elements if t in ("script", "img", "iframe")]
    loads += [a["href"] for a, _ in page.all("link") if a.get("rel") == "stylesheet"]
    loads += [a["action"] for a, _ in page.all("form")]
    assert len([x for x in loads if x]) >= 3
    for ref in filter(None, loads):
        parts = urlsplit(ref)
        assert not parts.scheme and not parts.netloc, f"{ref} is loaded from another host"
    # Every link and script on the page is on this server, apart from the data's own IRIs
    # (the prefix table and example queries, which are text, not loads).
    text_without_data = re.sub(r"<script type=\"application/json\".*?</script>", "", resp.text,
                               flags=re.DOTALL)
    for m in re.finditer(r"(?:src|href|action)=\"([^\"]*)\"", text_without_data):
        assert not urlsplit(m.group(1)).netloc, m.group(0)


def test_the_script_and_style_sheet_name_no_other_host() -> None:
    js = (STATIC / "query.js").read_text("utf-8")
    css = (STATIC / "query.css").read_text("utf-8")
    for name, text in (("query.js", js), ("query.css", css)):
        assert "http://" not in text and "https://" not in text, name
        assert not re.search(r"['\"(]//\w", text), f"{name} has a protocol-relative URL"
    assert "@import" not in css and "url(" not in css
    assert "import(" not in js and "XMLHttpRequest" not in js and "WebSocket" not in js
    # the only request the script makes is fetch() of the endpoint's own URL
    assert re.findall(r"fetch\(([^,]+),", js) == ["data.sparql"]


def test_static_assets_are_served_with_their_content_types(url: str) -> None:
    _, page = get_page(url)
    script = [a["src"] for t, a, _ in page.elements if t == "script" and a.get("src")]
    sheet = [a["href"] for a, _ in page.all("link") if a.get("rel") == "stylesheet"]
    # the page's script, and the pages' scrolling-region script (the answer's table region)
    assert len(script) == 2 and len(sheet) == 1
    js = ("text/javascript", "application/javascript")
    for ref, types, local in (
        (script[0], js, STATIC / "query.js"),
        (script[1], js, STATIC.parent / "pages" / "scroll.js"),
        (sheet[0], ("text/css",), STATIC / "query.css"),
    ):
        resp = requests.get(urljoin(url, ref), timeout=30)
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].split(";")[0] in types, resp.headers["Content-Type"]
        assert resp.content == local.read_bytes()


def test_the_package_data_globs_ship_every_ui_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["endpoint"]
    shipped = [
        p.relative_to(ROOT / "endpoint").as_posix()
        for folder in ("examples", "templates/ui", "static/ui")
        for p in (ROOT / "endpoint" / folder).rglob("*")
        if p.is_file()
    ]
    assert len(shipped) >= 12 + 3
    for f in shipped:
        assert any(fnmatch.fnmatch(f, g) for g in globs), f"{f} is not package data"


# -- accessibility: contrast -----------------------------------------------------------------
def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_colours_meet_wcag_aa_contrast() -> None:
    css = (STATIC / "query.css").read_text("utf-8")
    root = css.split(":root {", 1)[1].split("}", 1)[0]
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6});", root))
    pairs = [(fg, "bg") for fg in ("fg", "muted", "accent")]
    pairs += [(fg, "panel") for fg in ("fg", "muted", "accent")]
    pairs += [(name, "editor-bg") for name in colours if name.startswith("tok-")]
    pairs += [("accent-fg", "accent"), ("error-fg", "error-bg"), ("notice-fg", "notice-bg")]
    assert len(pairs) >= 18
    for fg, bg in pairs:
        ratio = contrast(colours[fg], colours[bg])
        assert ratio >= 4.5, f"--{fg} on --{bg}: {ratio:.2f}:1 (needs 4.5:1)"
    # the focus ring and the borders of controls are non-text: 3:1
    for name in ("focus", "border"):
        assert contrast(colours[name], colours["bg"]) >= 3, name
    assert contrast("#777777", "#ffffff") < 4.5  # the check can fail


# -- the page's contract with the protocol ---------------------------------------------------
def test_each_example_posted_as_the_page_does_gets_its_answer_as_sparql_json(
    server: tuple[str, Registry],
) -> None:
    url, reg = server
    for e in load_examples():
        resp = requests.post(
            urljoin(url, "sparql"),
            data={"query": e.query},
            headers={"Accept": PAGE_ACCEPT, "Accept-Language": "nb"},
            timeout=60,
        )
        assert resp.status_code == 200, (e.stem, resp.text)
        assert resp.headers["Content-Type"].startswith("application/sparql-results+json")
        answer = resp.json()
        expected = reg.query(e.text)
        assert isinstance(expected, ox.QuerySolutions)
        assert answer["head"]["vars"] == [v.value for v in expected.variables], e.stem
        assert len(answer["results"]["bindings"]) == len(list(expected)), e.stem


def test_a_construct_from_the_page_gets_n_triples_and_an_error_has_a_message(url: str) -> None:
    resp = requests.post(
        urljoin(url, "sparql"),
        # the 2019–2021 plan's nine commitments (the store holds every bundled plan)
        data={
            "query": "CONSTRUCT { ?c a ogp:Commitment } WHERE { ?c a ogp:Commitment ; "
            f"ogp:inActionPlan <{BASE}id/plan/2019-2021> }}"
        },
        headers={"Accept": PAGE_ACCEPT},
        timeout=60,
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/n-triples")
    assert len(resp.text.strip().splitlines()) == 9
    bad = requests.post(
        urljoin(url, "sparql"),
        data={"query": "SELECT * WHERE { ?s ?p }"},
        headers={"Accept": PAGE_ACCEPT, "Accept-Language": "en"},
        timeout=60,
    )
    assert bad.status_code == 400
    # The page reads {"error", "message", "status"} or, failing that, the plain text.
    if bad.headers["Content-Type"].startswith("application/json"):
        body = bad.json()
        assert body["status"] == 400 and body["message"] and body["error"]
    else:
        assert bad.text.strip()


def test_the_sparql_html_hook_is_registered(server: tuple[str, Registry]) -> None:
    _, reg = server
    app = create_app(reg.settings, registry=reg)
    hook = app.extensions["ogpreg"].extras["sparql_html"]
    with app.test_request_context("/sparql?lang=en"):
        resp = hook()
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert 'lang="en"' in resp.get_data(as_text=True)
