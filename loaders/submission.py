"""A submission: its files (XLSX, CSV or JSON), read into tables and built into RDF
(:func:`read_submissions`), the source it is named as, and its RDF as a file for the registry
(:func:`serialise`). Checking and loading it: ``loaders/load.py``; its report, every problem
traced back to file, sheet, row and column: ``loaders/report.py``.

The source id of a submission is stable, so a new version replaces the previous one::

    {kind}-{plan}-{submitter}     e.g. commitments-2019-2021-naerings-og-fiskeridepartementet
    {kind}-{submitter}            when no plan is known (proposals, comments, assessments,
                                  organisations without --plan)

``kind`` is commitments, proposals, comments, assessments or organisations; ``plan`` the
plan id of the commitments (or ``--plan``); ``submitter`` the last segment of the submitting
organisation's IRI (``--submitted-by``, else the one organisation the rows name as lead
agency, proposer, author or assessor). ``--source`` overrides it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import BinaryIO, cast

import pyoxigraph as ox

from loaders.build.refs import References
from loaders.build.result import Build
from loaders.build.rows import build
from loaders.columns import KINDS, kind_of_sheet, sheet
from loaders.diff import Diff
from loaders.gcpause import without_gc_pauses
from loaders.issues import SubmissionIssue, issue
from loaders.read import csvfile, jsonfile, xlsx
from loaders.read.table import Row, Table, best_sheet
from loaders.read.zipcheck import ZipLimits
from registry.errors import UsageError
from registry.i18n import Msg, msg, msg_n
from registry.loading.sources import SourceFile
from registry.namespaces import OGP
from registry.rdf.formats import RDF_FORMATS
from registry.service import Registry

#: Submission formats and their file extensions.
FORMATS: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx", ".xlsm"),
    "csv": (".csv",),
    "json": (".json",),
}
_SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"


@dataclass(frozen=True)
class SubmissionFile(SourceFile):
    """The RDF of a submission (``data``, N-Triples), named after the submitted file(s) and
    carrying the submitted bytes' SHA-256 for the provenance record."""

    digest: str = ""
    #: The builder's triples, which ``data`` serialises: handed to the registry once
    #: (:meth:`take_parsed`) instead of being parsed from ``data`` again.
    triples: list[ox.Triple] | None = field(default=None, compare=False, repr=False)
    #: The build whose rows the file's statements come from (:meth:`place`).
    build: Build | None = field(default=None, compare=False, repr=False)

    @property
    def sha256(self) -> str:
        return self.digest or hashlib.sha256(self.data).hexdigest()

    def take_parsed(self) -> list[ox.Triple] | None:
        triples = self.triples
        object.__setattr__(self, "triples", None)  # once: the registry holds them from here
        return triples

    def place(self, focus: str, path: str) -> Msg | None:
        """The file, sheet, row and column where the row of ``focus`` gives ``path`` (the
        first column of that property; the row alone when the sheet has none), as
        :class:`~loaders.issues.SubmissionIssue` names a place, in every language."""
        b = self.build
        where = b.subjects.get(focus) if b is not None else None
        if b is None or where is None:
            return None
        t, row = where
        info = b.tables[t]
        keys = [c.key for c in info.sheet.columns if str(c.spec.path) == path]
        loc = info.locate(row, keys[0] if keys else None)
        located = SubmissionIssue("violation", focus, "", "", file=info.file,
                                  location={k: v for k, v in loc.items() if v is not None})
        return Msg.texts(nb=located.where("nb"), nn=located.where("nn"),
                         en=located.where("en"))


@dataclass
class RawInput:
    """A submitted file: bytes in memory, or a path read as a stream."""

    name: str
    data: bytes | None = None
    path: Path | None = None

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    def sha256(self) -> str:
        h = hashlib.sha256()
        with self.open() as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


@dataclass
class Options:
    kind: str | None = None
    plan: str | None = None
    submitted_by: str | None = None  # organisation IRI
    #: the submitter when neither ``submitted_by`` nor the rows name one (an editor in the
    #: browser, which has no --submitted-by: the signed-in organisation)
    default_submitter: str | None = None
    source: str | None = None
    progress: Callable[[int], None] | None = None  # rows read
    #: Bytes of the submitted files read: CSV as the stream is read; a workbook or JSON file,
    #: which is read whole, in shares of its size as its rows are read (by the row count the
    #: file declares), and in full once it is built. Their sum is the files' total size.
    progress_bytes: Callable[[int], None] | None = None


@dataclass
class Submission:
    """One submission: its files, its RDF and where it goes."""

    label: str
    inputs: list[RawInput]
    build: Build
    kind: str = ""
    plan: str | None = None
    submitter: str | None = None
    source_id: str = ""
    graph: str = ""
    file: SubmissionFile | None = None
    diff: Diff | None = None
    notes: list[SubmissionIssue] = field(default_factory=list)


def submission_format(
    name: str, data: bytes | None = None, explicit: str | None = None
) -> str | None:
    """``xlsx``, ``csv`` or ``json`` for a submission; None for an RDF file.

    Raises :class:`UsageError` for a format that is neither."""
    if explicit:
        e = explicit.lower()
        if e in FORMATS:
            return e
        if e in RDF_FORMATS:
            return None
    suffix = PurePath(name.split("?", 1)[0]).suffix.lower()
    for fmt, exts in FORMATS.items():
        if suffix in exts:
            if fmt == "json" and data is not None and b'"@context"' in data[:4096]:
                return None  # JSON-LD under a .json name
            return fmt
    if any(suffix in f.extensions for f in RDF_FORMATS.values()):
        return None
    if data is not None and data.startswith(b"PK"):
        return "xlsx"
    raise UsageError(
        msg(
            "Unknown file format of {file} (extension {suffix!r}). Submissions are read from "
            "{subs}; RDF from {rdf}. Save the file in one of these formats, or pass --format.",
            file=name,
            suffix=suffix,
            subs=", ".join(e for exts in FORMATS.values() for e in exts),
            rdf=", ".join(e for f in RDF_FORMATS.values() for e in f.extensions),
        )
    )


# -- reading and building -------------------------------------------------------------------
@without_gc_pauses
def read_submissions(
    registry: Registry, inputs: list[tuple[RawInput, str]], opts: Options
) -> list[Submission]:
    """Build every submission; CSV files of the same kind form one submission."""
    streams: list[BinaryIO] = []
    try:
        return _read_submissions(registry, inputs, opts, streams)
    finally:
        for s in streams:
            s.close()


def _read_submissions(
    registry: Registry, inputs: list[tuple[RawInput, str]], opts: Options,
    streams: list[BinaryIO],
) -> list[Submission]:
    registry.ensure_initialised()
    refs = References(registry)
    subs: list[Submission] = []
    csv_groups: dict[str, list[tuple[RawInput, Table]]] = {}
    for raw, fmt in inputs:
        if fmt == "csv":
            stream = raw.open()
            streams.append(stream)
            if opts.progress_bytes is not None:
                stream = cast(BinaryIO, _Counted(stream, opts.progress_bytes))
            table = csvfile.read_table(stream, raw.name)
            candidates = list(KINDS[opts.kind]) if opts.kind else None
            key, _found = best_sheet(list(table.header), candidates)
            csv_groups.setdefault(kind_of_sheet(key), []).append((raw, table))
            continue
        data = raw.read()
        kind = opts.kind
        structural: list[SubmissionIssue] = []
        if fmt == "xlsx":
            limits = ZipLimits(max_unpacked_bytes=registry.settings.max_unpacked_bytes)
            tables, ignored = xlsx.read_tables(data, raw.name, limits)
            for name in ignored:
                structural.append(
                    issue(
                        msg(
                            "The sheet \"{sheet}\" is not a known submission sheet and is not "
                            "read.",
                            sheet=name,
                        ),
                        file=raw.name,
                        severity="warning",
                        sheet=name,
                    )
                )
        else:
            tables, declared, structural = jsonfile.read_tables(data, raw.name)
            kind = kind or declared
        share = _ByteShare(len(data), tables, opts.progress_bytes)
        b = build(tables, refs=refs, uris=registry.uris, file=raw.name, kind=kind,
                  progress=opts.progress)
        share.finish()
        b.issues[:0] = structural
        subs.append(Submission(raw.name, [raw], b))
    if "plans" in csv_groups and "commitments" in csv_groups:  # a plan with its commitments
        csv_groups["commitments"] = csv_groups.pop("plans") + csv_groups["commitments"]
    for kind, group in csv_groups.items():
        label = " + ".join(r.name for r, _ in group)
        b = build([t for _, t in group], refs=refs, uris=registry.uris, file=label, kind=kind,
                  progress=opts.progress)
        subs.append(Submission(label, [r for r, _ in group], b))
    for sub in subs:
        _identify(registry, refs, sub, opts)
    return subs


class _Counted(io.RawIOBase):
    """``stream``, reporting the bytes read from it."""

    def __init__(self, stream: BinaryIO, report: Callable[[int], None]) -> None:
        self._stream = stream
        self._report = report

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        chunk = self._stream.read(len(b))
        n = len(chunk)
        b[:n] = chunk
        if n:
            self._report(n)
        return n

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        if chunk:
            self._report(len(chunk))
        return chunk


class _ByteShare:
    """Progress in bytes for a file read whole: its size spread over the rows its tables
    declare (``Table.expected_rows``), as they are read; the rest when it is built."""

    def __init__(
        self, size: int, tables: list[Table], report: Callable[[int], None] | None
    ) -> None:
        self.size = size
        self.report = report
        self.sent = 0
        expected = sum(t.expected_rows or 0 for t in tables)
        if report is None or not expected:
            return
        self.step = size / expected
        self.owed = 0.0
        for t in tables:
            t.rows = self._advancing(t.rows)

    def _advancing(self, rows: Iterator[Row]) -> Iterator[Row]:
        for row in rows:
            self.owed += self.step
            n = min(int(self.owed), self.size - self.sent)
            if n > 0 and self.report is not None:
                self.owed -= n
                self.sent += n
                self.report(n)
            yield row

    def finish(self) -> None:
        if self.report is not None and self.size > self.sent:
            self.report(self.size - self.sent)
            self.sent = self.size


def _identify(registry: Registry, refs: References, sub: Submission, opts: Options) -> None:
    b = sub.build
    sub.kind = b.kind or (opts.kind or "")
    if not sub.kind:
        return
    plan = opts.plan
    described = sorted(set(b.plan_names.values()))
    if sub.kind == "plans" and len(described) == 1:
        plan = described[0]
    if sub.kind == "commitments" and b.plans:
        data_plan = b.plans.most_common(1)[0][0]
        if plan and plan != data_plan:
            b.issues.append(
                issue(
                    msg(
                        "--plan {plan} does not match the action plan in the file ({data}).",
                        plan=plan,
                        data=data_plan,
                    ),
                    file=sub.label,
                )
            )
        plan = data_plan
    sub.plan = plan
    submitter = opts.submitted_by
    if submitter is None and len(b.authors) == 1:
        submitter = next(iter(b.authors))
        name = refs.orgs[submitter].name if submitter in refs.orgs else submitter
        b.issues.append(
            issue(
                msg(
                    "Submitter: {org} (derived from the rows; pass --submitted-by to name "
                    "another).",
                    org=name,
                )
                if opts.default_submitter is None  # the browser and the API have no option
                else msg("Submitter: {org} (derived from the rows).", org=name),
                file=sub.label,
                severity="info",
            )
        )
    elif submitter is None and opts.default_submitter is not None:
        submitter = opts.default_submitter
        b.issues.append(
            issue(
                msg(
                    "Submitter: {org}, the organisation you are signed in for (the rows name "
                    "several organisations).",
                    org=refs.orgs[submitter].name if submitter in refs.orgs else submitter,
                ),
                file=sub.label,
                severity="info",
            )
        )
    sub.submitter = submitter
    if opts.source:
        sub.source_id = opts.source
    elif submitter is None:
        if b.rows and (b.ok or len(b.author_names | set(b.authors)) > 1):
            b.issues.append(
                issue(
                    msg_n(
                        "Cannot tell who submits: the rows name {n} organisation. Name the "
                        "submitter with --submitted-by (organisation number or name); it "
                        "decides which earlier submission this one replaces.",
                        "Cannot tell who submits: the rows name {n} different organisations. "
                        "Name the submitter with --submitted-by (organisation number or name); "
                        "it decides which earlier submission this one replaces.",
                        len(b.author_names | set(b.authors)),
                    ),
                    file=sub.label,
                )
            )
        if b.builder is not None:
            b.builder.date_rules(None)
            b.builder.ogp_id_rules(None)
        return
    else:
        sub.source_id = source_id_for(sub.kind, plan, submitter)
    sub.graph = registry.uris.source_graph(sub.source_id)
    if b.builder is not None:
        b.builder.date_rules(sub.graph)
        b.builder.ogp_id_rules(sub.graph)
    if sub.kind == "organisations":
        _check_corrections(refs, sub)


def source_id_for(kind: str, plan: str | None, submitter_iri: str) -> str:
    """The stable source id of a submission (see the module docstring)."""
    from registry.uris import slugify

    org = slugify(submitter_iri.rstrip("/").rsplit("/", 1)[-1])
    parts = [kind] + ([slugify(plan)] if plan else []) + [org]
    sid = "-".join(parts)
    if len(sid) > 100:
        digest = hashlib.sha256(sid.encode()).hexdigest()[:8]
        sid = sid[:91].rstrip("-") + "-" + digest
    return sid


def _check_corrections(refs: References, sub: Submission) -> None:
    """An organisations submission may add to an organisation registered by another source,
    but not contradict it: that source holds the value and must be corrected itself."""
    b = sub.build
    single = {
        f"{_SKOS_PREF}@nb",
        f"{_SKOS_PREF}@en",
        str(OGP.organisationKind),
        str(OGP.organisationNumber),
    }
    new: dict[tuple[str, str], object] = {}
    for t in b.triples:
        lang = getattr(t.object, "language", None)
        key = f"{t.predicate.value}@{lang}" if lang else t.predicate.value
        if key in single and isinstance(t.subject, ox.NamedNode):
            new[(t.subject.value, key)] = t.object
    sh = sheet("organisations")
    column_of = {
        f"{_SKOS_PREF}@nb": "name_nb",
        f"{_SKOS_PREF}@en": "name_en",
        str(OGP.organisationKind): "kind",
        str(OGP.organisationNumber): "number",
    }
    for (s, key), obj in new.items():
        predicate, _, lang = key.partition("@")
        for old, graph in refs.values(s, predicate, exclude=sub.graph):
            if lang and getattr(old, "language", None) != lang:
                continue
            if old != obj:
                table, row = b.subjects[s]
                loc = b.tables[table].locate(row, column_of[key])
                i = issue(
                    msg(
                        "The organisation is registered with {old} in the source {graph}. A "
                        "submission can add facts, but not change those another source gave: "
                        "correct the value in that source (load it again), or remove the value "
                        "here.",
                        old=getattr(old, "value", str(old)),
                        graph=graph,
                    ),
                    file=sub.label,
                    focus=s,
                    path=predicate,
                    value=getattr(obj, "value", str(obj)),
                )
                i.location = loc
                b.issues.append(i)
                _ = sh
                break


def serialise(subs: Iterable[Submission]) -> None:
    """Give each submission its :class:`SubmissionFile` (N-Triples), once."""
    for sub in subs:
        if not sub.source_id or sub.file is not None:
            continue
        data = ox.serialize(sub.build.triples, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None
        if len(sub.inputs) == 1:
            digest = sub.inputs[0].sha256()
        else:  # several CSV files: the SHA-256 of their bytes in the order given
            h = hashlib.sha256()
            for raw in sub.inputs:
                with raw.open() as fh:
                    for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):  # type: ignore[misc]
                        h.update(chunk)
            digest = h.hexdigest()
        sub.file = SubmissionFile(
            name=sub.label, data=data, source_id=sub.source_id, format="ntriples", digest=digest,
            triples=sub.build.triples, build=sub.build,
        )


def release(subs: Iterable[Submission]) -> None:
    """Drop the builder's triples (and its index of them) once a submission is serialised and
    compared: from here on only its :class:`SubmissionFile` holds them, until the registry
    takes them (``take_parsed``) in place of parsing the N-Triples, and a large submission
    would otherwise be held once more while it is validated (docs/performance.md, "Memory").
    The locations, labels and cell texts that reports need stay."""
    for sub in subs:
        if sub.file is None:
            continue
        sub.build.triples = []
        sub.build.builder = None


__all__ = [
    "FORMATS",
    "Options",
    "RawInput",
    "Submission",
    "SubmissionFile",
    "read_submissions",
    "release",
    "serialise",
    "source_id_for",
    "submission_format",
]
