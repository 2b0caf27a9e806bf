"""Reading CSV submissions: UTF-8 with or without BOM, or Windows-1252 as Norwegian Excel
writes it; ``;``, ``,`` or tab as delimiter. Encoding and delimiter are detected and the
report says what was assumed. Rows are read as a stream (the file is decoded incrementally),
so memory does not grow with the file.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from loaders.issues import SubmissionError
from loaders.read.table import Row, Table
from registry.i18n import Msg, msg

_SAMPLE = 64 * 1024
#: Bytes Windows-1252 leaves undefined: a file containing them is not Windows-1252.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def detect_encoding(sample: bytes, file: str) -> tuple[str, Msg]:
    """(Python codec, the encoding's name for a note to the reader) for the file's first bytes.

    Raises :class:`SubmissionError` for an encoding we do not accept (UTF-16/32, binary)."""
    if not sample:
        raise SubmissionError(
            msg("{file}: the file is empty.", file=file), file=file
        )
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(sample) > 4 and (sample[1::2].count(0) > len(sample) // 4)
    ):
        raise SubmissionError(
            msg(
                "{file}: the file is saved as UTF-16 (\"Unicode text\"), which is not "
                "supported. Save it in Excel as \"CSV UTF-8 (comma delimited)\" or \"CSV "
                "(semicolon delimited)\".",
                file=file,
            ),
            file=file,
        )
    if b"\x00" in sample:
        raise SubmissionError(
            msg(
                "{file}: the file contains binary data and is not a CSV file. Save it as CSV.",
                file=file,
            ),
            file=file,
        )
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", msg("UTF-8 with BOM")
    try:
        sample.decode("utf-8")
        return "utf-8", Msg.texts(nb="UTF-8", en="UTF-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8", Msg.texts(nb="UTF-8", en="UTF-8")
    bad = sorted({b for b in sample if b in _CP1252_UNDEFINED})
    if bad:
        raise SubmissionError(
            msg(
                "{file}: unknown character encoding (neither UTF-8 nor Windows-1252; byte "
                "{byte}). Save the file as \"CSV UTF-8\".",
                file=file,
                byte=hex(bad[0]),
            ),
            file=file,
        )
    return "cp1252", Msg.texts(nb="Windows-1252", en="Windows-1252")


def detect_delimiter(first_line: str) -> str:
    """The delimiter of the header line: the most frequent of ``;``, ``,`` and tab outside
    quotes (``;`` wins a tie: Norwegian Excel writes it)."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ";", d == ","))
    return best if counts[best] else ";"


def read_table(stream: BinaryIO, file: str) -> Table:
    """The CSV file as a table; rows are read lazily from ``stream``."""
    sample = stream.read(_SAMPLE)
    codec, encoding = detect_encoding(sample, file)
    rest = stream
    raw = io.BufferedReader(_Prefixed(sample, rest))  # type: ignore[type-var]
    text = io.TextIOWrapper(raw, encoding=codec, newline="", errors="strict")
    try:
        first = text.readline()
    except UnicodeDecodeError as exc:
        raise _decode_error(file, codec, 1, exc) from exc
    delimiter = detect_delimiter(first)
    names = {";": msg("semicolon"), ",": msg("comma"), "\t": msg("tab")}
    header = next(csv.reader([first], delimiter=delimiter), [])
    if not any(h.strip() for h in header):
        raise SubmissionError(
            msg(
                "{file}: the first line is empty; it must be the header row.",
                file=file,
            ),
            file=file,
        )
    notes = [
        msg(
            "Encoding {encoding}, delimiter {name} ({delimiter!r}).",
            encoding=encoding,
            name=names[delimiter],
            delimiter=delimiter,
        )
    ]
    return Table(
        file=file,
        name=None,
        header=[h.strip() for h in header],
        header_row=1,
        rows=_rows(text, delimiter, file, codec),
        notes=notes,
    )


class _Prefixed(io.RawIOBase):
    """A raw stream that first returns ``prefix`` and then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        chunk = self._stream.read(len(b))
        n = len(chunk)
        b[:n] = chunk
        return n


def _decode_error(file: str, codec: str, line: int, exc: UnicodeDecodeError) -> SubmissionError:
    return SubmissionError(
        msg(
            "{file}, line {line}: the text cannot be read as {codec} (byte {byte}); the file "
            "mixes encodings. Save the whole file as \"CSV UTF-8\".",
            file=file,
            line=line,
            codec=codec,
            byte=hex(exc.object[exc.start]) if exc.object else "?",
        ),
        file=file,
        line=line,
    )


def _rows(text: io.TextIOWrapper, delimiter: str, file: str, codec: str) -> Iterator[Row]:
    lines = _counting(text)
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        start = lines.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise _decode_error(file, codec, lines.line + 1, exc) from exc
        except csv.Error as exc:
            raise SubmissionError(
                msg(
                    "{file}, line {line}: CSV error: {detail}. Check the quotation marks.",
                    file=file,
                    line=lines.line,
                    detail=exc,
                ),
                file=file,
                line=lines.line,
            ) from exc
        line = start
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            yield Row(line, list(cells))


class _counting:  # noqa: N801 - an iterator helper
    """Lines of ``text``, counting them (the header line was read already)."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.line = 1

    def __iter__(self) -> _counting:
        return self

    def __next__(self) -> str:
        s = self.text.readline()
        if not s:
            raise StopIteration
        self.line += 1
        return s
