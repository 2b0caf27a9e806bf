"""A submission's report: the builder's own problems and the SHACL results, each placed at
its file, sheet, row and column (:func:`locate`) and told in the words of the spreadsheet (the
column to fill in, not the RDF to write: :func:`in_sheet_words`), each problem once, in one
:class:`ValidationReport`."""

from __future__ import annotations

import json

from loaders.build.cells import required_missing
from loaders.columns import Column, sheet
from loaders.issues import SubmissionIssue
from loaders.submission import Submission
from registry.errors import ValidationFailed
from registry.i18n import Msg, msg
from registry.namespaces import OGP
from registry.validation.report import Issue, ValidationReport

_SH = "http://www.w3.org/ns/shacl#"
_MISSING = {_SH + "MinCountConstraintComponent", _SH + "QualifiedMinCountConstraintComponent"}
_DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_RANK = {"violation": 2, "warning": 1, "info": 0}


def locate(issue_: Issue, sub: Submission) -> SubmissionIssue:
    """The SHACL result ``issue_`` placed at its file, sheet, row and column."""
    b = sub.build
    where = b.subjects.get(issue_.focus)
    out = SubmissionIssue(**{k: getattr(issue_, k) for k in issue_.__dataclass_fields__})
    out.file = sub.label
    if where is None:
        return out
    t, row = where
    info = b.tables[t]
    out.file = info.file
    key = _column_for(info.sheet.key, issue_)
    out.location = {k: v for k, v in info.locate(row, key).items() if v is not None}
    if key is not None and (issue_.focus, key) in b.raw:
        out.value = b.raw[(issue_.focus, key)] or out.value
    if out.focus_label is None:
        out.focus_label = b.labels.get(issue_.focus)
    if key is not None:
        words = in_sheet_words(issue_, info.sheet.column(key), out.value)
        if words is not None:
            out.set_message(words)
    return out


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
    if (i.constraint or "") in _MISSING and i.severity == "violation":
        return required_missing(col).message
    return None


def _column_for(sheet_key: str, i: Issue) -> str | None:
    sh = sheet(sheet_key)
    shape = (i.shape or "").rsplit("#", 1)[-1]
    lang = None
    if i.value and i.path:
        lang = None
    by_path = [c for c in sh.columns if c.spec.path is not None and str(c.spec.path) == i.path]
    by_shape = [c for c in by_path if c.spec.shape == shape] or by_path
    if not by_shape:
        if i.path == str(OGP.assesses) and sheet_key == "assessments":
            return "commitment"
        return None
    if lang:
        for c in by_shape:
            if c.spec.lang == lang:
                return c.key
    return by_shape[0].key


def combined(subs: list[Submission], shacl: ValidationReport) -> ValidationReport:
    """The builder's problems, then the SHACL results located at their cells (those the
    builder already reported left out), errors first."""
    by_file = {s.file.name: s for s in subs if s.file is not None}
    report = ValidationReport()
    seen: dict[tuple[str, str | None], int] = {}  # (item, property) -> the builder's severity
    provisional: set[str] = set()
    for sub in subs:
        provisional |= sub.build.provisional
        for own in sub.build.issues:
            report.issues.append(own)
            if own.focus and own.severity in ("violation", "warning"):
                key = (own.focus, own.path)
                seen[key] = max(seen.get(key, 0), _RANK[own.severity])
    for i in shacl.issues:
        found = by_file.get(i.file or "")
        if found is None:
            report.issues.append(i)
            continue
        if seen.get((i.focus, i.path), -1) >= _RANK.get(i.severity, 2):
            continue  # the builder already reported this cell, as seriously
        if i.focus in provisional and i.path == _DCT_IDENTIFIER:
            continue  # the builder said why the row has no identifier
        report.issues.append(locate(i, found))
    report.issues.sort(key=lambda i: ({"violation": 0, "warning": 1}.get(i.severity, 2)))
    return report


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


__all__ = ["combined", "failed", "locate", "report_json"]
