"""Norway's commitments as OGP publishes them, in the registry's own commitments template.

Run from the project root:  python scripts/ogp_commitments.py [--shared ../shared]

Source: ../shared/data/reference/ogp-commitments-norway.csv (31 rows from all five plans: every
commitment whose OGP page could be read; see ../shared/data/reference/SOURCES.md).

Writes:

* ``registry/data/ogp-commitments/<plan>.csv``, one file per plan, in the commitments template
  (``ogpreg template --kind commitments``): what a ministry official copying OGP's list would
  send. ``ogpreg init`` loads them through the loaders, like any ministry's spreadsheet
  (``loaders/bundled.py``), so every rule of the submission path runs on real data at every
  init. Each value is copied as OGP's page writes it (column table: :data:`COLUMNS`): English
  ministry names of the time, joint leads in prose, "NA", "1 January, 2013", "Ongoing",
  "2024/2025", OGP's policy-area tags of the day. The loaders link what they can and keep the
  rest as written (``ogp:leadAgencyStatement``, ``ogp:supportStatement``,
  ``ogp:startDateStatement``, ``ogp:policyAreaLabel``), with a warning for each.
* ``registry/data/bundled-ogp-notes.ttl``: what the template has no column for, for the rows
  loaded through the template: each row's ``notes`` (``ogp:editorialNote``, English: the
  reference data's caveats, e.g. the values of older versions of the page), and its IRM fields
  as an IRM assessment (:func:`irm_assessment`). ``ogpreg init`` loads it after the
  submissions (it is about their commitments).

Choices, so that nothing is cleaned away silently:

1. **The 2019–2021 plan.** Its nine commitments are already bundled, from the plan's own list
   (``bundled-plan-2019-2021.ttl``, built by ``scripts/build_bundled.py`` from
   ``nap4-2019-2021-commitments.csv``), under the same registry ids (their OGP ids). A
   commitment described in two graphs would appear twice in every count over the union of
   the graphs, so its rows are transcribed like the others (``2019-2021.csv``) and checked
   through the submission path at every init, but not written; what OGP's page says beyond
   the bundled data is added to ``bundled-plan-2019-2021.ttl`` with the page as its source
   (``scripts/build_bundled.py``, ``ogp_page_facts``): OGP's headline title
   (``dct:alternative``; the plan's wording stays ``dct:title``), the lead institution and the
   supporting institutions in OGP's words, dates OGP gives in words, OGP's page links, the
   notes. The policy-area tags are the same in both files (checked there). The IRM fields of
   these rows are the same as ``nap4-irm-ratings.csv`` gives per report (checked there), which
   is what is bundled for them.
2. **NO0042.** OGP's page itself cuts the lead institution off ("The Government
   Administration Services ("), and the body is not in the organisation register, so the lead
   cell of the bundled file says ``NA`` (the source names no body the registry can link); the
   page's words are kept as ``ogp:leadAgencyStatement`` in ``bundled-ogp-notes.ttl``, and the
   row's note says what the page's description names. The real-plans fixture keeps the cut-off
   cell (``tests/fixtures/submissions/real-plans/2013-2015-no0042.csv``: the error a ministry
   would see).
3. **IRM fields.** One assessment per row (``id/assessment/<OGP id>-irm``), by the IRM
   (assessment kind ``irm``), attributed to the report(s) the page names (``ogp:irmReport``;
   where the page names two, it does not say which field comes from which, and a note says
   so). Every field is kept as the page shows it (``ogp:ratingStatement``, "Verifiable: Yes");
   the fields the registry has value sets for are also given with them: "Completion: Limited"
   (``ogp:completion``), "Starred: No" (``ogp:starred``), and the pre-2021 reports' "Early
   results: Marginal" (OGP's display of "Did it open government?", ``ogp:openedGovernment``).
   "Pending IRM Review", "No Data", "No IRM Data" are kept as text only. The assessment date is
   the report's publication year where ``action-plans.csv`` gives it (:data:`REPORTS`), else
   none: the report names it.

Nothing else is added: no organisation number, date or rating that the sources do not give.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders.columns import sheet  # noqa: E402
from loaders.template import csv_templates  # noqa: E402
from registry.namespaces import OGP, VOCAB_NS  # noqa: E402
from registry.uris import Uris, slugify  # noqa: E402

VOCAB = Namespace(VOCAB_NS)
SOURCE = ("data", "reference", "ogp-commitments-norway.csv")
OUT = ROOT / "registry" / "data" / "ogp-commitments"
NOTES = ROOT / "registry" / "data" / "bundled-ogp-notes.ttl"
PLACEHOLDER = "http://BASE.invalid/"

#: OGP's column -> the template's column (key). ``irm_fields`` and ``notes`` have no column:
#: they go to ``bundled-ogp-notes.ttl``.
COLUMNS = {
    "ogp_id": "ogp_id",
    "action_plan": "plan",
    "title_en": "title_en",
    "lead_institution": "lead_agency",
    "support_institutions": "supporting_public_bodies",
    "policy_areas": "policy_areas",
    "start": "start_date",
    "end": "end_date",
    "source": "sources",
}
#: The registry's plan ids, by the years in OGP's name of the plan ("Norway Action Plan
#: 2019-2022" is OGP's later name of the 2019–2021 plan).
PLAN_YEARS = {
    "2012-2013": "2012-2013",
    "2013-2015": "2013-2015",
    "2016-2018": "2016-2018",
    "2019-2021": "2019-2021",
    "2019-2022": "2019-2021",
    "2023-2027": "2023-2027",
}
#: The plan whose commitments are bundled already (choice 1 above).
BUNDLED_PLAN = "2019-2021"
#: The row whose lead institution OGP's page cuts off (choice 2 above).
CUT_OFF = "NO0042"
CUT_OFF_LEAD = "NA"

#: The IRM reports OGP's pages name: (link, year published), as action-plans.csv gives them
#: (its ``irm_reports`` column; checked by :func:`check_reports`). Empty: not given.
REPORTS: dict[str, tuple[str, str]] = {
    "Norway First IRM Progress Report 2011-2013": ("", ""),
    "Norway Second IRM Progress Report 2013-2014": (
        "https://vdocuments.site/norway-independent-reporting-mechanism-irm-progress-this-report"
        "-was-prepared.html",
        "",
    ),
    "Norway End-of-Term Report 2014-2015": ("", ""),
    "Norway Mid-Term Report 2016-2018": (
        "https://www.opengovpartnership.org/documents/norway-mid-term-report-2016-2018-for-public"
        "-comment/",
        "",
    ),
    "Norway End-of-Term Report 2016-2018": ("", ""),
    "Norway Design Report 2019-2021": (
        "https://www.opengovpartnership.org/documents/norway-design-report-2019-2021/", "2020"),
    "Norway Results Report 2019-2022": (
        "https://www.opengovpartnership.org/documents/norway-results-report-2019-2022/", "2023"),
    "Norway Action Plan Review 2023-2027": (
        "https://opengovpartnership.org/documents/norway-action-plan-review-2023-2027", "2024"),
}
#: Reports of the IRM's methodology before 2021: their "Early results" is OGP's display of
#: "Did it open government?" (irm-indicators.csv).
PRE_2021 = {name for name in REPORTS if not name.endswith(("2019-2022", "2023-2027", "2019-2021"))}
COMPLETION = {"Not Started": "not-started", "Limited": "limited", "Substantial": "substantial",
              "Complete": "complete"}
OPENED = {"worsened": "worsened", "did not change": "did-not-change", "marginal": "marginal",
          "major": "major", "outstanding": "outstanding"}
STARRED = {"Yes": True, "No": False}
#: The IRM, the assessor of every IRM assessment (bundled-organisations.ttl).
IRM_NAME = "Independent Reporting Mechanism (IRM)"


# -- reading ----------------------------------------------------------------------------------
def read_rows(shared: Path) -> list[dict[str, str]]:
    with shared.joinpath(*SOURCE).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def plan_of(row: dict[str, str]) -> str:
    """The registry's id of the plan OGP's name of the plan names."""
    [plan] = {p for years, p in PLAN_YEARS.items() if years in row["action_plan"]}
    return plan


def transcribe(row: dict[str, str]) -> dict[str, str]:
    """A row in the template's columns, every value exactly as OGP's page writes it. The ID
    column is left empty: the OGP id is the registry id."""
    return {COLUMNS[k]: row[k] for k in COLUMNS}


def bundled_item(row: dict[str, str]) -> dict[str, str]:
    """The row as the bundled file gives it (:func:`transcribe`, and choice 2 above)."""
    item = transcribe(row)
    if row["ogp_id"] == CUT_OFF:
        item["lead_agency"] = CUT_OFF_LEAD
    return item


def by_plan(rows: Iterable[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(plan_of(r), []).append(r)
    return out


# -- the template -----------------------------------------------------------------------------
def template_csv(items: list[dict[str, str]]) -> bytes:
    """The commitments template (CSV, as ``ogpreg template`` writes it) with ``items``."""
    template = csv_templates("commitments")["commitments"].decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(template), delimiter=";"))
    keys = [c.key for c in sheet("commitments").columns]
    assert len(header) == len(keys)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    for item in items:
        w.writerow([item.get(k, "") for k in keys])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


# -- IRM fields ---------------------------------------------------------------------------------
def irm_fields(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The reports a page's IRM fields name, and its other fields as (field, value)."""
    reports: list[str] = []
    fields: list[tuple[str, str]] = []
    for part in (p.strip() for p in text.split(";")):
        name, _, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if name in ("IRM report", "IRM reports"):
            reports.extend(r.strip() for r in value.split(","))
        elif name:
            fields.append((name, value))
    unknown = [r for r in reports if r not in REPORTS]
    assert not unknown, f"IRM reports missing from REPORTS: {unknown}"
    return reports, fields


def check_reports(shared: Path) -> None:
    """Every link and year in :data:`REPORTS` is what action-plans.csv says."""
    text = shared.joinpath("data", "reference", "action-plans.csv").read_text("utf-8")
    for name, (link, year) in REPORTS.items():
        if link:
            assert link in text, (name, link)
        if year:
            assert re.search(re.escape(name) + r" \([^)]*\b" + year + r"\)", text), (name, year)


def assessment_iri(u: Uris, ogp_id: str, report: str | None = None) -> URIRef:
    """``id/assessment/<OGP id>-irm``, or ``…-irm-<report>`` for one of several reports."""
    suffix = "" if report is None else "-" + slugify(report).removeprefix("norway-")
    return URIRef(u.assessment(f"{ogp_id}-irm{suffix}"))


def add_assessment(
    g: Graph,
    a: URIRef,
    commitment: URIRef,
    irm: URIRef,
    reports: list[str],
    fields: list[tuple[str, str]],
    sources: Iterable[URIRef],
    *,
    pre_2021: bool,
) -> None:
    """An IRM assessment of ``commitment`` from ``reports``: every field as shown, and with
    the value sets where the registry has them (choice 3 above)."""
    g.add((a, RDF.type, OGP.ProgressAssessment))
    g.add((a, OGP.assesses, commitment))
    g.add((a, OGP.assessmentKind, VOCAB["assessment-kind/irm"]))
    g.add((a, OGP.assessedBy, irm))
    for report in reports:
        g.add((a, OGP.irmReport, Literal(report)))
        link = REPORTS[report][0]
        if link:
            g.add((a, DCTERMS.source, URIRef(link)))
    years = {REPORTS[r][1] for r in reports}
    if len(reports) == 1 and all(years):
        g.add((a, OGP.assessmentDate, Literal(years.pop(), datatype=XSD.gYear)))
    for s in sources:
        g.add((a, DCTERMS.source, s))
    for name, value in fields:
        g.add((a, OGP.ratingStatement, Literal(f"{name}: {value}")))
        if name == "Completion" and value in COMPLETION:
            g.add((a, OGP.completion, VOCAB["completion/" + COMPLETION[value]]))
        elif name == "Starred" and value in STARRED:
            g.add((a, OGP.starred, Literal(STARRED[value])))
        elif name == "Early results" and pre_2021 and value.lower() in OPENED:
            g.add((a, OGP.openedGovernment, VOCAB["opened-government/" + OPENED[value.lower()]]))
    if len(reports) > 1:
        g.add((a, OGP.editorialNote, Literal(
            "OGP's commitment page names these IRM reports and does not say which field comes "
            "from which.", lang="en")))
        g.add((a, OGP.editorialNote, Literal(
            "OGPs side om forpliktelsen nevner disse IRM-rapportene uten å si hvilket felt som "
            "kommer fra hvilken.", lang="nb")))


def page_sources(row: dict[str, str]) -> list[URIRef]:
    return [URIRef(s.strip()) for s in row["source"].split("|") if s.strip()]


def irm_of(u: Uris) -> URIRef:
    return URIRef(u.organisation(IRM_NAME))


def notes_graph(rows: list[dict[str, str]], u: Uris) -> Graph:
    """``bundled-ogp-notes``: for the rows loaded through the template, their notes, NO0042's
    lead in the page's words, and their IRM fields as IRM assessments."""
    g = Graph()
    g.bind("ogp", str(OGP._NS))
    g.bind("dct", str(DCTERMS))
    g.bind("vocab", VOCAB_NS)
    irm = irm_of(u)
    for row in rows:
        if plan_of(row) == BUNDLED_PLAN:
            continue
        c = URIRef(u.commitment(row["ogp_id"]))
        if row["notes"]:
            g.add((c, OGP.editorialNote, Literal(row["notes"], lang="en")))
        if row["ogp_id"] == CUT_OFF:
            g.add((c, OGP.leadAgencyStatement, Literal(row["lead_institution"])))
        reports, fields = irm_fields(row["irm_fields"])
        add_assessment(g, assessment_iri(u, row["ogp_id"]), c, irm, reports, fields,
                       page_sources(row), pre_2021=all(r in PRE_2021 for r in reports))
    return g


# -- writing ------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    check_reports(args.shared)
    rows = read_rows(args.shared)
    OUT.mkdir(parents=True, exist_ok=True)
    for plan, plan_rows in by_plan(rows).items():
        path = OUT / f"{plan}.csv"
        path.write_bytes(template_csv([bundled_item(r) for r in plan_rows]))
        print(f"wrote {path} ({len(plan_rows)} rows)")
    text = notes_graph(rows, Uris(PLACEHOLDER)).serialize(format="turtle")
    text = text.replace("<" + PLACEHOLDER, "<")
    assert PLACEHOLDER not in text
    NOTES.write_text(
        "# What OGP's commitment pages say that the commitments template has no column for, for\n"
        "# the commitments loaded from registry/data/ogp-commitments/ (all plans but 2019-2021):\n"
        "# each row's notes, the lead institution of NO0042 as the page cuts it off, and the IRM\n"
        "# fields as IRM assessments attributed to the reports named.\n"
        "# Source: reference/ogp-commitments-norway.csv (scripts/ogp_commitments.py).\n" + text,
        "utf-8",
    )
    print(f"wrote {NOTES}")


if __name__ == "__main__":
    main()
