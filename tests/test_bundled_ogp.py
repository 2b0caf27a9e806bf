"""All of Norway's published commitments, bundled through the ministries' own path (issue 23),
and the IRM's ratings and the milestones of the 2019–2021 plan (issue 19).

Real data: ../shared/data/reference/ogp-commitments-norway.csv, nap4-irm-ratings.csv,
nap4-milestones.csv, nap4-milestones-coverage.csv, action-plans.csv. Every expectation is
derived from those files; the registry is the one ``ogpreg init`` builds (the session store of
tests/conftest.py, through loaders/bundled.py), and ``ogpreg init`` itself on a new store."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ogpreg.cli import main
from registry.loading import bundled
from registry.loading.pipeline import LoadResult
from registry.service import Registry, open_registry
from tests.conftest import BASE, make_settings, shared_file

ROOT = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(ROOT / "scripts"))
import ogp_commitments as ogp  # noqa: E402

OGP = "https://w3id.org/ogp-no/def#"
C = BASE + "id/commitment/"
KMD = "972417858"  # Kommunal- og moderniseringsdepartementet (reference/norway-central-government.csv)


def _csv(*parts: str) -> list[dict[str, str]]:
    with shared_file("data", "reference", *parts).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def select(reg: Registry, sparql: str) -> list[dict[str, str]]:
    result = reg.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]


@pytest.fixture(scope="module")
def reg(initialised_store: Path) -> Registry:
    return open_registry(make_settings(initialised_store))


# -- the bundled files are what the script writes ----------------------------------------------
def test_the_bundled_template_files_are_the_scripts_transcription() -> None:
    rows = _csv("ogp-commitments-norway.csv")
    for sid, name in bundled.SUBMISSIONS.items():
        plan = sid.removeprefix("bundled-ogp-")
        expected = ogp.template_csv([ogp.bundled_item(r) for r in rows if ogp.plan_of(r) == plan])
        assert (ROOT / "registry" / "data" / name).read_bytes() == expected, (
            f"regenerate: python scripts/ogp_commitments.py ({name})")
    assert {ogp.plan_of(r) for r in rows} == {
        s.removeprefix("bundled-ogp-") for s in bundled.SUBMISSIONS}


# -- every row, in its plan, once --------------------------------------------------------------
def test_init_gives_five_plans_and_every_row_of_the_file(reg: Registry) -> None:
    rows = _csv("ogp-commitments-norway.csv")
    plans = select(reg, "SELECT ?id WHERE { ?p a ogp:ActionPlan ; dct:identifier ?id }")
    assert sorted(p["id"] for p in plans) == sorted({ogp.plan_of(r) for r in rows})
    assert len(_csv("action-plans.csv")) == len(plans) == 5
    found = select(reg, """SELECT ?ogp ?plan ?title WHERE {
        ?c ogp:ogpIdentifier ?ogp ; ogp:inActionPlan/dct:identifier ?plan }""")
    by_id = Counter(r["ogp"] for r in found)
    assert set(by_id) == {r["ogp_id"] for r in rows}
    assert all(n == 1 for n in by_id.values()), by_id  # each once, in one plan
    per_plan = Counter(r["plan"] for r in found)
    assert per_plan == Counter(ogp.plan_of(r) for r in rows)


def test_every_row_is_a_commitment_with_its_title_lead_and_sources(reg: Registry) -> None:
    for row in _csv("ogp-commitments-norway.csv"):
        c = C + row["ogp_id"]
        titles = {r["t"] for r in select(reg, f"""SELECT ?t WHERE {{
            {{ <{c}> dct:title ?t }} UNION {{ <{c}> dct:alternative ?t }} }}""")}
        assert row["title_en"] in titles, row["ogp_id"]
        leads = select(reg, f"SELECT ?o WHERE {{ <{c}> ogp:leadAgency ?o }}")
        said = {r["s"] for r in select(reg, f"""SELECT ?s WHERE {{
            <{c}> ogp:leadAgencyStatement ?s }}""")}
        assert leads or row["lead_institution"] in said, row["ogp_id"]
        sources = {r["s"] for r in select(reg, f"SELECT ?s WHERE {{ <{c}> dct:source ?s }}")}
        assert {str(s) for s in ogp.page_sources(row)} <= sources, row["ogp_id"]
        if row["notes"]:
            notes = {r["n"] for r in select(reg, f"""SELECT ?n WHERE {{
                <{c}> ogp:editorialNote ?n }}""")}
            assert row["notes"] in notes, row["ogp_id"]


def test_the_row_the_page_cuts_off_keeps_the_pages_words(reg: Registry) -> None:
    [row] = [r for r in _csv("ogp-commitments-norway.csv") if r["ogp_id"] == ogp.CUT_OFF]
    said = {r["s"] for r in select(reg, f"""SELECT ?s WHERE {{
        <{C}{ogp.CUT_OFF}> ogp:leadAgencyStatement ?s }}""")}
    assert said == {row["lead_institution"], ogp.CUT_OFF_LEAD}


def test_the_2019_2021_commitments_are_not_there_twice(reg: Registry) -> None:
    nap4 = _csv("..", "nap4-2019-2021-commitments.csv")
    rows = select(reg, f"""SELECT ?c ?g WHERE {{ GRAPH ?g {{
        ?c a ogp:Commitment ; ogp:inActionPlan <{BASE}id/plan/2019-2021> }} }}""")
    assert Counter(r["c"] for r in rows) == Counter(C + r["commitment_id"] for r in nap4)
    assert {r["g"] for r in rows} == {BASE + "graph/source/bundled-plan-2019-2021"}
    # one title per language: a count over the union sees each commitment once
    titles = select(reg, """SELECT ?c (COUNT(?t) AS ?n) WHERE {
        ?c ogp:inActionPlan/dct:identifier "2019-2021" ; dct:title ?t FILTER(lang(?t) = "en")
    } GROUP BY ?c""")
    assert {r["n"] for r in titles} == {"1"}
    # OGP's headline title is kept beside the plan's wording
    ogp_rows = {r["ogp_id"]: r for r in _csv("ogp-commitments-norway.csv")}
    for r in nap4:
        alt = {x["a"] for x in select(reg, f"""SELECT ?a WHERE {{
            <{C}{r["commitment_id"]}> dct:alternative ?a }}""")}
        assert alt == {ogp_rows[r["commitment_id"]]["title_en"]} - {r["title_en"]}
    graphs = {r["g"] for r in select(reg, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert BASE + "graph/source/bundled-ogp-2019-2021" not in graphs
    assert {BASE + "graph/source/" + s for s in bundled.SUBMISSIONS
            if s not in bundled.CHECKED_ONLY} <= graphs


# -- IRM assessments ---------------------------------------------------------------------------
def _assessments(reg: Registry, ogp_id: str) -> dict[str, dict[str, set[str]]]:
    rows = select(reg, f"""SELECT ?a ?p ?o WHERE {{
        ?a a ogp:ProgressAssessment ; ogp:assesses <{C}{ogp_id}> ; ?p ?o }}""")
    out: dict[str, dict[str, set[str]]] = {}
    for r in rows:
        out.setdefault(r["a"], {}).setdefault(re.split(r"[#/]", r["p"])[-1], set()).add(r["o"])
    return out


def test_irm_fields_are_irm_assessments_attributed_to_the_reports_named(reg: Registry) -> None:
    for row in _csv("ogp-commitments-norway.csv"):
        if ogp.plan_of(row) == ogp.BUNDLED_PLAN:
            continue
        reports, fields = ogp.irm_fields(row["irm_fields"])
        [a] = _assessments(reg, row["ogp_id"]).values()
        assert a["assessmentKind"] == {"https://w3id.org/ogp-no/vocab/assessment-kind/irm"}
        assert a["assessedBy"] == {BASE + "id/organisation/independent-reporting-mechanism-irm"}
        assert a["irmReport"] == set(reports)
        assert a["ratingStatement"] == {f"{k}: {v}" for k, v in fields}
        dates = {ogp.REPORTS[r][1] for r in reports}
        assert a.get("assessmentDate", set()) == (dates if len(reports) == 1 and all(dates)
                                                  else set())
    no0023 = next(iter(_assessments(reg, "NO0023").values()))
    assert no0023["openedGovernment"] == {
        "https://w3id.org/ogp-no/vocab/opened-government/did-not-change"}  # pre-2021 report
    no0032 = next(iter(_assessments(reg, "NO0032").values()))
    assert no0032["starred"] == {"false"}


def test_the_irm_ratings_of_2019_2021_per_report(reg: Registry) -> None:
    ratings = _csv("nap4-irm-ratings.csv")
    for r in ratings:
        found = [a for a in _assessments(reg, r["commitment_id"]).values()
                 if a["irmReport"] == {r["report"]}]
        assert len(found) == 1, (r["commitment_id"], r["report"])
        [a] = found
        assert a["assessmentDate"] == {ogp.REPORTS[r["report"]][1]}
        assert r["report_url"] in a["source"]
        if r["completion"]:
            assert f"Completion: {r['completion']}" in a["ratingStatement"]
    # the one completion the sources give: NO0059, "Limited"
    limited = select(reg, """SELECT ?c WHERE { ?a ogp:assesses ?c ;
        ogp:completion <https://w3id.org/ogp-no/vocab/completion/limited> }""")
    assert [r["c"] for r in limited] == [C + r["commitment_id"] for r in ratings
                                         if r["completion"] == "Limited"]


# -- milestones and what is known of them --------------------------------------------------------
def test_the_milestones_the_sources_give_and_their_coverage(reg: Registry) -> None:
    given = [r for r in _csv("nap4-milestones.csv") if r["title_en"]]
    rows = select(reg, """SELECT ?c ?n ?title ?done WHERE { ?m ogp:ofCommitment ?c ;
        schema:position ?n ; dct:title ?title FILTER(lang(?title) = "en")
        OPTIONAL { ?m ogp:completion ?done } }""")
    assert sorted((r["c"], r["n"], r["title"]) for r in rows) == sorted(
        (C + g["commitment_id"], g["position"], g["title_en"]) for g in given)
    complete = {(r["c"], r["n"]) for r in rows if r["done"].endswith("/complete")}
    assert complete == {(C + g["commitment_id"], g["position"]) for g in given
                        if g["status_as_published"] == "completed"}
    coverage = {r["c"]: r["v"] for r in select(reg, """SELECT ?c ?v WHERE {
        ?c ogp:milestonesComplete ?v }""")}
    for row in _csv("nap4-milestones-coverage.csv"):
        expected = {"yes": "true", "no": "false"}.get(row["table_complete"])
        assert coverage.get(C + row["commitment_id"]) == expected, row["commitment_id"]


# -- the example queries include every plan ------------------------------------------------------
def _example(name: str) -> str:
    text = (ROOT / "endpoint" / "examples" / f"{name}.rq").read_text("utf-8")
    assert text == (ROOT / "examples" / "queries" / f"{name}.rq").read_text("utf-8")
    return text


def test_the_per_plan_per_theme_and_per_ministry_examples_include_the_new_plans(
    reg: Registry,
) -> None:
    rows = _csv("ogp-commitments-norway.csv")
    per_plan = {r["plan"]: int(r["commitments"])
                for r in select(reg, _example("commitments-per-plan"))}
    expected = Counter(ogp.plan_of(r) for r in rows)
    for plan, n in expected.items():
        assert per_plan[plan] == n, plan
    themes = select(reg, _example("commitments-per-theme"))
    total = select(reg, """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
        ?c ogp:inActionPlan/dct:identifier ?plan ; ogp:theme ?t FILTER(?plan != "2019-2021") }""")
    assert int(total[0]["n"]) > 0  # the new plans' commitments have themes
    assert "Integritet og åpenhet i forvaltningen" in {r["theme"] for r in themes}
    kmd = select(reg, _example("commitments-of-one-ministry"))
    assert {r["id"] for r in kmd} == {
        r["ogp_id"] for r in rows
        if r["lead_institution"].strip(". ").startswith("Ministry of Local Government and "
                                                         "Modernisation")}


def test_the_dashboard_counts_every_plan(reg: Registry, initialised_store: Path) -> None:
    import requests

    from tests.endpoint_server import running

    rows = _csv("ogp-commitments-norway.csv")
    with running(initialised_store) as site:
        for plan in sorted({ogp.plan_of(r) for r in rows}):
            resp = requests.get(site.url + f"?plan={plan}&lang=en", timeout=30)
            assert resp.status_code == 200, plan
            assert plan in resp.text


# -- the page of a 2013–2015 commitment ----------------------------------------------------------
@pytest.fixture(scope="module")
def site(initialised_store: Path) -> Iterator[object]:
    from tests.endpoint_server import running

    with running(initialised_store) as r:
        yield r


def _lead(site: object, ogp_id: str, lang: str) -> str:
    import requests

    resp = requests.get(site.url + f"id/commitment/{ogp_id}?lang={lang}",  # type: ignore[attr-defined]
                        headers={"Accept": "text/html"}, timeout=30)
    assert resp.status_code == 200
    m = re.search(r'<dd id="lead-agency">(.*?)</dd>', resp.text, re.S)
    assert m is not None
    return m.group(1)


def test_a_2013_2015_commitment_shows_its_lead_by_its_name_then_and_its_successor(
    site: object,
) -> None:
    org = BASE + "id/organisation/"
    lead = _lead(site, "NO0027", "nb")
    # FAD (2010-2013), replaced by KMD in 2014: a body of its own, linked to its successor
    assert re.search(rf'<a href="{org}fornyings-administrasjons-og-kirkedepartementet[^"]*">'
                     r"Fornyings-, administrasjons- og kirkedepartementet</a>", lead)
    assert re.search(rf'erstattet av: <a href="{org}kommunal-og-moderniseringsdepartementet', lead,
                     re.IGNORECASE)
    # Kulturdepartementet then, the same body renamed since: its current name beside it
    culture = _lead(site, "NO0043", "en")
    assert re.search(r">Ministry of Culture</a> <span class=\"successor\">\(now named: "
                     rf'<a href="{org}kulturdepartementet[^"]*">Ministry of Culture and Equality',
                     culture, re.IGNORECASE)


def test_ogpreg_init_on_a_new_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    r = CliRunner().invoke(main, ["--store", str(store), "--base-uri", BASE, "--lang", "en",
                                  "init"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "0 errors" in r.output and "revision 3" in r.output
    again = CliRunner().invoke(main, ["--store", str(store), "--base-uri", BASE, "--lang", "en",
                                      "init"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert "ogp-commitments/2013-2015.csv: unchanged" in again.output


def test_a_first_start_stopped_between_the_init_commits_is_finished_at_the_next_use(
    tmp_path: Path,
) -> None:
    """``ogpreg init`` (and the first start of ``ogpreg serve`` on a new store) commits three
    times. Stopped after the first (Ctrl-C while a new store initialises), the store exists but
    lacks every plan's commitments as OGP publishes them; the next use must finish the job,
    not serve the registry half loaded."""
    from loaders import bundled as bundled_data

    store = tmp_path / "store"
    first = bundled_data.install(open_registry(make_settings(store)))
    turtle_only = first.init

    def then_ctrl_c() -> list[LoadResult]:  # Ctrl-C arrives right after the first commit
        turtle_only()
        raise KeyboardInterrupt

    first.init = then_ctrl_c  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        first.ensure_initialised()
    half = bundled_data.install(open_registry(make_settings(store)))
    assert half.store.exists() and not half.is_initialised()
    half.ensure_initialised()
    graphs = {
        r["g"].value for r in half.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?c a ogp:Commitment } }"
        )
    }
    assert {f"{BASE}graph/source/{sid}" for sid in bundled.SUBMISSIONS
            if sid not in bundled.CHECKED_ONLY} <= graphs
    assert bundled_data.complete(half) and half.is_initialised()
    again = bundled_data.install(open_registry(make_settings(store)))
    revision = again.store.revision()
    assert again.ensure_initialised() is None and again.store.revision() == revision
    refresh = bundled_data.install(open_registry(make_settings(store)))  # `ogpreg init` again,
    refresh.init = then_ctrl_c  # type: ignore[method-assign]  # stopped after its first commit:
    with pytest.raises(KeyboardInterrupt):
        bundled_data.init(refresh)
    # the store still holds everything (some of it not yet refreshed): not retried at every use
    assert bundled_data.install(open_registry(make_settings(store))).is_initialised()
    core_only = tmp_path / "core-only"  # what the core alone fills is not "stopped halfway"
    open_registry(make_settings(core_only)).init()
    assert bundled_data.install(open_registry(make_settings(core_only))).is_initialised()


# -- a ministry's submission of a plan the registry ships ------------------------------------------
def test_a_commitment_left_out_of_a_resubmission_is_reported_even_if_the_registry_keeps_it(
    registry: Registry, tmp_path: Path
) -> None:
    """The registry ships the 2013–2015 commitments as OGP publishes them
    (``bundled-ogp-2013-2015``). A ministry that submits some of them and then leaves one out
    of its next version is told so, with the source that still holds it, instead of seeing it
    as unchanged; one only its own submission had is removed."""
    def run(*args: str) -> click.testing.Result:
        return CliRunner().invoke(main, ["--store", str(registry.store.path), "--base-uri", BASE,
                                         *args], catch_exceptions=False,
                                  env={"OGPREG_USER": "tester"})

    text = (ROOT / "tests" / "fixtures" / "submissions" / "real-plans" / "2013-2015.csv").read_text("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    invented = list(rows[0])
    invented[header.index("ID")] = "2013-2015-test-1"
    invented[header.index("OGP-ID")] = ""
    invented[header.index("Tittel (engelsk)")] = "An invented commitment (oppdiktet)"

    def write(name: str, body: list[list[str]]) -> Path:
        buf = io.StringIO()
        csv.writer(buf, delimiter=";").writerows([header, *body])
        (tmp_path / name).write_text(buf.getvalue(), encoding="utf-8")
        return tmp_path / name

    first = write("kmd-2013-2015.csv", [*rows[:3], invented])
    assert run("load", "--submitted-by", KMD, str(first)).exit_code == 0
    left_out = rows[2][header.index("OGP-ID")]
    second = write("kmd-2013-2015-v2.csv", rows[:2])
    r = run("--lang", "en", "load", "--dry-run", "--submitted-by", KMD, str(second))
    assert r.exit_code == 0, r.output
    assert ("0 created, 0 updated, 2 unchanged, 1 removed, 1 no longer in this submission but "
            "still in the registry from another source") in r.stdout
    assert 'removed: 2013-2015-test-1 "An invented commitment (oppdiktet)"' in r.stdout
    assert (f"no longer in this submission, still in the registry from bundled-ogp-2013-2015"
            f"{', bundled-ogp-notes' if 'bundled-ogp-notes' in r.stdout else ''}: "
            f'{left_out} "') in r.stdout
    r = run("--lang", "nb", "load", "--dry-run", "--report", "json", "--submitted-by", KMD,
            str(second))
    changes = json.loads(r.stdout)["sources"][0]["changes"]
    assert (changes["removed"], changes["dropped"]) == (1, 1)
    dropped = next(i for i in changes["items"] if i["status"] == "dropped")
    assert dropped["iri"] == C + left_out and "bundled-ogp-2013-2015" in dropped["sources"]
    # loaded, the commitment stays (the registry's own source has it), the invented one goes
    assert run("load", "--submitted-by", KMD, str(second)).exit_code == 0
    assert {r["o"] for r in select(registry, f"SELECT ?o WHERE {{ <{C}{left_out}> ogp:ogpIdentifier ?o }}")} == {left_out}
    assert not select(registry, f"SELECT ?p WHERE {{ <{C}2013-2015-test-1> ?p ?o }}")


def test_a_value_the_registrys_own_source_already_has_is_refused_naming_that_source(
    registry: Registry, tmp_path: Path
) -> None:
    """A ministry submitting the 2016–2018 plan with the plan cover's end month got only "at
    most one end date" (a helper's trial); the refusal now says which value the registry
    already has and from which source, and how to go on. The month given is invented."""
    f = tmp_path / "handlingsplan.csv"
    f.write_text("ID *;Sluttdato\n2016-2018;desember 2017\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["--store", str(registry.store.path), "--base-uri", BASE,
                                  "--lang", "en", "load", "--kind", "plans",
                                  "--submitted-by", KMD, str(f)],
                           catch_exceptions=False, env={"OGPREG_USER": "tester"})
    assert r.exit_code == 1, r.output
    assert "The registry already has 2018 from the source bundled-plans" in r.stdout
    assert "leave the cell empty to keep it" in r.stdout


def test_a_milestone_outside_the_period_the_registry_gives_its_commitment_is_refused(
    registry: Registry, tmp_path: Path
) -> None:
    """A ministry's row for NO0023 (2013) without dates, and a milestone of it in 2019: the
    commitment's period is the one the registry's own OGP data gives, so the milestone is
    refused (a helper's trial loaded it: the row of the submission hid the registry's dates).
    The milestone is invented."""
    text = (ROOT / "tests" / "fixtures" / "submissions" / "real-plans" / "2013-2015.csv"
            ).read_text("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    row = next(r for r in rows if r[header.index("OGP-ID")] == "NO0023")
    row[header.index("Startdato")] = row[header.index("Sluttdato")] = ""
    commitments, milestones = tmp_path / "forpliktelser.csv", tmp_path / "milepaeler.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header, row])
    commitments.write_text(buf.getvalue(), encoding="utf-8")
    milestones.write_text(
        "Forpliktelse (ID) *;Nummer *;Tittel (bokmål);Startdato;Sluttdato\n"
        "NO0023;1;Gjennomgang (oppdiktet);01.06.2019;01.01.2020\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["--store", str(registry.store.path), "--base-uri", BASE,
                                  "--lang", "en", "load", "--dry-run", "--submitted-by", KMD,
                                  str(commitments), str(milestones)],
                           catch_exceptions=False, env={"OGPREG_USER": "tester"})
    assert r.exit_code == 1, r.output
    assert "lies outside the period of the commitment" in r.stdout
    assert "2013-12-31" in r.stdout


def test_a_plan_shows_its_coordinating_ministry_by_its_name_then(site: object) -> None:
    """The 2016–2018 plan was coordinated by Kommunal- og moderniseringsdepartementet (renamed
    Kommunal- og distriktsdepartementet in 2022) and the 2013–2015 plan by FAD (replaced by KMD
    in 2014); the plan pages showed today's names (a helper's trial), as the commitment pages no
    longer do for their lead agencies."""
    import requests

    org = BASE + "id/organisation/"

    def coordinated(plan: str, lang: str) -> str:
        resp = requests.get(site.url + f"id/plan/{plan}?lang={lang}",  # type: ignore[attr-defined]
                            headers={"Accept": "text/html"}, timeout=30)
        assert resp.status_code == 200
        m = re.search(r'<dd id="coordinated-by">(.*?)</dd>', resp.text, re.S)
        assert m is not None, plan
        return m.group(1)

    kmd = coordinated("2016-2018", "nb")
    assert re.search(r">Kommunal- og moderniseringsdepartementet</a> <span class=\"successor\">"
                     rf'\(\w[^:]*: <a href="{org}kommunal-og-moderniseringsdepartementet[^"]*">'
                     r"Kommunal- og distriktsdepartementet", kmd), kmd
    fad = coordinated("2013-2015", "en")
    assert "Ministry of Government Administration" in fad or "Fornyings-" in fad, fad
    assert re.search(r"replaced by: <a href=\"" + org + "kommunal-og-moderniseringsdepartementet",
                     fad, re.IGNORECASE), fad
