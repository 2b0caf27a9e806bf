"""openpyxl's read-only workbook reader, with its texts read without rich-text objects.

openpyxl turns every shared string and every inline string into a ``Text`` object (with its
runs, fonts and phonetic runs as descriptor-checked objects) only to join the texts again;
for a submission of 40,000 cells that is a fifth of the reading time (docs/performance.md).
Here a string made only of ``t`` elements and plain ``r`` runs of ``t`` elements is joined
directly, exactly as ``Text.content`` would join it; any other string (run fonts, phonetic
runs, attributes, unknown elements) is still read by openpyxl's own code, so that it is read,
or refused, as openpyxl would. Everything else is openpyxl's: ``load_workbook`` here is
``openpyxl.load_workbook(source, read_only=True, data_only=False, keep_links=False)``.
"""

from __future__ import annotations

import re
from typing import IO, Any
from xml.etree.ElementTree import Element

from openpyxl.cell.text import Text
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import KEEP_VBA, SHARED_STRINGS, ExcelReader
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    DATA_TAG,
    DIMENSION_TAG,
    FORMULA_TAG,
    INLINE_STRING,
    WorkSheetParser,
)
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

_SI = f"{{{SHEET_MAIN_NS}}}si"
_T = f"{{{SHEET_MAIN_NS}}}t"
_R = f"{{{SHEET_MAIN_NS}}}r"


def plain_text(node: Element) -> str | None:
    """``Text.from_tree(node).content`` for a string element (``si`` or ``is``) made only of
    ``t`` elements and attribute-less ``r`` runs of ``t`` elements; ``None`` for any other
    (which openpyxl must read). As openpyxl: the element's own ``t`` comes first, then the
    runs' texts in order; where an element has several ``t``, the last one counts."""
    if node.attrib:
        return None
    plain: str | None = None
    parts: list[str] = []
    for el in node:
        tag = el.tag
        if tag == _T:
            plain = el.text
        elif tag == _R and not el.attrib:
            run: str | None = None
            for sub in el:
                if sub.tag != _T:
                    return None
                run = sub.text
            if run is not None:
                parts.append(run)
        else:
            return None
    if plain is None:
        return "".join(parts)
    return plain + "".join(parts) if parts else plain


def read_shared_strings(source: IO[bytes]) -> list[str]:
    """The shared strings table, as ``openpyxl.reader.strings.read_string_table`` reads it
    (``x005F_`` removed, as openpyxl does)."""
    strings: list[str] = []
    append = strings.append
    for _, node in iterparse(source):
        if node.tag == _SI:
            text = plain_text(node)
            if text is None:
                text = Text.from_tree(node).content
            append(text.replace("x005F_", ""))
            node.clear()
    return strings


class _SheetParser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's sheet parser; inline strings (``t="inlineStr"``) joined by
    :func:`plain_text`."""

    def parse_cell(self, element: Element) -> dict[str, Any]:
        if element.get("t") != "inlineStr" or (
            not self.data_only and element.find(FORMULA_TAG) is not None
        ):
            return super().parse_cell(element)  # type: ignore[no-any-return]
        # openpyxl's parse_cell for an inline string without a formula
        data_type = "inlineStr"
        coordinate = element.get("r")
        style_id: Any = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value = None
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        child = element.find(INLINE_STRING)
        if child is not None:
            data_type = "s"
            value = plain_text(child)
            if value is None:
                value = Text.from_tree(child).content
        return {"row": row, "column": column, "value": value, "data_type": data_type,
                "style_id": style_id}


_MERGE_CELL = re.compile(
    rb'<(?:\w+:)?mergeCell\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})"'
)


class _Sheet(ReadOnlyWorksheet):  # type: ignore[misc]
    """openpyxl's read-only worksheet, reading its rows with :class:`_SheetParser`."""

    def _get_size(self) -> None:
        """The ``dimension`` the sheet declares, as openpyxl reads it, but without parsing
        the whole sheet when there is none: the schema puts it before ``sheetData``, and
        openpyxl stops looking at the end of ``sheetData`` (workbooks written by openpyxl's
        write-only mode have none)."""
        with self._get_source() as src:
            for event, element in iterparse(src, events=("start", "end")):
                if event == "start":
                    if element.tag == DATA_TAG:
                        return
                    continue
                if element.tag == DIMENSION_TAG:
                    dimensions = SheetDimension.from_tree(element).boundaries
                    if dimensions is not None:
                        (self._min_column, self._min_row, self._max_column,
                         self._max_row) = dimensions
                    return
                element.clear()

    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        """The sheet's merged cells as (min_col, min_row, max_col, max_row), 1-based: the
        ``<mergeCell ref="C4:C12"/>`` elements, which follow ``sheetData`` (read-only
        openpyxl does not read them). The sheet's XML is scanned as bytes, in chunks."""
        found: set[tuple[int, int, int, int]] = set()
        tail = b""
        with self._get_source() as src:
            while chunk := src.read(1 << 20):
                data = tail + chunk
                for m in _MERGE_CELL.finditer(data):
                    a, r1, b, r2 = m.groups()
                    found.add((column_index_from_string(a.decode()), int(r1),
                               column_index_from_string(b.decode()), int(r2)))
                tail = data[-128:]
        return sorted(found)

    def _cells_by_row(  # openpyxl 3.1's ReadOnlyWorksheet._cells_by_row, with _SheetParser
        self, min_col: int, min_row: int, max_col: int | None, max_row: int | None,
        values_only: bool = False,
    ) -> Any:
        from openpyxl.cell.read_only import EMPTY_CELL

        filler = None if values_only else EMPTY_CELL
        max_col = max_col or self.max_column
        max_row = max_row or self.max_row
        empty_row: Any = []
        if max_col is not None:
            empty_row = (filler,) * (max_col + 1 - min_col)
        counter = min_row
        idx = 1
        with self._get_source() as src:
            parser = _SheetParser(
                src,
                self._shared_strings,
                data_only=self.parent.data_only,
                epoch=self.parent.epoch,
                date_formats=self.parent._date_formats,
                timedelta_formats=self.parent._timedelta_formats,
            )
            for idx, row in parser.parse():
                if max_row is not None and idx > max_row:
                    break
                for _ in range(counter, idx):  # some rows are missing
                    counter += 1
                    yield empty_row
                if counter <= idx:
                    cells = self._get_row(row, min_col, max_col, values_only)
                    counter += 1
                    yield cells
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                yield empty_row


class _Reader(ExcelReader):  # type: ignore[misc]
    def read_strings(self) -> None:
        ct = self.package.find(SHARED_STRINGS)
        if ct is not None:
            with self.archive.open(ct.PartName[1:]) as src:
                self.shared_strings = read_shared_strings(src)

    def read_worksheets(self) -> None:  # openpyxl 3.1's, read-only branch, with _Sheet
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            rels_path = get_rels_path(rel.target)
            if rels_path in self.valid_files:
                get_dependents(self.archive, rels_path)  # read (and checked) as openpyxl does
            ws = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def load_workbook(source: IO[bytes]) -> Any:
    """``openpyxl.load_workbook(source, read_only=True, data_only=False, keep_links=False)``,
    with the strings read as described above."""
    reader = _Reader(source, read_only=True, keep_vba=KEEP_VBA, data_only=False,
                     keep_links=False, rich_text=False)
    reader.read()
    return reader.wb


__all__ = ["load_workbook", "plain_text", "read_shared_strings"]
