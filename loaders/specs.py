"""What each kind of submission holds: its sheets and, per sheet, its columns, each with the
property it fills and how its cells are read (:data:`SPECS`). Everything a person reads about a
column (header, description, whether it is required, allowed values) comes from the SHACL
shapes, resolved in ``loaders/columns.py``; a column whose property has no shape declares its
texts here. These texts are data: a file is read by its bokmål or English headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from registry.namespaces import OGP, SCHEMA

ORG_ORGANIZATION = URIRef("http://www.w3.org/ns/org#Organization")

#: The kinds of submission, their sheets in order, and aliases accepted on the command line. A
#: plan may be registered on its own (``plans``) or with its commitments (a sheet of the
#: commitments workbook).
KINDS: dict[str, tuple[str, ...]] = {
    "commitments": ("commitments", "milestones", "plans"),
    "plans": ("plans",),
    "proposals": ("proposals",),
    "comments": ("comments",),
    "assessments": ("assessments",),
    "organisations": ("organisations",),
}
#: Every sheet once, in the order of :data:`KINDS`.
SHEET_KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for ks in KINDS.values() for k in ks))
#: The order a submission's sheets are read in: a plan before the commitments that name it.
READ_ORDER: tuple[str, ...] = ("plans", "commitments", "milestones")
KIND_ALIASES: dict[str, str] = {
    "handlingsplaner": "plans",
    "planer": "plans",
    "action-plans": "plans",
    "forpliktelser": "commitments",
    "forslag": "proposals",
    "kommentarer": "comments",
    "progress": "assessments",
    "vurderinger": "assessments",
    "fremdrift": "assessments",
    "organizations": "organisations",
    "organisasjoner": "organisations",
}

#: Per sheet: columns of which a row needs at least one, in the order they are named (the
#: shapes' ``ogpsh:ProgressAssessment-dated``: an assessment date, or the IRM report a rating
#: comes from when the report's date is not known). The builder reports a row with none of
#: them at the first (``loaders/build/subjects.py``); the JSON Schema requires one of them.
ONE_OF_REQUIRED: dict[str, tuple[str, ...]] = {"assessments": ("date", "irm_report")}

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
    #: other headers the column is read by (e.g. its header in earlier templates)
    aliases: tuple[str, ...] = ()


def _t(key: str, lang: str, example: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(key, DCTERMS.title, "text", lang=lang, example=example, **kw)  # type: ignore[arg-type]


#: What the headers of a text column in one language add (bokmål header, English header).
#: Headers are part of the file format, not messages: a file is read by its bokmål or English
#: headers, so a catalog must not change them (like the sheet names and the headers, names and
#: descriptions declared in :data:`SPECS` for columns the shapes do not describe).
_NB = ("bokmål", "Norwegian Bokmål")
_NN = ("nynorsk", "Norwegian Nynorsk")
_EN = ("engelsk", "English")


def _nn_title(example: str = "", **kw: object) -> ColumnSpec:
    """The nynorsk title column (the shapes' title shapes name bokmål and English only)."""
    return ColumnSpec(
        "title_nn", DCTERMS.title, "text", lang="nn", example=example,
        name=("Tittel (nynorsk)", "Title (Norwegian Nynorsk)"),
        description=("Tittelen på nynorsk.", "The Norwegian Nynorsk title."),
        **kw,  # type: ignore[arg-type]
    )


def _nn(key: str, path: URIRef, shape: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(key, path, "text", shape, lang="nn", **kw)  # type: ignore[arg-type]

#: Sheets: key -> (bokmål name, English name, class, columns).
SPECS: dict[str, tuple[str, str, URIRef, tuple[ColumnSpec, ...]]] = {
    "commitments": (
        "Forpliktelser",
        "Commitments",
        OGP.Commitment,
        (
            ColumnSpec("id", DCTERMS.identifier, "commitment-id", "Commitment-identifier",
                       required=False, example="NO9901"),
            ColumnSpec("ogp_id", OGP.ogpIdentifier, "ogpid", "Commitment-ogpIdentifier",
                       example="NO9901"),
            ColumnSpec("plan", OGP.inActionPlan, "plan", "Commitment-inActionPlan",
                       suffix=("(ID)", "(ID)"), example="2019-2021"),
            _t("title_nb", "nb", "Åpne data om anskaffelser (eksempel)", shape="shared-title-nb"),
            _nn_title(),
            _t("title_en", "en", "Open procurement data (example)", shape="shared-title-en"),
            ColumnSpec("description_nb", DCTERMS.description, "text", "shared-description",
                       lang="nb", example="Et oppdiktet eksempel."),
            _nn("description_nn", DCTERMS.description, "shared-description"),
            ColumnSpec("description_en", DCTERMS.description, "text", "shared-description",
                       lang="en", example="An invented example."),
            ColumnSpec("problem_nb", OGP.problemAddressed, "text",
                       "Commitment-problemAddressed", lang="nb"),
            _nn("problem_nn", OGP.problemAddressed, "Commitment-problemAddressed"),
            ColumnSpec("problem_en", OGP.problemAddressed, "text",
                       "Commitment-problemAddressed", lang="en"),
            ColumnSpec("ambition_nb", OGP.ambition, "text", "Commitment-ambition", lang="nb"),
            _nn("ambition_nn", OGP.ambition, "Commitment-ambition"),
            ColumnSpec("ambition_en", OGP.ambition, "text", "Commitment-ambition", lang="en"),
            ColumnSpec("lead_agency", OGP.leadAgency, "org", "Commitment-leadAgency",
                       required=True, multiple=True, example="Nærings- og fiskeridepartementet"),
            ColumnSpec("supporting_public_bodies", OGP.supportingPublicBody, "org",
                       "Commitment-supportingPublicBody", multiple=True),
            ColumnSpec("supporting_non_governmental", OGP.supportingNonGovernmentalActor, "org",
                       "Commitment-supportingNonGovernmentalActor", multiple=True,
                       example="Transparency International Norge"),
            ColumnSpec("themes", OGP.theme, "concept", "shared-theme", multiple=True,
                       example="Offentlige anskaffelser"),
            ColumnSpec("ogp_values", OGP.ogpValue, "concept", "Commitment-ogpValue",
                       multiple=True, example="Tilgang til informasjon"),
            ColumnSpec("policy_areas", OGP.policyArea, "policyarea", "Commitment-policyArea",
                       multiple=True, example="Open Data"),
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
                       suffix=("(ID)", "(ID)"), example="NO9901",
                       aliases=("Forpliktelse (OGP-ID)", "Commitment (OGP ID)")),
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
            _nn_title(),
            _nn("deliverable_nn", OGP.deliverable, "Milestone-deliverable"),
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
            _nn_title(),
            _nn("description_nn", DCTERMS.description, "shared-description"),
            # the coordinating ministry's response (docs/co-creation.md); all empty: waiting
            ColumnSpec("response", OGP.response, "concept", "Proposal-response"),
            ColumnSpec("taken_into", OGP.takenInto, "commitment", "Proposal-takenInto",
                       multiple=True, suffix=("(ID)", "(ID)")),
            ColumnSpec("merged_with", OGP.mergedWith, "proposal", "Proposal-mergedWith",
                       multiple=True, suffix=("(forslags-ID)", "(proposal IDs)")),
            ColumnSpec("response_reason_nb", OGP.responseReason, "text",
                       "Proposal-responseReason", lang="nb"),
            _nn("response_reason_nn", OGP.responseReason, "Proposal-responseReason"),
            ColumnSpec("response_reason_en", OGP.responseReason, "text",
                       "Proposal-responseReason", lang="en"),
            ColumnSpec("responded_by", OGP.respondedBy, "org", "Proposal-respondedBy"),
            ColumnSpec("response_date", OGP.responseDate, "date", "Proposal-responseDate",
                       precisions=("day",)),
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
                    "Kommentarens identifikator, unik i registeret; den blir en del av "
                    "kommentarens adresse i registeret (i RDF: en del av URI-en).",
                    "The comment's identifier, unique in the registry; it becomes part of the "
                    "comment's address in the registry (in RDF: part of its URI).",
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
            _nn("text_nn", DCTERMS.description, "Comment-description-required", required=False),
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
                    "vurderingstype og dato (f.eks. NO0054-m2-self-assessment-2020-09-01), "
                    "uten dato av IRM-rapporten (f.eks. NO0055-irm-results-report-2019-2022).",
                    "The assessment's identifier. Empty: made from the OGP ID, milestone "
                    "number, assessment kind and date (e.g. "
                    "NO0054-m2-self-assessment-2020-09-01), without a date from the IRM "
                    "report (e.g. NO0055-irm-results-report-2019-2022).",
                ),
                required=False,
            ),
            ColumnSpec(
                "commitment",
                OGP.assesses,
                "commitment",
                "ProgressAssessment-assesses",
                name=("Forpliktelse (ID)", "Commitment (ID)"),
                example="NO9901",
                aliases=("Forpliktelse (OGP-ID)", "Commitment (OGP ID)"),
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
            # a day, or the month or year an IRM report gives (the shape allows all three);
            # required unless the row names the IRM report (ONE_OF_REQUIRED)
            ColumnSpec(
                "date", OGP.assessmentDate, "date", "ProgressAssessment-assessmentDate",
                precisions=("day", "month", "year"), required=False, example="2020-09-01",
                description=(
                    "Datoen for vurderingen; for en IRM-rapport året eller måneden når kilden "
                    "ikke gir dagen. For en IRM-vurdering fra en rapport uten kjent dato står "
                    "den tom, og «IRM-rapport» navngir rapporten.",
                    "The date of the assessment; for an IRM report the year or month where "
                    "the source gives no day. For an IRM assessment from a report whose date "
                    "is not known it is left empty, and \"IRM report\" names the report.",
                ),
            ),
            ColumnSpec(
                "irm_report", OGP.irmReport, "text", multiple=True, required=False,
                name=("IRM-rapport", "IRM report"),
                description=(
                    "IRM-rapporten vurderingen kommer fra, navngitt slik den er publisert "
                    "(f.eks. «Norway End-of-Term Report 2014-2015»); flere skilles med "
                    "semikolon. Med rapporten kan datoen stå tom når rapportens dato ikke er "
                    "kjent, og en rad uten «ID» beskriver registerets vurdering av samme "
                    "forpliktelse og type fra samme rapport.",
                    "The IRM report the assessment comes from, named as published (e.g. "
                    "\"Norway End-of-Term Report 2014-2015\"); several are separated by "
                    "semicolons. With the report the date may be left empty where the report's "
                    "date is not known, and a row without \"ID\" describes the registry's "
                    "assessment of the same commitment and kind from the same report.",
                ),
            ),
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
            _nn("description_nn", DCTERMS.description, "shared-description"),
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
            ColumnSpec("name_nn", SKOS.prefLabel, "text", "Organization-prefLabel", lang="nn",
                       suffix=("(nynorsk)", "(Norwegian Nynorsk)")),
        ),
    ),
    "plans": (
        "Handlingsplaner",
        "Action plans",
        OGP.ActionPlan,
        (
            ColumnSpec("id", DCTERMS.identifier, "id", "ActionPlan-identifier",
                       name=("ID", "ID"), example="2023-2027"),
            _t("title_nb", "nb", "Handlingsplan (eksempel)", shape="shared-title-nb"),
            _nn_title(),
            _t("title_en", "en", "Action plan (example)", shape="shared-title-en"),
            ColumnSpec("start_date", SCHEMA.startDate, "date", "ActionPlan-startDate-required",
                       example="2023"),
            ColumnSpec("end_date", SCHEMA.endDate, "date", "ActionPlan-endDate-required",
                       example="2027"),
            ColumnSpec(
                "period_statements", OGP.periodStatement, "text", multiple=True,
                name=("Andre periodeangivelser", "Other period statements"),
                description=(
                    "Perioden slik andre kilder angir den, når kildene er uenige (f.eks. "
                    "«plan cover: 'January 2016 – December 2017'»). Flere skilles med semikolon.",
                    "The period as other sources state it, where the sources differ (e.g. "
                    "\"plan cover: 'January 2016 – December 2017'\"). Several are separated by "
                    "semicolons.",
                ),
            ),
            ColumnSpec("coordinated_by", OGP.coordinatedBy, "org", "ActionPlan-coordinatedBy",
                       multiple=True, example="Digitaliserings- og forvaltningsdepartementet"),
            ColumnSpec("approval_date", OGP.approvalDate, "date", "ActionPlan-approvalDate",
                       precisions=("day",)),
            ColumnSpec(
                "documents", OGP.planDocument, "url", multiple=True,
                name=("Plandokument (URL)", "Plan document (URL)"),
                description=("Lenker til selve planen (regjeringen.no eller en kopi).",
                             "Links to the plan itself (regjeringen.no or a copy)."),
            ),
            ColumnSpec(
                "irm_reports", OGP.irmReport, "text", multiple=True,
                name=("IRM-rapporter", "IRM reports"),
                description=("IRM-rapportene om planen, navngitt slik de er publisert.",
                             "The IRM's reports on the plan, named as published."),
            ),
            ColumnSpec(
                "number_of_commitments", OGP.numberOfCommitments, "count",
                name=("Antall forpliktelser", "Number of commitments"),
                description=("Antall forpliktelser slik kildene oppgir det.",
                             "The number of commitments as the sources give it."),
            ),
            ColumnSpec(
                "other_names", DCTERMS.alternative, "text", lang="en", multiple=True,
                name=("Andre navn (engelsk)", "Other names (English)"),
                description=("Andre navn planen har, f.eks. OGPs navn «Norway Action Plan "
                             "2023-2027».",
                             "Other names of the plan, e.g. OGP's name \"Norway Action Plan "
                             "2023-2027\"."),
            ),
            ColumnSpec("status", OGP.registryStatus, "concept", "shared-registryStatus"),
            ColumnSpec("sources", DCTERMS.source, "url", "shared-source", multiple=True),
        ),
    ),
}
