"""The co-creation lifecycle (issue 7): registry status with its rules and roles, kept apart from
implementation progress; the full path from a civil-society proposal to an approved, evaluated
commitment; refused transitions and their explanations; the approver-only actions refused for
a submitter on the command line and over HTTP (a real server on a free port); meetings as data.

All data loaded here is invented (tests/fixtures/lifecycle/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner, Result
from rdflib import URIRef

from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.errors import LifecycleError, LifecycleForbidden, NotFound, UsageError
from registry.history.versions import diff, last_change_number, versions
from registry.lifecycle.change import set_status
from registry.lifecycle.rules import allowed_next
from registry.lifecycle.state import current_status
from registry.loading.pipeline import validation_context
from registry.rdf.convert import quads_to_graph
from registry.service import Registry
from registry.validation.shacl import validate_graph
from tests.conftest import BASE, FIXTURES
from tests.endpoint_server import running

LC = FIXTURES / "lifecycle"
PLAN = BASE + "id/plan/2019-2021"
PROPOSAL = BASE + "id/proposal/livslop-f1"
COMMITMENT = BASE + "id/commitment/NO9911"
MEETING = BASE + "id/meeting/2018-06-19"
TI = BASE + "id/organisation/transparency-international-norge"
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
LIFECYCLE = BASE + "graph/lifecycle"
STATUS = "https://w3id.org/ogp-no/vocab/status/"
OGP = "https://w3id.org/ogp-no/def#"


# -- helpers (also used by tests/test_history.py and tests/test_erase.py) -----------------------
def cli(reg: Registry, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    return CliRunner().invoke(
        main,
        ["--store", str(reg.store.path), "--base-uri", BASE, *args],
        catch_exceptions=False,
        env={"OGPREG_USER": "tester", "OGPREG_TOKEN": "", **(env or {})},
        input=input,
    )


def load(reg: Registry, *args: str) -> Result:
    r = cli(reg, "--lang", "en", "load", *args)
    assert r.exit_code == 0, r.output
    return r


@dataclass
class Actors:
    ti: tokens.IssuedToken  # submitter, Transparency International Norge (civil society)
    nfd: tokens.IssuedToken  # submitter, Nærings- og fiskeridepartementet
    kmd: tokens.IssuedToken  # approver, the coordinating ministry
    admin: tokens.IssuedToken  # admin, the registry's operators


def actors(reg: Registry) -> Actors:
    return Actors(
        ti=tokens.issue(reg, "Transparency International Norge", "submitter", "TI"),
        nfd=tokens.issue(reg, "912660680", "submitter", "NFD"),
        kmd=tokens.issue(reg, "972417858", "approver", "KMD"),
        admin=tokens.issue(reg, "972417858", "admin", "drift"),
    )


def objects(reg: Registry, s: str, p: str, graph: str | None = None) -> set[str]:
    g = ox.NamedNode(graph) if graph else None
    return {
        q.object.value
        for q in reg.store.reader().quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None, g)
    }


def status_of(reg: Registry, item: str) -> str | None:
    return current_status(reg.store.reader(), BASE, item)


def rows(reg: Registry, sparql: str) -> list[dict[str, str]]:
    result = reg.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    out = [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]
    del result
    return out


def lifecycle_conforms(reg: Registry, *items: str) -> None:
    """The items and every status-change record conform to the shapes."""
    reader = reg.store.reader()
    quads = list(reader.quads_for_pattern(None, None, None, ox.NamedNode(LIFECYCLE)))
    focus = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)} | set(items)
    data = quads + validation_context(reader, BASE, quads + [q for i in items for q in reader.quads_for_pattern(
        ox.NamedNode(i), None, None, None)], set())
    report = validate_graph(quads_to_graph(data), focus_nodes=[URIRef(f) for f in sorted(focus)])
    assert report.conforms, report.render("en")


@pytest.fixture
def story(registry: Registry) -> Iterator[tuple[Registry, Actors]]:
    """The invented civil-society proposal, loaded as a submission from its proposer."""
    who = actors(registry)
    load(registry, str(LC / "proposal.json"))
    yield registry, who


# -- the full path ------------------------------------------------------------------------------
def test_full_path_from_a_civil_society_proposal_to_an_approved_evaluated_commitment(
    story: tuple[Registry, Actors],
) -> None:
    reg, who = story
    # the file's status is the initial one, moved into the lifecycle graph with a record
    assert status_of(reg, PROPOSAL) == "draft"
    assert objects(reg, PROPOSAL, OGP + "registryStatus", LIFECYCLE) == {STATUS + "draft"}
    src = BASE + "graph/source/proposals-transparency-international-norge"
    assert not objects(reg, PROPOSAL, OGP + "registryStatus", src)
    first = rows(reg, f"""SELECT ?sc ?reason WHERE {{ GRAPH <{LIFECYCLE}> {{
        ?sc a ogp:StatusChange ; ogp:statusOf <{PROPOSAL}> ; ogp:toStatus ?to ;
            prov:atTime ?t ; prov:wasAssociatedWith <{TI}> ; prov:used <{src}> ; ogp:reason ?reason
        FILTER NOT EXISTS {{ ?sc ogp:fromStatus ?from }} FILTER(lang(?reason) = "en") }} }}""")
    assert [r["reason"] for r in first] == [
        "Initial status from the source proposals-transparency-international-norge."
    ]

    # the proposer submits its own proposal; the coordinating ministry accepts it into the plan
    # (the plan is known from the meeting the proposal was put forward for)
    r = set_status(reg, who.ti.record, PROPOSAL, "submitted")
    assert (r.from_status, r.to_status) == ("draft", "submitted")
    r = set_status(reg, who.kmd.record, PROPOSAL, "accepted", reason="Tas med i planen (oppdiktet)")
    assert status_of(reg, PROPOSAL) == "accepted"
    assert objects(reg, PROPOSAL, "http://purl.org/dc/terms/isPartOf", LIFECYCLE) == {PLAN}

    # dialogue turns it into a commitment that records where it came from
    load(reg, str(LC / "commitment.json"))
    assert objects(reg, COMMITMENT, OGP + "derivedFromProposal") == {PROPOSAL}
    assert status_of(reg, COMMITMENT) is None

    set_status(reg, who.kmd.record, COMMITMENT, "submitted")
    set_status(reg, who.kmd.record, COMMITMENT, "accepted")  # its plan: ogp:inActionPlan
    with pytest.raises(LifecycleError) as no_date:
        set_status(reg, who.kmd.record, COMMITMENT, "approved")
    assert "--date" in no_date.value.render("en")
    approved = set_status(reg, who.kmd.record, COMMITMENT, "approved", date="2019-06-28")
    dated = objects(reg, approved.status_change, "http://purl.org/dc/terms/date", LIFECYCLE)
    assert dated == {"2019-06-28"}
    set_status(reg, who.kmd.record, COMMITMENT, "in-force")

    # implementation progress: three assessors side by side, each with who and when
    load(reg, "--submitted-by", "972417858", str(LC / "irm.json"))
    load(reg, "--submitted-by", "972417858", str(LC / "assessments.json"))
    side_by_side = rows(reg, f"""SELECT ?kind ?by ?date ?completion WHERE {{
        ?a ogp:assesses <{COMMITMENT}> ; ogp:assessmentKind ?k ; ogp:assessedBy ?by ;
           ogp:assessmentDate ?date ; ogp:completion ?c .
        ?k skos:notation ?kind . ?c skos:notation ?completion }} ORDER BY ?date""")
    assert [(r["kind"], r["completion"]) for r in side_by_side] == [
        ("self-assessment", "substantial"),
        ("irm", "limited"),
        ("civil-society", "not-started"),
    ]
    assert side_by_side[0]["by"] == KMD and side_by_side[2]["by"] == TI
    # ... and they leave the registry status alone: the two lifecycles are kept apart
    assert status_of(reg, COMMITMENT) == "in-force"

    done = set_status(reg, who.kmd.record, COMMITMENT, "completed", reason="Planperioden er over")
    assert status_of(reg, COMMITMENT) == "completed" and allowed_next("completed") == []
    with pytest.raises(LifecycleError) as final:
        set_status(reg, who.kmd.record, COMMITMENT, "in-force")
    assert "final" in final.value.render("en") and final.value.http_status == 409

    # every status change is a change in the history, with who and why
    trail = [(v.change.kind, v.action) for v in versions(reg.store.reader(), COMMITMENT)]
    assert trail == [("load", "create")] + [("status", "update")] * 5
    last = versions(reg.store.reader(), COMMITMENT)[-1]
    assert last.number == done.change and last.uri == done.version
    assert last.change.agent == KMD and last.change.loaded_by == "token:" + who.kmd.record.id
    assert last.change.reason("nb") == "Planperioden er over"
    changes = rows(reg, f"""SELECT ?from ?to WHERE {{ GRAPH <{LIFECYCLE}> {{
        ?sc ogp:statusOf <{COMMITMENT}> ; ogp:toStatus ?t ; prov:atTime ?when
        OPTIONAL {{ ?sc ogp:fromStatus ?f }} }}
        BIND(STRAFTER(STR(?t), "/status/") AS ?to) BIND(STRAFTER(STR(?f), "/status/") AS ?from)
        }} ORDER BY ?when ?to""")
    assert {(c["from"], c["to"]) for c in changes} == {
        ("", "submitted"), ("submitted", "accepted"), ("accepted", "approved"),
        ("approved", "in-force"), ("in-force", "completed"),
    }
    lifecycle_conforms(reg, PROPOSAL, COMMITMENT)


# -- refused transitions --------------------------------------------------------------------------
def test_refused_transitions_name_the_current_status_what_may_follow_and_who(
    story: tuple[Registry, Actors],
) -> None:
    reg, who = story
    kmd = who.kmd.record
    with pytest.raises(LifecycleError) as jump:
        set_status(reg, kmd, PROPOSAL, "approved", date="2019-06-28")
    nb, en = jump.value.render("nb"), jump.value.render("en")
    assert jump.value.http_status == 409 and jump.value.exit_code == 2
    assert "«utkast» (draft)" in nb and "«sendt inn» (submitted)" in nb
    assert "koordinerende departement (rolle approver)" in nb
    assert "The current status is “draft” (draft)" in en
    assert "“submitted” (submitted) – the item's own organisation or the coordinating ministry" in en
    assert "“withdrawn” (withdrawn) – the coordinating ministry (role approver) or admin, needs a reason (--reason)" in en
    assert status_of(reg, PROPOSAL) == "draft"

    with pytest.raises(LifecycleError) as same:
        set_status(reg, kmd, PROPOSAL, "draft")
    assert "already has this status" in same.value.render("en")
    with pytest.raises(LifecycleError) as no_reason:
        set_status(reg, kmd, PROPOSAL, "withdrawn")
    assert "a reason is missing (--reason)" in no_reason.value.render("en")
    with pytest.raises(LifecycleError) as no_successor:
        set_status(reg, kmd, PROPOSAL, "superseded")
    assert "the successor is missing (--successor)" in no_successor.value.render("en")
    with pytest.raises(LifecycleError) as ghost:
        set_status(reg, kmd, PROPOSAL, "superseded", successor=BASE + "id/proposal/finnes-ikke")
    assert "does not exist" in ghost.value.render("en")
    set_status(reg, kmd, PROPOSAL, "submitted")
    with pytest.raises(LifecycleError) as wrong_plan:
        set_status(reg, kmd, PROPOSAL, "accepted", plan=BASE + "id/plan/1999-2000")
    assert "the action plan http://localhost:8000/id/plan/1999-2000 does not exist" in (
        wrong_plan.value.render("en")
    )
    with pytest.raises(UsageError):
        set_status(reg, kmd, PROPOSAL, "finished")
    with pytest.raises(NotFound):
        set_status(reg, kmd, BASE + "id/proposal/finnes-ikke", "submitted")
    with pytest.raises(UsageError) as not_a_status_item:
        set_status(reg, kmd, BASE + "id/commitment/NO0054/milestone/1", "submitted")
    assert "only those have a registry status" in not_a_status_item.value.render("en")
    # nothing of it was recorded
    assert status_of(reg, PROPOSAL) == "submitted"
    assert len(versions(reg.store.reader(), PROPOSAL)) == 2


def test_withdraw_and_supersede_record_the_reason_and_the_successor(
    story: tuple[Registry, Actors],
) -> None:
    reg, who = story
    load(reg, str(LC / "proposal-v2.json"))
    second = BASE + "id/proposal/livslop-f2"
    set_status(reg, who.kmd.record, PROPOSAL, "superseded", successor=second)
    assert objects(reg, PROPOSAL, "http://purl.org/dc/terms/isReplacedBy", LIFECYCLE) == {second}
    w = set_status(
        reg, who.kmd.record, second, "withdrawn", reason="Trukket av forslagsstilleren (oppdiktet)"
    )
    note = objects(reg, second, "http://www.w3.org/2004/02/skos/core#changeNote", LIFECYCLE)
    assert note == {"Trukket av forslagsstilleren (oppdiktet)"}
    assert objects(reg, w.status_change, OGP + "reason") == {note.pop()}
    lifecycle_conforms(reg, PROPOSAL, second)


def test_the_shapes_refuse_a_withdrawn_item_without_a_reason_in_a_loaded_file(
    registry: Registry, tmp_path: Path
) -> None:
    f = tmp_path / "trukket.ttl"
    f.write_text(
        "# INVENTED example\n@prefix ogp: <https://w3id.org/ogp-no/def#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "<id/proposal/uten-grunn> a ogp:Proposal ; dct:identifier \"uten-grunn\" ;\n"
        '  dct:title "Uten begrunnelse (oppdiktet)"@nb ; ogp:proposedBy '
        "<id/organisation/transparency-international-norge> ;\n"
        "  ogp:theme <https://w3id.org/ogp-no/theme/open-data> ;\n"
        "  ogp:registryStatus <https://w3id.org/ogp-no/vocab/status/withdrawn> .\n",
        "utf-8",
    )
    r = cli(registry, "--lang", "en", "load", str(f))
    assert r.exit_code == 1
    assert "withdrawn" in r.output and "skos:changeNote" in r.output
    assert status_of(registry, BASE + "id/proposal/uten-grunn") is None


def test_a_status_in_a_resubmitted_file_is_ignored_once_the_registry_has_one(
    story: tuple[Registry, Actors], tmp_path: Path
) -> None:
    reg, who = story
    set_status(reg, who.ti.record, PROPOSAL, "submitted")
    f = tmp_path / "proposal.json"
    f.write_text((LC / "proposal.json").read_text("utf-8").replace("oppdiktet)", "oppdiktet, v2)"))
    r = load(reg, str(f))
    assert "The status in the file (draft) is ignored" in r.output
    assert status_of(reg, PROPOSAL) == "submitted"
    assert objects(reg, PROPOSAL, OGP + "registryStatus") == {STATUS + "submitted"}


# -- roles: the command line ----------------------------------------------------------------------
def test_cli_status_refuses_approver_actions_for_a_submitter_and_audits(
    story: tuple[Registry, Actors], tmp_path: Path
) -> None:
    reg, who = story
    r = cli(reg, "status", "id/proposal/livslop-f1")
    assert r.exit_code == 0
    assert r.output == f"{PROPOSAL}: utkast (draft). Tillatt herfra: submitted, withdrawn, superseded.\n"
    r = cli(reg, "status", "id/proposal/livslop-f1", "--set", "submitted")
    assert r.exit_code == 2 and "--token" in r.output  # a token is required to change
    token_file = tmp_path / "ti.token"
    token_file.write_text(who.ti.secret + "\n", "utf-8")
    r = cli(reg, "status", "id/proposal/livslop-f1", "--set", "submitted",
            "--token", f"@{token_file}")
    assert r.exit_code == 0, r.output
    n = last_change_number(reg.store.reader())
    assert r.output == (
        f"{PROPOSAL}: utkast (draft) → sendt inn (submitted) (endring {n}, "
        f"versjon {PROPOSAL}/version/{n}).\n"
    )
    r = cli(reg, "--lang", "en", "status", PROPOSAL, "--set", "accepted",
            env={"OGPREG_TOKEN": who.ti.secret})
    assert r.exit_code == 1  # a role refusal is a failure, as a refused token is; not usage
    assert "only the coordinating ministry (role approver) or admin may set it" in r.output
    assert "The current status is “submitted” (submitted)" in r.output
    r = cli(reg, "--lang", "en", "status", PROPOSAL, "--set", "withdrawn", "--reason", "x",
            "--token", who.nfd.secret)
    assert r.exit_code == 1 and "role submitter" in r.output
    r = cli(reg, "status", PROPOSAL, "--set", "accepted", "--token", "not-a-token")
    assert r.exit_code == 1 and "ukjent eller tilbakekalt" in r.output
    assert status_of(reg, PROPOSAL) == "submitted"
    r = cli(reg, "status", PROPOSAL, "--set", "accepted", "--reason", "Tas med",
            "--format", "json", "--token", who.kmd.secret)
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert (body["from"], body["to"]) == ("submitted", "accepted")
    audit = [(e.action, e.outcome, e.role) for e in AuditLog(reg.store.path).entries()
             if e.action == "status"]
    assert audit == [
        ("status", "ok", "submitter"),
        ("status", "refused", "submitter"),
        ("status", "refused", "submitter"),
        ("status", "ok", "approver"),
    ]
    assert who.kmd.secret not in (reg.store.path / "audit.log").read_text("utf-8")


def test_a_submitter_may_not_submit_another_organisations_item(
    story: tuple[Registry, Actors],
) -> None:
    reg, who = story
    with pytest.raises(LifecycleForbidden) as other:
        set_status(reg, who.nfd.record, PROPOSAL, "submitted")
    assert other.value.http_status == 403
    assert "did not submit or propose the item" in other.value.render("en")
    assert TI in other.value.render("en")


# -- roles: HTTP over a real socket ---------------------------------------------------------------
def test_http_status_and_erase_enforce_roles_and_answer_with_one_error_shape(
    story: tuple[Registry, Actors],
) -> None:
    reg, who = story
    with running(reg.store.path, query_workers=1) as site:
        url = site.url.rstrip("/")

        def post(path: str, body: object, token: tokens.IssuedToken | None) -> requests.Response:
            headers = {"Accept-Language": "en"}
            if token is not None:
                headers["Authorization"] = f"Bearer {token.secret}"
            return requests.post(url + path, json=body, headers=headers, timeout=60)

        def error(r: requests.Response, status: int, code: str) -> str:
            assert r.status_code == status, r.text
            body = r.json()
            assert set(body) == {"error", "message", "status"}
            assert (body["status"], body["error"]) == (status, code)
            return str(body["message"])

        no = post("/api/status", {"item": PROPOSAL, "status": "submitted"}, None)
        error(no, 401, "authentication-required")
        assert no.headers["WWW-Authenticate"].startswith("Bearer")
        ok = post("/api/status", {"item": "id/proposal/livslop-f1", "status": "submitted"}, who.ti)
        assert ok.status_code == 200, ok.text
        assert (ok.json()["from"], ok.json()["to"]) == ("draft", "submitted")
        msg = error(post("/api/status", {"item": PROPOSAL, "status": "accepted"}, who.ti), 403,
                    "lifecycle-forbidden")
        assert "only the coordinating ministry (role approver) or admin may set it" in msg
        msg = error(post("/api/status", {"item": PROPOSAL, "status": "completed"}, who.kmd), 409,
                    "lifecycle-refused")
        assert "The current status is “submitted”" in msg and "“accepted into a plan”" in msg
        error(post("/api/status", ["not", "an", "object"], who.kmd), 400, "usage-error")
        error(post("/api/status", {"item": PROPOSAL, "status": 3}, who.kmd), 400, "usage-error")
        error(post("/api/status", {"item": BASE + "id/proposal/nei", "status": "submitted"},
                   who.kmd), 404, "not-found")
        ok = post("/api/status", {"item": PROPOSAL, "status": "accepted", "reason": "Med"}, who.kmd)
        assert ok.status_code == 200, ok.text
        # erase is for admins only: refused for the approver and for a submitter
        for t in (who.kmd, who.ti):
            msg = error(post("/api/erase", {"item": PROPOSAL, "reason": "test"}, t), 403,
                        "forbidden")
            assert "reserved for the role admin" in msg
        assert status_of(reg, PROPOSAL) == "accepted"
    entries = [(e.action, e.outcome, e.status, e.role, e.target)
               for e in AuditLog(reg.store.path).entries() if e.action.startswith("api.")]
    assert entries[0] == ("api.status", "refused", 401, None, PROPOSAL)
    assert ("api.status", "ok", 200, "submitter", PROPOSAL) in entries
    assert ("api.status", "refused", 403, "submitter", PROPOSAL) in entries
    assert ("api.status", "refused", 409, "approver", PROPOSAL) in entries
    assert ("api.erase", "refused", 403, "approver", PROPOSAL) in entries


# -- meetings as data ----------------------------------------------------------------------------
def test_a_submission_adds_attendees_discussed_proposals_and_decisions_to_a_meeting(
    story: tuple[Registry, Actors],
) -> None:
    reg, _who = story
    before = objects(reg, MEETING, OGP + "invited")
    assert TI in before and not objects(reg, MEETING, OGP + "attendee")
    load(reg, "--submitted-by", "972417858", str(LC / "meeting-followup.ttl"))
    assert objects(reg, MEETING, OGP + "attendee") == {TI, KMD}
    assert objects(reg, MEETING, OGP + "discussed") == {PROPOSAL}
    assert objects(reg, MEETING, OGP + "decision") == {
        "Oppdiktet beslutning: forslaget arbeides videre med i dialog (eksempel)."
    }
    assert objects(reg, MEETING, OGP + "invited") == before  # the invitation is untouched
    meeting = versions(reg.store.reader(), MEETING)
    assert [v.action for v in meeting] == ["create", "update"]
    added, removed = diff(meeting[0], meeting[1])
    assert not removed and len(added) == 4
