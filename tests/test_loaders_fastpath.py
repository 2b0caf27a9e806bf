"""The fast paths of reading and loading a submission give exactly what the slow paths give.

- :mod:`loaders.xlsxread` joins shared and inline strings without openpyxl's rich-text
  objects: every string reads exactly as ``openpyxl.load_workbook`` reads it (rich-text runs,
  run fonts, phonetic runs, preserved whitespace, ``_x005F_`` escapes, several ``t``), and a
  sheet without a ``dimension`` gives the same rows; a sheet that breaks while its rows are
  read is refused like a corrupt workbook.
- A submission's triples reach the registry without the N-Triples round trip
  (``SourceFile.take_parsed``): the same quads as parsing the N-Triples.
- Garbage collection paused while a submission is read and loaded is turned back on.
"""

from __future__ import annotations

import gc
import io
import zipfile
from pathlib import Path
from xml.etree.ElementTree import fromstring

import openpyxl
import pytest
from openpyxl.reader.strings import read_string_table

from loaders.issues import SubmissionError
from loaders.load import load
from loaders.read import xlsx
from loaders.read.xlsxread import load_workbook, plain_text, read_shared_strings
from loaders.submission import Options, RawInput, read_submissions, serialise
from registry.loading.pipeline import parse
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE, FIXTURES

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SUB = FIXTURES / "submissions"
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"

#: The inside of an ``si`` (or ``is``) element: plain, rich, phonetic, escaped, odd.
STRINGS = [
    "<t>plain</t>",
    '<t xml:space="preserve">  padded  and  spaced  </t>',
    "<t>line one\nline two\r\n\ttabbed</t>",
    "<t>&lt;tag&gt; &amp; \"quoted\" 'single'</t>",
    "<t>Æøå – ÆØÅ ✓ 😀</t>",
    "<t/>",
    "<t></t>",
    "<r><t>run one</t></r><r><t xml:space=\"preserve\"> run two </t></r>",
    "<r><t>rich </t></r><r><rPr><b/><sz val=\"11\"/><rFont val=\"Calibri\"/></rPr>"
    "<t>bold</t></r>",
    "<r><rPr><i/></rPr><t xml:space=\"preserve\">italic </t></r><r><t>plain run</t></r>",
    "<t>日本語</t><rPh sb=\"0\" eb=\"3\"><t>ニホンゴ</t></rPh><phoneticPr fontId=\"1\"/>",
    "<r><t>漢字</t></r><rPh sb=\"0\" eb=\"2\"><t>カンジ</t></rPh>",
    "<t>a_x005F_x000D_b and _x005F_x0041_</t>",
    "<r><t>run _x005F_x0009_ escaped</t></r>",
    "<t>_x000D_ is not unescaped by openpyxl</t>",
    "<t>own text</t><r><t> and a run</t></r>",
    "<r><t>run first</t></r><t>own text after</t>",
    "<t>one</t><t>two</t>",
    "<r><t>first</t><t>second</t></r>",
    "<r/>",
    "<r><t></t></r>",
    "<r><rPr><b/></rPr></r>",
    "<t>text</t><unknown>ignored</unknown>",
]


def _sst(strings: list[str]) -> bytes:
    items = "".join(f"<si>{s}</si>" for s in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def _sheet(strings: list[str], *, dimension: bool) -> bytes:
    """Column A: the shared string i; column B: the same string inline; row 1 also a
    formula cell and a number."""
    rows = []
    for i, s in enumerate(strings, start=1):
        extra = (
            '<c r="C1" t="inlineStr"><f>1+1</f><is><t>formula</t></is></c><c r="D1"><v>42</v></c>'
            if i == 1
            else ""
        )
        rows.append(
            f'<row r="{i}"><c r="A{i}" t="s"><v>{i - 1}</v></c>'
            f'<c r="B{i}" t="inlineStr"><is>{s}</is></c>{extra}</row>'
        )
    dim = f'<dimension ref="A1:D{len(strings)}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
        f"{dim}<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()


def _workbook(parts: dict[str, bytes]) -> bytes:
    """A minimal workbook package: one sheet and a shared-strings table (``parts``)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    package = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{NS}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Forpliktelser" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ).encode(),
    }
    package.update(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name, data in package.items():
            zout.writestr(name, data)
    return out.getvalue()


def _cells(wb: object) -> list[list[tuple[object, object]]]:
    ws = wb.worksheets[0]  # type: ignore[attr-defined]
    return [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]


def test_plain_strings_take_the_fast_path_and_others_openpyxls() -> None:
    def si(inner: str) -> object:
        return fromstring(f'<si xmlns="{NS}">{inner}</si>')

    assert plain_text(si("<t>x</t>")) == "x"  # type: ignore[arg-type]
    assert plain_text(si("<t>a</t><r><t>b</t></r>")) == "ab"  # type: ignore[arg-type]
    assert plain_text(si("<r><rPr><b/></rPr><t>b</t></r>")) is None  # type: ignore[arg-type]
    assert plain_text(si('<t>a</t><rPh sb="0" eb="1"><t>A</t></rPh>')) is None  # type: ignore[arg-type]


def test_shared_strings_read_exactly_as_openpyxl_reads_them() -> None:
    data = _sst(STRINGS)
    ours = read_shared_strings(io.BytesIO(data))
    theirs = read_string_table(io.BytesIO(data))
    assert ours == theirs
    assert len(ours) == len(STRINGS)
    assert ours[10] == "日本語"  # the phonetic reading is not text
    assert ours[12] == "a_x000D_b and _x0041_"


@pytest.mark.parametrize("dimension", [True, False], ids=["with-dimension", "no-dimension"])
def test_workbook_cells_read_exactly_as_openpyxl_reads_them(dimension: bool) -> None:
    data = _workbook(
        {
            "xl/sharedStrings.xml": _sst(STRINGS),
            "xl/worksheets/sheet1.xml": _sheet(STRINGS, dimension=dimension),
        }
    )
    ours = load_workbook(io.BytesIO(data))
    theirs = openpyxl.load_workbook(
        io.BytesIO(data), read_only=True, data_only=False, keep_links=False
    )
    assert _cells(ours) == _cells(theirs)
    ws_ours, ws_theirs = ours.worksheets[0], theirs.worksheets[0]
    assert (ws_ours.max_row, ws_ours.max_column) == (ws_theirs.max_row, ws_theirs.max_column)
    assert (ws_ours.max_row is not None) == dimension
    first = _cells(ours)[0]
    assert first[2] == ("=1+1", "f")  # the formula cell is still a formula
    assert [c for c in _cells(ours) if c[1][0] == "rich bold"]  # a rich inline string


def test_a_write_only_workbook_reads_as_openpyxl_reads_it(tmp_path: Path) -> None:
    """openpyxl's write-only mode writes inline strings and no dimension."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Forpliktelser")
    for i in range(30):
        ws.append([f"NO{i:04d}", "  spaced  text ", i, None, f"=A{i + 1}", "Æøå\nlinje"])
    path = tmp_path / "w.xlsx"
    wb.save(path)
    ours = load_workbook(io.BytesIO(path.read_bytes()))
    theirs = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    assert ours.worksheets[0].max_row is None
    assert _cells(ours) == _cells(theirs)
    assert len(_cells(ours)) == 30


def _broken(dimension: bool) -> bytes:
    """The fixture workbook with a sheet that stops being well-formed after its header."""
    with zipfile.ZipFile(SUB / "commitments.xlsx") as zin:
        sheet = zin.read("xl/worksheets/sheet1.xml")
        if not dimension:
            start = sheet.index(b"<dimension")
            sheet = sheet[:start] + sheet[sheet.index(b"/>", start) + 2:]
        assert (b"<dimension" in sheet) == dimension
        cut = sheet.rindex(b"</c>")
        sheet = sheet[:cut] + b"</x>" + sheet[cut + 4:]
        return _workbook_from(zin, {"xl/worksheets/sheet1.xml": sheet})


def _workbook_from(zin: zipfile.ZipFile, parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, parts.get(name, zin.read(name)))
    return out.getvalue()


@pytest.mark.parametrize("dimension", [True, False], ids=["with-dimension", "no-dimension"])
def test_a_sheet_that_breaks_while_read_is_refused_like_a_corrupt_workbook(
    dimension: bool,
) -> None:
    data = _broken(dimension)
    with pytest.raises(SubmissionError) as err:
        tables, _ignored = xlsx.read_tables(data, "broken.xlsx")
        for table in tables:
            list(table.rows)
    text = err.value.message.render("en")
    assert text.startswith("broken.xlsx: the workbook is corrupt or truncated and cannot be read")
    assert "ParseError" in text


def _submission(registry: Registry, name: str) -> list[object]:
    raw = RawInput(name, path=SUB / name)
    fmt = "xlsx" if name.endswith(".xlsx") else "json" if name.endswith(".json") else "csv"
    return read_submissions(registry, [(raw, fmt)], Options(submitted_by=KMD))  # type: ignore[return-value]


@pytest.mark.parametrize("name", ["commitments.xlsx", "proposals.xlsx", "assessments.json"])
def test_the_builders_triples_give_the_quads_the_ntriples_give(
    registry: Registry, name: str
) -> None:
    subs = _submission(registry, name)
    serialise(subs)  # type: ignore[arg-type]
    f = subs[0].file  # type: ignore[attr-defined]
    assert f is not None and f.triples
    graph = registry.uris.source_graph(f.source_id)
    fast = parse(f, graph, base_uri=BASE)
    assert f.take_parsed() is None  # handed over once
    again = parse(f, graph, base_uri=BASE)  # now from the N-Triples
    plain = parse(SourceFile(f.name, f.data, f.source_id, "ntriples"), graph, base_uri=BASE)
    assert fast.quads == again.quads == plain.quads
    assert len(fast.quads) == len(subs[0].build.triples)  # type: ignore[attr-defined]
    assert fast.file.sha256 == again.file.sha256 != plain.file.sha256  # the submitted bytes'


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collection_is_turned_back_on_after_reading_and_loading(
    registry: Registry, enabled: bool
) -> None:
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        subs = _submission(registry, "commitments.xlsx")
        assert gc.isenabled() == enabled
        results, report = load(registry, subs)  # type: ignore[arg-type]
        assert report.conforms and results[0].triples == 52  # with the two OGP ids
        assert gc.isenabled() == enabled
        with pytest.raises(SubmissionError):
            _submission(registry, "bad-corrupt.xlsx")
        assert gc.isenabled() == enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
