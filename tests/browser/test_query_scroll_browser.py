"""The query page's answer table is a Tab stop only while it scrolls (WCAG 2.1.1, 2.4.3), in
headless Chromium on the real server (``live_site``: waitress and granian).

The answer sits in a ``.table-scroll`` region with ``tabindex="0"`` (the server's table for a
browser without JavaScript, endpoint/templates/ui/query.html, and the table query.js draws), so
it was a Tab stop announced as a region even where the table fits and nothing scrolls. The
pages' ``scroll.js`` (endpoint/static/pages/scroll.js), which already did this for the pages'
``.scroll`` regions, now also takes the query page's regions, the ones query.js adds after
every run included: a region is a Tab stop only while its table overflows it. Without
JavaScript it stays a Tab stop (the safe side). See docs/pages.md, "Scrolling regions".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import axe_violations, require_axe

NARROW = "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"
#: digits do not wrap: four columns of 24 digits are wider than a phone (invented numbers)
WIDE = ("SELECT * WHERE { VALUES (?a ?b ?c ?d) { (123456789012345678901234 "
        "223456789012345678901234 323456789012345678901234 423456789012345678901234) } }")
#: three columns: fit beside the examples at 1280 px, not at 390 px
MEDIUM = ("SELECT * WHERE { VALUES (?a ?b ?c) { (1234567890123456 2234567890123456 "
          "3234567890123456) } }")

#: The answer's region: shown, whether its table overflows it, its tabindex, role and name.
REGION = r"""() => { const e = document.querySelector('#results-body .table-scroll');
  if (!e) return null;
  return {over: e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1,
          tab: e.getAttribute('tabindex'), role: e.getAttribute('role'),
          name: e.getAttribute('aria-label'),
          columns: e.querySelectorAll('thead th').length}; }"""

#: scroll.js has seen the region: its tabindex says whether it overflows.
SETTLED = r"""(n) => { const e = document.querySelector('#results-body .table-scroll');
  return !!e && e.querySelectorAll('thead th').length === n
    && (e.getAttribute('tabindex') === '0')
       === (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1); }"""


#: The focus to the top of the page (a focused region keeps its tabindex: scroll.js never
#: takes a region out of the Tab order under the reader's focus).
TOP = ("() => { const b = document.body; b.tabIndex = -1; b.focus();"
       " b.removeAttribute('tabindex'); }")


def region_is_a_tab_stop(page: Any) -> bool:
    """Tab from the top of the page to its last stop: whether the answer's region is one.
    The focus goes back to the top afterwards."""
    page.evaluate(TOP)
    seen: set[int] = set()
    try:
        for _ in range(300):
            page.keyboard.press("Tab")
            here = page.evaluate(
                "() => { const e = document.activeElement;"
                " if (!e || e === document.body) return null;"
                " return {key: [...document.querySelectorAll('*')].indexOf(e),"
                " region: e.matches('#results-body .table-scroll')}; }")
            if here is None or here["key"] in seen:
                return False
            if here["region"]:
                return True
            seen.add(here["key"])
        raise AssertionError("no end to the Tab order")
    finally:
        page.evaluate(TOP)


def run(page: Any, query: str, columns: int) -> dict[str, Any]:
    """Type ``query``, run it with the button, wait for its table; the region's state."""
    page.fill("#query-editor", query)
    page.click("#run-query")
    page.wait_for_function(SETTLED, arg=columns)
    found: dict[str, Any] = page.evaluate(REGION)
    assert found["role"] == "region" and found["name"], found
    return found


@pytest.mark.parametrize("width", (1280, 390))
def test_the_answer_is_a_tab_stop_only_when_it_scrolls(
    tab: Callable[..., Any], live_site: str, width: int
) -> None:
    require_axe()
    page = tab(width)
    page.goto(live_site + "query")
    narrow = run(page, NARROW, 1)
    assert not narrow["over"] and narrow["tab"] is None, narrow
    assert not region_is_a_tab_stop(page)
    assert axe_violations(page) == []
    wide = run(page, WIDE, 4)
    if width < 800:
        assert wide["over"] and wide["tab"] == "0", wide
        assert region_is_a_tab_stop(page)
        # scrolled by keyboard: the focused region moves sideways with the arrow keys
        page.focus("#results-body .table-scroll")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement.scrollLeft > 0")
        assert axe_violations(page) == []
    assert region_is_a_tab_stop(page) == wide["over"]
    # and back to a table that fits: out of the Tab order again
    again = run(page, NARROW, 1)
    assert again["tab"] is None and not region_is_a_tab_stop(page)


def test_the_answer_follows_the_window(tab: Callable[..., Any], live_site: str) -> None:
    """A table that fits at 1280 px overflows at 390 px: the region becomes a Tab stop when
    the window narrows, and leaves the Tab order when it widens again."""
    page = tab(1280)
    page.goto(live_site + "query")
    found = run(page, MEDIUM, 3)
    assert not found["over"] and found["tab"] is None, found
    page.set_viewport_size({"width": 390, "height": 900})
    page.wait_for_function("() => document.querySelector('#results-body .table-scroll')"
                           ".getAttribute('tabindex') === '0'")
    assert page.evaluate(REGION)["over"]
    assert region_is_a_tab_stop(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("() => !document.querySelector('#results-body .table-scroll')"
                           ".hasAttribute('tabindex')")
    assert not region_is_a_tab_stop(page)


@pytest.mark.parametrize("query", (NARROW, WIDE))
def test_the_servers_answer_is_fitted_too(
    tab: Callable[..., Any], live_site: str, query: str
) -> None:
    """The page with its answer drawn by the server (``run=1``, the form sent without
    JavaScript, opened in a browser with it): scroll.js fits the server's region at load."""
    page = tab(390)
    page.goto(live_site + "query?" + urlencode({"query": query, "run": "1"}))
    page.wait_for_function(SETTLED, arg=1 if query == NARROW else 4)
    found = page.evaluate(REGION)
    assert found["over"] == (query == WIDE) and region_is_a_tab_stop(page) == found["over"]


@pytest.mark.parametrize("query", (NARROW, WIDE))
def test_without_javascript_the_answer_stays_a_tab_stop(
    tab: Callable[..., Any], live_site: str, query: str
) -> None:
    """No script decides whether the table fits: the server's region keeps tabindex 0, so a
    keyboard can always reach (and scroll) it."""
    page = tab(390, js=False)
    page.goto(live_site + "query?" + urlencode({"query": query, "run": "1"}))
    found = page.evaluate(REGION)
    assert found["tab"] == "0" and found["role"] == "region" and found["name"], found
    assert found["over"] == (query == WIDE), found
    assert region_is_a_tab_stop(page)
