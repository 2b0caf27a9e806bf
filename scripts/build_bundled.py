"""Build the bundled Turtle in registry/data/ from the real sources in ../shared/.

Run from the project root:  python scripts/build_bundled.py [--shared ../shared]

Sources and what comes from each:
- ../shared/data/invited-organisations-2018.csv -> bundled-organisations.ttl
- ../shared/data/nap4-2019-2021-commitments.csv -> bundled-plan-2019-2021.ttl
- ../shared/seed/000_9d1c8007a20a8708.txt (the 2018 invitation) -> bundled-consultation-2018.ttl
- this script's EDITORIAL table (the registry editors' unofficial bokmål translations, and themes
  derived from the OGP policy areas through the mapping in ontology/themes.ttl)
  -> bundled-editorial.ttl

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

from registry.namespaces import EU_COUNTRY, OGP, SCHEMA, THEME_NS, VOCAB_NS  # noqa: E402
from registry.uris import Uris, slugify  # noqa: E402

PLACEHOLDER = "http://BASE.invalid/"
U = Uris(PLACEHOLDER)
VOCAB = Namespace(VOCAB_NS)
OUT = ROOT / "registry" / "data"

KIND = {
    "ministry": "ministry",
    "civil-society organisation": "civil-society",
    "business or employer association": "business-association",
    "trade union": "trade-union",
    "media or press organisation": "media",
    "other": "other",
}

# English names used by the OGP commitment pages for the lead ministries (column lead_agency).
LEAD_AGENCY_NB = {
    "Ministry of Culture": "Kulturdepartementet",
    "Ministry of Petroleum and Energy": "Olje- og energidepartementet",
    "Ministry of Local Government and Modernisation": "Kommunal- og moderniseringsdepartementet",
    "Ministry of Trade, Industry and Fisheries": "Nærings- og fiskeridepartementet",
    "Ministry of Justice": "Justis- og beredskapsdepartementet",
    "Ministry of Finance": "Finansdepartementet",
}

PLAN_ID = "2019-2021"
PLAN_TITLE_EN = (
    "Norway's fourth national action plan for the Open Government Partnership (NAP4), 2019–2021"
)
PLAN_TITLE_NB = (
    "Norges fjerde nasjonale handlingsplan for Open Government Partnership (NAP4), 2019–2021"
)

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
    "Second gathering (24-26 April 2020) on the knowledge base": "Andre samling (24.–26. april "
    "2020) om kunnskapsgrunnlaget",
    "Third gathering (16-18 October 2020)": "Tredje samling (16.–18. oktober 2020)",
}
TRUNCATED = " [title truncated in source]"
EDITORIAL_NOTE_NB = (
    "Den bokmålske tittelen er en uoffisiell oversettelse fra engelsk ved registerets "
    "redaksjon; kilden har bare engelsk tittel."
)
EDITORIAL_NOTE_EN = (
    "The bokmål title is an unofficial translation from English by the registry's editors; "
    "the source gives only an English title."
)


def date_literal(value: str) -> Literal:
    """A date at the precision the source gives: xsd:date, xsd:gYearMonth or xsd:gYear."""
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    if len(value) == 4:
        return Literal(value, datatype=XSD.gYear)
    raise ValueError(f"unexpected date {value!r}")


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


def organisations(shared: Path) -> dict[str, URIRef]:
    g = new_graph()
    by_name: dict[str, URIRef] = {}
    with open(shared / "data" / "invited-organisations-2018.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            org = URIRef(U.organisation(row["name"]))
            by_name[row["name"]] = org
            g.add((org, RDF.type, ORG.Organization))
            if row["kind"] == "ministry":
                g.add((org, RDF.type, OGP.Ministry))
                g.add((org, RDF.type, OGP.PublicBody))
            g.add((org, SKOS.prefLabel, Literal(row["name"], lang="nb")))
            g.add((org, OGP.organisationKind, VOCAB[f"organisation-kind/{KIND[row['kind']]}"]))
            if row["orgnr"]:
                g.add((org, OGP.organisationNumber, Literal(row["orgnr"])))
                g.add(
                    (
                        org,
                        OGP.registerRecord,
                        URIRef(
                            "https://data.brreg.no/enhetsregisteret/api/enheter/" + row["orgnr"]
                        ),
                    )
                )
    for en, nb in LEAD_AGENCY_NB.items():
        g.add((by_name[nb], SKOS.prefLabel, Literal(en, lang="en")))
    write(
        g,
        "bundled-organisations.ttl",
        "# The 47 organisations of KMD's 2018 invitation (46 invited plus KMD), with kinds and the\n"
        "# organisation numbers that have a public source. Source: invited-organisations-2018.csv.\n"
        "# English names only where the OGP commitment pages use them (lead agencies).\n",
    )
    return by_name


def theme_mapping() -> dict[str, list[URIRef]]:
    """Policy-area code -> themes that ontology/themes.ttl maps to it with close/exact match."""
    g = Graph().parse(ROOT / "ontology" / "themes.ttl")
    mapping: dict[str, list[URIRef]] = {}
    for prop in (SKOS.closeMatch, SKOS.exactMatch):
        for theme, _, area in g.triples((None, prop, None)):
            for a, t in ((area, theme), (theme, area)):
                if str(a).startswith(VOCAB_NS + "policy-area/") and str(t).startswith(THEME_NS):
                    mapping.setdefault(str(a).rsplit("/", 1)[1], []).append(URIRef(t))
    return mapping


def plan(shared: Path, orgs: dict[str, URIRef]) -> None:
    g = new_graph()
    ed = new_graph()
    themes = theme_mapping()
    p = URIRef(U.plan(PLAN_ID))
    g.add((p, RDF.type, OGP.ActionPlan))
    g.add((p, DCTERMS.identifier, Literal(PLAN_ID)))
    g.add((p, DCTERMS.title, Literal(PLAN_TITLE_EN, lang="en")))
    ed.add((p, DCTERMS.title, Literal(PLAN_TITLE_NB, lang="nb")))
    g.add((p, OGP.country, EU_COUNTRY.NOR))
    g.add((p, SCHEMA.startDate, date_literal("2019-07-01")))
    g.add((p, SCHEMA.endDate, date_literal("2021-06-30")))
    g.add((p, OGP.coordinatedBy, orgs["Kommunal- og moderniseringsdepartementet"]))
    g.add((p, OGP.registryStatus, VOCAB["status/completed"]))
    with open(shared / "data" / "nap4-2019-2021-commitments.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cid = row["commitment_id"]
            c = URIRef(U.commitment(cid))
            g.add((c, RDF.type, OGP.Commitment))
            g.add((c, DCTERMS.identifier, Literal(cid)))
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
                for t in themes.get(code, []):
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
            position = 0
            for ms in filter(None, (m.strip() for m in row["milestones"].split(";"))):
                title, start, end = (x.strip() for x in ms.split("|"))
                if not title:
                    print(f"note: {cid}: milestone without a title ({start}–{end}) left out")
                    continue
                position += 1
                m = URIRef(U.milestone(cid, position))
                truncated = title.endswith(TRUNCATED)
                title = title.removesuffix(TRUNCATED)
                g.add((m, RDF.type, OGP.Milestone))
                g.add((m, OGP.ofCommitment, c))
                g.add((c, OGP.hasMilestone, m))
                g.add((m, SCHEMA.position, Literal(position)))
                g.add((m, DCTERMS.title, Literal(title, lang="en")))
                ed.add((m, DCTERMS.title, Literal(EDITORIAL_NB[title], lang="nb")))
                ed.add((m, OGP.editorialNote, Literal(EDITORIAL_NOTE_NB, lang="nb")))
                ed.add((m, OGP.editorialNote, Literal(EDITORIAL_NOTE_EN, lang="en")))
                if truncated:
                    g.add(
                        (m, OGP.editorialNote, Literal("Tittelen er avkortet i kilden.", lang="nb"))
                    )
                    g.add(
                        (
                            m,
                            OGP.editorialNote,
                            Literal("The title is truncated in the source.", lang="en"),
                        )
                    )
                if start:
                    g.add((m, SCHEMA.startDate, date_literal(start)))
                if end:
                    g.add((m, SCHEMA.endDate, date_literal(end)))
    write(
        g,
        "bundled-plan-2019-2021.ttl",
        "# Norway's 4th OGP action plan (in force 1 July 2019 - 30 June 2021) and its commitments,\n"
        "# as the OGP commitment pages give them. Source: nap4-2019-2021-commitments.csv.\n",
    )
    write(
        ed,
        "bundled-editorial.ttl",
        "# Statements by the registry's editors, not by the sources: unofficial bokmål\n"
        "# translations of titles the sources give only in English, and themes derived from the\n"
        "# OGP policy areas through the skos:closeMatch/exactMatch mapping in ontology/themes.ttl.\n",
    )


def consultation(orgs: dict[str, URIRef]) -> None:
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
    for org in orgs.values():
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
    orgs = organisations(args.shared)
    plan(args.shared, orgs)
    consultation(orgs)


if __name__ == "__main__":
    main()
