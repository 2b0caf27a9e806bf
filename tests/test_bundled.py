"""The bundled real data: it conforms, and it says what the sources say, no more."""

from __future__ import annotations

import csv
from datetime import datetime

import pyoxigraph as ox

from registry.loading import bundled
from registry.loading.sources import SourceFile
from registry.service import Registry
from registry.uris import slugify
from tests.conftest import BASE, shared_file


def rows(reg: Registry, sparql: str) -> list[dict[str, str]]:
    result = reg.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else "") for n in names} for s in result]


def test_bundled_data_conforms_to_the_shapes(registry: Registry) -> None:
    files: list[SourceFile] = bundled.data_sources()
    report = registry.validate([SourceFile(f.name, f.data, "check-" + f.source_id) for f in files])
    assert report.conforms, report.render("en")


def test_organisations_match_the_invitation_list(registry: Registry) -> None:
    with open(shared_file("data", "invited-organisations-2018.csv"), encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    # by the name the invitation uses: the current name, or a former one (hiddenLabel) of a
    # body renamed since (it keeps its number and its URI)
    got = {
        r["name"]: r
        for r in rows(
            registry,
            """SELECT ?o ?name ?kind ?nr ?rec WHERE { ?o a org:Organization ;
                 skos:prefLabel|skos:hiddenLabel ?name ; ogp:organisationKind/skos:notation ?kind .
                 FILTER(lang(?name) = "nb")
                 OPTIONAL { ?o ogp:organisationNumber ?nr } OPTIONAL { ?o ogp:registerRecord ?rec } }""",
        )
    }
    assert len(expected) == 47
    assert len({got[row["name"]]["o"] for row in expected}) == 47  # 47 bodies, none merged
    for row in expected:  # the URI minted from the invitation's name stays
        assert got[row["name"]]["o"] == BASE + "id/organisation/" + slugify(row["name"])
    kinds = {
        "ministry": "ministry",
        "civil-society organisation": "civil-society",
        "business or employer association": "business-association",
        "trade union": "trade-union",
        "media or press organisation": "media",
        "other": "other",
    }
    with open(shared_file("data", "reference", "norway-central-government.csv"),
              encoding="utf-8") as fh:
        reference = {r["name_nb"]: r["orgnr"] for r in csv.DictReader(fh)}
    for row in expected:
        org = got[row["name"]]
        assert org["kind"] == kinds[row["kind"]], row["name"]
        # empty stays empty unless the reference data gives it (Statsministerens kontor)
        assert org["nr"] == (row["orgnr"] or reference.get(row["name"], "")), row["name"]
        if row["orgnr"]:
            assert (
                org["rec"] == "https://data.brreg.no/enhetsregisteret/api/enheter/" + row["orgnr"]
            )


def test_commitments_match_the_plan_source(registry: Registry) -> None:
    with open(shared_file("data", "nap4-2019-2021-commitments.csv"), encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    got = {
        r["id"]: r
        for r in rows(
            registry,
            """SELECT ?id ?title ?lead ?start ?startType ?end ?endType WHERE {
                 ?c a ogp:Commitment ; dct:identifier ?id ; dct:title ?title ;
                    ogp:inActionPlan <http://localhost:8000/id/plan/2019-2021> ;
                    ogp:leadAgency ?lead .
                 FILTER(lang(?title) = "en")
                 OPTIONAL { ?c schema:startDate ?start BIND(datatype(?start) AS ?startType) }
                 OPTIONAL { ?c schema:endDate ?end BIND(datatype(?end) AS ?endType) } }""",
        )
    }
    assert set(got) == {r["commitment_id"] for r in expected}
    precision = {10: "date", 7: "gYearMonth", 4: "gYear"}
    for row in expected:
        c = got[row["commitment_id"]]
        assert c["title"] == row["title_en"]
        names = {  # the source's name of the lead is one of its names (OGP's names of the time)
            r["n"] for r in rows(registry, f"""SELECT ?n WHERE {{
                <{c["lead"]}> skos:prefLabel|skos:altLabel|skos:hiddenLabel ?n }}""")
        }
        assert row["lead_agency"] in names, (row["lead_agency"], names)
        assert c["start"] == row["start"]
        assert c["end"] == row["end"]
        if row["start"]:
            assert c["startType"].endswith("#" + precision[len(row["start"])])
        areas = {
            r["a"]
            for r in rows(
                registry,
                f'SELECT ?a WHERE {{ ?c dct:identifier "{row["commitment_id"]}" ; ogp:policyArea ?a }}',
            )
        }
        assert areas == {
            "https://w3id.org/ogp-no/vocab/policy-area/" + slugify(a)
            for a in row["theme"].split(";")
        }


def test_milestones_match_the_plan_source(registry: Registry) -> None:
    got = rows(
        registry,
        """SELECT ?id ?pos ?title ?start ?end WHERE {
             ?m a ogp:Milestone ; ogp:ofCommitment/dct:identifier ?id ; schema:position ?pos ;
                dct:title ?title FILTER(lang(?title) = "en")
             OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end } }
           ORDER BY ?id ?pos""",
    )
    # the milestones of reference/nap4-milestones.csv that have a title, with their dates at
    # the precision given ("18 October 2019" -> 2019-10-18); the rows without a milestone text
    # (NO0055, NO0059) are not milestones: the commitment's coverage note keeps them
    with open(shared_file("data", "reference", "nap4-milestones.csv"), encoding="utf-8") as fh:
        given = [r for r in csv.DictReader(fh) if r["title_en"]]
    iso = {"": ""}
    for r in given:
        for d in (r["start"], r["end"]):
            if d:
                iso[d] = datetime.strptime(d, "%d %B %Y").date().isoformat()
    assert [(r["id"], r["pos"], r["title"], r["start"], r["end"]) for r in got] == [
        (r["commitment_id"], r["position"], r["title_en"], iso[r["start"]], iso[r["end"]])
        for r in given
    ]


def test_consultation_meeting_facts_from_the_invitation(registry: Registry) -> None:
    [m] = rows(
        registry,
        """SELECT ?start ?end ?room ?address ?deadline ?proposals ?by (COUNT(?o) AS ?invited) WHERE {
             ?m a ogp:ConsultationMeeting ; schema:startDate ?start ; schema:endDate ?end ;
                ogp:room ?room ; schema:location/schema:address ?address ;
                ogp:registrationDeadline ?deadline ; ogp:proposalDeadline ?proposals ;
                ogp:invitedBy ?by ; ogp:invited ?o }
           GROUP BY ?start ?end ?room ?address ?deadline ?proposals ?by""",
    )
    assert m["start"] == "2018-06-19T09:00:00+02:00"
    assert m["end"] == "2018-06-19T12:30:00+02:00"
    assert (m["room"], m["address"]) == ("2511", "Akersgata 59")
    assert m["deadline"] == m["proposals"] == "2018-06-12"
    # KMD (named Kommunal- og distriktsdepartementet since 2022: the same body, the same URI)
    assert m["by"] == BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"
    assert m["invited"] == "46"


def test_invited_organisations_are_the_ones_named_in_the_seed(registry: Registry) -> None:
    seed = shared_file("seed", "000_9d1c8007a20a8708.txt").read_text("utf-8")
    listing = seed.split("Invitasjonen har gått ut til:", 1)[1].strip().rstrip(".")
    head, last = listing.rsplit(" og ", 1)  # "..., WWF Norge og YS"
    names = {n.strip() for n in head.split(",")} | {last.strip()}
    invited = rows(
        registry,
        """SELECT ?o ?name WHERE { ?m a ogp:ConsultationMeeting ; ogp:invited ?o .
           ?o skos:prefLabel|skos:hiddenLabel ?name FILTER(lang(?name) = "nb") }""",
    )
    assert len({r["o"] for r in invited}) == len(names) == 46
    for name in names:  # each by the name the invitation gives it (a former name, if renamed)
        assert len({r["o"] for r in invited if r["name"] == name}) == 1, name


def test_editorial_statements_are_kept_apart_from_the_sources(registry: Registry) -> None:
    """Unofficial translations live in their own graph, so provenance tells them apart."""
    r = rows(
        registry,
        """SELECT ?g WHERE { GRAPH ?g { ?c dct:identifier "NO0054" } }""",
    )
    assert {x["g"] for x in r} == {BASE + "graph/source/bundled-plan-2019-2021"}
    r = rows(
        registry,
        """SELECT ?g WHERE { GRAPH ?g { ?c dct:title ?t FILTER(lang(?t) = "nb") }
             ?c dct:identifier "NO0054" }""",
    )
    assert {x["g"] for x in r} == {BASE + "graph/source/bundled-editorial"}
