"""Empty submission templates generated from the shapes: XLSX, CSV and JSON, and the JSON
Schema of JSON submissions.

The XLSX template has one sheet per kind of row. Row 1 holds the bokmål headers (``*`` marks
a required column), row 2 the English headers, row 3 an example row whose first cell says
``EKSEMPEL`` (the loader skips it). Each header has a comment with the column's description,
format and allowed values; columns with allowed values have drop-down lists (from the hidden
sheet «Verdilister»); a sheet «Veiledning» describes every column.

The headers, descriptions and allowed values come from the shapes and value sets (data); the
explanatory texts the code writes (the guide's instructions and headings, the header comments,
the drop-down prompts, the JSON Schema's notes) are messages from the catalogs, rendered in
bokmål and English. The sheet names, the ``EKSEMPEL`` marker and the ``ja``/``nei`` choices are
what the loader reads back, so they stay as they are.
"""

from __future__ import annotations

import csv
import io
import json
from importlib.resources import files
from typing import Any

from loaders.columns import KINDS, SHEET_KEYS, Column, Sheet, sheets_of
from loaders.specs import ONE_OF_REQUIRED
from registry.i18n import Lang, Msg, msg

SCHEMA_ID = "https://w3id.org/ogp-no/schema/submission.schema.json"
EXAMPLE_MARKER = "EKSEMPEL"
_DATA_ROWS = 5000


def example_row(sh: Sheet) -> list[str]:
    cells = [c.spec.example for c in sh.columns]
    cells[0] = EXAMPLE_MARKER
    return cells


def header(c: Column, lang: Lang = "nb") -> str:
    return c.header(lang) + (" *" if c.required else "")


def _both(message: Msg) -> str:
    """``message`` in bokmål, then in English: the template speaks both (its first header row
    is in bokmål, its second in English)."""
    return f"{message.render('nb')} / {message.render('en')}"


def _heading(message: Msg) -> str:
    """A heading of the guide sheet: ``message`` in bokmål with a capital letter, then in
    English as written (``Ark / sheet``)."""
    nb = message.render("nb")
    return f"{nb[:1].upper()}{nb[1:]} / {message.render('en')}"


def _alternatives(sh: Sheet, c: Column) -> Msg | None:
    """For a column of which a row needs this one or another (:data:`ONE_OF_REQUIRED`: an
    assessment's date or its IRM report), the others' headers; else None."""
    keys = ONE_OF_REQUIRED.get(sh.key, ())
    if c.key not in keys:
        return None
    others = [sh.column(k) for k in keys if k != c.key]
    return Msg.texts(nb=", ".join(f"«{o.header_nb}»" for o in others),
                     en=", ".join(f"“{o.header_en}”" for o in others))


def _note(c: Column, sh: Sheet) -> str:
    """The comment on a column's header: the description, whether it is required and its
    format in bokmål, then the English header and description."""
    others = _alternatives(sh, c)
    if c.required:
        status = msg("Required. Format: {format}.", format=c.format_hint())
    elif others is not None:
        status = msg("Required unless {others} is filled in. Format: {format}.",
                     others=others, format=c.format_hint())
    else:
        status = msg("Optional. Format: {format}.", format=c.format_hint())
    parts = [c.description_nb, status.render("nb")]
    if c.spec.multiple:
        parts.append(
            msg("Several values are separated by semicolons (;) or line breaks.").render("nb")
        )
    parts += ["", f"{c.header_en}: {c.description_en}"]
    return "\n".join(p for p in parts if p is not None)


def xlsx_template(kind: str, org_names: list[str] | None = None) -> bytes:
    """The XLSX template of ``kind``; ``org_names`` fills the organisation drop-down lists."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = "Veiledning"
    lists = wb.create_sheet("Verdilister")
    lists.sheet_state = "hidden"
    list_col = 0

    def add_list(values: list[str]) -> str:
        nonlocal list_col
        list_col += 1
        letter = get_column_letter(list_col)
        for i, v in enumerate(values, start=1):
            lists.cell(row=i, column=list_col, value=v)
        return f"Verdilister!${letter}$1:${letter}${max(1, len(values))}"

    bold = Font(bold=True)
    grey = Font(italic=True, color="666666")
    example_fill = PatternFill("solid", fgColor="EEEEEE")
    guide.append([_both(msg("Submission template, OGP registry"))])
    guide["A1"].font = Font(bold=True, size=13)
    how = msg(
        "Fill in one row per item from row 3 (or overwrite the example row). Rows whose first "
        "cell is \"{marker}\", empty rows and the English header row are not read. Write "
        "values, not formulas. * = required.",
        marker=EXAMPLE_MARKER,
    )
    guide.append([how.render("nb")])
    guide.append([how.render("en")])
    guide.append([])
    column, description = msg("Column"), msg("Description")
    guide.append([
        _heading(msg("sheet")),
        column.render("nb"),
        column.render("en"),
        _heading(msg("required")),
        description.render("nb"),
        description.render("en"),
        msg("Format").render("nb"),
        _heading(msg("allowed values")),
    ])
    for cell in guide[5]:
        cell.font = bold
    for sh in sheets_of(kind):
        ws = wb.create_sheet(sh.name_nb)
        ws.append([header(c, "nb") for c in sh.columns])
        ws.append([header(c, "en") for c in sh.columns])
        ws.append(example_row(sh))
        for i, c in enumerate(sh.columns, start=1):
            letter = get_column_letter(i)
            h = ws.cell(row=1, column=i)
            h.font = bold
            h.alignment = Alignment(wrap_text=True, vertical="top")
            h.comment = Comment(_note(c, sh), "ogp-registry", width=320, height=220)
            ws.cell(row=2, column=i).font = grey
            ex = ws.cell(row=3, column=i)
            ex.font = grey
            ex.fill = example_fill
            ws.column_dimensions[letter].width = max(14, min(40, len(c.header_nb) + 4))
            rng = f"{letter}3:{letter}{_DATA_ROWS}"
            values: list[str] = []
            if c.spec.kind == "concept":
                values = [a.label("nb") for a in c.allowed]
            elif c.spec.kind == "policyarea":
                values = sorted(a.label("en") for a in c.allowed)
            elif c.spec.kind == "org" and org_names:
                values = org_names
            elif c.spec.kind == "boolean":
                values = ["ja", "nei"]
            if values:
                dv = DataValidation(type="list", formula1=add_list(values), allow_blank=True)
                if c.spec.multiple or c.spec.kind in ("org", "policyarea"):
                    dv.errorStyle = "information"  # several values, a number, a new tag
                dv.error = _both(msg("Choose a value from the list."))
                dv.errorTitle = c.header_nb
                dv.prompt = c.format_hint().render("nb")
                dv.promptTitle = c.header_nb
                dv.add(rng)
                ws.add_data_validation(dv)
            if c.spec.kind in ("date",):
                for r in range(3, 4):
                    ws.cell(row=r, column=i).number_format = "@"
            others = _alternatives(sh, c)
            guide.append([
                sh.name_nb,
                c.header_nb,
                c.header_en,
                _both(msg("yes")) if c.required
                else _both(msg("yes, unless {others} is filled in", others=others))
                if others is not None
                else _both(msg("no")),
                c.description_nb,
                c.description_en,
                c.format_hint().render("nb"),
                "; ".join(a.label("nb") for a in c.allowed),
            ])
        ws.freeze_panes = "A3"
    for letter, width in zip("ABCDEFGH", (16, 28, 28, 12, 60, 60, 40, 60), strict=True):
        guide.column_dimensions[letter].width = width
    for name in ("Veiledning", "Verdilister"):  # data sheets first, helpers last
        wb.move_sheet(name, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(name))
    wb.active = 0
    # Every cell is a value: openpyxl stores a text starting with "=" as a formula, and the
    # value lists hold names anyone with a token can register (an organisation called
    # =HYPERLINK(…) would run in the template everyone downloads).
    for sheet_ in wb.worksheets:
        for row in sheet_.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_templates(kind: str, delimiter: str = ";") -> dict[str, bytes]:
    """One CSV file per sheet of ``kind`` (UTF-8 with BOM, as Excel opens it), by sheet key:
    the bokmål header row and an example row."""
    out: dict[str, bytes] = {}
    for sh in sheets_of(kind):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
        w.writerow([header(c, "nb") for c in sh.columns])
        w.writerow(example_row(sh))
        out[sh.key] = b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
    return out


def json_template(kind: str) -> bytes:
    doc: dict[str, Any] = {"$schema": SCHEMA_ID, "kind": kind}
    for sh in sheets_of(kind):
        item: dict[str, Any] = {"example": True}
        for c in sh.columns:
            if c.spec.example:
                v: Any = c.spec.example
                if c.spec.multiple:
                    v = [v]
                elif c.spec.kind in ("integer", "position"):
                    v = int(v)
                item[c.key] = v
        doc[sh.key] = [item]
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- JSON Schema --------------------------------------------------------------------------------
def _property(c: Column) -> dict[str, Any]:
    desc = f"{c.header_nb} / {c.header_en}. {c.description_nb} / {c.description_en}"
    k = c.spec.kind
    if k in ("integer", "position"):
        one: dict[str, Any] = {"type": ["integer", "string"]}
    elif k == "boolean":
        one = {"type": ["boolean", "string"]}
    elif k == "date":  # also "1 January, 2013", and a source's words for a start or end
        one = {"type": "string"}
    elif k == "concept":
        one = {"type": "string", "examples": [a.label("nb") for a in c.allowed][:5]}
    else:
        one = {"type": "string"}
    if k in ("integer", "position", "boolean"):
        one["type"] = [*one["type"], "null"]
    elif k != "date":
        one["type"] = [one["type"], "null"]
    else:
        one["type"] = ["string", "null"]
    prop: dict[str, Any]
    if c.spec.multiple:
        prop = {"anyOf": [{"type": "array", "items": {"type": "string"}}, one]}
    else:
        prop = one
    prop["description"] = desc
    if c.allowed:
        prop["x-allowed-values"] = [
            {"code": a.code, "nb": a.label_nb, "en": a.label_en} for a in c.allowed
        ]
    return prop


def json_schema() -> dict[str, Any]:
    """The JSON Schema of JSON submissions (shipped as ``loaders/schema/``)."""
    defs: dict[str, Any] = {}
    example = msg("true: an example, skipped when loading.").render("en")
    for key in SHEET_KEYS:
        sh = sheets_of_key(key)
        defs[key] = {
            "type": "object",
            "title": f"{sh.name_nb} / {sh.name_en}",
            "properties": {"example": {"type": "boolean", "description": example}}
            | {c.key: _property(c) for c in sh.columns},
            "required": [c.key for c in sh.required if c.key != "id" or key != "assessments"],
            "additionalProperties": False,
        }
        one_of = ONE_OF_REQUIRED.get(key, ())
        if one_of:  # at least one of them, with a value
            defs[key]["anyOf"] = [
                {"required": [k], "properties": {k: {"not": {"type": "null"}}}}
                for k in one_of
            ]
    kinds: list[dict[str, Any]] = []
    for kind, keys in KINDS.items():
        kinds.append({
            "properties": {"kind": {"const": kind}}
            | {k: {"type": "array", "items": {"$ref": f"#/$defs/{k}"}} for k in keys},
            "required": [keys[0]],
        })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": _both(msg("Submission to the OGP registry")),
        "description": msg(
            "One submission: its kind and one array per sheet. See docs/submissions.md. Values "
            "are checked further by the loader (dates, allowed values, organisations) with "
            "messages naming the item and key."
        ).render("en"),
        "type": "object",
        "properties": {
            "$schema": {"type": "string"},
            "kind": {"enum": list(KINDS)},
            "comment": {
                "type": "string",
                "description": msg("Free text; not loaded.").render("en"),
            },
        }
        | {k: {"type": "array", "items": {"$ref": f"#/$defs/{k}"}} for k in SHEET_KEYS},
        "additionalProperties": False,
        "oneOf": kinds,
        "$defs": defs,
    }


def sheets_of_key(key: str) -> Sheet:
    from loaders.columns import sheet

    return sheet(key)


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def shipped_schema() -> str:
    """The JSON Schema file shipped with the package."""
    return files("loaders").joinpath("schema", "submission.schema.json").read_text("utf-8")
