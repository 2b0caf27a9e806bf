"""The registry's own data, bundled through the ministries' path (``ogpreg init``).

:func:`init` loads the bundled Turtle (:meth:`registry.service.Registry.init`: the
vocabularies, organisations, plans, the 2019–2021 plan), then the commitments of every plan as
OGP publishes them, which scripts/ogp_commitments.py writes in the registry's own commitments
template (registry/data/ogp-commitments/), through the same path as any ministry's spreadsheet
(:func:`loaders.submission.read_submissions`, :func:`loaders.load.load`), so that every rule of
the submission path runs on real data at every init; then the Turtle about those commitments
that the template has no column for (their notes and IRM assessments). The registry itself
never imports the loaders; this module sits above both.

Each step is its own commit (a submission is checked against the registry it refers to):
three on a new store; on a store initialised before, an unchanged file changes nothing. A store
whose first initialisation stopped between the steps is finished at its next use
(:func:`complete`, :attr:`registry.service.Registry.initialised_check`).
"""

from __future__ import annotations

from dataclasses import replace

from loaders.load import load
from loaders.report import combined, failed
from loaders.submission import Options, RawInput, Submission, read_submissions
from registry.actors import SYSTEM
from registry.loading import bundled
from registry.loading.pipeline import LoadResult
from registry.service import Registry
from registry.validation.report import ValidationReport

#: Who loaded the bundled data, in its provenance (as :meth:`Registry.init` records it).
LOADED_BY = "ogp-registry (bundled data)"


def submissions(registry: Registry) -> list[Submission]:
    """The bundled submissions (one per plan: a submission is for one plan), built."""
    out: list[Submission] = []
    for sid in bundled.SUBMISSIONS:
        name, data = bundled.submission_file(sid)
        out.extend(
            read_submissions(
                registry, [(RawInput(name, data=data), "csv")],
                Options(kind="commitments", source=sid),
            )
        )
    for s in out:  # the registry's own data: no ministry submits it
        s.submitter = None
        s.build.issues = [i for i in s.build.issues if not i.message_en.startswith("Submitter: ")]
    return out


def checked_only(subs: list[Submission]) -> ValidationReport:
    """The builder's report on the submissions that are checked but not written
    (registry/loading/bundled.py ``CHECKED_ONLY``): every rule of the submission path (the
    organisations, policy areas, dates, ids, titles of each cell), but not the shapes against
    the registry, where the bundled description of the same commitments is (their titles
    would be two per language). Raises :class:`registry.errors.ValidationFailed` on an error."""
    checked = [s for s in subs if s.source_id in bundled.CHECKED_ONLY]
    report = combined(checked, ValidationReport())
    if not all(s.build.ok for s in checked):
        raise failed(report)
    return report


def init(registry: Registry) -> tuple[list[LoadResult], ValidationReport]:
    """Load (or refresh) everything bundled; the results of every commit, and the report of
    the bundled submissions (their warnings and notices: what the sources' values needed).
    Raises :class:`registry.errors.ValidationFailed` if a bundled file does not conform."""
    marker = registry.store.path / UNFINISHED
    if not registry.store.exists():  # a first init; a refresh stopped halfway leaves a store
        # that holds everything, some of it not yet refreshed: usable, and not retried at every
        # use (a refresh that fails on the bundled data must not stop the registry working)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("ogpreg init started; removed after its last commit\n", "utf-8")
    with registry.initialising():
        done = _init(registry)
    marker.unlink(missing_ok=True)  # another process may have finished the same init
    return done


def _init(registry: Registry) -> tuple[list[LoadResult], ValidationReport]:
    results = registry.init()
    settings = registry.settings
    # the provenance names the registry as the loader, as for the bundled Turtle
    registry.settings = replace(settings, user=LOADED_BY)
    try:
        subs = submissions(registry)
        report = checked_only(subs)
        loaded, load_report = load(
            registry, [s for s in subs if s.source_id not in bundled.CHECKED_ONLY], actor=SYSTEM
        )
        report.extend(load_report)
        results += loaded
        results += registry.load(bundled.data_sources(bundled.AFTER_SUBMISSIONS), actor=SYSTEM)
    finally:
        registry.settings = settings
    return results, report


#: A file in the store's directory for what is not RDF, there from the start of the first
#: :func:`init` of a store until its last commit.
UNFINISHED = "init-unfinished"


def complete(registry: Registry) -> bool:
    """Whether no :func:`init` was stopped between its commits: a first start stopped there
    (Ctrl-C while ``ogpreg serve`` fills a new store) leaves the bundled Turtle without the
    plans' commitments, and the next use must finish it, not serve it half loaded. A store
    that only :meth:`Registry.init` filled (the core alone, as some tests build one) is
    complete: it never started the rest."""
    return not (registry.store.path / UNFINISHED).exists()


def initialise(registry: Registry) -> list[LoadResult]:
    """:func:`init` as :attr:`registry.service.Registry.initialiser`: what an empty store gets
    on first use (the endpoint's first start, a command on a new store)."""
    return init(registry)[0]


def install(registry: Registry) -> Registry:
    """Make ``registry`` initialise an empty store with everything bundled (:func:`init`)."""
    registry.initialiser = initialise
    registry.initialised_check = complete
    return registry


__all__ = ["complete", "init", "initialise", "install", "submissions"]
