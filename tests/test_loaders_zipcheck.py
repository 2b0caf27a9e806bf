"""The ZIP container limits of XLSX submissions (loaders/read/zipcheck.py, issue 9), on small
hand-made archives: each refusal names the file and the part, says what is wrong and how to
fix it; a real workbook passes. The large cases (a 1 GiB zip bomb, a header that lies about
1 GiB, a referenced shared-strings table of 2 million entries) run as child processes with
their peak memory measured in tests/test_hostile_files.py."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from loaders.issues import SubmissionError
from loaders.read.zipcheck import MAX_SHARED_STRINGS, ZipLimits, check_workbook_zip
from ogpreg.cli import main
from registry.service import Registry
from tests.conftest import BASE, FIXTURES

WORKBOOK = FIXTURES / "submissions" / "commitments.xlsx"


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(buf, "w", method) as z:
            for name, data in members:
                z.writestr(name, data)
    return buf.getvalue()


def _refused(data: bytes, limits: ZipLimits | None = None) -> str:
    with pytest.raises(SubmissionError) as info:
        check_workbook_zip(data, "innsending.xlsx", limits)
    text = info.value.render("en")
    assert text.startswith("innsending.xlsx: "), text
    nb = info.value.render("nb")
    assert nb.startswith("innsending.xlsx: ") and nb != text
    return text


def test_a_real_workbook_passes() -> None:
    check_workbook_zip(WORKBOOK.read_bytes(), WORKBOOK.name)


def test_total_unpacked_size_over_the_limit() -> None:
    data = WORKBOOK.read_bytes()
    text = _refused(data, ZipLimits(max_unpacked_bytes=10_000))
    assert "unpacks to" in text and "OGPREG_MAX_UNPACKED_BYTES" in text
    assert "(the largest part, xl/theme/theme1.xml, alone 10140 bytes)" in text
    assert "should be split into several files or sent as CSV" in text


def test_compression_ratio_of_a_zip_bomb() -> None:
    text = _refused(_zip([("xl/worksheets/sheet1.xml", b" " * (8 << 20))]))
    assert "xl/worksheets/sheet1.xml" in text and "zip bomb" in text
    assert "the limit is 100:1" in text


def test_too_many_parts() -> None:
    data = _zip([(f"xl/part{i}.xml", b"") for i in range(12)], zipfile.ZIP_STORED)
    text = _refused(data, ZipLimits(max_members=10))
    assert "consists of 12 parts" in text and "the limit is 10" in text


@pytest.mark.parametrize("name", ["../../etc/x.xml", "/xl/workbook.xml", "xl/../../x.xml"])
def test_odd_part_names(name: str) -> None:
    text = _refused(_zip([("[Content_Types].xml", b"<Types/>"), (name, b"<x/>")]))
    assert "invalid or duplicate name" in text and repr(name) in text


def test_duplicate_part_names() -> None:
    data = _zip([("xl/workbook.xml", b"<a/>"), ("xl/workbook.xml", b"<b/>")])
    assert "invalid or duplicate name ('xl/workbook.xml')" in _refused(data)


def test_unusual_compression_method() -> None:
    data = _zip([("xl/workbook.xml", b"<workbook/>")], zipfile.ZIP_BZIP2)
    assert "ZIP method 12" in _refused(data)


def test_encrypted_part() -> None:
    data = _zip([("xl/workbook.xml", b"<workbook/>")])
    data = _patch(data, "xl/workbook.xml", "<H", local=6, central=8, value=0x1)
    assert "xl/workbook.xml of the workbook is encrypted" in _refused(data)


def test_overlapping_parts() -> None:
    """Several directory entries pointing at the same compressed bytes (the "better zip bomb"
    construction): the compressed sizes add up to more than the file."""
    one = _zip([("xl/a.xml", b"x" * 5000 + bytes(range(256)) * 40)])
    with zipfile.ZipFile(io.BytesIO(one)) as z:
        info = z.infolist()[0]
    # a central directory with five entries, all pointing at the one local entry
    local = one[: info.compress_size + 30 + len(info.filename)]
    central = b""
    for i in range(5):
        name = f"xl/{'abcde'[i]}.xml".encode()
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, info.CRC, info.compress_size,
            info.file_size, len(name), 0, 0, 0, 0, 0, 0,
        ) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 5, 5, len(central), len(local), 0)
    text = _refused(local + central + end)
    assert "overlap" in text


def test_a_part_whose_header_lies_about_its_size() -> None:
    """The directory says 100 bytes; the data inflates to 1 MiB. zipfile stops at 100 bytes
    and the CRC-32 does not match: refused before openpyxl starts."""
    good = _zip([("[Content_Types].xml", b"<Types/>"), ("xl/worksheets/sheet1.xml",
                                                       b"<a>" + b"y" * (1 << 20) + b"</a>")])
    lied = _patch(good, "xl/worksheets/sheet1.xml", "<L", local=22, central=24, value=100)
    with zipfile.ZipFile(io.BytesIO(lied)) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 100
    text = _refused(lied)
    assert "xl/worksheets/sheet1.xml" in text and "does not match" in text and "CRC" in text


def _patch(data: bytes, member: str, fmt: str, *, local: int, central: int, value: int) -> bytes:
    """``data`` with one field of ``member``'s local header (at offset ``local``) and of its
    central directory entry (at ``central``) set to ``value``."""
    out = bytearray(data)
    name = member.encode()
    for sig, name_len_at, name_at, offset in (
        (b"PK\x03\x04", 26, 30, local), (b"PK\x01\x02", 28, 46, central)
    ):
        at = out.find(sig)
        while at >= 0:
            n = struct.unpack_from("<H", out, at + name_len_at)[0]
            if out[at + name_at : at + name_at + n] == name:
                struct.pack_into(fmt, out, at + offset, value)
                break
            at = out.find(sig, at + 4)
        else:
            raise AssertionError(f"{member} not found")
    return bytes(out)


def _sst(n: int) -> bytes:
    body = b"".join(b"<si><t>s%d</t></si>" % i for i in range(n))
    return (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
            b'uniqueCount="%d">' % (n, n)) + body + b"</sst>"


def test_shared_strings_entries_are_counted_across_chunks() -> None:
    """The count of ``<si>`` is exact whatever the chunk boundaries (1 MiB chunks; the table
    below crosses several), and a table at the limit passes."""
    import loaders.read.zipcheck as zc

    limit = 300_000
    data = _zip([("xl/sharedStrings.xml", _sst(limit))])
    check_workbook_zip(data, "ok.xlsx", ZipLimits(max_shared_strings=limit))
    text = _refused(data, ZipLimits(max_shared_strings=limit - 1))
    assert "shared-strings table (xl/sharedStrings.xml) has more than 299999 entries" in text
    assert zc.CHUNK < len(_sst(limit))
    assert MAX_SHARED_STRINGS == 1_000_000


def test_a_shared_strings_table_under_another_name_is_found() -> None:
    types = (b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             b'<Override PartName="/xl/strenger.xml" ContentType="application/vnd.openxmlformats-'
             b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    data = _zip([("[Content_Types].xml", types), ("xl/strenger.xml", _sst(20))])
    assert "(xl/strenger.xml)" in _refused(data, ZipLimits(max_shared_strings=10))


def test_the_setting_applies_to_ogpreg_validate(registry: Registry) -> None:
    store = registry.settings.store
    result = CliRunner().invoke(
        main,
        ["--store", str(store), "--base-uri", BASE, "--lang", "en", "validate", str(WORKBOOK)],
        env={"OGPREG_MAX_UNPACKED_BYTES": "10000"},
    )
    assert result.exit_code == 1, result.output
    assert "commitments.xlsx: the workbook unpacks to" in result.output
    assert "The limit is 10000 bytes (0.0 MiB, OGPREG_MAX_UNPACKED_BYTES)" in result.output


def test_a_workbook_with_shared_strings_reads_like_inline_strings(
    registry: Registry, tmp_path: Path
) -> None:
    """Excel writes text through the shared-strings table (the fixtures, written by openpyxl,
    use inline strings): the same workbook that way passes the checks and gives the same RDF."""
    from loaders.submission import Options, RawInput, read_submissions
    from registry.rdf.convert import quads_to_graph
    from tests.test_hostile_files import shared_strings_workbook
    from tests.test_loaders_read import assert_isomorphic

    book = shared_strings_workbook(tmp_path / "delte.xlsx")
    with zipfile.ZipFile(book) as z:
        assert b't="s"' in z.read("xl/worksheets/sheet1.xml")
    subs = [
        read_submissions(registry, [(RawInput(p.name, path=p), "xlsx")], Options())[0]
        for p in (book, WORKBOOK)
    ]
    assert subs[0].build.ok, [i.render("en") for i in subs[0].build.issues]
    assert_isomorphic(quads_to_graph(subs[0].build.triples), quads_to_graph(subs[1].build.triples))
