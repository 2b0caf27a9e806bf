"""A submission's report: the builder's own problems and the SHACL results, each placed at
its file, sheet, row and column (:func:`locate`) and told in the words of the spreadsheet (the
column to fill in, not the RDF to write: :func:`in_sheet_words`), each problem once, in one
:class:`ValidationReport`, in the order of the files (:func:`combined`).

Each problem once: a SHACL result about a cell (or, for a rule on several properties such as
"a lead agency or the source's words for it", about one of its cells) where the builder, or an
earlier result, already reported a problem as serious is left out; so is a result about an
organisation the row names (e.g. its kind) when the row's cell is already reported; and two
identical problems are shown once. What remains shows the row rather than the row's internal
name, and a value's label rather than a vocabulary IRI."""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache

from rdflib import URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from loaders.build.cells import required_missing
from loaders.columns import SHEET_KEYS, Column, Concept, sheet
from loaders.issues import SubmissionIssue
from loaders.submission import Submission
from registry.errors import ValidationFailed
from registry.i18n import Msg, msg
from registry.namespaces import OGP
from registry.validation.report import Issue, ValidationReport
from registry.validation.shacl import shapes_graph

_SH = "http://www.w3.org/ns/shacl#"
_MISSING = {_SH + "MinCountConstraintComponent", _SH + "QualifiedMinCountConstraintComponent"}
_OR = _SH + "OrConstraintComponent"
_DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_RANK = {"violation": 2, "warning": 1, "info": 0}
#: the name the builder gives a row whose identifier it could not read (loaders/build/subjects)
_PROVISIONAL = "urn:x-ogpreg:row:"
_CELL = re.compile(r"([A-Z]+)\d+$")


def locate(issue_: Issue, sub: Submission, via: Issue | None = None) -> SubmissionIssue:
    """The SHACL result ``issue_`` placed at its file, sheet, row and column. ``via``: for a
    result about something the submission's item points to (the organisation a lead agency
    cell names), the result about that item whose value it is: the cell it came from.
    A result about a language-tagged value (``value_lang``) is placed at the column of that
    language: a second English title at «Tittel (engelsk)»."""
    b = sub.build
    out = SubmissionIssue(**{k: getattr(issue_, k) for k in issue_.__dataclass_fields__})
    out.file = sub.label
    at = via if via is not None else issue_
    where = b.subjects.get(at.focus)
    if where is None:
        out.value = _readable(out.value, b.labels)
        return out
    t, row = where
    info = b.tables[t]
    out.file = info.file
    key = _column_for(info.sheet.key, at, at.value_lang)
    out.location = {k: v for k, v in info.locate(row, key).items() if v is not None}
    if key is not None and (at.focus, key) in b.raw and via is None:
        out.value = b.raw[(at.focus, key)] or out.value
    if out.value == issue_.focus and via is None:
        out.value = None  # the item itself (a rule on the row): the row says which
    else:
        out.value = _readable(out.value, b.labels)
    if out.focus_label is None:
        out.focus_label = b.labels.get(at.focus)
    if key is not None and via is None:
        words = in_sheet_words(issue_, info.sheet.column(key), out.value)
        if words is not None:
            out.set_message(words)
    return out


def _readable(value: str | None, labels: dict[str, str]) -> str | None:
    """A value as a person reads it: a vocabulary concept by its label, an item of the
    submission by its identifier, never the internal name of a row."""
    if value is None:
        return None
    if value in labels:
        return labels[value]
    if value.startswith(_PROVISIONAL):
        return None
    concept = _concepts().get(value)
    if concept is not None:
        return concept.label_nb or concept.label_en or concept.code
    return value


@cache
def _concepts() -> dict[str, Concept]:
    """Every allowed value of every column (value sets, themes), by IRI."""
    return {a.iri: a for k in SHEET_KEYS for c in sheet(k).columns for a in c.allowed}


def in_sheet_words(i: Issue, col: Column, value: str | None) -> Msg | None:
    """A SHACL result about a cell, in the words of the spreadsheet: the column to fill in or
    move a value to, instead of the RDF the shapes speak of (``"Åpne data"@nb``). None: the
    shape's own message says it well (the date rules, the check digit)."""
    shape = (i.shape or "").rsplit("#", 1)[-1]
    other = sheet("commitments")
    v = value or ""
    if shape == "shared-title-nb":
        return msg("The Norwegian Bokmål title is missing (recommended). Fill in the column "
                   "\"{header}\".", header=col.heading)
    if shape == "shared-title-en":
        return msg("The English title is missing (recommended). Fill in the column "
                   "\"{header}\".", header=col.heading)
    if shape == "Commitment-leadAgency-publicBody":
        return msg("\"{value}\" is not registered as a ministry or public body, so it cannot be "
                   "a lead agency. Name a ministry or public body as the lead agency, and move "
                   "this organisation to the column \"{other}\".", value=v,
                   other=other.column("supporting_non_governmental").heading)
    if shape == "Commitment-supportingPublicBody-kind":
        return msg("\"{value}\" is not registered as a ministry or public body. Move it to the "
                   "column \"{other}\", or have its kind corrected in the organisation register.",
                   value=v, other=other.column("supporting_non_governmental").heading)
    if shape == "Commitment-supportingNonGovernmentalActor-kind":
        return msg("\"{value}\" is registered as a ministry or public body, or has no kind. Move "
                   "it to the column \"{other}\", or have its kind corrected in the organisation "
                   "register.", value=v, other=other.column("supporting_public_bodies").heading)
    if shape in ("ActionPlan-startDate-required", "ActionPlan-endDate-required"):
        return msg("The action plan has no \"{header}\" (recommended). Fill it in with the "
                   "year, month or day the sources give.", header=col.heading)
    missing = (i.constraint or "") in _MISSING or (
        i.constraint == _OR and _alternatives_missing(i.shape or ""))
    if missing and i.severity == "violation":
        return required_missing(col).message
    return None


def _column_for(sheet_key: str, i: Issue, lang: str | None = None) -> str | None:
    """The column of a result: of its path, or of the paths of its shape's alternatives
    (``sh:or``: a lead agency or the source's words for it), the first the sheet has; of
    several columns of one path (a title in bokmål, nynorsk and English), the one of the
    value's language ``lang``."""
    sh = sheet(sheet_key)
    shape = (i.shape or "").rsplit("#", 1)[-1]
    for path in (i.path,) if i.path else _shape_paths(i.shape or ""):
        by_path = [c for c in sh.columns if c.spec.path is not None and str(c.spec.path) == path]
        by_shape = [c for c in by_path if c.spec.shape == shape] or by_path
        if lang is not None:
            by_shape = [c for c in by_shape if c.spec.lang == lang] or by_shape
        if by_shape:
            return by_shape[0].key
    if i.path == str(OGP.assesses) and sheet_key == "assessments":
        return "commitment"
    return None


@lru_cache(maxsize=256)
def _shape_paths(shape: str) -> tuple[str, ...]:
    """The properties a shape is about: its ``sh:path``, or those of its ``sh:or``,
    ``sh:and`` or ``sh:xone`` members (a rule on the node as a whole names no path)."""
    if not shape:
        return ()
    g = shapes_graph()
    node = URIRef(shape)
    members = [node]
    for logic in (SH["or"], SH["and"], SH.xone):
        for head in g.objects(node, logic):
            members += list(Collection(g, head))  # type: ignore[arg-type]
    paths = [str(p) for m in members for p in g.objects(m, SH.path) if isinstance(p, URIRef)]
    return tuple(dict.fromkeys(paths))


@lru_cache(maxsize=256)
def _alternatives_missing(shape: str) -> bool:
    """Whether a shape's ``sh:or`` is only "at least one of these properties" (a required
    value that may be given in one of several columns)."""
    g = shapes_graph()
    heads = list(g.objects(URIRef(shape), SH["or"]))
    members = [m for h in heads for m in Collection(g, h)]
    return bool(members) and all((m, SH.minCount, None) in g for m in members)


def _paths_of(i: Issue) -> tuple[str, ...]:
    return (i.path,) if i.path else _shape_paths(i.shape or "")


def combined(subs: list[Submission], shacl: ValidationReport) -> ValidationReport:
    """The builder's problems and the SHACL results located at their cells, each problem once
    (module docstring), sorted by :func:`ordered`."""
    by_file = {s.file.name: s for s in subs if s.file is not None}
    report = ValidationReport()
    seen: dict[tuple[str, str | None], int] = {}  # (item, property) -> the builder's severity
    cells: dict[tuple[object, ...], int] = {}  # a cell -> the gravest problem reported there
    provisional: set[str] = set()
    for sub in subs:
        provisional |= sub.build.provisional
        for own in sub.build.issues:
            report.issues.append(own)
            _mark(cells, own)
            if own.focus and own.severity in ("violation", "warning"):
                key = (own.focus, own.path)
                seen[key] = max(seen.get(key, 0), _RANK[own.severity])
    # the results about the submission's items first: a result about what an item points to
    # (an organisation's kind) restates one of them, and is placed at its cell
    direct: list[tuple[Issue, Submission]] = []
    nested: list[tuple[Issue, Submission]] = []
    for i in shacl.issues:
        found = by_file.get(i.file or "")
        if found is None:
            report.issues.append(i)
        elif i.focus in found.build.subjects:
            direct.append((i, found))
        else:
            nested.append((i, found))
    via = {(id(found), i.value): i for i, found in direct if i.value and i.value != i.focus}
    for i, found in direct + nested:
        rank = _RANK.get(i.severity, 2)
        if any(seen.get((i.focus, p), -1) >= rank for p in _paths_of(i) or (None,)):
            continue  # the builder already reported this cell, as seriously
        if i.focus in provisional and i.path == _DCT_IDENTIFIER:
            continue  # the builder said why the row has no identifier
        parent = None if i.focus in found.build.subjects else via.get((id(found), i.focus))
        located = locate(i, found, parent)
        if cells.get(_cell(located), -1) >= rank:
            continue  # this cell's problem is already reported, as seriously
        _mark(cells, located)
        report.issues.append(located)
    report.issues = ordered(_once(report.issues), subs)
    return report


def _cell(i: Issue) -> tuple[object, ...]:
    loc = i.location
    if loc.get("row") is None or loc.get("column") is None:
        return ()  # not at a cell: never taken for a restatement
    return (i.file, loc.get("sheet"), loc["row"], loc["column"])


def _mark(cells: dict[tuple[object, ...], int], i: Issue) -> None:
    at = _cell(i)
    if at:
        cells[at] = max(cells.get(at, -1), _RANK.get(i.severity, 2))


def _once(issues: list[Issue]) -> list[Issue]:
    """The issues without repetitions: the same problem at the same place with the same
    value, said twice (two checks of one cell), is kept once."""
    out: list[Issue] = []
    keys: set[tuple[object, ...]] = set()
    for i in issues:
        key = (i.severity, i.file, tuple(sorted(i.location.items())), i.value,
               i.message_nb, i.message_en)
        if key not in keys:
            keys.add(key)
            out.append(i)
    return out


def ordered(issues: list[Issue], subs: list[Submission]) -> list[Issue]:
    """The issues in reading order: errors, then warnings, then notices; within each, by
    submission and file in the order given, a file's own problems (without a sheet or row)
    first, then by sheet in workbook order, row and column. Issues of other files (RDF files
    loaded with the submissions) follow, in the order found."""
    files: dict[str, tuple[int, int]] = {}
    sheets: dict[tuple[str, object], int] = {}
    columns: dict[tuple[str, object, object], int] = {}
    for n, sub in enumerate(subs):
        files.setdefault(sub.label, (n, -1))
        for info in sorted(sub.build.tables, key=lambda t: t.order):
            files.setdefault(info.file, (n, info.order))
            sheets.setdefault((info.file, info.name), info.order)
            for header, pos in info.columns.values():
                columns.setdefault((info.file, info.name, header), pos)
    last = (len(subs), 0)

    def key(indexed: tuple[int, Issue]) -> tuple[object, ...]:
        n, i = indexed
        loc = i.location
        file = i.file or ""
        row = loc.get("row")
        cell = _CELL.match(str(loc.get("cell") or ""))
        if cell is not None:
            col = _column_index(cell.group(1))
        else:
            col = columns.get((file, loc.get("sheet"), loc.get("column")), -1)
        return (
            2 - _RANK.get(i.severity, 2),
            files.get(file, last),
            sheets.get((file, loc.get("sheet")), -1) if "sheet" in loc else -1,
            row if isinstance(row, int) else -1,
            col if loc.get("column") is not None else -1,
            n,
        )

    return [i for _n, i in sorted(enumerate(issues), key=key)]


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def failed(report: ValidationReport) -> ValidationFailed:
    """The error that carries ``report`` when a submission does not conform."""
    return ValidationFailed(
        msg(
            "The submission has errors; nothing was loaded. Correct the errors above and send "
            "the file again.",
        ),
        report,
    )


def report_json(report: ValidationReport, lang: str) -> dict[str, object]:
    return json.loads(report.to_json(lang))  # type: ignore[arg-type,no-any-return]


__all__ = ["combined", "failed", "locate", "ordered", "report_json"]
