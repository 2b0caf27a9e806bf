"""Problems in submissions, located by file, sheet, row and column, in bokmål or English."""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import SourceError
from registry.i18n import Lang, Msg
from registry.validation.report import Issue

_SEVERITY_LABEL = {
    "nb": {"violation": "FEIL", "warning": "ADVARSEL", "info": "INFO"},
    "en": {"violation": "ERROR", "warning": "WARNING", "info": "INFO"},
}


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 → A, 26 → AA)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass
class SubmissionIssue(Issue):
    """An :class:`~registry.validation.report.Issue` located in a spreadsheet, CSV or JSON file.

    ``location`` holds ``sheet`` (the sheet's name in the file, or the JSON array), ``row``
    (the row number a spreadsheet shows, the CSV line, or the JSON item's 1-based number),
    ``column`` (the header as written in the file, or the JSON key) and ``cell`` (e.g. ``H5``)
    where known."""

    def where(self, lang: Lang) -> str:
        loc = self.location
        en = lang == "en"
        parts = [self.file or ""]
        if loc.get("sheet") is not None:
            parts.append(f'{"sheet" if en else "ark"} «{loc["sheet"]}»')
        if loc.get("row") is not None:
            parts.append(f'{"row" if en else "rad"} {loc["row"]}')
        if loc.get("column") is not None:
            col = f'{"column" if en else "kolonne"} «{loc["column"]}»'
            if loc.get("cell"):
                col += f' ({loc["cell"]})'
            parts.append(col)
        return ", ".join(p for p in parts if p)

    def render(self, lang: Lang) -> str:
        lines = [f"{_SEVERITY_LABEL[lang][self.severity]}: {self.where(lang)}"]
        if self.value is not None and self.value != "":
            lines.append(f'  {"value" if lang == "en" else "verdi"}: {self.value}')
        elif self.location.get("column") is not None:
            lines.append(f'  {"value" if lang == "en" else "verdi"}: '
                         f'({"empty" if lang == "en" else "tom"})')
        lines.append(f"  {self.message(lang)}")
        return "\n".join(lines)


def issue(
    message: Msg,
    *,
    file: str,
    severity: str = "violation",
    focus: str = "",
    path: str | None = None,
    value: object = None,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    cell: str | None = None,
    shape: str | None = None,
) -> SubmissionIssue:
    """A located problem found by a loader (not by SHACL)."""
    location: dict[str, object] = {}
    for k, v in (("sheet", sheet), ("row", row), ("column", column), ("cell", cell)):
        if v is not None:
            location[k] = v
    return SubmissionIssue(
        severity=severity,
        focus=focus,
        message_nb=message.render("nb"),
        message_en=message.render("en"),
        path=path,
        value=None if value is None else str(value),
        shape=shape,
        constraint="loader",
        file=file,
        location=location,
    )


class SubmissionError(SourceError):
    """A submission file cannot be read at all (format, encoding, corrupt, empty)."""

    code = "submission-error"
