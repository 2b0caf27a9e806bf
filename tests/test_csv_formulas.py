"""Formula injection in every CSV the registry serves, checked with a real spreadsheet: the
real app's SPARQL CSV answers (escaped by default, and ``csv=raw``), the DCAT CSV exports
downloaded from ``/download/…`` and ``ogpreg query --format csv`` are converted to XLSX by
LibreOffice (``soffice --headless``, Debian's ``libreoffice-calc-nogui``) with the CSV import
options a Norwegian user gets (language nb-NO, separator ``;``, also ``,``, tab and all three,
"detect special numbers" on, with and without "trim spaces"), and openpyxl reads back which
cells became formulas (issue 15, item 6).

Before the fix a title ``Tittel;=1+1`` was one harmless text for a comma reader and a live
formula ``=1+1`` for a semicolon reader, as was the line after a line break inside a quoted
cell. Without ``soffice`` the LibreOffice tests skip, unless ``CI=true`` (then they fail;
``.ci/run`` installs it). The separator-by-separator check in pure Python also covers Excel's
``+``, ``-`` and ``@``, which LibreOffice does not evaluate in CSV."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
import requests

from registry.loading.sources import SourceFile
from registry.publish.exports import csv_cell
from registry.sparql.csvcells import FORMULA_START, escape_cell
from registry.sparql.results import serialize
from tests.endpoint_server import Running, copy_store, running
from tests.engines import _missing

# INVENTED commitments NO9960… for this test: formula attacks as titles.
ATTACKS = [
    '=HYPERLINK("http://evil.example/";"klikk")',
    "Tittel;=1+1",
    "Tittel\t=1+1",
    "Tittel\n=1+1",
    "Tittel\r\n=1+1",
    "Tittel; =1+1",
    'Tittel;"=1+1"',
    "Tittel,=1+1",
    " =1+1",
    "\t=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "Tittel;+1+1;-1+1;@SUM(1+1)",
    "Tittel;;=1+1",
]
QUERY = (
    "SELECT ?id ?title ?n ?d WHERE { ?c dct:identifier ?id ; dct:title ?title "
    "FILTER(STRSTARTS(?id, 'NO996') && lang(?title) = 'nb') "
    "BIND(-5 AS ?n) BIND(-1.5 AS ?d) } ORDER BY ?id"
)
#: The CSV import options (LibreOffice's filter tokens: separators, text delimiter ", UTF-8,
#: from line 1, no column types, language 1044 nb-NO, quoted fields not forced to text,
#: detect special numbers, -, -, trim spaces).
SEPARATORS = {"comma": "44", "semicolon": "59", "tab": "9", "all": "44/59/9"}
READERS = [(name, trim) for name in SEPARATORS for trim in ("false", "true")]
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _turtle() -> bytes:
    out = [
        "# INVENTED EXAMPLE for tests: formula attacks as titles (issue 15).",
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for i, attack in enumerate(ATTACKS):
        lit = ox.Literal(attack, language="nb")
        ident = f"NO99{60 + i}"
        out.append(f"""
<id/commitment/{ident}> a ogp:Commitment ;
    dct:identifier "{ident}" ;
    dct:title {lit} , "Formula test {i} (invented)"@en ;
    ogp:inActionPlan <id/plan/2019-2021> ;
    ogp:leadAgency <id/organisation/naerings-og-fiskeridepartementet> ;
    ogp:theme <https://w3id.org/ogp-no/theme/public-procurement> ;
    schema:startDate "2019-09"^^xsd:gYearMonth ;
    schema:endDate "2021"^^xsd:gYear .
<id/commitment/{ident}/milestone/1> a ogp:Milestone ;
    ogp:ofCommitment <id/commitment/{ident}> ;
    schema:position 1 ;
    dct:title {lit} , "Milestone {i} (invented)"@en .""")
    return "\n".join(out).encode("utf-8")


@pytest.fixture(scope="module")
def srv(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("formulas") / "store")
    with running(store, query_workers=1) as r:
        r.registry.load([SourceFile("formler.ttl", _turtle(), "formler")])
        yield r


def _sparql_csv(srv: Running, **params: str) -> bytes:
    resp = requests.get(srv.sparql, params={"query": QUERY, **params},
                        headers={"Accept": "text/csv"}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    return resp.content


def _downloads(srv: Running) -> dict[str, bytes]:
    """The plan's CSV distributions, found as a DCAT consumer finds them."""
    cat = requests.get(srv.url + "catalog", headers={"Accept": "text/turtle"}, timeout=60)
    assert cat.status_code == 200
    urls = sorted(
        t.object.value
        for t in ox.parse(cat.content, format=ox.RdfFormat.TURTLE)
        if t.predicate.value == "http://www.w3.org/ns/dcat#downloadURL"
        and t.object.value.endswith(".csv") and "2019-2021" in t.object.value
    )
    assert len(urls) == 2, urls  # commitments and milestones
    out = {}
    for url in urls:
        path = url.split("/download/", 1)[1]
        resp = requests.get(srv.url + "download/" + path, timeout=60)
        assert resp.status_code == 200
        out["dcat-" + path.rsplit("-", 1)[1].removesuffix(".csv")] = resp.content
    return out


@pytest.fixture(scope="module")
def served_csv(srv: Running) -> dict[str, bytes]:
    """Every CSV the registry serves for people, with the attacks in it."""
    result = srv.registry.query(QUERY)
    files = {
        "sparql": _sparql_csv(srv),
        "sparql-format": requests.get(srv.sparql, params={"query": QUERY, "format": "csv"},
                                      timeout=60).content,
        "cli": serialize(result, "csv"),
        **_downloads(srv),
    }
    for name, body in files.items():  # the attacks really are in every file
        text = body.decode("utf-8-sig")
        assert "=1+1" in text and "evil.example" in text, name
    return files


# -- LibreOffice -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        _missing("soffice (Debian package libreoffice-calc-nogui)")
    assert exe is not None
    return exe, tmp_path_factory.mktemp("lo-profile")


def _open_in_calc(soffice: tuple[str, Path], files: dict[str, bytes], sep: str, trim: str,
                  work: Path) -> dict[str, list[list[tuple[str, object]]]]:
    """Each CSV as LibreOffice Calc reads it: (openpyxl data type, value) of every cell."""
    exe, profile = soffice
    work.mkdir()
    for name, body in files.items():
        (work / f"{name}.csv").write_bytes(body)
    options = f"{SEPARATORS[sep]},34,76,1,,1044,false,true,false,false,{trim}"
    proc = subprocess.run(
        [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         f"--infilter=Text - txt - csv (StarCalc):{options}", "--convert-to", "xlsx",
         "--outdir", str(work), *(str(work / f"{n}.csv") for n in files)],
        capture_output=True, timeout=300, check=False,
    )
    out = {}
    for name in files:
        xlsx = work / f"{name}.xlsx"
        assert xlsx.exists(), proc.stderr.decode(errors="replace")
        wb = openpyxl.load_workbook(xlsx)
        assert wb.active is not None
        out[name] = [[(c.data_type, c.value) for c in row] for row in wb.active.iter_rows()]
        wb.close()
    return out


def _formulas(sheets: dict[str, list[list[tuple[str, object]]]]) -> list[tuple[str, object]]:
    return [(name, v) for name, rows in sheets.items() for row in rows for t, v in row
            if t == "f"]


@pytest.mark.parametrize(("sep", "trim"), READERS)
def test_libreoffice_finds_no_formula_in_any_csv_the_registry_serves(
    soffice: tuple[str, Path], served_csv: dict[str, bytes], tmp_path: Path, sep: str,
    trim: str,
) -> None:
    sheets = _open_in_calc(soffice, served_csv, sep, trim, tmp_path / "calc")
    assert _formulas(sheets) == []
    # the data is still there as text: with the file's own separator, exactly one ' more
    if sep == "comma":
        sparql = [r[1][1] for r in sheets["sparql"][1:]]
        assert "Tittel;'=1+1" in sparql and "'" + ATTACKS[0] in sparql
        titles = {r[1][1] for r in sheets["dcat-commitments"][1:]}
        assert {"Tittel;'=1+1", "Tittel\n'=1+1", "Tittel;' =1+1"} <= titles


def test_numbers_stay_numbers_in_libreoffice(
    soffice: tuple[str, Path], served_csv: dict[str, bytes], tmp_path: Path
) -> None:
    """``-5`` (xsd:integer) is a number in every reader; ``-1.5`` (xsd:decimal) is written as
    it is (nb-NO reads it as text because its decimal separator is a comma, as before)."""
    sheets = _open_in_calc(soffice, {"sparql": served_csv["sparql"]}, "comma", "false",
                           tmp_path / "calc")
    rows = sheets["sparql"]
    assert rows[0][:4] == [("s", "id"), ("s", "title"), ("s", "n"), ("s", "d")]
    assert {r[2] for r in rows[1:]} == {("n", -5)}
    assert b",-5,-1.5\r\n" in served_csv["sparql"]


def test_raw_csv_is_exact_and_libreoffice_evaluates_it(
    soffice: tuple[str, Path], srv: Running, tmp_path: Path
) -> None:
    """``csv=raw`` keeps its contract (SPARQL 1.1 CSV byte for byte), and with it the risk the
    documentation names: opened in a spreadsheet, the data's formulas run. This also shows the
    check above can see a formula."""
    raw = _sparql_csv(srv, csv="raw")
    result = srv.registry.query(QUERY)
    assert isinstance(result, ox.QuerySolutions)
    assert raw == result.serialize(format=ox.QueryResultsFormat.CSV)
    comma = [v for _, v in _formulas(
        _open_in_calc(soffice, {"raw": raw}, "comma", "false", tmp_path / "comma"))]
    # the hyperlink is live (LibreOffice stores it with the English argument separator)
    assert comma == ['=HYPERLINK("http://evil.example/","klikk")']
    semicolon = [str(v) for _, v in _formulas(
        _open_in_calc(soffice, {"raw": raw}, "semicolon", "false", tmp_path / "semicolon"))]
    assert any(v.startswith("=1+1") for v in semicolon), semicolon


# -- every reader, every trigger (Excel's too), without a spreadsheet --------------------------
def _dangerous(cell: str) -> bool:
    start = cell.lstrip(' "')
    return bool(start) and start[0] in FORMULA_START and not _NUMBER.fullmatch(cell)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_no_cell_starts_a_formula_whatever_the_separator(
    served_csv: dict[str, bytes], delimiter: str
) -> None:
    for name, body in served_csv.items():
        text = body.decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
                 for c in row]
        assert [c for c in cells if _dangerous(c)] == [], name


@pytest.mark.parametrize(
    ("cell", "endpoint", "export"),
    [
        ("=1+2", "'=1+2", "'=1+2"),
        ("-5", "-5", "'-5"),
        ("+1.5e3", "+1.5e3", "'+1.5e3"),
        ("Tittel;=1+1", "Tittel;'=1+1", "Tittel;'=1+1"),
        ("Tittel\n- punkt", "Tittel\n'- punkt", "Tittel\n'- punkt"),
        ("Tittel; =1+1", "Tittel;' =1+1", "Tittel;' =1+1"),
        ('a;"=1', "a;'\"=1", "a;'\"=1"),
        ("\t=1", "'\t'=1", "'\t'=1"),
        ("1;-2", "1;'-2", "1;'-2"),
        ("a=b; c-d, e@f", "a=b; c-d, e@f", "a=b; c-d, e@f"),
        ("2019-2021", "2019-2021", "2019-2021"),
        ("", "", ""),
    ],
)
def test_the_rule_cell_by_cell(cell: str, endpoint: str, export: str) -> None:
    assert escape_cell(cell) == endpoint
    assert csv_cell(cell) == export
