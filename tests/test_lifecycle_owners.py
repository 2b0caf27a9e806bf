"""Who owns an item for its registry status (docs/lifecycle.md, "Who owns an item"): a submitter
may set draft/submitted only on its own organisation's plans, commitments and proposals, and
which those are is read only from the sources that describe the item (``rdf:type``), never from
a source that merely mentions it.

The attack of the red-team audit is done for real: Graph Store PUTs and ``POST /api/status``
with real tokens to the real app on a real socket; every refusal leaves every quad of the store,
the revision and the history as they were.

Finansdepartementet (972417807), Kulturdepartementet (972417866), Kommunal- og
moderniseringsdepartementet (972417858), Nærings- og fiskeridepartementet (912660680) and
Transparency International Norge are real organisations of the bundled register, and NO0035
(led by Finansdepartementet) is a real commitment of the bundled 2013–2015 plan; the
commitments NO9977 and NO9978 and what is said about them are INVENTED for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.errors import LifecycleForbidden
from registry.history.versions import last_change_number
from registry.lifecycle.change import set_status
from registry.lifecycle.state import current_status, item_facts
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads
from tests.endpoint_server import running

SRC = BASE + "graph/source/"
ORG = BASE + "id/organisation/"
FIN = ORG + "finansdepartementet"
KUD = ORG + "kulturdepartementet"
KMD = ORG + "kommunal-og-moderniseringsdepartementet"
TI = ORG + "transparency-international-norge"
NO9977 = BASE + "id/commitment/NO9977"
NO9978 = BASE + "id/commitment/NO9978"
NO0035 = BASE + "id/commitment/NO0035"  # bundled, real: led by Finansdepartementet
PROPOSAL = BASE + "id/proposal/livslop-f1"  # tests/fixtures/lifecycle/proposal.json
STATUS = "https://w3id.org/ogp-no/vocab/status/"
PREFIXES = (
    "# INVENTED example for tests\n"
    "@prefix ogp: <https://w3id.org/ogp-no/def#> .\n"
    "@prefix dct: <http://purl.org/dc/terms/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


def commitment(ident: str, *leads: str, status: str | None = None) -> bytes:
    """An INVENTED commitment of the plan 2019-2021, led by ``leads`` (organisation slugs)."""
    text = (
        PREFIXES + f"<id/commitment/{ident}> a ogp:Commitment ;\n"
        f'    dct:identifier "{ident}" ;\n'
        f'    dct:title "Oppdiktet forpliktelse {ident}"@nb , "Invented commitment {ident}"@en ;\n'
        "    ogp:inActionPlan <id/plan/2019-2021> ;\n"
        + "".join(f"    ogp:leadAgency <id/organisation/{lead}> ;\n" for lead in leads)
        + "    ogp:theme <https://w3id.org/ogp-no/theme/public-procurement>"
    )
    if status:
        text += f" ;\n    ogp:registryStatus <{STATUS}{status}>"
    return (text + " .\n").encode("utf-8")


def load(reg: Registry, source: str, body: bytes | str, submitted_by: str) -> None:
    """Load ``body`` (Turtle) as the source ``source`` submitted by ``submitted_by``."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    reg.load([SourceFile(source + ".ttl", data, source)], submitted_by=submitted_by)


def status_of(reg: Registry, item: str) -> str | None:
    return current_status(reg.store.reader(), BASE, item)


def owners(reg: Registry, item: str) -> set[str]:
    return item_facts(reg.store.reader(), BASE, item).owners


@dataclass(frozen=True)
class State:
    """Everything a refused change must leave as it was."""

    quads: set[ox.Quad]
    revision: str | None
    change: int

    @classmethod
    def of(cls, reg: Registry) -> State:
        rev = reg.store.revision()
        return cls(all_quads(reg), rev.etag if rev else None, last_change_number(reg.store.reader()))


@dataclass
class Live:
    url: str
    registry: Registry
    fin: tokens.IssuedToken  # submitter, Finansdepartementet (organisation A)
    kud: tokens.IssuedToken  # submitter, Kulturdepartementet (organisation B)
    kmd: tokens.IssuedToken  # approver, the coordinating ministry

    def put(self, t: tokens.IssuedToken, source: str, body: bytes) -> requests.Response:
        return requests.put(
            self.url + "/graph-store",
            params={"graph": SRC + source},
            data=body,
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {t.secret}"},
            timeout=60,
        )

    def status(self, t: tokens.IssuedToken, item: str, status: str) -> requests.Response:
        return requests.post(
            self.url + "/api/status",
            json={"item": item, "status": status},
            headers={"Authorization": f"Bearer {t.secret}", "Accept-Language": "en"},
            timeout=60,
        )


@pytest.fixture
def live(registry: Registry) -> Iterator[Live]:
    """The registry with three tokens, served by the real app on a free port."""
    fin = tokens.issue(registry, "972417807", "submitter", "FIN")
    kud = tokens.issue(registry, "972417866", "submitter", "KUD")
    kmd = tokens.issue(registry, "972417858", "approver", "KMD")
    with running(registry.store.path, query_workers=1) as site:
        yield Live(site.url.rstrip("/"), registry, fin, kud, kmd)


def forbidden(r: requests.Response) -> str:
    """The message of a 403 answer in the endpoint's one error shape."""
    assert r.status_code == 403, r.text
    body = r.json()
    assert (body["status"], body["error"]) == (403, "lifecycle-forbidden")
    return str(body["message"])


# -- the audit's attack --------------------------------------------------------------------------
def test_a_statement_about_another_organisations_item_does_not_make_its_submitter_an_owner(
    live: Live,
) -> None:
    reg = live.registry
    assert live.put(live.fin, "fin-own", commitment("NO9977", "finansdepartementet",
                                                    status="draft")).status_code == 201
    assert status_of(reg, NO9977) == "draft"
    assert "did not submit or propose the item" in forbidden(
        live.status(live.kud, NO9977, "submitted"))
    # one harmless statement about A's commitment in B's own source graph: allowed as data ...
    mention = f"<{NO9977}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/> .\n"
    assert live.put(live.kud, "kud-own", mention.encode()).status_code == 201
    # ... but it does not make B an owner of the commitment
    before = State.of(reg)
    message = forbidden(live.status(live.kud, NO9977, "submitted"))
    assert message.startswith(f"Cannot set the status “submitted” (submitted) on {NO9977}: "
                              "Kultur- og likestillingsdepartementet did not submit or propose "
                              f"the item (it belongs to {FIN});")
    with pytest.raises(LifecycleForbidden):
        set_status(reg, live.kud.record, NO9977, "submitted")
    assert State.of(reg) == before
    assert status_of(reg, NO9977) == "draft"
    assert owners(reg, NO9977) == {FIN}
    refused = [(e.outcome, e.status, e.organisation) for e in AuditLog(reg.store.path).entries()
               if e.action == "api.status"]
    assert refused[-1] == ("refused", 403, KUD)
    # A itself still can
    ok = live.status(live.fin, NO9977, "submitted")
    assert ok.status_code == 200, ok.text
    assert (ok.json()["from"], ok.json()["to"]) == ("draft", "submitted")
    assert status_of(reg, NO9977) == "submitted"


def test_describing_another_organisations_item_too_gives_no_right_over_it(live: Live) -> None:
    """B types A's commitment in its own graph and names itself its lead agency: a second
    description that does not agree with A's. Nobody but the coordinating ministry may then
    set its status (the rule fails closed), and an agreeing description leaves A its rights."""
    reg = live.registry
    assert live.put(live.fin, "fin-own", commitment("NO9977", "finansdepartementet",
                                                    status="draft")).status_code == 201
    claim = (PREFIXES + f"<{NO9977}> a ogp:Commitment ; ogp:leadAgency <{KUD}> .\n").encode()
    r = live.put(live.kud, "kud-own", claim)
    assert r.status_code == 201, r.text
    before = State.of(reg)
    for t, who in ((live.kud, "Kultur- og likestillingsdepartementet"),
                   (live.fin, "Finansdepartementet")):
        message = forbidden(live.status(t, NO9977, "submitted"))
        assert f"{who} is not the only organisation that describes the item" in message
        assert f"{SRC}fin-own" in message and f"{SRC}kud-own" in message
    with pytest.raises(LifecycleForbidden) as fin:
        set_status(reg, live.fin.record, NO9977, "submitted")
    assert fin.value.http_status == 403
    assert fin.value.render("nb").startswith(
        f"Kan ikke sette status «sendt inn» (submitted) på {NO9977}: Finansdepartementet er "
        "ikke den eneste organisasjonen som beskriver elementet (rdf:type): det er beskrevet i "
        f"kilden {SRC}fin-own, sendt inn av {FIN}; i kilden {SRC}kud-own, sendt inn av {KUD}.")
    assert State.of(reg) == before
    assert owners(reg, NO9977) == set()
    # B's description agrees that A leads it: A is its own organisation again, B is not
    agree = (PREFIXES + f"<{NO9977}> a ogp:Commitment ; ogp:leadAgency <{FIN}> .\n").encode()
    assert live.put(live.kud, "kud-own", agree).status_code == 200
    assert owners(reg, NO9977) == {FIN}
    message = forbidden(live.status(live.kud, NO9977, "submitted"))
    assert ("Kultur- og likestillingsdepartementet is not the only organisation that describes "
            f"the item (rdf:type): it is described in the source {SRC}fin-own, submitted by "
            f"{FIN}; in the source {SRC}kud-own, submitted by {KUD}. An item several "
            "organisations describe belongs to the organisations they all agree on") in message
    assert f"those that data names: here {FIN}. Only the item's own organisation" in message
    assert live.status(live.fin, NO9977, "submitted").status_code == 200
    # the coordinating ministry always may
    assert live.status(live.kmd, NO9977, "accepted").status_code == 200


# -- items several sources describe -------------------------------------------------------------
def test_a_bundled_commitment_belongs_to_the_lead_agency_the_registrys_own_data_names(
    registry: Registry,
) -> None:
    reg = registry
    fin = tokens.issue(reg, "972417807", "submitter", "FIN")
    kud = tokens.issue(reg, "972417866", "submitter", "KUD")
    assert status_of(reg, NO0035) is None and owners(reg, NO0035) == {FIN}
    # another ministry resubmits the bundled commitment, as its own lead agency: the registry's
    # own description decides, so it gains nothing
    claim = PREFIXES + (f"<{NO0035}> a ogp:Commitment ; ogp:leadAgency <{KUD}> ;\n"
                        f'  rdfs:comment "Oppdiktet tillegg (eksempel)"@nb .\n')
    load(reg, "kud-no0035", claim, KUD)
    before = State.of(reg)
    with pytest.raises(LifecycleForbidden):
        set_status(reg, kud.record, NO0035, "draft")
    assert State.of(reg) == before
    assert owners(reg, NO0035) == {FIN}
    # the lead agency the bundled data names may, also when it resubmits the commitment
    load(reg, "fin-no0035", PREFIXES + f"<{NO0035}> a ogp:Commitment ; ogp:leadAgency <{FIN}> .\n",
         FIN)
    assert owners(reg, NO0035) == {FIN}
    assert set_status(reg, fin.record, NO0035, "draft").to_status == "draft"


def test_every_lead_agency_of_a_commitment_owns_it(registry: Registry) -> None:
    reg = registry
    kud = tokens.issue(reg, "972417866", "submitter", "KUD")
    nfd = tokens.issue(reg, "912660680", "submitter", "NFD")
    load(reg, "fin-no9978", commitment("NO9978", "finansdepartementet", "kulturdepartementet"),
         FIN)
    assert owners(reg, NO9978) == {FIN, KUD}
    with pytest.raises(LifecycleForbidden):
        set_status(reg, nfd.record, NO9978, "draft")
    assert set_status(reg, kud.record, NO9978, "draft").to_status == "draft"
    # the second lead agency submits the same commitment itself: both descriptions agree
    load(reg, "kud-no9978", commitment("NO9978", "finansdepartementet", "kulturdepartementet"),
         KUD)
    assert owners(reg, NO9978) == {FIN, KUD}


def test_a_proposal_entered_by_the_coordinating_ministry_belongs_to_its_proposer(
    registry: Registry,
) -> None:
    """The coordinating ministry loads a civil-society proposal for its proposer: the proposer
    (ogp:proposedBy in that source) may submit it; a ministry that only mentions it may not."""
    reg = registry
    ti = tokens.issue(reg, "Transparency International Norge", "submitter", "TI")
    nfd = tokens.issue(reg, "912660680", "submitter", "NFD")
    r = CliRunner().invoke(
        main,
        ["--store", str(reg.store.path), "--base-uri", BASE, "--lang", "en", "load",
         "--submitted-by", "972417858", str(FIXTURES / "lifecycle" / "proposal.json")],
        catch_exceptions=False, env={"OGPREG_USER": "tester", "OGPREG_TOKEN": ""},
    )
    assert r.exit_code == 0, r.output
    assert owners(reg, PROPOSAL) == {KMD, TI}
    mention = (f"<{PROPOSAL}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
               "<https://example.org/> .\n")
    load(reg, "nfd-own", mention, ORG + "naerings-og-fiskeridepartementet")
    before = State.of(reg)
    with pytest.raises(LifecycleForbidden):
        set_status(reg, nfd.record, PROPOSAL, "submitted")
    assert State.of(reg) == before
    assert owners(reg, PROPOSAL) == {KMD, TI}
    assert set_status(reg, ti.record, PROPOSAL, "submitted").to_status == "submitted"
