"""Templates generated from the shapes: XLSX (headers, descriptions, drop-down lists, example
row), CSV and JSON; a filled template loads without changes; the shipped JSON Schema is the
generated one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from loaders.columns import sheet
from loaders.template import json_template, schema_text, shipped_schema
from ogpreg.cli import main
from registry.service import Registry
from tests.conftest import BASE

COMMITMENT = ["NO9951", "2019-2021", "Malrad (eksempel)", "Template row (example)"]


@pytest.fixture
def run(registry: Registry):  # type: ignore[no-untyped-def]
    store = str(registry.store.path)

    def _run(*args: str) -> click.testing.Result:
        return CliRunner().invoke(
            main, ["--store", store, "--base-uri", BASE, *args], catch_exceptions=False
        )

    return _run


def test_xlsx_template_has_headers_descriptions_lists_and_an_example(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mal.xlsx"
    r = run("template", "--kind", "commitments", "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["Forpliktelser", "Milepæler", "Handlingsplaner"]
    assert "Veiledning" in wb.sheetnames
    ws = wb["Forpliktelser"]
    headers = [c.value for c in ws[1]]
    # the registry's ID, then the OGP ID (optional: OGP assigns it after the plan is published)
    assert headers[:4] == ["ID", "OGP-ID", "Handlingsplan (ID) *", "Tittel (bokmål)"]
    assert [c.value for c in ws[2]][:4] == ["ID", "OGP ID", "Action plan (ID) *",
                                            "Title (Norwegian Bokmål)"]
    assert ws["A3"].value == "EKSEMPEL"
    assert ws["A1"].comment is not None and "Registerets identifikator" in ws["A1"].comment.text
    assert ws["B1"].comment is not None and "OGPs identifikator" in ws["B1"].comment.text
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    theme_col = headers.index("Tema") + 1
    letter = ws.cell(row=1, column=theme_col).column_letter
    assert f"{letter}3:{letter}5000" in lists
    values_sheet = wb["Verdilister"]
    ref = lists[f"{letter}3:{letter}5000"].split("!")[1].replace("$", "")
    theme_values = [c.value for row in values_sheet[ref] for c in row]
    assert "Åpne data" in theme_values and len(theme_values) == 12
    lead_col = headers.index("Ansvarlig virksomhet *") + 1
    letter = ws.cell(row=1, column=lead_col).column_letter
    assert f"{letter}3:{letter}5000" in lists  # organisations from the register


def test_a_name_that_looks_like_a_formula_is_text_in_the_template(
    registry: Registry, run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """The value lists hold the names of the registry's organisations, which any submitter can
    register: a name starting with "=" is written as text, never as a formula a spreadsheet
    would run (a red-team audit found =HYPERLINK(…) in the public template's lists). The
    organisation is invented."""
    import zipfile

    from registry.loading.sources import SourceFile

    evil = '=HYPERLINK("http://evil.example/","Abelia")'
    ttl = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .\n"
        f"<{BASE}id/organisation/formula-test> a org:Organization ;\n"
        '  skos:prefLabel "=40+2"@nb , ' + f"'{evil}'@en ;\n"
        "  ogp:organisationKind "
        "<https://w3id.org/ogp-no/vocab/organisation-kind/business-association> .\n"
    )
    loaded = registry.load([SourceFile("formula.ttl", ttl.encode(), "formula-test", "turtle")])
    assert loaded[0].added == 4
    out = tmp_path / "mal.xlsx"
    r = run("template", "--kind", "commitments", "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    values = [c.value for row in load_workbook(out)["Verdilister"].iter_rows() for c in row]
    assert "=40+2" in values  # the name, as text


def test_filled_xlsx_template_loads_without_changes(registry: Registry, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mal.xlsx"
    assert run("template", "--kind", "commitments", "-o", str(out)).exit_code == 0
    wb = load_workbook(out)
    ws = wb["Forpliktelser"]
    headers = [str(c.value).rstrip(" *") for c in ws[1]]
    row = {h: None for h in headers}
    row.update({"OGP-ID": "NO9951", "Handlingsplan (ID)": "2019-2021",
                "Tittel (bokmål)": "Malrad (eksempel)", "Tittel (engelsk)": "Template row (example)",
                "Ansvarlig virksomhet": "Kulturdepartementet", "Tema": "Åpne data",
                "Startdato": "2019-09", "Sluttdato": "2020"})
    ws.append([row[h] for h in headers])
    ms = wb["Milepæler"]
    ms.append(["NO9951", 1, "Første steg (eksempel)", "First step (example)", "01.10.2019",
               "2019-12-31", None, None, "Fullført"])
    wb.save(out)
    r = run("load", "--submitted-by", "Kulturdepartementet", str(out))
    assert r.exit_code == 0, r.output
    assert "2 nye" in r.stdout
    res = registry.query('SELECT ?t WHERE { ?m ogp:ofCommitment/dct:identifier "NO9951" ; dct:title ?t FILTER(lang(?t)="nb") }')
    assert [s["t"].value for s in res] == ["Første steg (eksempel)"]  # type: ignore[union-attr]


def test_filled_csv_templates_load(registry: Registry, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mal.csv"
    written = run("template", "--kind", "commitments", "--format", "csv", "-o", str(out))
    assert written.exit_code == 0
    c = tmp_path / "mal-commitments.csv"
    m = tmp_path / "mal-milestones.csv"
    # it names the files it wrote, one per sheet, and no file it did not write
    named = sorted(Path(line.split(": ", 1)[1]).name for line in written.stderr.splitlines())
    assert named == sorted(p.name for p in tmp_path.glob("mal-*.csv")) == [
        "mal-commitments.csv", "mal-milestones.csv", "mal-plans.csv"]
    assert not out.exists()
    assert c.read_bytes().startswith(b"\xef\xbb\xbf")
    text = c.read_text("utf-8-sig")
    header = text.splitlines()[0].split(";")
    values = {"OGP-ID": "NO9952", "Handlingsplan (ID) *": "2019-2021",
              "Tittel (bokmål)": "CSV-rad (eksempel)", "Tittel (engelsk)": "CSV row (example)",
              "Ansvarlig virksomhet *": "972417866"}
    c.write_text(text + ";".join(values.get(h, "") for h in header) + "\r\n", encoding="utf-8-sig")
    mt = m.read_text("utf-8-sig")
    mh = mt.splitlines()[0].split(";")
    mv = {"Forpliktelse (ID) *": "NO9952", "Nummer *": "1",
          "Tittel (bokmål)": "Steg (eksempel)", "Tittel (engelsk)": "Step (example)"}
    m.write_text(mt + ";".join(mv.get(h, "") for h in mh) + "\r\n", encoding="utf-8-sig")
    r = run("load", str(c), str(m))
    assert r.exit_code == 0, r.output
    assert "2 nye" in r.stdout


def test_filled_json_template_loads(registry: Registry, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(json_template("proposals"))
    assert doc["proposals"][0]["example"] is True
    doc["proposals"].append({"id": "eksempel-json-1", "title_nb": "JSON-forslag (eksempel)",
                             "proposed_by": "Transparency International Norge",
                             "themes": ["Åpne data"]})
    f = tmp_path / "forslag.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = run("load", str(f))
    assert r.exit_code == 0, r.output
    assert "1 ny," in r.stdout  # one item: the singular ("1 ny", not "1 nye")


@pytest.mark.parametrize(
    "kind", ["commitments", "plans", "proposals", "comments", "assessments", "organisations"]
)
def test_every_kind_has_templates(run, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"{kind}.xlsx"
    assert run("template", "--kind", kind, "-o", str(out)).exit_code == 0
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    assert sheet(kind if kind != "commitments" else "commitments").name_nb in wb.sheetnames
    r = run("template", "--kind", kind, "--format", "json")
    assert json.loads(r.stdout)["kind"] == kind


def test_shipped_json_schema_is_the_generated_one() -> None:
    assert shipped_schema() == schema_text(), "regenerate: ogpreg template --kind commitments --format schema -o loaders/schema/submission.schema.json"
    schema = json.loads(shipped_schema())
    assert set(schema["$defs"]) == {"commitments", "milestones", "plans", "proposals", "comments",
                                    "assessments", "organisations"}
    assert "plan" in schema["$defs"]["commitments"]["required"]
    assert "ogp_id" not in schema["$defs"]["commitments"]["required"]  # OGP assigns it later


def test_the_example_row_is_skipped_when_its_column_was_moved(
    registry: Registry, run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """A person who moves the ID column (which holds the example row's EKSEMPEL) elsewhere
    still has the example skipped; before, it was read as a row ("Fant ingen milepæl
    «NO9901»", found by a helper reordering columns). The rows are the template's own
    example and an invented commitment."""
    import csv as csvmod

    r = run("template", "--kind", "commitments", "--format", "csv", "-o", str(tmp_path / "t.csv"))
    assert r.exit_code == 0, r.output
    rows = list(csvmod.reader(io.StringIO(
        (tmp_path / "t-commitments.csv").read_text("utf-8-sig")), delimiter=";"))
    header, example = rows[0], rows[1]
    assert example[0] == "EKSEMPEL"
    own = list(example)
    own[0], own[1] = "", "NO9955"
    own[header.index("Tittel (bokmål)")] = "Flyttet kolonne (oppdiktet)"
    moved = [[*r[1:], r[0]] for r in (header, example, own)]  # ID last
    out = tmp_path / "forpliktelser.csv"
    buf = io.StringIO()
    csvmod.writer(buf, delimiter=";").writerows(moved)
    out.write_text(buf.getvalue(), encoding="utf-8")
    r = run("--lang", "en", "load", "--dry-run", "--submitted-by", "912660680", str(out))
    assert r.exit_code == 0, r.output
    assert "EKSEMPEL" not in r.stdout.upper() and "NO9901" not in r.stdout
    assert "1 created," in r.stdout and "NO9955" in r.stdout


def test_a_value_merged_down_several_rows_is_read_for_each(
    registry: Registry, run, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """People merge a repeated value (the plan's ID) down the rows in Excel; the streaming
    reader saw it in the first row only, and every other row was "required, but the cell is
    empty" (a helper's trial: seven errors). Now each row reads it, with a notice that names
    the merged cells. The commitments are invented."""
    out = tmp_path / "mal.xlsx"
    assert run("template", "--kind", "commitments", "--format", "xlsx", "-o",
               str(out)).exit_code == 0
    wb = load_workbook(out)
    ws = wb["Forpliktelser"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    ws.delete_rows(3)  # the example row
    for i, ident in enumerate(("NO9961", "NO9962", "NO9963")):
        r = 3 + i
        ws.cell(row=r, column=col["OGP-ID"], value=ident)
        ws.cell(row=r, column=col["Tittel (bokmål)"], value=f"Sammenslått {ident} (oppdiktet)")
        ws.cell(row=r, column=col["Ansvarlig virksomhet *"], value="912660680")
    plan = col["Handlingsplan (ID) *"]
    ws.cell(row=3, column=plan, value="2019-2021")
    ws.merge_cells(start_row=3, start_column=plan, end_row=5, end_column=plan)
    for name in [n for n in wb.sheetnames if n not in ("Forpliktelser", "Veiledning",
                                                         "Verdilister")]:
        wb[name].delete_rows(3)  # the other sheets' example rows
    wb.save(out)
    r = run("--lang", "en", "load", "--dry-run", "--submitted-by", "912660680", str(out))
    assert r.exit_code == 0, r.output
    assert "3 created," in r.stdout
    letter = ws.cell(row=1, column=plan).column_letter
    assert f"The cells {letter}3:{letter}5 of the sheet «Forpliktelser» are merged" in r.stdout
