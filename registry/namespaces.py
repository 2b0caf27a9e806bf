"""Closed vocabularies: every term of our ontology and the external terms we use.

A typo such as ``OGP.leadAgncy`` raises ``AttributeError`` instead of minting a new IRI
(rdflib's ``DefinedNamespace`` with ``_fail = True``). rdflib's bundled DCAT namespace is
DCAT 2, so the DCAT 3 terms we use are listed here.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

#: Namespace of the OGP registry ontology (fixed; independent of the deployment's base URI).
OGP_NS = "https://w3id.org/ogp-no/def#"
#: Namespace of the SHACL shapes.
OGPSH_NS = "https://w3id.org/ogp-no/shapes#"
#: Concept scheme of the themes.
THEME_NS = "https://w3id.org/ogp-no/theme/"
#: Value sets (OGP values, completion levels, IRM value sets, kinds, statuses).
VOCAB_NS = "https://w3id.org/ogp-no/vocab/"


class OGP(DefinedNamespace):
    """The OGP registry ontology (``ogp:``)."""

    _fail = True
    _NS = Namespace(OGP_NS)

    # classes
    ActionPlan: URIRef
    Commitment: URIRef
    Milestone: URIRef
    Meeting: URIRef
    ConsultationMeeting: URIRef
    FollowUpMeeting: URIRef
    EvaluationMeeting: URIRef
    Proposal: URIRef
    Comment: URIRef
    ProgressAssessment: URIRef
    Source: URIRef
    PublicBody: URIRef
    Ministry: URIRef
    OrganisationName: URIRef

    # action plan
    country: URIRef
    approvalDate: URIRef
    approvedBy: URIRef
    coordinatedBy: URIRef
    registryStatus: URIRef
    hasCommitment: URIRef
    periodStatement: URIRef
    coordinationStatement: URIRef
    publicationStatement: URIRef
    planDocument: URIRef
    irmReport: URIRef
    numberOfCommitments: URIRef

    # commitment
    inActionPlan: URIRef
    problemAddressed: URIRef
    ambition: URIRef
    leadAgency: URIRef
    supportingPublicBody: URIRef
    supportingNonGovernmentalActor: URIRef
    theme: URIRef
    ogpValue: URIRef
    policyArea: URIRef
    derivedFromProposal: URIRef
    hasMilestone: URIRef
    ogpIdentifier: URIRef
    policyAreaLabel: URIRef
    leadAgencyStatement: URIRef
    supportStatement: URIRef
    startDateStatement: URIRef
    endDateStatement: URIRef

    # milestone
    ofCommitment: URIRef
    deliverable: URIRef
    completion: URIRef
    milestonesComplete: URIRef

    # organisation
    organisationKind: URIRef
    organisationNumber: URIRef
    registerRecord: URIRef
    hasName: URIRef

    # meetings
    room: URIRef
    registrationDeadline: URIRef
    proposalDeadline: URIRef
    invitedBy: URIRef
    invited: URIRef
    attendee: URIRef
    agenda: URIRef
    forActionPlan: URIRef
    discussed: URIRef
    decision: URIRef

    # proposals and comments
    proposedBy: URIRef
    submittedAt: URIRef
    submissionTiming: URIRef
    commentOn: URIRef
    commentBy: URIRef
    isResponseTo: URIRef

    # assessments
    assesses: URIRef
    assessmentKind: URIRef
    assessedBy: URIRef
    assessmentDate: URIRef
    potentialImpact: URIRef
    specificity: URIRef
    openedGovernment: URIRef
    starred: URIRef
    ratingStatement: URIRef

    # sources (named graphs) and their provenance
    fileName: URIRef
    sha256: URIRef
    loadedBy: URIRef
    submittedBy: URIRef
    toolVersion: URIRef
    tripleCount: URIRef
    sourceId: URIRef
    editorialNote: URIRef

    # lifecycle: status changes (docs/lifecycle.md)
    StatusChange: URIRef
    statusOf: URIRef
    fromStatus: URIRef
    toStatus: URIRef
    reason: URIRef

    # history: changes and versions (docs/lifecycle.md)
    Change: URIRef
    ChangeKind: URIRef
    Load: URIRef
    StatusUpdate: URIRef
    Erase: URIRef
    changeNumber: URIRef
    changeKind: URIRef
    Version: URIRef
    VersionAction: URIRef
    Create: URIRef
    Update: URIRef
    Delete: URIRef
    inChange: URIRef
    versionAction: URIRef
    snapshot: URIRef

    # co-creation: the forum, invitations, minutes, the repository, responses
    # (docs/co-creation.md)
    MultiStakeholderForum: URIRef
    ForumMeeting: URIRef
    RepositoryDocument: URIRef
    forumMember: URIRef
    forumRules: URIRef
    meetingOf: URIRef
    invitationDate: URIRef
    minutes: URIRef
    documentKind: URIRef
    documentFor: URIRef
    response: URIRef
    takenInto: URIRef
    mergedWith: URIRef
    responseReason: URIRef
    respondedBy: URIRef
    responseDate: URIRef


OGPSH = Namespace(OGPSH_NS)
THEME = Namespace(THEME_NS)
VOCAB = Namespace(VOCAB_NS)


class DCAT3(DefinedNamespace):
    """DCAT 3 terms used by the registry (rdflib ships DCAT 2)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/dcat#")

    Catalog: URIRef
    Dataset: URIRef
    Distribution: URIRef
    DataService: URIRef
    dataset: URIRef
    distribution: URIRef
    service: URIRef
    accessURL: URIRef
    downloadURL: URIRef
    mediaType: URIRef
    byteSize: URIRef
    endpointURL: URIRef
    endpointDescription: URIRef
    servesDataset: URIRef
    theme: URIRef
    keyword: URIRef
    contactPoint: URIRef
    startDate: URIRef
    endDate: URIRef
    landingPage: URIRef
    themeTaxonomy: URIRef
    checksum: URIRef
    # dataset series (DCAT 3, section 6.7 and the inverse properties of section 7)
    DatasetSeries: URIRef
    inSeries: URIRef
    first: URIRef
    last: URIRef
    prev: URIRef
    next: URIRef


SCHEMA = Namespace("https://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU_COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
EU_DATA_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
LOS = Namespace("https://psi.norge.no/los/")

#: Prefixes offered to SPARQL users and used in serialisations.
PREFIXES: dict[str, str] = {
    "ogp": OGP_NS,
    "ogpsh": OGPSH_NS,
    "theme": THEME_NS,
    "vocab": VOCAB_NS,
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}
