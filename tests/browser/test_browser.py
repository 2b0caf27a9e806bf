"""The registry's pages in a real browser (headless Chromium): follow the links a reader
follows, switch language, run a query in the query UI, read the dashboard. Every page visited
is saved as a screenshot under test-artefacts/browser/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests


def shot(page: Any, artefacts: Path, name: str) -> None:
    page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)


def h1(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).strip()


def test_follow_a_plan_to_a_commitment_to_its_lead_agency_and_back(
    page: Any, live_site: str, artefacts: Path
) -> None:
    page.goto(live_site)
    assert page.locator("html").get_attribute("lang") == "nb"
    shot(page, artefacts, "01-landing")
    page.locator("#plan-table a[href$='id/plan/2019-2021']").click()
    page.wait_for_url(live_site + "id/plan/2019-2021")
    assert "handlingsplan" in h1(page).lower()
    shot(page, artefacts, "02-plan")
    page.locator("#commitment-table a[href$='id/commitment/NO9906']").click()
    page.wait_for_url(live_site + "id/commitment/NO9906")
    assert h1(page) == "Offentlige journaler i alle kommuner (eksempel)"
    assert page.locator("ol.timeline > li").count() == 3
    shot(page, artefacts, "03-commitment")
    page.locator("#lead-agency a").first.click()
    page.wait_for_url(live_site + "id/organisation/kommunal-og-moderniseringsdepartementet")
    assert h1(page) == "Kommunal- og distriktsdepartementet"  # KMD, renamed in 2022
    shot(page, artefacts, "04-organisation")
    # back to the commitment through the organisation's list of what it leads
    page.locator("#org_leads a[href$='id/commitment/NO9906']").click()
    page.wait_for_url(live_site + "id/commitment/NO9906")
    assert h1(page) == "Offentlige journaler i alle kommuner (eksempel)"
    page.go_back()
    page.wait_for_url(live_site + "id/organisation/kommunal-og-moderniseringsdepartementet")


def test_switch_language_and_keep_it_while_following_links(
    page: Any, live_site: str, artefacts: Path
) -> None:
    page.goto(live_site + "id/commitment/NO9905")
    assert h1(page) == "Digital innsynsportal (revidert eksempel)"
    page.locator("#lang-switch").click()
    page.wait_for_url(re.compile(r".*[?&]lang=en$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert h1(page) == "Digital access portal (revised example)"
    shot(page, artefacts, "05-commitment-en")
    page.locator("#lead-agency a").first.click()
    page.wait_for_url(
        re.compile(r".*/id/organisation/kommunal-og-moderniseringsdepartementet\?lang=en$")
    )
    # its current English name (norway-central-government.csv; KMD became KDD in 2022)
    assert h1(page) == "Ministry of Local Government and Regional Development"
    # a title only in bokmål on an English page: shown, marked, with its own lang attribute
    page.goto(live_site + "id/commitment/NO9906?lang=en")
    title = page.locator("h1 span[lang='nb']")
    assert title.inner_text() == "Offentlige journaler i alle kommuner (eksempel)"
    assert page.locator("#title-fallback").is_visible()
    shot(page, artefacts, "06-fallback-en")
    page.locator("#lang-switch").click()
    page.wait_for_url(live_site + "id/commitment/NO9906")
    assert page.locator("html").get_attribute("lang") == "nb"


def test_the_dashboard_has_its_charts_and_their_data_tables(
    page: Any, live_site: str, artefacts: Path
) -> None:
    page.goto(live_site)
    for name in ("themes", "milestones", "participation"):
        chart = page.locator(f"svg#chart-{name}")
        assert chart.is_visible()
        assert chart.get_attribute("role") == "img"
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50
        title = page.locator(f"#chart-{name}-title")
        assert title.count() == 1 and (title.text_content() or "").strip()
        table = page.locator(f"#table-{name}")
        assert table.is_visible()
        assert table.locator("tbody tr").count() >= 1
        assert table.locator("caption").inner_text().strip()
        page.locator(f"#figure-{name}").screenshot(path=str(artefacts / f"07-chart-{name}.png"))
    # the participation table (three values, issue 19): of the 46 organisations invited in
    # 2018, those that took part, did not and are unknown
    counts = page.locator("#table-participation tbody tr td:nth-of-type(1)").all_inner_texts()
    assert len(counts) == 3 and sum(int(c) for c in counts) == 46


def test_run_an_example_query_in_the_query_ui_and_read_a_result(
    page: Any, live_site: str, artefacts: Path
) -> None:
    page.goto(live_site + "query")
    example = page.locator("#example-list [data-example]").first
    example.click()
    query = page.locator("#query-editor").input_value()
    assert "SELECT" in query.upper()
    page.locator("#run-query").click()
    page.locator("#results table tbody td").first.wait_for(state="visible")
    assert page.locator("#error").is_hidden()
    shot(page, artefacts, "08-query")
    # the table shows the endpoint's answer to the query in the editor: every row, every cell
    answer = requests.get(
        live_site + "sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    ).json()
    names = answer["head"]["vars"]
    expected = [
        [_shown(row.get(name)) for name in names] for row in answer["results"]["bindings"]
    ]
    assert expected, "the first example answers nothing on this store"
    table = page.locator("#results table")
    assert [h.strip() for h in table.locator("thead th").all_inner_texts()] == names
    cells = table.evaluate(
        """t => [...t.querySelectorAll("tbody tr")].map(tr => [...tr.children].map(td => {
            const a = td.querySelector("a.iri"), v = td.querySelector("span.value");
            return a ? ["uri", a.getAttribute("href")] : v ? ["literal", v.textContent]
                                                           : ["", td.textContent.trim()];
        }))"""
    )
    assert cells == expected


def _shown(term: dict[str, str] | None) -> list[str]:
    """How the query UI shows a term of SPARQL JSON results: a link to an IRI, the text of a
    literal, an empty cell for an unbound variable."""
    if term is None:
        return ["", ""]
    if term["type"] == "uri":
        return ["uri", term["value"]]
    return ["literal", term["value"]]


def test_search_finds_names_with_ae_oe_aa(page: Any, live_site: str, artefacts: Path) -> None:
    page.goto(live_site)
    page.locator("#landing-search-q").fill("REDAKTØR")
    page.locator("#landing-search-q").press("Enter")
    page.wait_for_url(re.compile(r".*/search\?q=.*"))
    link = page.locator("#results a[href$='id/organisation/norsk-redaktorforening']")
    assert link.count() == 1
    shot(page, artefacts, "09-search")
    link.click()
    assert h1(page) == "Norsk redaktørforening"


def test_keyboard_users_can_skip_to_the_content_and_reach_links(
    page: Any, live_site: str, artefacts: Path
) -> None:
    page.goto(live_site + "id/commitment/NO9906")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # tabbing on from the main content reaches a link inside it
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('main')")
    assert inside


def test_a_withdrawn_commitment_shows_why_and_its_successor(
    page: Any, live_site: str, artefacts: Path
) -> None:
    response = page.goto(live_site + "id/commitment/NO9904")
    assert response.status == 410
    assert page.locator("#gone").is_visible()
    shot(page, artefacts, "10-superseded")
    page.locator("#gone-successor a").click()
    page.wait_for_url(live_site + "id/commitment/NO9905")
    assert h1(page) == "Digital innsynsportal (revidert eksempel)"


def test_vocabulary_documentation_pages(page: Any, live_site: str, artefacts: Path) -> None:
    page.goto(live_site + "id/commitment/NO9906")
    page.locator("#statements a[href$='def#leadAgency']").first.click()
    page.wait_for_url(live_site + "def#leadAgency")
    assert page.locator("#leadAgency").is_visible()
    shot(page, artefacts, "11-ontology")
    page.goto(live_site + "def/theme")
    assert page.locator(f"a[href='{live_site}def/theme/open-data']").first.is_visible()
    assert "Åpne data" in page.locator("main").inner_text()
    shot(page, artefacts, "12-themes")
    page.goto(live_site + "def/shapes")
    assert page.locator("table.rules").count() > 5
