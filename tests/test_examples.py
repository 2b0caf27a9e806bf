"""Every example query answers its question: on the bundled data, and where the bundled data
cannot answer it (proposals, comments, assessments, OGP values, completion), after loading the
invented fixtures ``tests/fixtures/rdf/consultation-example.ttl`` and ``no-english-title.ttl``.

The examples are package data (``endpoint/examples/``); ``examples/queries/`` at the top of the
repository is a copy for the command line (``ogpreg query @examples/queries/…``) that must stay
identical."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from endpoint.pages.query import EXAMPLE_ORDER, Example, load_examples, parse_example, with_prefixes
from registry.loading import bundled as bundled_sources
from registry.loading.sources import SourceFile, source_id_for
from registry.namespaces import PREFIXES
from registry.service import Registry, open_registry
from registry.sparql.results import compact
from tests.conftest import BASE, FIXTURES, make_settings, shared_file

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "endpoint" / "examples"
CLI_DIR = ROOT / "examples" / "queries"
INVENTED = ("consultation-example.ttl", "no-english-title.ttl")
KMD = f"{BASE}id/organisation/kommunal-og-moderniseringsdepartementet"

Row = dict[str, str]


def rows(reg: Registry, stem: str) -> list[Row]:
    """The answer of one example as rows of variable -> lexical value (unbound left out)."""
    example = {e.stem: e for e in load_examples()}[stem]
    result = reg.query(example.text)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [
        {n: str(sol[n].value) for n in names if sol[n] is not None}  # type: ignore[union-attr]
        for sol in result
    ]


def column(answer: list[Row], name: str) -> list[str]:
    return [r.get(name, "") for r in answer]


@pytest.fixture(scope="module")
def loaded(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The bundled data plus the invented fixtures, submitted by KMD (read-only in the tests)."""
    path = tmp_path_factory.mktemp("examples") / "store"
    shutil.copytree(initialised_store, path)
    reg = open_registry(make_settings(path))
    files = [
        SourceFile(name, (FIXTURES / "rdf" / name).read_bytes(), source_id_for(name))
        for name in INVENTED
    ]
    reg.load(files, submitted_by=KMD)
    return reg


# -- the files -------------------------------------------------------------------------------
def test_the_command_line_copy_is_identical_to_the_package_examples() -> None:
    package = {p.name: p.read_bytes() for p in PACKAGE_DIR.glob("*.rq")}
    cli = {p.name: p.read_bytes() for p in CLI_DIR.glob("*.rq")}
    assert sorted(cli) == sorted(package), (
        "examples/queries/ must hold exactly the files of endpoint/examples/: "
        "cp endpoint/examples/*.rq examples/queries/"
    )
    differ = [name for name in package if package[name] != cli[name]]
    assert not differ, f"copy endpoint/examples/{differ[0]} to examples/queries/ (they differ)"


def test_there_are_at_least_twelve_examples_in_the_chosen_order() -> None:
    examples = load_examples()
    assert len(examples) >= 12
    assert [e.stem for e in examples][: len(EXAMPLE_ORDER)] == list(EXAMPLE_ORDER)
    assert {e.stem for e in examples} == {p.stem for p in PACKAGE_DIR.glob("*.rq")}


def test_every_example_opens_with_its_question_in_english_then_bokmal() -> None:
    for e in load_examples():
        first, second = e.text.splitlines()[:2]
        assert first == f"# {e.title_en}" and second == f"# {e.title_nb}", e.stem
        assert e.title_en.endswith((".", "?", ")")) and e.title_nb.endswith((".", "?", ")"))
        assert e.title_en != e.title_nb, e.stem
    # Norwegian letters or typical bokmål words show the second line is not English again.
    nb = " ".join(e.title_nb for e in load_examples()).lower()
    assert "forpliktelse" in nb and "milepæl" in nb and "hvem" in nb


def test_an_example_without_its_two_question_lines_is_refused() -> None:
    with pytest.raises(ValueError, match="two comment lines"):
        parse_example("bad", "# Only English\nSELECT * WHERE { ?s ?p ?o }\n")


def test_with_prefixes_declares_exactly_the_registry_prefixes_a_query_uses() -> None:
    q = (
        "# A question about ogp:things\n# Et spørsmål\n"
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        'SELECT ?t WHERE { ?c a ogp:Commitment ; dct:title ?t . FILTER(?t != "x:y"@nb) '
        "?c <https://w3id.org/ogp-no/def#inActionPlan> ?p . ?p ex:other ?o }\n"
    )
    out = with_prefixes(q)
    lines = out.splitlines()
    assert lines[:2] == q.splitlines()[:2]  # the questions stay on top
    assert lines[2] == f"PREFIX ogp: <{PREFIXES['ogp']}>"
    assert out.count("PREFIX") == 2  # dct is declared already; x: is in a string; ex is unknown
    assert with_prefixes(out) == out


def test_every_example_file_declares_its_prefixes_and_reads_as_its_form_in_sparqlwrapper(
) -> None:
    """The files themselves run in any SPARQL tool (a real-clients audit: Comunica and rdflib's
    SERVICE failed all 22 with "Unknown prefix: ogp"), and SPARQLWrapper, which finds a query's
    form by the first keyword in the text it leaves after stripping every other comment line,
    sends each as a query (it sent two as updates, ADD, for the "add" in the bokmål "hadde",
    and the endpoint refused them with 403)."""
    from SPARQLWrapper import SPARQLWrapper

    from registry.sparql.querytext import form_of

    wrapper = SPARQLWrapper("http://localhost/sparql")
    for e in load_examples():
        assert with_prefixes(e.text) == e.text, f"{e.stem}: add its PREFIX lines"
        assert wrapper._parseQueryType(e.text) == form_of(e.text), e.stem


def test_every_example_as_shown_in_the_ui_runs_without_predeclared_prefixes(
    loaded: Registry,
) -> None:
    """The editor gets each example with its PREFIX lines, so it runs in any SPARQL tool:
    here pyoxigraph without the registry's predeclared prefixes, with the same answer (on
    the bundled data and the invented fixtures, so that every example has rows to compare)."""
    registry = loaded
    reader = registry.store.reader()
    for e in load_examples():
        plain = reader.query(e.query, use_default_graph_as_union=True, base_iri=BASE)
        assert isinstance(plain, ox.QuerySolutions), e.stem
        names = [v.value for v in plain.variables]
        shown = [{n: str(s[n].value) for n in names if s[n] is not None} for s in plain]
        answer = rows(registry, e.stem)
        # rows to compare (but one: see check_commitments_as_of_date)
        assert shown or e.stem == "commitments-as-of-date", e.stem
        if re.search(r"\bORDER\s+BY\b", e.text, re.I):
            assert shown == answer, e.stem
        else:  # the same rows; their order is the engine's
            assert sorted(map(_key, shown)) == sorted(map(_key, answer)), e.stem


def _key(row: Row) -> list[tuple[str, str]]:
    return sorted(row.items())


# -- the answers -----------------------------------------------------------------------------
def _ogp_rows() -> list[dict[str, str]]:
    """Norway's commitments as OGP publishes them, bundled by ``ogpreg init`` (issue 23)."""
    with shared_file("data", "reference", "ogp-commitments-norway.csv").open(
        encoding="utf-8"
    ) as fh:
        return list(csv.DictReader(fh))


def _ref_rows(name: str) -> list[dict[str, str]]:
    with shared_file("data", "reference", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def check_commitments_by_lead_agency(bundled: list[Row], loaded: list[Row]) -> None:
    # every bundled commitment whose source names a lead the register knows (not "NA")
    assert {f"NO00{n}" for n in range(54, 63)} <= {r["id"] for r in bundled}
    assert {r["id"] for r in bundled} <= {r["ogp_id"] for r in _ogp_rows()}
    assert {r["id"] for r in bundled} >= {
        r["ogp_id"] for r in _ogp_rows() if r["lead_institution"] not in ("NA", "")
        and r["ogp_id"] != "NO0042"}
    by_id = {r["id"]: r["lead"] for r in bundled}
    assert by_id["NO0061"] == "Finansdepartementet"
    # the body's current name: Olje- og energidepartementet is now Energidepartementet (the same
    # organisation number, one resource with its names over time)
    assert by_id["NO0055"] == "Energidepartementet"
    assert column(bundled, "lead") == sorted(column(bundled, "lead"))
    assert {r["id"] for r in loaded} - {r["id"] for r in bundled} == {"NO9902", "NO9903"}


def check_commitments_of_one_ministry(bundled: list[Row], loaded: list[Row]) -> None:
    # KMD's commitments of every plan (2014-2021; led by FAD before: a body of its own)
    kmd = sorted(r["ogp_id"] for r in _ogp_rows() if r["lead_institution"].strip(". ")
                 .startswith("Ministry of Local Government and Modernisation"))
    assert column(bundled, "id") == kmd
    assert set(column(bundled, "role")) == {"https://w3id.org/ogp-no/def#leadAgency"}
    assert column(loaded, "id") == [*kmd, "NO9902"]


def check_commitments_per_theme(bundled: list[Row], loaded: list[Row]) -> None:
    procurement = "Offentlige anskaffelser, opplysninger om reelle rettighetshavere og antikorrupsjon"
    # the 2019-2021 plan: 4 and 1; the earlier plans' commitments as OGP tags them add to the
    # procurement and anti-corruption heading and give the integrity heading its commitments
    counts = {r["theme"]: int(r["commitments"]) for r in bundled}
    assert counts[procurement] > 4 and counts["Åpne data og viderebruk av offentlige data"] >= 1
    assert counts["Integritet og åpenhet i forvaltningen"] > 0
    assert {r["theme"]: int(r["commitments"]) for r in loaded}[procurement] == (
        counts[procurement] + 1)  # + NO9902


def check_commitments_per_ogp_value(bundled: list[Row], loaded: list[Row]) -> None:
    assert len(bundled) == 4 and set(column(bundled, "commitments")) == {"0"}
    assert {r["value"]: r["commitments"] for r in loaded} == {
        "Innbyggermedvirkning": "1",
        "Tilgang til informasjon": "1",
        "Offentlig ansvarlighet": "0",
        "Teknologi og innovasjon for åpenhet og ansvarlighet": "0",
    }
    assert column(loaded, "commitments")[:2] == ["1", "1"]  # largest first


def check_milestones(bundled: list[Row], loaded: list[Row]) -> None:
    assert [(r["commitment"], r["n"]) for r in bundled] == [
        ("NO0054", "1"), ("NO0062", "1"), ("NO0062", "2"), ("NO0062", "3"), ("NO0062", "4"),
    ]
    assert bundled[1] == {
        "commitment": "NO0062", "n": "1", "title": "Panelet opprettet",
        "start": "2019-10-18", "end": "2020-01-17",
    }
    assert len(loaded) == 8


def check_milestones_due_in_period(bundled: list[Row], loaded: list[Row]) -> None:
    assert [(r["commitment"], r["n"], r["end"]) for r in bundled] == [
        ("NO0062", "1", "2020-01-17"), ("NO0062", "2", "2020-01-17"), ("NO0062", "3", "2020-04-26"),
    ]
    # NO9902/1 ends "2020" (a year overlapping the first half of 2020): due in the period;
    # NO9902/2 ends "2020-07" and NO9902/3 "2021-06-30": not.
    extra = [(r["commitment"], r["n"], r["end"]) for r in loaded if r not in bundled]
    assert extra == [("NO9902", "1", "2020")]


def check_overdue_milestones(bundled: list[Row], loaded: list[Row]) -> None:
    # Milestones without an end date (NO0054/1, NO0062/4) cannot be overdue; NO0062/1-3 are
    # completed as the source publishes them (reference/nap4-milestones.csv).
    assert bundled == []
    # NO9902/1 (due 2020, substantial) is overdue; /2 is assessed complete; /3 is complete.
    extra = [r for r in loaded if r not in bundled]
    assert extra == [
        {"commitment": "NO9902", "n": "1", "title": "Kartlegging (eksempel)", "end": "2020",
         "completion": "Betydelig"},
    ]


def check_progress_by_completion_level(bundled: list[Row], loaded: list[Row]) -> None:
    def table(answer: list[Row]) -> list[tuple[str, str, str]]:
        return [(r["level"], r["milestones"], r["assessments"]) for r in answer]

    # NO0062/1-3 completed (reference/nap4-milestones.csv), NO0054/1 and NO0062/4 not known;
    # the IRM assessments: one completion given (NO0059, Limited), the others none
    ratings = _ref_rows("nap4-irm-ratings.csv")
    irm = len(ratings) + len([r for r in _ogp_rows() if "2019-202" not in r["action_plan"]])
    assert table(bundled) == [
        ("Ikke påbegynt", "0", "0"), ("Begrenset", "0", "1"), ("Betydelig", "0", "0"),
        ("Fullført", "3", "0"), ("ikke oppgitt", "2", str(irm - 1)),
    ]
    assert table(loaded) == [
        ("Ikke påbegynt", "0", "0"), ("Begrenset", "0", "2"), ("Betydelig", "1", "1"),
        ("Fullført", "4", "1"), ("ikke oppgitt", "3", str(irm - 1)),
    ]


def check_commitments_from_civil_society_proposals(bundled: list[Row], loaded: list[Row]) -> None:
    assert bundled == []
    # eksempel-2 came from a business association: not civil society.
    assert loaded == [
        {"id": "NO9902", "title": "Åpne innkjøpsdata (eksempel)", "proposal": "eksempel-1",
         "proposedBy": "Transparency International Norge"},
    ]


def check_proposals_and_comments(bundled: list[Row], loaded: list[Row]) -> None:
    assert bundled == []
    assert [(r["proposal"], r.get("commentBy", "")) for r in loaded] == [
        ("eksempel-1", ""),
        ("eksempel-2", "Frivillighet Norge"),
        ("eksempel-2", "Nærings- og fiskeridepartementet"),
        ("eksempel-2", "Nærings- og fiskeridepartementet"),  # the reply in nb and en
    ]
    assert loaded[1]["date"] == "2019-01-20"
    assert loaded[1]["proposedBy"] == "Næringslivets hovedorganisasjon"


def check_invited_organisations_participation(bundled: list[Row], loaded: list[Row]) -> None:
    assert len(bundled) == 46  # the 46 organisations of the 2018 invitation
    took_part = {r["organisation"] for r in bundled if r["participation"] == "took part"}
    assert took_part == {  # by their current names (Kulturdepartementet, OED renamed since)
        "Finansdepartementet", "Justis- og beredskapsdepartementet",
        "Kultur- og likestillingsdepartementet", "Nærings- og fiskeridepartementet",
        "Energidepartementet",
    }
    assert column(bundled, "participation")[:5] == ["took part"] * 5  # those come first
    # the bundled data records no attendance, proposal or comment: the others are unknown,
    # never "did not take part" (issue 19)
    assert column(bundled, "participation")[5:] == ["unknown"] * 41
    assert set(column(bundled, "attendanceRecorded")) == {"false"}
    by_name = {r["organisation"]: r for r in loaded}
    assert len(loaded) == 46
    assert {n for n, r in by_name.items() if r["participation"] == "took part"} - took_part == {
        "Frivillighet Norge", "Næringslivets hovedorganisasjon",
        "Transparency International Norge", "Wikimedia Norge",
    }
    ti = by_name["Transparency International Norge"]
    assert (ti["proposed"], ti["commented"], ti["attended"], ti["leads"]) == (
        "true", "false", "true", "false",
    )
    # the fixture's attendance list is of a meeting Abelia was not invited to: still unknown
    assert (by_name["Abelia"]["participation"], by_name["Abelia"]["attendanceRecorded"]) == (
        "unknown", "false",
    )


def check_organisations_with_register_links(bundled: list[Row], loaded: list[Row]) -> None:
    # the 47 of the 2018 invitation and 16 more bodies of norway-central-government.csv (the
    # others of its 39 rows are the same bodies as invited ones, or former names of one)
    assert len(bundled) == 64  # and the IRM (the assessor of the IRM's ratings)
    with_number = [r for r in bundled if "number" in r]
    assert len(with_number) >= 14
    for r in with_number:
        assert r["record"] == f"https://data.brreg.no/enhetsregisteret/api/enheter/{r['number']}"
    by_name = {r["name"]: r.get("number") for r in bundled}
    assert by_name["Kultur- og likestillingsdepartementet"] == "972417866"
    assert loaded == bundled


def check_provenance(bundled: list[Row], loaded: list[Row]) -> None:
    assert sorted(column(bundled, "source")) == sorted([
        "bundled-consultation-2018", "bundled-editorial", "bundled-organisations",
        "bundled-plan-2019-2021", "bundled-irm-2019-2021", "bundled-plans", "bundled-ogp-notes",
        "vocabulary-ontology", "vocabulary-shapes", "vocabulary-themes", "vocabulary-values",
        *(s for s in bundled_sources.SUBMISSIONS if s not in bundled_sources.CHECKED_ONLY),
    ])
    assert set(column(bundled, "loadedBy")) == {"ogp-registry (bundled data)"}
    assert all("submittedBy" not in r for r in bundled)
    mine = {r["source"]: r for r in loaded if r not in bundled}
    assert sorted(mine) == ["consultation-example", "no-english-title"]
    # KMD by its current name (Kommunal- og distriktsdepartementet since 2022, the same body)
    assert mine["consultation-example"]["submittedBy"] == "Kommunal- og distriktsdepartementet"
    assert mine["consultation-example"]["loadedBy"] == "tester"
    assert mine["consultation-example"]["file"] == "consultation-example.ttl"


def check_statements_by_source(bundled: list[Row], loaded: list[Row]) -> None:
    assert {r["source"] for r in bundled} == {"bundled-editorial", "bundled-plan-2019-2021"}
    titles = {(r["source"], r["value"]) for r in bundled if r["property"].endswith("/title")}
    assert titles == {
        ("bundled-editorial",
         "Veiledning om oppfyllelse av plikten til journalføring og arkivering av dokumenter"),
        ("bundled-plan-2019-2021",
         "Guidance for the fulfilment of the duty to journalling and archiving documents"),
    }
    # its status is in the lifecycle graph, not a source graph; OGP's page adds its headline
    # title (dct:alternative), a page link, the notes of the reference data
    assert len(bundled) == 22
    ogp_id = {"source": "bundled-plan-2019-2021", "value": "NO0054",
              "property": "https://w3id.org/ogp-no/def#ogpIdentifier"}
    assert ogp_id in bundled  # the OGP id, also the registry id (dct:identifier)
    assert loaded == bundled  # the fixtures say nothing about NO0054


def check_commitments_per_plan(bundled: list[Row], loaded: list[Row]) -> None:
    per_plan = {r["plan"]: int(r["commitments"]) for r in bundled}
    plans = {"Norway – First National Action Plan – 2012-2013": "2012-2013"}
    expected: dict[str, int] = {}
    for r in _ogp_rows():
        years = re.search(r"(\d{4})-(\d{4})", r["action_plan"])
        assert years is not None
        plan = plans.get(r["action_plan"], years.group(0).replace("2019-2022", "2019-2021"))
        expected[plan] = expected.get(plan, 0) + 1
    assert per_plan == expected
    assert {r["plan"]: int(r["commitments"]) for r in loaded}["2019-2021"] == (
        expected["2019-2021"] + 2)  # + NO9902, NO9903


def check_commitments_without_english_title(bundled: list[Row], loaded: list[Row]) -> None:
    assert bundled == []
    assert loaded == [
        {"plan": "2019-2021", "id": "NO9903", "title": "Forpliktelse uten engelsk tittel (eksempel)"}
    ]


def check_commitments_as_of_date(bundled: list[Row], loaded: list[Row]) -> None:
    # These stores record their history when the tests run, long after 1 July 2019, so the
    # registry held nothing then; tests/test_asof.py checks the answer on a back-dated history.
    assert bundled == [] and loaded == []


def check_unmapped_policy_areas(bundled: list[Row], loaded: list[Row]) -> None:
    # OGP's tags the registry does not know are listed for the editors, with those no theme is
    # mapped to; every tag of the bundled commitments is one or the other
    unknown = {r["tag"] for r in bundled if r["known"] == "false"}
    assert unknown == {"Whistleblower Protections", "Democratizing Decision-Making",
                       "Regulatory Governance", "Freedom of Expression"}
    tags = {r["tag"]: int(r["commitments"]) for r in bundled}
    sdg = sum("Sustainable Development Goals" in r["policy_areas"] for r in _ogp_rows())
    assert tags["Sustainable Development Goals"] == sdg
    assert "Open Data" not in tags and "Public Procurement" not in tags  # mapped to themes
    assert loaded == bundled  # the invented fixtures carry no policy areas


def check_co_creation_proposal_responses(bundled: list[Row], loaded: list[Row]) -> None:
    # no proposals are bundled; the invented ones are both taken into NO9902 (derived), none
    # has an explicit response (tests/test_co_creation.py runs it on answered proposals)
    assert bundled == []
    assert {(r["proposal"], r["response"], r.get("commitment")) for r in loaded} == {
        ("eksempel-1", "taken-forward", "NO9902"), ("eksempel-2", "taken-forward", "NO9902")}


def check_co_creation_meeting_notice(bundled: list[Row], loaded: list[Row]) -> None:
    # the 2018 invitation: deadlines 12 June, 46 invited, the day it was sent not in the sources
    assert bundled == [{"plan": "2019-2021", "meeting": f"{BASE}id/meeting/2018-06-19",
                        "start": "2018-06-19T09:00:00+02:00", "registrationDeadline":
                        "2018-06-12", "proposalDeadline": "2018-06-12", "invited": "46"}]
    assert loaded == bundled


def check_co_creation_meetings(bundled: list[Row], loaded: list[Row]) -> None:
    assert bundled == [{"start": "2018-06-19T09:00:00+02:00", "kind": "ConsultationMeeting",
                        "meeting": f"{BASE}id/meeting/2018-06-19", "plan": "2019-2021"}]
    assert [r["kind"] for r in loaded] == ["ConsultationMeeting", "FollowUpMeeting"]


def check_co_creation_repository_documents(bundled: list[Row], loaded: list[Row]) -> None:
    # no dated repository documents are bundled: the plans' own documents, undated
    assert {r["plan"] for r in bundled} == {"2013-2015", "2016-2018", "2019-2021", "2023-2027"}
    assert {r["kind"] for r in bundled} == {"action-plan"}
    assert all("issued" not in r for r in bundled)
    assert loaded == bundled


CHECKS: dict[str, Callable[[list[Row], list[Row]], None]] = {
    "co-creation-proposal-responses": check_co_creation_proposal_responses,
    "co-creation-meeting-notice": check_co_creation_meeting_notice,
    "co-creation-meetings": check_co_creation_meetings,
    "co-creation-repository-documents": check_co_creation_repository_documents,
    "commitments-by-lead-agency": check_commitments_by_lead_agency,
    "commitments-of-one-ministry": check_commitments_of_one_ministry,
    "commitments-per-theme": check_commitments_per_theme,
    "commitments-per-ogp-value": check_commitments_per_ogp_value,
    "milestones": check_milestones,
    "milestones-due-in-period": check_milestones_due_in_period,
    "overdue-milestones": check_overdue_milestones,
    "progress-by-completion-level": check_progress_by_completion_level,
    "commitments-from-civil-society-proposals": check_commitments_from_civil_society_proposals,
    "proposals-and-comments": check_proposals_and_comments,
    "invited-organisations-participation": check_invited_organisations_participation,
    "organisations-with-register-links": check_organisations_with_register_links,
    "provenance": check_provenance,
    "statements-by-source": check_statements_by_source,
    "commitments-without-english-title": check_commitments_without_english_title,
    "commitments-as-of-date": check_commitments_as_of_date,
    "unmapped-policy-areas": check_unmapped_policy_areas,
    "commitments-per-plan": check_commitments_per_plan,
}


def test_every_example_has_an_expected_answer() -> None:
    assert sorted(CHECKS) == sorted(e.stem for e in load_examples())


@pytest.mark.parametrize("example", load_examples(), ids=lambda e: e.stem)
def test_example_answers_its_question(
    example: Example, registry: Registry, loaded: Registry
) -> None:
    CHECKS[example.stem](rows(registry, example.stem), rows(loaded, example.stem))


def test_every_example_is_documented_with_its_question() -> None:
    doc = (ROOT / "docs" / "queries.md").read_text("utf-8")
    headings = re.findall(r"^### ([\w-]+)$", doc, flags=re.MULTILINE)
    assert headings == [e.stem for e in load_examples()], "docs/queries.md: one section each"


# -- titles in English where there is no bokmål one ------------------------------------------
#: example -> (the column naming the item, the item of tests/fixtures/rdf/english-only.ttl)
ENGLISH_ONLY = {
    "commitments-of-one-ministry": ("id", "NO9904"),
    "commitments-from-civil-society-proposals": ("id", "NO9904"),
    "milestones": ("commitment", "NO9904"),
    "milestones-due-in-period": ("commitment", "NO9904"),
    "overdue-milestones": ("commitment", "NO9904"),
    "co-creation-proposal-responses": ("proposal", "example-english-1"),
}


@pytest.fixture(scope="module")
def english_only(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The bundled data plus the invented ``english-only.ttl``: a commitment, its milestone and
    the proposal it came from, each with an English title only (as OGP publishes many plans)."""
    path = tmp_path_factory.mktemp("examples-en") / "store"
    shutil.copytree(initialised_store, path)
    reg = open_registry(make_settings(path))
    name = "english-only.ttl"
    reg.load([SourceFile(name, (FIXTURES / "rdf" / name).read_bytes(), source_id_for(name))],
             submitted_by=KMD)
    return reg


@pytest.mark.parametrize("stem", sorted(ENGLISH_ONLY))
def test_an_item_with_only_an_english_title_is_listed_with_it(
    stem: str, english_only: Registry
) -> None:
    key, item = ENGLISH_ONLY[stem]
    answer = [r for r in rows(english_only, stem) if r.get(key) == item]
    assert answer, f"{stem}: {item} is missing (its title is in English only)"
    assert all(r.get("title", "").endswith("(invented example)") for r in answer), answer


def test_every_example_with_a_title_column_shows_a_title_in_every_row(
    english_only: Registry,
) -> None:
    """No row with an empty title: the bundled commitments of the earlier plans have English
    titles only (e.g. NO0045), and so may a new plan's items."""
    for example in load_examples():
        answer = rows(english_only, example.stem)
        if example.stem == "commitments-without-english-title" or not any(
            "title" in r for r in answer
        ):
            continue
        untitled = [r for r in answer if not r.get("title")]
        assert not untitled, f"{example.stem}: rows without a title: {untitled[:3]}"


# -- the sample answers of docs/queries.md ---------------------------------------------------
#: Before each sample table in docs/queries.md: which store it was read from.
ANSWER_MARK = re.compile(r"^<!-- answer: (bundled|invented|not checked[^>]*) -->$")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _doc_samples() -> list[tuple[str, str, str, list[str], list[list[str]]]]:
    """(example, store, the prose before the table, header, rows) of each sample table under
    "## The examples" in docs/queries.md."""
    doc = (ROOT / "docs" / "queries.md").read_text("utf-8")
    part = doc.split("\n## The examples\n", 1)[1]
    out = []
    for section in re.split(r"^### ", part, flags=re.MULTILINE)[1:]:
        stem, _, body = section.partition("\n")
        lines = body.splitlines()
        prose: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("|"):
                mark = ANSWER_MARK.match(lines[i - 1]) if i else None
                assert mark is not None, (
                    f"docs/queries.md, {stem}: a sample table needs <!-- answer: bundled --> or "
                    "<!-- answer: invented --> on the line before it"
                )
                table = []
                while i < len(lines) and lines[i].startswith("|"):
                    table.append(_cells(lines[i]))
                    i += 1
                out.append((stem, mark.group(1), "\n".join(prose), table[0], table[2:]))
                prose = []
                continue
            prose.append(line)
            i += 1
    return out


def _cell_matches(doc: str, actual: str) -> bool:
    """A documented cell ending in "…" is the start of the value (the command line cuts long
    cells), one starting with "…" its end (a long IRI), one in parentheses a value that is
    different on every store (a time); any other cell is the value."""
    if doc.endswith("…"):
        return actual.startswith(doc[:-1])
    if doc.startswith("…"):
        return actual.endswith(doc[1:])
    if doc.startswith("(") and doc.endswith(")"):
        return bool(actual)
    return doc == actual


def _table_answer(reg: Registry, stem: str) -> tuple[list[str], list[list[str]]]:
    """The example's answer as the command line shows it (``ogpreg query``, table form)."""
    example = {e.stem: e for e in load_examples()}[stem]
    result = reg.query(example.text)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return names, [[compact(sol[n]) for n in names] for sol in result]


def test_the_sample_answers_in_docs_queries_md_are_what_the_examples_answer(
    registry: Registry, loaded: Registry
) -> None:
    """Every sample table (and every "N rows" said before it) in docs/queries.md is the
    example's answer today: a row of "…" stands for rows left out; without one at the end, the
    table is the whole answer. "No rows on the bundled data" is checked too."""
    samples = _doc_samples()
    assert len(samples) >= 15
    stores = {"bundled": registry, "invented": loaded}
    problems = []
    for stem, store, prose, header, documented in samples:
        if store.startswith("not checked"):
            continue
        names, actual = _table_answer(stores[store], stem)
        where = f"{stem} ({store})"
        if header != names:
            problems.append(f"{where}: columns {header}, the answer has {names}")
            continue
        for said in re.findall(r"\b(\d+) rows\b", prose):
            if int(said) != len(actual):
                problems.append(f"{where}: says {said} rows, the answer has {len(actual)}")
        at, gap = 0, False
        for row in documented:
            if row[0] == "…":
                gap = True
                continue
            while gap and at < len(actual) and not all(
                _cell_matches(d, a) for d, a in zip(row, actual[at], strict=True)
            ):
                at += 1
            if at >= len(actual) or not all(
                _cell_matches(d, a) for d, a in zip(row, actual[at], strict=True)
            ):
                problems.append(f"{where}: row {row} is not in the answer there: "
                                f"{actual[at] if at < len(actual) else '(no more rows)'}")
                break
            at, gap = at + 1, False
        else:
            if not gap and at != len(actual):
                problems.append(f"{where}: the table has {at} rows, the answer {len(actual)} "
                                "(end it with a row of … if rows are left out)")
    doc = (ROOT / "docs" / "queries.md").read_text("utf-8")
    for stem in re.findall(r"^### ([\w-]+)\n(?:(?!### ).*\n)*?.*No rows on the bundled data",
                           doc, flags=re.MULTILINE):
        if _table_answer(registry, stem)[1]:
            problems.append(f"{stem}: says no rows on the bundled data, but there are some")
    assert not problems, "docs/queries.md:\n" + "\n".join(problems)
