"""The submission path for a signed-in token, shared by the browser pages and ``POST
/api/submissions`` (``ogpreg load --remote`` with spreadsheets and JSON). No Flask here.

Spreadsheets, CSV and JSON go through ``loaders.submission.read_submissions`` and
``loaders.load.load`` exactly as ``ogpreg load --token`` does; one RDF file goes through
``registry.access.graphstore.put_graph`` exactly as a Graph Store ``PUT``. The rights on every
graph written are those of the Graph Store (``graphstore.authorise``), under the same write
lock. A check is a dry run; a confirmation is the load, all or nothing, in one commit.

A check leaves a fingerprint (:func:`fingerprint`: the store's revision and the changes it
showed); a confirmation whose registry has moved on is first checked again, and refused with
the new changes (:class:`ChangedSinceCheck`) when they differ from those shown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import PurePath

import pyoxigraph as ox

from loaders.diff import Diff, diff_graph
from loaders.engine import engine_name
from loaders.load import load as load_submissions
from loaders.submission import (
    Options,
    RawInput,
    Submission,
    read_submissions,
    submission_format,
)
from registry.access import graphstore
from registry.access.targets import target
from registry.access.tokens import TokenRecord
from registry.errors import UsageError
from registry.history.versions import Change, change, last_change_number
from registry.i18n import Lang, msg
from registry.loading.pipeline import LoadResult
from registry.loading.sources import source_id_for
from registry.rdf.formats import format_for, parse_rdf
from registry.service import Registry
from registry.validation.report import ValidationReport


@dataclass
class SourceOutcome:
    """What a submission does (or, in a check, would do) to one source graph."""

    file: str
    graph: str
    source_id: str
    triples: int
    unchanged: bool
    replaced: bool
    added: int = 0
    removed: int = 0
    kind: str | None = None
    plan: str | None = None
    submitted_by: str | None = None
    diff: Diff | None = None


@dataclass
class Outcome:
    """A check or a load: every source it touches, its report, and (after a load) the change."""

    dry_run: bool
    sources: list[SourceOutcome] = field(default_factory=list)
    report: ValidationReport = field(default_factory=ValidationReport)
    revision: str = ""
    change: Change | None = None

    def fingerprint(self) -> str:
        """The store revision and the changes this outcome shows (:func:`fingerprint`)."""
        return fingerprint(self.revision, self.sources)

    def to_json(self, lang: Lang) -> dict[str, object]:
        """The answer of ``POST /api/submissions``: the shape of ``ogpreg load --report
        json`` for submissions, with each source's changes also as the text a local load
        prints (``changes_text``)."""
        out: list[dict[str, object]] = []
        for s in self.sources:
            entry: dict[str, object] = {
                "file": s.file, "graph": s.graph, "source_id": s.source_id,
                "triples": s.triples, "unchanged": s.unchanged, "replaced": s.replaced,
                "added": s.added, "removed": s.removed,
            }
            if s.kind:
                entry |= {"kind": s.kind, "plan": s.plan, "submitted_by": s.submitted_by}
            if s.diff is not None:
                entry["changes"] = s.diff.to_dict(lang)
                entry["changes_text"] = s.diff.render(lang)
            out.append(entry)
        body: dict[str, object] = {
            "dry_run": self.dry_run,
            "engine": engine_name(),
            "sources": out,
            "issues": json.loads(self.report.to_json(lang))["issues"],
        }
        if self.change is not None:
            body["change"] = self.change.number
            body["versions"] = [v.uri for v in self.change.versions]
        return body


class ChangedSinceCheck(UsageError):
    """The registry changed between a check and its confirmation, and so did the changes."""

    http_status = 409
    code = "changed-since-check"

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(
            msg(
                "The registry has changed since you checked the file, and the file would now "
                "change other things than those shown. Nothing was loaded. Look at the changes "
                "below and confirm again.",
            )
        )
        self.outcome = outcome


def fingerprint(revision: str, sources: list[SourceOutcome]) -> str:
    """``{revision}:{sha256}`` of the changes shown (items, statuses, fields)."""
    shown = [
        (s.graph, s.unchanged, s.diff.to_dict("en") if s.diff is not None else None)
        for s in sources
    ]
    digest = hashlib.sha256(json.dumps(shown, sort_keys=True).encode("utf-8")).hexdigest()
    return f"{revision}:{digest}"


def _revision(registry: Registry) -> str:
    rev = registry.store.revision()
    return rev.etag if rev is not None else "r0"


def as_token(registry: Registry, token: TokenRecord) -> Registry:
    """The same registry and store, recording ``token:<id>`` as ``ogp:loadedBy`` (as
    registry/access/graphstore.py does for the Graph Store)."""
    return Registry(replace(registry.settings, user=token.loaded_by), registry.store)


def classify(
    files: list[tuple[str, bytes]],
) -> tuple[list[tuple[RawInput, str]], list[tuple[str, bytes]]]:
    """(spreadsheet, CSV and JSON inputs with their format; RDF files). Raises
    :class:`UsageError` for no files, an unknown format, or RDF mixed with submissions."""
    if not files:
        raise UsageError(msg("Choose at least one file to upload."))
    subs: list[tuple[RawInput, str]] = []
    rdf: list[tuple[str, bytes]] = []
    for name, data in files:
        fmt = submission_format(name, data[:4096])
        if fmt is None:
            rdf.append((name, data))
        else:
            subs.append((RawInput(name, data=data), fmt))
    if rdf and (subs or len(rdf) > 1):
        raise UsageError(
            msg(
                "Send one RDF file at a time, on its own: {files}. Spreadsheets, CSV and JSON "
                "files can be sent together (a workbook, or the CSV files of one submission).",
                files=", ".join(n for n, _ in rdf),
            )
        )
    return subs, rdf


def run(
    registry: Registry,
    token: TokenRecord,
    files: list[tuple[str, bytes]],
    *,
    kind: str | None = None,
    dry_run: bool,
    checked: str | None = None,
    source: str | None = None,
) -> Outcome:
    """Check (``dry_run``) or load ``files`` as ``token``. With ``checked`` (the fingerprint of
    the check the person saw), a load whose changes now differ raises
    :class:`ChangedSinceCheck` instead. ``source`` names the source id (one submission).

    Raises what the command line's load raises: :class:`ValidationFailed` with the report,
    :class:`SourceError` for an unreadable file, :class:`Forbidden` for a graph the token may
    not write, :class:`UsageError`."""
    subs_in, rdf = classify(files)
    if rdf:
        return _run_rdf(registry, token, rdf[0], dry_run=dry_run, checked=checked)
    reg = as_token(registry, token)
    own = None if token.is_editor else token.organisation
    # an editor's file names its submitter by its rows (one organisation: that one), else the
    # editor's own organisation is the submitter (the browser has no --submitted-by)
    opts = Options(kind=kind, submitted_by=own, default_submitter=token.organisation,
                   source=source)
    subs = read_submissions(reg, subs_in, opts)
    actor = token.actor()
    with graphstore.write_lock(registry):
        reader = registry.store.reader()
        for s in subs:
            if s.graph:
                graphstore.authorise(registry, token, target(registry.uris, s.graph), reader)
        revision = _revision(registry)
        before = last_change_number(reader, registry.settings.base_uri)
        del reader
        if not dry_run and checked and not checked.startswith(revision + ":"):
            results, report = load_submissions(
                reg, subs, [], submitted_by=own, dry_run=True, actor=actor
            )
            again = _outcome(True, subs, results, report, revision)
            if not _same(again.fingerprint(), checked):
                raise ChangedSinceCheck(again)
            subs = read_submissions(reg, subs_in, opts)
        results, report = load_submissions(
            reg, subs, [], submitted_by=own, dry_run=dry_run, actor=actor
        )
    out = _outcome(dry_run, subs, results, report, revision)
    if not dry_run:
        out.change = _the_change(registry, token, before, [s.graph for s in out.sources])
    return out


def _same(a: str, b: str) -> bool:
    """Whether two fingerprints show the same changes (whatever the revision)."""
    return a.split(":", 1)[-1] == b.split(":", 1)[-1]


def _outcome(
    dry_run: bool,
    subs: list[Submission],
    results: list[LoadResult],
    report: ValidationReport,
    revision: str,
) -> Outcome:
    by_graph = {s.graph: s for s in subs}
    out = Outcome(dry_run, report=report, revision=revision)
    for r in results:
        sub = by_graph.get(r.graph)
        out.sources.append(
            SourceOutcome(
                r.file, r.graph, r.source_id, r.triples, r.unchanged, r.replaced, r.added,
                r.removed,
                kind=sub.kind if sub else None,
                plan=sub.plan if sub else None,
                submitted_by=sub.submitter if sub else None,
                diff=sub.diff if sub else None,
            )
        )
    return out


def _run_rdf(
    registry: Registry,
    token: TokenRecord,
    file: tuple[str, bytes],
    *,
    dry_run: bool,
    checked: str | None,
) -> Outcome:
    """One RDF file into the source graph named after it, as a Graph Store ``PUT``."""
    name, data = file
    base_name = PurePath(name).name
    graph = registry.uris.source_graph(source_id_for(base_name))
    info = format_for(base_name, None)
    revision = _revision(registry)
    before = last_change_number(registry.store.reader(), registry.settings.base_uri)
    if not dry_run and checked and not checked.startswith(revision + ":"):
        again = _run_rdf(registry, token, file, dry_run=True, checked=None)
        if not _same(again.fingerprint(), checked):
            raise ChangedSinceCheck(again)
    result, _created = graphstore.put_graph(
        registry, token, graph, data, fmt=info.name, file_name=base_name, dry_run=dry_run
    )
    outcome = SourceOutcome(
        name, result.graph, result.source_id, result.triples, result.unchanged,
        result.replaced, result.added, result.removed,
    )
    if dry_run:
        quads = parse_rdf(data, info, base_iri=registry.settings.base_uri, file=base_name)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        outcome.diff = diff_graph(
            registry.store.reader(), graph, triples, base=registry.settings.base_uri, labels={}
        )
    out = Outcome(dry_run, [outcome], ValidationReport(list(result.warnings)), revision)
    if not dry_run:
        out.change = _the_change(registry, token, before, [graph])
    return out


def _the_change(
    registry: Registry, token: TokenRecord, before: int, graphs: list[str]
) -> Change | None:
    """The change this token's load recorded after change ``before`` (``None`` when the load
    changed nothing): the first later load by ``token:<id>`` that used one of ``graphs``."""
    reader = registry.store.reader()
    last = last_change_number(reader, registry.settings.base_uri)
    for n in range(before + 1, last + 1):
        c = change(reader, n, registry.settings.base_uri)
        if (
            c is not None
            and c.kind == "load"
            and c.loaded_by == token.loaded_by
            and set(graphs) & set(c.sources)
        ):
            return c
    return None


__all__ = ["ChangedSinceCheck", "Outcome", "SourceOutcome", "as_token", "classify", "run"]
