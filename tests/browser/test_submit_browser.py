"""Submitting from a browser (issue 18), end to end in headless Chromium on the real server:
sign in, a bad upload with its report, the fixed upload and its changes, confirm, the receipt,
the changed page; a proposal; an approver's status change; a submitter refused what it may not
do. Every page is checked with axe-core for WCAG 2.1 A and AA (tests/browser/package.json;
.ci/run installs it with npm ci) and saved as a screenshot under test-artefacts/browser/.

The data are invented examples (tests/fixtures/submissions/commitments.json with an invented
title that is an XSS attempt); the organisations are real ones of the bundled register.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from registry.access import tokens
from registry.access.audit import AuditLog
from registry.service import Registry, open_registry
from tests.browser.conftest import AXE, _free_port, axe_violations, require_axe
from tests.conftest import make_settings
from tests.endpoint_server import running_granian, servers

SUB = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
XSS = "<img src=x onerror=alert(1)>"


@dataclass
class Site:
    base: str
    registry: Registry
    nfd: str  # submitter, Nærings- og fiskeridepartementet
    tin: str  # submitter, Transparency International Norge (civil society)
    kmd: str  # approver, Kommunal- og moderniseringsdepartementet


@pytest.fixture(scope="module", params=servers())
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The bundled registry with three tokens, served by each HTTP server of ``ogpreg serve``
    (tests/endpoint_server.py): waitress in this process, granian in a process of its own
    (the uploads, redirects and cookies of the browser flow then cross granian's HTTP layer)."""
    from endpoint.app import create_app
    from endpoint.server import Server

    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    settings = make_settings(tmp_path_factory.mktemp("submit") / "store", base_uri=base)
    reg = open_registry(settings)
    reg.init()
    nfd = tokens.issue(reg, "912660680", "submitter", "NFD").secret
    tin = tokens.issue(reg, "Transparency International Norge", "submitter", "TI").secret
    kmd = tokens.issue(reg, "972417858", "approver", "KMD").secret
    if request.param == "granian":
        with running_granian(settings.store, port=port, base_uri=base):
            yield Site(base, reg, nfd, tin, kmd)
        return
    server = Server(create_app(settings, registry=reg), host="127.0.0.1", port=port, threads=4)
    server.start_in_thread()
    try:
        yield Site(base, reg, nfd, tin, kmd)
    finally:
        server.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    """A page whose script injection is allowed (axe-core is injected; the pages' own
    Content-Security-Policy allows no inline script), failing on any dialog (an XSS)."""
    require_axe()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO",
                                  bypass_csp=True)
    p = context.new_page()
    p.set_default_timeout(20_000)
    dialogs: list[str] = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield p
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"


def check(page: Any, artefacts: Path, name: str) -> None:
    """No axe-core violation of WCAG 2.1 A/AA on the page; a screenshot; no injected image."""
    page.screenshot(path=str(artefacts / f"submit-{name}.png"), full_page=True)
    problems = axe_violations(page)
    assert problems == [], f"{name}: " + "\n".join(problems)
    assert page.locator("img[src='x']").count() == 0


def sign_in(page: Any, site: Site, token: str) -> None:
    page.goto(site.base + "submit/")
    page.wait_for_url("**/submit/sign-in**")
    page.fill("#token", token)
    page.click("form.form button[type=submit]")
    page.wait_for_url(site.base + "submit/")


def commitments(theme: str) -> bytes:
    doc = json.loads((SUB / "commitments.json").read_text("utf-8"))
    doc["commitments"][0]["title_nb"] = XSS
    doc["commitments"][0]["themes"] = [theme]
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def upload(page: Any, name: str, data: bytes) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": "application/json",
                                          "buffer": data}])
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")


def test_upload_report_fix_confirm_receipt_and_the_changed_page(
    tab: Any, site: Site, artefacts: Path
) -> None:
    page = tab
    page.goto(site.base + "submit/upload")
    page.wait_for_url("**/submit/sign-in?next=**")
    check(page, artefacts, "01-sign-in")
    # by keyboard only: to the token field, type, Enter
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "token":
            break
    assert page.evaluate("document.activeElement.id") == "token"
    page.keyboard.type("not-a-token")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#token").get_attribute("aria-invalid") == "true"
    assert "token-error" in (page.locator("#token").get_attribute("aria-describedby") or "")
    assert "ikke gyldig" in page.locator("#error-summary").inner_text()
    check(page, artefacts, "02-sign-in-refused")
    page.fill("#token", site.nfd)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(site.base + "submit/upload")  # back where the sign-in started
    assert "Nærings- og fiskeridepartementet" in page.locator(".submit-nav .who").inner_text()
    check(page, artefacts, "03-upload")

    page.goto(site.base + "submit/templates")
    check(page, artefacts, "04-templates")
    with page.expect_download() as dl:
        page.click("a[href$='templates/commitments.xlsx']")
    assert Path(dl.value.path()).read_bytes()[:2] == b"PK"

    page.goto(site.base + "submit/upload")
    upload(page, "forpliktelser.json", commitments("Åpne dater"))
    report = page.locator("#report")
    assert "Åpne dater" in report.inner_text() and "Åpne data" in report.inner_text()
    row = report.locator("tbody tr").first
    assert row.locator("td").nth(1).inner_text() == "forpliktelser.json"
    assert row.locator("td").nth(4).inner_text() == "themes"
    check(page, artefacts, "05-report")
    assert site.registry.query("ASK { ?c dct:identifier 'NO9901' }").__bool__() is False

    upload(page, "forpliktelser.json", commitments("Åpne data"))
    changes = page.locator("table.changes").inner_text()
    assert "NO9901" in changes and "opprettet" in changes
    check(page, artefacts, "06-changes")
    page.click("#confirm-form button")
    page.wait_for_url("**/submit/receipt/*")
    receipt = page.locator("#receipt")
    assert XSS in receipt.inner_text()  # shown as text
    assert receipt.locator("a[href$='/version/2']").count() >= 5
    check(page, artefacts, "07-receipt")
    page.locator(f"#receipt a[href='{site.base}id/commitment/NO9901']").click()
    page.wait_for_url(site.base + "id/commitment/NO9901")
    assert page.locator("h1").first.inner_text().strip() == XSS
    assert page.locator("img[src='x']").count() == 0

    page.goto(site.base + "submit/submissions")
    assert "commitments-2019-2021-naerings-og-fiskeridepartementet" in page.locator(
        "#submissions").inner_text()
    assert "submit.confirm" in page.locator("#attempts").inner_text()
    check(page, artefacts, "08-our-submissions")
    page.click(".sign-out button")
    page.wait_for_url("**/submit/sign-in?out=1")
    page.goto(site.base + "submit/submissions")
    page.wait_for_url("**/submit/sign-in**")
    actions = [(e.action, e.outcome) for e in AuditLog(site.registry.store.path).entries()]
    for expected in [("submit.sign-in", "refused"), ("submit.sign-in", "ok"),
                     ("submit.check", "refused"), ("submit.check", "ok"),
                     ("submit.confirm", "ok"), ("submit.sign-out", "ok")]:
        assert expected in actions


def test_a_proposal_a_refused_submitter_and_an_approvers_status_change(
    browser: Any, tab: Any, site: Site, artefacts: Path
) -> None:
    page = tab
    sign_in(page, site, site.tin)
    page.goto(site.base + "submit/proposal")
    check(page, artefacts, "09-proposal")
    with page.expect_navigation():
        page.click("#proposal-form button[type=submit]")
    assert page.locator("#title_nb").get_attribute("aria-invalid") == "true"
    assert page.locator("#error-summary a[href='#themes']").count() == 1
    check(page, artefacts, "10-proposal-errors")
    page.fill("#title_nb", "Åpent lobbyregister (oppdiktet eksempel)")
    page.fill("#description_nb", "Et oppdiktet forslag fra et skjema.")
    page.check("#proposal-form input[name=themes] >> nth=0")
    page.fill("#contact_name", "Kari Nordmann (oppdiktet)")
    page.fill("#contact_email", "kari@example.no")
    page.click("#proposal-form button[type=submit]")
    page.wait_for_url("**/submit/receipt/*")
    link = page.locator("#receipt a[href*='/id/proposal/']").first
    proposal = str(link.get_attribute("href"))
    check(page, artefacts, "11-proposal-receipt")
    nt = site.registry.export("ntriples").decode("utf-8")
    assert "kari@example.no" not in nt and "Kari Nordmann" not in nt  # personal data stays out

    # the submitter may not accept its own proposal: the rules' message, nothing changes
    page.goto(site.base + "submit/status?lookup=" + proposal)
    assert "sendt inn" in page.locator("#current-status").inner_text()
    assert page.locator("#contacts").count() == 0  # contacts are for the approver only
    page.fill("#item", proposal)
    page.select_option("#status", "accepted")
    page.fill("#plan", "2019-2021")
    with page.expect_navigation():
        page.click("#status-form button[type=submit]")
    summary = page.locator("#error-summary").inner_text()
    assert "approver" in summary, summary
    assert page.locator("#status").get_attribute("aria-invalid") == "true"
    check(page, artefacts, "12-status-refused")

    approver = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        p2 = approver.new_page()
        sign_in(p2, site, site.kmd)
        p2.goto(site.base + "submit/status?lookup=" + proposal)
        assert "kari@example.no" in p2.locator("#contacts").inner_text()
        p2.fill("#item", proposal)
        p2.select_option("#status", "accepted")
        p2.fill("#plan", "2019-2021")
        with p2.expect_navigation():
            p2.click("#status-form button[type=submit]")
        assert "tatt inn i planen" in p2.locator("#status-done").inner_text()
        check(p2, artefacts, "13-status-accepted")
        p2.goto(site.base + "id/meeting/2018-06-19")
        assert p2.locator(f"a[href='{proposal}']").count() >= 1
        p2.screenshot(path=str(artefacts / "submit-14-meeting.png"), full_page=True)
    finally:
        approver.close()


def test_ci_has_axe_core() -> None:
    if os.environ.get("CI") == "true":
        assert AXE.is_file(), ".ci/run installs axe-core with npm ci in tests/browser"


def test_a_title_shown_in_another_language_on_the_check_page_is_marked_with_its_language(
    tab: Any, site: Site, artefacts: Path
) -> None:
    """WCAG 3.1.2: the invented commitments have titles in bokmål and English only; on the
    nynorsk check page they are shown in bokmål, and a screen reader read them with the
    nynorsk voice (no ``lang`` on them), without the visible «(på bokmål)» the pages have."""
    page = tab
    sign_in(page, site, site.nfd)
    doc = json.loads((SUB / "commitments.json").read_text("utf-8"))
    for c in doc["commitments"]:  # changed, whatever an earlier test loaded
        c["title_nb"] = c["title_nb"].strip() + " (sjekk)"
    page.goto(site.base + "submit/upload?lang=nn")
    upload(page, "forpliktelser.json", json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    assert page.evaluate("document.documentElement.lang") == "nn"
    cells = page.locator("table.changes tbody tr td:nth-child(2)")
    assert cells.count() >= 2
    marked = page.locator("table.changes tbody td span[lang='nb']")
    titles = marked.all_inner_texts()
    assert any(t.startswith("Åpne data om offentlige anskaffelser") for t in titles), titles
    assert "Bedre journalføring (eksempel) (sjekk)" in titles, titles
    notes = page.locator("table.changes tbody td .fallback").all_inner_texts()
    assert notes and set(notes) == {"(på bokmål)"}, notes
    check(page, artefacts, "15-changes-nn")
    # in English the English titles need no mark; in bokmål neither do the bokmål ones
    for lang, shown in (("en", "Better record-keeping (example)"),
                        ("nb", "Bedre journalføring (eksempel) (sjekk)")):
        page.goto(site.base + f"submit/upload?lang={lang}")
        upload(page, "forpliktelser.json", json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        assert shown in page.locator("table.changes").inner_text()
        assert page.locator("table.changes tbody td [lang]").count() == 0
