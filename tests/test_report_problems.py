"""The problem report of a submission read by a ministry clerk (CLI, JSON; the check page and
the API show the same report objects): each problem once, at the column its value is in, in
the words of the sheet (no internal row names, no vocabulary IRIs), in the order of the
workbook; change lines that name every item the same way; a cell in prose that says what to
write instead. One regression test per fault a trial with the real 2013-2015 plan found.

The commitments, organisations and the plan's «Koordinert av» text are real (the bundled data);
the mistakes in them (an integer written as a word, a duplicate row, a civil-society lead
agency, an empty lead agency, a bad OGP ID) are invented, as are the invented titles marked so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from ogpreg.cli import main
from registry.service import Registry
from tests.conftest import BASE, FIXTURES

JD = "Justis- og beredskapsdepartementet"


@pytest.fixture
def run(registry: Registry):  # type: ignore[no-untyped-def]
    store = str(registry.store.path)

    def _run(*args: str) -> click.testing.Result:
        return CliRunner().invoke(
            main, ["--store", store, "--base-uri", BASE, *args], catch_exceptions=False,
            env={"OGPREG_USER": "tester"},
        )

    return _run


@pytest.fixture
def template(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The commitments template as `ogpreg template` makes it (headers in rows 1-2, the
    example in row 3)."""
    out = tmp_path / "template.xlsx"
    r = run("template", "--kind", "commitments", "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    return out


#: the English titles of the 2013-2015 commitments as OGP publishes them (the bundled data): a
#: different English title would contradict that source
TITLES = {
    "NO0023": "Whistleblowing",
    "NO0025": "Strengthening the Transparency of Public Authorities and Administration",
    "NO66": "Simplified Privacy Statements on Public Websites",
}


def _commitment(ws: Worksheet, row: int, ogp_id: str, lead: object, **more: object) -> None:
    cells: dict[str, object] = {"OGP-ID": ogp_id, "Handlingsplan (ID)": "2013-2015",
                                "Ansvarlig virksomhet": lead}
    if ogp_id in TITLES:
        cells["Tittel (engelsk)"] = TITLES[ogp_id]
    else:
        cells["Tittel (bokmål)"] = "Enkelt og greit"  # NO0038's, as the bundled plan has it
    cells.update(more)
    for header, value in cells.items():
        headers = {str(c.value).removesuffix(" *"): c.column for c in ws[1] if c.value}
        ws.cell(row, headers[header], value)


def _report(run, path: Path, *extra: str, command: str = "validate") -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    args = ("load", "--dry-run") if command == "load" else (command,)
    r = run("--lang", "en", *args, "--report", "json", *extra, str(path))
    assert r.exit_code == 1, r.output
    issues: list[dict[str, Any]] = json.loads(r.stdout)["issues"]
    return issues


def _at(issues: list[dict[str, Any]], sheet: str, row: int) -> list[dict[str, Any]]:
    return [i for i in issues
            if i["location"].get("sheet") == sheet and i["location"].get("row") == row]


def test_a_cell_checked_twice_is_reported_once(run, template: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(template)
    _commitment(wb["Forpliktelser"], 4, "NO0023", "Arbeids- og sosialdepartementet")
    ms = wb["Milepæler"]
    headers = {str(c.value).removesuffix(" *"): c.column for c in ms[1] if c.value}
    ms.cell(4, headers["Forpliktelse (ID)"], "NO0023")
    ms.cell(4, headers["Nummer"], "første")  # invented mistake: the number as a word
    ms.cell(4, headers["Tittel (engelsk)"], "A milestone (invented)")
    path = tmp_path / "twice.xlsx"
    wb.save(path)
    issues = _at(_report(run, path), "Milepæler", 4)
    number = [i for i in issues if i["location"].get("column") == "Nummer *"]
    assert [i["message"] for i in number] == [
        '"første" is not a whole number. Write a whole number, e.g. 1.'], issues
    # nor said a second way (the shapes' "required, but the cell is empty": it is not)
    assert not any("is required" in i["message"] for i in issues), issues


def test_an_assessment_cell_is_reported_once_at_its_own_column(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    template = tmp_path / "assessments-template.xlsx"
    assert run("template", "--kind", "assessments", "-o", str(template)).exit_code == 0
    wb = load_workbook(template)
    ws = wb["Vurderinger"]
    headers = {str(c.value).removesuffix(" *"): c.column for c in ws[1] if c.value}
    # invented assessments of a real commitment, each with one invented mistake in a cell the
    # assessment's name is made of (the name is read from them when «ID» is empty)
    mistakes = {4: ("Vurderingstype", "Egenvurderingx"), 5: ("Vurderingsdato", "31.06.2013"),
                6: ("Forpliktelse (ID)", "ikke en id!"), 7: ("Milepæl (nummer)", "første")}
    for row, (header, value) in mistakes.items():
        cells = {"Forpliktelse (ID)": "NO0023", "Vurderingstype": "Egenvurdering",
                 "Vurdert av": "Arbeids- og sosialdepartementet", "Vurderingsdato": "2014-06-30",
                 header: value}
        for h, v in cells.items():
            ws.cell(row, headers[h], v)
    path = tmp_path / "assessments.xlsx"
    wb.save(path)
    issues = [i for i in _report(run, path) if i["severity"] == "violation"]
    got = sorted((i["location"]["row"], i["location"]["column"].removesuffix(" *"), i["value"])
                 for i in issues)
    assert got == sorted((row, header, value) for row, (header, value) in mistakes.items())


def test_a_duplicate_ogp_id_is_reported_in_the_ogp_id_column(run, template: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(template)
    ws = wb["Forpliktelser"]
    _commitment(ws, 4, "NO0025", JD)
    _commitment(ws, 5, "NO0023", "Arbeids- og sosialdepartementet")
    _commitment(ws, 6, "NO0025", JD)  # invented mistake: row 4 again; the «ID» column is empty
    path = tmp_path / "duplicate.xlsx"
    wb.save(path)
    issues = _report(run, path)
    dup = [i for i in issues if "already appears" in i["message"]]
    assert len(dup) == 1, issues
    assert dup[0]["location"] == {"sheet": "Forpliktelser", "row": 6, "column": "OGP-ID",
                                  "cell": "B6"}
    assert dup[0]["value"] == "NO0025"
    # with the «ID» filled in, that is the column that names the row
    ws.cell(4, 1, "2013-2015-jd-1")
    ws.cell(6, 1, "2013-2015-jd-1")
    wb.save(path)
    dup = [i for i in _report(run, path) if "already appears" in i["message"]]
    assert [d["location"]["cell"] for d in dup] == ["A6"], dup


def test_shape_results_restating_a_cell_are_left_out_and_never_in_rdf_terms(run, template: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(template)
    ws = wb["Forpliktelser"]
    _commitment(ws, 4, "NO0025", JD)
    # invented mistakes: a civil-society organisation as lead agency; an empty lead agency on a
    # row whose OGP ID cannot be read (so the row has only an internal name)
    _commitment(ws, 5, "NO0038", "Transparency International Norge")
    _commitment(ws, 6, "NO66", None)
    path = tmp_path / "rdf-terms.xlsx"
    wb.save(path)
    issues = _report(run, path, "--submitted-by", JD)
    for i in issues:
        value = i["value"] or ""
        assert not value.startswith("urn:x-ogpreg:"), i
        assert not value.startswith("https://w3id.org/ogp-no/vocab/"), i
        assert "vocab:" not in i["message"] and "ogp:leadAgency" not in i["message"], i
        assert i["location"].get("row") is not None, i  # every one at its row
    lead = "Ansvarlig virksomhet *"
    row5 = [i for i in _at(issues, "Forpliktelser", 5) if i["severity"] == "violation"]
    assert [(i["location"]["column"], i["value"]) for i in row5] == [
        (lead, "Transparency International Norge")], row5
    row6 = [i for i in _at(issues, "Forpliktelser", 6) if i["severity"] == "violation"]
    assert sorted(i["location"]["column"] for i in row6) == [lead, "OGP-ID"], row6
    empty = next(i for i in row6 if i["location"]["column"] == lead)
    assert empty["message"].startswith('"Lead agency" is required, but the cell is empty.')
    # a shape's result that remains (the missing bokmål title, a warning) is at its cell, by
    # the row, not by the row's internal name
    title = [i for i in _at(issues, "Forpliktelser", 6) if i["severity"] == "warning"]
    assert [(i["location"]["column"], i["value"]) for i in title] == [("Tittel (bokmål)", None)]


def test_problems_are_in_workbook_order_file_level_first(run, template: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(template)
    ws = wb["Forpliktelser"]
    # invented mistakes, written so that neither the order of the checks nor the order the
    # sheets are read in (commitments before milestones) is the workbook's
    _commitment(ws, 4, "NO0025", JD, Startdato="31.06.2013", Sluttdato="31.12.13")
    _commitment(ws, 5, "NO0023", "Arbeids- og sosialdepartementet", Tema="Frivillighet",
                Startdato="2015-06-30", Sluttdato="2014-01-01")
    ms = wb["Milepæler"]
    headers = {str(c.value).removesuffix(" *"): c.column for c in ms[1] if c.value}
    ms.cell(4, headers["Forpliktelse (ID)"], "NO0099")
    ms.cell(4, headers["Nummer"], 1)
    ms.cell(4, headers["Tittel (engelsk)"], "A milestone (invented)")
    wb.move_sheet("Milepæler", offset=-1)  # the milestones sheet first in the workbook
    path = tmp_path / "order.xlsx"
    wb.save(path)
    # no --submitted-by, and the rows name two ministries: a problem of the whole file
    issues = _report(run, path, command="load")
    errors = [i for i in issues if i["severity"] == "violation"]
    assert "location" not in errors[0] or not errors[0]["location"], errors[0]
    assert "submits" in errors[0]["message"] or "submitter" in errors[0]["message"]
    order = {"Milepæler": 0, "Forpliktelser": 1}
    placed = [(order[i["location"]["sheet"]], i["location"]["row"], i["location"]["cell"])
              for i in errors[1:]]
    assert placed == sorted(placed, key=lambda p: (p[0], p[1], len(p[2]), p[2])), placed
    assert placed[0][0] == 0 and {p[0] for p in placed} == {0, 1}
    sheets = [i["location"]["sheet"] for i in errors[1:]]
    assert sheets.index("Forpliktelser") > sheets.index("Milepæler")
    # errors before warnings, as before
    severities = [i["severity"] for i in issues]
    assert severities == sorted(severities, key=["violation", "warning", "info"].index)


def test_change_lines_name_every_item_by_identifier_and_title(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sub = FIXTURES / "submissions" / "commitments.xlsx"  # invented example data
    assert run("load", str(sub)).exit_code == 0
    wb = load_workbook(sub)
    titles = {}
    for row in wb["Forpliktelser"].iter_rows(min_row=1):
        if row[0].value in ("NO9901", "NO9902"):
            titles[row[0].value] = row[3].value
        if row[0].value == "NO9901":
            row[3].value = "Open procurement data (example)"
    ms = wb["Milepæler"]
    removed = None
    for row in ms.iter_rows(min_row=1):
        if row[0].value == "NO9902":
            removed = (row[1].value, row[2].value, row[3].value)
            for cell in row:
                cell.value = None
    v2 = tmp_path / "v2.xlsx"
    wb.save(v2)
    r = run("--lang", "en", "load", "--dry-run", str(v2))
    assert r.exit_code == 0, r.output
    lines = [line.strip() for line in r.stdout.splitlines()
             if line.startswith(("  updated: ", "  removed: ", "  created: "))]
    assert removed is not None
    assert 'updated: NO9901 "Open procurement data (example)" (Title (English))' in lines, lines
    # the removed milestone is named as a created one would be: NO9902/1, with its title
    assert f'removed: NO9902/{removed[0]} "{removed[2]}"' in lines, lines
    assert not any("commitment/" in line for line in lines), lines
    nb = run("load", "--dry-run", str(v2))
    assert f"fjernet: NO9902/{removed[0]} «{removed[1]}»" in nb.stdout, nb.stdout
    j = run("--lang", "en", "load", "--dry-run", "--report", "json", str(v2))
    items = json.loads(j.stdout)["sources"][0]["changes"]["items"]
    gone = next(i for i in items if i["status"] == "removed")
    assert (gone["item"], gone["title"]) == (f"NO9902/{removed[0]}", removed[2])


def test_a_cell_in_prose_says_plainly_what_to_write(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the plan's «Koordinert av» as the reference data writes it (real); one sheet of plans
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Handlingsplaner"
    ws.append(["ID *", "Tittel (engelsk)", "Startdato", "Sluttdato", "Koordinert av"])
    ws.append(["2013-2015", "Norway's second Action Plan on Open Government Partnership (OGP)",
               "2013-07", "2015-06",
               "Fornyings-, administrasjons- og kirkedepartementet (FAD); then Kommunal- og "
               "moderniseringsdepartementet (KMD) from 2014"])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    r = run("--lang", "en", "validate", "--report", "json", str(path))
    issues = json.loads(r.stdout)["issues"]
    prose = [i for i in issues if i["location"].get("column") == "Koordinert av"]
    assert len(prose) == 1, issues
    text = prose[0]["message"]
    # what to write, in full: both bodies the cell names, in the one column they belong in
    assert ('write only the names of the bodies, separated by semicolons: "Coordinated by": '
            '"Fornyings-, administrasjons- og kirkedepartementet; Kommunal- og '
            'distriktsdepartementet"') in text, text
    assert "if it is not (a word or a date), leave it out" in text
    assert '"Coordinated by": –' not in text and "Suggested split" not in text


def test_a_second_english_title_says_which_source_has_the_other_at_the_english_column(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # a real row of the 2013-2015 plan as OGP publishes it (the bundled source has it too),
    # resubmitted with another English title (invented)
    real = (FIXTURES / "submissions" / "real-plans" / "2013-2015.csv").read_text("utf-8-sig")
    lines = real.splitlines(keepends=True)
    row = next(line for line in lines if line.split(";")[1] == "NO0023")
    cells = row.split(";")
    assert cells[5] == TITLES["NO0023"]
    cells[5] = "Protection of whistleblowers (invented title)"
    path = tmp_path / "2013-2015-title.csv"
    path.write_text(lines[0] + ";".join(cells), encoding="utf-8")
    issues = [i for i in _report(run, path, "--submitted-by", "Arbeids- og sosialdepartementet")
              if i["severity"] == "violation"]
    assert [(i["location"].get("column"), i["value"]) for i in issues] == [
        ("Tittel (engelsk)", "Protection of whistleblowers (invented title)")], issues
    text = issues[0]["message"]
    assert ('The registry already has another title in English for NO0023, from the source '
            'bundled-ogp-2013-2015: "Whistleblowing".') in text, text
    assert "use the same title, or ask the coordinating ministry to change it" in text
    assert "language tag" not in text and "@nb" not in text
    # in bokmål and nynorsk, plainly
    assert issues[0]["message_nb"].startswith(
        "Registeret har allerede en annen tittel på engelsk for NO0023, fra kilden "
        "bundled-ogp-2013-2015: «Whistleblowing».")
    assert issues[0]["message_nn"].startswith("Registeret har allereie ein annan tittel på engelsk")
