"""Columns of submissions, generated from the SHACL shapes.

Each submission kind has one or more sheets (a workbook sheet, a CSV file, a JSON array); each
sheet has columns. Which property a column fills is declared here (:data:`SPECS`); everything a
person reads about the column comes from the shapes: the header (``sh:name``, bokmål and
English), the description (``sh:description``), whether it is required (``sh:minCount`` /
``sh:qualifiedMinCount``), and the allowed values (``sh:in``, labelled from the value sets in
``ontology/``). A column whose property has no shape (e.g. ``dct:dateSubmitted``) declares its
texts here. These texts are data (the headers are how a file is read); the hints on how to write
a value (:meth:`Column.format_hint`) are messages, translated through the catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, SH, SKOS

from registry.i18n import Lang, Msg, msg
from registry.namespaces import OGP, OGPSH, SCHEMA
from registry.validation.shacl import shapes_graph

ORG_ORGANIZATION = URIRef("http://www.w3.org/ns/org#Organization")

#: The kinds of submission, their sheets in order, and aliases accepted on the command line.
KINDS: dict[str, tuple[str, ...]] = {
    "commitments": ("commitments", "milestones"),
    "proposals": ("proposals",),
    "comments": ("comments",),
    "assessments": ("assessments",),
    "organisations": ("organisations",),
}
KIND_ALIASES: dict[str, str] = {
    "forpliktelser": "commitments",
    "forslag": "proposals",
    "kommentarer": "comments",
    "progress": "assessments",
    "vurderinger": "assessments",
    "fremdrift": "assessments",
    "organizations": "organisations",
    "organisasjoner": "organisations",
}

#: Cell separators for columns that take several values (commas occur inside theme names).
MULTI_SEPARATORS = re.compile(r"\s*(?:;|\n|\r\n?)\s*")


@dataclass(frozen=True)
class ColumnSpec:
    """Which property a column fills, and how its cells are read."""

    key: str
    path: URIRef | None
    kind: str  # text id date integer boolean concept org plan commitment proposal meeting
    # comment position url orgnr
    shape: str | None = None  # local name in ogpsh:
    lang: str | None = None
    multiple: bool = False
    required: bool | None = None  # None: from the shape
    name: tuple[str, str] | None = None  # header (nb, en) when the shape gives none
    suffix: tuple[str, str] | None = None  # added to the shape's name
    description: tuple[str, str] | None = None
    precisions: tuple[str, ...] = ("day", "month", "year")
    example: str = ""


@dataclass(frozen=True)
class Concept:
    """One allowed value of a column: a concept of a value set or of the theme scheme."""

    iri: str
    code: str
    notation: str | None
    label_nb: str | None
    label_en: str | None

    def label(self, lang: Lang) -> str:
        return (self.label_en if lang == "en" else self.label_nb) or self.label_nb or self.code


@dataclass(frozen=True)
class Column:
    """A column with everything the shapes say about it."""

    spec: ColumnSpec
    header_nb: str
    header_en: str
    description_nb: str
    description_en: str
    required: bool
    allowed: tuple[Concept, ...] = ()
    message_nb: str = ""
    message_en: str = ""

    @property
    def key(self) -> str:
        return self.spec.key

    def header(self, lang: Lang) -> str:
        return self.header_en if lang == "en" else self.header_nb

    def description(self, lang: Lang) -> str:
        return self.description_en if lang == "en" else self.description_nb

    @property
    def heading(self) -> Msg:
        """The header in each language (from the shapes: data, shown as given)."""
        return Msg.texts(nb=self.header_nb, en=self.header_en)

    @property
    def message(self) -> Msg:
        """The shape's ``sh:message`` in each language (data, shown as given)."""
        return Msg.texts(nb=self.message_nb, en=self.message_en)

    def format_hint(self) -> Msg:
        """How to write a value, for templates and error messages."""
        k = self.spec.kind
        if k == "date":
            if self.spec.precisions == ("day",):
                return msg("a date, e.g. 2019-07-01 or 01.07.2019")
            return msg("2019-07-01, 01.07.2019, 2019-07, 07.2019 or 2019")
        if k == "concept":
            return msg("one of: {values}", values=labels(self.allowed, ", "))
        if k == "org":
            return msg("organisation number or name in the organisation register")
        if k == "integer":
            return msg("a whole number")
        if k == "boolean":
            return msg("yes or no")
        if k == "url":
            return msg("a link, e.g. https://www.regjeringen.no/...")
        if k == "orgnr":
            return msg("nine digits")
        return msg("text")


def labels(allowed: Iterable[Concept], separator: str) -> Msg:
    """The labels of ``allowed`` joined by ``separator``, in each language (the value sets'
    ``skos:prefLabel``: data, shown as given)."""
    items = list(allowed)
    return Msg.texts(
        nb=separator.join(c.label("nb") for c in items),
        en=separator.join(c.label("en") for c in items),
    )


_COLUMNS: dict[str, dict[str, Column]] = {}


@dataclass(frozen=True)
class Sheet:
    """One kind of row: a workbook sheet, a CSV file or a JSON array."""

    key: str
    name_nb: str
    name_en: str
    cls: URIRef
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_nb

    @property
    def title(self) -> Msg:
        """The sheet's name in each language (the names the loader recognises: data)."""
        return Msg.texts(nb=self.name_nb, en=self.name_en)

    def column(self, key: str) -> Column:
        by_key = _COLUMNS.get(self.key)
        if by_key is None:
            by_key = _COLUMNS[self.key] = {c.key: c for c in self.columns}
        return by_key[key]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]


def _t(key: str, lang: str, example: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(key, DCTERMS.title, "text", lang=lang, example=example, **kw)  # type: ignore[arg-type]


#: What the headers of a text column in one language add (bokmål header, English header).
#: Headers are part of the file format, not messages: a file is read by its bokmål or English
#: headers, so a catalog must not change them (like the sheet names and the headers, names and
#: descriptions declared in :data:`SPECS` for columns the shapes do not describe).
_NB = ("bokmål", "Norwegian Bokmål")
_EN = ("engelsk", "English")

#: Sheets: key -> (bokmål name, English name, class, columns).
SPECS: dict[str, tuple[str, str, URIRef, tuple[ColumnSpec, ...]]] = {
    "commitments": (
        "Forpliktelser",
        "Commitments",
        OGP.Commitment,
        (
            ColumnSpec(
                "ogp_id", DCTERMS.identifier, "id", "Commitment-identifier", example="NO9901"
            ),
            ColumnSpec("plan", OGP.inActionPlan, "plan", "Commitment-inActionPlan",
                       suffix=("(ID)", "(ID)"), example="2019-2021"),
            _t("title_nb", "nb", "Åpne data om anskaffelser (eksempel)", shape="shared-title-nb"),
            _t("title_en", "en", "Open procurement data (example)", shape="shared-title-en"),
            ColumnSpec("description_nb", DCTERMS.description, "text", "shared-description",
                       lang="nb", example="Et oppdiktet eksempel."),
            ColumnSpec("description_en", DCTERMS.description, "text", "shared-description",
                       lang="en", example="An invented example."),
            ColumnSpec("problem_nb", OGP.problemAddressed, "text",
                       "Commitment-problemAddressed", lang="nb"),
            ColumnSpec("problem_en", OGP.problemAddressed, "text",
                       "Commitment-problemAddressed", lang="en"),
            ColumnSpec("ambition_nb", OGP.ambition, "text", "Commitment-ambition", lang="nb"),
            ColumnSpec("ambition_en", OGP.ambition, "text", "Commitment-ambition", lang="en"),
            ColumnSpec("lead_agency", OGP.leadAgency, "org", "Commitment-leadAgency",
                       example="Nærings- og fiskeridepartementet"),
            ColumnSpec("supporting_public_bodies", OGP.supportingPublicBody, "org",
                       "Commitment-supportingPublicBody", multiple=True),
            ColumnSpec("supporting_non_governmental", OGP.supportingNonGovernmentalActor, "org",
                       "Commitment-supportingNonGovernmentalActor", multiple=True,
                       example="Transparency International Norge"),
            ColumnSpec("themes", OGP.theme, "concept", "shared-theme", multiple=True,
                       example="Offentlige anskaffelser"),
            ColumnSpec("ogp_values", OGP.ogpValue, "concept", "Commitment-ogpValue",
                       multiple=True, example="Tilgang til informasjon"),
            ColumnSpec("policy_areas", OGP.policyArea, "concept", "Commitment-policyArea",
                       multiple=True),
            ColumnSpec("start_date", SCHEMA.startDate, "date", "shared-startDate",
                       example="2019-09"),
            ColumnSpec("end_date", SCHEMA.endDate, "date", "shared-endDate", example="2021"),
            ColumnSpec("status", OGP.registryStatus, "concept", "shared-registryStatus"),
            ColumnSpec("derived_from", OGP.derivedFromProposal, "proposal",
                       "Commitment-derivedFromProposal", multiple=True,
                       suffix=("(forslags-ID)", "(proposal IDs)")),
            ColumnSpec("sources", DCTERMS.source, "url", "shared-source", multiple=True),
        ),
    ),
    "milestones": (
        "Milepæler",
        "Milestones",
        OGP.Milestone,
        (
            ColumnSpec("commitment", OGP.ofCommitment, "commitment", "Milestone-ofCommitment",
                       suffix=("(OGP-ID)", "(OGP ID)"), example="NO9901"),
            ColumnSpec("position", SCHEMA.position, "position", "Milestone-position",
                       example="1"),
            _t("title_nb", "nb", "Kartlegging (eksempel)", shape="shared-title-nb"),
            _t("title_en", "en", "Survey (example)", shape="shared-title-en"),
            ColumnSpec("start_date", SCHEMA.startDate, "date", "shared-startDate",
                       example="01.09.2019"),
            ColumnSpec("end_date", SCHEMA.endDate, "date", "shared-endDate",
                       example="2019-12-31"),
            ColumnSpec("deliverable_nb", OGP.deliverable, "text", "Milestone-deliverable",
                       lang="nb"),
            ColumnSpec("deliverable_en", OGP.deliverable, "text", "Milestone-deliverable",
                       lang="en"),
            ColumnSpec("completion", OGP.completion, "concept", "shared-completion",
                       example="Fullført"),
        ),
    ),
    "proposals": (
        "Forslag",
        "Proposals",
        OGP.Proposal,
        (
            ColumnSpec("id", DCTERMS.identifier, "id", "Proposal-identifier",
                       example="2018-tin-01"),
            _t("title_nb", "nb", "Åpent register over lobbyister (eksempel)",
               shape="shared-title-nb"),
            _t("title_en", "en", "Open register of lobbyists (example)", shape="shared-title-en",
               required=False),
            ColumnSpec("description_nb", DCTERMS.description, "text", "shared-description",
                       lang="nb", example="Et oppdiktet forslag."),
            ColumnSpec("description_en", DCTERMS.description, "text", "shared-description",
                       lang="en"),
            ColumnSpec("proposed_by", OGP.proposedBy, "org", "Proposal-proposedBy",
                       example="Transparency International Norge"),
            ColumnSpec("themes", OGP.theme, "concept", "shared-theme", multiple=True,
                       required=True, example="Integritet i forvaltningen"),
            ColumnSpec("meeting", OGP.submittedAt, "meeting", "Proposal-submittedAt",
                       suffix=("(møtedato)", "(meeting date)"), example="2018-06-19"),
            ColumnSpec("timing", OGP.submissionTiming, "concept", "Proposal-submissionTiming",
                       example="Før møtet"),
            ColumnSpec(
                "date_submitted",
                DCTERMS.dateSubmitted,
                "date",
                name=("Dato sendt inn", "Date submitted"),
                description=(
                    "Datoen forslaget ble sendt inn, med den presisjonen kilden gir.",
                    "The date the proposal was submitted, at the precision the source gives.",
                ),
                example="2018-06-12",
            ),
            ColumnSpec("status", OGP.registryStatus, "concept", "shared-registryStatus"),
        ),
    ),
    "comments": (
        "Kommentarer",
        "Comments",
        OGP.Comment,
        (
            ColumnSpec(
                "id",
                DCTERMS.identifier,
                "id",
                name=("ID", "ID"),
                description=(
                    "Kommentarens identifikator, unik i registeret (blir en del av "
                    "kommentarens URI).",
                    "The comment's identifier, unique in the registry (becomes part of the "
                    "comment's URI).",
                ),
                required=True,
                example="2018-tin-01-svar",
            ),
            ColumnSpec("comment_on", OGP.commentOn, "commented", "Comment-commentOn",
                       suffix=("(forslags-ID eller OGP-ID)", "(proposal ID or OGP ID)"),
                       example="2018-tin-01"),
            ColumnSpec("comment_by", OGP.commentBy, "org", "Comment-commentBy",
                       example="Kommunal- og moderniseringsdepartementet"),
            ColumnSpec("text_nb", DCTERMS.description, "text", "Comment-description-required",
                       lang="nb", required=False, example="Vi støtter forslaget (eksempel)."),
            ColumnSpec("text_en", DCTERMS.description, "text", "Comment-description-required",
                       lang="en", required=False),
            ColumnSpec("date", DCTERMS.date, "date", "Comment-date", precisions=("day",),
                       example="2018-08-01"),
            ColumnSpec("response_to", OGP.isResponseTo, "comment", "Comment-isResponseTo",
                       suffix=("(kommentar-ID)", "(comment ID)")),
        ),
    ),
    "assessments": (
        "Vurderinger",
        "Assessments",
        OGP.ProgressAssessment,
        (
            ColumnSpec(
                "id",
                DCTERMS.identifier,
                "id",
                name=("ID", "ID"),
                description=(
                    "Vurderingens identifikator. Tom: lages av OGP-ID, milepælnummer, "
                    "vurderingstype og dato (f.eks. NO0054-m2-self-assessment-2020-09-01).",
                    "The assessment's identifier. Empty: made from the OGP ID, milestone "
                    "number, assessment kind and date (e.g. "
                    "NO0054-m2-self-assessment-2020-09-01).",
                ),
                required=False,
            ),
            ColumnSpec(
                "commitment",
                OGP.assesses,
                "commitment",
                "ProgressAssessment-assesses",
                name=("Forpliktelse (OGP-ID)", "Commitment (OGP ID)"),
                example="NO9901",
            ),
            ColumnSpec(
                "milestone",
                None,
                "position",
                name=("Milepæl (nummer)", "Milestone (number)"),
                description=(
                    "Milepælens nummer når vurderingen gjelder én milepæl; tom når den "
                    "gjelder hele forpliktelsen.",
                    "The milestone's number when the assessment is about one milestone; "
                    "empty when it is about the whole commitment.",
                ),
                required=False,
                example="1",
            ),
            ColumnSpec("kind", OGP.assessmentKind, "concept",
                       "ProgressAssessment-assessmentKind", example="Egenvurdering"),
            ColumnSpec("assessed_by", OGP.assessedBy, "org", "ProgressAssessment-assessedBy",
                       example="Nærings- og fiskeridepartementet"),
            ColumnSpec("date", OGP.assessmentDate, "date", "ProgressAssessment-assessmentDate",
                       precisions=("day",), example="2020-09-01"),
            ColumnSpec("completion", OGP.completion, "concept", "shared-completion",
                       example="Betydelig"),
            ColumnSpec("potential_impact", OGP.potentialImpact, "concept",
                       "ProgressAssessment-potentialImpact"),
            ColumnSpec("specificity", OGP.specificity, "concept",
                       "ProgressAssessment-specificity"),
            ColumnSpec("opened_government", OGP.openedGovernment, "concept",
                       "ProgressAssessment-openedGovernment"),
            ColumnSpec("starred", OGP.starred, "boolean", "ProgressAssessment-starred"),
            ColumnSpec("description_nb", DCTERMS.description, "text", "shared-description",
                       lang="nb", example="Oppdiktet vurdering (eksempel)."),
            ColumnSpec("description_en", DCTERMS.description, "text", "shared-description",
                       lang="en"),
        ),
    ),
    "organisations": (
        "Organisasjoner",
        "Organisations",
        ORG_ORGANIZATION,
        (
            ColumnSpec("name_nb", SKOS.prefLabel, "text", "Organization-prefLabel-nb", lang="nb",
                       example="Eksempelforeningen (oppdiktet)"),
            ColumnSpec("name_en", SKOS.prefLabel, "text", "Organization-prefLabel", lang="en",
                       suffix=("(engelsk)", "(English)"),
                       example="The Example Association (invented)"),
            ColumnSpec("other_names", SKOS.altLabel, "text", "Organization-altLabel", lang="nb",
                       multiple=True),
            ColumnSpec("kind", OGP.organisationKind, "concept", "Organization-organisationKind",
                       example="Sivilsamfunnsorganisasjon"),
            ColumnSpec("number", OGP.organisationNumber, "orgnr",
                       "Organization-organisationNumber"),
        ),
    ),
}


def _pick(values: Iterable[object], lang: str) -> str | None:
    for v in values:
        if isinstance(v, Literal) and v.language == lang:
            return str(v)
    return None


@lru_cache(maxsize=1)
def concepts() -> dict[str, Concept]:
    """Every concept of the value sets and the theme scheme, by IRI."""
    from ontology import ontology_files

    store = ox.Store()
    files = ontology_files()
    for key in ("themes", "values"):
        store.load(files[key].read_bytes(), format=ox.RdfFormat.TURTLE)
    out: dict[str, Concept] = {}
    result = store.query(
        "SELECT ?c ?n ?nb ?en WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> "
        "OPTIONAL { ?c <http://www.w3.org/2004/02/skos/core#notation> ?n } "
        "OPTIONAL { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?nb "
        'FILTER(lang(?nb) = "nb") } '
        "OPTIONAL { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?en "
        'FILTER(lang(?en) = "en") } }'
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        iri = str(row["c"].value)
        n, nb, en = row["n"], row["nb"], row["en"]
        out[iri] = Concept(
            iri=iri,
            code=iri.rstrip("/").rsplit("/", 1)[-1],
            notation=n.value if n is not None else None,
            label_nb=nb.value if nb is not None else None,
            label_en=en.value if en is not None else None,
        )
    return out


def _resolve(sheet_key: str, spec: ColumnSpec, shapes: Graph) -> Column:
    shape = OGPSH[spec.shape] if spec.shape else None
    names = list(shapes.objects(shape, SH.name)) if shape is not None else []
    descs = list(shapes.objects(shape, SH.description)) if shape is not None else []
    nb = _pick(names, "nb") or (spec.name[0] if spec.name else spec.key)
    en = _pick(names, "en") or (spec.name[1] if spec.name else spec.key)
    if spec.name and shape is not None:
        nb, en = spec.name
    if spec.suffix:
        nb, en = f"{nb} {spec.suffix[0]}", f"{en} {spec.suffix[1]}"
    elif spec.lang and spec.kind == "text" and not (spec.shape or "").endswith(("-nb", "-en")):
        nb, en = (f"{nb} ({_NB[0]})", f"{en} ({_NB[1]})") if spec.lang == "nb" else (
            f"{nb} ({_EN[0]})",
            f"{en} ({_EN[1]})",
        )
    d_nb = _pick(descs, "nb") or (spec.description[0] if spec.description else "")
    d_en = _pick(descs, "en") or (spec.description[1] if spec.description else "")
    if spec.description and shape is not None:
        d_nb, d_en = spec.description
    required = spec.required
    if required is None:
        required = False
        if shape is not None:
            for p in (SH.minCount, SH.qualifiedMinCount):
                v = shapes.value(shape, p)
                if isinstance(v, Literal) and int(v) >= 1:
                    severity = shapes.value(shape, SH.severity)
                    required = severity in (None, SH.Violation)
    allowed: tuple[Concept, ...] = ()
    if shape is not None:
        lst = shapes.value(shape, SH["in"])
        if lst is not None:
            known = concepts()
            allowed = tuple(
                known.get(str(i)) or Concept(str(i), str(i).rsplit("/", 1)[-1], None, None, None)
                for i in Collection(shapes, lst)
            )
    msgs = list(shapes.objects(shape, SH.message)) if shape is not None else []
    return Column(
        spec=spec,
        header_nb=nb,
        header_en=en,
        description_nb=d_nb,
        description_en=d_en,
        required=required,
        allowed=allowed,
        message_nb=_pick(msgs, "nb") or "",
        message_en=_pick(msgs, "en") or "",
    )


@cache
def sheet(key: str) -> Sheet:
    """The sheet ``key`` with its columns resolved from the shapes."""
    name_nb, name_en, cls, specs = SPECS[key]
    shapes = shapes_graph()
    return Sheet(key, name_nb, name_en, cls, tuple(_resolve(key, s, shapes) for s in specs))


def sheets_of(kind: str) -> list[Sheet]:
    return [sheet(k) for k in KINDS[kind]]


def kind_of_sheet(key: str) -> str:
    for kind, keys in KINDS.items():
        if key in keys:
            return kind
    raise KeyError(key)


def normalise_kind(value: str) -> str | None:
    v = value.strip().lower()
    if v in KINDS:
        return v
    return KIND_ALIASES.get(v)


def shape_message(shape_local: str, lang: str, **values: str) -> str:
    """The ``sh:message`` of a shape or SPARQL constraint, with ``{?var}`` filled in."""
    shapes = shapes_graph()
    text = _pick(shapes.objects(OGPSH[shape_local], SH.message), lang) or ""
    for k, v in values.items():
        text = text.replace("{?" + k + "}", v).replace("{$" + k + "}", v)
    return text


def norm(text: str) -> str:
    """Normal form for matching headers and labels: case-folded, single spaces, no '*'."""
    t = text.replace("\u00a0", " ").strip().rstrip("*").strip()
    return re.sub(r"\s+", " ", t).casefold()


def norm_code(text: str) -> str:
    """Like :func:`norm`, also treating '-', '_' and spaces alike (``not-started``)."""
    return re.sub(r"[\s_\-]+", " ", norm(text)).strip()


def rdf_type_of(sheet_key: str) -> URIRef:
    return SPECS[sheet_key][2]


__all__ = [
    "KINDS",
    "Column",
    "ColumnSpec",
    "Concept",
    "RDF",
    "Sheet",
    "concepts",
    "kind_of_sheet",
    "labels",
    "norm",
    "norm_code",
    "normalise_kind",
    "shape_message",
    "sheet",
    "sheets_of",
]
