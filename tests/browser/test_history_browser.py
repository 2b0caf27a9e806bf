"""History in a real browser (headless Chromium): the timeline on a commitment's page, a click
to the version page and back to the current page. Screenshots under test-artefacts/browser/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

TITLE = "Offentlige journaler i alle kommuner (eksempel)"  # invented (tests/fixtures/pages/)


def test_the_timeline_links_to_a_version_page_and_back(
    page: Any, live_site: str, artefacts: Path
) -> None:
    page.goto(live_site + "id/commitment/NO9906")
    history = page.locator("#history")
    history.scroll_into_view_if_needed()
    assert history.is_visible()
    rows = page.locator("#versions tbody tr")
    assert rows.count() >= 1
    assert rows.first.locator("td").nth(1).inner_text().strip() == "Opprettet"
    history.screenshot(path=str(artefacts / "20-history-timeline.png"))
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(r".*/id/commitment/NO9906/version/[0-9]+$"))
    assert page.locator("h1").first.inner_text().strip() == TITLE
    assert page.locator("#as-of").is_visible()
    assert page.locator("#versions tr[aria-current='true']").count() == 1
    page.screenshot(path=str(artefacts / "21-version-page.png"), full_page=True)
    page.locator("#current-link").click()
    page.wait_for_url(live_site + "id/commitment/NO9906")
    assert page.locator("h1").first.inner_text().strip() == TITLE
