"""The organisation resolver (registry/model/orgnames.py): organisations as sources name them.
Every name of every bundled body (bokmål, nynorsk, English, abbreviation, former name) finds
it, also with "The", a parenthesised abbreviation, another case or surrounding punctuation; a
shortened English name of one body only is read as that body; prose is read part by part;
suggestions use every name; the body valid in the plan's period is preferred where a name is
shared (an INVENTED pair of bodies: the real register has no shared name)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from registry.model.organisations import resolve_organisation
from registry.model.orgnames import Body, Name, OrgIndex, Period, bodies, is_none
from registry.service import Registry, open_registry
from tests.conftest import BASE, make_settings, shared_file

ORG = BASE + "id/organisation/"


@pytest.fixture(scope="module")
def index(initialised_store: Path) -> OrgIndex:
    return OrgIndex(bodies(open_registry(make_settings(initialised_store))))


@pytest.fixture(scope="module")
def reg(initialised_store: Path) -> Registry:
    return open_registry(make_settings(initialised_store))


def one(index: OrgIndex, text: str, period: Period | None = None) -> str:
    found = index.find(text, period)
    assert len(found) == 1, (text, [f.body.iri for f in found])
    return found[0].body.iri


def test_every_name_of_the_reference_data_finds_its_body(index: OrgIndex) -> None:
    """Each row of norway-central-government.csv: its bokmål, nynorsk and English name and its
    abbreviation find one body, the same for every row with the same organisation number."""
    with shared_file("data", "reference", "norway-central-government.csv").open(
        encoding="utf-8"
    ) as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 39
    by_number: dict[str, set[str]] = {}
    for row in rows:
        names = [row["name_nb"], row["name_nn"], row["name_en"], row["abbreviation"]]
        found = {one(index, n) for n in names if n}
        assert len(found) == 1, (row["name_nb"], found)
        if row["orgnr"]:
            by_number.setdefault(row["orgnr"], set()).update(found)
    assert all(len(iris) == 1 for iris in by_number.values()), by_number  # one body per number


def test_a_renamed_body_is_one_resource_with_its_names_over_time(index: OrgIndex) -> None:
    kmd = ORG + "kommunal-og-moderniseringsdepartementet"  # its URI since 2018, unchanged
    for name in ("Kommunal- og moderniseringsdepartementet", "KMD", "Kommunal- og "
                 "distriktsdepartementet", "KDD", "Ministry of Local Government and "
                 "Modernisation", "Ministry of Local Government and Regional Development"):
        assert one(index, name) == kmd
    body = index.bodies[kmd]
    assert body.label == "Kommunal- og distriktsdepartementet"  # the current name
    kmd_name = next(n for n in body.names if n.text == "Kommunal- og moderniseringsdepartementet")
    assert (kmd_name.start, kmd_name.end, kmd_name.former) == ("2014-01-01", "2021-12-31", True)
    # Difi and Digdir: one number, one body; FAD (no number) is a body of its own
    assert one(index, "Difi") == one(index, "Digdir") == ORG + "digitaliseringsdirektoratet"
    assert one(index, "FAD") == ORG + "fornyings-administrasjons-og-kirkedepartementet"


@pytest.mark.parametrize(
    ("text", "iri"),
    [
        ("Ministry of Climate and Environment", "klima-og-miljodepartementet"),
        ("Ministry of Health and Care Services", "helse-og-omsorgsdepartementet"),
        ("The Ministry of Government Administration, Reform and Church Affairs",
         "fornyings-administrasjons-og-kirkedepartementet"),
        ("The Ministry of Government Administration, Reform and Church Affairs.",
         "fornyings-administrasjons-og-kirkedepartementet"),
        ("Agency for Public Management and eGovernment (Difi)", "digitaliseringsdirektoratet"),
        ("National Archives of Norway", "arkivverket"),  # "The National Archives of Norway"
        ("Directorate of Health", "helsedirektoratet"),  # "Norwegian Directorate of Health"
        (". Ministry of Petroleum and Energy", "olje-og-energidepartementet"),
        ("ministry of finance", "finansdepartementet"),
        ("UTANRIKSDEPARTEMENTET", "utenriksdepartementet"),  # nynorsk, another case
        ("Ministry of Digitisation and Public Governance",  # a variant the notes attest
         "digitaliserings-og-forvaltningsdepartementet"),
        ("Ministry of Justice", "justis-og-beredskapsdepartementet"),
        ("Norwegian Council for Cultural Affairs", "kulturdirektoratet"),  # a former name
        ("Olje- og energidepartementet", "olje-og-energidepartementet"),
        ("Kulturdepartementet", "kulturdepartementet"),
    ],
)
def test_english_former_and_variant_names_are_found(index: OrgIndex, text: str, iri: str) -> None:
    assert one(index, text) == ORG + iri


def test_a_shortened_name_of_one_body_only_is_found_and_said_so(index: OrgIndex) -> None:
    [found] = index.find("Ministry of Labour")
    assert found.how == "shortened" and found.body.iri == ORG + "arbeids-og-sosialdepartementet"
    assert index.find("Ministry of") == []  # too short to say which


def test_prose_is_read_part_by_part(index: OrgIndex) -> None:
    prose = index.scan(
        "The Ministry of Government Administration, Reform and Church Affairs (in cooperation "
        "with the Agency for Public Management and eGovernment (Difi) and the Language Council "
        "of Norway (Språkrådet)."
    )
    assert [b.iri for b in prose.bodies("lead")] == [
        ORG + "fornyings-administrasjons-og-kirkedepartementet"]
    assert [b.iri for b in prose.bodies("support")] == [ORG + "digitaliseringsdirektoratet"]
    assert [p.text for p in prose.unmatched] == ["Language Council of Norway (Språkrådet)"]
    roles = index.scan("Ministry of Foreign Affairs (general political responsibility) Ministry "
                       "of Petroleum and Energy (responsibility for Norwegian implementation)")
    assert [(p.found.body.iri if p.found else None, p.note) for p in roles.parts] == [
        (ORG + "utenriksdepartementet", "general political responsibility"),
        (ORG + "olje-og-energidepartementet", "responsibility for Norwegian implementation"),
    ]
    abbreviations = index.scan("FAD/JD/KUD")
    assert [b.iri for b in abbreviations.bodies("lead")] == [
        ORG + "fornyings-administrasjons-og-kirkedepartementet",
        ORG + "justis-og-beredskapsdepartementet", ORG + "kulturdepartementet"]
    joint = index.scan("Ministry of Finance and Norges Bank (Norway´s Central Bank)")
    assert [b.iri for b in joint.bodies("lead")] == [ORG + "finansdepartementet"]
    assert [p.text for p in joint.unmatched] == ["Norges Bank (Norway's Central Bank)"]
    listing = index.scan("National Archival Services of Norway, National Library of Norway and "
                         "Norwegian Council for Cultural Affairs")
    assert [b.iri for b in listing.bodies("lead")] == [
        ORG + "arkivverket", ORG + "nasjonalbiblioteket", ORG + "kulturdirektoratet"]


def test_suggestions_use_every_name(index: OrgIndex) -> None:
    [(body, name)] = index.suggest("Ministry of Climat and Enviroment")[:1]
    assert body.iri == ORG + "klima-og-miljodepartementet"
    assert name == "Ministry of Climate and Environment"
    [(body, name)] = index.suggest("Olje og energidepartementet")[:1]  # a former name
    assert body.iri == ORG + "olje-og-energidepartementet" and name == "Olje- og energidepartementet"
    assert index.suggest("The Government Administration Services (") == []  # no wrong guess


def test_the_body_valid_in_the_period_is_preferred() -> None:
    """INVENTED: two bodies that bore the same name at different times."""
    old = Body(BASE + "id/organisation/gammelt-direktorat", "Gammelt direktorat (oppdiktet)",
               [Name("Testdirektoratet", "2001-01-01", "2009-12-31", former=True)])
    new = Body(BASE + "id/organisation/nytt-direktorat", "Testdirektoratet",
               [Name("Testdirektoratet", "2015-01-01", None)])
    index = OrgIndex([old, new])
    assert len(index.find("Testdirektoratet")) == 2  # no period: both
    assert one(index, "Testdirektoratet", Period("2005-01-01", "2006-12-31")) == old.iri
    assert one(index, "testdirektoratet", Period("2019-07-01", "2021-06-30")) == new.iri
    assert len(index.find("Testdirektoratet", Period("2011-01-01", "2012-12-31"))) == 2


def test_na_says_the_source_names_nobody() -> None:
    assert is_none("NA") and is_none(" N/A ") and is_none("Not Specified")
    assert not is_none("NAV")


def test_the_command_line_resolves_organisations_by_any_name(reg: Registry) -> None:
    kmd = resolve_organisation(reg, "Kommunal- og moderniseringsdepartementet")  # former name
    assert kmd.iri == ORG + "kommunal-og-moderniseringsdepartementet"
    assert kmd.name == "Kommunal- og distriktsdepartementet"
    assert resolve_organisation(reg, "The National Archives of Norway").iri == ORG + "arkivverket"
