"""The vocabularies and identifiers the DCAT-AP-NO catalogue uses: the EU authority tables
(languages, access rights, licences, file types, frequencies), the themes every dataset has,
the standards the datasets, distributions and the service conform to, the IRIs of the
catalogue's own resources (:class:`CatalogueUris`) and the publisher, checked
(:func:`check_orgnr`, :func:`check_email`, :func:`publisher_iri`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from rdflib.namespace import Namespace

from registry.errors import ConfigurationError
from registry.i18n import msg
from registry.namespaces import EU_DATA_THEME, LOS

EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_ACCESS_RIGHT = Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_LICENCE = Namespace("http://publications.europa.eu/resource/authority/licence/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
IANA_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
BRREG_ENHET = "https://data.brreg.no/enhetsregisteret/api/enheter/"

#: The licence of every distribution and of the data service: NLOD 2.0 in the EU licence list
#: (the form the DCAT-AP-NO shapes accept).
LICENCE = EU_LICENCE.NLOD_2_0
#: Always-present themes: EU data theme "Government and public sector" and the LOS theme
#: "Åpenhet" (the LOS concept ontology/themes.ttl maps the plans' openness heading to).
BASE_THEMES = (EU_DATA_THEME.GOVE, LOS["tema/apenhet"])
#: LOS themes (not LOS words, ``los/ord/...``) are what catalogues offer as dcat:theme, and what
#: the DCAT-AP-NO shapes of 2021 (data.norge.no's quality check) can recognise.
LOS_THEME_NS = str(LOS) + "tema/"

# Standards the datasets, distributions and the service conform to: IRI -> (nb, en) title.
STANDARDS: dict[str, tuple[str, str]] = {
    "https://w3id.org/ogp-no/def": (
        "OGP-registerets ontologi",
        "The OGP registry ontology",
    ),
    "https://w3id.org/ogp-no/shapes": (
        "SHACL-reglene til OGP-registeret",
        "SHACL shapes of the OGP registry",
    ),
    "https://data.norge.no/specification/dcat-ap-no": (
        "DCAT-AP-NO: norsk applikasjonsprofil av DCAT",
        "DCAT-AP-NO: the Norwegian application profile of DCAT",
    ),
    "https://www.w3.org/TR/sparql11-protocol/": (
        "SPARQL 1.1-protokollen",
        "SPARQL 1.1 Protocol",
    ),
    "https://www.rfc-editor.org/rfc/rfc4180": (
        "RFC 4180: felles format og medietype for CSV-filer",
        "RFC 4180: Common Format and MIME Type for Comma-Separated Values (CSV) Files",
    ),
}
#: The standards by name.
ONTOLOGY, SHAPES, DCAT_AP_NO, SPARQL_PROTOCOL, RFC4180 = STANDARDS

# -- what only the DCAT-AP 3 profile uses (registry/publish/dcat_graph3.py, docs/dcat.md) --------
#: Standards of the DCAT-AP 3 profile only: IRI -> (nb, en) title.
STANDARDS_AP3: dict[str, tuple[str, str]] = {
    "https://semiceu.github.io/DCAT-AP/releases/3.0.1/": (
        "DCAT-AP 3.0.1: EUs applikasjonsprofil av DCAT",
        "DCAT-AP 3.0.1: DCAT Application Profile for data portals in Europe",
    ),
    "https://w3id.org/ldes/specification": (
        "Linked Data Event Streams (LDES)",
        "Linked Data Event Streams (LDES)",
    ),
}
DCAT_AP_3, LDES_SPEC = STANDARDS_AP3
#: The concept schemes of the themes (dcat:themeTaxonomy): the EU data themes and LOS themes
#: (LOS publishes every ``los/tema/...`` concept ``skos:inScheme`` this scheme).
EU_DATA_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
LOS_THEME_SCHEME = str(LOS) + "ontologi/tema"
#: The EU dataset-type authority table and the entries the vocabularies dataset is.
EU_DATASET_TYPE = Namespace("http://publications.europa.eu/resource/authority/dataset-type/")
EU_DATASET_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/dataset-type"
#: ADMS publisher types (the publisher of a ministry is a national authority) and licence types.
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
ADMS_PUBLISHER_TYPE_SCHEME = "http://purl.org/adms/publishertype/1.0"
ADMS_LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
ADMS_LICENCE_TYPE_SCHEME = "http://purl.org/adms/licencetype/1.0"
#: SPDX's own IRI of SHA-256 and the https form the DCAT-AP 3.0.1 shapes demand (docs/dcat.md,
#: "The checksum algorithm and the DCAT-AP 3.0.1 shapes").
SPDX_SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
SPDX_SHA256_HTTPS = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
#: The LDES vocabulary.
LDES = Namespace("https://w3id.org/ldes#")


@dataclass(frozen=True)
class CatalogueUris:
    """IRIs of the catalogue's resources: minted from the base URI and identifiers only."""

    base: str

    @property
    def catalog(self) -> str:
        return self.base + "catalog"

    @property
    def contact_point(self) -> str:
        return self.base + "catalog/contact-point"

    @property
    def service(self) -> str:
        return self.base + "service/sparql"

    @property
    def sparql(self) -> str:
        return self.base + "sparql"

    @property
    def series(self) -> str:
        """The action plans as a dataset series (the DCAT-AP 3 profile)."""
        return self.base + "series/action-plans"

    @property
    def feed_service(self) -> str:
        """The change feed as a data service (the DCAT-AP 3 profile)."""
        return self.base + "service/feed"

    @property
    def feed(self) -> str:
        return self.base + "feed"

    def dataset(self, key: str) -> str:
        return self.base + "dataset/" + key

    def distribution(self, key: str, kind: str) -> str:
        return self.dataset(key) + "/distribution/" + kind

    def download(self, name: str) -> str:
        return self.base + "download/" + quote(name, safe="-._~")


def check_orgnr(orgnr: str) -> str:
    """The publisher's organisation number, checked: 9 digits with a valid mod-11 check digit."""
    ok = bool(re.fullmatch(r"[0-9]{9}", orgnr))
    if ok:
        weights = (3, 2, 7, 6, 5, 4, 3, 2)
        rest = sum(int(d) * w for d, w in zip(orgnr[:8], weights, strict=True)) % 11
        check = 0 if rest == 0 else 11 - rest
        ok = check != 10 and check == int(orgnr[8])
    if not ok:
        raise ConfigurationError(
            msg(
                "Invalid organisation number {value!r} in OGPREG_PUBLISHER_ORGNR: it must be "
                "nine digits with a valid check digit (modulus 11), for example 972417858.",
                value=orgnr,
            )
        )
    return orgnr


def check_email(email: str) -> str:
    if not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", email):
        raise ConfigurationError(
            msg(
                "Invalid e-mail address {value!r} in OGPREG_CONTACT_EMAIL, for example "
                "postmottak@example.no.",
                value=email,
            )
        )
    return email


def publisher_iri(orgnr: str) -> str:
    """The publisher's IRI in the form data.norge.no accepts (its Enhetsregisteret record)."""
    return BRREG_ENHET + check_orgnr(orgnr)
