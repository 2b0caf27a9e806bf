"""One organisation cannot pass for another (a red-team finding): a submitter (KUD) registered,
in its own graph, a second organisation with KMD/KDD's organisation number and names and the
abbreviation "NFD"; it loaded without a word, and then lead agencies given by that number
pointed to the copy, ``ogpreg token add --org 972417858`` printed KDD's name but recorded the
copy, and "NFD" became a name of two bodies, so NFD's own submissions failed.

Guarded here, with real stores (the bundled register):

* the shapes refuse an organisation whose number is already another organisation's
  (``ogpsh:OrganisationNumberUnique``), with the registry's organisations as validation context,
  over the graph store and through :meth:`Registry.load`, and nothing is written;
* a name or abbreviation of another organisation is a warning that names it
  (``ogpsh:OrganisationNameUnique``), case-insensitively;
* resolution by number or name (``registry/model/organisations.py``, ``loaders/build/refs.py``)
  never prefers a copy written later over the registry's own organisation, whatever the IRIs'
  order, and refuses, naming both, when it cannot tell which is meant;
* ``ogpreg token add`` records the organisation whose name it prints, and refuses a number
  that several organisations have.

The organisations added here ("aaa-kdd", "zzz-kdd", "eksempelforeningen") are INVENTED; the
numbers are real ones of the bundled register, used to show the copies being refused."""

from __future__ import annotations

import json

import click
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from loaders.build.refs import References
from ogpreg.cli import main
from registry.access import tokens
from registry.access.graphstore import put_graph
from registry.errors import NotFound, UsageError, ValidationFailed
from registry.loading.sources import SourceFile
from registry.model.organisations import resolve_organisation
from registry.namespaces import OGP
from registry.service import Registry, open_registry
from tests.conftest import BASE, all_quads, make_settings

ORG = BASE + "id/organisation/"
KDD = ORG + "kommunal-og-moderniseringsdepartementet"  # 972417858 (KMD, renamed KDD in 2022)
KUD = ORG + "kulturdepartementet"  # 972417866
NFD = ORG + "naerings-og-fiskeridepartementet"  # 912660680
SHAPES = "https://w3id.org/ogp-no/shapes#"

PREFIXES = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix kind: <https://w3id.org/ogp-no/vocab/organisation-kind/> .
"""

#: The red team's submission, as KUD sent it (an invented copy of KDD).
ATTACK = PREFIXES + b"""
<id/organisation/aaa-kdd> a org:Organization, ogp:PublicBody, ogp:Ministry ;
    skos:prefLabel "Kommunal- og distriktsdepartementet"@nb ;
    skos:altLabel "KDD"@nb, "NFD"@nb ;
    ogp:organisationNumber "972417858" ;
    ogp:organisationKind kind:ministry .
"""


def _copy(slug: str, number: str = "972417858") -> bytes:
    """An invented organisation with another organisation's number and names."""
    return PREFIXES + f"""
<id/organisation/{slug}> a org:Organization, ogp:PublicBody, ogp:Ministry ;
    skos:prefLabel "Kommunal- og distriktsdepartementet"@nb ;
    skos:altLabel "KDD"@nb, "NFD"@nb ;
    ogp:organisationNumber "{number}" ;
    ogp:organisationKind kind:ministry .
""".encode()


def _violations(exc: ValidationFailed) -> list[tuple[str, str | None, str | None]]:
    assert exc.report is not None
    return [(i.focus, i.path, i.shape) for i in exc.report.violations]


def _reopen(reg: Registry) -> Registry:
    return open_registry(make_settings(reg.store.path))


# -- 1. the shapes refuse a second organisation with the same number ----------------------------
def test_the_attack_over_the_graph_store_is_refused_and_changes_nothing(
    registry: Registry,
) -> None:
    kud = tokens.issue(registry, "972417866", "submitter").record
    assert kud.organisation == KUD
    before = all_quads(registry)
    with pytest.raises(ValidationFailed) as caught:
        put_graph(registry, kud, BASE + "graph/source/kud-organisasjoner", ATTACK,
                  fmt="turtle", file_name="organisasjoner.ttl")
    fake = ORG + "aaa-kdd"
    assert _violations(caught.value) == [
        (fake, str(OGP.organisationNumber), SHAPES + "OrganisationNumberUniqueShape")
    ]
    report = caught.value.report
    assert report is not None
    issue = report.violations[0]
    assert issue.message_nb == (
        "Organisasjonsnummeret 972417858 er allerede nummeret til Kommunal- og "
        f"distriktsdepartementet ({KDD}). Ett organisasjonsnummer hører til én "
        "organisasjon: skriv opplysningene om den organisasjonen på dens egen oppføring, eller "
        "rett nummeret (i RDF: på dens IRI)."
    )
    assert "972417858" in issue.message_en and KDD in issue.message_en
    assert issue.message_nn and KDD in issue.message_nn
    # the names are named too (warnings: they do not block by themselves)
    names = {(i.value, i.message_nb) for i in report.warnings if i.focus == fake}
    assert any(v == "NFD" and "Nærings- og fiskeridepartementet" in m for v, m in names), names
    assert any(v == "KDD" and "Kommunal- og distriktsdepartementet" in m for v, m in names)
    assert all_quads(registry) == before
    assert resolve_organisation(_reopen(registry), "972417858").iri == KDD


def test_the_attack_through_a_load_is_refused_and_changes_nothing(registry: Registry) -> None:
    before = all_quads(registry)
    with pytest.raises(ValidationFailed) as caught:
        registry.load([SourceFile("organisasjoner.ttl", ATTACK, "kud-organisasjoner")],
                      submitted_by=KUD)
    assert _violations(caught.value) == [
        (ORG + "aaa-kdd", str(OGP.organisationNumber), SHAPES + "OrganisationNumberUniqueShape")
    ]
    # the number alone is enough, under another (invented) name
    other = PREFIXES + b"""
<id/organisation/eksempeldepartementet> a org:Organization ;
    skos:prefLabel "Eksempeldepartementet (oppdiktet)"@nb ;
    ogp:organisationNumber "912660680" ;
    ogp:organisationKind kind:ministry .
"""
    with pytest.raises(ValidationFailed) as caught:
        registry.validate([SourceFile("eksempel.ttl", other, "kud-eksempel")])
    report = caught.value.report
    assert report is not None and len(report.violations) == 1
    assert "Nærings- og fiskeridepartementet" in report.violations[0].message_nb
    assert all_quads(registry) == before


def test_the_organisation_that_has_the_number_may_state_it_again(registry: Registry) -> None:
    """Facts added to an organisation on its own IRI, its number included, are no copy."""
    same = PREFIXES + f"""
<{KDD}> a org:Organization ; ogp:organisationNumber "972417858" .
""".encode()
    results = registry.load([SourceFile("kdd.ttl", same, "kdd-tillegg")], submitted_by=KDD)
    assert results[0].added == 2 and results[0].warnings == []
    # and a source replaced by a new version does not count against itself
    again = registry.load([SourceFile("kdd.ttl", same + b"\n", "kdd-tillegg")],
                          submitted_by=KDD)
    assert again[0].warnings == []


# -- 2. a name of another organisation is a warning that names it -----------------------------
def test_a_name_of_another_organisation_is_a_warning_that_names_it(registry: Registry) -> None:
    data = PREFIXES + b"""
<id/organisation/eksempelforeningen> a org:Organization ;
    skos:prefLabel "Eksempelforeningen (oppdiktet)"@nb ;
    skos:altLabel "nfd"@nb ;
    ogp:organisationKind kind:civil-society .
"""
    results = registry.load([SourceFile("forening.ttl", data, "kud-forening")],
                            submitted_by=KUD)
    warnings = [w for w in results[0].warnings if w.shape == SHAPES + "OrganisationNameUniqueShape"]
    assert len(warnings) == 1
    w = warnings[0]
    assert (w.focus, w.value, w.severity) == (ORG + "eksempelforeningen", "nfd", "warning")
    assert w.message_nb == (
        "Navnet «nfd» er allerede et navn på Nærings- og fiskeridepartementet "
        f"({NFD}). Et navn som to organisasjoner har, leses som den som ble "
        "registrert først; fjern navnet hvis det ikke er denne organisasjonens, og skriv "
        "ellers organisasjonsnummeret når du viser til den."
    )
    # NFD is still NFD, by its abbreviation, for the registry and for submissions
    reg = _reopen(registry)
    assert resolve_organisation(reg, "NFD").iri == NFD
    org, problem = References(reg).organisation("NFD")
    assert problem is None and org is not None and org.iri == NFD


# -- 3. resolution never prefers a copy -----------------------------------------------------------
def _write_legacy(reg: Registry, data: bytes, source_id: str, submitter: str | None) -> None:
    """Statements written into the store directly, as a store from before the rule may hold
    them: a source graph (its provenance naming the submitter, if any), no history."""
    graph = ox.NamedNode(BASE + "graph/source/" + source_id)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=BASE)]
    prov = ox.NamedNode(reg.uris.provenance_graph)
    with reg.store.transaction() as tx:
        tx.extend(quads)
        if submitter is not None:
            tx.add(ox.Quad(graph, ox.NamedNode(str(OGP.submittedBy)), ox.NamedNode(submitter),
                           prov))


@pytest.mark.parametrize("slug", ["aaa-kdd", "zzz-kdd"])
def test_a_copy_in_legacy_data_never_wins_over_the_registrys_own(
    registry: Registry, slug: str
) -> None:
    _write_legacy(registry, _copy(slug), "kud-organisasjoner", KUD)
    reg = _reopen(registry)
    assert resolve_organisation(reg, "972417858").iri == KDD
    assert resolve_organisation(reg, "972 417 858").iri == KDD
    assert resolve_organisation(reg, "NFD").iri == NFD
    assert resolve_organisation(reg, "KDD").iri == KDD
    refs = References(reg)
    for text, expected in (("972417858", KDD), ("NFD", NFD), ("KDD", KDD),
                           ("Kommunal- og distriktsdepartementet", KDD)):
        org, problem = refs.organisation(text)
        assert problem is None and org is not None and org.iri == expected, text
    assert refs.by_number["972417858"].iri == KDD


def test_a_copy_the_registry_cannot_place_is_refused_naming_both(registry: Registry) -> None:
    """A copy among the registry's own sources (no submitter) and without history: which one
    is meant cannot be told, so resolution by number refuses, naming both."""
    _write_legacy(registry, _copy("aaa-kdd"), "gammel-import", None)
    reg = _reopen(registry)
    with pytest.raises(NotFound) as caught:
        resolve_organisation(reg, "972417858")
    text = caught.value.message.render("nb")
    assert KDD in text and ORG + "aaa-kdd" in text and "972417858" in text
    org, problem = References(reg).organisation("972417858")
    assert org is None and problem is not None
    assert KDD in problem.render("nb") and ORG + "aaa-kdd" in problem.render("nb")
    assert "972417858" not in References(reg).by_number


# -- 4. token add records the organisation it prints -------------------------------------------
def _cli(reg: Registry, *args: str) -> click.testing.Result:
    return CliRunner().invoke(
        main,
        ["--store", str(reg.store.path), "--base-uri", BASE, *args],
        catch_exceptions=False,
        env={"OGPREG_USER": "tester"},
    )


def test_token_add_records_the_organisation_whose_name_it_prints(registry: Registry) -> None:
    r = _cli(registry, "token", "add", "--org", "972417858", "--role", "submitter")
    assert r.exit_code == 0
    assert "for Kommunal- og distriktsdepartementet (submitter)" in r.stderr
    (rec,) = tokens.list_tokens(registry)
    assert rec.organisation == KDD
    assert rec.organisation_name == "Kommunal- og distriktsdepartementet"


def test_token_add_refuses_a_number_several_organisations_have(registry: Registry) -> None:
    _write_legacy(registry, _copy("aaa-kdd"), "kud-organisasjoner", KUD)
    for role in ("submitter", "approver"):
        r = _cli(registry, "--lang", "en", "token", "add", "--org", "972417858", "--role", role)
        assert r.exit_code == 1, r.stderr
        assert KDD in r.stderr and ORG + "aaa-kdd" in r.stderr
    with pytest.raises(NotFound):
        tokens.issue(_reopen(registry), "972417858", "submitter")
    with pytest.raises(NotFound):  # the copy's name is shared too
        tokens.issue(_reopen(registry), "Kommunal- og distriktsdepartementet", "submitter")
    assert tokens.list_tokens(registry) == []
    # by its IRI the operator gets the ministry's approver token
    r = _cli(registry, "token", "add", "--org", KDD, "--role", "approver")
    assert r.exit_code == 0, r.stderr
    (rec,) = tokens.list_tokens(registry)
    assert (rec.organisation, rec.role) == (KDD, "approver")
    with pytest.raises(UsageError):  # the copy coordinates nothing
        tokens.issue(_reopen(registry), ORG + "aaa-kdd", "approver")
    listed = json.loads(_cli(registry, "token", "list", "--format", "json").stdout)
    assert [t["organisation"] for t in listed] == [KDD]
