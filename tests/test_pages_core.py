"""The core of the pages (registry/model/resources.py, registry/model/planviews.py) on real stores, the SVG
charts, the words of the pages and what ships in the package. Numbers are checked against
independent SPARQL counts over the same store."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from endpoint.pages import charts
from endpoint.pages.query import STRINGS as QUERY_STRINGS
from endpoint.pages.text import STRINGS, SWITCH, words
from registry.loading.sources import SourceFile
from registry.model.planviews import NOT_ASSESSED, PlanViews
from registry.model.resources import Resources
from registry.model.terms import doc_iri, vocabulary_iri
from registry.model.text import Text, format_date, pick
from registry.service import Registry
from tests.conftest import BASE

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "pages"
PLAN = BASE + "id/plan/2019-2021"


def load(reg: Registry, *names: str) -> None:
    for name in names:
        reg.load([SourceFile(name, (PAGES / name).read_bytes(), "pages-" + Path(name).stem)])


def count(reg: Registry, sparql: str) -> int:
    rows = list(reg.query(sparql))  # type: ignore[arg-type]
    return int(rows[0]["n"].value)


# -- texts ---------------------------------------------------------------------------------------
def test_pick_prefers_the_language_then_falls_back_and_says_so() -> None:
    both = [("Forpliktelse", "nb"), ("Commitment", "en")]
    assert pick(both, "nb") == Text("Forpliktelse", "nb", False)
    assert pick(both, "en") == Text("Commitment", "en", False)
    assert pick([("Only English", "en")], "nb") == Text("Only English", "en", True)
    assert pick([("Bare bokmål", "nb")], "en") == Text("Bare bokmål", "nb", True)
    assert pick([("Nynorsk", "nn"), ("Plain", None)], "nb") == Text("Nynorsk", "nn", True)
    assert pick([("Plain", None), ("Deutsch", "de")], "en") == Text("Plain", None, False)
    assert pick([], "nb") is None


@pytest.mark.parametrize(
    ("value", "nb", "en"),
    [
        ("2019", "2019", "2019"),
        ("2019-07", "juli 2019", "July 2019"),
        ("2019-07-01", "1. juli 2019", "1 July 2019"),
        ("2018-06-19T09:00:00+02:00", "19. juni 2018 kl. 09:00", "19 June 2018, 09:00"),
        ("not a date", "not a date", "not a date"),
    ],
)
def test_dates_are_shown_at_the_precision_they_have(value: str, nb: str, en: str) -> None:
    assert format_date(value, "nb") == nb
    assert format_date(value, "en") == en


# -- URIs of the vocabulary ---------------------------------------------------------------------------
def test_every_vocabulary_iri_has_a_local_page_that_maps_back(registry: Registry) -> None:
    rows = registry.query(
        "SELECT DISTINCT ?x WHERE { ?x ?p ?o FILTER (STRSTARTS(STR(?x), 'https://w3id.org/ogp-no/')) }"
    )
    iris = [r["x"].value for r in rows]  # type: ignore[union-attr]
    assert len(iris) > 100
    for iri in iris:
        local = doc_iri(iri, BASE)
        assert local is not None and local.startswith(BASE + "def"), iri
        if "#" not in local:  # a page of its own (not an anchor on the ontology or shapes page)
            assert vocabulary_iri(local[len(BASE + "def/") :]) == iri, iri


# -- descriptions ----------------------------------------------------------------------------------------
def test_describe_gives_each_statement_with_every_source_that_asserts_it(
    registry: Registry,
) -> None:
    load(registry, "commitment-story.ttl", "commitment-story-civil-society.ttl")
    res = Resources(registry)
    d = res.describe(BASE + "id/commitment/NO9906", "nb")
    assert d is not None and d.described
    theme = d.values("https://w3id.org/ogp-no/def#theme")
    assert [v.node.iri for v in theme if v.node] == ["https://w3id.org/ogp-no/theme/record-keeping"]
    assert sorted(g.iri for g in theme[0].graphs) == [
        BASE + "graph/source/pages-commitment-story",
        BASE + "graph/source/pages-commitment-story-civil-society",
    ]
    lead = d.values("https://w3id.org/ogp-no/def#leadAgency")
    assert [g.iri for g in lead[0].graphs] == [BASE + "graph/source/pages-commitment-story"]
    # backlinks: the milestones point here
    linking = d.linking("https://w3id.org/ogp-no/def#ofCommitment")
    assert sorted(n.iri.rsplit("/", 1)[-1] for n in linking) == ["1", "2", "3"]
    assert res.describe(BASE + "id/commitment/NO0000", "nb") is None


def test_withdrawn_and_superseded_items_carry_status_reason_and_successor(
    registry: Registry,
) -> None:
    load(registry, "withdrawn.ttl")
    res = Resources(registry)
    w = res.describe(BASE + "id/commitment/NO9903", "en")
    assert w is not None and w.gone and not w.replaced_by
    assert w.reasons == [
        Text("Withdrawn because the work was folded into another measure (invented reason).", "en")
    ]
    s = res.describe(BASE + "id/commitment/NO9904", "nb")
    assert s is not None and s.gone
    assert [n.iri for n in s.replaced_by] == [BASE + "id/commitment/NO9905"]
    assert s.reasons[0].fallback and s.reasons[0].lang == "en"
    ok = res.describe(BASE + "id/commitment/NO9905", "nb")
    assert ok is not None and not ok.gone


def test_labels_follow_the_language_and_new_revisions(registry: Registry) -> None:
    res = Resources(registry)
    kmd = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"  # renamed KDD in 2022
    assert res.label(kmd, "nb") == Text("Kommunal- og distriktsdepartementet", "nb")
    assert res.label(kmd, "en") == Text("Ministry of Local Government and Regional Development", "en")
    assert res.label(BASE + "id/commitment/NO9906", "nb") is None
    load(registry, "commitment-story.ttl")  # a new revision: the index is read again
    assert res.label(BASE + "id/commitment/NO9906", "en") == Text(
        "Offentlige journaler i alle kommuner (eksempel)", "nb", True
    )


# -- commitments and the dashboard ----------------------------------------------------------------------
def test_milestones_take_their_completion_from_the_latest_assessment_when_they_have_none(
    registry: Registry,
) -> None:
    load(registry, "commitment-story.ttl")
    pv = PlanViews(Resources(registry))
    ms = pv.milestones(BASE + "id/commitment/NO9906", "nb")
    assert [m.position for m in ms] == [1, 2, 3]
    assert [
        (m.completion.iri.rsplit("/", 1)[-1] if m.completion else None, m.completion_from)
        for m in ms
    ] == [("complete", "milestone"), ("limited", "assessment"), (None, "")]
    assert [m.end.value if m.end else None for m in ms] == [
        "31. desember 2019",
        "2020",
        "juni 2021",
    ]


def test_assessments_come_side_by_side_with_who_made_them(registry: Registry) -> None:
    load(registry, "commitment-story.ttl", "commitment-story-civil-society.ttl")
    pv = PlanViews(Resources(registry))
    a = pv.assessments(BASE + "id/commitment/NO9906", "en")
    assert [
        (x.node.iri.rsplit("/", 1)[-1], x.by.iri.rsplit("/", 1)[-1] if x.by else None) for x in a
    ] == [
        ("sider-self", "kommunal-og-moderniseringsdepartementet"),
        ("sider-cs", "norsk-journalistlag"),
        ("sider-self-m2", "kommunal-og-moderniseringsdepartementet"),
    ]
    assert a[1].starred == Text("no")


def test_dashboard_numbers_agree_with_independent_counts(registry: Registry) -> None:
    load(registry, "commitment-story.ttl", "withdrawn.ttl")
    dash = PlanViews(Resources(registry)).dashboard(PLAN, "en")
    # withdrawn and superseded commitments (NO9903, NO9904) do not count
    gone = (
        "FILTER NOT EXISTS { ?c ogp:registryStatus ?s FILTER (?s IN "
        "(<https://w3id.org/ogp-no/vocab/status/withdrawn>, "
        "<https://w3id.org/ogp-no/vocab/status/superseded>)) }"
    )
    commitments = count(
        registry,
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { { ?c ogp:inActionPlan ?plan } UNION "
        f"{{ ?plan ogp:hasCommitment ?c }} FILTER (?plan = <{PLAN}>) {gone} }}",
    )
    everything = count(
        registry,
        f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c ogp:inActionPlan <{PLAN}> }}",
    )
    assert everything == commitments + 2
    assert dash.commitments == commitments
    for bar in dash.themes:
        if bar.node is None:
            continue
        n = count(
            registry,
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c ogp:inActionPlan "
            f"<{PLAN}> ; ogp:theme <{bar.node.iri}> {gone} }}",
        )
        assert bar.value == n, bar.key
    without = count(
        registry,
        f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c ogp:inActionPlan <{PLAN}> "
        f"FILTER NOT EXISTS {{ ?c ogp:theme ?t }} {gone} }}",
    )
    assert [b.value for b in dash.themes if b.key == "none"] == ([without] if without else [])
    milestones = count(
        registry,
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?c ogp:inActionPlan "
        f"<{PLAN}> . {{ ?m ogp:ofCommitment ?c }} UNION {{ ?c ogp:hasMilestone ?m }} {gone} }}",
    )
    assert dash.milestones == milestones
    assert sum(sum(s.values) for s in dash.milestone_series) == milestones
    assert dash.milestone_series[-1].key == NOT_ASSESSED
    invited = count(
        registry,
        f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?m ogp:forActionPlan <{PLAN}> ; ogp:invited ?o }}",
    )
    leads = count(
        registry,
        f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?c ogp:inActionPlan <{PLAN}> ; ogp:leadAgency ?o {gone} }}",
    )
    by_key = {b.key: b.value for b in dash.participation}
    assert by_key["invited"] == invited == 46
    assert by_key["lead"] == leads
    assert by_key["proposed"] == 1  # Norsk redaktørforening's proposal (invented fixture)
    # KMD on that proposal, Norsk journalistlag on the commitment (invented fixture)
    assert by_key["commented"] == 2


def test_plans_are_listed_with_period_and_status(registry: Registry) -> None:
    pv = PlanViews(Resources(registry))
    plans = pv.plans("en")
    assert {p.identifier for p in plans} == {  # Norway's five plans (bundled-plans)
        "2012-2013", "2013-2015", "2016-2018", "2019-2021", "2023-2027"
    }
    p = next(p for p in plans if p.identifier == "2019-2021")
    assert (p.start, p.end) == (Text("1 July 2019"), Text("30 June 2021"))
    assert p.status is not None and p.status.iri.endswith("/status/completed")
    assert p.commitments == 9


# -- search ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("q", ["næringslivets", "NÆRINGSLIVETS", "Næringslivets hovedorganisasjon"])
def test_search_ignores_case_also_for_ae_oe_aa(registry: Registry, q: str) -> None:
    hits = Resources(registry).search(q, "nb")
    assert [h.node.iri for h in hits][:1] == [
        BASE + "id/organisation/naeringslivets-hovedorganisasjon"
    ]


def test_search_ranks_exact_and_prefix_matches_first(registry: Registry) -> None:
    hits = Resources(registry).search("kulturdepartementet", "nb")
    assert hits[0].node.iri == BASE + "id/organisation/kulturdepartementet"
    assert Resources(registry).search("   ", "nb") == []


# -- charts --------------------------------------------------------------------------------------------
def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def test_a_bar_chart_is_well_formed_svg_with_a_text_alternative_and_values_on_the_bars() -> None:
    svg = charts.bar_chart(
        "c1",
        [charts.Item("Åpne data & <innsyn>", 3), charts.Item("Open data", 1, "en")],
        title="Forpliktelser per tema",
        desc="Beskrivelse",
    )
    root = _svg(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(ns + "title").text == "Forpliktelser per tema"  # type: ignore[union-attr]
    assert root.find(ns + "desc").text == "Beskrivelse"  # type: ignore[union-attr]
    texts = [t.text for t in root.iter(ns + "text")]
    assert "Åpne data & <innsyn>" in texts and "3" in texts and "1" in texts
    assert any(t.get("lang") == "en" for t in root.iter(ns + "text"))
    assert "style=" not in str(svg)


def test_a_stacked_chart_tells_series_apart_by_pattern_and_names_them_in_a_legend() -> None:
    series = [charts.StackSeries(f"S{i}", [i, 1]) for i in range(5)]
    svg = str(charts.stacked_chart("c2", ["2020", "2021"], series, title="T", desc="D"))
    root = _svg(svg)
    ns = "{http://www.w3.org/2000/svg}"
    patterns = root.findall(f".//{ns}pattern")
    assert len(patterns) == len(charts.PALETTE) == len(set(charts.PATTERNS))
    fills = {
        r.get("fill") for r in root.iter(ns + "rect") if (r.get("fill") or "").startswith("url(")
    }
    assert fills == {f"url(#c2-p{i})" for i in range(5)}
    legend = [
        t.text
        for g in root.iter(ns + "g")
        if g.get("class") == "legend"
        for t in g.iter(ns + "text")
    ]
    assert legend == ["S0", "S1", "S2", "S3", "S4"]
    totals = [t.text for t in root.iter(ns + "text") if t.get("font-weight") == "bold"]
    assert totals == ["10", "5"]
    assert "style=" not in svg


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_chart_colours_have_three_to_one_contrast_against_white() -> None:
    for colour in charts.PALETTE:
        assert contrast(colour, "#ffffff") >= 3.0, colour


TEXT_PAIRS = [
    ("fg", "bg"),
    ("muted", "bg"),
    ("accent", "bg"),
    ("accent-fg", "accent"),
    ("fg", "panel"),
    ("accent", "panel"),
    ("muted", "panel"),
    ("notice-fg", "notice-bg"),
    ("gone-fg", "gone-bg"),
    ("header-fg", "header-bg"),
    ("header-link", "header-bg"),
    ("focus", "bg"),
]


def test_text_colours_of_the_pages_meet_wcag_aa_contrast() -> None:
    css = (ROOT / "endpoint" / "static" / "pages" / "pages.css").read_text("utf-8")
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    for fg, bg in TEXT_PAIRS:
        assert contrast(colours[fg], colours[bg]) >= 4.5, (fg, bg)


# -- words and package data ------------------------------------------------------------------------
def test_bokmal_has_every_word_with_the_same_placeholders() -> None:
    """The pages' words are msgids (English): the bokmål catalog translates each one (a word
    that reads the same in both, such as "URI", to itself), with the same placeholders."""
    with (ROOT / "registry" / "locale" / "nb" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        nb = {m.id: str(m.string) for m in read_po(fh) if m.id}
    for key, msgid in [*STRINGS.items(), *SWITCH.items(), *QUERY_STRINGS.items()]:
        assert nb.get(msgid), key
        assert sorted(re.findall(r"{\w+}", nb[msgid])) == sorted(re.findall(r"{\w+}", msgid)), key
    # the compiled catalogs are what the pages read; the switch is in the other language
    assert (words("nb")["site"], words("en")["site"]) == ("OGP-registeret", "The OGP registry")
    assert (words("nb")["switch"], words("nb")["switch_lang"]) == ("English", "en")
    assert (words("en")["switch"], words("en")["switch_lang"]) == ("Norsk (bokmål)", "nb")


def test_every_word_a_template_uses_exists() -> None:
    used: set[str] = set()
    for f in (ROOT / "endpoint" / "templates" / "pages").glob("*.html"):
        used |= set(re.findall(r"\bt\.([a-z_]+)", f.read_text("utf-8")))
        used |= set(re.findall(r"\bt\[['\"]([a-z_]+)['\"]\]", f.read_text("utf-8")))
    assert used - set(words("nb")) == set()


def test_templates_and_style_sheet_ship_in_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["endpoint"]
    base = ROOT / "endpoint"
    files = [p for d in ("templates/pages", "static/pages") for p in (base / d).iterdir()]
    assert files
    for f in files:
        rel = f.relative_to(base).as_posix()
        assert any(fnmatch(rel, g) for g in globs), rel


def test_no_page_loads_anything_from_another_host() -> None:
    for f in (ROOT / "endpoint" / "templates" / "pages").glob("*.html"):
        text = f.read_text("utf-8")
        assert not re.search(r"<script[^>]+src=\"https?://", text), f
        assert not re.search(r"<link[^>]+stylesheet[^>]+href=\"https?://", text), f
        assert "style=" not in text, f  # the Content-Security-Policy forbids inline styles
