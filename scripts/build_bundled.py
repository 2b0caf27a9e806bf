"""Build the bundled Turtle in registry/data/ from the real sources in ../shared/.

Run from the project root:  python scripts/build_bundled.py [--shared ../shared]

Sources and what comes from each:
- ../shared/data/invited-organisations-2018.csv and
  ../shared/data/reference/norway-central-government.csv -> bundled-organisations.ttl
  (scripts/bundled_reference.py: one resource per body, names over time)
- ../shared/data/reference/action-plans.csv (and OGP's names of the plans from
  reference/ogp-commitments-norway.csv) -> bundled-plans.ttl (scripts/bundled_reference.py)
- ../shared/data/nap4-2019-2021-commitments.csv -> bundled-plan-2019-2021.ttl (the commitments
  of the 2019–2021 plan; the plan itself is in bundled-plans.ttl), with their milestones and how
  much of each milestone table was seen (reference/nap4-milestones.csv,
  reference/nap4-milestones-coverage.csv) and what OGP's commitment pages add
  (reference/ogp-commitments-norway.csv): scripts/bundled_nap4.py
- ../shared/data/reference/nap4-irm-ratings.csv -> bundled-irm-2019-2021.ttl (the IRM's ratings
  of the 2019–2021 commitments, per report; scripts/bundled_nap4.py)
- the other plans' commitments, as OGP publishes them, are not built here: scripts/ogp_commitments.py
  writes them in the commitments template (registry/data/ogp-commitments/), and `ogpreg init` loads
  them through the loaders, as any ministry's spreadsheet
- ../shared/seed/000_9d1c8007a20a8708.txt (the 2018 invitation) -> bundled-consultation-2018.ttl
- this script's EDITORIAL table (the registry editors' unofficial bokmål translations, and themes
  derived from the OGP policy areas through the mapping in ontology/themes.ttl, as for
  submissions: loaders/vocab.py) -> bundled-editorial.ttl

Nothing else is added: no organisation number, date or commitment that the sources do not give.
The output uses IRIs relative to the configured base URI; the loader resolves them.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, SKOS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bundled_nap4 as nap4  # noqa: E402
import bundled_reference as reference  # noqa: E402
import ogp_commitments as ogp  # noqa: E402

from loaders.vocab import policy_area, policy_area_themes  # noqa: E402
from registry.model.orgnames import OrgIndex  # noqa: E402
from registry.namespaces import OGP, SCHEMA, THEME_NS, VOCAB_NS  # noqa: E402
from registry.uris import Uris, slugify  # noqa: E402

PLACEHOLDER = "http://BASE.invalid/"
U = Uris(PLACEHOLDER)
VOCAB = Namespace(VOCAB_NS)
OUT = ROOT / "registry" / "data"

# English names used by the OGP commitment pages for the lead ministries (column lead_agency),
# and the bokmål name of the body each names (each is a name of that body in the bundled
# organisations: its English name, or an English name the reference data attests).
LEAD_AGENCY_NB = {
    "Ministry of Culture": "Kulturdepartementet",
    "Ministry of Petroleum and Energy": "Olje- og energidepartementet",
    "Ministry of Local Government and Modernisation": "Kommunal- og moderniseringsdepartementet",
    "Ministry of Trade, Industry and Fisheries": "Nærings- og fiskeridepartementet",
    "Ministry of Justice": "Justis- og beredskapsdepartementet",
    "Ministry of Finance": "Finansdepartementet",
}

PLAN_ID = "2019-2021"

# Unofficial bokmål translations by the registry's editors (the sources give English titles).
EDITORIAL_NB = {
    "NO0054": "Veiledning om oppfyllelse av plikten til journalføring og arkivering av dokumenter",
    "NO0055": "Tilgjengeliggjøring av energistatistikk",
    "NO0056": "eInnsyn og mulig utvidelse av eInnsyn i kommunesektoren",
    "NO0057": "Gjennomføring av en strategi for åpne kulturdata",
    "NO0058": "Digitale planprosesser med tilpasset veiledning og arealstatistikkprofiler",
    "NO0059": "Effektivisere og forbedre offentlige anskaffelser gjennom full digitalisering av "
    "anskaffelsesprosessen",
    "NO0060": "Forebygging av korrupsjon",
    "NO0061": "Opprette et offentlig register over reelle rettighetshavere",
    "NO0062": "Ungdomspanel for distriktsutvikling",
    "Survey the current guides, and survey the needs and problem areas": "Kartlegge "
    "eksisterende veiledere, og kartlegge behov og problemområder",
    "Council created": "Panelet opprettet",
    "First gathering hosted by the Prime Minister in Oslo": "Første samling, med statsministeren "
    "som vert, i Oslo",
    "Second gathering 24–26 April 2020 on the knowledge base": "Andre samling 24.–26. april 2020 "
    "om kunnskapsgrunnlaget",
    "Third gathering 16–18 October 2020 on ins[...]": "Tredje samling 16.–18. oktober 2020 om "
    "ins[...]",
}
EDITORIAL_NOTE_NB = (
    "Den bokmålske tittelen er en uoffisiell oversettelse fra engelsk ved registerets "
    "redaksjon; kilden har bare engelsk tittel."
)
EDITORIAL_NOTE_EN = (
    "The bokmål title is an unofficial translation from English by the registry's editors; "
    "the source gives only an English title."
)

date_literal = reference.date_literal


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in (
        ("ogp", str(OGP._NS)),
        ("vocab", VOCAB_NS),
        ("theme", THEME_NS),
        ("dct", str(DCTERMS)),
        ("skos", str(SKOS)),
        ("org", str(ORG)),
        ("schema", str(SCHEMA)),
        ("xsd", str(XSD)),
    ):
        g.bind(prefix, ns)
    return g


def write(g: Graph, name: str, header: str) -> None:
    text = g.serialize(format="turtle")
    text = text.replace("<" + PLACEHOLDER, "<")
    assert PLACEHOLDER not in text
    (OUT / name).write_text(header + text, "utf-8")
    print(f"wrote {OUT / name} ({len(g)} triples)")


def _bound(g: Graph) -> Graph:
    out = new_graph()
    for t in g:
        out.add(t)
    return out


def organisations(shared: Path) -> tuple[dict[str, URIRef], OrgIndex]:
    g, iri_of, index = reference.organisations(shared, U)
    irm(g)
    write(
        _bound(g),
        "bundled-organisations.ttl",
        "# The 47 organisations of KMD's 2018 invitation (46 invited plus KMD), merged with the\n"
        "# ministries and agencies of norway-central-government.csv: one resource per body (the\n"
        "# same organisation number, or the same bokmål name), its current name as\n"
        "# skos:prefLabel, every name over time as an ogp:OrganisationName with its validity and\n"
        "# sources, former names also as skos:hiddenLabel, successors by dct:isReplacedBy.\n"
        "# Organisation numbers only where a public source gives one. Sources:\n"
        "# invited-organisations-2018.csv, reference/norway-central-government.csv\n"
        "# (scripts/bundled_reference.py). Also OGP's Independent Reporting Mechanism, the\n"
        "# assessor of the bundled IRM assessments (named in reference/irm-indicators.csv).\n",
    )
    for en, nb in LEAD_AGENCY_NB.items():  # every OGP name is a name of its body
        assert iri_of[nb] in {URIRef(b.iri) for b in index.bodies.values()}
        found = index.find(en)
        assert len(found) == 1 and URIRef(found[0].body.iri) == iri_of[nb], en
    return iri_of, index


#: Where the IRM is named as OGP's reporting mechanism (reference/irm-indicators.csv).
IRM_SOURCE = "https://www.opengovpartnership.org/documents/independent-reporting-mechanism-action-plan-review/"


def irm(g: Graph) -> None:
    """OGP's Independent Reporting Mechanism, by the name the sources give (English only)."""
    o = ogp.irm_of(U)
    g.add((o, RDF.type, ORG.Organization))
    g.add((o, OGP.organisationKind, VOCAB["organisation-kind/other"]))
    for lang in ("nb", "en"):
        g.add((o, SKOS.prefLabel, Literal(ogp.IRM_NAME, lang=lang)))
    g.add((o, SKOS.altLabel, Literal("IRM", lang="en")))
    g.add((o, DCTERMS.source, URIRef(IRM_SOURCE)))
    g.add((o, OGP.editorialNote, Literal(
        "Kildene gir bare det engelske navnet; det er også brukt som bokmålsnavn.", lang="nb")))
    g.add((o, OGP.editorialNote, Literal(
        "The sources give only the English name; it is used as the bokmål name too.",
        lang="en")))


def plans(shared: Path, index: OrgIndex) -> None:
    write(
        _bound(reference.plans(shared, U, index)),
        "bundled-plans.ttl",
        "# Norway's five national action plans for the Open Government Partnership (NAP1-NAP5):\n"
        "# titles as published, periods at the precision given and the other period statements,\n"
        "# coordinating ministries, plan documents, IRM reports, number of commitments, sources.\n"
        "# Sources: reference/action-plans.csv; OGP's names of the plans from\n"
        "# reference/ogp-commitments-norway.csv (scripts/bundled_reference.py).\n",
    )


def themes_of(area_code: str) -> list[URIRef]:
    """The themes the editors' mapping gives a policy area (loaders/vocab.py)."""
    iri = policy_area(area_code)
    return [URIRef(t) for t in policy_area_themes(iri)] if iri else []


def plan(shared: Path, orgs: dict[str, URIRef], index: OrgIndex) -> None:
    g = new_graph()
    ed = new_graph()
    p = URIRef(U.plan(PLAN_ID))  # the plan itself is described in bundled-plans.ttl
    rows: dict[str, dict[str, str]] = {}
    old_milestones: dict[str, list[str]] = {}
    with open(shared / "data" / "nap4-2019-2021-commitments.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows[row["commitment_id"]] = row
            cid = row["commitment_id"]
            c = URIRef(U.commitment(cid))
            g.add((c, RDF.type, OGP.Commitment))
            g.add((c, DCTERMS.identifier, Literal(cid)))  # the registry id: the OGP id
            g.add((c, OGP.ogpIdentifier, Literal(cid)))
            g.add((c, DCTERMS.title, Literal(row["title_en"], lang="en")))
            if row["title_nb"]:
                g.add((c, DCTERMS.title, Literal(row["title_nb"], lang="nb")))
            else:
                ed.add((c, DCTERMS.title, Literal(EDITORIAL_NB[cid], lang="nb")))
                ed.add((c, OGP.editorialNote, Literal(EDITORIAL_NOTE_NB, lang="nb")))
                ed.add((c, OGP.editorialNote, Literal(EDITORIAL_NOTE_EN, lang="en")))
            g.add((c, OGP.inActionPlan, p))
            g.add((p, OGP.hasCommitment, c))
            g.add((c, OGP.leadAgency, orgs[LEAD_AGENCY_NB[row["lead_agency"]]]))
            g.add((c, OGP.registryStatus, VOCAB["status/completed"]))
            for area in row["theme"].split(";"):
                code = slugify(area.strip())
                g.add((c, OGP.policyArea, VOCAB[f"policy-area/{code}"]))
                for t in themes_of(code):
                    ed.add((c, OGP.theme, t))
            if row["start"]:
                g.add((c, SCHEMA.startDate, date_literal(row["start"])))
            if row["end"]:
                g.add((c, SCHEMA.endDate, date_literal(row["end"])))
            for src in row["source"].split(" ; "):
                g.add((c, DCTERMS.source, URIRef(src.strip())))
            if "4B" in row["plan"]:
                g.add(
                    (
                        c,
                        OGP.editorialNote,
                        Literal("Lagt til i utvidelsen av planen i 2021 («4B»).", lang="nb"),
                    )
                )
                g.add(
                    (
                        c,
                        OGP.editorialNote,
                        Literal("Added in the 2021 extension of the plan (“4B”).", lang="en"),
                    )
                )
            for ms in filter(None, (m.strip() for m in row["milestones"].split(";"))):
                old_milestones.setdefault(cid, []).append(ms.split("|")[0].strip())
    nap4.milestones(shared, U, g, ed, EDITORIAL_NB, old_milestones)
    nap4.ogp_page_facts(shared, U, g, index, rows)
    for m in g.subjects(OGP.ofCommitment, None):
        ed.add((m, OGP.editorialNote, Literal(EDITORIAL_NOTE_NB, lang="nb")))
        ed.add((m, OGP.editorialNote, Literal(EDITORIAL_NOTE_EN, lang="en")))
    write(
        g,
        "bundled-plan-2019-2021.ttl",
        "# Norway's 4th OGP action plan (in force 1 July 2019 - 30 June 2021) and its commitments,\n"
        "# as the OGP commitment pages give them. Source: nap4-2019-2021-commitments.csv; the\n"
        "# milestones and their coverage: reference/nap4-milestones.csv,\n"
        "# reference/nap4-milestones-coverage.csv; what OGP's pages add (headline titles as\n"
        "# dct:alternative, leads and supporting bodies in OGP's words, page links, notes):\n"
        "# reference/ogp-commitments-norway.csv (scripts/bundled_nap4.py).\n",
    )
    write(
        ed,
        "bundled-editorial.ttl",
        "# Statements by the registry's editors, not by the sources: unofficial bokmål\n"
        "# translations of titles the sources give only in English, and themes derived from the\n"
        "# OGP policy areas through the editors' mapping in ontology/themes.ttl (loaders/vocab.py).\n",
    )


def consultation(orgs: dict[str, URIRef], invited: list[str]) -> None:
    g = new_graph()
    meeting = URIRef(U.meeting("2018-06-19"))
    place = URIRef(U.place("Akersgata 59"))
    kmd = orgs["Kommunal- og moderniseringsdepartementet"]
    g.add((meeting, RDF.type, OGP.ConsultationMeeting))
    g.add(
        (
            meeting,
            DCTERMS.title,
            Literal("Møte om Norges handlingsplan for Open Government Partnership", lang="nb"),
        )
    )
    g.add(
        (
            meeting,
            DCTERMS.title,
            Literal(
                "Meeting on Norway's action plan for the Open Government Partnership", lang="en"
            ),
        )
    )
    g.add((meeting, SCHEMA.startDate, Literal("2018-06-19T09:00:00+02:00", datatype=XSD.dateTime)))
    g.add((meeting, SCHEMA.endDate, Literal("2018-06-19T12:30:00+02:00", datatype=XSD.dateTime)))
    g.add((meeting, SCHEMA.location, place))
    g.add((place, RDF.type, SCHEMA.Place))
    g.add((place, SCHEMA.address, Literal("Akersgata 59")))
    g.add((meeting, OGP.room, Literal("2511")))
    g.add((meeting, OGP.registrationDeadline, Literal("2018-06-12", datatype=XSD.date)))
    g.add((meeting, OGP.proposalDeadline, Literal("2018-06-12", datatype=XSD.date)))
    g.add((meeting, OGP.invitedBy, kmd))
    g.add((meeting, OGP.forActionPlan, URIRef(U.plan(PLAN_ID))))
    for org in dict.fromkeys(orgs[name] for name in invited):
        if org != kmd:
            g.add((meeting, OGP.invited, org))
    g.add(
        (
            meeting,
            OGP.agenda,
            Literal(
                "Departementene redegjør for forpliktelsene de ønsker å fremme, og det sivile "
                "samfunn kommenterer dem. Det sivile samfunn kan fremme egne forslag til "
                "forpliktelser i forkant av eller under møtet, og departementene kommenterer dem. "
                "Partene blir enige om hvordan dialogen fram mot konkrete forpliktelser skal være.",
                lang="nb",
            ),
        )
    )
    g.add(
        (
            meeting,
            OGP.editorialNote,
            Literal(
                "Invitasjonen omtaler en handlingsplan for 2018–2020; planen som kom ut av "
                "prosessen, gjaldt 1. juli 2019 – 30. juni 2021.",
                lang="nb",
            ),
        )
    )
    g.add(
        (
            meeting,
            OGP.editorialNote,
            Literal(
                "The invitation speaks of an action plan for 2018–2020; the plan that came out "
                "of the process was in force 1 July 2019 – 30 June 2021.",
                lang="en",
            ),
        )
    )
    write(
        g,
        "bundled-consultation-2018.ttl",
        "# KMD's consultation meeting of 19 June 2018 on the OGP action plan: time, place, room,\n"
        "# deadlines, invited organisations and agenda. Source: the 2018 invitation (seed).\n"
        "# Times are Oslo summer time (UTC+2). The agenda summarises the invitation's text.\n",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    orgs, index = organisations(args.shared)
    plans(args.shared, index)
    plan(args.shared, orgs, index)
    write(
        _bound(nap4.irm_ratings(args.shared, U)),
        "bundled-irm-2019-2021.ttl",
        "# The IRM's ratings of the 2019-2021 commitments, one assessment per commitment and\n"
        "# report (Design Report 2019-2021, Results Report 2019-2022), every field as the page\n"
        "# shows it and, where the registry has a value set, with it.\n"
        "# Source: reference/nap4-irm-ratings.csv (scripts/bundled_nap4.py).\n",
    )
    with open(args.shared / "data" / "invited-organisations-2018.csv", encoding="utf-8") as fh:
        invited = [row["name"] for row in csv.DictReader(fh)]
    consultation(orgs, invited)


if __name__ == "__main__":
    main()
