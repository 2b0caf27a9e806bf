"""One real thing, several sources: a ministry resubmits a plan the registry already ships
(the 2013–2015 plan, as KMD would register it: real values from
../shared/data/reference/action-plans.csv) and the IRM's 2023 rating of NO0055 (real, from
nap4-irm-ratings.csv). The plan page over the real app shows each IRM report once and one
number of commitments, each with both sources; the commitment page shows the IRM's rating once
(docs/pages.md, "One real thing, several sources")."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from openpyxl import load_workbook
from pyoxigraph import NamedNode, Variable

from loaders.columns import sheet
from loaders.submission import Options, RawInput, read_submissions
from loaders.template import xlsx_template
from ogpreg.cli import main
from registry.model.description import Node, Property, Value, merge_same_things
from registry.service import Registry
from tests.conftest import BASE, FIXTURES
from tests.endpoint_server import Running, running

KMD = "972417858"  # Kommunal- og moderniseringsdepartementet, coordinator of NAP2 from 2014
IRM_REPORT = "https://w3id.org/ogp-no/def#irmReport"
COUNT = "https://w3id.org/ogp-no/def#numberOfCommitments"

#: The 2013–2015 plan as a ministry writes it: the IRM reports by the names OGP publishes them
#: under, the number of commitments as a number (action-plans.csv, NAP2).
PLAN_2013_2015 = {
    "id": "2013-2015",
    "title_en": "Norway's second Action Plan on Open Government Partnership (OGP)",
    "start_date": "2013",
    "end_date": "2015",
    "coordinated_by": "Fornyings-, administrasjons- og kirkedepartementet",
    "documents": "https://www.regjeringen.no/no/tema/statlig-forvaltning/ogp/"
                 "den-andre-norske-handlingsplanen-i-ogp/id2505869/",
    "irm_reports": "Norway Second IRM Progress Report 2013-2014; "
                   "Norway End-of-Term Report 2014-2015",
    "number_of_commitments": "26",
}
#: The IRM's Results Report 2019-2022 on NO0055: early results "Marginal", published 2023.
ASSESSMENT_NO0055 = {
    "commitment": "NO0055",
    "kind": "IRM-vurdering",
    "assessed_by": "Independent Reporting Mechanism (IRM)",
    "date": "2023",
    "opened_government": "Marginal",
}


REAL = FIXTURES / "submissions" / "real-plans"


def _resubmission(path: Path) -> Path:
    """The 2013–2015 plan as a ministry sends it: its 15 commitments as OGP publishes them
    (tests/fixtures/submissions/real-plans/2013-2015.xlsx, real) and, on the sheet
    «Handlingsplaner», the plan itself."""
    wb = load_workbook(REAL / "2013-2015.xlsx")
    wb["Handlingsplaner"].append([PLAN_2013_2015.get(c.key) for c in sheet("plans").columns])
    wb.save(path)
    return path


def _rating(path: Path) -> Path:
    wb = load_workbook(io.BytesIO(xlsx_template("assessments")))
    wb["Vurderinger"].append([ASSESSMENT_NO0055.get(c.key) for c in sheet("assessments").columns])
    wb.save(path)
    return path


#: The IRM's Design Report 2019-2021 on NO0054 (published 2020, ambition "Low"), as a ministry
#: might send it in RDF under an IRI of its own.
RDF_NO0054 = """@prefix ogp: <https://w3id.org/ogp-no/def#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/assessment/NO0054-irm-2020> a ogp:ProgressAssessment ;
    ogp:assesses <id/commitment/NO0054> ;
    ogp:assessmentKind <https://w3id.org/ogp-no/vocab/assessment-kind/irm> ;
    ogp:assessedBy <id/organisation/independent-reporting-mechanism-irm> ;
    ogp:assessmentDate "2020"^^xsd:gYear ;
    ogp:ratingStatement "Ambition: Low" .
"""


def _ogpreg(store: Path, *args: str) -> None:
    r = CliRunner().invoke(main, ["--store", str(store), "--base-uri", BASE, "--lang", "en",
                                  *args], catch_exceptions=False, env={"OGPREG_USER": "tester"})
    assert r.exit_code == 0, r.output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The registry as shipped (``ogpreg init``), then the ministry's resubmission of the
    shipped plan and of an IRM rating the registry ships, loaded on the command line as a
    ministry's files are."""
    tmp = tmp_path_factory.mktemp("resubmitted")
    store = tmp / "store"
    _ogpreg(store, "init")
    for f in (_resubmission(tmp / "handlingsplan-2013-2015.xlsx"),
              _rating(tmp / "irm-vurderinger-2019-2021.xlsx")):
        _ogpreg(store, "load", "--submitted-by", KMD, str(f))
    rdf = tmp / "irm-no0054.ttl"
    rdf.write_text(RDF_NO0054, encoding="utf-8")
    _ogpreg(store, "load", "--submitted-by", KMD, str(rdf))
    with running(store) as served:
        yield served


def _page(site: Running, path: str) -> str:
    resp = requests.get(site.url + path, params={"lang": "en"},
                        headers={"Accept": "text/html"}, timeout=30)
    assert resp.status_code == 200
    return resp.text


def _statements(html: str, label: str) -> list[tuple[str, str]]:
    """The rows of the statements table for the property labelled ``label``: (value, sources),
    as text."""
    table = html[html.index('<table class="statements">'):]
    table = table[: table.index("</table>")]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [unescape(re.sub(r"<[^>]+>", " ", c)) for c in
                 re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)]
        if cells and " ".join(cells[0].split()) == label:
            rows.append((" ".join(cells[1].split()), " ".join(cells[2].split())))
    return rows


def test_a_resubmitted_plan_shows_each_irm_report_once_and_one_count(site: Running) -> None:
    html = _page(site, "id/plan/2013-2015")
    ministry = "commitments-2013-2015-kommunal-og-moderniseringsdepartementet"
    reports = _statements(html, "IRM report")
    assert len(reports) == 2, reports
    # the reports' names alone, as the ministry writes them and as the registry ships them
    assert [v for v, _ in reports] == [
        "Norway End-of-Term Report 2014-2015", "Norway Second IRM Progress Report 2013-2014"]
    counts = _statements(html, "number of commitments")
    assert counts[0][0] == "26" and len(counts) == 1, counts
    for _value, sources in reports + counts:
        assert "bundled-plans" in sources and ministry in sources
    # what the reference data says about them is the registry's editorial note, naming each
    notes = [v.removesuffix(" @en") for v, _ in _statements(html, "editorial note")]
    assert "IRM report «Norway End-of-Term Report 2014-2015»: no URL seen" in notes, notes
    assert "Number of commitments «26»: KMD slides, 17 March 2014" in notes, notes
    assert any(n.startswith("IRM report «Norway Second IRM Progress Report 2013-2014»: copy: "
                            "https://vdocuments.site/") for n in notes), notes
    # the aggregates count each commitment once: the 15 the registry ships are the 15 sent
    home = _page(site, "")
    row = home[home.index('href="' + BASE + 'id/plan/2013-2015?'):]
    row = row[: row.index("</tr>")]
    assert re.search(r">\s*15\s*<", row), row


def _assessment_links(site: Running, commitment: str) -> set[str]:
    html = _page(site, "id/commitment/" + commitment)
    section = html[html.index('id="assessments"'):]
    section = section[: section.index("</section>")]
    return set(re.findall(r"id/assessment/([^?\"#]+)", section))


def test_an_irm_rating_the_registry_ships_and_a_ministry_resubmits_shows_once(
    site: Running,
) -> None:
    # the assessments sheet: the registry's IRI for the rating, not one of its own
    found = {str(r["a"].value) for r in site.registry.query(  # type: ignore[union-attr]
        "SELECT ?c ?g ?a WHERE { GRAPH ?g { ?a ogp:assesses ?c } }",
        substitutions={Variable("c"): NamedNode(BASE + "id/commitment/NO0055")})
        if str(r["g"].value).startswith(BASE + "graph/source/assessments-")}
    assert found == {BASE + "id/assessment/NO0055-irm-results-report-2019-2022"}
    assert _assessment_links(site, "NO0055") == {
        "NO0055-irm-design-report-2019-2021", "NO0055-irm-results-report-2019-2022"}
    # RDF under an IRI of its own: the page still shows the one assessment
    shown = _assessment_links(site, "NO0054")
    assert len(shown & {"NO0054-irm-2020", "NO0054-irm-design-report-2019-2021"}) == 1, shown


def _literal_value(raw: str, graph: str, datatype: str | None = None) -> Value:
    return Value(raw=raw, datatype=datatype, graphs=[Node(graph, graph, None)])


def test_a_report_named_with_an_en_dash_is_the_report_named_with_a_hyphen() -> None:
    """A person typing a report's name may write its years with an en dash, as Norwegian
    typography writes a range (the reference data's own SOURCES.md: «Results Report 2019–2022»),
    or copy a no-break space from a PDF; OGP publishes the names with a hyphen
    (action-plans.csv). Each is one report, shown as OGP writes it, with both sources. The
    variants' wordings are invented; the names are real."""
    reports = Property(Node(IRM_REPORT, IRM_REPORT, None), [  # in the page's order
        _literal_value("Norway Design Report 2019-2021", "a"),
        _literal_value("Norway Design Report\u00a02019-2021", "b"),
        _literal_value("Norway Results Report 2019-2022", "a"),
        _literal_value("Norway Results Report 2019\u20132022", "b"),
        _literal_value("Norway Results Report 2019\u20132021", "b"),  # other years: another
    ])
    merge_same_things([reports])
    assert [v.raw for v in reports.values] == [
        "Norway Design Report 2019-2021", "Norway Results Report 2019-2022",
        "Norway Results Report 2019\u20132021"]
    assert [[g.iri for g in v.graphs] for v in reports.values] == [["a", "b"], ["a", "b"], ["b"]]
    assert [v.raw for v in reports.values[1].variants] == ["Norway Results Report 2019\u20132022"]


def test_counts_and_other_words_are_not_merged_by_wording() -> None:
    """A number of commitments is its value: the bundled counts are integers where the source
    gives one number (tests/test_bundled_values.py), so a ministry's 26 is the same statement;
    a text that says more stays a value of its own, and so does a report named in other words."""
    count = Property(Node(COUNT, COUNT, None), [
        _literal_value("8 at start; 10 after 2021 amendments", "a"),
        _literal_value("8", "b", "http://www.w3.org/2001/XMLSchema#integer"),
        _literal_value("26 (KMD slides, 17 March 2014)", "b"),
        _literal_value("26", "a", "http://www.w3.org/2001/XMLSchema#integer"),
    ])
    reports = Property(Node(IRM_REPORT, IRM_REPORT, None), [
        _literal_value("Norway End-of-Term Report 2014-2015", "a"),
        _literal_value("Norway End-of-Term Report 2014-2015 (no URL seen)", "b"),
        _literal_value("Norway End-of-term Report 2014-2015", "b"),
    ])
    merge_same_things([count, reports])
    assert len(count.values) == 4 and len(reports.values) == 3


class _CountingReader:
    """A reader that counts the registry's look-ups (each is an HTTP request on an external
    engine) and passes them to the real store."""

    def __init__(self, inner: Any, counts: list[int]) -> None:
        self._inner, self._counts = inner, counts

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in ("quads_for_pattern", "query"):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._counts[0] += 1
            return attr(*args, **kwargs)
        return counted

    def __iter__(self) -> Iterator[Any]:
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)


def test_naming_assessments_without_an_id_costs_one_look_up_per_assessed_item(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An assessment row without «ID» is named after the registry's assessment of the same
    item, kind and date when there is one: the registry's assessments of an item are read once
    per build, not again for every row and every candidate (on an external engine each read is
    an HTTP request). The ratings below are invented; NO0055 is real and has IRM ratings."""
    counts = [0]
    real = registry.store.reader
    monkeypatch.setattr(registry.store, "reader", lambda: _CountingReader(real(), counts))

    def reads(years: range) -> int:
        wb = load_workbook(io.BytesIO(xlsx_template("assessments")))
        for year in years:  # invented: one self-assessment a year
            row = {**ASSESSMENT_NO0055, "kind": "Egenvurdering", "date": str(year),
                   "assessed_by": "Kommunal- og moderniseringsdepartementet"}
            wb["Vurderinger"].append([row.get(c.key) for c in sheet("assessments").columns])
        data = io.BytesIO()
        wb.save(data)
        counts[0] = 0
        (sub,) = read_submissions(
            registry, [(RawInput("vurderinger.xlsx", data=data.getvalue()), "xlsx")],
            Options(submitted_by=KMD),
        )
        assert sub.build.ok, sub.build.issues
        return counts[0]

    assert reads(range(2020, 2021)) == reads(range(2020, 2026))
