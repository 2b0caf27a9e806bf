"""What axe-core does not see (WCAG 2.1 AA, the law for Norwegian public web sites), in headless
Chromium on the real server (``live_site`` in conftest.py: the bundled data and the invented page
fixtures):

* text spacing (1.4.12: line height 1.5, letter spacing 0.12em, word spacing 0.16em, paragraph
  spacing 2em, as a reader's style sheet sets them) at 320 px (1.4.10): nothing scrolls
  sideways outside a scrolling region, no text is cut off, the query editor grows with its text;
* forced colours (Windows high contrast, emulated through the DevTools protocol): the charts'
  labels stay readable;
* the focus ring of every Tab stop has 3:1 against what is behind it (1.4.11, 2.4.7);
* language of parts (3.1.2): the query examples, which exist in bokmål and English only, are
  marked bokmål on a nynorsk page;
* page titles (2.4.2): a version's page says which version;
* the query page's order (1.3.2, 2.4.3): its h1 and editor before the list of examples, and
  the examples usable without JavaScript.

The form pages' errors are in test_a11y_forms.py. See docs/pages.md, "Accessibility".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, require_axe

#: What a reader's style sheet for WCAG 1.4.12 sets (the bookmarklet the WCAG understanding
#: document names does the same).
TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
    " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)

#: Elements wider than the viewport outside a scrolling region, and elements that cut their
#: text off (overflow hidden or clip with more content than room).
LAYOUT = r"""() => {
  const W = window.innerWidth;
  const name = e => e.tagName + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '');
  const shown = [...document.querySelectorAll('body *')].filter(e => e.getClientRects().length);
  const wide = shown
    .filter(e => !e.closest('.scroll, .table-scroll, details:not([open])'))
    .filter(e => e.getBoundingClientRect().right > W + 1)
    .slice(0, 5).map(e => name(e) + ' ' + Math.round(e.getBoundingClientRect().right));
  const cut = v => v === 'hidden' || v === 'clip';
  const clipped = shown.filter(e => {
    if (e.matches('.visually-hidden, .skip-link')) return false;
    const cs = getComputedStyle(e);
    return (cut(cs.overflowY) && e.scrollHeight > e.clientHeight + 2)
      || (cut(cs.overflowX) && e.scrollWidth > e.clientWidth + 2);
  }).slice(0, 5).map(e => name(e) + ` ${e.scrollHeight}/${e.clientHeight}`);
  return {scroll: document.documentElement.scrollWidth, width: W, wide, clipped};
}"""

#: Colours in JavaScript: ``rgb`` (a computed colour), ``ratio`` (WCAG contrast), ``ground``
#: (the first opaque background of an element or its ancestors).
COLOURS = r"""
  const rgb = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const ground = el => { for (let n = el; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
"""

#: The contrast of the focused element's outline against what is just outside it (the outline
#: is drawn there), sampled on its four sides; the lowest, and what was behind it.
FOCUS_RING = "() => {" + COLOURS + r"""
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const cs = getComputedStyle(e);
  const ring = rgb(cs.outlineColor);
  const r = e.getBoundingClientRect();
  const off = parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth) / 2;
  let worst = 99, behind = '';
  for (const [x, y] of [[r.left - off, r.top + r.height / 2], [r.right + off, r.top + r.height / 2],
                        [r.left + r.width / 2, r.top - off], [r.left + r.width / 2, r.bottom + off]]) {
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    const under = document.elementsFromPoint(x, y).find(n => n !== e && !e.contains(n))
      || document.documentElement;
    const k = ratio(ring, ground(under));
    if (k < worst) { worst = k; behind = under.tagName + '.' + under.className; }
  }
  return {element: e.tagName + '.' + e.className + ' ' + (e.innerText || '').slice(0, 30),
          key: e.outerHTML.slice(0, 200), style: cs.outlineStyle, ratio: worst, behind};
}"""

#: The three chart labels with the lowest contrast against the ground they are drawn on.
CHART_LABELS = "() => {" + COLOURS + r"""
  return [...document.querySelectorAll('svg.chart text')].map(t =>
    [t.closest('svg').id, t.textContent, ratio(rgb(getComputedStyle(t).fill), ground(t))])
    .sort((a, b) => a[2] - b[2]).slice(0, 3);
}"""


# -- text spacing and reflow ----------------------------------------------------------------
SPACED_PAGES = {
    "dashboard": "?plan=2019-2021",
    "co-creation": "id/plan/2019-2021/co-creation",
    "commitment": "id/commitment/NO0054",
    "withdrawn": "id/commitment/NO9903",
    "organisation": "id/organisation/kommunal-og-moderniseringsdepartementet",
    "version": "id/commitment/NO0054/version/1",
    "search": "search?q=arkiv",
    "catalogue": "catalog",
    "shapes": "def/shapes",
    "query": "query",
    "query-nn": "query?lang=nn",
    "not-found": "finnes-ikke/" + "en-lang-adresse-" * 8,
}


@pytest.mark.parametrize("name", list(SPACED_PAGES))
def test_text_spacing_at_320_px_neither_widens_the_page_nor_cuts_text_off(
    tab: Callable[..., Any], live_site: str, name: str
) -> None:
    """WCAG 1.4.12 with 1.4.10: the co-creation summary was 345 px wide (its verdict badges do
    not wrap) and the query editor, sized once in pixels by its script, cut off the last lines."""
    page = tab(320)
    page.goto(live_site + SPACED_PAGES[name])
    page.add_style_tag(content=TEXT_SPACING)
    found = page.evaluate(LAYOUT)
    assert found["scroll"] <= found["width"] and found["wide"] == [], (name, found)
    assert found["clipped"] == [], (name, found)


@pytest.mark.parametrize("width", (320, 1280))
def test_the_query_editor_grows_with_its_text_whatever_the_spacing(
    tab: Callable[..., Any], live_site: str, width: int
) -> None:
    page = tab(width)
    page.goto(live_site + "query")
    size = """() => { const t = document.getElementById('query-editor');
        const p = document.querySelector('#editor pre');
        return [t.scrollHeight, t.clientHeight, Math.round(t.getBoundingClientRect().height),
                Math.round(p.getBoundingClientRect().height)]; }"""
    page.add_style_tag(content=TEXT_SPACING)
    scroll, client, box, pre = page.evaluate(size)
    assert scroll <= client + 1 and box == pre, (scroll, client, box, pre)
    # typing more lines: the editor grows with them, its highlighting stays the same size
    page.locator("#query-editor").focus()
    page.keyboard.press("Control+End")
    for i in range(12):
        page.keyboard.press("Enter")
        page.keyboard.type(f"# line {i}")
    scroll2, client2, box2, pre2 = page.evaluate(size)
    assert client2 > client and scroll2 <= client2 + 1 and box2 == pre2


# -- forced colours ---------------------------------------------------------------------------
def test_the_charts_labels_stay_readable_in_forced_colours(
    tab: Callable[..., Any], live_site: str
) -> None:
    """Windows high contrast kept the charts' dark labels and painted the page black behind
    them (about 1.2:1); a chart now keeps its own colours on its own white ground."""
    page = tab(1280, forced=True)
    page.goto(live_site + "?plan=2019-2021")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    worst = page.evaluate(CHART_LABELS)
    assert worst, "no chart labels"
    for chart, label, ratio in worst:
        assert ratio >= 4.5, (chart, label, round(ratio, 2))


# -- focus ------------------------------------------------------------------------------------
FOCUS_PAGES = ("", "query", "id/commitment/NO9903", "submit/sign-in")


@pytest.mark.parametrize("path", FOCUS_PAGES)
def test_every_tab_stop_has_a_focus_ring_with_3_to_1_against_its_ground(
    tab: Callable[..., Any], live_site: str, path: str
) -> None:
    """WCAG 2.4.7 and 1.4.11, first to last Tab stop: the skip link's orange ring, drawn over
    the dark header, had 2.5:1."""
    page = tab(1280)
    page.goto(live_site + path)
    seen: set[str] = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring is None or ring["key"] in seen:
            break  # back at the start
        seen.add(ring["key"])
        assert ring["style"] != "none", (path, ring)
        assert ring["ratio"] >= 3, (path, ring)
    assert len(seen) >= 8, seen


# -- the query page -------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "marked"), [("nb", "nb"), ("nn", "nb"), ("en", "en")])
def test_the_example_questions_are_marked_with_their_language(
    tab: Callable[..., Any], live_site: str, lang: str, marked: str
) -> None:
    """The examples' questions exist in bokmål and English: on a nynorsk page they are bokmål,
    which a screen reader must be told (WCAG 3.1.2)."""
    page = tab(1280)
    page.goto(live_site + f"query?lang={lang}")
    assert page.evaluate("document.documentElement.lang") == lang
    langs = page.evaluate(
        "[...document.querySelectorAll('#example-list [data-example]')]"
        ".map(b => b.closest('[lang]').getAttribute('lang'))"
    )
    assert len(langs) >= 10 and set(langs) == {marked}, langs


@pytest.mark.parametrize("width", (390, 1280))
def test_the_query_page_opens_with_its_h1_and_editor_before_the_examples(
    tab: Callable[..., Any], live_site: str, width: int
) -> None:
    """The list of examples came first: an h2 before the page's h1, and on a phone ten
    example buttons before the editor."""
    page = tab(width)
    page.goto(live_site + "query")
    levels = page.evaluate("[...document.querySelectorAll('h1, h2, h3')].map(h => h.tagName)")
    assert levels[0] == "H1", levels
    editor = page.locator("#query-editor").bounding_box()
    examples = page.locator("#examples-heading").bounding_box()
    assert editor and examples
    if width < 800:
        assert editor["y"] < examples["y"]
    else:  # the examples stay in the left column
        assert examples["x"] < editor["x"] and examples["y"] < editor["y"] + editor["height"]


def test_the_examples_work_without_javascript(tab: Callable[..., Any], live_site: str) -> None:
    """Without a script the example buttons did nothing; links stand in for them, and the
    editor scrolls instead of cutting a long query off."""
    page = tab(1280, js=False)
    page.goto(live_site + "query?lang=nn")
    assert page.locator("#example-list").is_hidden()
    links = page.locator("#example-links a")
    assert links.count() >= 10 and links.nth(2).get_attribute("lang") == "nb"
    href = str(links.nth(2).get_attribute("href"))
    assert "example=" in href and "lang=nn" in href
    links.nth(2).click()
    page.wait_for_url("**example=**")
    stem = href.split("example=")[1].split("&")[0]
    assert f"example={stem}" in page.url
    assert page.locator("#example-links a[aria-current='true']").get_attribute("href") == href
    assert page.evaluate("getComputedStyle(document.getElementById('query-editor')).overflowY") \
        == "auto"


# -- titles -----------------------------------------------------------------------------------
def test_a_versions_title_says_which_version(tab: Callable[..., Any], live_site: str) -> None:
    """WCAG 2.4.2: a version's page had the same title as the item's own page."""
    page = tab(1280)
    page.goto(live_site + "id/commitment/NO0054")
    item = page.title()
    page.goto(live_site + "id/commitment/NO0054/version/1")
    version = page.title()
    assert version != item and version.startswith("Versjon 1: "), (item, version)
    assert version.endswith(item)
    page.goto(live_site + "id/commitment/NO0054/version/1?lang=en")
    assert page.title().startswith("Version 1: ")


def test_a_plans_dashboard_has_a_title_of_its_own(tab: Callable[..., Any], live_site: str) -> None:
    """WCAG 2.4.2: ``/?plan=…`` (a plan's dashboard, linked from the list of plans) had the
    landing page's title whichever plan it showed."""
    page = tab(1280)
    page.goto(live_site)
    landing = page.title()
    page.goto(live_site + "?plan=2019-2021")
    plan = page.locator("#plan-table tr.selected th a").inner_text()
    assert page.title() == f"Oversikt: {plan} – {landing}"
    page.goto(live_site + "?plan=2016-2018&lang=en")
    assert page.title().startswith("Overview: ")


#: One page of every type, for the titles' test.
TITLED_PAGES = {
    "landing": "",
    "dashboard": "?plan=2019-2021",
    "catalogue": "catalog?format=html",
    "query": "query",
    "ontology": "def",
    "shapes": "def/shapes",
    "value sets": "def/vocab",
    "themes": "def/theme",
    "search": "search?q=arkiv",
    "plan": "id/plan/2019-2021",
    "commitment": "id/commitment/NO0054",
    "organisation": "id/organisation/kommunal-og-moderniseringsdepartementet",
    "version": "id/commitment/NO0054/version/1",
    "co-creation": "id/plan/2019-2021/co-creation",
    "not found": "finnes-ikke",
    "sign-in": "submit/sign-in",
}
SITE = {"nb": "OGP-registeret", "nn": "OGP-registeret", "en": "The OGP registry"}


@pytest.mark.parametrize("lang", list(SITE))
def test_every_page_names_itself_then_the_site_once(
    tab: Callable[..., Any], live_site: str, lang: str
) -> None:
    """WCAG 2.4.2: the catalogue's title was «OGP-registeret: Norges handlingsplaner for Open
    Government Partnership – OGP-registeret» (the catalogue's own title begins with the site's
    name). Every page's title is «<page> – <site>», the site named once, and no two page types
    share a title."""
    page = tab(1280, js=False)
    site = SITE[lang]
    seen: dict[str, str] = {}
    for name, path in TITLED_PAGES.items():
        sep = "&" if "?" in path else "?"
        page.goto(live_site + path + ("" if lang == "nb" else f"{sep}lang={lang}"))
        title = page.title()
        assert title.endswith(" – " + site), (name, title)
        assert title.count(site) == 1, (name, title)
        assert title[: -len(" – " + site)].strip(), (name, title)
        assert title not in seen, (name, seen.get(title), title)
        seen[title] = name


# -- scrolling regions ------------------------------------------------------------------------
#: Every shown ``.scroll`` region: whether its content overflows it, its tabindex, and its
#: accessible name (aria-label, or the text of what aria-labelledby names).
SCROLLS = r"""() => [...document.querySelectorAll('.scroll')]
  .filter(e => e.getClientRects().length)
  .map(e => ({over: e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1,
              tab: e.getAttribute('tabindex'), role: e.getAttribute('role'),
              name: (e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby') || '')
                .split(/\s+/).map(id => (document.getElementById(id) || {}).textContent || '')
                .join(' ')).trim()}))"""

def scroll_stops(page: Any) -> list[dict[str, Any]]:
    """Tab from the top of the page to its last Tab stop; the ``.scroll`` regions it stops on."""
    stops: list[dict[str, Any]] = []
    seen: set[int] = set()
    # start from the top, wherever the focus was
    page.evaluate("() => { const b = document.body; b.tabIndex = -1; b.focus();"
                  " b.removeAttribute('tabindex'); }")
    for _ in range(400):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => { const e = document.activeElement;"
            " if (!e || e === document.body) return null;"
            " return {key: [...document.querySelectorAll('*')].indexOf(e), scroll: e.matches('.scroll'),"
            " over: e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1,"
            " role: e.getAttribute('role')}; }")
        if here is None or here["key"] in seen:
            break
        seen.add(here["key"])
        if here["scroll"]:
            stops.append(here)
    return stops


SCROLL_PAGES = ("?plan=2019-2021", "id/commitment/NO0054", "id/plan/2019-2021/co-creation")


@pytest.mark.parametrize("path", SCROLL_PAGES)
def test_a_scrolling_region_is_a_tab_stop_only_when_it_scrolls(
    tab: Callable[..., Any], live_site: str, path: str
) -> None:
    """A table wrapped in a ``.scroll`` region (tabindex 0, so that a keyboard can scroll it)
    was a Tab stop, announced as a region, even where the table fits and nothing scrolls. With
    JavaScript (endpoint/static/pages/scroll.js) a region is a Tab stop only while its content
    overflows it, at load and after a resize; without it every region keeps tabindex 0."""
    wide = tab(1280)
    wide.goto(live_site + path)
    regions = wide.evaluate(SCROLLS)
    assert any(not r["over"] for r in regions), regions
    for r in regions:
        assert (r["tab"] == "0") == r["over"], (path, r)
    assert all(s["over"] for s in scroll_stops(wide)), path
    # narrowed to 320 px: the tables that no longer fit become Tab stops, with their names
    wide.set_viewport_size({"width": 320, "height": 900})
    wide.wait_for_function(
        "() => [...document.querySelectorAll('.scroll')].filter(e => e.getClientRects().length)"
        ".every(e => (e.getAttribute('tabindex') === '0')"
        " === (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))")
    for narrow in (wide, tab(320)):
        if narrow is not wide:
            narrow.goto(live_site + path)
        regions = narrow.evaluate(SCROLLS)
        assert any(r["over"] for r in regions), regions
        for r in regions:
            assert (r["tab"] == "0") == r["over"], (path, r)
            assert r["role"] == "region" and r["name"], (path, r)
        stops = scroll_stops(narrow)
        assert stops and all(s["over"] for s in stops), (path, stops)
        assert len(stops) == sum(r["over"] for r in regions), (path, stops, regions)
    # without JavaScript every region stays a Tab stop: the safe side
    plain = tab(1280, js=False)
    plain.goto(live_site + path)
    assert {r["tab"] for r in plain.evaluate(SCROLLS)} == {"0"}


# -- the query page without JavaScript ----------------------------------------------------------
NOJS_SELECT = "SELECT ?c ?id ?title WHERE { ?c a ogp:Commitment ; dct:identifier ?id ; " \
    "dct:title ?title FILTER(lang(?title) = 'en') } ORDER BY ?id LIMIT 40"
NOJS_CONSTRUCT = "CONSTRUCT { ?c dct:identifier ?id } WHERE { ?c a ogp:Commitment ; " \
    "dct:identifier ?id } LIMIT 5"


def axe_on(page: Any, url: str) -> list[str]:
    """axe-core's violations on ``url`` as a page without JavaScript has it. axe-core needs
    scripting (a page with JavaScript disabled never finishes ``axe.run``), so ``page`` has it,
    but the page's own scripts are not loaded: what the server sent is what axe-core sees
    (except that ``<noscript>`` stays hidden)."""
    page.route("**/*.js", lambda route: route.abort())
    page.goto(url)
    return axe_violations(page)


@pytest.mark.parametrize("width", (320, 1280))
def test_the_query_page_shows_the_answer_as_a_table_without_javascript(
    tab: Callable[..., Any], live_site: str, width: int
) -> None:
    """Without a script, «Kjør spørringa» posted the form to /sparql, which answered with SPARQL
    results the browser could only download. The form now loads the query page with the query
    (``/query?query=…&run=1``), and the page shows the answer as a table, in the page's
    language, axe-core clean, without sideways scrolling at 320 px."""
    require_axe()
    page = tab(width, js=False)
    page.goto(live_site + "query?lang=nn")
    page.fill("#query-editor", NOJS_SELECT)
    with page.expect_navigation():
        page.click("#run-query")
    assert page.evaluate("document.documentElement.lang") == "nn"
    assert "/query?" in page.url and "lang=nn" in page.url
    assert page.locator("#query-editor").input_value() == NOJS_SELECT
    table = page.locator("#results-body table.results-table")
    assert table.count() == 1
    heads = table.locator("thead th").all_inner_texts()
    assert heads == ["c", "id", "title"], heads
    rows = table.locator("tbody tr")
    assert rows.count() >= 10
    assert rows.first.locator("td").nth(1).inner_text().startswith("NO")
    # a commitment's IRI links to its page on this server; the English title says it is English
    link = rows.first.locator("td").first.locator("a")
    assert link.evaluate("a => a.href").startswith(live_site + "id/commitment/")
    assert rows.first.locator("td").nth(2).locator("[lang='en']").count() == 1
    assert "rader" in page.locator("#results-body caption").inner_text()
    region = page.locator("#results-body .table-scroll")
    assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
    found = page.evaluate(LAYOUT)
    assert found["scroll"] <= found["width"] and found["wide"] == [], found
    assert axe_on(tab(width), page.url) == []

    # a CONSTRUCT: its triples as a table
    page.fill("#query-editor", NOJS_CONSTRUCT)
    with page.expect_navigation():
        page.click("#run-query")
    table = page.locator("#results-body table.results-table")
    assert table.locator("thead th").all_inner_texts() == ["subject", "predicate", "object"]
    assert table.locator("tbody tr").count() == 5
    assert page.locator("#downloads-graph").is_visible()

    # a syntax error: what is wrong and where, in the page's language, as an alert
    page.fill("#query-editor", "SELECT ?x WHERE { ?x ?y }")
    with page.expect_navigation():
        page.click("#run-query")
    error = page.locator("#error")
    assert error.is_visible() and error.get_attribute("role") == "alert"
    assert "linje 1, kolonne 19" in error.inner_text(), error.inner_text()
    assert page.locator("#results-body table").count() == 0
    assert axe_on(tab(width), page.url) == []
    # the same address with JavaScript: the error as shown, and the button to its place works
    scripted = tab(width)
    scripted.goto(page.url)
    assert scripted.locator("#error").is_visible()
    scripted.click("#goto-error")
    assert scripted.evaluate("document.activeElement.id") == "query-editor"
    assert scripted.evaluate("document.activeElement.selectionStart") == 18
