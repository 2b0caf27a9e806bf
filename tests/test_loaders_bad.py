"""Bad submissions: each gives a clear error naming what is wrong and where, exit code 1 (or 2
for an unknown format), and leaves the registry exactly as it was."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from ogpreg.cli import main
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads

SUB = FIXTURES / "submissions"


@pytest.fixture
def run(registry: Registry):  # type: ignore[no-untyped-def]
    store = str(registry.store.path)

    def _run(*args: str) -> click.testing.Result:
        return CliRunner().invoke(
            main, ["--store", store, "--base-uri", BASE, *args], catch_exceptions=False
        )

    return _run


CASES = [
    # file, exit code, (English) text that must appear, location that must appear
    ("bad-unknown-format.docx", 2, "Unknown file format of", ".xlsx, .xlsm, .csv"),
    ("bad-utf16.csv", 1, "UTF-16", 'Save it in Excel as "CSV UTF-8'),
    ("bad-renamed-column.csv", 1,
     'The required column "Lead agency" ("Ansvarlig virksomhet") is missing from the file. '
     "Expected columns",
     'Unknown column "Ansvarlig" is not read. Did you mean "Ansvarlig virksomhet"?'),
    ("bad-duplicate-ids.xlsx", 1,
     'The commitment NO9901 already appears in the sheet "Forpliktelser" row 2',
     "bad-duplicate-ids.xlsx, sheet «Forpliktelser», row 4, column «OGP-ID *» (A4)"),
    ("bad-check-digit.csv", 1, "The organisation number 912660681 has a wrong check digit",
     "bad-check-digit.csv, row 2, column «Ansvarlig virksomhet *»"),
    ("bad-unknown-organisation.csv", 1,
     "No organisation 'Nærings- og fiskeridepartmentet' in the organisation register. Did you "
     "mean: Nærings- og fiskeridepartementet",
     "add the name to that organisation (column «Andre navn (bokmål)» of an organisations "
     "submission) rather than registering it anew"),
    ("bad-end-before-start.xlsx", 1,
     "The end date 2019-07-01 is before the start date 2021-06-30",
     "sheet «Forpliktelser», row 2, column «Sluttdato» (K2)"),
    ("bad-milestone-outside.xlsx", 1, "lies outside the period of the commitment",
     "sheet «Milepæler», row 2, column «Startdato» (E2)"),
    ("bad-unknown-theme.csv", 1, 'Unknown value "Åpne dater" for "Theme". Did you mean: '
     "Open data", "row 2, column «Tema»"),
    ("bad-formulas.xlsx", 1, "The cell contains the error value #REF!",
     "The cell contains a formula (=DATE(2019,9,1))"),
    ("bad-password.xlsx", 1, "the workbook is password-protected (encrypted)",
     "remove the password"),
    ("bad-corrupt.xlsx", 1, "the workbook is corrupt or truncated", "bad-corrupt.xlsx"),
    ("bad-empty.csv", 1, "bad-empty.csv: the file is empty.", "empty"),
    ("bad-empty.xlsx", 1, "bad-empty.xlsx: the file is empty.", "empty"),
]


@pytest.mark.parametrize(("name", "code", "text", "where"), CASES, ids=[c[0] for c in CASES])
def test_bad_submission_is_refused_and_changes_nothing(
    registry: Registry, run, name: str, code: int, text: str, where: str  # type: ignore[no-untyped-def]
) -> None:
    before = all_quads(registry)
    rev = registry.store.revision()
    r = run("--lang", "en", "load", str(SUB / name))
    assert r.exit_code == code, r.output
    said = r.stdout + r.stderr  # the report on standard output, an error on standard error
    assert text in said, said
    assert where in said, said
    assert all_quads(registry) == before
    assert registry.store.revision() == rev


def test_all_problems_are_reported_at_once_in_bokmaal(run) -> None:  # type: ignore[no-untyped-def]
    r = run("validate", str(SUB / "bad-formulas.xlsx"))
    assert r.exit_code == 1
    assert r.stdout.count("FEIL:") == 3  # the report on standard output
    assert "Cellen inneholder feilverdien #REF!" in r.stdout
    assert "ark «Forpliktelser», rad 3, kolonne «Tema» (H3)" in r.stdout
    assert "3 feil" in r.stdout
    assert "Innsendingen har feil; ingenting er lastet." in r.stderr


def test_json_report_locates_every_problem(run) -> None:  # type: ignore[no-untyped-def]
    r = run("--lang", "en", "validate", "--report", "json", str(SUB / "bad-milestone-outside.xlsx"))
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["conforms"] is False
    errors = [i for i in report["issues"] if i["severity"] == "violation"]
    assert {(e["location"]["sheet"], e["location"]["row"], e["location"]["column"]) for e in errors} == {
        ("Milepæler", 2, "Startdato"),
        ("Milepæler", 2, "Sluttdato"),
    }
    assert {e["value"] for e in errors} == {"2018-01-01", "2018-06-30"}
    assert all(e["file"] == "bad-milestone-outside.xlsx" for e in errors)


def test_warnings_do_not_block(registry: Registry, run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv_text = (SUB / "commitments-utf8.csv").read_text("utf-8")
    # drop the English titles: a warning, not an error
    lines = csv_text.splitlines()
    rows = [line.replace("Open data on public procurement (example)", "") for line in lines]
    f = tmp_path / "uten-engelsk.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = run("--lang", "en", "load", str(f))
    assert r.exit_code == 0, r.output
    assert "WARNING: uten-engelsk.csv, row 2, column «Tittel (engelsk)»" in r.stdout
    assert "The English title is missing (recommended)" in r.stdout
