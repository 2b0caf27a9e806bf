"""The organisations and action plans of ../shared/data/reference/ as bundled Turtle (used by
scripts/build_bundled.py).

* ``organisations``: the 47 organisations of the 2018 invitation merged with the 39 rows of
  norway-central-government.csv. One resource per body: rows with the same organisation number
  are one body (a renamed ministry or agency keeps its number), and so is an invited body with
  the same bokmål name. The URI is the one the registry already has (minted from the
  invitation's name), else minted from the current name. ``skos:prefLabel`` is the current
  name (nb, nn, en); every name over time is an ``ogp:OrganisationName`` (``ogp:hasName``) with
  its validity and sources; former names are also ``skos:hiddenLabel`` (found by a search), the
  current abbreviation and names the sources' notes attest are ``skos:altLabel``. A body
  replaced by another with a different (or unknown) number links to it with ``dct:isReplacedBy``.
  No organisation number is added that the sources do not give.
* ``plans``: Norway's five action plans from action-plans.csv: identifiers, titles as published
  (a language left out where no source gives one), periods at the precision given and the other
  period statements, coordinating ministries (the prose kept, the bodies it names linked),
  plan documents, IRM reports, number of commitments, sources and notes, and OGP's names of the
  plans (ogp-commitments-norway.csv) as ``dct:alternative``. No approval date is made up.
  A value is the fact alone and what the source says about it is the plan's
  ``ogp:editorialNote`` (@en, naming the report or count it is about): an IRM report
  (``ogp:irmReport``) is its name as published ("Norway End-of-Term Report 2014-2015"; the note
  "IRM report «…»: no URL seen"), a number of commitments the source gives as one number is an
  ``xsd:integer`` (26; the note "Number of commitments «26»: KMD slides, 17 March 2014"), and
  one it gives in words that say more ("8 at start; 10 after 2021 amendments") stays that text.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, SKOS

from registry.model.orgnames import Body, Name, OrgIndex
from registry.namespaces import EU_COUNTRY, OGP, SCHEMA, VOCAB_NS
from registry.uris import Uris, slugify

VOCAB = Namespace(VOCAB_NS)
BRREG = "https://data.brreg.no/enhetsregisteret/api/enheter/"

INVITED_KIND = {
    "ministry": "ministry",
    "civil-society organisation": "civil-society",
    "business or employer association": "business-association",
    "trade union": "trade-union",
    "media or press organisation": "media",
    "other": "other",
}
CENTRAL_KIND = {"ministry": "ministry", "agency": "public-body"}

#: Names the reference data attests in its notes and source annotations, not in a name column:
#: (bokmål name of the body, language, name, "other" or "former", where the CSV says so).
ATTESTED: tuple[tuple[str, str, str, str, str], ...] = (
    ("Justis- og beredskapsdepartementet", "en", "Ministry of Justice", "other",
     "nap4-2019-2021-commitments.csv (OGP's lead institution of NO0060)"),
    ("Digitaliserings- og forvaltningsdepartementet", "en",
     "Ministry of Digitisation and Public Governance", "other",
     "norway-central-government.csv, notes: 'NAP5 text also uses the variant'"),
    ("Arkivverket", "en", "National Archival Services of Norway", "other",
     "norway-central-government.csv, notes: 'OGP pages also use'"),
    ("Kartverket", "nb", "Statens kartverk", "other",
     "norway-central-government.csv, source annotation ('Statens kartverk')"),
)
#: Former names the reference data gives in notes: (body, nb, en names, start, end, where).
FORMER: tuple[tuple[str, str, tuple[str, ...], str, str, str], ...] = (
    ("Kulturdirektoratet", "Kulturrådet",
     ("Arts Council Norway", "Norwegian Council for Cultural Affairs"), "", "",
     "norway-central-government.csv, notes 'Formerly Kulturrådet' and source annotations "
     "'(former name Kulturrådet / Arts Council Norway)', 'Norwegian Council for Cultural "
     "Affairs' (NO0057 support institution)"),
    ("Fornyings-, administrasjons- og kirkedepartementet",
     "Fornyings- og administrasjonsdepartementet", (), "2006", "2009",
     "norway-central-government.csv, notes: 'Named Fornyings- og administrasjonsdepartementet "
     "2006-2009'"),
)

#: The registry's id of each plan: the years OGP's names of the plans give (the 2019–2021 plan
#: keeps the id it has had since the registry began).
PLAN_IDS = {"NAP1": "2012-2013", "NAP2": "2013-2015", "NAP3": "2016-2018",
            "NAP4": "2019-2021", "NAP5": "2023-2027"}
#: OGP's names of the plans quoted in the reference data's text columns (the commitment pages'
#: names come from ogp-commitments-norway.csv itself).
PLAN_NAMES_QUOTED = {
    "NAP4": ("Norway Action Plan 2019-2021",),  # action-plans.csv, period_other_statements
    "NAP5": ("Norway Action Plan 2023-2027 (December)",),  # published_or_approved
}


def source_iris(text: str) -> list[URIRef]:
    """The links of a ``source`` cell: URLs as given; ``github:owner/repo/path@commit`` as the
    file's GitHub address at that commit."""
    out: list[URIRef] = []
    for entry in re.split(r"\s*;\s+|\s+;\s*|\s*\|\s*", text):
        entry = entry.strip()
        if not entry:
            continue
        token = entry.split()[0]
        m = re.match(r"^github:([^/]+)/([^/]+)/(.+)@([0-9a-f]{40})$", token)
        if m:
            token = f"https://github.com/{m[1]}/{m[2]}/blob/{m[4]}/{m[3]}"
        if token.startswith(("http://", "https://")):
            iri = URIRef(token.rstrip(".,;"))
            if iri not in out:
                out.append(iri)
    return out


def date_literal(value: str) -> Literal:
    """A date at the precision the source gives: xsd:date, xsd:gYearMonth or xsd:gYear."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value))
    if datatype is None:
        raise ValueError(f"unexpected date {value!r}")
    return Literal(value, datatype=datatype)


@dataclass
class Row:
    """A name of a body: a row of norway-central-government.csv, or a name from notes."""

    nb: str
    nn: str = ""
    en: tuple[str, ...] = ()
    abbreviation: str = ""
    start: str = ""
    end: str = ""
    successor: str = ""
    notes: str = ""
    sources: list[URIRef] = field(default_factory=list)
    where: str = ""


@dataclass
class OrgBody:
    key: str
    uri: URIRef | None = None
    kind: str = ""
    number: str = ""
    invited_name: str = ""
    rows: list[Row] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)  # (lang, name)
    replaced_by: str = ""  # the bokmål name of a successor that is another body

    def current(self) -> Row:
        if not self.rows:
            return Row(self.invited_name)
        names = {r.nb for r in self.rows}
        open_rows = [r for r in self.rows if not (r.successor and r.successor in names)]
        return open_rows[0] if open_rows else self.rows[0]


def _read_bodies(shared: Path) -> list[OrgBody]:
    ref = shared / "data" / "reference"
    bodies: list[OrgBody] = []
    by_number: dict[str, OrgBody] = {}
    by_name: dict[str, OrgBody] = {}
    with open(shared / "data" / "invited-organisations-2018.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            b = OrgBody(r["orgnr"] or r["name"], kind=INVITED_KIND[r["kind"]],
                        number=r["orgnr"], invited_name=r["name"])
            bodies.append(b)
            by_name[r["name"]] = b
            if r["orgnr"]:
                by_number[r["orgnr"]] = b
    with open(ref / "norway-central-government.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            row = Row(r["name_nb"], r["name_nn"], (r["name_en"],) if r["name_en"] else (),
                      r["abbreviation"], r["valid_from"], r["valid_to"], r["successor"],
                      r["notes"], source_iris(r["source"]), "norway-central-government.csv")
            b = (by_number.get(r["orgnr"]) if r["orgnr"] else None) or by_name.get(r["name_nb"])
            if b is None:
                b = OrgBody(r["orgnr"] or r["name_nb"], kind=CENTRAL_KIND[r["kind"]],
                            number=r["orgnr"])
                bodies.append(b)
            b.number = b.number or r["orgnr"]
            b.kind = b.kind or CENTRAL_KIND[r["kind"]]
            b.rows.append(row)
            by_name[r["name_nb"]] = b
            if r["orgnr"]:
                by_number[r["orgnr"]] = b
    for nb, lang, name, _how, where in ATTESTED:
        by_name[nb].other.append((lang, name))
        _ = where
    for nb, former, en, start, end, where in FORMER:
        by_name[nb].rows.append(Row(former, "", en, "", start, end,
                                    by_name[nb].current().nb, "", [], where))
    for b in bodies:
        for row in b.rows:
            successor = by_name.get(row.successor)
            if row.successor and successor is not None and successor is not b:
                b.replaced_by = row.successor
    return bodies


def organisations(shared: Path, u: Uris) -> tuple[Graph, dict[str, URIRef], OrgIndex]:
    """The bundled organisations, every name → its body's IRI, and the names as an index."""
    g = Graph()
    bodies = _read_bodies(shared)
    iri_of: dict[str, URIRef] = {}
    for b in bodies:
        b.uri = URIRef(u.organisation(b.invited_name or b.current().nb))
        for r in b.rows:
            iri_of[r.nb] = b.uri
        if b.invited_name:
            iri_of[b.invited_name] = b.uri
    index: list[Body] = []
    for b in bodies:
        assert b.uri is not None
        org = b.uri
        current = b.current()
        g.add((org, RDF.type, ORG.Organization))
        if b.kind in ("ministry", "public-body"):
            g.add((org, RDF.type, OGP.PublicBody))
        if b.kind == "ministry":
            g.add((org, RDF.type, OGP.Ministry))
        g.add((org, OGP.organisationKind, VOCAB[f"organisation-kind/{b.kind}"]))
        if b.number:
            g.add((org, OGP.organisationNumber, Literal(b.number)))
            g.add((org, OGP.registerRecord, URIRef(BRREG + b.number)))
        pref = {"nb": current.nb, "nn": current.nn, "en": current.en[0] if current.en else ""}
        for lang, text in pref.items():
            if text:
                g.add((org, SKOS.prefLabel, Literal(text, lang=lang)))
        shown = {t for t in pref.values() if t}
        if current.abbreviation:
            g.add((org, SKOS.altLabel, Literal(current.abbreviation, lang="nb")))
            shown.add(current.abbreviation)
        for lang, text in b.other:
            g.add((org, SKOS.altLabel, Literal(text, lang=lang)))
            shown.add(text)
        names: list[Name] = [Name(t) for t in shown]
        for r in b.rows:
            node = URIRef(f"{org}/name/{slugify(r.nb)}")
            g.add((org, OGP.hasName, node))
            g.add((node, RDF.type, OGP.OrganisationName))
            labels = [("nb", r.nb), ("nn", r.nn)] + [("en", e) for e in r.en[:1]]
            for lang, text in labels:
                if text:
                    g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
            for e in r.en[1:]:
                g.add((node, SKOS.altLabel, Literal(e, lang="en")))
            if r.abbreviation:
                g.add((node, SKOS.altLabel, Literal(r.abbreviation, lang="nb")))
            if r.start:
                g.add((node, SCHEMA.startDate, date_literal(r.start)))
            if r.end:
                g.add((node, SCHEMA.endDate, date_literal(r.end)))
            for src in r.sources:
                g.add((node, DCTERMS.source, src))
            if r.notes:
                g.add((node, OGP.editorialNote, Literal(r.notes, lang="en")))
            if r.where and not r.sources:
                g.add((node, OGP.editorialNote,
                       Literal(f"Name from the reference data: {r.where}.", lang="en")))
            former = r is not current
            start = (r.start + "-01-01")[:10] if r.start else None
            end = (r.end + "-12-31") if len(r.end) == 4 else (r.end or None)
            for lang, text in [*labels, *(("en", e) for e in r.en[1:]),
                               ("nb", r.abbreviation)]:
                if not text:
                    continue
                if former and text not in shown:
                    g.add((org, SKOS.hiddenLabel, Literal(text, lang=lang)))
                names.append(Name(text, start, end, former=former and text not in shown))
        if b.replaced_by:
            g.add((org, DCTERMS.isReplacedBy, iri_of[b.replaced_by]))
        if b.invited_name and b.invited_name not in shown:
            names.append(Name(b.invited_name))
        index.append(Body(str(org), current.nb, names, b.number or None, b.kind))
    return g, iri_of, OrgIndex(index)


# -- plans ------------------------------------------------------------------------------------
def _split_top(text: str, sep: str = ";") -> list[str]:
    """``text`` split at ``sep`` outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [p.strip() for p in out if p.strip()]


def name_and_note(text: str) -> tuple[str, str]:
    """A cell entry as (the thing's name, the source's note on it): "Norway End-of-Term Report
    2014-2015 (no URL seen)" is ("Norway End-of-Term Report 2014-2015", "no URL seen"); an entry
    without a note in parentheses at its end is its own name. Any other use of parentheses is an
    error, so that a new form in the reference data is read by a person, not guessed at."""
    text = text.strip()
    name, note = text, ""
    if text.endswith(")"):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                name, note = text[:i].strip(), text[i + 1:-1].strip()
                break
    if not name or "(" in name or ")" in name:
        raise ValueError(f"unexpected name and note {text!r}")
    return name, note


def count_and_note(text: str) -> tuple[Literal, str]:
    """A number of commitments as (the value, the source's note on it): one number, with at
    most a note in parentheses, is an xsd:integer ("26 (KMD slides, 17 March 2014)" is 26 and
    "KMD slides, 17 March 2014"); words that say more ("8 at start; 10 after 2021 amendments")
    are kept as the source gives them, as a string."""
    m = re.fullmatch(r"(\d+)(?:\s*\((.*)\))?", text.strip(), flags=re.DOTALL)
    if m is None:
        return Literal(text), ""
    return Literal(int(m[1])), (m[2] or "").strip()


def _ogp_names(shared: Path) -> dict[str, list[str]]:
    """OGP's names of the plans on its commitment pages, by plan key (the years they give)."""
    years = {"2012-2013": "NAP1", "2013-2015": "NAP2", "2016-2018": "NAP3",
             "2019-2022": "NAP4", "2019-2021": "NAP4", "2023-2027": "NAP5"}
    out: dict[str, list[str]] = {}
    path = shared / "data" / "reference" / "ogp-commitments-norway.csv"
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            m = re.search(r"(\d{4}-\d{4})", r["action_plan"])
            if m and m[1] in years:
                names = out.setdefault(years[m[1]], [])
                if r["action_plan"] not in names:
                    names.append(r["action_plan"])
    for key, quoted in PLAN_NAMES_QUOTED.items():
        out.setdefault(key, []).extend(q for q in quoted if q not in out.get(key, []))
    return out


def plans(shared: Path, u: Uris, index: OrgIndex) -> Graph:
    g = Graph()
    ogp_names = _ogp_names(shared)
    with open(shared / "data" / "reference" / "action-plans.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = r["plan"]
            p = URIRef(u.plan(PLAN_IDS[key]))
            g.add((p, RDF.type, OGP.ActionPlan))
            g.add((p, DCTERMS.identifier, Literal(PLAN_IDS[key])))
            g.add((p, OGP.country, EU_COUNTRY.NOR))
            titles: list[Literal] = []
            nb = r["title_nb"]
            if nb.endswith("(nynorsk)"):
                titles.append(Literal(nb.removesuffix("(nynorsk)").strip(), lang="nn"))
            elif nb:
                titles.append(Literal(nb, lang="nb"))
            if r["title_en"]:
                titles.append(Literal(r["title_en"], lang="en"))
            names = ogp_names.get(key, [])
            if not titles and names:  # NAP1: no plan title found; OGP's name of the plan
                titles.append(Literal(names[0], lang="en"))
                g.add((p, OGP.editorialNote, Literal(
                    "Ingen tittel på selve plandokumentet er funnet; tittelen er navnet OGPs "
                    "sider om forpliktelsene gir planen.", lang="nb")))
                g.add((p, OGP.editorialNote, Literal(
                    "No title of the plan document itself was found; the title is the name "
                    "OGP's commitment pages give the plan.", lang="en")))
            for t in titles:
                g.add((p, DCTERMS.title, t))
            for name in names:
                if Literal(name, lang="en") not in titles:
                    g.add((p, DCTERMS.alternative, Literal(name, lang="en")))
            if r["period_start"]:
                g.add((p, SCHEMA.startDate, date_literal(r["period_start"])))
            if r["period_end"]:
                g.add((p, SCHEMA.endDate, date_literal(r["period_end"])))
            for statement in _split_top(r["period_other_statements"]):
                g.add((p, OGP.periodStatement, Literal(statement)))
            if r["published_or_approved"]:
                g.add((p, OGP.publicationStatement, Literal(r["published_or_approved"])))
            prose = index.scan(r["coordinating_ministry"])
            coordinators = [part.found.body.iri for part in prose.matched if part.found]
            for iri in dict.fromkeys(coordinators):
                g.add((p, OGP.coordinatedBy, URIRef(iri)))
            g.add((p, OGP.coordinationStatement, Literal(r["coordinating_ministry"])))
            for col in ("regjeringen_url_nb", "regjeringen_url_en", "other_plan_copy"):
                for iri in source_iris(r[col]):
                    g.add((p, OGP.planDocument, iri))
            for report in _split_top(r["irm_reports"]):
                name, note = name_and_note(report)
                g.add((p, OGP.irmReport, Literal(name)))
                if note:
                    g.add((p, OGP.editorialNote,
                           Literal(f"IRM report «{name}»: {note}", lang="en")))
            if r["number_of_commitments"]:
                count, note = count_and_note(r["number_of_commitments"])
                g.add((p, OGP.numberOfCommitments, count))
                if note:
                    g.add((p, OGP.editorialNote,
                           Literal(f"Number of commitments «{count}»: {note}", lang="en")))
            for src in source_iris(r["sources"]):
                g.add((p, DCTERMS.source, src))
            if r["notes"]:
                g.add((p, OGP.editorialNote, Literal(r["notes"], lang="en")))
            if key == "NAP4":  # the status the bundled plan has had since the registry began
                g.add((p, OGP.registryStatus, VOCAB["status/completed"]))
    return g
