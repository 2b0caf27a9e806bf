"""A form that comes back with errors, as a screen-reader or keyboard user meets it (WCAG 2.1 AA
3.3.1, 2.4.2, 2.4.3), in headless Chromium on the real server, with and without JavaScript
(the submission pages have no script): the page's title begins with «Feil:» («Error:»), the
error summary has the focus when the page opens, its link takes the focus to the field, and the
field is tied to its message. The rest of the submission flow is in test_submit_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

PREFIX = {"nb": "Feil: ", "nn": "Feil: ", "en": "Error: "}


def wait_for_focus(page: Any, element_id: str) -> None:
    """Wait (at most 5 s) until the element with `element_id` has the focus; fail if it never does."""
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                           arg=element_id, timeout=5_000)
    assert page.evaluate("document.activeElement.id") == element_id


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def tab(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO",
                              java_script_enabled=request.param)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    yield page
    ctx.close()


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_refused_sign_in_says_so_in_the_title_and_takes_the_focus_to_the_summary(
    tab: Any, live_site: str, lang: str
) -> None:
    page = tab
    page.goto(live_site + "submit/sign-in" + ("" if lang == "nb" else f"?lang={lang}"))
    title = page.title()
    assert not title.startswith(PREFIX[lang])
    page.fill("#token", "not-a-token")
    with page.expect_navigation():
        page.press("#token", "Enter")
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.title() == PREFIX[lang] + title
    # autofocus is applied at the browser's next rendering step, which may come after the load
    # event that ends expect_navigation: wait for it (a page that never moves the focus times out)
    wait_for_focus(page, "error-summary")
    # the summary's link is the next Tab stop, and takes the focus to the field
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#token"
    page.keyboard.press("Enter")
    wait_for_focus(page, "token")
    described = str(page.locator("#token").get_attribute("aria-describedby")).split()
    assert "token-error" in described and page.locator("#token-error").is_visible()
    assert page.locator("#token").get_attribute("aria-invalid") == "true"
    assert page.locator("#token").get_attribute("required") is not None
