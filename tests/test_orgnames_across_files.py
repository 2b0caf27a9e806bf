"""One name, one organisation, across the files of one load (docs/data-model.md, "One number,
one organisation"). Each file of a load is validated alone against the registry, so two files
that name an organisation alike were never compared:

* two submissions (a workbook and a CSV or JSON file) registering «Eksempelforeningen
  (oppdiktet)» with two numbers: the second file's row was read as the first file's
  organisation (the loaders match names within a load), which then had two numbers, and the
  later file silently won (two organisation submissions of one organisation now go to one
  source graph and are refused as such first: tests/test_one_graph_each.py; the rule here
  still holds for a submission and an RDF file describing one organisation);
* a workbook and an RDF file giving the same name to two organisations (two IRIs): both
  entered the registry;
* and where the other file of a refusal was a spreadsheet, the message named the file but not
  its sheet, row and column (for the number rule of ``registry/loading/across.py`` too).

Now each file is refused at its row (or line), naming the other place and saying how to
correct it; a refusal changes nothing.

Everything here is INVENTED: the organisations («Eksempelforeningen (oppdiktet)»,
«Eksempeletaten B (oppdiktet)») and their numbers, which are built below to pass the
registry's mod-11 check and start with 1, as no real organisation number does (real ones
start with 8 or 9)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

from endpoint.app import create_app
from endpoint.server import Server
from loaders.build.refs import check_digit_ok
from ogpreg.cli import main
from registry.access import tokens
from registry.service import Registry
from tests.conftest import BASE, all_quads
from tests.test_orgnr_boundaries import HEADER, organisations_xlsx

ORG = BASE + "id/organisation/"
NAME = "Eksempelforeningen (oppdiktet)"
KIND = "Offentlig virksomhet"


def _invented_numbers() -> list[str]:
    """INVENTED organisation numbers: 1000000xx with the check digit of the mod-11 rule."""
    out = []
    for stem in range(10000000, 10000100):
        for digit in range(10):
            if check_digit_ok(f"{stem}{digit}"):
                out.append(f"{stem}{digit}")
    return out


X, Y = _invented_numbers()[:2]


def _workbook(path: Path, *rows: list[object]) -> Path:
    path.write_bytes(organisations_xlsx(list(rows)))
    return path


def _csv(path: Path, *rows: list[str]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([HEADER, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _json(path: Path, name: str, number: str) -> Path:
    doc = {"kind": "organisations",
           "organisations": [{"name_nb": name, "kind": KIND, "number": number}]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _turtle(path: Path, slug: str, name: str, number: str | None) -> Path:
    """An INVENTED organisation; its name on line 6, its number (if any) on line 8."""
    number_line = f'    ogp:organisationNumber "{number}" ;\n' if number else "\n"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .\n"
        "@prefix kind: <https://w3id.org/ogp-no/vocab/organisation-kind/> .\n"
        f"<id/organisation/{slug}> a org:Organization, ogp:PublicBody ;\n"
        f'    skos:prefLabel "{name}"@nb ;\n'
        "    ogp:organisationKind kind:public-body ;\n"
        + number_line + "    .\n",
        encoding="utf-8",
    )
    return path


def _cli(reg: Registry, *args: str, lang: str = "en") -> Result:
    return CliRunner().invoke(
        main,
        ["--store", str(reg.store.path), "--base-uri", BASE, "--lang", lang, *args],
        catch_exceptions=False,
        env={"OGPREG_USER": "tester"},
    )


def _load(reg: Registry, *files: Path, lang: str = "en") -> str:
    """``ogpreg load`` of ``files`` (as KDD); refused, with nothing written: its output."""
    before = all_quads(reg)
    r = _cli(reg, "load", "--submitted-by", "972417858", *map(str, files), lang=lang)
    assert r.exit_code == 1, r.output
    assert all_quads(reg) == before
    return r.stdout + r.stderr


def _errors(out: str) -> list[str]:
    """Each ERROR/FEIL block of a report, as one string."""
    blocks = out.split("\n")
    found: list[str] = []
    for line in blocks:
        if line.startswith(("ERROR:", "FEIL:")):
            found.append(line)
        elif found and line.startswith("  ") and found[-1] is not None:
            found[-1] += "\n" + line
    return found


A_NUMBER = "a.xlsx, sheet «Organisasjoner», row 2, column «Organisasjonsnummer» (E2)"
A_NAME = "a.xlsx, sheet «Organisasjoner», row 2, column «Navn (bokmål) *» (A2)"


@pytest.mark.parametrize("first", ["xlsx", "csv", "json"])
def test_one_organisation_with_two_numbers_in_a_submission_and_an_rdf_file_is_refused_in_each(
    registry: Registry, tmp_path: Path, first: str
) -> None:
    """The submission's organisation and an RDF file's description of the same IRI with
    another number. (Two organisation submissions of one organisation go to one source graph
    and are refused before this: tests/test_one_graph_each.py.)"""
    if first == "xlsx":
        a = _workbook(tmp_path / "a.xlsx", [NAME, "", "", KIND, int(X)])
        a_place = A_NUMBER
    elif first == "csv":
        a = _csv(tmp_path / "a.csv", [NAME, "", "", KIND, X])
        a_place = "a.csv, row 2, column «Organisasjonsnummer»"
    else:
        a = _json(tmp_path / "a.json", NAME, X)
        a_place = "a.json, sheet «organisations», row 1, column «number»"
    b = _turtle(tmp_path / "b.ttl", "eksempelforeningen-oppdiktet", NAME, Y)
    b_place = f"{b}, line 8"
    out = _load(registry, a, b)
    errors = _errors(out)
    assert len(errors) == 2, out
    (in_a,) = [e for e in errors if e.startswith(f"ERROR: {a_place}")]
    (in_b,) = [e for e in errors if e.startswith(f"ERROR: {b} (line=8)")]
    assert f"\n  value: {X}" in in_a and f"\n  value: {Y}" in in_b, errors
    for text in errors:
        assert "is given two organisation numbers in the same load" in text
        assert f"{X} in {a_place}" in text or f"in {a_place}." in text, text
        assert f"{Y} in {b_place}" in text or f"in {b_place}." in text, text
        assert "give the same number in both files" in text
        assert "tell them apart by name" in text


def test_one_organisation_with_two_numbers_is_told_in_bokmal_and_nynorsk(
    registry: Registry, tmp_path: Path
) -> None:
    a = _workbook(tmp_path / "a.xlsx", [NAME, "", "", KIND, int(X)])
    b = _turtle(tmp_path / "b.ttl", "eksempelforeningen-oppdiktet", NAME, Y)
    nb = _load(registry, a, b, lang="nb")
    assert "to organisasjonsnumre i samme innlasting" in nb, nb
    assert "ark «Organisasjoner», rad 2" in nb, nb
    nn = _load(registry, a, b, lang="nn")
    assert "to organisasjonsnummer i same innlasting" in nn, nn


def test_one_name_for_two_organisations_in_a_workbook_and_a_turtle_file_is_refused_in_each(
    registry: Registry, tmp_path: Path
) -> None:
    a = _workbook(tmp_path / "a.xlsx", [NAME, "", "", KIND, int(X)])
    b = _turtle(tmp_path / "b.ttl", "eksempelforeningen-b", NAME.upper(), None)
    out = _load(registry, a, b)
    assert "is given to two organisations in the same load" in out, out
    (in_a,) = [e for e in _errors(out) if e.startswith(f"ERROR: {A_NAME}")]
    assert f"{b}, line 6" in in_a and ORG + "eksempelforeningen-b" in in_a, in_a
    assert "describe it once, with one organisation number" in in_a
    assert "tell them apart by name" in in_a
    (in_b,) = [e for e in _errors(out) if e.startswith(f"ERROR: {b} (line=6)")]
    assert f"in {A_NAME}" in in_b and ORG + "eksempelforeningen-oppdiktet" in in_b, in_b


def test_the_number_rule_names_the_row_of_the_other_file_when_it_is_a_spreadsheet(
    registry: Registry, tmp_path: Path
) -> None:
    a = _workbook(tmp_path / "a.xlsx", [NAME, "", "", KIND, int(X)])
    b = _turtle(tmp_path / "b.ttl", "eksempeletaten-b", "Eksempeletaten B (oppdiktet)", X)
    out = _load(registry, a, b)
    (in_b,) = [e for e in _errors(out) if e.startswith(f"ERROR: {b} (line=8)")]
    assert "is given to two organisations in the same load" in in_b, in_b
    assert f"in {A_NUMBER}." in in_b, in_b


def test_one_organisation_in_two_files_with_one_number_loads(
    registry: Registry, tmp_path: Path
) -> None:
    a = _workbook(tmp_path / "a.xlsx", [NAME, "", "", KIND, int(X)])
    b = _turtle(tmp_path / "b.ttl", "eksempelforeningen-oppdiktet", NAME, X)
    r = _cli(registry, "load", "--submitted-by", "972417858", str(a), str(b))
    assert r.exit_code == 0, r.output


@pytest.fixture
def served(registry: Registry) -> Iterator[tuple[str, str]]:
    """The registry served on a free port, and a submitter token of KDD."""
    secret = tokens.issue(registry, "972417858", "submitter", "KDD").secret
    server = Server(create_app(replace(registry.settings, query_workers=1), registry=registry),
                    host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        yield server.url.rstrip("/"), secret
    finally:
        server.close()


def test_post_api_submissions_of_two_organisation_files_is_refused_as_one_graph(
    registry: Registry, served: tuple[str, str], tmp_path: Path
) -> None:
    """Two organisation submissions of one organisation (the API takes spreadsheets only
    together) go to one source graph: refused before anything else, naming both files
    (registry/loading/pipeline.py ``one_graph_each``; before, the second silently replaced
    the first, and with one name and two numbers each was refused at its row)."""
    url, secret = served
    a = _workbook(tmp_path / "a.xlsx", [NAME, "", "", KIND, int(X)])
    b = _csv(tmp_path / "b.csv", [NAME, "", "", KIND, Y])
    before = all_quads(registry)
    with requests.post(url + "/api/submissions", timeout=120,
                       headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
                       files=[("file", ("a.xlsx", a.read_bytes())),
                              ("file", ("b.csv", b.read_bytes()))]) as r:
        assert r.status_code == 400, r.text
        body = r.json()
    assert body["error"] == "usage-error"
    assert "a.xlsx and b.csv would both be loaded into the source graph" in body["message"]
    assert all_quads(registry) == before
