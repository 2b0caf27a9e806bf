"""Reading XLSX workbooks with openpyxl (read-only, streaming): one sheet per kind of row.

Refused with a clear message: a password-protected (encrypted) workbook, an old ``.xls``
file, a corrupt or truncated file, and — before openpyxl opens it — a ZIP container that
breaks the limits of :mod:`loaders.read.zipcheck` (zip bombs, huge shared-strings tables, parts
whose headers lie). Formula cells and error cells (``#REF!``) are reported per cell by the
builder: a submission carries values, not formulas.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from loaders.issues import SubmissionError, column_letter
from loaders.read.table import BadCell, Row, Table, header_score, is_blank, sheet_for_name
from loaders.read.zipcheck import ZipLimits, check_workbook_zip
from registry.i18n import msg

#: Compound File Binary header: encrypted OOXML (password-protected) and old .xls files.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Sheets of our own templates that hold no data.
HELPER_SHEETS = {"veiledning", "guide", "verdilister", "lists", "values"}
_HEADER_SCAN = 10


def _refuse(file: str, text: str, **params: object) -> SubmissionError:
    return SubmissionError(msg(text, file=file, **params), file=file)


def open_workbook(data: bytes, file: str, limits: ZipLimits | None = None) -> Any:
    """The workbook, or :class:`SubmissionError` saying why it cannot be read (``limits``:
    those of the ZIP container, checked before openpyxl opens it)."""
    if not data:
        raise _refuse(file, "{file}: the file is empty.")
    if data.startswith(CFB_MAGIC):
        raise _refuse(
            file,
            "{file}: the workbook is password-protected (encrypted) or in the old .xls format. "
            "Open it in Excel, remove the password (File > Info > Protect Workbook) and save it "
            "as .xlsx without a password.",
        )
    if not data.startswith(b"PK"):
        raise _refuse(
            file,
            "{file}: is not an XLSX workbook (the file is not a ZIP file). Save it as an Excel "
            "workbook (.xlsx) or as CSV.",
        )
    check_workbook_zip(data, file, limits)
    from loaders.read.xlsxread import load_workbook  # imports openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise _corrupt(file, exc) from exc
    except Exception as exc:  # openpyxl's InvalidFileException and friends
        raise _refuse(
            file,
            "{file}: the workbook cannot be read ({detail}). Save it as .xlsx again.",
            detail=type(exc).__name__ + (f": {exc}" if str(exc) else ""),
        ) from exc


_PLAIN = frozenset({str, int, float, bool})


def _value(cell: Any) -> object:
    value = getattr(cell, "value", None)
    dtype = getattr(cell, "data_type", None)
    if dtype == "e":
        return BadCell("error", str(value))
    if dtype == "f":
        return BadCell("formula", str(value))
    if value is None or type(value) in _PLAIN:
        return value
    if type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        return BadCell("formula", str(getattr(value, "text", value)))
    return value


_LETTERS: list[str] = [column_letter(i) for i in range(64)]


def _letters(n: int) -> list[str]:
    """The column letters of (at least) the first ``n`` columns, computed once."""
    global _LETTERS
    letters = _LETTERS
    if len(letters) < n:  # a new, longer list: one being read elsewhere is never changed
        letters = _LETTERS = [column_letter(i) for i in range(max(n, 2 * len(letters)))]
    return letters


def _corrupt(file: str, exc: Exception) -> SubmissionError:
    return _refuse(
        file,
        "{file}: the workbook is corrupt or truncated and cannot be read ({detail}). Open "
        "it in Excel and save it again, or send the file again.",
        detail=type(exc).__name__ + (f": {exc}" if str(exc) else ""),
    )


#: What openpyxl raises on a sheet that is not well-formed XML or holds impossible values,
#: found while its rows are read (after the workbook was opened).
_SHEET_ERRORS = (SyntaxError, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError,
                 EOFError)


def _cells(ws: Any, file: str, **bounds: int) -> Iterator[Any]:
    """``ws.iter_rows(**bounds)``; a sheet that breaks while it is read is refused like a
    corrupt workbook."""
    rows = ws.iter_rows(**bounds)
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except _SHEET_ERRORS as exc:
            raise _corrupt(file, exc) from exc
        yield cells


def _rows(
    ws: Any, start: int, file: str, merged: list[tuple[int, int, int, int]] | None = None
) -> Iterator[Row]:
    """The rows from ``start``. A cell merged down with the cells below it (``merged``, from
    the sheet's ``<mergeCells>``) gives its value to each of them, in its own column: a person
    who merges a plan's ID down the rows means it for each row (Excel shows it so); merged
    across, only the first cell holds the value, as Excel keeps it."""
    down = [(c1, r1, r2) for c1, r1, _c2, r2 in merged or () if r2 > r1 and r1 >= start]
    tops: dict[tuple[int, int], object] = {}  # (column, first row) -> the merged value
    for number, cells in enumerate(_cells(ws, file, min_row=start), start=start):
        values = [_value(c) for c in cells]
        for col, r1, r2 in down:
            if number == r1 and col <= len(values):
                tops[(col, r1)] = values[col - 1]
            elif r1 < number <= r2 and (col, r1) in tops:
                while len(values) < col:
                    values.append(None)
                if is_blank(values[col - 1]):
                    values[col - 1] = tops[(col, r1)]
        while values and is_blank(values[-1]):
            values.pop()
        if not values:
            continue
        letters = _letters(len(values))
        suffix = str(number)
        refs = [letters[i] + suffix for i in range(len(values))]
        yield Row(number, values, refs)


def read_tables(
    data: bytes, file: str, limits: ZipLimits | None = None
) -> tuple[list[Table], list[str]]:
    """The data sheets of a workbook, and the names of sheets that were not recognised."""
    wb = open_workbook(data, file, limits)
    tables: list[Table] = []
    ignored: list[str] = []
    for ws in wb.worksheets:
        title = str(ws.title)
        if title.strip().casefold() in HELPER_SHEETS:
            continue
        declared_rows = getattr(ws, "max_row", None)  # from <dimension>, may be wrong
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        key = sheet_for_name(title)
        head: list[tuple[int, list[object]]] = []
        for number, cells in enumerate(_cells(ws, file, max_row=_HEADER_SCAN), start=1):
            head.append((number, [_value(c) for c in cells]))
        header_row, header = _find_header(head, key)
        if header_row is None:
            if key is not None or any(not is_blank(v) for _, r in head for v in r):
                ignored.append(title)
            continue
        merged = ws.merged_ranges() if hasattr(ws, "merged_ranges") else []
        down = [m for m in merged if m[3] > m[1] and m[1] > header_row]
        spans = [
            column_letter(c1 - 1) + str(r1) + ":" + column_letter(c2 - 1) + str(r2)
            for c1, r1, c2, r2 in down
        ]
        notes = [
            msg(
                "The cells {cells} of the sheet «{sheet}» are merged: the value of the first "
                "is read for each row.",
                cells=span,
                sheet=title,
            )
            for span in spans
        ]
        tables.append(
            Table(
                file=file,
                name=title,
                header=["" if is_blank(h) else str(h) for h in header],
                header_row=header_row,
                rows=_rows(ws, header_row + 1, file, merged),
                notes=notes,
                expected_rows=(
                    max(0, declared_rows - header_row) if isinstance(declared_rows, int) else None
                ),
            )
        )
    return tables, ignored


def _find_header(
    head: list[tuple[int, list[object]]], key: str | None
) -> tuple[int | None, list[object]]:
    """The header row: the first of the first rows that names a required column."""
    from loaders.columns import sheet
    from loaders.read.table import best_sheet

    for number, cells in head:
        if key is not None:
            required, found = header_score(cells, sheet(key))
        else:
            best, found = best_sheet(cells)
            required = header_score(cells, sheet(best))[0]
        if required >= 1 and found >= 2:
            return number, cells
    return None, []
