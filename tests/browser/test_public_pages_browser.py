"""Every public page type in headless Chromium (issue 19): no WCAG 2.1 A/AA violation found by
axe-core, no sideways scrolling at 360 px, readable charts on a phone, and a screenshot of each
page at 1280 and 390 px in ``test-artefacts/browser/public-<page>-<width>.png``.

axe-core is injected from ``tests/browser/node_modules`` (``npm ci`` in tests/browser; the
pages' Content-Security-Policy forbids injected scripts, so the browser context bypasses it).
The server is the real one (``live_site`` in conftest.py): the bundled data plus the invented
page fixtures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, require_axe

#: One page of every type: name -> path under the base URI.
PAGES: dict[str, str] = {
    "home": "",
    "plan": "id/plan/2019-2021",
    "commitment": "id/commitment/NO9906",
    "commitment-irm": "id/commitment/NO0054",
    "organisation": "id/organisation/kommunal-og-moderniseringsdepartementet",
    "proposal": "id/proposal/sider-1",
    "meeting": "id/meeting/2018-06-19",
    "theme": "def/theme/anti-corruption",
    "search": "search?q=arkiv",
    "search-more": "search?q=er",  # more hits than it shows: the page says so
    "vocabulary": "def",
    "value-sets": "def/vocab",
    "shapes": "def/shapes",
    "version": "id/commitment/NO0054/version/1",
    "catalogue": "catalog",
    "query": "query",
    "english-commitment": "id/commitment/NO9906?lang=en",
}
WIDTHS = (1280, 390)


def _axe(page: Any, name: str) -> None:
    problems = axe_violations(page)
    assert problems == [], f"{name}: " + "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_type_passes_axe_and_has_a_screenshot(
    tab: Any, live_site: str, artefacts: Path, name: str, width: int
) -> None:
    require_axe()
    page = tab(width)
    resp = page.goto(live_site + PAGES[name])
    assert resp is not None and resp.status == 200, (name, resp and resp.status)
    assert page.locator("header.site-header nav.site-nav").count() == 1  # the site menu
    if name == "search-more":
        assert page.locator("#hit-count").inner_text().startswith("De første 100 treffene")
    page.screenshot(path=str(artefacts / f"public-{name}-{width}.png"), full_page=True)
    _axe(page, f"{name} at {width}px")


@pytest.mark.parametrize("width", (*WIDTHS, 360))
def test_the_not_found_page_passes_axe_and_fits_a_phone(
    tab: Any, live_site: str, artefacts: Path, width: int
) -> None:
    """A mistyped address (a long one, as a pasted link may be) gets the registry's page."""
    require_axe()
    page = tab(width)
    resp = page.goto(live_site + "finnes-ikke/" + "en-veldig-lang-adresse-" * 6)
    assert resp is not None and resp.status == 404
    assert page.locator("header.site-header nav.site-nav").count() == 1
    assert page.locator("h1").inner_text() == "Fant ikke ressursen"
    page.screenshot(path=str(artefacts / f"public-not-found-{width}.png"), full_page=True)
    _axe(page, f"not found at {width}px")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_scrolls_sideways_at_360_px(
    tab: Any, live_site: str, name: str
) -> None:
    page = tab(360)
    page.goto(live_site + PAGES[name])
    widths = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                 wide: [...document.querySelectorAll('body *')]
                   .filter(e => !e.closest('.scroll, pre, textarea, .CodeMirror, details:not([open])'))
                   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                   .slice(0, 5).map(e => e.tagName + '.' + e.className + ' '
                                      + Math.round(e.getBoundingClientRect().right))})"""
    )
    assert widths["scroll"] <= widths["inner"], (name, widths)


def test_charts_stay_readable_on_a_phone(tab: Any, live_site: str) -> None:
    """At 390 px the chart labels are drawn at 10 px or more (they were ~5 px), and the
    milestone chart's axis counts in whole, even steps."""
    page = tab(390)
    page.goto(live_site + "?plan=2019-2021")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].map(svg => {
             const scale = svg.getScreenCTM().a;
             return [svg.id, Math.min(...[...svg.querySelectorAll('text')].map(
               t => parseFloat(getComputedStyle(t).fontSize) * scale))];
           })"""
    )
    assert {s[0] for s in sizes} >= {
        "chart-themes", "chart-milestones", "chart-participation", "chart-progress"
    }
    for chart, smallest in sizes:
        assert smallest >= 10, (chart, smallest)
    box = page.locator("svg#chart-milestones").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    ticks = page.evaluate(
        """() => [...document.querySelectorAll('#chart-milestones text[text-anchor="end"]')]
                 .map(t => Number(t.textContent))"""
    )
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] == 0 and len(steps) == 1, ticks


def test_a_long_uri_wraps_instead_of_widening_the_page(
    tab: Any, live_site: str
) -> None:
    page = tab(360)
    page.goto(live_site + "id/commitment/NO0054")
    code = page.locator("dl.uri code").first
    box = code.bounding_box()
    assert box and box["x"] + box["width"] <= 360
    assert page.evaluate("getComputedStyle(document.querySelector('dl.uri code')).overflowWrap") \
        == "anywhere"
