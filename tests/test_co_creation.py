"""The co-creation standards (issue 21): the verdicts computed from what the registry holds,
the page per plan over the real app (HTML, RDF, CSV), the dashboard panel, the bundled 2018
consultation feeding the 2019–2021 plan, and responses to proposals from spreadsheets.

The plans of tests/fixtures/co-creation/ are invented (the files say so): one meets every
minimum requirement, one misses each, one has almost no data. Each is loaded into its own copy
of the initialised store, so one plan's forum does not count for another.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from ogpreg.cli import main
from registry.loading.sources import SourceFile
from registry.model import cocreation as cc
from registry.model.resources import Resources
from registry.service import Registry, open_registry
from tests.conftest import BASE, FIXTURES, all_quads, make_settings
from tests.endpoint_server import Running, running

CO = FIXTURES / "co-creation"
PLAN = BASE + "id/plan/"
EARL = "http://www.w3.org/ns/earl#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FILES = {
    "cc-good": "meets-every-requirement.ttl",
    "cc-bad": "misses-each-requirement.ttl",
    "cc-missing": "missing-data.ttl",
}
KEYS = [k for k, _, _ in cc.REQUIREMENTS]


def _store(initialised: Path, tmp: Path, plan: str) -> Path:
    store = tmp / plan / "store"
    shutil.copytree(initialised, store)
    reg = open_registry(make_settings(store))
    name = FILES[plan]
    reg.load([SourceFile(name, (CO / name).read_bytes(), f"fixture-{plan}")])
    return store


@pytest.fixture(scope="module")
def stores(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("co-creation")
    return {plan: _store(initialised_store, tmp, plan) for plan in FILES}


def _standards(store: Path, plan: str) -> cc.Standards:
    reg = open_registry(make_settings(store))
    return cc.standards(Resources(reg), PLAN + plan, datetime.now(UTC).date())


def _verdicts(st: cc.Standards) -> dict[str, str]:
    return {r.key: r.verdict for r in st.requirements}


def _req(st: cc.Standards, key: str) -> cc.Requirement:
    return next(r for r in st.requirements if r.key == key)


def _texts(r: cc.Requirement) -> list[str]:
    return [m.render("en") for m in r.summary] + [e.note.render("en") for e in r.evidence]


# -- the verdicts ----------------------------------------------------------------------------------
def test_a_plan_that_meets_every_requirement(stores: dict[str, Path]) -> None:
    st = _standards(stores["cc-good"], "cc-good")
    assert _verdicts(st) == dict.fromkeys(KEYS, cc.MET)
    assert "6 forum meetings in the plan's period; the longest gap is 167 days (at most 183)." in (
        _texts(_req(st, "forum")))
    assert "Invitation sent 21 days before the meeting (at least 14)." in _texts(
        _req(st, "participation"))
    assert "2 of 2 proposals have a reasoned response." in _texts(_req(st, "response"))
    assert "Updates recorded in 5 of 5 half-years (dated documents and the registry's own " \
        "history)." in _texts(_req(st, "repository"))
    assert st.waiting == []


def test_a_plan_that_misses_each_requirement(stores: dict[str, Path]) -> None:
    st = _standards(stores["cc-bad"], "cc-bad")
    assert _verdicts(st) == dict.fromkeys(KEYS, cc.NOT_MET)
    forum = _texts(_req(st, "forum"))
    assert "Members: 2 from government, 0 non-governmental; the forum needs both." in forum
    assert "2 forum meetings in the plan's period; the longest gap is 485 days (at most 183)." \
        in forum
    repo = {e.note.render("en"): e.status for e in _req(st, "repository").evidence}
    assert repo["2023-H1: no update"] == repo["2023-H2: no update"] == cc.NOT_MET
    assert repo["2024-H2: none recorded"] == cc.NOT_RECORDED  # after the last: not known
    assert "Invitation sent 8 days before the meeting (at least 14)." in _texts(
        _req(st, "participation"))
    assert "1 of 2 proposals have a reasoned response." in _texts(_req(st, "response"))
    assert st.waiting == [PLAN.replace("plan/", "proposal/") + "cc-bad-p2"]
    assert "1 meeting with stakeholders during implementation (at least 2)." in _texts(
        _req(st, "implementation"))


def test_missing_data_is_not_recorded_never_not_met(stores: dict[str, Path]) -> None:
    st = _standards(stores["cc-missing"], "cc-missing")
    assert _verdicts(st) == dict.fromkeys(KEYS, cc.NOT_RECORDED)
    assert all(e.status != cc.NOT_MET for r in st.requirements for e in r.evidence)
    assert "No multi-stakeholder forum is recorded." in _texts(_req(st, "forum"))
    assert "When the invitation was sent is not recorded." in _texts(_req(st, "participation"))
    assert st.waiting == [BASE + "id/proposal/cc-missing-p1"]
    assert "The plan is not yet approved: the responses may still come." in _texts(
        _req(st, "response"))


def test_the_bundled_2018_consultation_feeds_the_2019_2021_plan(registry: Registry) -> None:
    """What the 2018 invitation gives is shown; what it does not give is "not recorded"."""
    st = cc.standards(Resources(registry), PLAN + "2019-2021", datetime.now(UTC).date())
    assert _verdicts(st) == dict.fromkeys(KEYS, cc.NOT_RECORDED)
    part = _req(st, "participation")
    meeting = BASE + "id/meeting/2018-06-19"
    shown = {(e.iri, e.note.render("en"), e.day.isoformat() if e.day else None)
             for e in part.evidence}
    assert (meeting, "Consultation meeting", "2018-06-19") in shown
    assert (meeting, "Deadline for registration: 7 days before the meeting", "2018-06-12") in shown
    assert (meeting, "Deadline for proposals: 7 days before the meeting", "2018-06-12") in shown
    assert (meeting, "When the invitation was sent is not recorded.", None) in shown
    assert (meeting, "Invited: 15 from government, 31 others.", None) in shown
    # no invented invitation date, forum, documents or responses
    assert "No multi-stakeholder forum is recorded." in _texts(_req(st, "forum"))
    assert "No proposals are recorded for the plan." in _texts(_req(st, "response"))


# -- the page over the real app -----------------------------------------------------------------
@pytest.fixture(scope="module")
def site(stores: dict[str, Path]) -> Iterator[Running]:
    with running(stores["cc-good"]) as r:
        yield r


def _get(site: Running, path: str, accept: str = BROWSER) -> requests.Response:
    return requests.get(site.url + path, headers={"Accept": accept}, timeout=60,
                        allow_redirects=False)


def test_the_page_shows_verdicts_evidence_and_ogps_text(site: Running) -> None:
    r = _get(site, "id/plan/cc-good/co-creation?lang=en")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    html = r.text
    for key in KEYS:
        assert f'<tr id="summary-{key}"><th scope="row"><a href="#{key}">' in html
        assert f'<section id="{key}" aria-labelledby="{key}-heading" data-verdict="met">' in html
    assert f'href="{cc.OGP_STANDARDS_URL}"' in html
    assert f'href="{BASE}id/proposal/cc-good-p2?lang=en"' in html  # each proposal linked
    assert "Not taken forward, with a reason" in html
    nb = _get(site, "id/plan/cc-good/co-creation").text
    assert "Oppfylt" in nb and "Begrunnet svar" in nb


def test_the_page_is_found_only_for_a_plan(site: Running) -> None:
    assert _get(site, "id/plan/no-such-plan/co-creation").status_code == 404
    assert _get(site, "id/plan/cc-good/co-creation.xyz").status_code == 404


def test_the_page_as_rdf_states_the_verdicts_in_earl(site: Running) -> None:
    for path, accept, fmt in (
        ("id/plan/cc-good/co-creation.ttl", BROWSER, ox.RdfFormat.TURTLE),
        ("id/plan/cc-good/co-creation", "text/turtle", ox.RdfFormat.TURTLE),
        ("id/plan/cc-good/co-creation.nt", BROWSER, ox.RdfFormat.N_TRIPLES),
    ):
        r = _get(site, path, accept)
        assert r.status_code == 200, path
        triples = list(ox.parse(r.content, format=fmt))
        outcomes = {(t.subject.value, t.object.value) for t in triples
                    if t.predicate.value == EARL + "outcome"}
        doc = BASE + "id/plan/cc-good/co-creation"
        assert outcomes == {(f"{doc}#{k}-result", EARL + "passed") for k in KEYS}
        refs = {t.object.value for t in triples
                if t.subject.value == f"{doc}#response-result"
                and t.predicate.value == "http://purl.org/dc/terms/references"}
        assert BASE + "id/proposal/cc-good-p1" in refs
        assert BASE + "id/commitment/cc-good-01" in refs


def test_the_page_as_csv(site: Running) -> None:
    r = _get(site, "id/plan/cc-good/co-creation.csv?lang=en")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert {row["requirement"] for row in rows} == set(KEYS)
    assert {row["verdict"] for row in rows} == {cc.MET}
    assert {"plan": "cc-good", "requirement": "response", "verdict": "met",
            "evidence": "Taken into the plan", "item": BASE + "id/proposal/cc-good-p1",
            "date": "2022-11-01", "status": "met"} in rows


def test_the_dashboard_has_a_panel_linking_the_page(site: Running) -> None:
    html = _get(site, "?plan=cc-good&lang=en").text
    assert 'id="figure-co-creation"' in html
    assert f'href="{BASE}id/plan/cc-good/co-creation?lang=en"' in html
    assert html.count('data-verdict="met"') == len(KEYS)


# -- responses from spreadsheets --------------------------------------------------------------------
HEADER = ("Identifikator;Tittel (bokmål);Foreslått av;Tema;Levert på møte (møtedato);Svar;"
          "Tatt inn i forpliktelse (ID);Begrunnelse for svaret (bokmål);Svar gitt av;Svardato\n")
ROW = ("cc-missing-p1;Forslag som venter (oppdiktet);Transparency International Norge;"
       "Åpne data;2025-03-10;Ikke tatt videre;;{reason};"
       "Kommunal- og moderniseringsdepartementet;2025-04-01\n")


@pytest.fixture
def missing_store(stores: dict[str, Path], tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(stores["cc-missing"], store)
    return store


def _run(store: Path, *args: str) -> click.testing.Result:
    return CliRunner().invoke(main, ["--store", str(store), "--base-uri", BASE, *args],
                              catch_exceptions=False, env={"OGPREG_USER": "tester"})


def test_the_template_has_the_response_columns(tmp_path: Path) -> None:
    out = tmp_path / "forslag.csv"
    r = _run(tmp_path / "store", "template", "--kind", "proposals", "--format", "csv",
             "-o", str(out))
    assert r.exit_code == 0, r.output
    header = out.read_text("utf-8-sig").splitlines()[0].split(";")
    for name in ("Svar", "Tatt inn i forpliktelse (ID)", "Slått sammen med (forslags-ID)",
                 "Begrunnelse for svaret (bokmål)", "Svar gitt av", "Svardato"):
        assert name in header


def test_not_taken_forward_without_a_reason_is_refused(missing_store: Path,
                                                       tmp_path: Path) -> None:
    f = tmp_path / "svar.csv"
    f.write_text(HEADER + ROW.format(reason=""), "utf-8")
    before = all_quads(open_registry(make_settings(missing_store)))
    r = _run(missing_store, "--lang", "en", "load", str(f))
    assert r.exit_code == 1
    assert "svar.csv, row 2" in r.stdout
    assert ("The proposal was not taken forward, but the response gives no reason. Fill in the "
            "column \"Reason for the response\" with why") in r.stdout
    assert "(in RDF: ogp:responseReason)" in r.stdout
    assert all_quads(open_registry(make_settings(missing_store))) == before
    st = _standards(missing_store, "cc-missing")
    assert st.waiting == [BASE + "id/proposal/cc-missing-p1"]  # still waiting


def test_a_reasoned_response_from_a_spreadsheet_counts(missing_store: Path,
                                                       tmp_path: Path) -> None:
    f = tmp_path / "svar.csv"
    f.write_text(HEADER + ROW.format(reason="Utenfor planens tema (oppdiktet)."), "utf-8")
    r = _run(missing_store, "--lang", "en", "load", str(f))
    assert r.exit_code == 0, r.stdout
    st = _standards(missing_store, "cc-missing")
    assert st.waiting == []
    assert _req(st, "response").verdict == cc.MET
    assert "1 of 1 proposals have a reasoned response." in _texts(_req(st, "response"))


def test_a_response_without_who_and_when_is_refused(missing_store: Path,
                                                    tmp_path: Path) -> None:
    f = tmp_path / "svar.csv"
    row = ROW.format(reason="Grunn (oppdiktet).").replace(
        "Kommunal- og moderniseringsdepartementet;2025-04-01", ";")
    f.write_text(HEADER + row, "utf-8")
    r = _run(missing_store, "--lang", "en", "load", str(f))
    assert r.exit_code == 1
    assert ("a response needs \"Response\", \"Responded by\" and \"Response date\""
            in r.stdout)


# -- responses from the browser (the front door of endpoint/submit/) ------------------------------
@pytest.fixture
def door(missing_store: Path) -> Iterator[tuple[Running, str, str]]:
    from registry.access import tokens

    reg = open_registry(make_settings(missing_store))
    kmd = tokens.issue(reg, "972417858", "approver", "KMD").secret
    tin = tokens.issue(reg, "Transparency International Norge", "submitter", "TI").secret
    with running(missing_store, query_workers=1) as run:
        yield run, kmd, tin


def test_the_coordinating_ministry_responds_in_the_browser(
    door: tuple[Running, str, str],
) -> None:
    from tests.test_submit_http import Client

    run, kmd, tin = door
    page = _get(run, "id/plan/cc-missing/co-creation")
    assert f'href="{BASE}submit/response?proposal=cc-missing-p1"' in page.text  # waiting
    civil = Client(run.url)
    ministry = Client(run.url)
    try:
        civil.sign_in(tin)
        assert 'id="editors-only"' in civil.get("submit/response").text
        refused = civil.post("submit/response", {"proposal": "cc-missing-p1",
                                                 "response": "Ikke tatt videre",
                                                 "reason_nb": "Grunn", "date": "2025-04-01"})
        assert refused.status_code == 403
        ministry.sign_in(kmd)
        shown = ministry.get("submit/response?proposal=cc-missing-p1")
        assert "Forslag som venter (oppdiktet)" in shown.text
        form = {"proposal": "cc-missing-p1", "response": "Ikke tatt videre", "date": "2025-04-01"}
        no_reason = ministry.post("submit/response", form)
        assert no_reason.status_code == 422
        assert "Begrunnelse for svaret" in no_reason.text
        assert _standards(run.registry.store.path, "cc-missing").waiting  # nothing written
        done = ministry.post("submit/response",
                             form | {"reason_nb": "Ligger utenfor planens tema (oppdiktet)."})
        assert done.status_code == 303, done.text
        assert "/submit/receipt/" in done.headers["Location"]
    finally:
        civil.http.close()
        ministry.http.close()
    st = _standards(run.registry.store.path, "cc-missing")
    assert st.waiting == []
    assert _req(st, "response").verdict == cc.MET
    rows = run.registry.query(
        "SELECT ?g ?by WHERE { GRAPH ?g { ?p dct:identifier 'cc-missing-p1' ; "
        "ogp:respondedBy ?by ; ogp:responseReason ?r } }")
    found = [(r["g"].value, r["by"].value) for r in rows]  # type: ignore[union-attr]
    del rows
    assert found == [(BASE + "graph/source/response-cc-missing-p1",
                      BASE + "id/organisation/kommunal-og-moderniseringsdepartementet")]
