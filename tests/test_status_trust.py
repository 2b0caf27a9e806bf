"""Issue 15, item 1: a registry status set through a file, by anyone who may upload.

A status in a submitted file (``ogp:registryStatus``) may only be one its loader could set with
``ogpreg status``: a submitter gives only draft or submitted, only on its own organisation's
items; status-change records are the registry's own; an admin corrects any status, with a
reason (registry/lifecycle/files.py, registry/lifecycle/change.py, docs/lifecycle.md). The attacks
of the issue are done for real: Graph Store PUTs with real tokens to the real app on a real socket,
and local ``ogpreg load`` of Turtle and of a real XLSX workbook; every refused attempt leaves
every quad of the store as it was.

Finansdepartementet (972417807), Kulturdepartementet (972417866) and Kommunal- og
moderniseringsdepartementet (972417858) are real organisations of the bundled register; the
commitments NO9960–NO9964 are INVENTED for these tests.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from loaders.template import xlsx_template
from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.actors import Actor
from registry.errors import LifecycleError, ValidationFailed
from registry.history.versions import versions
from registry.lifecycle.change import set_status
from registry.lifecycle.state import current_status
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE, all_quads
from tests.endpoint_server import servers, serving

SRC = BASE + "graph/source/"
LIFECYCLE = BASE + "graph/lifecycle"
STATUS = "https://w3id.org/ogp-no/vocab/status/"
OGP = "https://w3id.org/ogp-no/def#"
SKOS_CHANGE_NOTE = "http://www.w3.org/2004/02/skos/core#changeNote"
FIN = BASE + "id/organisation/finansdepartementet"
KUD = BASE + "id/organisation/kulturdepartementet"
NO9960 = BASE + "id/commitment/NO9960"
NO0054 = BASE + "id/commitment/NO0054"  # bundled, real; "completed" after ogpreg init
TTL = {"Content-Type": "text/turtle"}


def commitment(ident: str, lead: str, status: str | None = None) -> bytes:
    """An INVENTED commitment of the plan 2019-2021, led by ``lead`` (an organisation slug)."""
    text = (
        "# INVENTED example for tests\n"
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        f"<id/commitment/{ident}> a ogp:Commitment ;\n"
        f'    dct:identifier "{ident}" ;\n'
        f'    dct:title "Oppdiktet forpliktelse {ident}"@nb , "Invented commitment {ident}"@en ;\n'
        "    ogp:inActionPlan <id/plan/2019-2021> ;\n"
        f"    ogp:leadAgency <id/organisation/{lead}> ;\n"
        "    ogp:theme <https://w3id.org/ogp-no/theme/public-procurement>"
    )
    if status:
        text += f" ;\n    ogp:registryStatus <{STATUS}{status}>"
    return (text + " .\n").encode("utf-8")


def one_line(item: str, status: str) -> bytes:
    """The one line of the issue: a status for somebody else's item."""
    return f"<{item}> <{OGP}registryStatus> <{STATUS}{status}> .\n".encode()


def status_of(reg: Registry, item: str) -> str | None:
    return current_status(reg.store.reader(), BASE, item)


# -- the real app on a real socket --------------------------------------------------------------
@dataclass
class Live:
    url: str
    registry: Registry
    fin: tokens.IssuedToken  # submitter, Finansdepartementet
    kud: tokens.IssuedToken  # submitter, Kulturdepartementet
    kmd: tokens.IssuedToken  # approver, the coordinating ministry
    admin: tokens.IssuedToken  # admin, the registry's operators

    def put(self, t: tokens.IssuedToken, source: str, body: bytes) -> requests.Response:
        return requests.put(
            self.url + "/graph-store",
            params={"graph": SRC + source},
            data=body,
            headers={**TTL, "Authorization": f"Bearer {t.secret}"},
            timeout=60,
        )


def issue_tokens(reg: Registry) -> tuple[tokens.IssuedToken, ...]:
    return (
        tokens.issue(reg, "972417807", "submitter", "FIN"),
        tokens.issue(reg, "972417866", "submitter", "KUD"),
        tokens.issue(reg, "972417858", "approver", "KMD"),
        tokens.issue(reg, "972417858", "admin", "drift"),
    )


@pytest.fixture(params=servers())
def live(request: pytest.FixtureRequest, registry: Registry) -> Iterator[Live]:
    """The registry with four tokens, under each HTTP server of ``ogpreg serve`` (waitress in
    this process, granian in a process of its own)."""
    fin, kud, kmd, admin = issue_tokens(registry)
    with serving(request.param, registry.store.path, query_workers=1) as run:
        yield Live(run.url.rstrip("/"), registry, fin, kud, kmd, admin)


def refused(r: requests.Response) -> list[dict[str, Any]]:
    """The violations of a 422 answer (the endpoint's error shape with the report)."""
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "validation-failed"
    return [i for i in body["report"]["issues"] if i["severity"] == "violation"]


def test_a_submitter_cannot_approve_its_own_new_commitment_over_http(live: Live) -> None:
    reg = live.registry
    before = all_quads(reg)
    r = live.put(live.fin, "fin-ny", commitment("NO9960", "finansdepartementet", "approved"))
    [v] = refused(r)
    assert (v["focus"], v["path"], v["value"]) == (NO9960, OGP + "registryStatus",
                                                   STATUS + "approved")
    assert v["file"]
    assert v["message_nb"].startswith(
        "Statusen approved («godkjent av regjeringen») kan ikke gis i en fil fra "
        "Finansdepartementet (rolle submitter): en innsender kan bare gi sine egne nye "
        "elementer status draft (utkast) eller submitted (sendt inn)."
    )
    assert v["message_en"].endswith(
        "The status is set by the coordinating ministry (role approver) or admin with "
        f"'ogpreg status {NO9960} --set approved --token …' (or POST /api/status)."
    )
    assert all_quads(reg) == before
    # draft and submitted on its own new item still work
    r = live.put(live.fin, "fin-ny", commitment("NO9960", "finansdepartementet", "submitted"))
    assert r.status_code == 201, r.text
    assert status_of(reg, NO9960) == "submitted"


def test_another_submitter_cannot_complete_an_organisations_commitment_over_http(
    live: Live,
) -> None:
    reg = live.registry
    r = live.put(live.fin, "fin-no9960", commitment("NO9960", "finansdepartementet"))
    assert r.status_code == 201, r.text
    assert status_of(reg, NO9960) is None
    before = all_quads(reg)
    # the one line of the issue, into KUD's own (new) source graph
    for status in ("completed", "draft"):
        [v] = refused(live.put(live.kud, "kud-egen", one_line(NO9960, status)))
        assert (v["focus"], v["value"]) == (NO9960, STATUS + status)
        if status == "draft":
            assert v["message_en"].startswith(
                # KUD by its current name (Kulturdepartementet until 2021: the same body)
                f"Kultur- og likestillingsdepartementet (role submitter) cannot give {NO9960} a "
                "status in a "
                f"file: the item is described in the source {SRC}fin-no9960, submitted by "
                "Finansdepartementet, and a submitter gives only its own items a status."
            )
    # nor a successor or a withdrawal note for it, nor a forged status-change record
    replaced = f"<{NO9960}> <http://purl.org/dc/terms/isReplacedBy> <{NO0054}> .\n".encode()
    [v] = refused(live.put(live.kud, "kud-egen", replaced))
    assert "dct:isReplacedBy" in v["message_en"] and v["focus"] == NO9960
    note = f'<{NO9960}> <{SKOS_CHANGE_NOTE}> "Trukket (oppdiktet)"@nb .\n'.encode()
    [v] = refused(live.put(live.kud, "kud-egen", note))
    assert v["path"] == SKOS_CHANGE_NOTE
    record = (
        f"<{BASE}id/status-change/x> a <{OGP}StatusChange> ; <{OGP}statusOf> <{NO9960}> ;\n"
        f"  <{OGP}toStatus> <{STATUS}completed> ;\n"
        '  <http://www.w3.org/ns/prov#atTime> "2020-01-01T00:00:00Z"^^'
        "<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    ).encode()
    for t in (live.kud, live.kmd):  # also the coordinating ministry: records are the registry's
        [v] = refused(live.put(t, "kud-egen" if t is live.kud else "kmd-egen", record))
        assert "Status changes are recorded only by the registry itself" in v["message_en"]
    assert all_quads(reg) == before
    assert status_of(reg, NO9960) is None
    # the organisation itself, and the coordinating ministry, still can
    assert live.put(live.fin, "fin-no9960", commitment("NO9960", "finansdepartementet",
                                                       "submitted")).status_code == 200
    assert status_of(reg, NO9960) == "submitted"
    set_status(reg, live.kmd.record, NO9960, "accepted")
    assert status_of(reg, NO9960) == "accepted"
    audit = [(e.action, e.outcome, e.status, e.organisation) for e in AuditLog(reg.store.path)
             .entries() if e.action == "graph-store.put"]
    assert ("graph-store.put", "refused", 422, KUD) in audit


def test_an_approver_and_an_admin_may_give_any_initial_status_over_http(live: Live) -> None:
    reg = live.registry
    r = live.put(live.kmd, "kmd-ny", commitment("NO9961", "finansdepartementet", "in-force"))
    assert r.status_code == 201, r.text
    assert status_of(reg, BASE + "id/commitment/NO9961") == "in-force"
    # ... also on another organisation's item that has no status yet
    assert live.put(live.fin, "fin-no9960", commitment("NO9960", "finansdepartementet")
                    ).status_code == 201
    assert live.put(live.kmd, "kmd-status", one_line(NO9960, "accepted")).status_code == 201
    assert status_of(reg, NO9960) == "accepted"
    r = live.put(live.admin, "drift-ny", commitment("NO9962", "kulturdepartementet", "completed"))
    assert r.status_code == 201, r.text
    assert status_of(reg, BASE + "id/commitment/NO9962") == "completed"


# -- local ogpreg load ---------------------------------------------------------------------------
def cli(reg: Registry, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        main,
        ["--store", str(reg.store.path), "--base-uri", BASE, "--lang", "en", *args],
        catch_exceptions=False,
        env={"OGPREG_USER": "tester", "OGPREG_TOKEN": "", **(env or {})},
    )


def test_local_load_checks_the_statuses_as_the_submitted_by_organisations(
    registry: Registry, tmp_path: Path
) -> None:
    reg = registry
    fin_file = tmp_path / "fin.ttl"
    fin_file.write_bytes(commitment("NO9960", "finansdepartementet"))
    assert cli(reg, "load", "--submitted-by", "972417807", str(fin_file)).exit_code == 0
    before = all_quads(reg)
    attack = tmp_path / "kud.ttl"
    attack.write_bytes(one_line(NO9960, "completed"))
    r = cli(reg, "load", "--submitted-by", "972417866", str(attack))
    assert r.exit_code == 1, r.output
    assert ("cannot be given in a file from Kultur- og likestillingsdepartementet (role "
            "submitter)") in " ".join(r.output.split())
    assert "nothing was loaded" in r.output
    own = tmp_path / "fin-2.ttl"
    own.write_bytes(commitment("NO9963", "finansdepartementet", "approved"))
    r = cli(reg, "load", "--submitted-by", "Finansdepartementet", str(own))
    assert r.exit_code == 1 and "The status approved" in r.output
    assert all_quads(reg) == before
    # a submitter token acts as its organisation's submitter; an admin token and the operator
    # (neither token nor --submitted-by) may give any status
    kud_token, _kmd, admin_token = (
        tokens.issue(reg, "972417866", "submitter", "KUD"),
        tokens.issue(reg, "972417858", "approver", "KMD"),
        tokens.issue(reg, "972417858", "admin", "drift"),
    )
    r = cli(reg, "load", str(attack), env={"OGPREG_TOKEN": kud_token.secret})
    assert r.exit_code == 1 and "(role submitter)" in r.output
    r = cli(reg, "load", "--submitted-by", "972417807", "--token", kud_token.secret, str(own))
    assert r.exit_code == 2 and "does not match" in r.output
    assert all_quads(reg) == before
    own.write_bytes(commitment("NO9963", "finansdepartementet", "draft"))
    assert cli(reg, "load", "--submitted-by", "972417807", str(own)).exit_code == 0
    assert status_of(reg, BASE + "id/commitment/NO9963") == "draft"
    r = cli(reg, "load", "--token", admin_token.secret, str(attack))
    assert r.exit_code == 0, r.output
    assert status_of(reg, NO9960) == "completed"
    op = tmp_path / "drift.ttl"
    op.write_bytes(commitment("NO9964", "kulturdepartementet", "approved"))
    assert cli(reg, "load", str(op)).exit_code == 0
    assert status_of(reg, BASE + "id/commitment/NO9964") == "approved"


def _workbook(tmp_path: Path, name: str, ident: str, lead: str, status: str) -> Path:
    """A commitments workbook made by the template generator, one INVENTED row."""
    wb = load_workbook(io.BytesIO(xlsx_template("commitments", None)))
    ws = wb["Forpliktelser"]
    headers = [c.value for c in ws[1]]
    ws.delete_rows(3)  # the example row
    row = {
        "OGP-ID": ident,
        "Handlingsplan (ID) *": "2019-2021",
        "Tittel (bokmål)": f"Oppdiktet forpliktelse {ident}",
        "Ansvarlig virksomhet *": lead,
        "Tema": "Offentlige anskaffelser",
        "Status": status,
    }
    for col, header in enumerate(headers, start=1):
        ws.cell(row=3, column=col, value=row.get(str(header)))
    ms = wb["Milepæler"]
    ms.delete_rows(3)
    out = tmp_path / name
    wb.save(out)
    return out


def test_a_spreadsheets_status_column_is_checked_and_located(
    registry: Registry, tmp_path: Path
) -> None:
    reg = registry
    before = all_quads(reg)
    f = _workbook(tmp_path, "forpliktelser.xlsx", "NO9960", "Finansdepartementet",
                  "Godkjent av regjeringen")
    r = cli(reg, "load", "--submitted-by", "972417807", str(f))
    assert r.exit_code == 1, r.output
    assert "forpliktelser.xlsx, sheet «Forpliktelser», row 3, column «Status» (X3)" in r.output
    assert "The status approved (“approved by the government”) cannot be given" in r.output
    j = cli(reg, "load", "--report", "json", "--submitted-by", "972417807", str(f))
    [v] = [i for i in json.loads(j.stdout)["issues"] if i["severity"] == "violation"]
    assert v["location"] == {"sheet": "Forpliktelser", "row": 3, "column": "Status",
                             "cell": "X3"}
    # ogpreg validate says the same before anything is sent
    r = cli(reg, "validate", "--submitted-by", "972417807", str(f))
    assert r.exit_code == 1 and "column «Status» (X3)" in r.output
    assert all_quads(reg) == before
    ok = _workbook(tmp_path, "forpliktelser-2.xlsx", "NO9960", "Finansdepartementet",
                   "Sendt inn")
    assert cli(reg, "load", "--submitted-by", "972417807", str(ok)).exit_code == 0
    assert status_of(reg, NO9960) == "submitted"
    # another ministry's workbook describing a commitment of Finansdepartementet that has no
    # status yet: not its item
    fin = tmp_path / "fin.ttl"
    fin.write_bytes(commitment("NO9961", "finansdepartementet"))
    assert cli(reg, "load", "--submitted-by", "972417807", str(fin)).exit_code == 0
    before = all_quads(reg)
    other = _workbook(tmp_path, "kud.xlsx", "NO9961", "Finansdepartementet", "Utkast")
    r = cli(reg, "load", "--submitted-by", "972417866", str(other))
    assert r.exit_code == 1
    assert "kud.xlsx, sheet «Forpliktelser», row 3, column «Status» (X3)" in r.output
    assert (
        f"Kultur- og likestillingsdepartementet (role submitter) cannot give "
        f"{BASE}id/commitment/NO9961 a status "
        f"in a file: the item is described in the source {SRC}fin, submitted by Finansdepartementet"
    ) in " ".join(r.output.split())
    assert all_quads(reg) == before


def test_the_rights_are_checked_again_inside_the_commit(
    registry: Registry,
) -> None:
    """A source loaded between the check and the commit (another process) cannot slip an item
    of another organisation through: the commit's transaction checks again."""
    reg = registry
    kud = Actor.submitter(KUD, "Kulturdepartementet")
    prepared = reg.prepare(
        [SourceFile("kud.ttl", commitment("NO9960", "finansdepartementet", "draft"), "kud")],
        actor=kud,
    )
    reg.load([SourceFile("fin.ttl", commitment("NO9960", "finansdepartementet"), "fin")],
             submitted_by=FIN)
    before = all_quads(reg)
    with pytest.raises(ValidationFailed) as late:
        reg._commit(prepared, loaded_by="tester", submitted_by=KUD, actor=kud)
    [v] = late.value.report.violations
    assert v.focus == NO9960 and "described in the source" in v.message_en
    assert all_quads(reg) == before


# -- admin correction -------------------------------------------------------------------------
def test_an_admin_corrects_a_final_status_only_with_a_reason_and_it_is_audited(
    live: Live,
) -> None:
    reg = live.registry
    assert status_of(reg, NO0054) == "completed"
    with pytest.raises(LifecycleError) as approver:
        set_status(reg, live.kmd.record, NO0054, "in-force", reason="Feil (oppdiktet)")
    assert "the current status is final; only admin can correct it" in approver.value.render("en")
    with pytest.raises(LifecycleError) as bare:
        set_status(reg, live.admin.record, NO0054, "in-force")
    assert "an admin can correct a status outside the rules only with a reason" in (
        bare.value.render("en")
    )
    assert status_of(reg, NO0054) == "completed"
    # on the command line, with the audit log
    r = cli(reg, "status", "id/commitment/NO0054", "--set", "in-force", "--reason",
            "Feilregistrert som avsluttet (oppdiktet)", "--token", live.admin.secret)
    assert r.exit_code == 0, r.output
    assert status_of(reg, NO0054) == "in-force"
    [entry] = [e for e in AuditLog(reg.store.path).entries() if e.action == "status"]
    assert (entry.outcome, entry.role, entry.target) == ("ok", "admin", NO0054)
    assert entry.message.startswith("completed -> in-force; change ")
    assert entry.message.endswith(
        "; admin correction; reason: Feilregistrert som avsluttet (oppdiktet)"
    )
    # a normal status change: a version in the history and a member of the feed
    last = versions(reg.store.reader(), NO0054)[-1]
    assert last.change.kind == "status"
    assert last.change.reason("nb") == "Feilregistrert som avsluttet (oppdiktet)"
    feed = requests.get(live.url + "/feed", params={"after": str(last.number - 1),
                                                    "format": "ntriples"}, timeout=60)
    assert feed.status_code == 200 and f"<{last.uri}>" in feed.text
    # out of withdrawn over HTTP: the withdrawal's note goes with the status
    set_status(reg, live.kmd.record, NO0054, "withdrawn", reason="Trukket (oppdiktet)")
    note = ox.NamedNode(SKOS_CHANGE_NOTE)
    lc = ox.NamedNode(LIFECYCLE)
    assert list(reg.store.reader().quads_for_pattern(ox.NamedNode(NO0054), note, None, lc))

    def post(body: dict[str, str], t: tokens.IssuedToken) -> requests.Response:
        return requests.post(live.url + "/api/status", json=body, timeout=60,
                             headers={"Authorization": f"Bearer {t.secret}",
                                      "Accept-Language": "en"})

    r = post({"item": NO0054, "status": "in-force"}, live.admin)
    assert r.status_code == 409 and "only with a reason" in r.json()["message"]
    r = post({"item": NO0054, "status": "in-force", "reason": "Ved en feil"}, live.kmd)
    assert r.status_code == 409 and "final" in r.json()["message"]
    r = post({"item": NO0054, "status": "in-force", "reason": "Ved en feil"}, live.admin)
    assert r.status_code == 200, r.text
    assert (r.json()["from"], r.json()["to"]) == ("withdrawn", "in-force")
    assert not list(reg.store.reader().quads_for_pattern(ox.NamedNode(NO0054), note, None, lc))
    api = [e for e in AuditLog(reg.store.path).entries() if e.action == "api.status"]
    assert [(e.outcome, e.role) for e in api] == [
        ("refused", "admin"), ("refused", "approver"), ("ok", "admin")
    ]
    assert api[-1].message.endswith("; admin correction; reason: Ved en feil")
