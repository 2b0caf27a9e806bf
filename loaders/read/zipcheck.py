"""Limits on an XLSX workbook's ZIP container, checked before openpyxl opens it (issue 9).

An XLSX file is a ZIP archive of XML parts. A hostile one can be small on the wire and huge
once unpacked (a "zip bomb"), carry a shared-strings table of millions of entries (openpyxl
holds the whole table in memory), or be malformed in ways that make readers disagree about its
content. :func:`check_workbook_zip` refuses such a file with one clear message (what is wrong,
in which file and part, how to fix it) in two passes:

1. **The central directory** (what the archive says about itself, nothing unpacked): the
   number of parts, each part's name (no absolute or ``..`` names, no duplicates), its
   compression (stored or deflate, not encrypted), its declared unpacked size, the sum of the
   declared sizes against the limit (``OGPREG_MAX_UNPACKED_BYTES``), the compression ratio of
   every part above :data:`RATIO_GRACE_BYTES` against :data:`MAX_RATIO`, and whether the parts'
   compressed data overlaps (several directory entries pointing at the same bytes).
2. **Every part, unpacked as a stream** in chunks of :data:`CHUNK` bytes with a byte budget,
   so nothing is held whole and nothing beyond the limit is ever inflated: a declared size can
   lie. Python's :mod:`zipfile` never returns more than the declared size of a part (it cuts
   the output there) and then finds that the CRC-32 does not match (``BadZipFile``); this pass
   makes that a clear "the file is damaged or manipulated" before openpyxl starts, and counts
   the entries of the shared-strings table (``<si>`` elements) on the way, against
   :data:`MAX_SHARED_STRINGS`.

Parts inside the archive that are archives themselves (embedded objects) are never opened;
they count with their own (compressed) size.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from loaders.issues import SubmissionError
from registry.i18n import msg

#: Default of ``OGPREG_MAX_UNPACKED_BYTES``: all parts of a workbook together, unpacked.
DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: Most parts (files inside the ZIP) of one workbook.
MAX_MEMBERS = 10_000
#: Highest compression ratio (unpacked : packed) of one part larger than
#: :data:`RATIO_GRACE_BYTES` unpacked (Apache POI's ``ZipSecureFile`` default: 1 : 0.01).
MAX_RATIO = 100
RATIO_GRACE_BYTES = 100 * 1024
#: Most entries of the shared-strings table (openpyxl keeps every entry in memory).
MAX_SHARED_STRINGS = 1_000_000
#: Bytes unpacked at a time.
CHUNK = 1 << 20

_CONTENT_TYPES = "[Content_Types].xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_DEFAULT = "xl/sharedStrings.xml"
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_OVERRIDE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Override\b[^>]*>", re.IGNORECASE)
#: Largest ``[Content_Types].xml`` read to find the shared-strings table.
_MAX_CONTENT_TYPES = 1 << 20
_ATTR = re.compile(rb"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class ZipLimits:
    """The limits :func:`check_workbook_zip` applies."""

    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_members: int = MAX_MEMBERS
    max_ratio: int = MAX_RATIO
    ratio_grace_bytes: int = RATIO_GRACE_BYTES
    max_shared_strings: int = MAX_SHARED_STRINGS


def _refuse(file: str, text: str, **params: object) -> SubmissionError:
    return SubmissionError(msg(text, file=file, **params), file=file)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def _too_large(file: str, what: str, limit: int, **params: object) -> SubmissionError:
    """The workbook is over the unpacked-size limit: ``what`` (a msgid with ``params``)."""
    return _refuse(
        file,
        "{file}: {what} The limit is {limit} bytes ({limit_mib}, OGPREG_MAX_UNPACKED_BYTES), so "
        "the file was not read. A genuine workbook that large should be split into several "
        "files or sent as CSV; the administrator can raise the limit.",
        what=msg(what, **params),
        limit=limit,
        limit_mib=_mib(limit),
    )


def _odd_name(name: str) -> bool:
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in PurePosixPath(name.replace("\\", "/")).parts)


def shared_strings_parts(zf: zipfile.ZipFile, file: str) -> set[str]:
    """The parts the workbook declares as its shared-strings table (``[Content_Types].xml``
    overrides), plus the usual name."""
    parts = {_SST_DEFAULT}
    try:
        info = zf.getinfo(_CONTENT_TYPES)
    except KeyError:
        return parts
    if info.file_size > _MAX_CONTENT_TYPES:
        raise _refuse(
            file,
            "{file}: the part {part} is {size} bytes; in an ordinary workbook it is a few "
            "kilobytes. The file is manipulated or damaged. Open the workbook in Excel and save "
            "it again as an Excel workbook (.xlsx), or send the data as CSV.",
            part=_CONTENT_TYPES,
            size=info.file_size,
        )
    with zf.open(info) as fh:
        text = fh.read(_MAX_CONTENT_TYPES + 1)
    for tag in _OVERRIDE.findall(text):
        attrs = {m.group(1).lower(): (m.group(2) or m.group(3) or b"") for m in _ATTR.finditer(tag)}
        if attrs.get(b"contenttype", b"").strip().decode("utf-8", "replace") == _SST_TYPE:
            parts.add(attrs.get(b"partname", b"").decode("utf-8", "replace").lstrip("/"))
    return parts


def check_workbook_zip(data: bytes, file: str, limits: ZipLimits | None = None) -> None:
    """Refuse (:class:`SubmissionError`) a workbook whose ZIP container breaks a limit; return
    normally when openpyxl may open it. See the module docstring for the checks."""
    lim = limits or ZipLimits()
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(
            file,
            "{file}: the workbook is corrupt or truncated and cannot be read ({detail}). Open "
            "it in Excel and save it again, or send the file again.",
            detail=type(exc).__name__ + (f": {exc}" if str(exc) else ""),
        ) from exc
    with zf:
        infos = zf.infolist()
        _check_directory(infos, len(data), file, lim)
        _check_contents(zf, infos, file, lim)


def _check_directory(
    infos: list[zipfile.ZipInfo], size: int, file: str, lim: ZipLimits
) -> None:
    if len(infos) > lim.max_members:
        raise _refuse(
            file,
            "{file}: the workbook consists of {n} parts (files in the ZIP archive); the limit "
            "is {limit}. That is not an ordinary workbook. Open the workbook in Excel and save "
            "it again as an Excel workbook (.xlsx), or send the data as CSV.",
            n=len(infos),
            limit=lim.max_members,
        )
    seen: set[str] = set()
    total = 0
    packed = 0
    for info in infos:
        name = info.filename
        if _odd_name(name) or name in seen:
            raise _refuse(
                file,
                "{file}: the ZIP archive has a part with an invalid or duplicate name "
                "({part!r}); the file is manipulated or damaged. Open the workbook in Excel and "
                "save it again as an Excel workbook (.xlsx), or send the data as CSV.",
                part=name,
            )
        seen.add(name)
        if info.flag_bits & 0x1:
            raise _refuse(
                file,
                "{file}: the part {part} of the workbook is encrypted. Remove the password in "
                "Excel (File > Info > Protect Workbook) and save it as .xlsx without a "
                "password.",
                part=name,
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(
                file,
                "{file}: the part {part} is compressed with a method Excel does not use (ZIP "
                "method {method}). Open the workbook in Excel and save it again as an Excel "
                "workbook (.xlsx), or send the data as CSV.",
                part=name,
                method=info.compress_type,
            )
        total += info.file_size
        packed += info.compress_size
    if total > lim.max_unpacked_bytes:
        largest = max(infos, key=lambda i: i.file_size)
        raise _too_large(
            file,
            "the workbook unpacks to {size} bytes (the largest part, {part}, alone {part_size} "
            "bytes).",
            lim.max_unpacked_bytes,
            size=total,
            part=largest.filename,
            part_size=largest.file_size,
        )
    for info in infos:
        if (
            info.file_size > lim.ratio_grace_bytes
            and info.file_size > lim.max_ratio * max(info.compress_size, 1)
        ):
            raise _refuse(
                file,
                "{file}: the part {part} unpacks from {packed} to {size} bytes (ratio "
                "{ratio}:1; the limit is {limit}:1). Only a \"zip bomb\" compresses like that, "
                "not Excel; the file was not read. Open the workbook in Excel and save it again "
                "as an Excel workbook (.xlsx), or send the data as CSV.",
                part=info.filename,
                packed=info.compress_size,
                size=info.file_size,
                ratio=info.file_size // max(info.compress_size, 1),
                limit=lim.max_ratio,
            )
    if packed > size:
        raise _refuse(
            file,
            "{file}: the parts of the ZIP archive overlap (together they claim {packed} "
            "compressed bytes in a file of {size} bytes); the file is manipulated. Open the "
            "workbook in Excel and save it again as an Excel workbook (.xlsx), or send the data "
            "as CSV.",
            packed=packed,
            size=size,
        )


def _check_contents(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], file: str, lim: ZipLimits
) -> None:
    try:
        sst = shared_strings_parts(zf, file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _refuse(
            file,
            "{file}: the part {part} cannot be read ({detail}). Open the workbook in Excel and "
            "save it again as an Excel workbook (.xlsx), or send the data as CSV.",
            part=_CONTENT_TYPES,
            detail=type(exc).__name__ + (f": {exc}" if str(exc) else ""),
        ) from exc
    budget = lim.max_unpacked_bytes
    for info in infos:
        if info.is_dir():
            continue
        count_si = info.filename in sst
        strings = 0
        tail = b""
        got = 0
        try:
            with zf.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    budget -= len(chunk)
                    if got > info.file_size:  # zipfile cuts at the declared size; in case
                        raise zipfile.BadZipFile(
                            f"{got} bytes unpacked, {info.file_size} declared"
                        )
                    if budget < 0:
                        raise _too_large(
                            file,
                            "the workbook unpacks to more than the limit (stopped in the part "
                            "{part}).",
                            lim.max_unpacked_bytes,
                            part=info.filename,
                        )
                    if count_si:
                        window = tail + chunk
                        strings += len(_SI.findall(window))
                        # a tag cut at the chunk boundary is counted in the next window only
                        cut = window.rfind(b"<", max(0, len(window) - 64))
                        if cut >= 0 and _SI.match(window, cut) is None:
                            tail = window[cut:]
                        else:
                            tail = b""
                        if strings > lim.max_shared_strings:
                            raise _refuse(
                                file,
                                "{file}: the shared-strings table ({part}) has more than "
                                "{limit} entries, so the workbook was not read (it would need "
                                "too much memory). A submission needs far fewer distinct "
                                "texts; split it into several files or send the data as CSV.",
                                part=info.filename,
                                limit=lim.max_shared_strings,
                            )
        except zipfile.BadZipFile as exc:
            raise _refuse(
                file,
                "{file}: the part {part} of the workbook does not match what the ZIP archive "
                "says about it ({detail}); the file is damaged or manipulated. Open the "
                "workbook in Excel and save it again as an Excel workbook (.xlsx), or send the "
                "data as CSV.",
                part=info.filename,
                detail=str(exc) or type(exc).__name__,
            ) from exc
        except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise _refuse(
                file,
                "{file}: the part {part} of the workbook cannot be unpacked ({detail}). Open "
                "the workbook in Excel and save it again as an Excel workbook (.xlsx), or send "
                "the data as CSV.",
                part=info.filename,
                detail=type(exc).__name__ + (f": {exc}" if str(exc) else ""),
            ) from exc
