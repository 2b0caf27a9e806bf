"""Synthetic OGP-like registries for benchmarks, deterministic from a seed.

    python benchmarks/generate.py --commitments 10000 --seed 42 -o synthetic-10k.nq

Everything it writes is INVENTED test data: the plans, commitments, milestones, proposals,
comments, assessments and organisations do not exist. Every title says so ("Syntetisk" /
"Synthetic"), every organisation and plan carries an ``ogp:editorialNote`` saying so, the
organisation numbers start with 1 (real Norwegian organisation numbers start with 8 or 9) though
they pass the mod-11 check, and commitment ids are numbered from 5001 to at most 7999 in each
country (real OGP commitment ids are far lower). Only the country codes (real OGP members) and
the value sets (``ontology/values.ttl``, ``ontology/themes.ttl``) are real.

The output follows docs/data-model.md and conforms to shapes/ogp-shapes.ttl. It is written as
N-Quads, line by line (never held in an rdflib graph), with one named graph per synthetic source
(``{base}graph/source/{source-id}``), so it lands where real submissions land:

* ``synthetic-organisations`` — the organisations and meeting places;
* per action plan, in this order (each one validates against what came before, as real
  submissions arriving one at a time would):
  ``synthetic-{cc}-{period}-plan`` (the plan, its commitments and their milestones),
  ``synthetic-{cc}-{period}-consultation`` (the consultation meeting, the proposals, the comments
  on them and which commitments were derived from which proposal), and
  ``synthetic-{cc}-{period}-follow-up`` (progress assessments and comments on commitments).

A JSON manifest (``<output>.manifest.json``) lists the sources in that order with their triple
counts and SHA-256 (of the source as an N-Triples file), for the provenance the bulk loader
writes (``benchmarks/bulkload.py``). ``--split DIR`` also writes each source as
``DIR/<source-id>.nt``, loadable one by one with ``ogpreg load``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, XSD

from ontology import ontology_files
from registry.namespaces import EU_COUNTRY, OGP, SCHEMA, THEME, VOCAB
from registry.uris import Uris

DEFAULT_BASE = "http://localhost:8000/"
#: Synthetic commitment ids are XX5001 .. XX7999: at most this many per country (XX8001 ..
#: XX9999 stay free for other invented data, e.g. benchmarks/bench_submission.py's NO8001-).
PER_COUNTRY_MAX = 2999
FIRST_NUMBER = 5001

#: OGP members (ISO 3166 alpha-2 for the commitment id prefix, alpha-3 for the EU country
#: authority IRI), with names for the invented titles.
COUNTRIES: tuple[tuple[str, str, str, str], ...] = (
    ("NO", "NOR", "Norge", "Norway"),
    ("SE", "SWE", "Sverige", "Sweden"),
    ("DK", "DNK", "Danmark", "Denmark"),
    ("FI", "FIN", "Finland", "Finland"),
    ("EE", "EST", "Estland", "Estonia"),
    ("LV", "LVA", "Latvia", "Latvia"),
    ("LT", "LTU", "Litauen", "Lithuania"),
    ("IE", "IRL", "Irland", "Ireland"),
    ("GB", "GBR", "Storbritannia", "United Kingdom"),
    ("FR", "FRA", "Frankrike", "France"),
    ("DE", "DEU", "Tyskland", "Germany"),
    ("NL", "NLD", "Nederland", "Netherlands"),
    ("LU", "LUX", "Luxembourg", "Luxembourg"),
    ("ES", "ESP", "Spania", "Spain"),
    ("PT", "PRT", "Portugal", "Portugal"),
    ("IT", "ITA", "Italia", "Italy"),
    ("GR", "GRC", "Hellas", "Greece"),
    ("HR", "HRV", "Kroatia", "Croatia"),
    ("SI", "SVN", "Slovenia", "Slovenia"),
    ("SK", "SVK", "Slovakia", "Slovakia"),
    ("CZ", "CZE", "Tsjekkia", "Czech Republic"),
    ("RO", "ROU", "Romania", "Romania"),
    ("BG", "BGR", "Bulgaria", "Bulgaria"),
    ("RS", "SRB", "Serbia", "Serbia"),
    ("ME", "MNE", "Montenegro", "Montenegro"),
    ("MK", "MKD", "Nord-Makedonia", "North Macedonia"),
    ("AL", "ALB", "Albania", "Albania"),
    ("MD", "MDA", "Moldova", "Moldova"),
    ("UA", "UKR", "Ukraina", "Ukraine"),
    ("GE", "GEO", "Georgia", "Georgia"),
    ("AM", "ARM", "Armenia", "Armenia"),
    ("CA", "CAN", "Canada", "Canada"),
    ("MX", "MEX", "Mexico", "Mexico"),
    ("GT", "GTM", "Guatemala", "Guatemala"),
    ("CR", "CRI", "Costa Rica", "Costa Rica"),
    ("PA", "PAN", "Panama", "Panama"),
    ("CO", "COL", "Colombia", "Colombia"),
    ("EC", "ECU", "Ecuador", "Ecuador"),
    ("PE", "PER", "Peru", "Peru"),
    ("CL", "CHL", "Chile", "Chile"),
    ("AR", "ARG", "Argentina", "Argentina"),
    ("UY", "URY", "Uruguay", "Uruguay"),
    ("PY", "PRY", "Paraguay", "Paraguay"),
    ("BR", "BRA", "Brasil", "Brazil"),
    ("KE", "KEN", "Kenya", "Kenya"),
    ("GH", "GHA", "Ghana", "Ghana"),
    ("NG", "NGA", "Nigeria", "Nigeria"),
    ("SN", "SEN", "Senegal", "Senegal"),
    ("MA", "MAR", "Marokko", "Morocco"),
    ("TN", "TUN", "Tunisia", "Tunisia"),
    ("ZA", "ZAF", "Sør-Afrika", "South Africa"),
    ("PH", "PHL", "Filippinene", "Philippines"),
    ("KR", "KOR", "Sør-Korea", "South Korea"),
    ("MN", "MNG", "Mongolia", "Mongolia"),
    ("AU", "AUS", "Australia", "Australia"),
    ("NZ", "NZL", "New Zealand", "New Zealand"),
)
MAX_COMMITMENTS = PER_COUNTRY_MAX * len(COUNTRIES)

#: Topics (bokmål, English) for invented titles and names.
TOPICS: tuple[tuple[str, str], ...] = (
    ("åpne data", "open data"),
    ("offentlige anskaffelser", "public procurement"),
    ("reelle rettighetshavere", "beneficial ownership"),
    ("journalføring og innsyn", "record-keeping and access to records"),
    ("klima- og miljødata", "climate and environment data"),
    ("kommuneøkonomi", "municipal finances"),
    ("lobbyvirksomhet", "lobbying"),
    ("vern av varslere", "whistleblower protection"),
    ("brukermedvirkning", "user participation"),
    ("arkivering", "archiving"),
    ("digital forvaltning", "digital government"),
    ("skatteåpenhet", "tax transparency"),
    ("sjømat og fiskeri", "seafood and fisheries"),
    ("helsedata", "health data"),
    ("offentlig støtte", "state aid"),
    ("høringer", "public consultations"),
    ("lovdata", "legal information"),
    ("universell utforming", "universal design"),
    ("ungdommens stemme", "youth participation"),
    ("arealplanlegging", "spatial planning"),
    ("åpenhet i næringslivet", "transparency in business"),
    ("energistatistikk", "energy statistics"),
    ("geografiske data", "geographic data"),
    ("forskningsdata", "research data"),
    ("tilskudd til frivillige", "grants to voluntary organisations"),
    ("økonomistyring", "financial management"),
    ("språkrøkt", "plain language"),
    ("utdanningsstatistikk", "education statistics"),
    ("kulturarv", "cultural heritage"),
    ("sårbare grupper", "vulnerable groups"),
)
ACTIONS: tuple[tuple[str, str], ...] = (
    ("Styrke", "Strengthen"),
    ("Åpne", "Open up"),
    ("Forbedre", "Improve"),
    ("Kartlegge", "Survey"),
    ("Utvikle en løsning for", "Develop a solution for"),
    ("Gjøre tilgjengelig", "Make available"),
    ("Forenkle", "Simplify"),
    ("Samordne", "Coordinate"),
    ("Evaluere", "Evaluate"),
    ("Løfte fram", "Promote"),
)
STEPS: tuple[tuple[str, str], ...] = (
    ("Forstudie og behovskartlegging", "Preliminary study and needs assessment"),
    ("Høring blant berørte aktører", "Consultation of those affected"),
    ("Første versjon på plass", "First version in place"),
    ("Pilot i tre kommuner", "Pilot in three municipalities"),
    ("Veiledning publisert", "Guidance published"),
    ("Opplæring av ansatte", "Training of staff"),
    ("Evaluering og justering", "Evaluation and adjustment"),
    ("Full drift og overlevering", "Full operation and handover"),
)
PLACES: tuple[tuple[str, str], ...] = (
    ("Syntetisk møtested Ærfuglen", "Ærfuglveien 1, 0150 Oslo (oppdiktet adresse)"),
    ("Syntetisk møtested Øvre Torg", "Øvre torg 2, 5003 Bergen (oppdiktet adresse)"),
    ("Syntetisk møtested Åsen", "Åsveien 3, 7010 Trondheim (oppdiktet adresse)"),
    ("Syntetisk møtested Blåbærlia", "Blåbærlia 4, 9008 Tromsø (oppdiktet adresse)"),
    ("Syntetisk møtested Sjøkanten", "Sjøgata 5, 4006 Stavanger (oppdiktet adresse)"),
)

#: Organisation kinds: code, count, name patterns (bokmål, English; {t}/{te} = topic).
ORG_KINDS: tuple[tuple[str, int, str, str], ...] = (
    ("ministry", 20, "Syntetisk departement for {t} {i:03d}", "Synthetic Ministry of {te} {i:03d}"),
    ("public-body", 90, "Syntetisk direktorat for {t} {i:03d}",
     "Synthetic Directorate of {te} {i:03d}"),
    ("civil-society", 100, "Syntetisk forening for {t} {i:03d}",
     "Synthetic Association for {te} {i:03d}"),
    ("business-association", 30, "Syntetisk næringsforbund for {t} {i:03d}",
     "Synthetic Business Federation for {te} {i:03d}"),
    ("trade-union", 25, "Syntetisk arbeidstakerforbund for {t} {i:03d}",
     "Synthetic Trade Union for {te} {i:03d}"),
    ("media", 20, "Syntetisk fagblad om {t} {i:03d}", "Synthetic Journal of {te} {i:03d}"),
    ("other", 15, "Syntetisk utredningsinstitutt for {t} {i:03d}",
     "Synthetic Institute for {te} {i:03d}"),
)
ORG_NOTE_NB = (
    "Syntetisk organisasjon, laget for ytelsestester. Den finnes ikke, og "
    "organisasjonsnummeret er oppdiktet."
)
ORG_NOTE_EN = (
    "Synthetic organisation made for performance tests. It does not exist, and its organisation "
    "number is invented."
)
PLAN_NOTE_NB = "Syntetiske testdata: planen, forpliktelsene og milepælene er oppdiktet."
PLAN_NOTE_EN = "Synthetic test data: the plan, its commitments and milestones are invented."

_DT = str(XSD.dateTime)


# -- N-Triples terms ---------------------------------------------------------------------------
def _iri(value: str) -> str:
    return f"<{value}>"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )


def _lang(text: str, lang: str) -> str:
    return f'"{_escape(text)}"@{lang}'


def _typed(text: str, datatype: str) -> str:
    return f'"{_escape(text)}"^^<{datatype}>'


def _str(text: str) -> str:
    return f'"{_escape(text)}"'


def _date(d: date, precision: str) -> str:
    if precision == "day":
        return _typed(d.isoformat(), str(XSD.date))
    if precision == "month":
        return _typed(f"{d.year:04d}-{d.month:02d}", str(XSD.gYearMonth))
    return _typed(f"{d.year:04d}", str(XSD.gYear))


# predicates, as N-Triples terms
A = _iri(str(RDF.type))
TITLE = _iri(str(DCTERMS.title))
DESCRIPTION = _iri(str(DCTERMS.description))
IDENTIFIER = _iri(str(DCTERMS.identifier))
DATE = _iri(str(DCTERMS.date))
DATE_SUBMITTED = _iri(str(DCTERMS.dateSubmitted))
PREF_LABEL = _iri(str(SKOS.prefLabel))
ALT_LABEL = _iri(str(SKOS.altLabel))
CHANGE_NOTE = _iri(str(SKOS.changeNote))
START = _iri(str(SCHEMA.startDate))
END = _iri(str(SCHEMA.endDate))
POSITION = _iri(str(SCHEMA.position))
LOCATION = _iri(str(SCHEMA.location))
ADDRESS = _iri(str(SCHEMA.address))


def _p(term: str) -> str:
    return _iri(str(term))


# -- value sets from the real vocabulary files -------------------------------------------------
@dataclass(frozen=True)
class ValueSets:
    """Concept IRIs per value set, read from ontology/values.ttl and ontology/themes.ttl."""

    sets: dict[str, list[str]]
    themes: list[str]
    narrower_themes: list[str]

    def __getitem__(self, name: str) -> list[str]:
        return self.sets[name]


def load_value_sets() -> ValueSets:
    store = ox.Store()
    files = ontology_files()
    for key in ("themes", "values"):
        store.load(files[key].read_bytes(), format=ox.RdfFormat.TURTLE)
    sets: dict[str, list[str]] = {}
    themes: list[str] = []
    narrower: list[str] = []
    result = store.query(
        f"SELECT ?scheme ?c (BOUND(?top) AS ?isTop) WHERE {{ ?c <{SKOS.inScheme}> ?scheme "
        f"OPTIONAL {{ ?c <{SKOS.topConceptOf}> ?top }} }} ORDER BY ?scheme ?c"
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        scheme, concept = str(row["scheme"].value), str(row["c"].value)
        if scheme == str(THEME["scheme"]):
            themes.append(concept)
            if row["isTop"].value == "false":
                narrower.append(concept)
        elif scheme.startswith(str(VOCAB)):
            sets.setdefault(scheme[len(str(VOCAB)) :], []).append(concept)
    return ValueSets(sets, themes, narrower)


# -- organisation numbers ----------------------------------------------------------------------
_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(first8: str) -> int | None:
    """The mod-11 check digit of a Norwegian organisation number, or None if there is none."""
    r = sum(w * int(d) for w, d in zip(_WEIGHTS, first8, strict=True)) % 11
    if r == 0:
        return 0
    if r == 1:
        return None
    return 11 - r


def synthetic_orgnr(rng: random.Random, used: set[str]) -> str:
    """A 9-digit number valid under mod 11, starting with 1 (never a real organisation number:
    those start with 8 or 9)."""
    while True:
        first8 = "1" + "".join(rng.choice("0123456789") for _ in range(7))
        check = check_digit(first8)
        if check is not None and first8 + str(check) not in used:
            used.add(first8 + str(check))
            return first8 + str(check)


def organisation_count(commitments: int) -> int:
    """A few hundred organisations (300) from 300 commitments up; fewer for small samples, so
    that validating them with pySHACL stays quick (at least 40)."""
    return min(300, max(40, commitments))


# -- output ------------------------------------------------------------------------------------
@dataclass
class SourceSummary:
    """One synthetic source: its named graph, triple count and checksum."""

    source_id: str
    graph: str
    file_name: str
    triples: int
    sha256: str
    submitted_by: str | None


@dataclass
class GenerateResult:
    """What was generated."""

    commitments: int
    seed: int
    base_uri: str
    counts: dict[str, int] = field(default_factory=dict)
    quads: int = 0
    seconds: float = 0.0
    sources: list[SourceSummary] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> GenerateResult:
        data = json.loads(text)
        data["sources"] = [SourceSummary(**s) for s in data["sources"]]
        return cls(**data)


class _Source:
    """Triples of one source, written when the source is complete."""

    def __init__(self, source_id: str, submitted_by: str | None) -> None:
        self.source_id = source_id
        self.submitted_by = submitted_by
        self.triples: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.triples.append(f"{s} {p} {o}")


class _Writer:
    def __init__(self, out: IO[str], uris: Uris, split_dir: Path | None) -> None:
        self.out = out
        self.uris = uris
        self.split_dir = split_dir
        self.summaries: list[SourceSummary] = []
        self.quads = 0

    def write(self, src: _Source) -> None:
        graph = self.uris.source_graph(src.source_id)
        g = _iri(graph)
        if len(set(src.triples)) != len(src.triples):
            raise AssertionError(f"duplicate triples in {src.source_id}")
        sha = hashlib.sha256()
        nt_chunks: list[str] = []
        nq_chunks: list[str] = []
        for t in src.triples:
            nt_chunks.append(f"{t} .\n")
            nq_chunks.append(f"{t} {g} .\n")
        nt = "".join(nt_chunks)
        sha.update(nt.encode("utf-8"))
        self.out.write("".join(nq_chunks))
        file_name = f"{src.source_id}.nt"
        if self.split_dir is not None:
            (self.split_dir / file_name).write_text(nt, encoding="utf-8")
        self.summaries.append(
            SourceSummary(
                source_id=src.source_id,
                graph=graph,
                file_name=file_name,
                triples=len(src.triples),
                sha256=sha.hexdigest(),
                submitted_by=src.submitted_by,
            )
        )
        self.quads += len(src.triples)


# -- the model ---------------------------------------------------------------------------------
@dataclass
class _Org:
    uri: str
    kind: str
    name_nb: str


@dataclass
class _Plan:
    country: tuple[str, str, str, str]
    plan_id: str
    slug: str
    start: date
    end: date
    first_number: int
    commitments: int
    coordinator: _Org


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` non-negative, roughly even, randomly varied counts."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _precision(rng: random.Random) -> str:
    x = rng.random()
    return "day" if x < 0.6 else "month" if x < 0.85 else "year"


def _between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


class _Generator:
    def __init__(self, commitments: int, seed: int, base_uri: str) -> None:
        if not 1 <= commitments <= MAX_COMMITMENTS:
            raise ValueError(f"commitments must be between 1 and {MAX_COMMITMENTS}")
        self.n = commitments
        self.rng = random.Random(seed)
        self.uris = Uris(base_uri)
        self.values = load_value_sets()
        self.counts: dict[str, int] = {
            k: 0
            for k in (
                "organisations", "plans", "commitments", "milestones", "meetings",
                "proposals", "comments", "assessments",
            )
        }
        self.orgs: dict[str, list[_Org]] = {}
        self.places: list[str] = []
        self.used_meeting_days: set[str] = {"2018-06-19"}  # the bundled real meeting

    def v(self, set_name: str, code: str) -> str:
        return _iri(str(VOCAB[f"{set_name}/{code}"]))

    def pick(self, kinds: tuple[str, ...]) -> _Org:
        kind = self.rng.choice(kinds)
        return self.rng.choice(self.orgs[kind])

    # organisations and places ------------------------------------------------------------
    def organisations(self) -> _Source:
        src = _Source("synthetic-organisations", None)
        rng = self.rng
        used_numbers: set[str] = set()
        scale = organisation_count(self.n) / sum(k[1] for k in ORG_KINDS)
        for kind, full_count, nb_pattern, en_pattern in ORG_KINDS:
            count = max(2, round(full_count * scale))
            for i in range(1, count + 1):
                t_nb, t_en = TOPICS[(i * 7 + len(kind)) % len(TOPICS)]
                name_nb = nb_pattern.format(t=t_nb, te=t_en, i=i)
                name_en = en_pattern.format(t=t_nb, te=t_en.title(), i=i)
                uri = self.uris.organisation(name_nb)
                s = _iri(uri)
                src.add(s, A, _iri(str(ORG.Organization)))
                if kind in ("ministry", "public-body"):
                    src.add(s, A, _p(OGP.PublicBody))
                if kind == "ministry":
                    src.add(s, A, _p(OGP.Ministry))
                src.add(s, PREF_LABEL, _lang(name_nb, "nb"))
                if rng.random() < 0.7:
                    src.add(s, PREF_LABEL, _lang(name_en, "en"))
                if rng.random() < 0.2:
                    src.add(s, ALT_LABEL, _lang(f"SYN{kind[:3].upper()}{i:03d}", "nb"))
                src.add(s, _p(OGP.organisationKind), self.v("organisation-kind", kind))
                numbered = kind in ("ministry", "public-body", "business-association") or (
                    rng.random() < 0.6
                )
                if numbered:
                    number = synthetic_orgnr(rng, used_numbers)
                    src.add(s, _p(OGP.organisationNumber), _str(number))
                    src.add(
                        s,
                        _p(OGP.registerRecord),
                        _iri(f"https://data.brreg.no/enhetsregisteret/api/enheter/{number}"),
                    )
                src.add(s, _p(OGP.editorialNote), _lang(ORG_NOTE_NB, "nb"))
                src.add(s, _p(OGP.editorialNote), _lang(ORG_NOTE_EN, "en"))
                self.orgs.setdefault(kind, []).append(_Org(uri, kind, name_nb))
                self.counts["organisations"] += 1
        for name, address in PLACES:
            uri = self.uris.place(name)
            s = _iri(uri)
            src.add(s, A, _p(SCHEMA.Place))
            src.add(s, ADDRESS, _str(address))
            self.places.append(uri)
        return src

    # plans -------------------------------------------------------------------------------
    def plans(self) -> list[_Plan]:
        rng = self.rng
        n_countries = min(len(COUNTRIES), max(4, math.ceil(self.n / 2500)))
        n_countries = max(n_countries, math.ceil(self.n / PER_COUNTRY_MAX))
        per_country = [self.n // n_countries] * n_countries
        for i in range(self.n % n_countries):
            per_country[i] += 1
        plans: list[_Plan] = []
        for country, total in zip(COUNTRIES, per_country, strict=False):
            n_plans = rng.randint(3, 6)
            first_year = rng.randint(2011, 2025 - 2 * n_plans)
            month = rng.choice((1, 7, 9))
            number = FIRST_NUMBER
            for k, count in enumerate(_split(total, n_plans, rng)):
                start = date(first_year + 2 * k, month, 1)
                end = date(start.year + 2, month, 1) - timedelta(days=1)
                plan_id = f"synthetic-{country[0].lower()}-{start.year}-{end.year}"
                plans.append(
                    _Plan(
                        country=country,
                        plan_id=plan_id,
                        slug=plan_id,
                        start=start,
                        end=end,
                        first_number=number,
                        commitments=count,
                        coordinator=rng.choice(self.orgs["ministry"]),
                    )
                )
                number += count
        return plans

    def plan_sources(self, plan: _Plan) -> Iterator[_Source]:
        rng = self.rng
        v = self.v
        cc, a3, country_nb, country_en = plan.country
        coordinator = plan.coordinator.uri
        plan_src = _Source(f"{plan.slug}-plan", coordinator)
        consult = _Source(f"{plan.slug}-consultation", coordinator)
        follow = _Source(f"{plan.slug}-follow-up", coordinator)
        self.counts["plans"] += 1

        # the plan
        p = _iri(self.uris.plan(plan.plan_id))
        period = f"{plan.start.year}–{plan.end.year}"
        add = plan_src.add
        add(p, A, _p(OGP.ActionPlan))
        add(p, IDENTIFIER, _str(plan.plan_id))
        add(p, TITLE, _lang(f"Syntetisk handlingsplan for {country_nb} {period}", "nb"))
        add(p, TITLE, _lang(f"Synthetic action plan for {country_en} {period}", "en"))
        add(p, _p(OGP.country), _iri(str(EU_COUNTRY[a3])))
        add(p, START, _date(plan.start, rng.choice(("day", "month"))))
        add(p, END, _date(plan.end, rng.choice(("day", "month"))))
        approval = plan.start - timedelta(days=rng.randint(10, 90))
        add(p, _p(OGP.approvalDate), _typed(approval.isoformat(), str(XSD.date)))
        add(p, _p(OGP.approvedBy), _iri(rng.choice(self.orgs["ministry"]).uri))
        add(p, _p(OGP.coordinatedBy), _iri(coordinator))
        status = "completed" if plan.end.year < 2024 else "in-force"
        add(p, _p(OGP.registryStatus), v("status", status))
        add(p, _p(OGP.editorialNote), _lang(PLAN_NOTE_NB, "nb"))
        add(p, _p(OGP.editorialNote), _lang(PLAN_NOTE_EN, "en"))

        # the consultation meeting, before the plan starts
        while True:
            day = plan.start - timedelta(days=rng.randint(120, 400))
            if day.weekday() < 5 and day.isoformat() not in self.used_meeting_days:
                break
        self.used_meeting_days.add(day.isoformat())
        m = _iri(self.uris.meeting(day.isoformat()))
        self.counts["meetings"] += 1
        cadd = consult.add
        cadd(m, A, _p(OGP.ConsultationMeeting))
        cadd(m, TITLE, _lang(f"Syntetisk innspillsmøte om handlingsplanen {period}", "nb"))
        cadd(m, TITLE, _lang(f"Synthetic consultation meeting on the {period} plan", "en"))
        cadd(m, START, _typed(f"{day.isoformat()}T09:00:00+01:00", _DT))
        cadd(m, END, _typed(f"{day.isoformat()}T12:30:00+01:00", _DT))
        cadd(m, LOCATION, _iri(rng.choice(self.places)))
        cadd(m, _p(OGP.room), _str(f"Møterom Ø{rng.randint(1, 9)}"))
        deadline = day - timedelta(days=7)
        cadd(m, _p(OGP.registrationDeadline), _typed(deadline.isoformat(), str(XSD.date)))
        cadd(m, _p(OGP.proposalDeadline), _typed(deadline.isoformat(), str(XSD.date)))
        cadd(m, _p(OGP.invitedBy), _iri(coordinator))
        cadd(m, _p(OGP.forActionPlan), p)
        invited = {self.pick(("civil-society", "business-association", "trade-union", "media",
                              "other", "ministry", "public-body")).uri for _ in range(20)}
        for o in sorted(invited):
            cadd(m, _p(OGP.invited), _iri(o))
            if rng.random() < 0.6:
                cadd(m, _p(OGP.attendee), _iri(o))
        cadd(m, _p(OGP.agenda), _lang(
            "Oppdiktet dagsorden: departementene legger fram forslag til forpliktelser, og "
            "sivilsamfunnet kommenterer dem og fremmer egne forslag.", "nb"))
        cadd(m, _p(OGP.decision), _lang(
            "Oppdiktet vedtak: innspillene følges opp i arbeidet med planen.", "nb"))

        # proposals and the comments on them
        n_proposals = max(1, round(plan.commitments * 0.4))
        proposals: list[str] = []
        for k in range(1, n_proposals + 1):
            ident = f"{plan.slug}-f{k:04d}"
            q = _iri(self.uris.proposal(ident))
            proposals.append(q)
            self.counts["proposals"] += 1
            t_nb, t_en = rng.choice(TOPICS)
            proposer = self.pick(("civil-society", "civil-society", "business-association",
                                  "trade-union", "media", "other"))
            cadd(q, A, _p(OGP.Proposal))
            cadd(q, IDENTIFIER, _str(ident))
            cadd(q, TITLE, _lang(f"Syntetisk forslag {k}: mer åpenhet om {t_nb}", "nb"))
            if rng.random() < 0.7:
                cadd(q, TITLE, _lang(f"Synthetic proposal {k}: more openness on {t_en}", "en"))
            cadd(q, DESCRIPTION, _lang(
                f"Oppdiktet forslag fra {proposer.name_nb} om {t_nb}: del mer, og del det tidlig.",
                "nb"))
            cadd(q, _p(OGP.proposedBy), _iri(proposer.uri))
            for theme in sorted({rng.choice(self.values.narrower_themes)
                                 for _ in range(rng.randint(1, 2))}):
                cadd(q, _p(OGP.theme), _iri(theme))
            cadd(q, _p(OGP.submittedAt), m)
            timing = rng.choice(("before-meeting", "at-meeting"))
            cadd(q, _p(OGP.submissionTiming), v("submission-timing", timing))
            submitted = deadline if timing == "before-meeting" else day
            cadd(q, DATE_SUBMITTED, _typed(submitted.isoformat(), str(XSD.date)))
            q_status = rng.choice(("submitted", "accepted", "accepted", "withdrawn"))
            cadd(q, _p(OGP.registryStatus), v("status", q_status))
            if q_status == "withdrawn":  # the shapes require a reason (issue 7)
                cadd(q, CHANGE_NOTE, _lang("Trukket av forslagsstilleren (syntetisk).", "nb"))
            cadd(m, _p(OGP.discussed), q)
            if rng.random() < 0.8:
                c1 = _iri(self.uris.comment(f"{ident}-k1"))
                self.counts["comments"] += 1
                cadd(c1, A, _p(OGP.Comment))
                cadd(c1, _p(OGP.commentOn), q)
                cadd(c1, _p(OGP.commentBy), _iri(coordinator))
                cadd(c1, DESCRIPTION, _lang(
                    "Oppdiktet svar: departementet vurderer forslaget og kommer tilbake til det.",
                    "nb"))
                cdate = day + timedelta(days=rng.randint(1, 30))
                cadd(c1, DATE, _typed(cdate.isoformat(), str(XSD.date)))
                if rng.random() < 0.3:
                    c2 = _iri(self.uris.comment(f"{ident}-k2"))
                    self.counts["comments"] += 1
                    cadd(c2, A, _p(OGP.Comment))
                    cadd(c2, _p(OGP.commentOn), q)
                    cadd(c2, _p(OGP.commentBy), _iri(proposer.uri))
                    cadd(c2, DESCRIPTION, _lang("Oppdiktet oppfølging: takk, vi følger med.", "nb"))
                    cadd(c2, DESCRIPTION, _lang("Invented follow-up: thanks, we will follow up.",
                                                "en"))
                    later = cdate + timedelta(days=rng.randint(1, 20))
                    cadd(c2, DATE, _typed(later.isoformat(), str(XSD.date)))
                    cadd(c2, _p(OGP.isResponseTo), c1)

        # commitments and milestones
        leads = ("ministry", "ministry", "public-body")
        ngos = ("civil-society", "business-association", "trade-union", "media", "other")
        irm = self.orgs["other"][0].uri
        for j in range(plan.commitments):
            ogp_id = f"{cc}{plan.first_number + j:04d}"
            c = _iri(self.uris.commitment(ogp_id))
            self.counts["commitments"] += 1
            t_nb, t_en = rng.choice(TOPICS)
            act_nb, act_en = rng.choice(ACTIONS)
            lead = self.pick(leads)
            add(p, _p(OGP.hasCommitment), c)
            add(c, A, _p(OGP.Commitment))
            add(c, IDENTIFIER, _str(ogp_id))
            add(c, TITLE, _lang(f"Syntetisk forpliktelse {ogp_id}: {act_nb} {t_nb}", "nb"))
            if rng.random() < 0.92:
                add(c, TITLE, _lang(f"Synthetic commitment {ogp_id}: {act_en} {t_en}", "en"))
            add(c, DESCRIPTION, _lang(
                f"Oppdiktet beskrivelse: {lead.name_nb} skal {act_nb.lower()} {t_nb} i "
                f"{country_nb}, slik at innbyggere og næringsliv får bedre innsyn.", "nb"))
            if rng.random() < 0.6:
                add(c, DESCRIPTION, _lang(
                    f"Invented description: {act_en.lower()} {t_en} in {country_en}.", "en"))
            if rng.random() < 0.5:
                add(c, _p(OGP.problemAddressed), _lang(
                    f"Oppdiktet problem: informasjon om {t_nb} er spredt og vanskelig å finne.",
                    "nb"))
            if rng.random() < 0.4:
                add(c, _p(OGP.ambition), _lang(
                    f"Oppdiktet ambisjon: alle skal kunne følge med på {t_nb}.", "nb"))
            add(c, _p(OGP.inActionPlan), p)
            add(c, _p(OGP.leadAgency), _iri(lead.uri))
            for o in sorted({self.pick(("public-body",)).uri for _ in range(rng.randint(0, 2))}
                            - {lead.uri}):
                add(c, _p(OGP.supportingPublicBody), _iri(o))
            for o in sorted({self.pick(ngos).uri for _ in range(rng.randint(0, 2))}):
                add(c, _p(OGP.supportingNonGovernmentalActor), _iri(o))
            themes = {rng.choice(self.values.narrower_themes)}
            if rng.random() < 0.3:
                themes.add(rng.choice(self.values.themes))
            for theme in sorted(themes):
                add(c, _p(OGP.theme), _iri(theme))
            for val in sorted(set(rng.sample(self.values["ogp-value"], rng.randint(1, 3)))):
                add(c, _p(OGP.ogpValue), _iri(val))
            for area in sorted(set(rng.sample(self.values["policy-area"], rng.randint(1, 3)))):
                add(c, _p(OGP.policyArea), _iri(area))
            c_start = _between(rng, plan.start, plan.start + timedelta(days=180))
            c_end = _between(rng, c_start + timedelta(days=150), plan.end)
            if rng.random() < 0.9:
                add(c, START, _date(c_start, _precision(rng)))
                add(c, END, _date(c_end, _precision(rng)))
            c_status = "completed" if plan.end.year < 2024 else rng.choice(
                ("in-force", "in-force", "approved", "withdrawn"))
            add(c, _p(OGP.registryStatus), v("status", c_status))
            if c_status == "withdrawn":
                add(c, CHANGE_NOTE, _lang("Trukket fra planen (syntetisk).", "nb"))
            if rng.random() < 0.3:
                consult.add(c, _p(OGP.derivedFromProposal), rng.choice(proposals))

            n_milestones = rng.choice((3, 4, 5, 5, 5, 6, 7))
            span = max(1, (c_end - c_start).days)
            for pos in range(1, n_milestones + 1):
                ms = _iri(self.uris.milestone(ogp_id, pos))
                self.counts["milestones"] += 1
                s_nb, s_en = STEPS[(pos - 1 + j) % len(STEPS)]
                m_start = c_start + timedelta(days=span * (pos - 1) // n_milestones)
                m_end = c_start + timedelta(days=span * pos // n_milestones)
                add(c, _p(OGP.hasMilestone), ms)
                add(ms, A, _p(OGP.Milestone))
                add(ms, _p(OGP.ofCommitment), c)
                add(ms, POSITION, _typed(str(pos), str(XSD.integer)))
                add(ms, TITLE, _lang(f"Syntetisk milepæl {pos}: {s_nb}", "nb"))
                if rng.random() < 0.95:
                    add(ms, TITLE, _lang(f"Synthetic milestone {pos}: {s_en}", "en"))
                x = rng.random()
                if x < 0.65:
                    add(ms, START, _date(m_start, _precision(rng)))
                    add(ms, END, _date(m_end, _precision(rng)))
                elif x < 0.95:
                    add(ms, END, _date(m_end, _precision(rng)))
                if rng.random() < 0.5:
                    add(ms, _p(OGP.deliverable), _lang(f"Oppdiktet leveranse: {s_nb.lower()}",
                                                       "nb"))
                if rng.random() < 0.75:
                    add(ms, _p(OGP.completion),
                        _iri(rng.choice(self.values["completion"])))
                if rng.random() < 0.04:
                    a = _iri(self.uris.assessment(f"{ogp_id}-m{pos}-egen"))
                    self._assessment(follow, a, ms, "self-assessment", lead.uri, m_end)

            # assessments and comments on the commitment
            if rng.random() < 0.5:
                a = _iri(self.uris.assessment(f"{ogp_id}-egen"))
                self._assessment(follow, a, c, "self-assessment", lead.uri, c_end)
            if rng.random() < 0.3:
                a = _iri(self.uris.assessment(f"{ogp_id}-irm"))
                self._assessment(follow, a, c, "irm", irm, c_end + timedelta(days=90))
            if rng.random() < 0.25:
                note = _iri(self.uris.comment(f"{ogp_id}-k1"))
                self.counts["comments"] += 1
                author = self.pick(ngos)
                follow.add(note, A, _p(OGP.Comment))
                follow.add(note, _p(OGP.commentOn), c)
                follow.add(note, _p(OGP.commentBy), _iri(author.uri))
                follow.add(note, DESCRIPTION, _lang(
                    f"Oppdiktet kommentar fra {author.name_nb}: framdriften på {t_nb} er for "
                    "langsom, og målene bør være mer målbare.", "nb"))
                when = _between(rng, c_start, c_end)
                follow.add(note, DATE, _typed(when.isoformat(), str(XSD.date)))
        yield plan_src
        yield consult
        yield follow

    def _assessment(
        self, src: _Source, a: str, target: str, kind: str, by: str, when: date
    ) -> None:
        rng = self.rng
        self.counts["assessments"] += 1
        src.add(a, A, _p(OGP.ProgressAssessment))
        src.add(a, _p(OGP.assesses), target)
        src.add(a, _p(OGP.assessmentKind), self.v("assessment-kind", kind))
        src.add(a, _p(OGP.assessedBy), _iri(by))
        src.add(a, _p(OGP.assessmentDate), _typed(when.isoformat(), str(XSD.date)))
        src.add(a, _p(OGP.completion), _iri(rng.choice(self.values["completion"])))
        if kind == "irm":
            src.add(a, _p(OGP.potentialImpact), _iri(rng.choice(self.values["potential-impact"])))
            src.add(a, _p(OGP.specificity), _iri(rng.choice(self.values["specificity"])))
            src.add(a, _p(OGP.openedGovernment),
                    _iri(rng.choice(self.values["opened-government"])))
            starred = "true" if rng.random() < 0.1 else "false"
            src.add(a, _p(OGP.starred), _typed(starred, str(XSD.boolean)))
        src.add(a, DESCRIPTION, _lang("Oppdiktet vurdering av framdriften.", "nb"))


def generate(
    commitments: int,
    seed: int,
    out: IO[str],
    *,
    base_uri: str = DEFAULT_BASE,
    split_dir: Path | None = None,
) -> GenerateResult:
    """Write a synthetic registry of ``commitments`` commitments as N-Quads to ``out``.

    Deterministic: the same ``commitments``, ``seed`` and ``base_uri`` give the same bytes."""
    began = time.perf_counter()
    gen = _Generator(commitments, seed, base_uri)
    if split_dir is not None:
        split_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out, gen.uris, split_dir)
    writer.write(gen.organisations())
    for plan in gen.plans():
        for src in gen.plan_sources(plan):
            writer.write(src)
    return GenerateResult(
        commitments=commitments,
        seed=seed,
        base_uri=base_uri,
        counts=gen.counts,
        quads=writer.quads,
        seconds=round(time.perf_counter() - began, 2),
        sources=writer.summaries,
    )


def manifest_path(output: Path) -> Path:
    """Where the manifest of ``output`` is written."""
    return output.with_name(output.name + ".manifest.json")


def generate_file(
    commitments: int,
    seed: int,
    output: Path,
    *,
    base_uri: str = DEFAULT_BASE,
    split_dir: Path | None = None,
) -> GenerateResult:
    """:func:`generate` into ``output`` (N-Quads) plus its manifest beside it."""
    with open(output, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as fh:
        result = generate(commitments, seed, fh, base_uri=base_uri, split_dir=split_dir)
    manifest_path(output).write_text(result.to_json(), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a synthetic (invented) OGP-like registry as N-Quads, one named "
        "graph per synthetic source. Example: python benchmarks/generate.py --commitments "
        "10000 --seed 42 -o synthetic-10k.nq"
    )
    parser.add_argument("--commitments", type=int, default=1000,
                        help=f"number of commitments (1..{MAX_COMMITMENTS}); default 1000")
    parser.add_argument("--seed", type=int, default=42, help="random seed; default 42")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="N-Quads file to write ('-' for standard output, no manifest)")
    parser.add_argument("--base-uri", default=DEFAULT_BASE,
                        help=f"base URI the registry mints under; default {DEFAULT_BASE}")
    parser.add_argument("--split", type=Path, metavar="DIR",
                        help="also write each source as DIR/<source-id>.nt")
    args = parser.parse_args(argv)
    if str(args.output) == "-":
        result = generate(args.commitments, args.seed, sys.stdout, base_uri=args.base_uri,
                          split_dir=args.split)
    else:
        result = generate_file(args.commitments, args.seed, args.output,
                               base_uri=args.base_uri, split_dir=args.split)
    summary = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    print(f"{result.quads} quads in {len(result.sources)} graphs ({summary}) "
          f"in {result.seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
