"""The query page in headless Chromium (issue 19): used by keyboard alone, a typed query kept in
the URL so that a copied link reproduces it (and a ``/sparql?query=…`` link opens the page),
result IRIs as links to this server's pages, RDF downloads after a CONSTRUCT, a syntax error
with its line and column and a button that puts the cursor there; axe-core (WCAG 2.1 A/AA)
finds no violation at 1280 and 390 px.

Screenshots go to ``$OGPREG_TEST_ARTEFACTS`` when it is set, else to
``test-artefacts/browser/`` in the checkout (the folder the other browser tests use), named
``query-<width>-<step>.png``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import ARTEFACTS, axe_violations, require_axe

WIDTHS = (1280, 390)
QUERY = "SELECT ?c ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id } ORDER BY ?id"
CONSTRUCT = "CONSTRUCT { ?c dct:identifier ?id } WHERE { ?c a ogp:Commitment ; dct:identifier ?id }"


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("OGPREG_TEST_ARTEFACTS") or ARTEFACTS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def tab(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A page at 1280 or 390 px whose script injection is allowed (axe-core is injected; the
    page's own Content-Security-Policy allows no inline script)."""
    require_axe()
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO",
                                  bypass_csp=True)
    p = context.new_page()
    p.set_default_timeout(20_000)
    p.width = width
    yield p
    context.close()


def check(page: Any, shots: Path, name: str) -> None:
    """A screenshot, and no axe-core violation of WCAG 2.1 A/AA."""
    page.screenshot(path=str(shots / f"query-{page.width}-{name}.png"), full_page=True)
    problems = axe_violations(page)
    assert problems == [], f"{name} at {page.width}px: " + "\n".join(problems)


def focused(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def test_the_query_page_by_keyboard_alone(tab: Any, live_site: str, shots: Path) -> None:
    page = tab
    page.goto(live_site + "query")
    check(page, shots, "01-page")
    # the skip link is the first stop; it takes the focus to the editor
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert focused(page) == "query-editor"
    page.keyboard.press("Control+A")
    page.keyboard.type(QUERY)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.results-table tbody tr")
    rows = page.locator("table.results-table tbody tr").count()
    assert rows >= 9
    # result IRIs are links to this server's pages
    href = page.locator("table.results-table a.iri").first.get_attribute("href")
    assert href.startswith("/id/commitment/"), href
    check(page, shots, "02-results")
    # Tab leaves the editor (no trap): the run button, then the prefix button, then downloads
    page.locator("#query-editor").focus()
    page.keyboard.press("Tab")
    assert focused(page) == "run-query"
    page.keyboard.press("Tab")
    assert focused(page) == "insert-prefixes"
    page.keyboard.press("Tab")
    assert focused(page) == "download-csv"
    # a syntax error: where, and a button that puts the cursor there
    page.locator("#query-editor").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT * WHERE {\n?s ?p ?o } LIMT 3")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#error:not([hidden])")
    message = page.locator("#error").inner_text()
    assert "linje 2, kolonne 12" in message and "Mente du LIMIT?" in message, message
    check(page, shots, "03-syntax-error")
    page.locator("#goto-error").focus()
    page.keyboard.press("Enter")
    assert focused(page) == "query-editor"
    caret = page.evaluate("() => document.getElementById('query-editor').selectionStart")
    assert caret == len("SELECT * WHERE {\n?s ?p ?o } ")
    # an example by keyboard: focus its button, press Enter
    page.locator("#example-list button").nth(1).focus()
    page.keyboard.press("Enter")
    assert "example=" in page.url
    assert "SELECT" in page.locator("#query-editor").input_value().upper()


def test_a_typed_query_is_in_the_url_and_a_copied_link_reproduces_it(
    tab: Any, browser: Any, live_site: str, shots: Path
) -> None:
    page = tab
    page.goto(live_site + "query")
    page.locator("#query-editor").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(CONSTRUCT)
    page.wait_for_function("() => new URL(location.href).searchParams.get('query') !== null "
                           "&& new URL(location.href).searchParams.get('query').endsWith('?id }')")
    shared = page.url
    assert "example=" not in shared
    # after a CONSTRUCT the downloads are RDF, and they answer
    assert page.locator("#downloads-solutions").is_hidden()
    assert page.locator("#downloads-graph").is_visible()
    for ident, media in (("download-turtle", "text/turtle"),
                         ("download-ntriples", "application/n-triples"),
                         ("download-jsonld", "application/ld+json")):
        href = page.locator(f"#{ident}").get_attribute("href")
        resp = page.request.get(live_site.rstrip("/") + href)
        assert resp.status == 200 and resp.headers["content-type"].startswith(media), ident
    # the language switch carries the query too
    assert "query=" in page.locator("#lang-switch").get_attribute("href")
    # the copied link, opened in a new page: the same query, and its answer
    other = page.context.new_page()
    other.width = page.width
    other.goto(shared)
    assert other.locator("#query-editor").input_value() == CONSTRUCT
    other.wait_for_selector("table.results-table tbody tr")
    check(other, shots, "04-shared-link")
    # a /sparql?query=… link opened in the browser: the page with that query, not a download
    other.goto(live_site + "sparql?" + urlencode({"query": QUERY}))
    assert other.locator("#query-editor").input_value() == QUERY
    other.wait_for_selector("table.results-table tbody tr")
    check(other, shots, "05-sparql-link")
    other.close()
