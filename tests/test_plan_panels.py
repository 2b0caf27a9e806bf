"""The rows a plan's participation, progress and co-creation panels read, kept by the commit in
the revision's digest (registry/model/planpanels.py, issue 24).

After every commit of a sequence that changes each kind of statement the panels read, by way
of each link that leads from it to the plan, the rows the digest keeps must be those the
queries give on that revision, and equal those of a digest built from scratch; and the panels
drawn from the kept rows must equal those drawn by asking the store. And, read from the
queries' own text, every predicate they read is one a commit watches, and every statement they
read leads to the plan by links a commit follows (so a query added later cannot go stale
unnoticed)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rdflib.term import Identifier

from registry.lifecycle.change import set_status
from registry.loading.sources import SourceFile
from registry.model import digest, planpanels
from registry.model.cocreation import standards
from registry.model.progress import participation, plan_progress
from registry.model.resources import Resources
from registry.namespaces import PREFIXES as PANEL_PREFIXES
from registry.service import Registry
from tests.conftest import BASE
from tests.test_lifecycle import actors

FIXTURES = Path(__file__).parent / "fixtures" / "co-creation"
PLAN = BASE + "id/plan/cc-good"
OTHER_PLAN = BASE + "id/plan/2019-2021"

# Each source below is an INVENTED EXAMPLE: none of it happened.
PREFIXES = """@prefix dct: <http://purl.org/dc/terms/> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kind: <https://w3id.org/ogp-no/vocab/organisation-kind/> .
@prefix response: <https://w3id.org/ogp-no/vocab/response/> .
@prefix dockind: <https://w3id.org/ogp-no/vocab/document-kind/> .
@prefix schema: <https://schema.org/> .
"""
ORGANISATION = PREFIXES + """# INVENTED EXAMPLE: an organisation that does not exist.
<id/organisation/oppdiktet-panel-forening> a org:Organization ;
    skos:prefLabel "Oppdiktet panelforening"@nb ;
    ogp:organisationKind kind:KIND .
"""
INVITATION = PREFIXES + """# INVENTED EXAMPLE: an invitation that was never sent.
<id/meeting/2022-09-20> ogp:invited <id/organisation/oppdiktet-panel-forening> .
"""
ATTENDANCE = PREFIXES + """# INVENTED EXAMPLE: nobody attended.
<id/meeting/2022-09-20> ogp:attendee <id/organisation/finansdepartementet> .
"""
DOCUMENT = PREFIXES + """# INVENTED EXAMPLE: a document that does not exist.
<id/document/cc-good-panel> a ogp:RepositoryDocument ; dct:identifier "cc-good-panel" ;
    dct:title "Oppdiktet referat"@nb ; ogp:documentKind dockind:minutes ;
    dct:issued "2024-05-02"^^xsd:date ;
    schema:url <https://example.org/oppdiktet/panel> ; ogp:documentFor <id/plan/cc-good> .
"""
PART_OF = PREFIXES + """# INVENTED EXAMPLE: a proposal nobody made.
<id/proposal/cc-good-p9> a ogp:Proposal ;
    dct:identifier "cc-good-p9" ;
    dct:title "Oppdiktet forslag"@nb ;
    ogp:proposedBy <id/organisation/transparency-international-norge> ;
    ogp:theme <https://w3id.org/ogp-no/theme/open-data> ;
    dct:isPartOf <id/plan/cc-good> RESPONSE.
"""
TAKEN = PREFIXES + """# INVENTED EXAMPLE: a proposal nobody made, taken into a commitment.
<id/proposal/cc-good-p10> a ogp:Proposal ;
    dct:identifier "cc-good-p10" ;
    dct:title "Oppdiktet forslag som ble tatt inn"@nb ;
    ogp:proposedBy <id/organisation/transparency-international-norge> ;
    ogp:theme <https://w3id.org/ogp-no/theme/open-data> ;
    ogp:response response:taken-forward ;
    ogp:takenInto <id/commitment/cc-good-01> ;
    ogp:respondedBy <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:responseDate "DATE"^^xsd:date .
"""
DERIVED = PREFIXES + """# INVENTED EXAMPLE: a commitment of another plan that never was.
<id/commitment/cc-other-01> a ogp:Commitment ;
    dct:identifier "cc-other-01" ;
    dct:title "Oppdiktet forpliktelse i en annen plan"@nb ;
    ogp:inActionPlan <id/plan/2019-2021> ;
    ogp:leadAgency <id/organisation/finansdepartementet> ;
    ogp:derivedFromProposal <id/proposal/cc-good-p2> .
"""
ASSESSMENT = PREFIXES + """# INVENTED EXAMPLE: a milestone and an assessment that never were.
<id/commitment/cc-good-01/milestone/1> a ogp:Milestone ;
    dct:identifier "cc-good-01-m1" ;
    dct:title "Oppdiktet milepæl"@nb ;
    schema:position 1 ;
    ogp:ofCommitment <id/commitment/cc-good-01> .
<id/assessment/cc-good-01-m1-self> a ogp:ProgressAssessment ;
    dct:identifier "cc-good-01-m1-self" ;
    ogp:assesses <id/commitment/cc-good-01/milestone/1> ;
    ogp:assessedBy <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:assessmentDate "2024-02-01"^^xsd:date ;
    ogp:assessmentKind <https://w3id.org/ogp-no/vocab/assessment-kind/self-assessment> ;
    ogp:completion <https://w3id.org/ogp-no/vocab/completion/limited> .
"""

BLANK_ASSESSMENT = PREFIXES + """# INVENTED EXAMPLE: an assessment that never was, without an IRI.
[] a ogp:ProgressAssessment ;
    dct:identifier "cc-good-01-blank" ;
    ogp:assesses <id/commitment/cc-good-01> ;
    ogp:assessedBy <id/organisation/kommunal-og-moderniseringsdepartementet> ;
    ogp:assessmentDate "2024-03-01"^^xsd:date ;
    ogp:assessmentKind <https://w3id.org/ogp-no/vocab/assessment-kind/self-assessment> ;
    ogp:completion <https://w3id.org/ogp-no/vocab/completion/limited> .
"""


def _load(reg: Registry, sid: str, text: str) -> None:
    reg.load([SourceFile(f"{sid}.ttl", text.encode("utf-8"), sid)])


def _committed(reg: Registry) -> digest.Digest:
    rev = reg.store.revision()
    assert rev is not None
    path = digest.digest_path(reg.store, rev.number)
    assert path.name.startswith("gen-"), "the commit did not keep the digest"
    return digest.Digest(path, rev.number)


def _from_scratch(reg: Registry, tmp: Path) -> dict[str, Any]:
    rev = reg.store.revision()
    assert rev is not None
    target = tmp / f"scratch-{rev.number}.sqlite"
    digest.build_file(reg.store.reader(), target, rev.number)
    return digest.Digest(target, rev.number).snapshot()["panels"]


def _steps(reg: Registry) -> Iterator[tuple[str, Callable[[], object], bool]]:
    """(what, the step, whether it changes the rows of the plan cc-good)."""
    good = (FIXTURES / "meets-every-requirement.ttl").read_text("utf-8")
    yield "the plan, its meetings, proposals and documents", lambda: _load(reg, "cc", good), True
    yield "an organisation (civil society)", lambda: _load(
        reg, "org", ORGANISATION.replace("KIND", "civil-society")), False
    yield "the organisation invited to a meeting of the plan", lambda: _load(
        reg, "invitation", INVITATION), True
    yield "the organisation's kind changed (reached from the invitation only)", lambda: _load(
        reg, "org", ORGANISATION.replace("KIND", "public-body")), True
    yield "an attendee added", lambda: _load(reg, "attendance", ATTENDANCE), True
    yield "a document of the plan", lambda: _load(reg, "document", DOCUMENT), True
    yield "its date (reached from its ogp:documentFor only)", lambda: _load(
        reg, "document", DOCUMENT.replace("2024-05-02", "2024-06-03")), True
    yield "a proposal that is part of the plan", lambda: _load(
        reg, "part", PART_OF.replace("RESPONSE", "")), True
    yield "its response (reached from its dct:isPartOf only)", lambda: _load(
        reg, "part", PART_OF.replace(
            "RESPONSE", '; ogp:response response:not-taken-forward ; '
            'ogp:responseReason "Oppdiktet begrunnelse."@nb ; ogp:respondedBy '
            '<id/organisation/digitaliseringsdirektoratet> ; '
            'ogp:responseDate "2022-12-01"^^xsd:date ')), True
    yield "a proposal taken into a commitment of the plan", lambda: _load(
        reg, "taken", TAKEN.replace("DATE", "2022-11-01")), True
    yield "its response date (reached from its ogp:takenInto only)", lambda: _load(
        reg, "taken", TAKEN.replace("DATE", "2022-11-02")), True
    yield "a commitment of another plan taken from a proposal of this one", lambda: _load(
        reg, "derived", DERIVED), True
    yield "an assessment of a milestone", lambda: _load(reg, "assessment", ASSESSMENT), True
    # blank nodes: the digest keeps no row for them (digestfile.py, "Blank nodes")
    yield "an assessment uploaded as a blank node", lambda: _load(
        reg, "blank", BLANK_ASSESSMENT), True
    yield "the blank-node assessment's completion changed", lambda: _load(
        reg, "blank", BLANK_ASSESSMENT.replace("completion/limited", "completion/substantial")
    ), True
    yield "the blank-node assessment removed", lambda: _load(reg, "blank", PREFIXES), True
    yield "a response changed", lambda: _load(
        reg, "cc", good.replace("response:not-taken-forward ;",
                               "response:merged ; ogp:mergedWith <id/proposal/cc-good-p1> ;")), True
    who = actors(reg)
    yield "the commitment withdrawn (a status change)", lambda: set_status(
        reg, who.admin.record, BASE + "id/commitment/cc-good-01", "withdrawn",
        reason="Test (oppdiktet)"), True
    yield "the organisation removed", lambda: _load(reg, "org", PREFIXES), True


def test_the_rows_kept_by_each_commit_are_those_of_its_revision(
    registry: Registry, tmp_path: Path
) -> None:
    before: dict[str, Any] | None = None
    for what, step, changes in _steps(registry):
        step()
        kept = _committed(registry).snapshot()["panels"]
        assert PLAN in kept, what
        reader = registry.store.reader()
        for plan, data in kept.items():  # what the queries give on this revision
            assert json.loads(data) == planpanels.compute(reader, plan), (what, plan)
        assert kept == _from_scratch(registry, tmp_path), what
        assert (kept[PLAN] != (before or {}).get(PLAN)) == changes, what
        before = kept


def _panels(reg: Registry) -> list[object]:
    res = Resources(reg)
    out: list[object] = []
    for plan in (PLAN, OTHER_PLAN):
        out += [
            participation(res, plan, "nb"),
            plan_progress(res, plan, "en"),
            standards(res, plan, date(2025, 3, 1)),
        ]
    return out


def test_panels_drawn_from_kept_rows_equal_those_asked_of_the_store(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _what, step, _changes in _steps(registry):
        step()
    asked: list[str] = []
    select = Resources.select

    def counted(self: Resources, sparql: str, **bind: Any) -> Any:
        asked.append(sparql)
        return select(self, sparql, **bind)

    monkeypatch.setattr(Resources, "select", counted)
    panel_queries = {
        planpanels.for_plan(q, plan) for q in planpanels.QUERIES.values()
        for plan in (PLAN, OTHER_PLAN)
    }
    kept = _panels(registry)
    assert not panel_queries & set(asked)  # read back from the digest
    assert asked  # the plan's own dates, the forums, the history: asked when drawn
    asked.clear()
    monkeypatch.setattr(digest.Digest, "panels", lambda self, plan: None)
    live = _panels(registry)
    assert panel_queries <= set(asked)  # a digest without them: asked of the store
    assert kept == live


# -- what the queries read, against what the commit watches ------------------------------------
Pattern = tuple[Identifier, Identifier, Identifier]


def _algebra(query: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(query, initNs=dict(PANEL_PREFIXES)).algebra


def _in_blocks(node: object) -> list[Pattern]:
    """The triple patterns written anywhere under ``node``, as rdflib's SPARQL parser reads
    them: translated (``BGP``, (s, p, o) tuples) or, inside ``EXISTS``, as parsed
    (``TriplesBlock``, [s, p, o, p, o, ...] lists)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    out: list[Pattern] = []
    if isinstance(node, CompValue):
        if node.name == "BGP":
            out.extend((t[0], t[1], t[2]) for t in node["triples"])
        elif node.name == "TriplesBlock":
            for t in node["triples"]:
                out.extend((t[0], t[i], t[i + 1]) for i in range(1, len(t), 2))
        for v in node.values():
            out += _in_blocks(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            out += _in_blocks(v)
    return out


def _alternatives(node: Any) -> list[list[Pattern]]:
    """The patterns of each way a solution can be found: one list per choice of a ``UNION``
    branch (an ``OPTIONAL`` part and a ``FILTER NOT EXISTS`` pattern counted in, as read
    together with what they are joined to)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(node, CompValue):
        return [[]]
    if node.name == "BGP":
        return [_in_blocks(node)]
    if node.name == "Union":
        return _alternatives(node["p1"]) + _alternatives(node["p2"])
    if node.name in ("Join", "LeftJoin"):
        return [a + b for a in _alternatives(node["p1"]) for b in _alternatives(node["p2"])]
    if node.name == "Filter":
        extra = _in_blocks(node["expr"])
        return [a + extra for a in _alternatives(node["p"])]
    if node.get("p") is not None:  # Project, Distinct, Extend, ToMultiSet, SelectQuery...
        return _alternatives(node["p"])
    return [[]]


def test_every_predicate_the_panel_queries_read_is_watched_by_the_commit() -> None:
    """A query added to ``planpanels.QUERIES`` that reads a predicate missing from
    ``PREDICATES`` (or a class missing from ``CLASSES``, for blank nodes) would keep stale rows
    after a commit that changes only that."""
    from rdflib.term import URIRef

    for name, query in planpanels.QUERIES.items():
        patterns = _in_blocks(_algebra(query))
        assert patterns, name
        for _s, p, _o in patterns:
            assert isinstance(p, URIRef), f"{name}: a property path ({p}); read it here too"
            assert str(p) in planpanels.PREDICATES, f"{name} reads {p}: add it to PREDICATES"
            if str(p) == planpanels.RDF_TYPE:  # a blank node's type is watched for these only
                assert str(_o) in planpanels.CLASSES, f"{name} asks for {_o}: add it to CLASSES"


def test_every_statement_the_panel_queries_read_leads_to_the_plan() -> None:
    """A statement a query reads marks its subject, and an IRI object, as changed when a
    commit adds or removes it (``PREDICATES``); from there the commit follows its links towards
    the plans (``planagg.plans_of``: subject to object over its up-links, object to subject
    over its down-links). So in each way a query finds a solution (each choice of ``UNION``
    branch), every triple pattern's subject or object must reach ``?plan`` over those links;
    otherwise a change to that statement alone would leave the plan's kept rows stale."""
    from rdflib.term import Variable

    from registry.model import planagg

    plan = Variable("plan")
    for name, query in planpanels.QUERIES.items():
        ways = _alternatives(_algebra(query))
        assert ways and all(ways), name
        for patterns in ways:
            leads: dict[object, set[object]] = {}  # a variable -> those it leads to
            for s, p, o in patterns:
                if isinstance(s, Variable) and isinstance(o, Variable):
                    if str(p) in planagg._UP:
                        leads.setdefault(s, set()).add(o)
                    if str(p) in planagg._DOWN:
                        leads.setdefault(o, set()).add(s)

            def reaches_plan(var: object, leads: dict[object, set[object]] = leads) -> bool:
                seen, frontier = {var}, {var}
                while frontier:
                    frontier = {n for v in frontier for n in leads.get(v, ())} - seen
                    seen |= frontier
                return plan in seen

            for s, p, o in patterns:
                assert reaches_plan(s) or (isinstance(o, Variable) and reaches_plan(o)), (
                    f"{name}: a change to {s.n3()} {p.n3()} {o.n3()} would not reach ?plan by a "
                    "link the commit follows"
                )
