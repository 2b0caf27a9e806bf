"""Tests of the SHACL shapes in ``shapes/ogp-shapes.ttl``.

Each constraint has a case with a minimal *failing* Turtle example and a *passing* twin.
The failing example must give a result from that constraint with the expected focus node,
path and severity, and messages in bokmål, nynorsk and English (the bokmål and English ones
containing the expected key words); the passing twin must give no result from that constraint
for the focus node.

All Turtle examples in this file are invented (each starts with ``# Invented example``);
they describe no real plan, commitment or meeting. The organisation numbers are real,
public numbers from the Central Coordinating Register for Legal Entities, used only to
exercise the check-digit rule.

Validation uses pyshacl directly (``inference='none'``, ``advanced=True``), as the
registry will.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, RDF, SH, SKOS
from rdflib.term import Node

from registry.namespaces import OGP, OGP_NS, OGPSH, PREFIXES, SCHEMA, THEME_NS, VOCAB_NS
from shapes import shapes_file

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "docs" / "data-model.md"
BASE = "http://localhost:8000/"
ORG = Namespace("http://www.w3.org/ns/org#")
SHAPES_ONTOLOGY = URIRef("https://w3id.org/ogp-no/shapes")

#: One prefix per value set (Turtle does not allow "/" in prefixed names).
VALUE_SET_PREFIXES = {
    "kind": "organisation-kind",
    "completion": "completion",
    "ogpvalue": "ogp-value",
    "impact": "potential-impact",
    "specificity": "specificity",
    "opened": "opened-government",
    "assessmentkind": "assessment-kind",
    "status": "status",
    "timing": "submission-timing",
    "policyarea": "policy-area",
    "response": "response",
    "dockind": "document-kind",
}

TURTLE_HEADER = (
    f"@base <{BASE}> .\n"
    + "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in PREFIXES.items())
    + "".join(
        f"@prefix {prefix}: <{VOCAB_NS}{name}/> .\n" for prefix, name in VALUE_SET_PREFIXES.items()
    )
)

INVENTED = "# Invented example"
#: the languages of every message, name and description of the shapes (sorted): bokmål,
#: nynorsk and English
LANGUAGES = ("en", "nb", "nn")


# ---------------------------------------------------------------------------------------
# Validation helper
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One validation result, with its messages by language."""

    focus: Node
    path: Node | None
    severity: Node
    source_shape: Node
    source_constraint: Node | None
    value: Node | None
    messages: dict[str, str]
    details: tuple[Node, ...] = ()  # source shapes of nested (sh:detail) results


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    graph = Graph()
    with shapes_file().open("rb") as stream:
        graph.parse(stream, format="turtle")
    return graph


def message_templates(shapes: Graph, node: Node) -> dict[str, str]:
    return {
        m.language: str(m)
        for m in shapes.objects(node, SH.message)
        if isinstance(m, Literal) and m.language
    }


def _language_of(message: Literal, templates: dict[str, str]) -> str | None:
    """pyshacl drops the language tag of SPARQL messages after filling in {?var}; find it
    by matching the message against the constraint's templates."""
    if message.language:
        return message.language
    for language, template in templates.items():
        parts = re.split(r"\{[?$]\w+\}", template)
        if re.fullmatch("(.*?)".join(re.escape(part) for part in parts), str(message), re.DOTALL):
            return language
    return None


def validate(shapes: Graph, turtle: str) -> list[Result]:
    """Validate ``turtle`` (without prefixes) against the shapes; top-level results."""
    data = Graph().parse(data=TURTLE_HEADER + turtle, format="turtle")
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    results = []
    for node in report.objects(None, SH.result):
        source_shape = report.value(node, SH.sourceShape)
        source_constraint = report.value(node, SH.sourceConstraint)
        templates = message_templates(shapes, source_constraint or source_shape)
        messages = {}
        for message in report.objects(node, SH.resultMessage):
            language = _language_of(message, templates)
            assert language is not None, f"message without language: {message!r}"
            messages[language] = str(message)
        results.append(
            Result(
                focus=report.value(node, SH.focusNode),
                path=report.value(node, SH.resultPath),
                severity=report.value(node, SH.resultSeverity),
                source_shape=source_shape,
                source_constraint=source_constraint,
                value=report.value(node, SH.value),
                messages=messages,
                details=tuple(
                    report.value(d, SH.sourceShape) for d in report.objects(node, SH.detail)
                ),
            )
        )
    return results


# ---------------------------------------------------------------------------------------
# Cases: one per constraint
# ---------------------------------------------------------------------------------------

ORG_PUBLIC = """<id/organisation/testdirektoratet> a org:Organization ;
    skos:prefLabel "Testdirektoratet"@nb ; ogp:organisationKind kind:public-body ."""
ORG_MINISTRY = """<id/organisation/testdepartementet> a org:Organization ;
    skos:prefLabel "Testdepartementet"@nb ; ogp:organisationKind kind:ministry ."""
ORG_CIVIL = """<id/organisation/testforeningen> a org:Organization ;
    skos:prefLabel "Testforeningen"@nb ; ogp:organisationKind kind:civil-society ."""


@dataclass(frozen=True)
class Case:
    """A constraint (property shape or SPARQL constraint) with a failing and a passing example."""

    id: str
    constraint: str  # local name in ogpsh:
    bad: str
    good: str
    focus: str  # relative to BASE
    path: URIRef | None
    nb: tuple[str, ...]
    en: tuple[str, ...]
    severity: URIRef = SH.Violation
    detail: str | None = None  # nested shape expected in sh:detail


def case(
    id: str,
    constraint: str,
    bad: str,
    good: str,
    focus: str,
    path: URIRef | None,
    nb: list[str],
    en: list[str],
    severity: URIRef = SH.Violation,
    detail: str | None = None,
) -> Case:
    return Case(id, constraint, bad, good, focus, path, tuple(nb), tuple(en), severity, detail)


W = SH.Warning
P = "id/plan/2019-2021"
C = "id/commitment/NO0054"
M = "id/commitment/NO0054/milestone/1"
MEET = "id/meeting/2018-06-19"

CASES: list[Case] = [
    # --- shared property shapes -----------------------------------------------------------
    case(
        "title-unique-lang",
        "shared-title",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Åpne data"@nb, "Mer åpne data"@nb .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Åpne data"@nb, "Open data"@en .',
        C,
        DCTERMS.title,
        ["tittel", "per språk"],
        ["title", "per language"],
    ),
    case(
        "title-datatype",
        "shared-title",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Åpne data" .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Åpne data"@nb .',
        C,
        DCTERMS.title,
        ["språkkode", "@nb"],
        ["language tag", "@nb"],
    ),
    case(
        "title-nb-commitment",
        "shared-title-nb",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Open data"@en .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Åpne data"@nb .',
        C,
        DCTERMS.title,
        ["bokmål", "mangler", "anbefalt", "@nb"],
        ["Bokmål", "missing", "recommended", "@nb"],
        severity=W,
    ),
    case(
        "title-nb-milestone",
        "shared-title-nb",
        f'{INVENTED}\n<{M}> a ogp:Milestone ; dct:title "Publish the data"@en .',
        f'{INVENTED}\n<{M}> a ogp:Milestone ; dct:title "Publisere dataene"@nb .',
        M,
        DCTERMS.title,
        ["bokmål", "mangler"],
        ["Bokmål", "missing"],
        severity=W,
    ),
    case(
        "title-required-commitment",
        "shared-title-required",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:description "Uten tittel"@nb .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Forenkla personvernerklæringar"@nn .',
        C,
        DCTERMS.title,
        ["Tittel mangler", "nynorsk", "«Åpne data»"],
        ["title is missing", "Nynorsk", "(in RDF: dct:title"],
    ),
    case(
        "title-en-commitment",
        "shared-title-en",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Åpne data"@nb .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:title "Åpne data"@nb, "Open data"@en .',
        C,
        DCTERMS.title,
        ["engelsk", "anbefalt", "@en"],
        ["English", "recommended", "@en"],
        severity=W,
    ),
    case(
        "title-en-milestone",
        "shared-title-en",
        f'{INVENTED}\n<{M}> a ogp:Milestone ; dct:title "Publisere dataene"@nb .',
        f'{INVENTED}\n<{M}> a ogp:Milestone ; dct:title "Publisere dataene"@nb, "Publish the data"@en .',
        M,
        DCTERMS.title,
        ["engelsk"],
        ["English"],
        severity=W,
    ),
    case(
        "description",
        "shared-description",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:description "Én"@nb, "To"@nb .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:description "Én"@nb, "One"@en .',
        C,
        DCTERMS.description,
        ["beskrivelse", "per språk"],
        ["description", "per language"],
    ),
    case(
        "start-date-precision",
        "shared-startDate",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2019-07-01" .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2019-07"^^xsd:gYearMonth .',
        C,
        SCHEMA.startDate,
        ["startdato", "xsd:gYearMonth", "xsd:gYear"],
        ["start date", "xsd:gYearMonth"],
    ),
    case(
        "end-date-precision",
        "shared-endDate",
        f'{INVENTED}\n<{M}> a ogp:Milestone ; schema:endDate "2021-06-30T12:00:00"^^xsd:dateTime .',
        f'{INVENTED}\n<{M}> a ogp:Milestone ; schema:endDate "2021-06-30"^^xsd:date .',
        M,
        SCHEMA.endDate,
        ["sluttdato", "xsd:date"],
        ["end date", "xsd:date"],
    ),
    case(
        "end-date-max-one",
        "shared-endDate",
        f'{INVENTED}\n<{M}> a ogp:Milestone ; schema:endDate "2021"^^xsd:gYear, "2022"^^xsd:gYear .',
        f'{INVENTED}\n<{M}> a ogp:Milestone ; schema:endDate "2021"^^xsd:gYear .',
        M,
        SCHEMA.endDate,
        ["høyst én"],
        ["at most one"],
    ),
    case(
        "registry-status",
        "shared-registryStatus",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:registryStatus status:finished .",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:registryStatus status:in-force .",
        P,
        OGP.registryStatus,
        ["Ukjent status", "Tillatte verdier", "in-force", "superseded"],
        ["Unknown status", "Allowed values", "in-force"],
    ),
    case(
        "source-iri",
        "shared-source",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:source "https://example.org/plan.pdf" .',
        f"{INVENTED}\n<{C}> a ogp:Commitment ; dct:source <https://example.org/plan.pdf> .",
        C,
        DCTERMS.source,
        ["lenke", "IRI"],
        ["link", "IRI"],
    ),
    case(
        "theme",
        "shared-theme",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:theme theme:climate .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:theme theme:open-data, theme:integrity-openness .",
        C,
        OGP.theme,
        ["Ukjent tema", "Tillatte verdier", "open-data", "public-sector-innovation"],
        ["Unknown theme", "Allowed values", "record-keeping"],
    ),
    case(
        "completion",
        "shared-completion",
        f"{INVENTED}\n<{M}> a ogp:Milestone ; ogp:completion completion:done .",
        f"{INVENTED}\n<{M}> a ogp:Milestone ; ogp:completion completion:substantial .",
        M,
        OGP.completion,
        ["Ukjent gjennomføringsgrad", "not-started", "complete"],
        ["Unknown level of completion", "substantial"],
    ),
    # --- ogp:ActionPlan ---------------------------------------------------------------------
    case(
        "plan-identifier",
        "ActionPlan-identifier",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan .",
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; dct:identifier "2019-2021" .',
        P,
        DCTERMS.identifier,
        ["nøyaktig én identifikator"],
        ["exactly one identifier"],
    ),
    case(
        "plan-country",
        "ActionPlan-country",
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:country "NOR" .',
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:country <http://publications.europa.eu/resource/authority/country/NOR> .",
        P,
        OGP.country,
        ["ett land", "country/NOR"],
        ["exactly one country", "country/NOR"],
    ),
    case(
        "plan-start-required",
        "ActionPlan-startDate-required",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan .",
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; schema:startDate "2019-07"^^xsd:gYearMonth .',
        P,
        SCHEMA.startDate,
        ["mangler startdato", "anbefalt"],
        ["no start date", "recommended"],
        severity=W,
    ),
    case(
        "plan-end-required",
        "ActionPlan-endDate-required",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan .",
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; schema:endDate "2021"^^xsd:gYear .',
        P,
        SCHEMA.endDate,
        ["mangler sluttdato", "anbefalt"],
        ["no end date", "recommended"],
        severity=W,
    ),
    case(
        "plan-approval-date",
        "ActionPlan-approvalDate",
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:approvalDate "2019-06"^^xsd:gYearMonth .',
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:approvalDate "2019-06-28"^^xsd:date .',
        P,
        OGP.approvalDate,
        ["vedtaksdato", "xsd:date"],
        ["approval date", "xsd:date"],
    ),
    case(
        "plan-approved-by",
        "ActionPlan-approvedBy",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:approvedBy <id/organisation/ukjent> .",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:approvedBy <id/organisation/testdepartementet> .\n{ORG_MINISTRY}",
        P,
        OGP.approvedBy,
        ["Vedtatt av", "org:Organization"],
        ["Approved by", "org:Organization"],
    ),
    case(
        "plan-coordinated-by",
        "ActionPlan-coordinatedBy",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:coordinatedBy <id/organisation/testdepartementet> .",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:coordinatedBy <id/organisation/testdepartementet>,"
        f" <id/organisation/testdirektoratet> .\n{ORG_MINISTRY}\n{ORG_PUBLIC}",
        P,
        OGP.coordinatedBy,
        ["Koordinert av", "registrert organisasjon"],
        ["Coordinated by", "registered organisation"],
    ),
    case(
        "plan-has-commitment",
        "ActionPlan-hasCommitment",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:hasCommitment <{C}> .",
        f"{INVENTED}\n<{P}> a ogp:ActionPlan ; ogp:hasCommitment <{C}> .\n<{C}> a ogp:Commitment .",
        P,
        OGP.hasCommitment,
        ["forpliktelse", "ogp:Commitment"],
        ["commitment", "ogp:Commitment"],
    ),
    # --- ogp:Commitment ---------------------------------------------------------------------
    case(
        "commitment-identifier-pattern",
        "Commitment-identifier",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:identifier "2023-2027 nr. 3" .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:identifier "2023-2027-03" .',
        C,
        DCTERMS.identifier,
        ["identifikator", "2023-2027-03", "bindestrek"],
        ["registry identifier", "2023-2027-03", "hyphens"],
    ),
    case(
        "commitment-identifier-missing",
        "Commitment-identifier",
        f"{INVENTED}\n<{C}> a ogp:Commitment .",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; dct:identifier "NO0054" .',
        C,
        DCTERMS.identifier,
        ["nøyaktig én identifikator"],
        ["exactly one registry identifier"],
    ),
    case(
        "commitment-ogp-identifier-pattern",
        "Commitment-ogpIdentifier",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:ogpIdentifier "SE0054" .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:ogpIdentifier "NO0054" .',
        C,
        OGP.ogpIdentifier,
        ["OGP-ID", "NO0054", "^NO[0-9]{4}$"],
        ["OGP ID", "NO0054", "four digits"],
    ),
    case(
        "commitment-problem",
        "Commitment-problemAddressed",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:problemAddressed "Data er vanskelig å finne." .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:problemAddressed "Data er vanskelig å finne."@nb .',
        C,
        OGP.problemAddressed,
        ["problembeskrivelse", "språkkode"],
        ["problem statement", "language tag"],
    ),
    case(
        "commitment-ambition",
        "Commitment-ambition",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:ambition "Mehr offene Daten"@de .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:ambition "Mer åpne data"@nb, "More open data"@en .',
        C,
        OGP.ambition,
        ["ambisjon", "@nb"],
        ["ambition", "@en"],
    ),
    case(
        "commitment-in-plan",
        "Commitment-inActionPlan",
        f"{INVENTED}\n<{C}> a ogp:Commitment .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:inActionPlan <{P}> .\n<{P}> a ogp:ActionPlan .",
        C,
        OGP.inActionPlan,
        ["handlingsplan", "ogp:inActionPlan"],
        ["action plan", "ogp:inActionPlan"],
    ),
    case(
        "commitment-lead-agency",
        "Commitment-leadAgency",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:leadAgency <id/organisation/ukjent> .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:leadAgency <id/organisation/testdirektoratet>,"
        f" <id/organisation/testdepartementet> .\n{ORG_PUBLIC}\n{ORG_MINISTRY}",
        C,
        OGP.leadAgency,
        ["ansvarlig virksomhet", "registrert organisasjon"],
        ["lead agency", "registered organisation"],
    ),
    case(
        "commitment-lead-agency-public-body",
        "Commitment-leadAgency-publicBody",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:leadAgency <id/organisation/testforeningen> .\n{ORG_CIVIL}",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:leadAgency <id/organisation/testdepartementet> .\n{ORG_MINISTRY}",
        C,
        OGP.leadAgency,
        ["departement", "offentlig virksomhet", "organisation-kind/public-body"],
        ["ministry", "public body", "organisation-kind/ministry"],
        detail="PublicBody-organisationKind",
    ),
    case(
        "commitment-lead-agency-kind-missing",
        "Commitment-leadAgency-publicBody",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:leadAgency <id/organisation/ukjent> .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:leadAgency <id/organisation/testdirektoratet> .\n{ORG_PUBLIC}",
        C,
        OGP.leadAgency,
        ["offentlig virksomhet"],
        ["public body"],
        detail="PublicBody-organisationKind",
    ),
    case(
        "commitment-supporting-public-body",
        "Commitment-supportingPublicBody",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingPublicBody <id/organisation/ukjent> .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingPublicBody <id/organisation/testdirektoratet> .\n{ORG_PUBLIC}",
        C,
        OGP.supportingPublicBody,
        ["registrert organisasjon"],
        ["registered organisation"],
    ),
    case(
        "commitment-supporting-public-body-kind",
        "Commitment-supportingPublicBody-kind",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingPublicBody <id/organisation/testforeningen> .\n{ORG_CIVIL}",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingPublicBody <id/organisation/testdirektoratet> .\n{ORG_PUBLIC}",
        C,
        OGP.supportingPublicBody,
        ["ikke registrert som departement", "ogp:supportingNonGovernmentalActor"],
        ["not registered as a ministry", "ogp:supportingNonGovernmentalActor"],
        severity=W,
        detail="PublicBody-organisationKind",
    ),
    case(
        "commitment-supporting-ngo",
        "Commitment-supportingNonGovernmentalActor",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingNonGovernmentalActor <id/organisation/ukjent> .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingNonGovernmentalActor <id/organisation/testforeningen> ."
        f"\n{ORG_CIVIL}",
        C,
        OGP.supportingNonGovernmentalActor,
        ["registrert organisasjon"],
        ["registered organisation"],
    ),
    case(
        "commitment-supporting-ngo-kind",
        "Commitment-supportingNonGovernmentalActor-kind",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingNonGovernmentalActor <id/organisation/testdepartementet> ."
        f"\n{ORG_MINISTRY}",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:supportingNonGovernmentalActor <id/organisation/testforeningen> ."
        f"\n{ORG_CIVIL}",
        C,
        OGP.supportingNonGovernmentalActor,
        ["ikke-statlig aktør", "ogp:supportingPublicBody"],
        ["non-governmental actor", "ogp:supportingPublicBody"],
        severity=W,
        detail="NonGovernmentalActor-organisationKind",
    ),
    case(
        "commitment-ogp-value",
        "Commitment-ogpValue",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:ogpValue ogpvalue:transparency .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:ogpValue ogpvalue:civic-participation .",
        C,
        OGP.ogpValue,
        ["Ukjent OGP-verdi", "Tillatte verdier", "access-to-information"],
        ["Unknown OGP value", "technology-and-innovation"],
    ),
    case(
        "commitment-policy-area",
        "Commitment-policyArea",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:policyArea theme:open-data .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:policyArea policyarea:open-data .",
        C,
        OGP.policyArea,
        ["Ukjent politikkområde", "vocab:policy-area", "ogp:policyAreaLabel"],
        ["Unknown policy area", "vocab:policy-area", "ogp:policyAreaLabel"],
    ),
    case(
        "commitment-derived-from-proposal",
        "Commitment-derivedFromProposal",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:derivedFromProposal <id/proposal/17> .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:derivedFromProposal <id/proposal/17> .\n<id/proposal/17> a ogp:Proposal .",
        C,
        OGP.derivedFromProposal,
        ["forslag", "ogp:Proposal"],
        ["proposal", "ogp:Proposal"],
    ),
    case(
        "commitment-has-milestone",
        "Commitment-hasMilestone",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:hasMilestone <{M}> .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:hasMilestone <{M}> .\n<{M}> a ogp:Milestone .",
        C,
        OGP.hasMilestone,
        ["milepæl", "ogp:Milestone"],
        ["milestone", "ogp:Milestone"],
    ),
    case(
        "commitment-editorial-note",
        "Commitment-editorialNote",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:editorialNote "Tittelen er forkortet." .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:editorialNote "Tittelen er forkortet."@nb .',
        C,
        OGP.editorialNote,
        ["merknad", "språkkode"],
        ["editorial note", "language tag"],
    ),
    # --- ogp:Milestone ----------------------------------------------------------------------
    case(
        "milestone-of-commitment",
        "Milestone-ofCommitment",
        f"{INVENTED}\n<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> .",
        f"{INVENTED}\n<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> .\n<{C}> a ogp:Commitment .",
        M,
        OGP.ofCommitment,
        ["nøyaktig én forpliktelse"],
        ["exactly one commitment"],
    ),
    case(
        "milestone-position",
        "Milestone-position",
        f"{INVENTED}\n<{M}> a ogp:Milestone ; schema:position 0 .",
        f"{INVENTED}\n<{M}> a ogp:Milestone ; schema:position 1 .",
        M,
        SCHEMA.position,
        ["nummer", "1 eller større"],
        ["position", "1 or more"],
    ),
    case(
        "milestone-deliverable",
        "Milestone-deliverable",
        f'{INVENTED}\n<{M}> a ogp:Milestone ; ogp:deliverable "Ny nettside" .',
        f'{INVENTED}\n<{M}> a ogp:Milestone ; ogp:deliverable "Ny nettside"@nb, "Ny API"@nb .',
        M,
        OGP.deliverable,
        ["Leveransen", "språkkode"],
        ["deliverable", "language tag"],
    ),
    # --- org:Organization -------------------------------------------------------------------
    case(
        "organisation-pref-label",
        "Organization-prefLabel",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; skos:prefLabel "Testetaten"@nb, "TE"@nb .',
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; skos:prefLabel "Testetaten"@nb ;'
        f' skos:altLabel "TE"@nb .',
        "id/organisation/testetaten",
        SKOS.prefLabel,
        ["navn", "skos:altLabel"],
        ["name", "skos:altLabel"],
    ),
    case(
        "organisation-pref-label-nb",
        "Organization-prefLabel-nb",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; skos:prefLabel "Test Agency"@en .',
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; skos:prefLabel "Testetaten"@nb,'
        f' "Test Agency"@en .',
        "id/organisation/testetaten",
        SKOS.prefLabel,
        ["navn på bokmål", "@nb"],
        ["Bokmål name", "@nb"],
    ),
    case(
        "organisation-alt-label",
        "Organization-altLabel",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; skos:altLabel "TE" .',
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; skos:altLabel "TE"@nb .',
        "id/organisation/testetaten",
        SKOS.altLabel,
        ["språkkode"],
        ["language tag"],
    ),
    case(
        "organisation-kind",
        "Organization-organisationKind",
        f"{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationKind kind:agency .",
        f"{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationKind kind:public-body .",
        "id/organisation/testetaten",
        OGP.organisationKind,
        ["organisasjonstype", "Tillatte verdier", "ministry", "trade-union"],
        ["organisation kind", "civil-society"],
    ),
    case(
        "organisation-kind-missing",
        "Organization-organisationKind",
        f"{INVENTED}\n<id/organisation/testetaten> a org:Organization .",
        f"{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationKind kind:media .",
        "id/organisation/testetaten",
        OGP.organisationKind,
        ["manglende organisasjonstype"],
        ["missing organisation kind"],
    ),
    case(
        "organisation-kind-ministry-class",
        "Organization-organisationKind",
        f"{INVENTED}\n<id/organisation/testdepartementet> a ogp:Ministry .",
        f"{INVENTED}\n<id/organisation/testdepartementet> a ogp:Ministry ; ogp:organisationKind kind:ministry .",
        "id/organisation/testdepartementet",
        OGP.organisationKind,
        ["organisasjonstype"],
        ["organisation kind"],
    ),
    case(
        "organisation-number-pattern",
        "Organization-organisationNumber",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972 417 858" .',
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972417858" .',
        "id/organisation/testetaten",
        OGP.organisationNumber,
        ["ni sifre", "uten mellomrom"],
        ["nine digits", "without spaces"],
    ),
    case(
        "organisation-register-record-form",
        "Organization-registerRecord",
        f"{INVENTED}\n<id/organisation/testetaten> a org:Organization ;"
        f' ogp:registerRecord "https://data.brreg.no/enhetsregisteret/api/enheter/972417858" .',
        f"{INVENTED}\n<id/organisation/testetaten> a org:Organization ;"
        f" ogp:registerRecord <https://data.brreg.no/enhetsregisteret/api/enheter/972417858> .",
        "id/organisation/testetaten",
        OGP.registerRecord,
        ["Enhetsregisteret", "IRI"],
        ["register record", "IRI"],
    ),
    case(
        "organisation-number-check-digit",
        "OrganisationNumberCheckDigit",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972417859" .',
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972417858" .',
        "id/organisation/testetaten",
        OGP.organisationNumber,
        ["972417859", "feil kontrollsiffer", "modulus 11", "3,2,7,6,5,4,3,2", "Enhetsregisteret"],
        ["972417859", "wrong check digit", "modulus 11", "3,2,7,6,5,4,3,2"],
    ),
    case(
        "organisation-number-remainder-one",
        "OrganisationNumberCheckDigit",
        # 4 * 3 = 12, remainder 1: no valid check digit exists
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "400000001" .',
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "912660680" .',
        "id/organisation/testetaten",
        OGP.organisationNumber,
        ["400000001", "kontrollsiffer"],
        ["check digit"],
    ),
    case(
        "organisation-register-record-mismatch",
        "RegisterRecordMatchesNumber",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972417858" ;'
        f" ogp:registerRecord <https://data.brreg.no/enhetsregisteret/api/enheter/972417866> .",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972417858" ;'
        f" ogp:registerRecord <https://data.brreg.no/enhetsregisteret/api/enheter/972417858> .",
        "id/organisation/testetaten",
        OGP.registerRecord,
        ["972417866", "svarer ikke til organisasjonsnummeret"],
        ["972417866", "does not match the organisation number"],
    ),
    case(
        "organisation-register-record-without-number",
        "RegisterRecordMatchesNumber",
        f"{INVENTED}\n<id/organisation/testetaten> a org:Organization ;"
        f" ogp:registerRecord <https://data.brreg.no/enhetsregisteret/api/enheter/972417858> .",
        f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972417858" ;'
        f" ogp:registerRecord <https://data.brreg.no/enhetsregisteret/api/enheter/972417858> .",
        "id/organisation/testetaten",
        OGP.registerRecord,
        ["fyll ut «Organisasjonsnummer»", "(i RDF: ogp:organisationNumber)"],
        ["fill in \"Organisation number\"", "(in RDF: ogp:organisationNumber)"],
    ),
    case(  # one organisation passing for another (tests/test_org_impersonation.py)
        "organisation-number-unique",
        "OrganisationNumberUnique",
        f'{INVENTED}\n{ORG_MINISTRY}\n<id/organisation/testdepartementet> ogp:organisationNumber "972417858" .'
        f'\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "972417858" .',
        f'{INVENTED}\n{ORG_MINISTRY}\n<id/organisation/testdepartementet> ogp:organisationNumber "972417858" .'
        f'\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "912660680" .',
        "id/organisation/testetaten",
        OGP.organisationNumber,
        ["972417858", "allerede nummeret til Testdepartementet", "én organisasjon"],
        ["972417858", "already the number of Testdepartementet", "one organisation"],
    ),
    case(
        "organisation-name-unique",
        "OrganisationNameUnique",
        f"{INVENTED}\n{ORG_MINISTRY}\n<id/organisation/testetaten> a org:Organization ;"
        f' skos:prefLabel "Testetaten"@nb ; skos:altLabel "TESTDEPARTEMENTET"@en .',
        f"{INVENTED}\n{ORG_MINISTRY}\n<id/organisation/testetaten> a org:Organization ;"
        f' skos:prefLabel "Testetaten"@nb ; skos:altLabel "TE"@nb .',
        "id/organisation/testetaten",
        SKOS.altLabel,
        ["«TESTDEPARTEMENTET»", "navn på Testdepartementet", "registrert først"],
        ['"TESTDEPARTEMENTET"', "name of Testdepartementet", "registered first"],
        W,
    ),
    # --- meetings ---------------------------------------------------------------------------
    case(
        "meeting-start",
        "Meeting-startDate",
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; schema:startDate "2018-06-19"^^xsd:date .',
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; schema:startDate "2018-06-19T10:00:00"^^xsd:dateTime .',
        MEET,
        SCHEMA.startDate,
        ["starttidspunkt", "xsd:dateTime"],
        ["start time", "xsd:dateTime"],
    ),
    case(
        "meeting-start-missing",
        "Meeting-startDate",
        f"{INVENTED}\n<{MEET}> a ogp:EvaluationMeeting .",
        f'{INVENTED}\n<{MEET}> a ogp:EvaluationMeeting ; schema:startDate "2018-06-19T10:00:00"^^xsd:dateTime .',
        MEET,
        SCHEMA.startDate,
        ["nøyaktig ett starttidspunkt"],
        ["exactly one start time"],
    ),
    case(
        "meeting-end",
        "Meeting-endDate",
        f'{INVENTED}\n<{MEET}> a ogp:FollowUpMeeting ; schema:endDate "2018"^^xsd:gYear .',
        f'{INVENTED}\n<{MEET}> a ogp:FollowUpMeeting ; schema:endDate "2018-06-19T12:00:00"^^xsd:dateTime .',
        MEET,
        SCHEMA.endDate,
        ["sluttidspunkt", "xsd:dateTime"],
        ["end time", "xsd:dateTime"],
    ),
    case(
        "meeting-location",
        "Meeting-location",
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; schema:location "Oslo" .',
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; schema:location <id/place/testhuset> .\n"
        f'<id/place/testhuset> a schema:Place ; schema:address "Testveien 1, 0001 Oslo" .',
        MEET,
        SCHEMA.location,
        ["schema:Place"],
        ["schema:Place"],
    ),
    case(
        "meeting-room",
        "Meeting-room",
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:room "Møterom 1"@nb .',
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:room "Møterom 1" .',
        MEET,
        OGP.room,
        ["Rommet", "uten språkkode"],
        ["room", "without language tag"],
    ),
    case(
        "meeting-registration-deadline",
        "Meeting-registrationDeadline",
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:registrationDeadline "2018-06-12T12:00:00"^^xsd:dateTime .',
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:registrationDeadline "2018-06-12"^^xsd:date .',
        MEET,
        OGP.registrationDeadline,
        ["Påmeldingsfristen", "xsd:date"],
        ["registration deadline", "xsd:date"],
    ),
    case(
        "meeting-proposal-deadline",
        "Meeting-proposalDeadline",
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:proposalDeadline "2018-06-12"^^xsd:date, "2018-06-13"^^xsd:date .',
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:proposalDeadline "2018-06-12"^^xsd:date .',
        MEET,
        OGP.proposalDeadline,
        ["Fristen for forslag", "høyst én"],
        ["proposal deadline", "at most one"],
    ),
    case(
        "meeting-invited-by",
        "Meeting-invitedBy",
        f"{INVENTED}\n<{MEET}> a ogp:FollowUpMeeting ; ogp:invitedBy <id/organisation/ukjent> .",
        f"{INVENTED}\n<{MEET}> a ogp:FollowUpMeeting ; ogp:invitedBy <id/organisation/testdirektoratet> .\n{ORG_PUBLIC}",
        MEET,
        OGP.invitedBy,
        ["Invitert av", "org:Organization"],
        ["Invited by", "org:Organization"],
    ),
    case(
        "meeting-invited",
        "Meeting-invited",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:invited <id/organisation/ukjent> .",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:invited <id/organisation/testforeningen> .\n{ORG_CIVIL}",
        MEET,
        OGP.invited,
        ["invitert", "org:Organization"],
        ["invitee", "org:Organization"],
    ),
    case(
        "meeting-attendee",
        "Meeting-attendee",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:attendee <id/organisation/ukjent> .",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:attendee <id/organisation/testforeningen> .\n{ORG_CIVIL}",
        MEET,
        OGP.attendee,
        ["deltaker", "org:Organization"],
        ["attendee", "org:Organization"],
    ),
    case(
        "meeting-agenda",
        "Meeting-agenda",
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:agenda "1. Velkommen" .',
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:agenda "1. Velkommen"@nb, <https://example.org/agenda.pdf> .',
        MEET,
        OGP.agenda,
        ["Dagsorden", "språkkode", "IRI"],
        ["agenda", "language tag", "IRI"],
    ),
    case(
        "meeting-for-action-plan",
        "Meeting-forActionPlan",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:forActionPlan <{P}> .",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:forActionPlan <{P}> .\n<{P}> a ogp:ActionPlan .",
        MEET,
        OGP.forActionPlan,
        ["handlingsplan", "ogp:ActionPlan"],
        ["action plan", "ogp:ActionPlan"],
    ),
    case(
        "meeting-discussed",
        "Meeting-discussed",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:discussed <id/proposal/17> .",
        f"{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:discussed <id/proposal/17> .\n<id/proposal/17> a ogp:Proposal .",
        MEET,
        OGP.discussed,
        ["forslag", "ogp:Proposal"],
        ["proposal", "ogp:Proposal"],
    ),
    case(
        "meeting-decision",
        "Meeting-decision",
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:decision "Forslaget tas med." .',
        f'{INVENTED}\n<{MEET}> a ogp:Meeting ; ogp:decision "Forslaget tas med."@nb .',
        MEET,
        OGP.decision,
        ["Beslutningen", "språkkode"],
        ["decision", "language tag"],
    ),
    case(
        "meeting-title-nb",
        "shared-title-nb",
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; dct:title "Consultation"@en .',
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; dct:title "Innspillsmøte"@nb .',
        MEET,
        DCTERMS.title,
        ["bokmål"],
        ["Bokmål"],
        severity=W,
    ),
    case(
        "consultation-invited-by",
        "ConsultationMeeting-invitedBy",
        f"{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting .",
        f"{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; ogp:invitedBy <id/organisation/testdirektoratet> .\n{ORG_PUBLIC}",
        MEET,
        OGP.invitedBy,
        ["mangler innbyder", "ogp:invitedBy"],
        ["no inviting organisation", "ogp:invitedBy"],
    ),
    case(
        "place-address",
        "Place-address",
        f"{INVENTED}\n<id/place/testhuset> a schema:Place .",
        f'{INVENTED}\n<id/place/testhuset> a schema:Place ; schema:address "Testveien 1, 0001 Oslo" .',
        "id/place/testhuset",
        SCHEMA.address,
        ["mangler adresse"],
        ["no address"],
    ),
    # --- ogp:Proposal -----------------------------------------------------------------------
    case(
        "proposal-identifier",
        "Proposal-identifier",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal .",
        f'{INVENTED}\n<id/proposal/17> a ogp:Proposal ; dct:identifier "17" .',
        "id/proposal/17",
        DCTERMS.identifier,
        ["identifikator"],
        ["identifier"],
    ),
    case(
        "proposal-proposed-by",
        "Proposal-proposedBy",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:proposedBy <id/organisation/testforeningen> .\n{ORG_CIVIL}",
        "id/proposal/17",
        OGP.proposedBy,
        ["forslagsstiller"],
        ["proposer"],
    ),
    case(
        "proposal-theme-required",
        "Proposal-theme-required",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:theme theme:archiving .",
        "id/proposal/17",
        OGP.theme,
        ["mangler tema"],
        ["no theme"],
    ),
    case(
        "proposal-theme-value",
        "shared-theme",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:theme policyarea:open-data .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:theme theme:open-data .",
        "id/proposal/17",
        OGP.theme,
        ["Ukjent tema"],
        ["Unknown theme"],
    ),
    case(
        "proposal-submitted-at",
        "Proposal-submittedAt",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:submittedAt <{P}> .\n<{P}> a ogp:ActionPlan .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:submittedAt <{MEET}> .\n<{MEET}> a ogp:ConsultationMeeting .",
        "id/proposal/17",
        OGP.submittedAt,
        ["møte", "ogp:Meeting"],
        ["meeting", "ogp:Meeting"],
    ),
    case(
        "proposal-submission-timing",
        "Proposal-submissionTiming",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:submissionTiming timing:after-meeting .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:submissionTiming timing:before-meeting .",
        "id/proposal/17",
        OGP.submissionTiming,
        ["Ukjent innsendingstidspunkt", "before-meeting", "at-meeting"],
        ["Unknown submission timing", "at-meeting"],
    ),
    # --- ogp:Comment ------------------------------------------------------------------------
    case(
        "comment-on",
        "Comment-commentOn",
        f"{INVENTED}\n<id/comment/3> a ogp:Comment ; ogp:commentOn <{M}> .\n<{M}> a ogp:Milestone .",
        f"{INVENTED}\n<id/comment/3> a ogp:Comment ; ogp:commentOn <id/proposal/17> .\n<id/proposal/17> a ogp:Proposal .",
        "id/comment/3",
        OGP.commentOn,
        ["forslag", "forpliktelse", "ogp:commentOn"],
        ["proposal", "commitment"],
    ),
    case(
        "comment-by",
        "Comment-commentBy",
        f"{INVENTED}\n<id/comment/3> a ogp:Comment .",
        f"{INVENTED}\n<id/comment/3> a ogp:Comment ; ogp:commentBy <id/organisation/testforeningen> .\n{ORG_CIVIL}",
        "id/comment/3",
        OGP.commentBy,
        ["avsender", "ogp:commentBy"],
        ["author", "ogp:commentBy"],
    ),
    case(
        "comment-description-required",
        "Comment-description-required",
        f"{INVENTED}\n<id/comment/3> a ogp:Comment .",
        f'{INVENTED}\n<id/comment/3> a ogp:Comment ; dct:description "Vi støtter forslaget."@nb .',
        "id/comment/3",
        DCTERMS.description,
        ["mangler tekst"],
        ["no text"],
    ),
    case(
        "comment-date",
        "Comment-date",
        f'{INVENTED}\n<id/comment/3> a ogp:Comment ; dct:date "2019"^^xsd:gYear .',
        f'{INVENTED}\n<id/comment/3> a ogp:Comment ; dct:date "2019-03-01"^^xsd:date .',
        "id/comment/3",
        DCTERMS.date,
        ["dct:date", "xsd:date"],
        ["dct:date", "xsd:date"],
    ),
    case(
        "comment-response-to",
        "Comment-isResponseTo",
        f"{INVENTED}\n<id/comment/4> a ogp:Comment ; ogp:isResponseTo <id/proposal/17> .\n<id/proposal/17> a ogp:Proposal .",
        f"{INVENTED}\n<id/comment/4> a ogp:Comment ; ogp:isResponseTo <id/comment/3> .\n<id/comment/3> a ogp:Comment .",
        "id/comment/4",
        OGP.isResponseTo,
        ["kommentar", "ogp:Comment"],
        ["comment", "ogp:Comment"],
    ),
    # --- ogp:ProgressAssessment -------------------------------------------------------------
    case(
        "assessment-assesses",
        "ProgressAssessment-assesses",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:assesses <{P}> .\n<{P}> a ogp:ActionPlan .",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:assesses <{M}> .\n<{M}> a ogp:Milestone .",
        "id/assessment/1",
        OGP.assesses,
        ["forpliktelse", "milepæl", "ogp:assesses"],
        ["commitment", "milestone"],
    ),
    case(
        "assessment-kind",
        "ProgressAssessment-assessmentKind",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:assessmentKind assessmentkind:external .",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:assessmentKind assessmentkind:irm .",
        "id/assessment/1",
        OGP.assessmentKind,
        ["vurderingstype", "self-assessment", "irm", "civil-society"],
        ["assessment kind", "self-assessment"],
    ),
    case(
        "assessment-assessed-by",
        "ProgressAssessment-assessedBy",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment .",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:assessedBy <id/organisation/testforeningen> ."
        f"\n{ORG_CIVIL}",
        "id/assessment/1",
        OGP.assessedBy,
        ["vurderer", "ogp:assessedBy"],
        ["assessor", "ogp:assessedBy"],
    ),
    case(
        "assessment-date",
        "ProgressAssessment-assessmentDate",
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:assessmentDate "1. september 2020" .',
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:assessmentDate "2020-09-01"^^xsd:date .',
        "id/assessment/1",
        OGP.assessmentDate,
        ["vurderingsdato", "xsd:date"],
        ["assessment date", "xsd:date"],
    ),
    case(
        "assessment-dated",
        "ProgressAssessment-dated",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment .",
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:irmReport "Norway Design Report 2019-2021" .',
        "id/assessment/1",
        None,
        ["vurderingsdato", "ogp:irmReport"],
        ["assessment date", "ogp:irmReport"],
    ),
    case(
        "assessment-rating-statement",
        "ProgressAssessment-ratingStatement",
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:ratingStatement "Verifiable: Yes"@en .',
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:ratingStatement "Verifiable: Yes" .',
        "id/assessment/1",
        OGP.ratingStatement,
        ["ogp:ratingStatement", "tekst"],
        ["ogp:ratingStatement", "text"],
    ),
    case(
        "commitment-milestones-complete",
        "Commitment-milestonesComplete",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; ogp:milestonesComplete "yes" .',
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:milestonesComplete true .",
        C,
        OGP.milestonesComplete,
        ["ogp:milestonesComplete", "xsd:boolean"],
        ["ogp:milestonesComplete", "xsd:boolean"],
    ),
    case(
        "assessment-completion",
        "shared-completion",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:completion completion:limited, completion:complete .",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:completion completion:limited .",
        "id/assessment/1",
        OGP.completion,
        ["høyst én"],
        ["at most one"],
    ),
    case(
        "assessment-potential-impact",
        "ProgressAssessment-potentialImpact",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:potentialImpact impact:major .",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:potentialImpact impact:transformative .",
        "id/assessment/1",
        OGP.potentialImpact,
        ["Ukjent potensiell effekt", "moderate"],
        ["Unknown potential impact", "minor"],
    ),
    case(
        "assessment-specificity",
        "ProgressAssessment-specificity",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:specificity specificity:very-high .",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:specificity specificity:high .",
        "id/assessment/1",
        OGP.specificity,
        ["Ukjent spesifisitet", "medium"],
        ["Unknown specificity", "low"],
    ),
    case(
        "assessment-opened-government",
        "ProgressAssessment-openedGovernment",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:openedGovernment opened:minor .",
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:openedGovernment opened:did-not-change .",
        "id/assessment/1",
        OGP.openedGovernment,
        ["Åpnet forvaltningen?", "outstanding"],
        ["Did it open government?", "marginal"],
    ),
    case(
        "assessment-starred",
        "ProgressAssessment-starred",
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:starred "ja" .',
        f"{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; ogp:starred true .",
        "id/assessment/1",
        OGP.starred,
        ["xsd:boolean", "true eller false"],
        ["xsd:boolean", "true or false"],
    ),
    case(
        "assessment-description",
        "shared-description",
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; dct:description "Godt i gang" .',
        f'{INVENTED}\n<id/assessment/1> a ogp:ProgressAssessment ; dct:description "Godt i gang"@nb .',
        "id/assessment/1",
        DCTERMS.description,
        ["språkkode"],
        ["language tag"],
    ),
    # --- ogp:Source -------------------------------------------------------------------------
    case(
        "source-id",
        "Source-sourceId",
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:sourceId "a", "b" .',
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:sourceId "a" .',
        "graph/source/a",
        OGP.sourceId,
        ["Kilde-ID", "høyst én"],
        ["source ID", "at most one"],
    ),
    case(
        "source-file-name",
        "Source-fileName",
        f"{INVENTED}\n<graph/source/a> a ogp:Source .",
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:fileName "plan.xlsx" .',
        "graph/source/a",
        OGP.fileName,
        ["filnavn", "ogp:fileName"],
        ["file name", "ogp:fileName"],
    ),
    case(
        "source-sha256",
        "Source-sha256",
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:sha256 "{"AB" * 32}" .',
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:sha256 "{"ab" * 32}" .',
        "graph/source/a",
        OGP.sha256,
        ["SHA-256", "64 heksadesimale", "små bokstaver"],
        ["SHA-256", "64 lower-case"],
    ),
    case(
        "source-generated-at",
        "Source-generatedAtTime",
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; prov:generatedAtTime "2024-05-01"^^xsd:date .',
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; prov:generatedAtTime "2024-05-01T12:00:00Z"^^xsd:dateTime .',
        "graph/source/a",
        PROV.generatedAtTime,
        ["innlastingstidspunkt", "xsd:dateTime"],
        ["load time", "xsd:dateTime"],
    ),
    case(
        "source-loaded-by",
        "Source-loadedBy",
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:loadedBy "redaktør"@nb .',
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:loadedBy "redaktor" .',
        "graph/source/a",
        OGP.loadedBy,
        ["brukernavn"],
        ["user name"],
    ),
    case(
        "source-submitted-by",
        "Source-submittedBy",
        f"{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:submittedBy <id/organisation/ukjent> .",
        f"{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:submittedBy <id/organisation/testforeningen> .\n{ORG_CIVIL}",
        "graph/source/a",
        OGP.submittedBy,
        ["Sendt inn av", "org:Organization"],
        ["Submitted by", "org:Organization"],
    ),
    case(
        "source-tool-version",
        "Source-toolVersion",
        f"{INVENTED}\n<graph/source/a> a ogp:Source .",
        f'{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:toolVersion "0.1.0" .',
        "graph/source/a",
        OGP.toolVersion,
        ["verktøyversjon"],
        ["tool version"],
    ),
    case(
        "source-triple-count",
        "Source-tripleCount",
        f"{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:tripleCount -1 .",
        f"{INVENTED}\n<graph/source/a> a ogp:Source ; ogp:tripleCount 0 .",
        "graph/source/a",
        OGP.tripleCount,
        ["Antall tripler", "0 eller større"],
        ["triple count", "0 or more"],
    ),
    # --- skos:Concept -----------------------------------------------------------------------
    case(
        "concept-pref-label",
        "Concept-prefLabel",
        f'{INVENTED}\n<https://example.org/c> a skos:Concept ; skos:prefLabel "a"@nb, "b"@nb .',
        f'{INVENTED}\n<https://example.org/c> a skos:Concept ; skos:prefLabel "a"@nb, "a"@en .',
        "https://example.org/c",
        SKOS.prefLabel,
        ["foretrukket term", "per språk"],
        ["preferred label", "per language"],
    ),
    case(
        "concept-in-scheme",
        "Concept-inScheme",
        f"{INVENTED}\n<https://example.org/c> a skos:Concept .",
        f"{INVENTED}\n<https://example.org/c> a skos:Concept ; skos:inScheme <https://example.org/s> .",
        "https://example.org/c",
        SKOS.inScheme,
        ["begrepssystem", "skos:inScheme"],
        ["concept scheme", "skos:inScheme"],
    ),
    # --- date logic (SPARQL) ----------------------------------------------------------------
    case(
        "end-before-start-plan",
        "EndNotBeforeStart",
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; schema:startDate "2019-07"^^xsd:gYearMonth ;'
        f' schema:endDate "2018"^^xsd:gYear .',
        # same year: the end may be later in 2019 than the start, so not definitely wrong
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; schema:startDate "2019-07"^^xsd:gYearMonth ;'
        f' schema:endDate "2019"^^xsd:gYear .',
        P,
        SCHEMA.endDate,
        ["Sluttdatoen 2018", "før startdatoen 2019-07"],
        ["end date 2018", "before the start date 2019-07"],
    ),
    case(
        "end-before-start-commitment",
        "EndNotBeforeStart",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2019-07-01"^^xsd:date ;'
        f' schema:endDate "2019-06"^^xsd:gYearMonth .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2019-07-01"^^xsd:date ;'
        f' schema:endDate "2019-07"^^xsd:gYearMonth .',
        C,
        SCHEMA.endDate,
        ["Sluttdatoen 2019-06"],
        ["end date 2019-06"],
    ),
    case(
        "end-before-start-milestone",
        "EndNotBeforeStart",
        f'{INVENTED}\n<{M}> a ogp:Milestone ; schema:startDate "2020-03-02"^^xsd:date ;'
        f' schema:endDate "2020-03-01"^^xsd:date .',
        f'{INVENTED}\n<{M}> a ogp:Milestone ; schema:startDate "2020-03-01"^^xsd:date ;'
        f' schema:endDate "2020-03-01"^^xsd:date .',
        M,
        SCHEMA.endDate,
        ["før startdatoen"],
        ["before the start date"],
    ),
    case(
        "end-before-start-meeting",
        "EndNotBeforeStart",
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; schema:startDate "2018-06-19T10:00:00"^^xsd:dateTime ;'
        f' schema:endDate "2018-06-19T09:00:00"^^xsd:dateTime .',
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; schema:startDate "2018-06-19T10:00:00"^^xsd:dateTime ;'
        f' schema:endDate "2018-06-19T12:00:00"^^xsd:dateTime .',
        MEET,
        SCHEMA.endDate,
        ["før startdatoen"],
        ["before the start date"],
    ),
    case(
        "milestone-starts-before-commitment",
        "MilestoneWithinCommitment",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2019-07"^^xsd:gYearMonth .\n'
        f'<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> ; schema:startDate "2019-06"^^xsd:gYearMonth .',
        # a milestone "in 2019" may start in July or later
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2019-07"^^xsd:gYearMonth .\n'
        f'<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> ; schema:startDate "2019"^^xsd:gYear .',
        M,
        SCHEMA.startDate,
        ["2019-06", "utenfor perioden", "NO0054", "2019-07"],
        ["2019-06", "outside the period", "NO0054"],
    ),
    case(
        "milestone-ends-after-commitment",
        "MilestoneWithinCommitment",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:endDate "2021-06-30"^^xsd:date .\n'
        f'<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> ; schema:endDate "2021-07"^^xsd:gYearMonth .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:endDate "2021-06"^^xsd:gYearMonth .\n'
        f'<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> ; schema:endDate "2021-06-30"^^xsd:date .',
        M,
        SCHEMA.endDate,
        ["2021-07", "utenfor perioden", "2021-06-30"],
        ["2021-07", "outside the period"],
    ),
    case(
        "milestone-ends-before-commitment-starts",
        "MilestoneWithinCommitment",
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2020"^^xsd:gYear .\n'
        f'<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> ; schema:endDate "2019-12-31"^^xsd:date .',
        f'{INVENTED}\n<{C}> a ogp:Commitment ; schema:startDate "2020"^^xsd:gYear .\n'
        f'<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> ; schema:endDate "2020-01-01"^^xsd:date .',
        M,
        SCHEMA.endDate,
        ["2019-12-31"],
        ["2019-12-31"],
    ),
    case(
        "commitment-outside-plan",
        "CommitmentWithinPlan",
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; schema:startDate "2019-07"^^xsd:gYearMonth ;'
        f' schema:endDate "2021-06"^^xsd:gYearMonth .\n'
        f'<{C}> a ogp:Commitment ; ogp:inActionPlan <{P}> ; schema:endDate "2022"^^xsd:gYear .',
        f'{INVENTED}\n<{P}> a ogp:ActionPlan ; schema:startDate "2019-07"^^xsd:gYearMonth ;'
        f' schema:endDate "2021-06"^^xsd:gYearMonth .\n'
        f'<{C}> a ogp:Commitment ; ogp:inActionPlan <{P}> ; schema:startDate "2019"^^xsd:gYear ;'
        f' schema:endDate "2021"^^xsd:gYear .',
        C,
        SCHEMA.endDate,
        ["2022", "utenfor perioden til handlingsplanen", "2021-06"],
        ["2022", "outside the period of the action plan"],
        severity=W,
    ),
    # --- registry status and status changes (docs/lifecycle.md) ------------------------------
    case(
        "withdrawn-has-reason",
        "WithdrawnHasReason",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:registryStatus status:withdrawn .",
        f"{INVENTED}\n<{C}> a ogp:Commitment ; ogp:registryStatus status:withdrawn ;"
        ' skos:changeNote "Slått sammen med en annen forpliktelse"@nb .',
        C,
        None,  # type: ignore[arg-type]  # a node-level constraint has no path
        ["trukket tilbake", "begrunnelse", "skos:changeNote"],
        ["withdrawn", "reason", "skos:changeNote"],
    ),
    case(
        "superseded-has-successor",
        "SupersededHasSuccessor",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:registryStatus status:superseded .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:registryStatus status:superseded ;"
        " dct:isReplacedBy <id/proposal/18> .",
        "id/proposal/17",
        None,  # type: ignore[arg-type]
        ["erstattet", "etterfølger", "dct:isReplacedBy"],
        ["superseded", "successor", "dct:isReplacedBy"],
    ),
    case(
        "status-change-statusOf",
        "StatusChange-statusOf",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:toStatus status:submitted .",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:statusOf <{C}> ;"
        " ogp:toStatus status:submitted .",
        "id/status-change/1",
        OGP.statusOf,
        ["nøyaktig ett element"],
        ["exactly one item"],
    ),
    case(
        "status-change-fromStatus",
        "StatusChange-fromStatus",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:fromStatus status:finished .",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:fromStatus status:submitted .",
        "id/status-change/1",
        OGP.fromStatus,
        ["fra-status", "draft"],
        ["from-status", "draft"],
    ),
    case(
        "status-change-toStatus",
        "StatusChange-toStatus",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:statusOf <{C}> .",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:toStatus status:accepted .",
        "id/status-change/1",
        OGP.toStatus,
        ["nøyaktig én ny status"],
        ["exactly one new status"],
    ),
    case(
        "status-change-atTime",
        "StatusChange-atTime",
        f'{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; prov:atTime "2019-06-28" .',
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ;"
        ' prov:atTime "2019-06-28T12:00:00Z"^^xsd:dateTime .',
        "id/status-change/1",
        PROV.atTime,
        ["tidspunkt", "xsd:dateTime"],
        ["time", "xsd:dateTime"],
    ),
    case(
        "status-change-reason",
        "StatusChange-reason",
        f'{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:reason "uten språk" .',
        f'{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:reason "med språk"@nb .',
        "id/status-change/1",
        OGP.reason,
        ["begrunnelse", "@nb"],
        ["reason", "@nb"],
    ),
    case(
        "status-change-withdrawn-has-reason",
        "StatusChangeWithdrawnHasReason",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:toStatus status:withdrawn .",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:toStatus status:withdrawn ;"
        ' ogp:reason "Feilregistrert"@nb .',
        "id/status-change/1",
        None,  # type: ignore[arg-type]
        ["begrunnelse", "ogp:reason"],
        ["reason", "ogp:reason"],
    ),
    case(
        "status-change-superseded-has-successor",
        "StatusChangeSupersededHasSuccessor",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:toStatus status:superseded .",
        f"{INVENTED}\n<id/status-change/1> a ogp:StatusChange ; ogp:toStatus status:superseded ;"
        f" dct:isReplacedBy <{C}> .",
        "id/status-change/1",
        None,  # type: ignore[arg-type]
        ["etterfølgeren", "dct:isReplacedBy"],
        ["successor", "dct:isReplacedBy"],
    ),
    # co-creation (docs/co-creation.md)
    case(
        "proposal-response",
        "Proposal-response",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response status:draft .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:merged .",
        "id/proposal/17",
        OGP.response,
        ["svar", "taken-forward"],
        ["response", "not-taken-forward"],
    ),
    case(
        "proposal-takenInto",
        "Proposal-takenInto",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:takenInto <id/proposal/18> .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:takenInto <{C}> .\n"
        f"<{C}> a ogp:Commitment .",
        "id/proposal/17",
        OGP.takenInto,
        ["forpliktelse"],
        ["commitment"],
    ),
    case(
        "proposal-mergedWith",
        "Proposal-mergedWith",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:mergedWith <{C}> .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:mergedWith <id/proposal/18> .\n"
        "<id/proposal/18> a ogp:Proposal .",
        "id/proposal/17",
        OGP.mergedWith,
        ["forslag"],
        ["proposal"],
    ),
    case(
        "proposal-responseReason",
        "Proposal-responseReason",
        f'{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:responseReason "Uten språk" .',
        f'{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:responseReason "Med språk"@nb .',
        "id/proposal/17",
        OGP.responseReason,
        ["«Begrunnelse for svaret»", "bokmål, nynorsk eller engelsk"],
        ["reason", "language tag"],
    ),
    case(
        "proposal-respondedBy",
        "Proposal-respondedBy",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:respondedBy <{C}> .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ;"
        " ogp:respondedBy <id/organisation/testdepartementet> .\n" + ORG_MINISTRY,
        "id/proposal/17",
        OGP.respondedBy,
        ["organisasjon"],
        ["organisation"],
    ),
    case(
        "proposal-responseDate",
        "Proposal-responseDate",
        f'{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:responseDate "2019"^^xsd:gYear .',
        f'{INVENTED}\n<id/proposal/17> a ogp:Proposal ;'
        ' ogp:responseDate "2019-05-15"^^xsd:date .',
        "id/proposal/17",
        OGP.responseDate,
        ["svardatoen"],
        ["response date"],
    ),
    case(
        "proposal-not-taken-forward-has-reason",
        "ProposalNotTakenForwardHasReason",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:not-taken-forward .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:not-taken-forward ;"
        ' ogp:responseReason "Ligger utenfor planens tema."@nb .',
        "id/proposal/17",
        None,  # type: ignore[arg-type]  # a node-level constraint has no path
        ["ikke tatt videre", "Begrunnelse for svaret"],
        ["not taken forward", "Reason for the response"],
    ),
    case(
        "proposal-taken-forward-has-commitment",
        "ProposalTakenForwardHasCommitment",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:taken-forward .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:taken-forward ;"
        f" ogp:takenInto <{C}> .",
        "id/proposal/17",
        None,  # type: ignore[arg-type]
        ["Tatt inn i forpliktelse"],
        ["Taken into commitment"],
    ),
    case(
        "proposal-merged-has-target",
        "ProposalMergedHasTarget",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:merged .",
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:merged ;"
        " ogp:mergedWith <id/proposal/18> .",
        "id/proposal/17",
        None,  # type: ignore[arg-type]
        ["Slått sammen med"],
        ["Merged with"],
    ),
    case(
        "proposal-response-who-and-when",
        "ProposalResponseWhoAndWhen",
        f'{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:responseReason "Grunn"@nb .',
        f"{INVENTED}\n<id/proposal/17> a ogp:Proposal ; ogp:response response:merged ;"
        " ogp:respondedBy <id/organisation/testdepartementet> ;"
        ' ogp:responseDate "2019-05-15"^^xsd:date .',
        "id/proposal/17",
        None,  # type: ignore[arg-type]
        ["Svar gitt av", "Svardato"],
        ["Responded by", "Response date"],
    ),
    case(
        "forum-member",
        "Forum-forumMember",
        f"{INVENTED}\n<id/organisation/forum> a ogp:MultiStakeholderForum ; ogp:forumMember <{C}> .",
        f"{INVENTED}\n<id/organisation/forum> a ogp:MultiStakeholderForum ;"
        " ogp:forumMember <id/organisation/testforeningen> .\n" + ORG_CIVIL,
        "id/organisation/forum",
        OGP.forumMember,
        ["forummedlem"],
        ["forum member"],
    ),
    case(
        "forum-rules",
        "Forum-forumRules",
        f'{INVENTED}\n<id/organisation/forum> a ogp:MultiStakeholderForum ; ogp:forumRules "regler" .',
        f"{INVENTED}\n<id/organisation/forum> a ogp:MultiStakeholderForum ;"
        " ogp:forumRules <https://example.org/regler> .",
        "id/organisation/forum",
        OGP.forumRules,
        ["lenke"],
        ["link"],
    ),
    case(
        "meeting-invitationDate",
        "Meeting-invitationDate",
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ; ogp:invitationDate "mai" .',
        f'{INVENTED}\n<{MEET}> a ogp:ConsultationMeeting ;'
        ' ogp:invitationDate "2018-05-29"^^xsd:date .',
        MEET,
        OGP.invitationDate,
        ["invitasjonen"],
        ["invitation"],
    ),
    case(
        "meeting-minutes",
        "Meeting-minutes",
        f'{INVENTED}\n<{MEET}> a ogp:ForumMeeting ; ogp:minutes "referat" .',
        f"{INVENTED}\n<{MEET}> a ogp:ForumMeeting ; ogp:minutes <https://example.org/ref.pdf> .",
        MEET,
        OGP.minutes,
        ["referatet"],
        ["minutes"],
    ),
    case(
        "meeting-meetingOf",
        "Meeting-meetingOf",
        f"{INVENTED}\n<{MEET}> a ogp:ForumMeeting ; ogp:meetingOf <id/organisation/testforeningen> .",
        f"{INVENTED}\n<{MEET}> a ogp:ForumMeeting ; ogp:meetingOf <id/organisation/forum> .\n"
        "<id/organisation/forum> a ogp:MultiStakeholderForum .",
        MEET,
        OGP.meetingOf,
        ["flerpartsforum"],
        ["multi-stakeholder forum"],
    ),
    case(
        "document-identifier",
        "RepositoryDocument-identifier",
        f"{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument .",
        f'{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; dct:identifier "d1" .',
        "id/document/d1",
        DCTERMS.identifier,
        ["identifikator"],
        ["identifier"],
    ),
    case(
        "document-kind",
        "RepositoryDocument-documentKind",
        f"{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; ogp:documentKind status:draft .",
        f"{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; ogp:documentKind dockind:minutes .",
        "id/document/d1",
        OGP.documentKind,
        ["dokumenttype"],
        ["document kind"],
    ),
    case(
        "document-issued",
        "RepositoryDocument-issued",
        f'{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; dct:issued "i fjor" .',
        f'{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; dct:issued "2019-06"^^xsd:gYearMonth .',
        "id/document/d1",
        DCTERMS.issued,
        ["publiseringsdato"],
        ["publication date"],
    ),
    case(
        "document-url",
        "RepositoryDocument-url",
        f"{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument .",
        f"{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; schema:url <https://example.org/d1.pdf> .",
        "id/document/d1",
        URIRef("https://schema.org/url"),
        ["lenke"],
        ["link"],
    ),
    case(
        "document-documentFor",
        "RepositoryDocument-documentFor",
        f"{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; ogp:documentFor <{C}> .",
        f"{INVENTED}\n<id/document/d1> a ogp:RepositoryDocument ; ogp:documentFor <{P}> .\n"
        f"<{P}> a ogp:ActionPlan .",
        "id/document/d1",
        OGP.documentFor,
        ["handlingsplan"],
        ["action plan"],
    ),
]


def _absolute(iri: str) -> URIRef:
    return URIRef(iri if "://" in iri else BASE + iri)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_constraint(shapes_graph: Graph, c: Case) -> None:
    constraint = OGPSH[c.constraint]
    focus = _absolute(c.focus)

    def from_constraint(results: list[Result]) -> list[Result]:
        return [
            r
            for r in results
            if constraint in (r.source_shape, r.source_constraint) and r.focus == focus
        ]

    failing = from_constraint(validate(shapes_graph, c.bad))
    assert failing, f"{c.id}: the failing example gave no result from ogpsh:{c.constraint}"
    for result in failing:
        assert result.path == c.path
        assert result.severity == c.severity
        assert set(result.messages) == set(LANGUAGES), result.messages
        for word in c.nb:
            assert word.lower() in result.messages["nb"].lower(), (word, result.messages["nb"])
        for word in c.en:
            assert word.lower() in result.messages["en"].lower(), (word, result.messages["en"])
        if c.detail:
            assert OGPSH[c.detail] in result.details

    passing = from_constraint(validate(shapes_graph, c.good))
    assert not passing, f"{c.id}: the passing twin gave {passing}"


def test_examples_are_marked_invented() -> None:
    for c in CASES:
        assert c.bad.startswith(INVENTED) and c.good.startswith(INVENTED), c.id


@pytest.mark.parametrize("number", ["972417858", "972417866", "912660680", "872417842"])
def test_valid_organisation_numbers(shapes_graph: Graph, number: str) -> None:
    turtle = f"""{INVENTED}
<id/organisation/testetaten> a org:Organization ; skos:prefLabel "Testetaten"@nb ;
    ogp:organisationKind kind:public-body ; ogp:organisationNumber "{number}" ;
    ogp:registerRecord <https://data.brreg.no/enhetsregisteret/api/enheter/{number}> .
"""
    assert validate(shapes_graph, turtle) == []


@pytest.mark.parametrize(
    "number", ["972417859", "972417850", "400000000", "400000009", "912660681"]
)
def test_invalid_check_digits(shapes_graph: Graph, number: str) -> None:
    turtle = f'{INVENTED}\n<id/organisation/testetaten> a org:Organization ; ogp:organisationNumber "{number}" .'
    results = [
        r
        for r in validate(shapes_graph, turtle)
        if r.source_constraint == OGPSH.OrganisationNumberCheckDigit
    ]
    assert len(results) == 1 and results[0].value == Literal(number)


def every_constraint(shapes: Graph) -> set[Node]:
    """Property shapes and SPARQL constraints: the nodes that carry sh:message."""
    nodes = set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(
        shapes.subjects(RDF.type, SH.SPARQLConstraint)
    )
    nodes |= set(shapes.objects(None, SH.sparql))
    return nodes


def test_every_constraint_has_a_case(shapes_graph: Graph) -> None:
    covered = {OGPSH[c.constraint] for c in CASES} | {OGPSH[c.detail] for c in CASES if c.detail}
    missing = {n for n in every_constraint(shapes_graph) if n not in covered}
    assert not missing, sorted(map(str, missing))


FULL_EXAMPLE = f"""{INVENTED}: a complete, valid set of records.
<id/organisation/testdepartementet> a org:Organization ; skos:prefLabel "Testdepartementet"@nb, "Ministry of Testing"@en ;
    ogp:organisationKind kind:ministry ; ogp:organisationNumber "972417858" ;
    ogp:registerRecord <https://data.brreg.no/enhetsregisteret/api/enheter/972417858> .
{ORG_PUBLIC}
{ORG_CIVIL}
<{P}> a ogp:ActionPlan ; dct:identifier "2019-2021" ; dct:title "Testplan"@nb, "Test plan"@en ;
    ogp:country <http://publications.europa.eu/resource/authority/country/NOR> ;
    schema:startDate "2019-07"^^xsd:gYearMonth ; schema:endDate "2021-06"^^xsd:gYearMonth ;
    ogp:approvalDate "2019-06-28"^^xsd:date ; ogp:approvedBy <id/organisation/testdepartementet> ;
    ogp:coordinatedBy <id/organisation/testdepartementet> ; ogp:registryStatus status:in-force ;
    ogp:hasCommitment <{C}> ; dct:source <https://example.org/plan.pdf> .
<{C}> a ogp:Commitment ; dct:identifier "NO0054" ; dct:title "Åpne testdata"@nb, "Open test data"@en ;
    dct:description "Beskrivelse"@nb ; ogp:problemAddressed "Problem"@nb ; ogp:ambition "Ambisjon"@nb ;
    ogp:inActionPlan <{P}> ; ogp:leadAgency <id/organisation/testdirektoratet> ;
    ogp:supportingPublicBody <id/organisation/testdepartementet> ;
    ogp:supportingNonGovernmentalActor <id/organisation/testforeningen> ;
    ogp:theme theme:open-data ; ogp:ogpValue ogpvalue:access-to-information ; ogp:policyArea policyarea:open-data ;
    schema:startDate "2019-09"^^xsd:gYearMonth ; schema:endDate "2021"^^xsd:gYear ;
    ogp:derivedFromProposal <id/proposal/17> ; ogp:registryStatus status:in-force ; ogp:hasMilestone <{M}> ;
    ogp:editorialNote "Oppdatert"@nb .
<{M}> a ogp:Milestone ; ogp:ofCommitment <{C}> ; schema:position 1 ;
    dct:title "Publisere testdata"@nb, "Publish test data"@en ;
    schema:startDate "2019-10-01"^^xsd:date ; schema:endDate "2020-06"^^xsd:gYearMonth ;
    ogp:deliverable "Datasett"@nb ; ogp:completion completion:complete .
<{MEET}> a ogp:ConsultationMeeting ; dct:title "Innspillsmøte"@nb ;
    schema:startDate "2018-06-19T10:00:00"^^xsd:dateTime ; schema:endDate "2018-06-19T12:00:00"^^xsd:dateTime ;
    schema:location <id/place/testhuset> ; ogp:room "Møterom 1" ; ogp:registrationDeadline "2018-06-12"^^xsd:date ;
    ogp:proposalDeadline "2018-06-12"^^xsd:date ; ogp:invitedBy <id/organisation/testdirektoratet> ;
    ogp:invited <id/organisation/testforeningen> ; ogp:attendee <id/organisation/testforeningen> ;
    ogp:agenda "Velkommen"@nb ; ogp:forActionPlan <{P}> ; ogp:discussed <id/proposal/17> ;
    ogp:decision "Forslaget tas med"@nb .
<id/place/testhuset> a schema:Place ; schema:address "Testveien 1, 0001 Oslo" .
<id/proposal/17> a ogp:Proposal ; dct:identifier "17" ; dct:title "Mer åpne data"@nb ;
    ogp:proposedBy <id/organisation/testforeningen> ; ogp:theme theme:open-data ; ogp:submittedAt <{MEET}> ;
    ogp:submissionTiming timing:at-meeting ; ogp:registryStatus status:accepted .
<id/comment/3> a ogp:Comment ; ogp:commentOn <id/proposal/17> ; ogp:commentBy <id/organisation/testdirektoratet> ;
    dct:description "Vi ser på det."@nb ; dct:date "2018-07-01"^^xsd:date .
<id/comment/4> a ogp:Comment ; ogp:commentOn <id/proposal/17> ; ogp:commentBy <id/organisation/testforeningen> ;
    dct:description "Takk."@nb ; ogp:isResponseTo <id/comment/3> .
<id/assessment/1> a ogp:ProgressAssessment ; ogp:assesses <{C}> ; ogp:assessmentKind assessmentkind:irm ;
    ogp:assessedBy <id/organisation/testforeningen> ; ogp:assessmentDate "2020-09-01"^^xsd:date ;
    ogp:completion completion:substantial ; ogp:potentialImpact impact:moderate ; ogp:specificity specificity:high ;
    ogp:openedGovernment opened:marginal ; ogp:starred false ; dct:description "Godt i gang"@nb .
<graph/source/a> a ogp:Source, prov:Entity ; ogp:sourceId "a" ; ogp:fileName "plan.xlsx" ; ogp:sha256 "{"0f" * 32}" ;
    prov:generatedAtTime "2024-05-01T12:00:00Z"^^xsd:dateTime ; ogp:loadedBy "redaktor" ;
    ogp:submittedBy <id/organisation/testforeningen> ; ogp:toolVersion "0.1.0" ; ogp:tripleCount 120 .
status:in-force a skos:Concept ; skos:prefLabel "I kraft"@nb, "In force"@en ; skos:inScheme vocab:status .
"""


def test_full_example_conforms_without_warnings(shapes_graph: Graph) -> None:
    assert validate(shapes_graph, FULL_EXAMPLE) == []


# ---------------------------------------------------------------------------------------
# The shapes file itself
# ---------------------------------------------------------------------------------------


def test_shapes_file_is_in_the_package() -> None:
    assert shapes_file().name == "ogp-shapes.ttl"
    assert shapes_file().is_file()


def test_parses_with_rdflib_and_pyoxigraph() -> None:
    graph = Graph().parse(data=shapes_file().read_bytes(), format="turtle")
    quads = list(pyoxigraph.parse(shapes_file().read_bytes(), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(graph) > 0


def _path_iris(shapes: Graph, path: Node) -> Iterator[Node]:
    if isinstance(path, URIRef):
        yield path
    elif isinstance(path, BNode):
        if shapes.value(path, RDF.first) is not None:
            for item in Collection(shapes, path):
                yield from _path_iris(shapes, item)
        for _p, value in shapes.predicate_objects(path):
            if _p != RDF.rest and _p != RDF.first:
                yield from _path_iris(shapes, value)


def _used_terms(shapes: Graph) -> set[Node]:
    terms: set[Node] = set()
    for path in shapes.objects(None, SH.path):
        terms.update(_path_iris(shapes, path))
    for predicate in (SH.targetClass, SH["class"], SH.targetSubjectsOf, SH.targetObjectsOf):
        terms.update(shapes.objects(None, predicate))
    return terms


def test_ogp_terms_are_in_the_closed_namespace(shapes_graph: Graph) -> None:
    for term in _used_terms(shapes_graph):
        if str(term).startswith(OGP_NS):
            name = str(term)[len(OGP_NS) :]
            assert getattr(OGP, name) == term  # raises AttributeError for unknown terms


def test_external_terms_are_named_in_the_contract(shapes_graph: Graph) -> None:
    contract = CONTRACT.read_text(encoding="utf-8")
    namespaces = {ns: prefix for prefix, ns in PREFIXES.items()}
    for term in _used_terms(shapes_graph):
        if str(term).startswith(OGP_NS):
            continue
        curie = next(
            (
                f"{namespaces[ns]}:{str(term)[len(ns) :]}"
                for ns in sorted(namespaces, key=len, reverse=True)
                if str(term).startswith(ns)
            ),
            None,
        )
        assert curie is not None and curie in contract, f"{term} is not named in docs/data-model.md"


def _languages(shapes: Graph, node: Node, predicate: URIRef) -> list[str]:
    return sorted(
        str(getattr(value, "language", None)) for value in shapes.objects(node, predicate)
    )


def test_messages_names_and_descriptions_are_in_every_language(shapes_graph: Graph) -> None:
    for node in every_constraint(shapes_graph) | set(shapes_graph.subjects(SH.message, None)):
        assert _languages(shapes_graph, node, SH.message) == list(LANGUAGES), node
    for node in shapes_graph.subjects(RDF.type, SH.PropertyShape):
        for predicate in (SH.name, SH.description):
            assert _languages(shapes_graph, node, predicate) == list(LANGUAGES), (node, predicate)


def test_no_closed_shapes(shapes_graph: Graph) -> None:
    assert not list(shapes_graph.subjects(SH.closed, None))


def test_sparql_constraints_use_the_declared_prefixes(shapes_graph: Graph) -> None:
    declared = {
        str(shapes_graph.value(d, SH.prefix)): str(shapes_graph.value(d, SH.namespace))
        for d in shapes_graph.objects(SHAPES_ONTOLOGY, SH.declare)
    }
    assert declared["ogp"] == OGP_NS
    for constraint in set(shapes_graph.objects(None, SH.sparql)):
        assert shapes_graph.value(constraint, SH.prefixes) == SHAPES_ONTOLOGY
        select = str(shapes_graph.value(constraint, SH.select))
        used = set(re.findall(r"\b([a-z]+):[A-Za-z]", select))
        assert used <= set(declared), (constraint, used - set(declared))


def _contract_concepts() -> dict[str, set[URIRef]]:
    """Concept IRIs per value set (and "theme") as listed in docs/data-model.md."""
    text = CONTRACT.read_text(encoding="utf-8")
    value_sets = text.split("## Value sets", 1)[1].split("\n## ", 1)[0]
    concepts: dict[str, set[URIRef]] = {}
    for line in value_sets.splitlines():
        row = re.match(r"^\| `([a-z-]+)`[^|]*\|(.*)\|\s*$", line)
        if row:
            codes = re.findall(r"`([a-z0-9-]+)`", row.group(2))
            concepts[row.group(1)] = {URIRef(f"{VOCAB_NS}{row.group(1)}/{code}") for code in codes}
    themes = text.split("## Themes", 1)[1]
    concepts["theme"] = {
        URIRef(THEME_NS + code)
        for code in re.findall(r"`theme:([a-z0-9-]+)`", themes)
        if code != "scheme"
    }
    return concepts


def _in_lists(shapes: Graph) -> list[list[Node]]:
    return [list(Collection(shapes, head)) for head in shapes.objects(None, SH["in"])]


def test_in_lists_are_complete_value_sets_from_the_contract(shapes_graph: Graph) -> None:
    concepts = _contract_concepts()
    assert len(concepts) == 13  # twelve value sets and the themes
    for members in _in_lists(shapes_graph):
        owners = [name for name, iris in concepts.items() if set(members) <= iris]
        assert owners, f"sh:in list not from one value set of the contract: {members}"
        full = concepts[owners[0]]
        # the only partial lists are the organisation kinds of public bodies / other actors
        if set(members) != full:
            assert owners == ["organisation-kind"], members


def test_in_lists_reference_declared_concepts() -> None:
    # Both files are part of the package (they were once optional: a missing one was a skip,
    # which would have hidden a deleted file in CI too).
    declared = Graph()
    for name in ("values.ttl", "themes.ttl"):
        declared.parse(ROOT / "ontology" / name, format="turtle")
    shapes = Graph().parse(shapes_file().read_bytes(), format="turtle")
    checked = 0
    for members in _in_lists(shapes):
        for iri in members:
            if str(iri).startswith((THEME_NS, VOCAB_NS)):
                checked += 1
                assert (iri, RDF.type, SKOS.Concept) in declared, (
                    f"{iri} is not declared as a skos:Concept"
                )
    assert checked > 20, checked
