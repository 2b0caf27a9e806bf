"""Checking and loading submissions through the registry's own path
(:meth:`registry.service.Registry.validate` and :meth:`~registry.service.Registry.load`), all
or nothing, with the changes each submission makes (``loaders/diff.py``) and every problem
placed at its cell (``loaders/report.py``)."""

from __future__ import annotations

from loaders.diff import diff_graph
from loaders.engine import SubmissionValidator
from loaders.gcpause import without_gc_pauses
from loaders.report import combined, failed
from loaders.submission import Submission, release, serialise
from registry.actors import Actor
from registry.errors import UsageError, ValidationFailed
from registry.i18n import msg
from registry.loading.pipeline import LoadResult
from registry.loading.sources import SourceFile
from registry.service import Registry
from registry.validation.report import ValidationReport


def _files(subs: list[Submission], rdf: list[SourceFile]) -> list[SourceFile]:
    return [s.file for s in subs if s.file is not None] + list(rdf)


def _validator(subs: list[Submission], rdf: list[SourceFile]) -> SubmissionValidator:
    """The core shapes for what the builder made (it checked the SPARQL rules), the full
    shapes for RDF files; when an RDF file has the name of a built one, the full shapes for
    all."""
    built = frozenset(s.file.name for s in subs if s.file is not None)
    if built & {f.name for f in rdf}:
        return SubmissionValidator()
    return SubmissionValidator(built)


@without_gc_pauses
def validate(
    registry: Registry,
    subs: list[Submission],
    rdf: list[SourceFile] | None = None,
    *,
    actor: Actor | None = None,
) -> ValidationReport:
    """Every problem of every submission (and RDF file); raises ValidationFailed on errors.
    ``actor`` as for :meth:`Registry.validate` (which statuses the files may give)."""
    serialise(subs)
    builder_ok = all(s.build.ok and s.file is not None for s in subs)
    release(subs)
    try:
        shacl = registry.validate(
            _files(subs, rdf or []), validator=_validator(subs, rdf or []), actor=actor
        )
    except ValidationFailed as exc:
        raise failed(combined(subs, exc.report)) from None
    report = combined(subs, shacl)
    if not builder_ok or not report.conforms:
        raise failed(report)
    return report


@without_gc_pauses
def load(
    registry: Registry,
    subs: list[Submission],
    rdf: list[SourceFile] | None = None,
    *,
    submitted_by: str | None = None,
    dry_run: bool = False,
    actor: Actor | None = None,
) -> tuple[list[LoadResult], ValidationReport]:
    """Validate and load (or, with ``dry_run``, only compare); all or nothing. ``actor`` as
    for :meth:`Registry.load` (who loads: which statuses the files may give)."""
    serialise(subs)
    if not all(s.build.ok and s.file is not None for s in subs):
        validate(registry, subs, rdf, actor=actor)  # raises with every problem
    submitters = {s.submitter for s in subs if s.submitter}
    if submitted_by is None and len(submitters) > 1:
        raise UsageError(
            msg(
                "The submissions have different submitters; load them one at a time, or pass "
                "--submitted-by.",
            )
        )
    who = submitted_by or (submitters.pop() if submitters else None)
    reader = registry.store.reader()
    for s in subs:
        s.diff = diff_graph(reader, s.graph, s.build.triples, base=registry.settings.base_uri,
                            labels=s.build.labels)
    del reader
    release(subs)
    try:
        results = registry.load(_files(subs, rdf or []), submitted_by=who, dry_run=dry_run,
                                validator=_validator(subs, rdf or []), actor=actor)
    except ValidationFailed as exc:
        raise failed(combined(subs, exc.report)) from None
    shacl = ValidationReport()
    for r in results:
        shacl.issues.extend(r.warnings)
    report = combined(subs, shacl)
    return results, report


__all__ = ["load", "validate"]
