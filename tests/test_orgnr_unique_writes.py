"""One organisation number, one organisation, on every write path (docs/data-model.md, "One
number, one organisation"; docs/security.md, red-team finding 3). The shape
``ogpsh:OrganisationNumberUnique`` refused a copy of a ministry loaded from a file, but two
ways around it were left:

* **SPARQL Update**: an approver's or admin's ``POST /sparql/update`` inserting a second
  organisation with a registered organisation's number was committed: the update's
  revalidation (``registry/access/graphstore.py``, ``_revalidate``) did not bring the
  organisations sharing the number into the validation context, so the shape never saw the
  clash;
* **several files in one load** (``ogpreg load a.xlsx b.ttl``), each describing another
  organisation with the same number, neither registered yet: each file was validated alone
  against the registry, which has neither.

And the Graph Store writes (``PUT`` and ``POST`` of a named graph) are checked over a real
socket too. Every refusal leaves the store as it was.

The organisations added here ("aaa-kdd", "kopi-av-ssb", "eksempeletaten-a/-b") are INVENTED;
the numbers are real ones of the bundled register (KDD's 972417858, SSB's 971526920), used to
show copies being refused. For the files of one load, SSB's number is first removed from the
test's own store, so that neither file's organisation is registered."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner, Result
from openpyxl import Workbook

from endpoint.app import create_app
from endpoint.server import Server
from ogpreg.cli import main
from registry.access import graphstore, tokens
from registry.errors import ValidationFailed
from registry.loading.sources import SourceFile
from registry.namespaces import OGP
from registry.service import Registry, open_registry
from tests.conftest import BASE, all_quads, make_settings

ORG = BASE + "id/organisation/"
KDD = ORG + "kommunal-og-moderniseringsdepartementet"  # 972417858
SSB = ORG + "statistisk-sentralbyra"  # 971526920
SRC = BASE + "graph/source/"
SHAPE = "https://w3id.org/ogp-no/shapes#OrganisationNumberUniqueShape"
#: what the shape says of a copy of KDD, in bokmål (as a load is told:
#: tests/test_org_impersonation.py)
KDD_COPY_NB = (
    "Organisasjonsnummeret 972417858 er allerede nummeret til Kommunal- og "
    f"distriktsdepartementet ({KDD}). Ett organisasjonsnummer hører til én organisasjon: skriv "
    "opplysningene om den organisasjonen på dens egen oppføring, eller rett nummeret (i RDF: på "
    "dens IRI)."
)

PREFIXES = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix kind: <https://w3id.org/ogp-no/vocab/organisation-kind/> .
"""
SPARQL_PREFIXES = "\n".join(
    "PREFIX " + line.removeprefix("@prefix ").removesuffix(" .")
    for line in PREFIXES.splitlines()
)

#: An INVENTED copy of KDD: its number under another IRI and an invented name.
COPY = """<id/organisation/aaa-kdd> a org:Organization, ogp:PublicBody, ogp:Ministry ;
    skos:prefLabel "Kopidepartementet (oppdiktet)"@nb ;
    ogp:organisationNumber "972417858" ;
    ogp:organisationKind kind:ministry .
"""


def _cli(reg: Registry, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["--store", str(reg.store.path), "--base-uri", BASE, *args],
        catch_exceptions=False,
        env={"OGPREG_USER": "tester"},
    )


@dataclass
class Live:
    url: str
    registry: Registry
    secrets: dict[str, str]  # role -> the token `ogpreg token add` printed

    def send(self, method: str, path: str, role: str, body: str, content_type: str,
             **params: str) -> Any:
        return requests.request(
            method,
            self.url + path,
            params=params,
            data=body.encode("utf-8"),
            headers={
                "Content-Type": content_type,
                "Authorization": f"Bearer {self.secrets[role]}",
            },
            timeout=60,
        )

    def update(self, role: str, sparql: str) -> Any:
        return self.send("POST", "/sparql/update", role, sparql, "application/sparql-update")


@pytest.fixture
def live(registry: Registry) -> Iterator[Live]:
    """The registry served by the production server on a free port, with tokens issued as
    the operator issues them (``ogpreg token add``): KDD's approver, an admin (KDD), and
    KUD's submitter."""
    secrets = {}
    for role, org in (("approver", "972417858"), ("admin", "972417858"),
                      ("submitter", "972417866")):
        r = _cli(registry, "token", "add", "--org", org, "--role", role)
        assert r.exit_code == 0, r.stderr
        secrets[role] = r.stdout.strip()
    settings = replace(registry.settings, query_workers=1)
    server = Server(create_app(settings, registry=registry), host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        yield Live(server.url.rstrip("/"), registry, secrets)
    finally:
        server.close()


def _refused_as_a_copy(r: Any, focus: str) -> dict[str, Any]:
    """The 422 of a write refused by ogpsh:OrganisationNumberUnique; its issue."""
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "validation-failed"
    violations = [i for i in body["report"]["issues"] if i["severity"] == "violation"]
    assert [(i["focus"], i["path"], i["shape"]) for i in violations] == [
        (focus, str(OGP.organisationNumber), SHAPE)
    ], violations
    return violations[0]  # type: ignore[no-any-return]


# -- 1. SPARQL Update ------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["approver", "admin"])
def test_a_copy_inserted_by_sparql_update_is_refused_and_changes_nothing(
    live: Live, role: str
) -> None:
    before = all_quads(live.registry)
    update = (
        SPARQL_PREFIXES
        + f"\nINSERT DATA {{ GRAPH <{SRC}kopi> {{\n"
        + COPY.replace("<id/", f"<{BASE}id/")
        + "} }"
    )
    r = live.update(role, update)
    issue = _refused_as_a_copy(r, ORG + "aaa-kdd")
    assert issue["message"] == KDD_COPY_NB  # the same words as a load gets
    assert issue["value"] == "972417858"
    assert all_quads(live.registry) == before
    # the load of the same statements is refused with the same issue
    with pytest.raises(ValidationFailed) as caught:
        live.registry.load([SourceFile("kopi.ttl", (PREFIXES + COPY).encode(), "kopi")])
    assert caught.value.report is not None
    (loaded,) = caught.value.report.violations
    assert (loaded.focus, loaded.message_nb) == (issue["focus"], issue["message"])


def test_a_copy_inserted_by_sparql_update_is_refused_on_an_external_engine(
    remote_registry: Registry,
) -> None:
    """The same revalidation on Oxigraph's server and Virtuoso (tests/engines.py): the
    namesakes are read through the engine's transaction."""
    reg = remote_registry
    kdd = tokens.issue(reg, "972417858", "approver", "KDD")
    update = (
        SPARQL_PREFIXES
        + f"\nINSERT DATA {{ GRAPH <{SRC}kopi> {{\n"
        + COPY.replace("<id/", f"<{BASE}id/")
        + "} }"
    )
    with pytest.raises(ValidationFailed) as caught:
        graphstore.apply_update(reg, kdd.record, update)
    assert caught.value.report is not None
    assert [(i.focus, i.shape, i.message_nb) for i in caught.value.report.violations] == [
        (ORG + "aaa-kdd", SHAPE, KDD_COPY_NB)
    ]
    kopi = ox.NamedNode(SRC + "kopi")
    assert not list(reg.store.reader().quads_for_pattern(None, None, None, kopi))


def test_a_number_an_update_gives_an_organisation_of_another_graph_is_checked(
    live: Live,
) -> None:
    """The update writes only the number; the organisation it is about is described in
    another graph. Its namesakes are brought in all the same."""
    r = live.update(
        "approver",
        SPARQL_PREFIXES + f"\nINSERT DATA {{ GRAPH <{SRC}kopi> {{\n"
        + COPY.replace("<id/", f"<{BASE}id/").replace(' ;\n    ogp:organisationNumber '
                                                      '"972417858"', "")
        + "} }",
    )
    assert r.status_code == 200, r.text
    before = all_quads(live.registry)
    r = live.update(
        "approver",
        f'INSERT DATA {{ GRAPH <{SRC}kopi-nummer> {{ <{ORG}aaa-kdd> '
        f'<{OGP.organisationNumber}> "972417858" }} }}',
    )
    assert _refused_as_a_copy(r, ORG + "aaa-kdd")["message"] == KDD_COPY_NB
    assert all_quads(live.registry) == before
    # and giving the organisation that has the number its number again is no copy
    r = live.update(
        "approver",
        f'INSERT DATA {{ GRAPH <{SRC}kdd-nummer> {{ <{KDD}> '
        f'<{OGP.organisationNumber}> "972417858" }} }}',
    )
    assert r.status_code == 200, r.text


# -- 2. the Graph Store ---------------------------------------------------------------------------
def test_a_copy_put_or_posted_to_the_graph_store_is_refused_and_changes_nothing(
    live: Live,
) -> None:
    before = all_quads(live.registry)
    for method in ("PUT", "POST"):  # POST: to a new graph
        r = live.send(method, "/graph-store", "submitter", PREFIXES + COPY, "text/turtle",
                      graph=SRC + "kud-kopi")
        assert _refused_as_a_copy(r, ORG + "aaa-kdd")["message"] == KDD_COPY_NB
    assert all_quads(live.registry) == before
    # POST merging the number into a graph that already describes the organisation
    without = PREFIXES + COPY.replace(' ;\n    ogp:organisationNumber "972417858"', "")
    r = live.send("PUT", "/graph-store", "submitter", without, "text/turtle",
                  graph=SRC + "kud-kopi")
    assert r.status_code == 201, r.text
    before = all_quads(live.registry)
    r = live.send("POST", "/graph-store", "submitter",
                  f'<{ORG}aaa-kdd> <{OGP.organisationNumber}> "972417858" .', "text/turtle",
                  graph=SRC + "kud-kopi")
    assert _refused_as_a_copy(r, ORG + "aaa-kdd")["message"] == KDD_COPY_NB
    assert all_quads(live.registry) == before


# -- 3. several files of one load ---------------------------------------------------------------
def _without_ssbs_number(reg: Registry) -> Registry:
    """The test's store without SSB's organisation number: no organisation has 971526920."""
    number = ox.NamedNode(str(OGP.organisationNumber))
    with reg.store.transaction() as tx:
        for q in list(tx.quads_for_pattern(None, number, ox.Literal("971526920"), None)):
            tx.remove(q)
    return open_registry(make_settings(reg.store.path))


def _workbook(path: Path, name: str) -> Path:
    """An organisations workbook with one INVENTED organisation, with SSB's number."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Organisasjoner"
    ws.append(["Navn (bokmål) *", "Navn (engelsk)", "Andre navn (bokmål)",
               "Organisasjonstype *", "Organisasjonsnummer"])
    ws.append([name, "", "", "Offentlig virksomhet", 971526920])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def _turtle(path: Path, slug: str, name: str) -> Path:
    """An INVENTED organisation with SSB's number, its number on line 8."""
    path.write_text(
        PREFIXES + f"""
<id/organisation/{slug}> a org:Organization, ogp:PublicBody ;
    skos:prefLabel "{name}"@nb ;
    ogp:organisationNumber "971526920" ;
    ogp:organisationKind kind:public-body .
""",
        encoding="utf-8",
    )
    return path


def test_two_rdf_files_of_one_load_giving_one_number_to_two_organisations_are_refused(
    registry: Registry, tmp_path: Path
) -> None:
    reg = _without_ssbs_number(registry)
    a = _turtle(tmp_path / "a.ttl", "eksempeletaten-a", "Eksempeletaten A (oppdiktet)")
    b = _turtle(tmp_path / "b.ttl", "eksempeletaten-b", "Eksempeletaten B (oppdiktet)")
    before = all_quads(reg)
    r = _cli(reg, "--lang", "en", "load", str(a), str(b))
    assert r.exit_code == 1, r.output
    out = r.stdout + r.stderr
    for place in (f"{a}, line 8", f"{b}, line 8"):
        assert place in out, out
    assert ORG + "eksempeletaten-a" in out and ORG + "eksempeletaten-b" in out
    assert all_quads(reg) == before
    # through the registry's API: one violation in each file, each at its line
    with pytest.raises(ValidationFailed) as caught:
        reg.validate([SourceFile("a.ttl", a.read_bytes(), "a"),
                      SourceFile("b.ttl", b.read_bytes(), "b")])
    assert caught.value.report is not None
    got = {(i.file, i.focus, i.path, i.value, i.location.get("line"))
           for i in caught.value.report.violations}
    assert got == {
        ("a.ttl", ORG + "eksempeletaten-a", str(OGP.organisationNumber), "971526920", 8),
        ("b.ttl", ORG + "eksempeletaten-b", str(OGP.organisationNumber), "971526920", 8),
    }
    (in_b,) = (i for i in caught.value.report.violations if i.file == "b.ttl")
    assert "a.ttl, line 8" in in_b.message_en and "b.ttl, line 8" in in_b.message_en
    # either file alone loads; the other is then refused by the shape, as before
    reg.load([SourceFile("a.ttl", a.read_bytes(), "a")])
    with pytest.raises(ValidationFailed):
        reg.load([SourceFile("b.ttl", b.read_bytes(), "b")])


def test_a_workbook_and_a_turtle_file_of_one_load_sharing_a_number_are_refused(
    registry: Registry, tmp_path: Path
) -> None:
    reg = _without_ssbs_number(registry)
    a = _workbook(tmp_path / "a.xlsx", "Eksempeletaten A (oppdiktet)")
    b = _turtle(tmp_path / "b.ttl", "eksempeletaten-b", "Eksempeletaten B (oppdiktet)")
    before = all_quads(reg)
    r = _cli(reg, "--lang", "en", "load", "--submitted-by", "972417858", str(a), str(b))
    assert r.exit_code == 1, r.output
    out = r.stdout
    # the workbook's problem at its cell, naming the Turtle file's line; the Turtle file's
    # at its line, naming the workbook and the organisation of its row
    assert "a.xlsx, sheet «Organisasjoner», row 2, column «Organisasjonsnummer» (E2)" in out, out
    assert f"{b}, line 8" in out, out
    assert f"{b} (line=8)" in out, out
    assert "a.xlsx" in out.split(f"{b} (line=8)", 1)[1], out
    assert ORG + "eksempeletaten-b" in out
    assert "Eksempeletaten A (oppdiktet)" in out
    assert all_quads(reg) == before


def test_one_organisation_described_in_two_files_of_one_load_is_no_copy(
    registry: Registry, tmp_path: Path
) -> None:
    reg = _without_ssbs_number(registry)
    a = _turtle(tmp_path / "a.ttl", "eksempeletaten-a", "Eksempeletaten A (oppdiktet)")
    b = tmp_path / "b.ttl"
    b.write_text(f'<{ORG}eksempeletaten-a> <{OGP.organisationNumber}> "971526920" .\n',
                 encoding="utf-8")
    r = _cli(reg, "load", str(a), str(b))
    assert r.exit_code == 0, r.output
