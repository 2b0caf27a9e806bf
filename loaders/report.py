"""A submission's report: the builder's own problems and the SHACL results, each placed at
its file, sheet, row and column (:func:`locate`), in one :class:`ValidationReport`."""

from __future__ import annotations

import json

from loaders.columns import sheet
from loaders.issues import SubmissionIssue
from loaders.submission import Submission
from registry.errors import ValidationFailed
from registry.i18n import msg
from registry.namespaces import OGP
from registry.validation.report import Issue, ValidationReport


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
    key = _column_for(info.sheet.key, issue_)
    out.location = {k: v for k, v in info.locate(row, key).items() if v is not None}
    if key is not None and (issue_.focus, key) in b.raw:
        out.value = b.raw[(issue_.focus, key)] or out.value
    if out.focus_label is None:
        out.focus_label = b.labels.get(issue_.focus)
    return out


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
    seen: set[tuple[str, str | None]] = set()
    for sub in subs:
        for own in sub.build.issues:
            report.issues.append(own)
            if own.focus and own.severity in ("violation", "warning"):
                seen.add((own.focus, own.path))
    for i in shacl.issues:
        found = by_file.get(i.file or "")
        if found is None:
            report.issues.append(i)
            continue
        if (i.focus, i.path) in seen:
            continue  # the builder already reported this cell
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
