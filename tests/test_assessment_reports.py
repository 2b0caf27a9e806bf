"""An IRM rating named by its report: the assessments sheet's column «IRM-rapport» / "IRM
report" (ogp:irmReport). The registry ships IRM ratings that name the report they come from
and have no date (the report's date is not known); a ministry that resubmits one names the
report and leaves the date empty, and the row describes the registry's own assessment: one
assessment, shown once on the commitment page. A row with neither a date nor a report gets
one error naming both columns (docs/submissions.md).

The ratings are real: NO0022's from OGP's commitment page as the registry ships it
(../shared/data/reference/ogp-commitments-norway.csv, bundled as ``NO0022-irm``), NO0055's
from the IRM's Results Report 2019-2022 (nap4-irm-ratings.csv, bundled as
``NO0055-irm-results-report-2019-2022``)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from openpyxl import load_workbook
from pyoxigraph import NamedNode, QuerySolutions, Variable

from loaders.columns import sheet
from loaders.submission import Options, RawInput, read_submissions
from loaders.template import csv_templates, json_schema, xlsx_template
from ogpreg.cli import main
from registry.service import Registry
from tests.conftest import BASE, shared_file
from tests.endpoint_server import Running, running

KMD = "972417858"  # Kommunal- og moderniseringsdepartementet
IRM = "Independent Reporting Mechanism (IRM)"
ASSESSMENT = BASE + "id/assessment/"


def _reference(name: str) -> list[dict[str, str]]:
    path = shared_file("data", "reference", name)
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _no0022() -> dict[str, str]:
    """NO0022's IRM rating as a ministry sends it again: the reports OGP's commitment page
    names, its early results (the registry's «Åpnet forvaltningen» for a rating before 2021),
    and no date (the page gives none)."""
    (row,) = [r for r in _reference("ogp-commitments-norway.csv") if r["ogp_id"] == "NO0022"]
    reports: list[str] = []
    fields: dict[str, str] = {}
    for part in row["irm_fields"].split(";"):
        name, _, value = (p.strip() for p in part.partition(":"))
        if name == "IRM reports":
            reports = [r.strip() for r in value.split(",")]
        else:
            fields[name] = value
    assert reports == ["Norway End-of-Term Report 2014-2015",
                       "Norway Second IRM Progress Report 2013-2014"]
    return {"commitment": "NO0022", "kind": "IRM-vurdering", "assessed_by": IRM,
            "irm_report": "; ".join(reports), "opened_government": fields["Early results"]}


def _no0055_results() -> dict[str, str]:
    """The IRM's Results Report 2019-2022 on NO0055 (early results "Marginal"), its date left
    empty: the row names the report instead."""
    (row,) = [r for r in _reference("nap4-irm-ratings.csv")
              if r["commitment_id"] == "NO0055" and "Results Report" in r["report"]]
    return {"commitment": "NO0055", "kind": "IRM-vurdering", "assessed_by": IRM,
            "irm_report": row["report"],
            "opened_government": row["early_results_did_it_open_government"]}


def _xlsx(path: Path, *rows: dict[str, str]) -> Path:
    wb = load_workbook(io.BytesIO(xlsx_template("assessments")))
    for row in rows:
        wb["Vurderinger"].append([row.get(c.key) for c in sheet("assessments").columns])
    wb.save(path)
    return path


def _csv(path: Path, *rows: dict[str, str]) -> Path:
    """The CSV template of assessments (its header row), filled in."""
    template = csv_templates("assessments")["assessments"].decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(template), delimiter=";"))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([row.get(c.key, "") for c in sheet("assessments").columns])
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


def _json(path: Path, *rows: dict[str, str]) -> Path:
    items = [{k: ([v] if k == "irm_report" else v) for k, v in row.items()} for row in rows]
    path.write_text(json.dumps({"kind": "assessments", "assessments": items}), "utf-8")
    return path


def _ogpreg(store: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    r = CliRunner().invoke(main, ["--store", str(store), "--base-uri", BASE, "--lang", lang,
                                  *args], catch_exceptions=False, env={"OGPREG_USER": "tester"})
    return r.exit_code, r.output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The registry as shipped (``ogpreg init``), then a ministry's resubmission of two IRM
    ratings the registry ships, with the report named and no date: NO0022's in a workbook,
    NO0055's in the CSV form."""
    tmp = tmp_path_factory.mktemp("reports")
    store = tmp / "store"
    assert _ogpreg(store, "init")[0] == 0
    for source, f in (
        ("assessments-irm-2013-2015", _xlsx(tmp / "irm-2013-2015.xlsx", _no0022())),
        ("assessments-irm-2019-2021", _csv(tmp / "irm-2019-2021.csv", _no0055_results())),
    ):  # one source each (by default both would be the ministry's one assessments graph)
        code, out = _ogpreg(store, "load", "--submitted-by", KMD, "--source", source, str(f))
        assert code == 0, out
    with running(store) as served:
        yield served


def _assessments(site: Running, commitment: str, *, submitted: bool) -> set[str]:
    """The assessments of ``commitment`` in the store: in the assessments sheets' graphs
    (``submitted``), or in any graph."""
    rows = site.registry.query(
        "SELECT ?c ?g ?a WHERE { GRAPH ?g { ?a ogp:assesses ?c } }",
        substitutions={Variable("c"): NamedNode(BASE + "id/commitment/" + commitment)})
    assert isinstance(rows, QuerySolutions)
    found = {(str(r["g"].value), str(r["a"].value)) for r in rows}
    return {a.removeprefix(ASSESSMENT) for g, a in found
            if not submitted or g.startswith(BASE + "graph/source/assessments-")}


def _assessment_links(site: Running, commitment: str) -> list[str]:
    resp = requests.get(site.url + "id/commitment/" + commitment, params={"lang": "en"},
                        headers={"Accept": "text/html"}, timeout=30)
    assert resp.status_code == 200
    section = resp.text[resp.text.index('id="assessments"'):]
    section = section[: section.index("</section>")]
    return sorted(set(re.findall(r"id/assessment/([^?\"#]+)", section)))


def test_a_resubmitted_undated_irm_rating_named_by_its_report_shows_once(
    site: Running,
) -> None:
    # the sheet's row describes the registry's assessment: no second one is loaded
    assert _assessments(site, "NO0022", submitted=True) == {"NO0022-irm"}
    assert _assessments(site, "NO0022", submitted=False) == {"NO0022-irm"}
    assert _assessment_links(site, "NO0022") == ["NO0022-irm"]
    # and it stays undated, as the registry has it
    dates = site.registry.query(
        "SELECT ?a ?d WHERE { GRAPH ?g { ?a ogp:assessmentDate ?d } }",
        substitutions={Variable("a"): NamedNode(ASSESSMENT + "NO0022-irm")})
    assert list(dates) == []  # type: ignore[arg-type]


def test_the_csv_form_names_the_report_of_a_dated_rating_the_registry_ships(
    site: Running,
) -> None:
    assert _assessments(site, "NO0055", submitted=True) == {
        "NO0055-irm-results-report-2019-2022"}
    assert _assessment_links(site, "NO0055") == [
        "NO0055-irm-design-report-2019-2021", "NO0055-irm-results-report-2019-2022"]


def test_without_a_date_the_minted_id_is_the_bundled_ones(
    empty_registry: Registry, tmp_path: Path,
) -> None:
    """In a registry without the bundled ratings the row cannot reuse one: the ID it makes
    from the report is the one the bundled data gives the same rating
    (scripts/ogp_commitments.py ``assessment_iri``), so both sources name one assessment."""
    bundled = "".join(
        Path("registry/data", name).read_text("utf-8")
        for name in ("bundled-ogp-notes.ttl", "bundled-irm-2019-2021.ttl"))
    data = _xlsx(tmp_path / "vurderinger.xlsx", _no0022(), _no0055_results()).read_bytes()
    (sub,) = read_submissions(
        empty_registry, [(RawInput("vurderinger.xlsx", data=data), "xlsx")],
        Options(submitted_by=KMD))
    named = {s.removeprefix(ASSESSMENT) for s in sub.build.subjects}
    assert named == {"NO0022-irm", "NO0055-irm-results-report-2019-2022"}
    for ident in named:
        assert f"<id/assessment/{ident}>" in bundled


@pytest.mark.parametrize("form", ["xlsx", "csv", "json"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_row_with_neither_date_nor_report_gets_one_error_naming_both(
    registry: Registry, tmp_path: Path, form: str, lang: str,
) -> None:
    row = {k: v for k, v in _no0022().items() if k != "irm_report"}
    write = {"xlsx": _xlsx, "csv": _csv, "json": _json}[form]
    f = write(tmp_path / f"vurderinger.{form}", row)
    code, out = _ogpreg(Path(registry.settings.store), "validate", str(f), lang=lang)
    assert code != 0, out
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"(FEIL|ERROR):", line)]
    assert len(starts) == 1, out
    assert re.search(r"^(1 feil|1 error),", out, flags=re.M), out
    end = next((i for i in range(starts[0] + 1, len(lines)) if not lines[i].startswith("  ")),
               len(lines))
    error = "\n".join(lines[starts[0]:end])
    date, report = sheet("assessments").column("date"), sheet("assessments").column("irm_report")
    column = "date" if form == "json" else date.header_nb
    assert f"column «{column}»" in error or f"kolonne «{column}»" in error, error
    for c in (date, report):
        assert c.header(lang) in error, error  # type: ignore[arg-type]


def test_the_json_schema_asks_for_a_date_or_a_report() -> None:
    assessments = json_schema()["$defs"]["assessments"]
    assert "date" not in assessments["required"]
    assert [alt["required"] for alt in assessments["anyOf"]] == [["date"], ["irm_report"]]
    assert assessments["properties"]["irm_report"]["description"].startswith(
        "IRM-rapport / IRM report.")
