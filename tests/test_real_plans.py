"""Real plans as their sources write them (issue 17): the commitments of Norway's 2013–2015,
2016–2018 and 2023–2027 plans exactly as OGP publishes them, in the registry's own templates
(tests/fixtures/submissions/real-plans/, real data), load in one pass, on the command line and
through the library; every problem is reported once, counted apart with the right plurals, on
standard output; nothing the sources say is lost. Also: commitments before OGP ids (a registry
id, the OGP id added by a resubmission), plans as a submission kind, nynorsk.

The invented rows in this file say so ("oppdiktet", "invented", ids test-…)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from loaders.build.dates import parse_date
from loaders.columns import sheet
from loaders.load import load
from loaders.submission import Options, RawInput, read_submissions, submission_format
from loaders.template import xlsx_template
from ogpreg.cli import main
from registry.model.orgnames import key
from registry.service import Registry, open_registry
from tests.conftest import BASE, FIXTURES, all_quads, make_settings, shared_file
from tests.test_loaders_load import rows as select

REAL = FIXTURES / "submissions" / "real-plans"
KMD = "972417858"  # Kommunal- og moderniseringsdepartementet, coordinator of NAP2 from 2014
PLAN_FILES = ["2013-2015.csv", "2013-2015.xlsx", "2016-2018.csv", "2016-2018.xlsx",
              "2023-2027.csv", "2023-2027.xlsx"]
C = BASE + "id/commitment/"
OGP = "https://w3id.org/ogp-no/def#"


@pytest.fixture(scope="module")
def turtle_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the bundled Turtle only (``Registry.init``): the registry as a ministry
    finds it before these plans are registered. ``ogpreg init`` bundles the same rows through
    the same path (loaders/bundled.py; tests/test_bundled_ogp.py)."""
    path = tmp_path_factory.mktemp("turtle") / "store"
    open_registry(make_settings(path)).init()
    return path


@pytest.fixture
def registry(turtle_store: Path, tmp_path: Path) -> Iterator[Registry]:
    path = tmp_path / "store"
    shutil.copytree(turtle_store, path)
    yield open_registry(make_settings(path))


@pytest.fixture
def run(registry: Registry):  # type: ignore[no-untyped-def]
    store = str(registry.store.path)

    def _run(*args: str) -> click.testing.Result:
        return CliRunner().invoke(main, ["--store", store, "--base-uri", BASE, *args],
                                  catch_exceptions=False, env={"OGPREG_USER": "tester"})

    return _run


def blocks(report: str) -> list[str]:
    """The report's problems, one text each (a block starts with its severity)."""
    out: list[str] = []
    for line in report.splitlines():
        if re.match(r"^(ERROR|WARNING|NOTICE|FEIL|ADVARSEL|MERKNAD): ", line):
            out.append(line)
        elif line.startswith("  ") and out:
            out[-1] += "\n" + line
    return out


# -- one pass ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PLAN_FILES)
def test_a_real_plan_loads_in_one_pass(registry: Registry, run, name: str) -> None:  # type: ignore[no-untyped-def]
    r = run("--lang", "en", "load", "--submitted-by", KMD, str(REAL / name))
    assert r.exit_code == 0, r.output
    assert "ERROR" not in r.stdout and r.stderr == ""
    plan = name.split(".")[0]
    rows = select(registry, f"""SELECT ?c WHERE {{ ?c ogp:inActionPlan <{BASE}id/plan/{plan}> ;
                                                     ogp:ogpIdentifier ?id }}""")
    assert len(rows) == {"2013-2015": 14, "2016-2018": 4, "2023-2027": 1}[plan]


def test_the_library_loads_the_real_plans_in_one_pass(registry: Registry) -> None:
    for name in ("2013-2015.xlsx", "2016-2018.csv", "2023-2027.xlsx"):
        subs = read_submissions(
            registry, [(RawInput(name, path=REAL / name), str(submission_format(name)))],
            Options(submitted_by=BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"),
        )
        results, report = load(registry, subs)
        assert report.conforms and results[0].triples > 0, report.render("en")
    assert len(select(registry, "SELECT ?c WHERE { ?c ogp:ogpIdentifier ?id }")) == 9 + 19


#: Every problem of the 2013–2015 CSV file, each once: (severity, row, column, words).
EXPECTED_2013_2015 = [
    ("WARNING", 3, "Ansvarlig virksomhet", '"Ministry of Labour" is not a registered name'),
    ("WARNING", 3, "Politikkområde", '"Whistleblower Protections" is not in the registry'),
    ("WARNING", 5, "Ansvarlig virksomhet", '"Language Council of Norway (Språkrådet)": not in '
                                           "the register"),
    ("WARNING", 11, "Ansvarlig virksomhet", '"Norges Bank (Norway\'s Central Bank)": not in the '
                                            "register"),
    ("WARNING", 14, "Politikkområde", '"Democratizing Decision-Making" is not in the registry'),
    ("WARNING", 14, "Politikkområde", '"Regulatory Governance" is not in the registry'),
    *(("WARNING", row, "Tittel (bokmål)", "The Norwegian Bokmål title is missing (recommended)")
      for row in range(2, 16)),
    ("NOTICE", None, None, "Encoding UTF-8 with BOM"),
    ("NOTICE", 2, "Startdato", '"Ongoing" is not a date; it is kept'),
    ("NOTICE", 2, "Sluttdato", '"Ongoing" is not a date; it is kept'),
    ("NOTICE", 10, "Ansvarlig virksomhet", '"Ministry of Foreign Affairs (general political '
                                           'responsibility)": Utenriksdepartementet'),
    ("NOTICE", None, None, "Themes derived from the OGP policy areas for 4 commitments"),
]


def test_every_problem_of_a_real_plan_is_reported_once_and_counted_apart(run) -> None:  # type: ignore[no-untyped-def]
    r = run("--lang", "en", "validate", "--submitted-by", KMD, str(REAL / "2013-2015.csv"))
    assert r.exit_code == 0, r.output
    found = blocks(r.stdout)
    assert len(found) == len(EXPECTED_2013_2015), "\n".join(found)
    for severity, row, column, words in EXPECTED_2013_2015:
        where = f", row {row}, column «{column}" if row else "2013-2015.csv\n"
        hits = [b for b in found if b.startswith(severity) and where in b and words in b]
        assert len(hits) == 1, (severity, row, column, words, hits)
    assert r.stdout.rstrip().endswith("0 errors, 20 warnings and 5 notices.")
    nb = run("validate", "--submitted-by", KMD, str(REAL / "2013-2015.csv"))
    assert nb.stdout.rstrip().endswith("0 feil, 20 advarsler og 5 merknader.")


def test_the_report_speaks_the_words_of_the_spreadsheet(run) -> None:  # type: ignore[no-untyped-def]
    """No RDF in what a spreadsheet user reads: no language tags, prefixes or datatypes."""
    for lang in ("nb", "en"):
        for name in PLAN_FILES:
            r = run("--lang", lang, "validate", "--submitted-by", KMD, str(REAL / name))
            assert r.exit_code == 0, r.output
            for text in ('"@nb', '"@en', "ogp:", "^^xsd", "skos:", "dct:"):
                assert text not in r.stdout, (name, text)


def test_the_row_the_source_cuts_off_gives_one_clear_error(registry: Registry, run) -> None:  # type: ignore[no-untyped-def]
    before = all_quads(registry)
    r = run("--lang", "en", "load", "--submitted-by", KMD, str(REAL / "2013-2015-no0042.csv"))
    assert r.exit_code == 1
    errors = [b for b in blocks(r.stdout) if b.startswith("ERROR")]
    assert len(errors) == 1, errors
    [e] = errors
    assert "row 2, column «Ansvarlig virksomhet *»" in e
    assert "No organisation 'The Government Administration Services (' in the organisation " \
        "register" in e
    assert "ogpreg template --kind organisations" in e and "write NA" in e
    assert r.stdout.rstrip().endswith("1 error, 1 warning and 1 notice.")
    assert "nothing was loaded" in r.stderr and "ERROR" not in r.stderr  # the verdict apart
    nb = run("validate", "--submitted-by", KMD, str(REAL / "2013-2015-no0042.csv"))
    assert nb.stdout.rstrip().endswith("1 feil, 1 advarsel og 1 merknad.")
    assert all_quads(registry) == before


# -- nothing lost ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def loaded(turtle_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    path = tmp_path_factory.mktemp("real-plans") / "store"
    shutil.copytree(turtle_store, path)
    reg = open_registry(make_settings(path))
    for name in ("2013-2015.csv", "2016-2018.xlsx", "2023-2027.csv"):
        r = CliRunner().invoke(main, ["--store", str(path), "--base-uri", BASE, "load",
                                      "--submitted-by", KMD, str(REAL / name)])
        assert r.exit_code == 0, r.output
    return reg


def _source_rows() -> list[dict[str, str]]:
    with shared_file("data", "reference", "ogp-commitments-norway.csv").open(
        encoding="utf-8"
    ) as fh:
        return [r for r in csv.DictReader(fh)
                if any(p in r["action_plan"] for p in ("2013-2015", "2016-2018", "2023-2027"))
                and r["ogp_id"] != "NO0042"]


def _values(reg: Registry, iri: str, predicate: str) -> set[str]:
    return {r["o"] for r in select(reg, f"SELECT ?o WHERE {{ <{iri}> <{predicate}> ?o }}")}


def _names(reg: Registry, iri: str) -> set[str]:
    return _values(reg, iri, "http://www.w3.org/2004/02/skos/core#prefLabel") | _values(
        reg, iri, "http://www.w3.org/2004/02/skos/core#altLabel") | _values(
        reg, iri, "http://www.w3.org/2004/02/skos/core#hiddenLabel")


def test_nothing_the_source_says_is_lost(loaded: Registry) -> None:
    """Every value of every transcribed row is in the store: linked (a plan, organisation,
    policy area or date that says the same) or kept as the source writes it."""
    rows = _source_rows()
    assert len(rows) == 19
    for row in rows:
        [c] = [r["c"] for r in select(loaded, f"""SELECT ?c WHERE {{
            ?c ogp:ogpIdentifier "{row["ogp_id"]}" }}""")]
        assert c == C + row["ogp_id"]  # the OGP id is the registry id: the same URI
        assert row["title_en"] in _values(loaded, c, "http://purl.org/dc/terms/title")
        [plan] = _values(loaded, c, OGP + "inActionPlan")
        assert row["action_plan"] in _values(loaded, plan, "http://purl.org/dc/terms/alternative")
        leads = _values(loaded, c, OGP + "leadAgency")
        said = _values(loaded, c, OGP + "leadAgencyStatement")
        assert leads, row["ogp_id"]
        assert row["lead_institution"] in said or any(
            row["lead_institution"] in _names(loaded, o) for o in leads
        ), row["ogp_id"]
        if row["support_institutions"] != "NA":  # OGP's "not available": nothing to keep
            assert row["support_institutions"] in _values(loaded, c, OGP + "supportStatement")
        known = set()
        for area in _values(loaded, c, OGP + "policyArea"):
            known |= {key(n) for n in _names(loaded, area)}
        tags = _values(loaded, c, OGP + "policyAreaLabel")
        for tag in row["policy_areas"].split(";"):
            assert key(tag) in known or tag.strip() in tags, (row["ogp_id"], tag)
        for column, prop in (("start", "https://schema.org/startDate"),
                             ("end", "https://schema.org/endDate")):
            if row[column]:
                statement = "startDateStatement" if column == "start" else "endDateStatement"
                dates = _values(loaded, c, prop)
                assert row[column] in _values(loaded, c, OGP + statement) or (
                    parse_date(row[column]).lexical in dates
                ), (row["ogp_id"], column)
        links = set(re.split(r"\s*\|\s*", row["source"]))
        assert links <= _values(loaded, c, "http://purl.org/dc/terms/source")


def test_joint_leads_and_cooperating_bodies_are_linked_as_the_prose_says(loaded: Registry) -> None:
    org = BASE + "id/organisation/"
    assert _values(loaded, C + "NO0034", OGP + "leadAgency") == {
        org + "utenriksdepartementet", org + "olje-og-energidepartementet"}
    assert _values(loaded, C + "NO0027", OGP + "leadAgency") == {
        org + "fornyings-administrasjons-og-kirkedepartementet"}
    assert _values(loaded, C + "NO0027", OGP + "supportingPublicBody") == {
        org + "digitaliseringsdirektoratet"}  # Difi, "in cooperation with"
    assert _values(loaded, C + "NO0022", OGP + "leadAgency") == {
        org + "digitaliseringsdirektoratet"}  # "Agency for Public Management and eGovernment (Difi)"
    assert _values(loaded, C + "NO0047", OGP + "leadAgency") == {
        org + "klima-og-miljodepartementet"}  # "Ministry of Climate and Environment"
    assert _values(loaded, C + "NO0066", OGP + "leadAgency") == {
        org + "digitaliserings-og-forvaltningsdepartementet"}


def test_submitted_policy_areas_give_themes_as_for_the_bundled_plan(loaded: Registry) -> None:
    themes = "https://w3id.org/ogp-no/theme/"
    # NO0033: Capacity Building; E-Government -> innovation in the public sector
    assert _values(loaded, C + "NO0033", OGP + "theme") == {themes + "public-sector-innovation"}
    # NO0050: Anti-Corruption and Integrity, Asset Disclosure, Conflicts of Interest, ...
    assert _values(loaded, C + "NO0050", OGP + "theme") == {
        themes + "anti-corruption", themes + "integrity"}
    counts = {r["theme"]: r["n"] for r in select(loaded, """
        SELECT ?theme (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c ogp:inActionPlan/dct:identifier ?plan ; ogp:theme/skos:broader* ?t .
          ?t skos:topConceptOf theme:scheme . BIND(STR(?t) AS ?theme)
          FILTER(?plan IN ("2013-2015", "2016-2018", "2023-2027")) } GROUP BY ?theme""")}
    assert counts  # the new plans are in the per-theme counts
    unmapped = select(loaded, (Path(__file__).parents[1] / "examples" / "queries" /
                               "unmapped-policy-areas.rq").read_text("utf-8"))
    unknown = [r["tag"] for r in unmapped if r["known"] == "false"]
    assert unknown == sorted(["Democratizing Decision-Making", "Freedom of Expression",
                              "Regulatory Governance", "Whistleblower Protections"])


# -- commitments before OGP ids ----------------------------------------------------------------
def _draft_2023_2027(tmp_path: Path, ident: str, ogp_id: str) -> Path:
    """The real NO0066 row as a ministry drafting the plan sends it: with the registry's ID
    (the submitter's choice) and the OGP ID once OGP has given one."""
    text = (REAL / "2023-2027.csv").read_text("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text), delimiter=";"))
    row[header.index("ID")] = ident
    row[header.index("OGP-ID")] = ogp_id
    out = tmp_path / f"{ident}-{ogp_id or 'uten'}.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header, row])
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def test_a_commitment_without_an_ogp_id_loads_and_gets_it_later(registry: Registry, run,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path) -> None:
    draft = _draft_2023_2027(tmp_path, "2023-2027-01", "")
    r = run("--lang", "en", "load", str(draft))
    assert r.exit_code == 0, r.output
    iri = C + "2023-2027-01"
    assert _values(registry, iri, "http://purl.org/dc/terms/identifier") == {"2023-2027-01"}
    assert _values(registry, iri, OGP + "ogpIdentifier") == set()
    # OGP publishes NO0066: the same row again, with the same ID and the OGP ID
    published = _draft_2023_2027(tmp_path, "2023-2027-01", "NO0066")
    r = run("--lang", "en", "load", "--dry-run", str(published))
    assert r.exit_code == 0, r.output
    assert "0 created, 1 updated, 0 unchanged, 0 removed" in r.stdout
    assert re.search(r'updated: 2023-2027-01 "[^"\n]+" \(OGP ID\)', r.stdout), r.stdout
    assert run("load", str(published)).exit_code == 0
    assert _values(registry, iri, OGP + "ogpIdentifier") == {"NO0066"}  # the same resource
    # an OGP id names one commitment: another row giving it to another commitment is refused
    other = _draft_2023_2027(tmp_path, "2023-2027-02", "NO0066")
    r = run("--lang", "en", "validate", "--submitted-by", "Finansdepartementet", str(other))
    assert r.exit_code == 1
    assert f"The OGP ID NO0066 is already the OGP ID of the commitment {iri}" in r.stdout
    # and so is one of the bundled plan's
    bundled = _draft_2023_2027(tmp_path, "2023-2027-03", "NO0054")
    r = run("--lang", "en", "validate", str(bundled))
    assert r.exit_code == 1 and f"commitment {C}NO0054 in the registry" in r.stdout


def test_a_bad_id_hides_nothing_else_of_its_row(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """INVENTED row: a malformed OGP id, a theme and an organisation that do not exist, an
    unknown policy area: every problem is reported, each once."""
    header = [c.header_nb for c in sheet("commitments").columns]
    row = {"OGP-ID": "NO54", "Handlingsplan (ID)": "2023-2027",
           "Tittel (bokmål)": "Oppdiktet forpliktelse", "Ansvarlig virksomhet": "Departementet X",
           "Tema": "Åpne dater; Arkivvering", "Politikkområde": "Open Data; Oppdiktet område"}
    f = tmp_path / "oppdiktet.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header, [row.get(h, "") for h in header]])
    f.write_text(buf.getvalue(), encoding="utf-8")
    r = run("--lang", "en", "validate", str(f))
    assert r.exit_code == 1
    found = blocks(r.stdout)
    errors = [b for b in found if b.startswith("ERROR")]
    assert sum('"NO54" is not an OGP ID' in b for b in errors) == 1
    assert sum("No organisation 'Departementet X'" in b for b in errors) == 1
    assert sum('Unknown value "Åpne dater"' in b for b in errors) == 1  # every unknown value
    assert sum('Unknown value "Arkivvering"' in b for b in errors) == 1
    assert len(errors) == 4, errors
    assert sum('"Oppdiktet område" is not in the registry' in b for b in found) == 1


def test_a_missing_title_is_one_error_and_a_missing_plan_says_how_to_register_one(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    header = [c.header_nb for c in sheet("commitments").columns]
    rows = [{"ID": "test-1", "Handlingsplan (ID)": "2031-2032", "Ansvarlig virksomhet": "DFD"}]
    f = tmp_path / "uten-tittel.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header] + [[r.get(h, "") for h in header]
                                                        for r in rows])
    f.write_text(buf.getvalue(), encoding="utf-8")
    r = run("--lang", "en", "validate", str(f))
    errors = [b for b in blocks(r.stdout) if b.startswith("ERROR")]
    assert len(errors) == 2, errors  # the title (once, not also from the shapes), the plan
    assert sum("The title is missing: fill in at least one of" in b for b in errors) == 1
    assert sum('No action plan "2031-2032"' in b and "ogpreg template --kind plans" in b
               for b in errors) == 1
    assert not any("Bokmål title is missing" in b for b in blocks(r.stdout))


def test_rows_for_several_plans_get_one_message_with_the_counts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    header = [c.header_nb for c in sheet("commitments").columns]
    plans = ["2013-2015", "2016-2018", "2023-2027"] * 2
    rows = [{"ID": f"test-{i}", "Handlingsplan (ID)": p, "Tittel (bokmål)": "Oppdiktet",
             "Ansvarlig virksomhet": "DFD"} for i, p in enumerate(plans)]
    f = tmp_path / "tre-planer.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header] + [[r.get(h, "") for h in header]
                                                        for r in rows])
    f.write_text(buf.getvalue(), encoding="utf-8")
    r = run("validate", str(f))
    errors = [b for b in blocks(r.stdout) if b.startswith("FEIL")]
    assert len(errors) == 1, errors
    assert "radene nevner flere: 2013-2015 (2 rader), 2016-2018 (2 rader), 2023-2027 (2 rader)" \
        in errors[0]
    assert "de fleste radene" not in r.stdout


def test_the_submitter_message_counts_the_organisations_the_rows_name(run) -> None:  # type: ignore[no-untyped-def]
    r = run("validate", str(REAL / "2016-2018.csv"))
    assert r.exit_code == 1
    assert "radene nevner 3 ulike organisasjoner" in r.stdout


# -- plans, languages --------------------------------------------------------------------------
def test_a_plan_and_its_commitments_register_in_one_workbook(registry: Registry, run,  # type: ignore[no-untyped-def]
                                                              tmp_path: Path) -> None:
    """INVENTED plan test-2031-2032, described on the sheet «Handlingsplaner» of the
    commitments template, in nynorsk; its commitments name it, one by a nynorsk title only."""
    wb = load_workbook(io.BytesIO(xlsx_template("commitments")))
    plan = {"id": "test-2031-2032", "title_nn": "Oppdikta testplan (eksempel)",
            "start_date": "2031", "end_date": "2032",
            "period_statements": "plan cover: 'January 2031 – December 2033' (invented)",
            "coordinated_by": "Ministry of Digitisation and Public Governance",
            "documents": "https://www.regjeringen.no/no/oppdiktet-plan/"}
    wb["Handlingsplaner"].append([plan.get(c.key) for c in sheet("plans").columns])
    commitments = [
        {"id": "test-2031-2032-01", "plan": "test-2031-2032", "lead_agency": "DFD",
         "title_nn": "Oppdikta forplikting", "start_date": "januar 2031",
         "end_date": "Not Specified"},
    ]
    for c in commitments:
        wb["Forpliktelser"].append([c.get(col.key) for col in sheet("commitments").columns])
    f = tmp_path / "plan.xlsx"
    wb.save(f)
    r = run("--lang", "en", "load", str(f))
    assert r.exit_code == 0, r.output
    p = BASE + "id/plan/test-2031-2032"
    assert _values(registry, p, "http://purl.org/dc/terms/title") == {
        "Oppdikta testplan (eksempel)"}
    assert select(registry, f'SELECT ?t WHERE {{ <{p}> dct:title ?t FILTER(lang(?t) = "nn") }}')
    assert _values(registry, p, OGP + "periodStatement") == {
        "plan cover: 'January 2031 – December 2033' (invented)"}
    assert _values(registry, p, OGP + "coordinatedBy") == {
        BASE + "id/organisation/digitaliserings-og-forvaltningsdepartementet"}
    c = C + "test-2031-2032-01"
    assert _values(registry, c, "https://schema.org/startDate") == {"2031-01"}
    assert _values(registry, c, OGP + "endDateStatement") == {"Not Specified"}
    assert 'The English title is missing (recommended)' in r.stdout  # a warning, it loads


def test_plans_are_a_kind_of_submission(registry: Registry, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "planer.csv"
    assert run("template", "--kind", "plans", "--format", "csv", "-o", str(out)).exit_code == 0
    text = out.read_text("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:4] == ["ID *", "Tittel (bokmål)", "Tittel (nynorsk)", "Tittel (engelsk)"]
    values = {"ID *": "test-2041-2042", "Tittel (bokmål)": "Oppdiktet plan (eksempel)",
              "Startdato": "2041", "Sluttdato": "2042", "Koordinert av": "972417858",
              "Antall forpliktelser": "7"}
    out.write_text(text + ";".join(values.get(h, "") for h in header) + "\r\n",
                   encoding="utf-8-sig")
    r = run("--lang", "en", "load", str(out))
    assert r.exit_code == 0, r.output
    assert "plans-test-2041-2042-kommunal-og-moderniseringsdepartementet" in r.stdout
    p = BASE + "id/plan/test-2041-2042"
    assert _values(registry, p, OGP + "numberOfCommitments") == {"7"}
    assert _values(registry, p, OGP + "country") == {
        "http://publications.europa.eu/resource/authority/country/NOR"}
    r = run("template", "--kind", "plans", "--format", "json")
    assert json.loads(r.stdout)["plans"][0]["example"] is True


def test_the_five_plans_are_bundled_with_their_sources(registry: Registry) -> None:
    plans = {r["id"]: r for r in select(registry, """
        SELECT ?id (GROUP_CONCAT(DISTINCT STR(?co); separator=" ") AS ?coordinators)
               (COUNT(DISTINCT ?src) AS ?sources) (SAMPLE(?start) AS ?s) (SAMPLE(?end) AS ?e)
        WHERE { ?p a ogp:ActionPlan ; dct:identifier ?id ; dct:source ?src
                OPTIONAL { ?p ogp:coordinatedBy ?co } OPTIONAL { ?p schema:startDate ?start }
                OPTIONAL { ?p schema:endDate ?end } } GROUP BY ?id""")}
    assert sorted(plans) == ["2012-2013", "2013-2015", "2016-2018", "2019-2021", "2023-2027"]
    org = BASE + "id/organisation/"
    assert set(plans["2012-2013"]["coordinators"].split()) == {
        org + "utenriksdepartementet", org + "fornyings-administrasjons-og-kirkedepartementet"}
    assert set(plans["2013-2015"]["coordinators"].split()) == {
        org + "fornyings-administrasjons-og-kirkedepartementet",
        org + "kommunal-og-moderniseringsdepartementet"}
    assert plans["2023-2027"]["coordinators"] == org + "digitaliserings-og-forvaltningsdepartementet"
    assert (plans["2012-2013"]["s"], plans["2016-2018"]["s"]) == ("", "2016")  # as given
    assert all(int(p["sources"]) >= 2 for p in plans.values())
    # no approval date is made up; the sources' words are kept
    assert not select(registry, "SELECT ?d WHERE { ?p ogp:approvalDate ?d }")
    nap5 = select(registry, """SELECT ?t WHERE { ?p dct:identifier "2023-2027" ; dct:title ?t
                                FILTER(lang(?t) = "nn") }""")
    assert nap5 == [{"t": "Noregs handlingsplan 5 – Open Government Partnership (OGP) 2024-2027"}]
    statements = {r["s"] for r in select(registry, """SELECT ?s WHERE {
        ?p dct:identifier "2016-2018" ; ogp:periodStatement ?s }""")}
    assert statements == {"plan cover: 'January 2016 – December 2017'"}


@pytest.fixture(scope="module")
def site(loaded: Registry) -> Iterator[object]:
    from tests.endpoint_server import running

    with running(loaded.store.path) as r:
        yield r


def test_a_missing_bokmal_title_is_visible_on_the_page(site) -> None:  # type: ignore[no-untyped-def]
    import requests

    resp = requests.get(site.url + "id/commitment/NO0066", timeout=30,  # type: ignore[attr-defined]
                        headers={"Accept": "text/html"})
    assert resp.status_code == 200
    assert 'id="title-missing-nb"' in resp.text and 'id="title-missing-en"' not in resp.text
    assert "Denne har ingen tittel på bokmål ennå." in resp.text
    assert 'id="ogp-id">NO0066<' in resp.text
    assert "2024/2025" in resp.text  # the end as the source writes it


def test_counts_use_each_languages_plural_forms() -> None:
    from registry.i18n import msg_n
    from registry.validation.report import Issue, ValidationReport

    def report(*severities: str) -> ValidationReport:
        return ValidationReport([Issue(s, "", "m", "m") for s in severities])

    assert report("violation", "warning", "info").summary("nb") == (
        "1 feil, 1 advarsel og 1 merknad.")
    assert report("violation", "warning", "warning", "info", "info").summary("nb") == (
        "1 feil, 2 advarsler og 2 merknader.")
    assert report("warning").summary("en") == "0 errors and 1 warning."  # no notices: left out
    assert report("info", "info", "info").summary("en") == "0 errors, 0 warnings and 3 notices."
    assert msg_n("{n} created", "{n} created", 1).render("nb") == "1 ny"
    assert msg_n("{n} created", "{n} created", 2).render("nb") == "2 nye"

