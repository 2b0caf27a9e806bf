"""Hostile files (issue 9): XML entities, remote JSON-LD contexts, malformed UTF-8, a file over
the size limit, path traversal in names, XLSX bombs, formula cells. Each gives a clear error,
writes nothing and fetches nothing; every CSV the registry produces escapes formula cells."""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from ogpreg.cli import main
from registry.errors import SourceError, UsageError
from registry.loading.sources import SourceFile
from registry.publish.exports import commitments_csv, dataset_contents
from registry.service import Registry, open_registry
from tests.conftest import BASE, FIXTURES, all_quads, make_settings
from tests.endpoint_server import copy_store, running
from tests.test_hostile_queries import Listener

RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
DCT_NS = 'xmlns:dct="http://purl.org/dc/terms/"'
INJECTION = '=HYPERLINK("http://evil.example/","klikk")'
DCT = "http://purl.org/dc/terms/"
DCT_TITLE = DCT + "title"


def _rdfxml(doctype: str, title: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {doctype} ]>
<rdf:RDF {RDF_NS} {DCT_NS}>
  <rdf:Description rdf:about="{BASE}id/commitment/NO9902"><dct:title>{title}</dct:title>
  </rdf:Description>
</rdf:RDF>
""".encode()


def _refused(reg: Registry, name: str, data: bytes) -> SourceError:
    before = all_quads(reg)
    with pytest.raises(SourceError) as info:
        reg.load([SourceFile(name, data, "hostile")])
    assert all_quads(reg) == before, "a refused file changed the store"
    return info.value


#: Runs ``ogpreg`` and, at exit, writes the process's own peak RSS (VmHWM, KiB) to a file.
#: ``wait4``'s ru_maxrss is not usable here: it counts the pages the child shared with this
#: (large) pytest process between fork and exec.
_HWM_WRAPPER = """
import atexit, os, re, runpy, sys
def _hwm():
    status = open("/proc/self/status").read()
    open(os.environ["OGPREG_TEST_HWM"], "w").write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(_hwm)
sys.argv = ["ogpreg", *sys.argv[1:]]
runpy.run_module("ogpreg", run_name="__main__")
"""


def _cli(store: Path, *args: str, cwd: Path | None = None) -> tuple[int, str, int]:
    """``ogpreg`` in a child process: (exit code, output, that process's peak RSS in KiB)."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile() as hwm:
        proc = subprocess.run(
            [sys.executable, "-c", _HWM_WRAPPER, "--store", str(store), "--base-uri", BASE, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, "OGPREG_USER": "tester", "OGPREG_TEST_HWM": hwm.name},
            check=False,
        )
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        peak = int(Path(hwm.name).read_text() or 0)
    return proc.returncode, text, peak


# -- XML external entities and entity expansion ---------------------------------------------
def test_xxe_file_entity_is_not_read(registry: Registry) -> None:
    data = _rdfxml('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;")
    err = _refused(registry, "xxe.rdf", data)
    text = err.render("en")
    assert text.startswith("xxe.rdf:") and "Nothing was loaded" in text
    assert "root:" not in text


def test_xxe_http_entity_is_not_fetched(registry: Registry) -> None:
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}/secret"
        for doctype in (
            f'<!ENTITY xxe SYSTEM "{url}">',
            f'<!ENTITY xxe PUBLIC "-//X//Y" "{url}">',
            f'<!ENTITY % p SYSTEM "{url}"> %p;',
        ):
            _refused(registry, "xxe.rdf", _rdfxml(doctype, "&xxe;"))
    finally:
        listener.close()
    assert listener.connections == 0


def test_harmless_internal_entities_still_load(registry: Registry) -> None:
    """Namespace abbreviations as entities (common in OWL files) keep working: the entity is
    expanded where it is used, and the file loads."""
    doctype = '<!ENTITY ex "Eksempel">'
    data = _rdfxml(doctype, "&ex; &ex;")
    registry.load([SourceFile("ok.rdf", data, "ok")])
    titles = {
        (q.subject.value, q.object.value)
        for q in registry.store.reader().quads_for_pattern(
            None, ox.NamedNode(DCT_TITLE), None, ox.NamedNode(BASE + "graph/source/ok")
        )
    }
    assert titles == {(BASE + "id/commitment/NO9902", "Eksempel Eksempel")}


BILLION_LAUGHS = _rdfxml(
    '<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)),
    "&lol9;",
)


def _laughs(name: str) -> bytes:
    """Billion laughs with entities called ``{name}0`` … ``{name}9``."""
    return _rdfxml(
        f'<!ENTITY {name}0 "lol">'
        + "".join(f'<!ENTITY {name}{i} "{f"&{name}{i - 1};" * 10}">' for i in range(1, 10)),
        f"&{name}9;",
    )


#: XML names beyond ASCII letters, which the parser expands as well (a red-team audit got
#: ``:l`` and ``ä`` through the check, which matched ASCII names only: 464 MB at the peak)
@pytest.mark.parametrize("name", ["lol", ":l", "ä", "l:o", "_.-"])
def test_billion_laughs_is_refused_with_bounded_memory(
    initialised_store: Path, tmp_path: Path, name: str
) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    bomb = tmp_path / "lol.rdf"
    bomb.write_bytes(BILLION_LAUGHS if name == "lol" else _laughs(name))
    code, out, peak_kib = _cli(store, "--lang", "en", "validate", str(bomb))
    assert code == 1, out
    assert "billion laughs" in out and "lol.rdf" in out
    assert "Traceback" not in out
    assert peak_kib < 600 * 1024, f"peak RSS {peak_kib} KiB"


# -- JSON-LD remote contexts -------------------------------------------------------------------
@pytest.mark.parametrize(
    "context",
    ['"http://127.0.0.1:{port}/ctx.jsonld"', '["http://127.0.0.1:{port}/ctx.jsonld"]',
     '{"@import": "http://127.0.0.1:{port}/ctx.jsonld"}'],
)
def test_jsonld_remote_context_is_never_fetched(registry: Registry, context: str) -> None:
    listener = Listener()
    try:
        ctx = context.replace("{port}", str(listener.port))
        data = f'{{"@context": {ctx}, "@id": "{BASE}id/x", "title": "t"}}'.encode()
        err = _refused(registry, "remote.jsonld", data)
    finally:
        listener.close()
    assert listener.connections == 0
    assert err.render("en").startswith("remote.jsonld")


# -- malformed UTF-8 ---------------------------------------------------------------------------
def test_malformed_utf8_names_line_and_column(registry: Registry) -> None:
    data = b'@prefix dct: <http://purl.org/dc/terms/> .\n<id/x> dct:title "ab\xc3\x28" .\n'
    err = _refused(registry, "bad.ttl", data)
    assert (err.line, err.column) == (2, 21)
    assert err.render("en").startswith("bad.ttl:2:21: the file is not valid UTF-8 (byte 0xc3)")


# -- a file over the size limit ----------------------------------------------------------------
def test_100_mb_file_is_refused_before_reading(initialised_store: Path, tmp_path: Path) -> None:
    """Over OGPREG_MAX_UPLOAD_BYTES (100 MiB by default) a file is refused from its size
    alone: the process never holds it in memory, and nothing is written."""
    store = copy_store(initialised_store, tmp_path / "store")
    big = tmp_path / "big.ttl"
    line = b"# " + b"x" * 1021 + b"\n"
    with big.open("wb") as fh:
        for _ in range(101 * 1024):  # 101 MiB
            fh.write(line)
    assert big.stat().st_size > 104_857_600
    reg = open_registry(make_settings(Path(store)))
    before, revision = all_quads(reg), reg.store.revision()
    assert revision is not None
    for command in ("validate", "load"):
        code, out, peak_kib = _cli(store, "--lang", "en", command, str(big))
        assert code == 1, out
        assert "larger than the limit of 104857600 bytes (OGPREG_MAX_UPLOAD_BYTES)" in out
        assert peak_kib < 400 * 1024, f"peak RSS {peak_kib} KiB"
    # the store is intact and unchanged: the same committed revision, the same quads
    assert reg.store.revision() == revision
    assert all_quads(reg) == before
    code, out, _ = _cli(store, "stats")
    assert code == 0, out


def test_size_limit_applies_to_standard_input(registry: Registry, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--store", str(registry.settings.store), "--lang", "en", "load", "--format", "turtle",
         "--source", "stdin", "-"],
        input=b"# " + b"x" * 2000 + b"\n",
        env={"OGPREG_MAX_UPLOAD_BYTES": "1000", "OGPREG_BASE_URI": BASE},
    )
    assert result.exit_code == 1, result.output
    assert "<stdin>: the file is larger than the limit of 1000 bytes" in result.output


# -- path traversal in names -------------------------------------------------------------------
def _tree(root: Path, skip: Path) -> set[Path]:
    return {p for p in root.rglob("*") if skip not in p.parents and p != skip}


def test_path_traversal_source_id_is_refused(registry: Registry, tmp_path: Path) -> None:
    src = tmp_path / "valid.ttl"
    src.write_bytes((FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes())
    before = all_quads(registry)
    for sid in ("../../etc/x", "..", "a/b", "/etc/passwd"):
        result = CliRunner().invoke(
            main,
            ["--store", str(registry.settings.store), "--base-uri", BASE, "load",
             "--source", sid, str(src)],
        )
        assert result.exit_code == 2, result.output
    assert all_quads(registry) == before


def test_registry_refuses_a_traversal_source_id(registry: Registry) -> None:
    data = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
    with pytest.raises(UsageError):
        registry.load([SourceFile("valid.ttl", data, "../../etc/x")])


def test_path_traversal_file_name_records_only_the_base_name(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    evil = tmp_path / "..evil name.ttl"
    evil.write_bytes((FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes())
    store = Path(registry.settings.store)
    outside_before = _tree(tmp_path, store)
    monkeypatch.chdir(work)
    result = CliRunner().invoke(
        main, ["--store", str(store), "--base-uri", BASE, "load", "../../..evil name.ttl"]
    )
    assert result.exit_code == 0, result.output
    assert _tree(tmp_path, store) == outside_before, "something was written outside the store"
    rows = registry.query(
        "SELECT ?g ?id ?name WHERE { GRAPH ?pg { ?g ogp:sourceId ?id ; ogp:fileName ?name } "
        "FILTER(CONTAINS(?name, 'evil')) }"
    )
    found = [(str(r["g"].value), r["id"].value, r["name"].value) for r in rows]  # type: ignore[index]
    assert found == [(f"{BASE}graph/source/evil-name", "evil-name", "..evil name.ttl")]


# -- spreadsheets ------------------------------------------------------------------------------
def _workbook_with(
    tmp_path: Path, name: str, member: str, chunks: Iterable[bytes], *, level: int = 9,
    zip64: bool = True,
) -> Path:
    """The commitments fixture workbook with ``member`` replaced by ``chunks``, written as a
    stream (this process never holds the inflated payload: a child's peak RSS on Linux starts
    from its parent's)."""
    src = FIXTURES / "submissions" / "commitments.xlsx"
    with zipfile.ZipFile(src) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist() if i.filename != member}
    return _write_zip(tmp_path / name, parts, member, chunks, level=level, zip64=zip64)


def _write_zip(
    out: Path, parts: dict[str, bytes], member: str, chunks: Iterable[bytes], *, level: int,
    zip64: bool = True,
) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=zip64) as fh:
            for chunk in chunks:
                fh.write(chunk)
    return out


def _sheet_member(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[0]


_INLINE = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>',
                     re.S)
_SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def shared_strings_workbook(out: Path, *, filler: int = 0, level: int = 6) -> Path:
    """The commitments fixture as Excel writes text: every string cell refers to the workbook's
    shared-strings table (``<c t="s"><v>index</v></c>``), registered in ``[Content_Types].xml``
    and the workbook's relationships. With ``filler``, the table starts with that many extra
    entries (about 100 bytes each, streamed), so the cells refer to entries after them."""
    strings: dict[bytes, int] = {}

    def ref(m: re.Match[bytes]) -> bytes:
        index = strings.setdefault(m.group(3), len(strings))
        return b'<c %st="s"%s><v>%d</v></c>' % (m.group(1), m.group(2), filler + index)

    with zipfile.ZipFile(FIXTURES / "submissions" / "commitments.xlsx") as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    for name in parts:
        if name.startswith("xl/worksheets/"):
            parts[name] = _INLINE.sub(ref, parts[name])
    assert strings and not any(b"inlineStr" in v for v in parts.values())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s" /></Types>'
        % _SST_TYPE)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="%s" Target="sharedStrings.xml" Id="rId99" /></Relationships>'
        % _SST_REL)
    n = filler + len(strings)

    def table() -> Iterator[bytes]:
        yield (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
               b'.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (n, n))
        for start in range(0, filler, 10_000):
            yield b"".join(b"<si><t>fyll-%09d-%s</t></si>" % (i, b"y" * 80)
                           for i in range(start, min(filler, start + 10_000)))
        for text in strings:
            yield b'<si><t xml:space="preserve">%s</t></si>' % text
        yield b"</sst>"

    return _write_zip(out, parts, "xl/sharedStrings.xml", table(), level=level)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The commitments workbook whose first sheet inflates to 1 GiB of whitespace (about 1 MB
    on disk). No ZIP64, so that a copy can lie about the size in the 32-bit header fields."""
    member = _sheet_member(FIXTURES / "submissions" / "commitments.xlsx")
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    head += b'spreadsheetml/2006/main"><sheetData>'
    chunks = [head, *([b" " * (1 << 20)] * 1024), b"</sheetData></worksheet>"]
    path = _workbook_with(tmp_path_factory.mktemp("bomb"), "bomb.xlsx", member, chunks,
                          zip64=False)
    assert path.stat().st_size < 5_000_000
    return path


def test_xlsx_zip_bomb_is_refused_clearly(
    initialised_store: Path, tmp_path: Path, bomb: Path
) -> None:
    """Refused from the ZIP directory alone (declared sizes against OGPREG_MAX_UNPACKED_BYTES):
    nothing is inflated. Before the limit: ~1.1 GB peak RSS."""
    store = copy_store(initialised_store, tmp_path / "store")
    code, out, peak_kib = _cli(store, "--lang", "en", "validate", str(bomb))
    assert code == 1 and "Traceback" not in out, out
    assert "bomb.xlsx: the workbook unpacks to 1073761" in out, out
    assert "(the largest part, xl/worksheets/sheet1.xml, alone 1073741" in out, out
    assert "(256.0 MiB, OGPREG_MAX_UNPACKED_BYTES)" in out, out
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib} KiB"


def test_xlsx_part_that_lies_about_its_size_is_refused(
    initialised_store: Path, tmp_path: Path, bomb: Path
) -> None:
    """The bomb with its sheet's declared size (local header and central directory) set to
    4 KiB: the directory checks pass; the streaming pass inflates no more than the declared
    size (zipfile cuts there) and the CRC-32 does not match."""
    store = copy_store(initialised_store, tmp_path / "store")
    data = bytearray(bomb.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    patched = 0
    for sig, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22),
                                               (b"PK\x01\x02", 28, 46, 24)):
        at = data.find(sig)
        while at >= 0:
            n = struct.unpack_from("<H", data, at + name_len_at)[0]
            if data[at + name_at : at + name_at + n] == name:
                assert struct.unpack_from("<L", data, at + size_at)[0] > 1 << 30
                struct.pack_into("<L", data, at + size_at, 4096)
                patched += 1
                break
            at = data.find(sig, at + 4)
    assert patched == 2
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(data))
    code, out, peak_kib = _cli(store, "--lang", "en", "validate", str(liar))
    assert code == 1 and "Traceback" not in out, out
    assert ("liar.xlsx: the part xl/worksheets/sheet1.xml of the workbook does not match what "
            "the ZIP archive says about it (Bad CRC-32") in out, out
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib} KiB"


def test_xlsx_huge_shared_string_table_does_not_blow_memory(
    initialised_store: Path, tmp_path: Path
) -> None:
    """A table of 2 million entries (~200 MB inflated) that no cell refers to (the fixture's
    cells are inline strings): refused by its entry count, read as a stream."""
    store = copy_store(initialised_store, tmp_path / "store")
    n = 2_000_000
    head = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (n, n))
    chunks = (b"".join(b"<si><t>s%09d-%s</t></si>" % (i, b"y" * 80)
                       for i in range(start, start + 10_000)) for start in range(0, n, 10_000))
    book = _workbook_with(tmp_path, "strings.xlsx", "xl/sharedStrings.xml",
                          [head, *chunks, b"</sst>"], level=1)
    code, out, peak_kib = _cli(store, "--lang", "en", "validate", str(book))
    assert code == 1 and "Traceback" not in out, out
    assert ("strings.xlsx: the shared-strings table (xl/sharedStrings.xml) has more than "
            "1000000 entries") in out, out
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib} KiB"


def test_xlsx_referenced_huge_shared_string_table_is_refused(
    initialised_store: Path, tmp_path: Path
) -> None:
    """Excel-style: every text cell of the commitments workbook refers to the shared-strings
    table, whose first 2 million entries are filler, so the cells refer to entries
    2,000,000 and up; openpyxl would hold the whole table in memory. Refused by its entry
    count before openpyxl opens the workbook; the same workbook without the filler loads
    (tests/test_loaders_zipcheck.py)."""
    store = copy_store(initialised_store, tmp_path / "store")
    book = shared_strings_workbook(tmp_path / "delte-tekster.xlsx", filler=2_000_000, level=1)
    with zipfile.ZipFile(book) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
        assert b'<c r="C4" t="s"><v>20000' in sheet  # a title cell refers past the filler
        assert z.getinfo("xl/sharedStrings.xml").file_size > 190_000_000
    code, out, peak_kib = _cli(store, "--lang", "en", "validate", str(book))
    assert code == 1 and "Traceback" not in out, out
    assert ("delte-tekster.xlsx: the shared-strings table (xl/sharedStrings.xml) has more "
            "than 1000000 entries, so the workbook was not read") in out, out
    assert "split it into several files or send the data as CSV" in out
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib} KiB"


def test_formula_cells_in_a_csv_submission_are_data_not_a_crash(
    initialised_store: Path, tmp_path: Path
) -> None:
    """A CSV submission whose cells start with =, +, - or @ is read as text: it validates
    and loads, and the registry keeps each cell's text exactly (nothing is evaluated)."""
    store = copy_store(initialised_store, tmp_path / "store")
    src = (FIXTURES / "submissions" / "commitments-utf8.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(src)))
    header, first = rows[0], rows[1]
    for i, h in enumerate(header):
        if h.lower().startswith(("tittel (engelsk)", "beskrivelse (bokmål)")):
            first[i] = INJECTION
    out_csv = tmp_path / "formler.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows([header, first])
    out_csv.write_text(buf.getvalue(), encoding="utf-8")
    code, out, _ = _cli(store, "--lang", "en", "validate", str(out_csv))
    assert code == 0, out
    assert "0 errors" in out and "Traceback" not in out
    code, out, _ = _cli(store, "--lang", "en", "load", str(out_csv))
    assert code == 0, out
    reg = open_registry(make_settings(Path(store)))
    nine01 = ox.NamedNode(BASE + "id/commitment/NO9901")
    reader = reg.store.reader()
    english = [
        q.object.value
        for q in reader.quads_for_pattern(nine01, ox.NamedNode(DCT_TITLE), None, None)
        if isinstance(q.object, ox.Literal) and q.object.language == "en"
    ]
    description = [
        q.object.value
        for q in reader.quads_for_pattern(nine01, ox.NamedNode(DCT + "description"), None, None)
    ]
    assert english == [INJECTION] and description == [INJECTION]


# -- every CSV the registry produces escapes formula cells -------------------------------------
def _inject(reg: Registry) -> None:
    ttl = (FIXTURES / "rdf" / "valid-commitment.ttl").read_text(encoding="utf-8")
    ttl = ttl.replace(
        '"Open data on public procurement (example)"@en',
        '"' + INJECTION.replace('"', '\\"') + '"@en',
    )
    reg.load([SourceFile("inject.ttl", ttl.encode(), "inject")])


def test_dcat_csv_export_escapes_formula_cells(registry: Registry) -> None:
    _inject(registry)
    reader = registry.store.reader()
    plan = next(c for c in dataset_contents(reader, registry.uris) if c.kind == "plan"
                and any("2019-2021" in str(m) for m in c.members))
    body = commitments_csv(reader, registry.uris, plan).decode("utf-8")
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert "'" + INJECTION in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_endpoint_csv_escapes_formula_cells(initialised_store: Path, tmp_path: Path) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    with running(store) as srv:
        _inject(srv.registry)
        query = (
            "SELECT ?t ?n ?m WHERE { ?c dct:identifier 'NO9901' ; dct:title ?t "
            "FILTER(lang(?t) = 'en') BIND(-5 AS ?n) BIND('@me' AS ?m) }"
        )
        resp = requests.get(srv.sparql, params={"query": query},
                            headers={"Accept": "text/csv"}, timeout=30)
        assert resp.status_code == 200
        rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8"))))
        assert rows == [["t", "n", "m"], ["'" + INJECTION, "-5", "'@me"]]
        # the exact values stay available in the other formats
        exact = requests.get(srv.sparql, params={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
        binding = exact.json()["results"]["bindings"][0]
        assert binding["t"]["value"] == INJECTION and binding["m"]["value"] == "@me"
