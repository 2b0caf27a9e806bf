"""Problems in submissions, located by file, sheet, row and column, in bokmål or English."""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import SourceError
from registry.i18n import N_, Lang, Msg, gettext, msg, shown
from registry.validation.report import Issue

#: The label that starts an issue's first line, by severity.
_SEVERITY_LABEL = {"violation": N_("ERROR"), "warning": N_("WARNING"), "info": N_("NOTICE")}


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
        parts = [shown(self.file or "")]  # names and values never bring terminal escapes
        if loc.get("sheet") is not None:
            parts.append(msg("sheet «{sheet}»", sheet=loc["sheet"]).render(lang))
        if loc.get("row") is not None:
            parts.append(msg("row {row}", row=loc["row"]).render(lang))
        if loc.get("column") is not None:
            col = msg("column «{column}»", column=loc["column"]).render(lang)
            if loc.get("cell"):
                col += f' ({loc["cell"]})'
            parts.append(col)
        return ", ".join(p for p in parts if p)

    def render(self, lang: Lang) -> str:
        lines = [f"{gettext(lang, _SEVERITY_LABEL[self.severity])}: {self.where(lang)}"]
        if self.value is not None and self.value != "":
            lines.append("  " + msg("value: {value}", value=self.value).render(lang))
        elif self.location.get("column") is not None:
            lines.append("  " + msg("value: (empty)").render(lang))
        lines.append("  " + shown(self.message(lang)))
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
        message_nn=message.render("nn"),
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
