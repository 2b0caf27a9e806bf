"""What each catalogue dataset contains, and its downloadable files.

The DCAT catalogue (``registry/publish/dcat.py``) has one dataset per action plan, one for the
organisation register and one for the vocabularies. This module decides which triples belong to
each dataset (from one committed revision of the store), writes them as Turtle and N-Triples
dumps, writes the commitments and milestones of each plan as CSV, and gives every file its byte
size and checksums. It knows nothing of HTTP; the endpoint serves the bytes as they are.

**Dataset contents.** A dataset is a set of *member* resources; its content is every triple,
in any graph except the provenance graph, whose subject is a member, plus the descriptions of
the blank nodes those triples point to (recursively). Members:

- plan dataset: the ``ogp:ActionPlan``; its commitments (``ogp:inActionPlan`` /
  ``ogp:hasCommitment``); their milestones (``ogp:ofCommitment`` / ``ogp:hasMilestone``); the
  meetings held for the plan (``ogp:forActionPlan``) and their places (``schema:location``); the
  proposals the commitments derive from, that were submitted at or discussed in those meetings;
  the comments on those commitments and proposals (and the answers to them); the progress
  assessments of those commitments and milestones;
- organisation register: every ``org:Organization`` and the names it has had (``ogp:hasName``);
- vocabularies: every resource of the theme scheme and the value sets, i.e. the subjects of the
  ``vocabulary/themes`` and ``vocabulary/values`` graphs in the ``theme:`` and ``vocab:``
  namespaces.

**CSV.** UTF-8 with a byte-order mark (spreadsheets need it to read æøå), comma-separated,
CRLF line ends, a header row, one row per commitment or milestone, sorted by identifier and
position. Several values in one cell are separated by `` | ``. Against formula injection
(CSV injection), every segment of a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets an apostrophe (``'``) in front, the rule OWASP recommends; spreadsheets then
show the text instead of evaluating it. A segment is the cell's start and every position after a
``,``, ``;``, tab or line break in it, because a Norwegian spreadsheet splits these
comma-separated files on ``;`` (``registry/sparql/csvcells.py``). No other cell is changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from registry.namespaces import OGP, PREFIXES, THEME_NS, VOCAB_NS
from registry.sparql.csvcells import escape_cell
from registry.uris import Uris

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ORG_ORGANIZATION = ox.NamedNode("http://www.w3.org/ns/org#Organization")
_DCT_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
_DCT_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
_DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
_SKOS_PREFLABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
_SCHEMA_START = ox.NamedNode("https://schema.org/startDate")
_SCHEMA_END = ox.NamedNode("https://schema.org/endDate")
_SCHEMA_POSITION = ox.NamedNode("https://schema.org/position")
_SCHEMA_LOCATION = ox.NamedNode("https://schema.org/location")


def _n(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


Subject = ox.NamedNode | ox.BlankNode

def csv_cell(value: str) -> str:
    """Escape one CSV cell against formula injection (:mod:`registry.csvcells`): ``'`` in front
    of every segment that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return, numbers
    included (the exports have no negative numbers)."""
    return escape_cell(value, keep_numbers=False)


@dataclass(frozen=True)
class ExportFile:
    """One downloadable file with its size and checksums."""

    name: str
    kind: str
    media_type: str
    data: bytes
    sha256: str = field(init=False)
    sha1: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())
        object.__setattr__(self, "sha1", hashlib.sha1(self.data, usedforsecurity=False).hexdigest())

    @property
    def byte_size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class DatasetContent:
    """The triples of one catalogue dataset at one revision."""

    key: str  # "plan/2019-2021", "organisations", "vocabularies"
    kind: str  # "plan", "organisations", "vocabularies"
    triples: tuple[ox.Triple, ...]  # sorted by their N-Triples form
    graphs: frozenset[str]  # named graphs that hold at least one of the triples
    content_hash: str
    plan: str | None = None  # the plan's IRI for a plan dataset
    plan_id: str | None = None
    members: frozenset[str] = frozenset()
    #: the ``ogp:theme`` values among the triples (None: read them from ``triples``); a
    #: dataset reused from a previous revision's materialised catalogue carries only these
    themes: frozenset[str] | None = None

    def used_themes(self) -> set[str]:
        """The ``ogp:theme`` values of the dataset's triples."""
        if self.themes is not None:
            return set(self.themes)
        return {
            t.object.value
            for t in self.triples
            if t.predicate.value == str(OGP.theme) and isinstance(t.object, ox.NamedNode)
        }

    @property
    def file_stem(self) -> str:
        """The dataset's name in download file names: ``plan-2019-2021``, ``organisations``."""
        return self.key.replace("/", "-", 1)


class _View:
    """Pattern lookups over every graph of one revision except the provenance graph."""

    def __init__(self, reader: ox.Store, uris: Uris) -> None:
        self.reader = reader
        self.prov = ox.NamedNode(uris.provenance_graph)

    def quads(
        self,
        s: Subject | None,
        p: ox.NamedNode | None,
        o: ox.NamedNode | ox.BlankNode | ox.Literal | None,
    ) -> Iterator[ox.Quad]:
        for q in self.reader.quads_for_pattern(s, p, o, None):
            if q.graph_name != self.prov:
                yield q

    def objects(self, s: Subject, p: ox.NamedNode) -> set[ox.NamedNode | ox.BlankNode]:
        return {
            q.object
            for q in self.quads(s, p, None)
            if isinstance(q.object, (ox.NamedNode, ox.BlankNode))
        }

    def subjects(self, p: ox.NamedNode, o: Subject) -> set[Subject]:
        return {q.subject for q in self.quads(None, p, o) if isinstance(q.subject, Subject)}

    def literals(self, s: Subject, p: ox.NamedNode) -> list[ox.Literal]:
        return sorted(
            {q.object for q in self.quads(s, p, None) if isinstance(q.object, ox.Literal)},
            key=str,
        )


def _follow(
    view: _View, start: Iterable[Subject], forward: ox.NamedNode, backward: ox.NamedNode | None
) -> set[Subject]:
    """Resources linked from ``start`` by ``forward`` or to it by ``backward`` (inverse)."""
    out: set[Subject] = set()
    for s in start:
        out |= view.objects(s, forward)
        if backward is not None:
            out |= view.subjects(backward, s)
    return out


def plan_members(view: _View, plan: ox.NamedNode) -> set[Subject]:
    """The resources of one plan's dataset (see the module docstring)."""
    commitments = _follow(view, [plan], _n(OGP.hasCommitment), _n(OGP.inActionPlan))
    milestones = _follow(view, commitments, _n(OGP.hasMilestone), _n(OGP.ofCommitment))
    meetings = view.subjects(_n(OGP.forActionPlan), plan)
    places = _follow(view, meetings, _SCHEMA_LOCATION, None)
    proposals = _follow(view, commitments, _n(OGP.derivedFromProposal), None)
    proposals |= _follow(view, meetings, _n(OGP.discussed), _n(OGP.submittedAt))
    comments: set[Subject] = set()
    for target in commitments | proposals:
        comments |= view.subjects(_n(OGP.commentOn), target)
    frontier = set(comments)
    while frontier:  # answers to answers
        answers = {a for c in frontier for a in view.subjects(_n(OGP.isResponseTo), c)}
        frontier = answers - comments
        comments |= frontier
    assessments: set[Subject] = set()
    for target in commitments | milestones:
        assessments |= view.subjects(_n(OGP.assesses), target)
    return (
        {plan} | commitments | milestones | meetings | places | proposals | comments | assessments
    )


def _describe(view: _View, members: Iterable[Subject]) -> tuple[set[ox.Triple], set[str]]:
    triples: set[ox.Triple] = set()
    graphs: set[str] = set()
    seen: set[Subject] = set()
    todo = list(members)
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in view.quads(s, None, None):
            triples.add(ox.Triple(q.subject, q.predicate, q.object))
            if isinstance(q.graph_name, ox.NamedNode):
                graphs.add(q.graph_name.value)
            if isinstance(q.object, ox.BlankNode) and q.object not in seen:
                todo.append(q.object)
    return triples, graphs


def content_hash(triples: Iterable[ox.Triple]) -> str:
    """SHA-256 of a set of triples that does not depend on blank-node labels.

    Each blank node is named by the hash of its own description (recursively), so reloading a
    source that gives its blank nodes new labels does not change the hash. (Cyclic blank-node
    structures are hashed by position in the cycle; the registry's data has none.)"""
    triples = list(triples)
    by_subject: dict[ox.BlankNode, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            by_subject.setdefault(t.subject, []).append(t)
    memo: dict[ox.BlankNode, str] = {}

    def term(x: object, stack: frozenset[ox.BlankNode]) -> str:
        if not isinstance(x, ox.BlankNode):
            return str(x)
        if x in memo:
            return memo[x]
        if x in stack:
            return "_:cycle"
        inner = stack | {x}
        lines = sorted(f"{t.predicate} {term(t.object, inner)}" for t in by_subject.get(x, []))
        label = "_:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        memo[x] = label
        return label

    lines = sorted(
        f"{term(t.subject, frozenset())} {t.predicate} {term(t.object, frozenset())}"
        for t in triples
        if not isinstance(t.subject, ox.BlankNode)
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _content(
    view: _View,
    key: str,
    kind: str,
    members: set[Subject],
    plan: ox.NamedNode | None = None,
    plan_id: str | None = None,
) -> DatasetContent:
    triples, graphs = _describe(view, members)
    ordered = tuple(sorted(triples, key=str))
    return DatasetContent(
        key=key,
        kind=kind,
        triples=ordered,
        graphs=frozenset(graphs),
        content_hash=content_hash(ordered),
        plan=plan.value if plan else None,
        plan_id=plan_id,
        members=frozenset(m.value for m in members if isinstance(m, ox.NamedNode)),
    )


def _plan_key(uris: Uris, plan: ox.NamedNode, identifiers: list[ox.Literal]) -> tuple[str, str]:
    """The plan's dataset key and identifier: from its minted IRI ``{base}id/plan/{id}`` when it
    has one (unique by construction), otherwise from its ``dct:identifier``."""
    prefix = uris.base + "id/plan/"
    ident = identifiers[0].value if identifiers else None
    if plan.value.startswith(prefix) and "/" not in plan.value[len(prefix) :]:
        segment = plan.value[len(prefix) :]
        return "plan/" + segment, ident or segment
    if ident is None:
        ident = plan.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return "plan/" + quote(ident, safe="-._~"), ident


#: A dataset of the catalogue before its content is read: key, kind, plan IRI, plan identifier.
DatasetKey = tuple[str, str, str | None, str | None]


def dataset_keys(reader: ox.Store, uris: Uris) -> list[DatasetKey]:
    """Every catalogue dataset of the revision ``reader`` reads, in catalogue order (the plans
    by key, the organisation register, the vocabularies), without reading their content."""
    view = _View(reader, uris)
    out: list[DatasetKey] = []
    keys: set[str] = set()
    plans = sorted(
        {
            q.subject
            for q in view.quads(None, _RDF_TYPE, _n(OGP.ActionPlan))
            if isinstance(q.subject, ox.NamedNode)
        },
        key=lambda n: n.value,
    )
    for plan in plans:
        key, ident = _plan_key(uris, plan, view.literals(plan, _DCT_IDENTIFIER))
        if key in keys:  # two plans with one identifier: keep both, apart
            key = key + "-" + hashlib.sha256(plan.value.encode()).hexdigest()[:8]
        keys.add(key)
        out.append((key, "plan", plan.value, ident))
    out.append(("organisations", "organisations", None, None))
    out.append(("vocabularies", "vocabularies", None, None))
    return out


def dataset_content(reader: ox.Store, uris: Uris, key: DatasetKey) -> DatasetContent:
    """The content of one dataset of :func:`dataset_keys`."""
    view = _View(reader, uris)
    name, kind, plan_iri, ident = key
    if kind == "plan":
        assert plan_iri is not None
        plan = ox.NamedNode(plan_iri)
        return _content(view, name, "plan", plan_members(view, plan), plan, ident)
    if kind == "organisations":
        orgs = {
            q.subject
            for q in view.quads(None, _RDF_TYPE, _ORG_ORGANIZATION)
            if isinstance(q.subject, (ox.NamedNode, ox.BlankNode))
        }
        orgs |= {  # the names each organisation has had, with their validity
            o
            for org in list(orgs)
            for o in view.objects(org, _n(OGP.hasName))
            if isinstance(o, (ox.NamedNode, ox.BlankNode))
        }
        return _content(view, name, "organisations", orgs)
    vocab: set[Subject] = set()
    for graph in ("themes", "values"):
        for q in reader.quads_for_pattern(None, None, None, _n(uris.vocabulary_graph(graph))):
            s = q.subject
            if isinstance(s, ox.NamedNode) and s.value.startswith((THEME_NS, VOCAB_NS)):
                vocab.add(s)
    return _content(view, name, "vocabularies", vocab)


def dataset_contents(reader: ox.Store, uris: Uris) -> list[DatasetContent]:
    """Every catalogue dataset of the revision ``reader`` reads, in catalogue order: the plans
    (by key), the organisation register, the vocabularies."""
    return [dataset_content(reader, uris, key) for key in dataset_keys(reader, uris)]


# -- files ------------------------------------------------------------------------------------
def dumps(content: DatasetContent) -> list[ExportFile]:
    """The dataset as Turtle and as N-Triples (absolute IRIs, triples in a fixed order)."""
    stem = content.file_stem
    return [
        ExportFile(
            f"{stem}.ttl",
            "turtle",
            "text/turtle",
            ox.serialize(content.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"",
        ),
        ExportFile(
            f"{stem}.nt",
            "ntriples",
            "application/n-triples",
            ox.serialize(content.triples, format=ox.RdfFormat.N_TRIPLES) or b"",
        ),
    ]


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _text(view: _View, s: Subject, p: ox.NamedNode, lang: str) -> str:
    return " | ".join(lit.value for lit in view.literals(s, p) if lit.language == lang)


def _day(value: str, last: bool) -> str:
    """A date at any precision (``2013``, ``2013-07``, ``2013-07-01``) as its first or last day,
    comparable as text."""
    value = value[:10]
    if len(value) == 4:
        return value + ("-12-31" if last else "-01-01")
    if len(value) == 7:
        return value + ("-31" if last else "-01")
    return value


def _name_at(view: _View, org: Subject, day: str, lang: str) -> str:
    """The organisation's name in ``lang`` on ``day`` (its recorded names with their validity,
    ``ogp:hasName``): the 2019 lead is shown as it was called in 2019; the current name when no
    recorded name covers the day."""
    if day:
        for name in view.objects(org, _n(OGP.hasName)):
            if not isinstance(name, (ox.NamedNode, ox.BlankNode)):
                continue
            start = _plain(view, name, _SCHEMA_START)
            end = _plain(view, name, _SCHEMA_END)
            if (not start or _day(start, False) <= day) and (not end or day <= _day(end, True)):
                text = _text(view, name, _SKOS_PREFLABEL, lang)
                if text:
                    return text
    return _text(view, org, _SKOS_PREFLABEL, lang)


def _plain(view: _View, s: Subject, p: ox.NamedNode) -> str:
    return " | ".join(lit.value for lit in view.literals(s, p))


def _code(iri: str) -> str:
    """The last path segment of a vocabulary IRI (``.../status/completed`` -> ``completed``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _codes(view: _View, s: Subject, p: ox.NamedNode) -> str:
    return " | ".join(
        sorted(_code(o.value) for o in view.objects(s, p) if isinstance(o, ox.NamedNode))
    )


def _iris(view: _View, s: Subject, p: ox.NamedNode) -> str:
    return " | ".join(sorted(o.value for o in view.objects(s, p) if isinstance(o, ox.NamedNode)))


COMMITMENT_COLUMNS = [
    "identifier",
    "title_nb",
    "title_en",
    "lead_agency",
    "lead_agency_orgnr",
    "start_date",
    "end_date",
    "status",
    "themes",
    "policy_areas",
    "ogp_values",
    "milestones",
    "source",
    "iri",
]
MILESTONE_COLUMNS = [
    "commitment",
    "position",
    "title_nb",
    "title_en",
    "start_date",
    "end_date",
    "completion",
    "iri",
]


def _commitments_of(view: _View, content: DatasetContent) -> list[ox.NamedNode]:
    assert content.plan is not None
    plan = _n(content.plan)
    found = _follow(view, [plan], _n(OGP.hasCommitment), _n(OGP.inActionPlan))
    return [c for c in found if isinstance(c, ox.NamedNode)]


def commitments_csv(reader: ox.Store, uris: Uris, content: DatasetContent) -> bytes:
    """One row per commitment of the plan (columns: :data:`COMMITMENT_COLUMNS`)."""
    view = _View(reader, uris)
    assert content.plan is not None
    plan_start = _plain(view, _n(content.plan), _SCHEMA_START).split(" | ")[0]
    rows: list[list[str]] = []
    for c in _commitments_of(view, content):
        leads = sorted(view.objects(c, _n(OGP.leadAgency)), key=str)
        start = _plain(view, c, _SCHEMA_START).split(" | ")[0] or plan_start
        day = _day(start, False) if start else ""
        milestones = _follow(view, [c], _n(OGP.hasMilestone), _n(OGP.ofCommitment))
        rows.append(
            [
                _plain(view, c, _DCT_IDENTIFIER),
                _text(view, c, _DCT_TITLE, "nb"),
                _text(view, c, _DCT_TITLE, "en"),
                " | ".join(_name_at(view, lead, day, "nb") for lead in leads),
                " | ".join(_plain(view, lead, _n(OGP.organisationNumber)) for lead in leads),
                _plain(view, c, _SCHEMA_START),
                _plain(view, c, _SCHEMA_END),
                _codes(view, c, _n(OGP.registryStatus)),
                _codes(view, c, _n(OGP.theme)),
                _codes(view, c, _n(OGP.policyArea)),
                _codes(view, c, _n(OGP.ogpValue)),
                str(len(milestones)),
                _iris(view, c, _DCT_SOURCE),
                c.value,
            ]
        )
    rows.sort(key=lambda r: (r[0], r[-1]))
    return _csv(COMMITMENT_COLUMNS, rows)


def milestones_csv(reader: ox.Store, uris: Uris, content: DatasetContent) -> bytes:
    """One row per milestone of the plan's commitments (columns: :data:`MILESTONE_COLUMNS`)."""
    view = _View(reader, uris)
    rows: list[tuple[tuple[str, int, str], list[str]]] = []
    for c in _commitments_of(view, content):
        ident = _plain(view, c, _DCT_IDENTIFIER)
        for m in _follow(view, [c], _n(OGP.hasMilestone), _n(OGP.ofCommitment)):
            position = _plain(view, m, _SCHEMA_POSITION)
            try:
                order = int(position)
            except ValueError:
                order = 0
            rows.append(
                (
                    (ident, order, m.value if isinstance(m, ox.NamedNode) else str(m)),
                    [
                        ident,
                        position,
                        _text(view, m, _DCT_TITLE, "nb"),
                        _text(view, m, _DCT_TITLE, "en"),
                        _plain(view, m, _SCHEMA_START),
                        _plain(view, m, _SCHEMA_END),
                        _codes(view, m, _n(OGP.completion)),
                        m.value if isinstance(m, ox.NamedNode) else "",
                    ],
                )
            )
    rows.sort(key=lambda r: r[0])
    return _csv(MILESTONE_COLUMNS, [r for _, r in rows])


def files_for(reader: ox.Store, uris: Uris, content: DatasetContent) -> list[ExportFile]:
    """Every downloadable file of one dataset: the dumps, and for a plan the two CSV files."""
    files = dumps(content)
    if content.kind == "plan":
        stem = content.file_stem
        files.append(
            ExportFile(
                f"{stem}-commitments.csv",
                "commitments-csv",
                "text/csv",
                commitments_csv(reader, uris, content),
            )
        )
        files.append(
            ExportFile(
                f"{stem}-milestones.csv",
                "milestones-csv",
                "text/csv",
                milestones_csv(reader, uris, content),
            )
        )
    return files
