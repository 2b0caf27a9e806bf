"""The 2019–2021 plan (NAP4) beyond its commitment list, for scripts/build_bundled.py:

* :func:`milestones`: the milestones the sources give (reference/nap4-milestones.csv), and per
  commitment whether its milestone table was seen whole (reference/nap4-milestones-coverage.csv:
  ``ogp:milestonesComplete`` true / false, absent when not known, with the file's note), so that
  "no milestones" and "milestones not known" differ. Rows without a milestone text (NO0055,
  NO0059: only dates) cannot be milestones (a milestone needs a title); the coverage note keeps
  them. A milestone the page marks "completed" has the completion ``complete``.
  These replace the milestone column of nap4-2019-2021-commitments.csv, which gives the same
  rows in fewer words (no status, no untitled rows, NO0062's second date in the end column
  without saying so); :func:`milestones` prints where the two differ.
* :func:`ogp_page_facts`: what OGP's commitment pages (reference/ogp-commitments-norway.csv)
  say of these commitments beyond the bundled list (choice 1 of scripts/ogp_commitments.py).
* :func:`irm_ratings`: the IRM's ratings (reference/nap4-irm-ratings.csv), one assessment per
  commitment and report (the Design Report 2019–2021, the Results Report 2019–2022).
"""

from __future__ import annotations

import csv
from pathlib import Path

import ogp_commitments as ogp
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from loaders.build.dates import DateError, parse_date
from registry.model.orgnames import OrgIndex, is_none
from registry.namespaces import OGP, SCHEMA
from registry.uris import Uris

REF = ("data", "reference")


def _read(shared: Path, name: str) -> list[dict[str, str]]:
    with shared.joinpath(*REF, name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _sources(text: str) -> list[URIRef]:
    return [URIRef(s.strip()) for s in text.replace("|", ";").split(";") if s.strip()]


def _date(value: str) -> Literal | None:
    """A date the source writes ("18 October 2019"), at its precision; None for words."""
    try:
        d = parse_date(value)
    except DateError:
        return None
    return Literal(d.lexical, datatype=URIRef(d.datatype))


def milestones(
    shared: Path, u: Uris, g: Graph, ed: Graph, nb_titles: dict[str, str],
    old: dict[str, list[str]],
) -> None:
    """The milestones and their coverage into ``g``; the editors' bokmål titles into ``ed``.
    ``old``: the titles of the milestone column of nap4-2019-2021-commitments.csv."""
    new: dict[str, list[str]] = {}
    for row in _read(shared, "nap4-milestones.csv"):
        cid, title = row["commitment_id"], row["title_en"]
        c = URIRef(u.commitment(cid))
        if not title:  # kept by the coverage note
            continue
        new.setdefault(cid, []).append(title)
        m = URIRef(u.milestone(cid, int(row["position"])))
        g.add((m, RDF.type, OGP.Milestone))
        g.add((m, OGP.ofCommitment, c))
        g.add((c, OGP.hasMilestone, m))
        g.add((m, SCHEMA.position, Literal(int(row["position"]))))
        g.add((m, DCTERMS.title, Literal(title, lang="en")))
        ed.add((m, DCTERMS.title, Literal(nb_titles[title], lang="nb")))
        for column, date, words in (("start", SCHEMA.startDate, OGP.startDateStatement),
                                    ("end", SCHEMA.endDate, OGP.endDateStatement)):
            if row[column]:
                lit = _date(row[column])
                g.add((m, date, lit) if lit is not None else (m, words, Literal(row[column])))
        if row["status_as_published"] == "completed":
            g.add((m, OGP.completion, URIRef(ogp.VOCAB_NS + "completion/complete")))
        if row["status_as_published"]:
            g.add((m, OGP.editorialNote, Literal(
                f"Status as the source publishes it: {row['status_as_published']}.", lang="en")))
        if row["note"]:
            g.add((m, OGP.editorialNote, Literal(row["note"], lang="en")))
        for s in _sources(row["source"]):
            g.add((m, DCTERMS.source, s))
    for cid in sorted(set(new) | set(old)):
        if new.get(cid, []) != old.get(cid, []):
            print(f"note: {cid}: milestones from nap4-milestones.csv {new.get(cid, [])}; "
                  f"the commitment list's milestone column gives {old.get(cid, [])}")
    for row in _read(shared, "nap4-milestones-coverage.csv"):
        c = URIRef(u.commitment(row["commitment_id"]))
        complete = {"yes": True, "no": False}.get(row["table_complete"])
        if complete is not None:
            g.add((c, OGP.milestonesComplete, Literal(complete)))
        g.add((c, OGP.editorialNote, Literal(
            f"Milestone table: {row['milestone_rows_found']} row(s) found; whole table seen: "
            f"{row['table_complete']} ({row['note']}).", lang="en")))
        for s in _sources(row["source"]):
            g.add((c, DCTERMS.source, s))


def ogp_page_facts(
    shared: Path, u: Uris, g: Graph, index: OrgIndex, bundled: dict[str, dict[str, str]]
) -> None:
    """What OGP's pages say of the 2019–2021 commitments that ``bundled`` (the rows of
    nap4-2019-2021-commitments.csv by id) does not, kept with the page as a source."""
    for row in ogp.read_rows(shared):
        if ogp.plan_of(row) != ogp.BUNDLED_PLAN:
            continue
        cid = row["ogp_id"]
        ours = bundled[cid]
        c = URIRef(u.commitment(cid))
        if row["title_en"] != ours["title_en"]:  # OGP's headline; the plan's words stay title
            g.add((c, DCTERMS.alternative, Literal(row["title_en"], lang="en")))
        if row["lead_institution"] != ours["lead_agency"]:
            g.add((c, OGP.leadAgencyStatement, Literal(row["lead_institution"])))
        support = row["support_institutions"]
        if support and not is_none(support):
            g.add((c, OGP.supportStatement, Literal(support)))
            for part in index.scan(support).matched:
                assert part.found is not None
                body = part.found.body
                prop = OGP.supportingPublicBody if body.public else \
                    OGP.supportingNonGovernmentalActor
                g.add((c, prop, URIRef(body.iri)))
                print(f"note: {cid}: supporting {part.text!r} -> {body.label}")
        for column, words in (("start", OGP.startDateStatement), ("end", OGP.endDateStatement)):
            value = row[column]
            if not value:
                continue
            lit = _date(value)
            if lit is None or str(lit) != ours[column]:
                g.add((c, words, Literal(value)))
                print(f"note: {cid}: OGP's {column} {value!r}; the plan's list {ours[column]!r}")
        tags = {t.strip() for t in row["policy_areas"].split(";")}
        assert tags == {t.strip() for t in ours["theme"].split(";")}, cid
        known = {str(o) for o in g.objects(c, DCTERMS.source)}
        known |= {s.strip() for s in ours["source"].split(" ; ")}
        for s in ogp.page_sources(row):
            if str(s) not in known:
                g.add((c, DCTERMS.source, s))
        if row["notes"]:
            g.add((c, OGP.editorialNote, Literal(row["notes"], lang="en")))


#: The columns of nap4-irm-ratings.csv with a rating, and the field each is on the page.
RATING_FIELDS = {
    "verifiable": "Verifiable",
    "relevant_to_ogp_values": "Relevant to OGP values",
    "ogp_values": "OGP values",
    "potential_impact": "Potential impact",
    "ambition": "Ambition",
    "completion": "Completion",
    "early_results_did_it_open_government": "Early results",
    "starred": "Starred",
}


def irm_ratings(shared: Path, u: Uris) -> Graph:
    """The IRM's ratings of the 2019–2021 commitments, one assessment per commitment and
    report; checked against the IRM fields OGP's pages show (ogp-commitments-norway.csv)."""
    g = Graph()
    irm = ogp.irm_of(u)
    seen: dict[str, dict[str, str]] = {}
    for row in _read(shared, "nap4-irm-ratings.csv"):
        cid, report = row["commitment_id"], row["report"]
        assert ogp.REPORTS[report][0] == row["report_url"], report
        fields = [(name, row[col]) for col, name in RATING_FIELDS.items() if row[col]]
        a = ogp.assessment_iri(u, cid, report)
        ogp.add_assessment(g, a, URIRef(u.commitment(cid)), irm, [report], fields,
                           _sources(row["value_source"]), pre_2021=False)
        if row["note"]:
            g.add((a, OGP.editorialNote, Literal(row["note"], lang="en")))
        seen.setdefault(cid, {}).update(dict(fields))
    for row in ogp.read_rows(shared):
        if ogp.plan_of(row) != ogp.BUNDLED_PLAN:
            continue
        _reports, fields = ogp.irm_fields(row["irm_fields"])
        for name, value in fields:
            ours = seen[row["ogp_id"]].get(name)
            if ours != value:
                print(f"note: {row['ogp_id']}: OGP's page shows {name}: {value}; "
                      f"nap4-irm-ratings.csv: {ours or '(none)'}")
    return g
