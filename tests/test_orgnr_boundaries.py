"""Organisation numbers at their boundaries (issue 22): one table of valid and invalid numbers,
run through every implementation of the mod-11 check and every path a number takes into the
registry.

The rule (Enhetsregisteret): r = (3,2,7,6,5,4,3,2 · the first eight digits) mod 11; the check
digit is 0 when r = 0, none exists when r = 1 (no valid number has such a stem), else 11 − r.

The implementations: the shapes' SHACL-SPARQL rule ``ogpsh:OrganisationNumberCheckDigit``
(RDF loads; ``shapes/ogp-shapes.ttl``), the loaders' own fast check
(``loaders/build/refs.py`` ``check_digit_ok``, used where a spreadsheet, CSV or JSON
submission reads a number: the organisations kind in ``loaders/build/emit.py``, references to
organisations in ``References.organisation``) and the catalogue setting's check
(``registry/publish/dcat_terms.py`` ``check_orgnr``, OGPREG_PUBLISHER_ORGNR).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from openpyxl import Workbook

from loaders.build.refs import References, check_digit_ok
from loaders.load import load as load_submissions
from loaders.load import validate as validate_submissions
from loaders.submission import Options, RawInput, read_submissions, submission_format
from registry.errors import ConfigurationError, ValidationFailed
from registry.loading.sources import SourceFile
from registry.publish.dcat_terms import check_orgnr
from registry.service import Registry
from tests.conftest import BASE, all_quads, shared_file

ORGNR_COLUMN = "Organisasjonsnummer"
HEADER = ["Navn (bokmål) *", "Navn (engelsk)", "Andre navn (bokmål)", "Organisasjonstype *",
          ORGNR_COLUMN]
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
KIND = {"ministry": "Departement", "public-body": "Offentlig virksomhet"}


@dataclass(frozen=True)
class Number:
    number: str
    #: "valid", "check-digit" (a wrong check digit), "remainder-1" (a stem without a valid
    #: check digit) or "format" (not nine digits)
    case: str
    #: valid rows: the organisation's real bokmål name and kind, as the registry knows it
    #: where it holds the number
    name: str = ""
    kind: str = "public-body"

    @property
    def valid(self) -> bool:
        return self.case == "valid"


#: VALID: real organisation numbers from ../shared/data/reference/norway-central-government.csv
#: (test_the_valid_numbers_are_real checks each against that file), chosen to cover each way
#: the check digit is found: r = 0 (check digit 0), r = 2 (9), r = 3, r = 4, r = 9, r = 10 (1).
VALID = (
    Number("912660680", "valid", "Nærings- og fiskeridepartementet", "ministry"),  # r=0
    Number("972417920", "valid", "Utenriksdepartementet", "ministry"),  # r=0
    Number("971526920", "valid", "Statistisk sentralbyrå"),  # r=0
    Number("932384469", "valid", "Digitaliserings- og forvaltningsdepartementet", "ministry"),
    Number("972417858", "valid", "Kommunal- og moderniseringsdepartementet", "ministry"),  # r=3
    Number("991825827", "valid", "Digitaliseringsdirektoratet"),  # r=4
    Number("986252932", "valid", "Direktoratet for økonomistyring"),  # r=9
    Number("972417831", "valid", "Justis- og beredskapsdepartementet", "ministry"),  # r=10
    Number("999601391", "valid", "Miljødirektoratet"),  # r=10
)
#: INVALID ON PURPOSE, INVENTED: the valid numbers above with another check digit; stems whose
#: remainder is 1 (40000000: 4·3 = 12; the others are real stems with their last digit changed
#: so that r = 1) with check digit 0 (what an implementation that maps r = 1 to 0 accepts) and
#: others; and numbers that are not nine digits.
INVALID = (
    Number("912660681", "check-digit"),
    Number("972417929", "check-digit"),
    Number("971526921", "check-digit"),
    Number("932384460", "check-digit"),
    Number("972417859", "check-digit"),
    Number("991825820", "check-digit"),
    Number("986252931", "check-digit"),
    Number("972417830", "check-digit"),
    Number("999601390", "check-digit"),
    *(Number(f"40000000{d}", "remainder-1") for d in range(10)),
    Number("972417840", "remainder-1"),
    Number("972417841", "remainder-1"),
    Number("972417849", "remainder-1"),
    Number("912660630", "remainder-1"),
    Number("912660635", "remainder-1"),
    Number("932384400", "remainder-1"),
    Number("991825860", "remainder-1"),
    Number("991825867", "remainder-1"),
    Number("97241785", "format"),
    Number("9724178580", "format"),
    Number("97241785X", "format"),
)
TABLE = VALID + INVALID
NINE_DIGITS = tuple(n for n in TABLE if n.case != "format")


def _remainder(number: str) -> int:
    return sum(int(d) * w for d, w in zip(number[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11


# -- the table itself ----------------------------------------------------------------------------
def test_the_table_is_what_it_says() -> None:
    """Each row's case, computed here from the definition (not with the code under test)."""
    for n in NINE_DIGITS:
        r = _remainder(n.number)
        if n.case == "remainder-1":
            assert r == 1, n
        else:
            expected = 0 if r == 0 else 11 - r
            assert r != 1 and (int(n.number[8]) == expected) == n.valid, n
    assert {_remainder(n.number) for n in VALID} == {0, 2, 3, 4, 9, 10}
    assert {n.number[8] for n in INVALID if n.case == "remainder-1"} == set("0123456789")


def test_the_valid_numbers_are_real() -> None:
    path = shared_file("data", "reference", "norway-central-government.csv")
    with path.open(encoding="utf-8") as fh:
        names = {(r["orgnr"], r["name_nb"]) for r in csv.DictReader(fh)}
    for n in VALID:
        assert (n.number, n.name) in names, n


# -- the two Python implementations --------------------------------------------------------------
@pytest.mark.parametrize("n", TABLE, ids=lambda n: f"{n.case}-{n.number}")
def test_the_loaders_check(n: Number) -> None:
    assert check_digit_ok(n.number) is n.valid


@pytest.mark.parametrize("n", TABLE, ids=lambda n: f"{n.case}-{n.number}")
def test_the_catalogue_settings_check(n: Number) -> None:
    if n.valid:
        assert check_orgnr(n.number) == n.number
    else:
        with pytest.raises(ConfigurationError, match="OGPREG_PUBLISHER_ORGNR"):
            check_orgnr(n.number)


# -- RDF: the shapes ---------------------------------------------------------------------------
def _turtle(numbers: tuple[Number, ...], registry: Registry) -> bytes:
    """The numbers on INVENTED organisations; a number the registry's organisation register
    holds is stated about the organisation that has it (a second organisation with its number
    is refused by ogpsh:OrganisationNumberUnique: tests/test_org_impersonation.py)."""
    holders = {number: org.iri for number, org in References(registry).by_number.items()}
    lines = [
        "# INVENTED test organisations; the numbers come from tests/test_orgnr_boundaries.py",
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .",
        "@prefix org: <http://www.w3.org/ns/org#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
    ]
    for i, n in enumerate(numbers):
        if n.number in holders:
            lines.append(f'<{holders[n.number]}> ogp:organisationNumber "{n.number}" .')
            continue
        lines.append(
            f'<id/organisation/orgnr-test-{i}> a org:Organization ;'
            f' skos:prefLabel "Testetaten {i} (oppdiktet)"@nb ;'
            f" ogp:organisationKind <https://w3id.org/ogp-no/vocab/organisation-kind/{n.kind}> ;"
            f' ogp:organisationNumber "{n.number}" .'
        )
    return ("\n".join(lines) + "\n").encode()


def test_the_shapes_refuse_exactly_the_invalid_numbers(registry: Registry) -> None:
    before = all_quads(registry)
    with pytest.raises(ValidationFailed) as info:
        registry.load([SourceFile("orgnr.ttl", _turtle(TABLE, registry), "orgnr")])
    by_rule: dict[str, set[str]] = {}
    for issue in info.value.report.issues:
        if issue.severity == "violation":
            rule = (issue.shape or "").rsplit("#", 1)[-1]
            by_rule.setdefault(rule, set()).add(str(issue.value))
    assert by_rule == {
        "OrganisationNumberShape": {n.number for n in NINE_DIGITS if not n.valid},
        "Organization-organisationNumber": {n.number for n in TABLE if n.case == "format"},
    }
    assert all_quads(registry) == before


def test_the_shapes_let_every_valid_number_load(registry: Registry) -> None:
    (result,) = registry.load([SourceFile("orgnr.ttl", _turtle(VALID, registry), "orgnr")])
    assert result.added > 0
    got = registry.query(
        "SELECT ?n WHERE { GRAPH ?g { ?o ogp:organisationNumber ?n } }"
        f" VALUES ?g {{ <{BASE}graph/source/orgnr> }}"
    )
    assert isinstance(got, ox.QuerySolutions)
    assert sorted(str(r["n"].value) for r in got) == sorted(n.number for n in VALID)


# -- submissions: spreadsheet, CSV, JSON -------------------------------------------------------
def _row(i: int, n: Number) -> list[str]:
    name = n.name or f"Testetaten {i} (oppdiktet)"
    return [name, "", "", KIND[n.kind], n.number]


def organisations_xlsx(rows: list[list[object]]) -> bytes:
    """An organisations workbook as the template names its sheet and columns (:data:`HEADER`),
    with ``rows`` under the header."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Organisasjoner"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _submission(fmt: str, numbers: tuple[Number, ...]) -> tuple[str, bytes]:
    rows = [_row(i, n) for i, n in enumerate(numbers)]
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, delimiter=";").writerows([HEADER, *rows])
        return "organisasjoner.csv", buf.getvalue().encode("utf-8")
    if fmt == "xlsx":
        # as a person types them: a number cell where the text is all digits
        typed = [[*row[:4], int(row[4]) if row[4].isdigit() else row[4]] for row in rows]
        return "organisasjoner.xlsx", organisations_xlsx(typed)
    records = [
        {"name_nb": r[0], "kind": r[3], "number": r[4]} for r in rows
    ]
    doc = {"kind": "organisations", "organisations": records}
    return "organisasjoner.json", json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _read(registry: Registry, name: str, data: bytes) -> list[object]:
    return read_submissions(  # type: ignore[return-value]
        registry,
        [(RawInput(name, data=data), str(submission_format(name)))],
        Options(submitted_by=KMD),
    )


FIRST_DATA_ROW = {"csv": 2, "xlsx": 2, "json": 1}


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_submission_refuses_exactly_the_invalid_numbers(registry: Registry, fmt: str) -> None:
    name, data = _submission(fmt, TABLE)
    before = all_quads(registry)
    subs = _read(registry, name, data)
    with pytest.raises(ValidationFailed) as info:
        validate_submissions(registry, subs)  # type: ignore[arg-type]
    refused: dict[int, str] = {}
    for issue in info.value.report.issues:
        if issue.severity == "violation":
            row = issue.location.get("row", issue.location.get("item"))
            assert isinstance(row, int), issue
            refused[row] = issue.message_en
    first = FIRST_DATA_ROW[fmt]
    expected = {first + i: n for i, n in enumerate(TABLE) if not n.valid}
    assert sorted(refused) == sorted(expected), refused
    for row, n in expected.items():
        if n.case == "format":
            assert "nine digits" in refused[row], (n, refused[row])
        else:
            assert refused[row].startswith(
                f"The organisation number {n.number} has a wrong check digit"
            ), (n, refused[row])
    # all or nothing: the valid rows are not loaded either
    subs = _read(registry, name, data)
    with pytest.raises(ValidationFailed):
        load_submissions(registry, subs)  # type: ignore[arg-type]
    assert all_quads(registry) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_submission_of_valid_numbers_loads(registry: Registry, fmt: str) -> None:
    name, data = _submission(fmt, VALID)
    results, report = load_submissions(registry, _read(registry, name, data))  # type: ignore[arg-type]
    assert report.conforms and results
    got = registry.query(
        "SELECT DISTINCT ?n WHERE { ?o ogp:organisationNumber ?n }"
    )
    assert isinstance(got, ox.QuerySolutions)
    assert {n.number for n in VALID} <= {str(r["n"].value) for r in got}


def test_a_reference_by_number_is_checked_before_it_is_looked_up(registry: Registry) -> None:
    """A lead agency (or any organisation column) given by number: an invalid number gets the
    check-digit message, a valid one is found, or said to be missing from the register."""
    refs = References(registry)
    known = set(refs.by_number)
    for n in NINE_DIGITS:
        org, problem = refs.organisation(n.number)
        if not n.valid:
            assert org is None and problem is not None, n
            assert problem.render("en").startswith(
                f"The organisation number {n.number} has a wrong check digit"
            ), n
        elif n.number in known:
            assert org is not None and org.number == n.number, n
        else:
            assert org is None and problem is not None, n
            assert "No organisation with the organisation number" in problem.render("en"), n
    assert {n.number for n in VALID} & known  # some valid numbers are in the register

