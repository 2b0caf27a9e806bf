"""The catalogue in the DCAT-AP 3.0.1 / DCAT-AP-NO 3.0 profile (:func:`build_graph_ap3`).

It is the DCAT-AP-NO 2.0 graph of the same revision (``registry/publish/dcat_graph.py``) with
what DCAT-AP 3 and DCAT-AP-NO 3 change and add (docs/dcat.md, "The DCAT-AP 3 profile"):

- ``dcat:byteSize`` typed ``xsd:nonNegativeInteger``; one SHA-256 ``spdx:Checksum`` per
  distribution, its algorithm in the form the DCAT-AP 3.0.1 shapes demand, linked to SPDX's
  own IRI with ``owl:sameAs``;
- the action plans as one ``dcat:DatasetSeries`` (``dcat:inSeries``, ``dcat:prev``/``dcat:next``
  in plan order, ``dcat:first``/``dcat:last``), its period the span of the plans' periods;
- the change feed as a second ``dcat:DataService`` (``dct:conformsTo`` the LDES specification,
  its endpoint an ``ldes:EventStream``) beside the SPARQL endpoint;
- a contact point on the catalogue, the theme taxonomies, the kinds of the themes, the dataset
  type of the vocabularies, the publisher's type (when the organisation register says it is a
  ministry) and the licence's type.

Every added fact comes from the registry's data or from the published vocabularies it names.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, XSD

from registry.namespaces import DCAT3, EU_COUNTRY, EU_DATA_THEME, OGP, SPDX, VCARD
from registry.publish.dcat_terms import (
    ADMS_LICENCE_TYPE,
    ADMS_LICENCE_TYPE_SCHEME,
    ADMS_PUBLISHER_TYPE,
    ADMS_PUBLISHER_TYPE_SCHEME,
    BASE_THEMES,
    DCAT_AP_3,
    EU_ACCESS_RIGHT,
    EU_DATA_THEME_SCHEME,
    EU_DATASET_TYPE,
    EU_DATASET_TYPE_SCHEME,
    LDES,
    LDES_SPEC,
    LICENCE,
    LOS_THEME_NS,
    LOS_THEME_SCHEME,
    SPDX_SHA256,
    SPDX_SHA256_HTTPS,
    STANDARDS_AP3,
    CatalogueUris,
    publisher_iri,
)
from registry.publish.exports import DatasetContent, ExportFile
from registry.settings import Settings

_MINISTRY = "https://w3id.org/ogp-no/vocab/organisation-kind/ministry"
#: The titles of the concept schemes and the labels of the concepts the profile describes (the
#: DCAT-AP 3.0.1 shapes want ``dct:title`` on a scheme and ``skos:prefLabel`` on a concept): the
#: names their publishers give them (EU Publications Office authority tables, ADMS, LOS).
SCHEME_TITLES: dict[str, str] = {
    EU_DATA_THEME_SCHEME: "Data theme",
    LOS_THEME_SCHEME: "Theme",
    EU_DATASET_TYPE_SCHEME: "Dataset type",
    ADMS_PUBLISHER_TYPE_SCHEME: "Publisher type",
    ADMS_LICENCE_TYPE_SCHEME: "Licence type",
}
CONCEPT_LABELS: dict[str, str] = {
    str(EU_DATASET_TYPE.CODE_LIST): "Code list",
    str(ADMS_PUBLISHER_TYPE.NationalAuthority): "National authority",
    str(ADMS_LICENCE_TYPE.Attribution): "Attribution",
}
#: What the vocabularies dataset is, in the EU dataset-type table: code lists (the value sets,
#: and the theme scheme used as one). One type: DCAT-AP-NO allows one.
_VOCABULARY_TYPES = (EU_DATASET_TYPE.CODE_LIST,)


class _Triples:
    def __init__(self, base: Iterable[ox.Triple]) -> None:
        self.triples: set[ox.Triple] = set(base)
        self._index: dict[tuple[str, str], list[ox.NamedNode | ox.Literal]] = {}
        self._index_key: tuple[int, int] | None = None

    def add(self, s: str, p: str, o: ox.NamedNode | ox.Literal | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.triples.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(str(p)), obj))

    def texts(self, s: str, p: str, nb: str, en: str) -> None:
        self.add(s, p, ox.Literal(nb, language="nb"))
        self.add(s, p, ox.Literal(en, language="en"))

    def objects(self, s: str, p: str) -> list[ox.NamedNode | ox.Literal]:
        # an index by (subject, predicate), rebuilt when the triples changed: a scan per call
        # made the series of N plans cost N times the catalogue (issue 24)
        key = (id(self.triples), len(self.triples))
        if self._index_key != key:
            index: dict[tuple[str, str], list[ox.NamedNode | ox.Literal]] = {}
            for t in self.triples:
                if isinstance(t.object, (ox.NamedNode, ox.Literal)):
                    index.setdefault((_v(t.subject), t.predicate.value), []).append(t.object)
            self._index = index
            self._index_key = key
        return sorted(self._index.get((s, str(p)), []), key=str)


def _v(term: object) -> str:
    """The IRI, blank-node id or lexical form of a term ('' for a quoted triple)."""
    return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else ""


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(str(datatype)))


def _publisher_is_a_ministry(reader: ox.Store, orgnr: str) -> bool:
    """Whether the organisation register has the publisher (by organisation number) as a
    ministry."""
    kind = ox.NamedNode(str(OGP.organisationKind))
    return any(
        next(reader.quads_for_pattern(q.subject, kind, ox.NamedNode(_MINISTRY), None), None)
        for q in reader.quads_for_pattern(
            None, ox.NamedNode(str(OGP.organisationNumber)), ox.Literal(orgnr), None
        )
    )


def _checksums(g: _Triples, u: CatalogueUris, files: dict[str, list[ExportFile]]) -> None:
    """Byte sizes as xsd:nonNegativeInteger and one SHA-256 checksum per distribution."""
    replaced = (str(DCAT3.byteSize), str(SPDX.checksum))
    g.triples = {
        t
        for t in g.triples
        if t.predicate.value not in replaced
        and not _v(t.subject).endswith("/checksum")  # the SHA-1 checksums
        and _v(t.subject) != str(SPDX.checksumAlgorithm_sha1)
    }
    for key, fs in files.items():
        for f in fs:
            dist = u.distribution(key, f.kind)
            g.add(dist, DCAT3.byteSize, _typed(str(f.byte_size), XSD.nonNegativeInteger))
            checksum = dist + "/checksum-sha256"
            g.add(dist, SPDX.checksum, checksum)
            g.add(checksum, RDF.type, str(SPDX.Checksum))
            g.add(checksum, SPDX.algorithm, SPDX_SHA256_HTTPS)
            g.add(checksum, SPDX.checksumValue, _typed(f.sha256, XSD.hexBinary))
    g.add(SPDX_SHA256_HTTPS, RDF.type, str(SPDX.ChecksumAlgorithm))
    g.add(SPDX_SHA256_HTTPS, OWL.sameAs, SPDX_SHA256)
    g.add(SPDX_SHA256, RDF.type, str(SPDX.ChecksumAlgorithm))


def _scheme(g: _Triples, scheme: str) -> None:
    g.add(scheme, RDF.type, str(SKOS.ConceptScheme))
    g.add(scheme, DCTERMS.title, ox.Literal(SCHEME_TITLES[scheme], language="en"))


def _concept(g: _Triples, concept: str, scheme: str) -> None:
    g.add(concept, RDF.type, str(SKOS.Concept))
    g.add(concept, SKOS.inScheme, scheme)
    g.add(concept, SKOS.prefLabel, ox.Literal(CONCEPT_LABELS[concept], language="en"))
    _scheme(g, scheme)


def _vocabulary_terms(g: _Triples, u: CatalogueUris, reader: ox.Store, settings: Settings) -> None:
    """The kinds and schemes of the vocabulary terms the catalogue uses (what the shapes test on
    a value: its class and ``skos:inScheme``)."""
    g.add(u.catalog, DCAT3.themeTaxonomy, EU_DATA_THEME_SCHEME)
    g.add(u.catalog, DCAT3.themeTaxonomy, LOS_THEME_SCHEME)
    _scheme(g, EU_DATA_THEME_SCHEME)
    _scheme(g, LOS_THEME_SCHEME)
    themes = {_v(t.object) for t in g.triples if t.predicate.value == str(DCAT3.theme)}
    for theme in sorted(themes):
        scheme = (
            EU_DATA_THEME_SCHEME
            if theme.startswith(str(EU_DATA_THEME))
            else LOS_THEME_SCHEME
            if theme.startswith(LOS_THEME_NS)
            else None
        )
        if scheme:  # labels of the themes: the validator's vocabulary descriptions, LOS
            g.add(theme, RDF.type, str(SKOS.Concept))
            g.add(theme, SKOS.inScheme, scheme)
    g.add(str(LICENCE), DCTERMS.type, str(ADMS_LICENCE_TYPE.Attribution))
    _concept(g, str(ADMS_LICENCE_TYPE.Attribution), ADMS_LICENCE_TYPE_SCHEME)
    if _publisher_is_a_ministry(reader, settings.publisher_orgnr):
        authority = str(ADMS_PUBLISHER_TYPE.NationalAuthority)
        g.add(publisher_iri(settings.publisher_orgnr), DCTERMS.type, authority)
        _concept(g, authority, ADMS_PUBLISHER_TYPE_SCHEME)


_SERIES_KEYWORDS = (
    ("Open Government Partnership", "Open Government Partnership"),
    ("åpenhet", "transparency"),
    ("handlingsplan", "action plan"),
)


def _period(g: _Triples, ds: str) -> tuple[str, str]:
    """A plan dataset's period (start, end) as the DCAT-AP-NO graph gives it ('' if none)."""
    start = end = ""
    for period in g.objects(ds, DCTERMS.temporal):
        for s in g.objects(period.value, DCAT3.startDate):
            start = s.value
        for e in g.objects(period.value, DCAT3.endDate):
            end = e.value
    return start, end


def _series(g: _Triples, u: CatalogueUris, contents: list[DatasetContent], publisher: str) -> None:
    """The action plans as one dataset series, in plan order: by the start of each plan's period
    as the data gives it (then its end, then the IRI).

    A plan whose start the data does not give is in the series but outside the order (no
    ``dcat:prev``/``dcat:next``), and since its place is unknown the series then names no
    ``dcat:first``/``dcat:last`` and no period: the registry never guesses a date."""
    plans = sorted(u.dataset(c.key) for c in contents if c.kind == "plan")
    if not plans:
        return
    periods = {ds: _period(g, ds) for ds in plans}
    ordered = sorted(
        (ds for ds in plans if periods[ds][0]),
        key=lambda ds: (periods[ds][0], periods[ds][1] or "9999", ds),
    )
    complete = len(ordered) == len(plans)
    s = u.series
    g.add(u.catalog, DCAT3.dataset, s)
    g.add(s, RDF.type, str(DCAT3.DatasetSeries))
    g.add(s, RDF.type, str(DCAT3.Dataset))  # DCAT 3: dcat:DatasetSeries ⊑ dcat:Dataset
    g.add(s, DCTERMS.identifier, ox.Literal(s))
    g.texts(
        s,
        DCTERMS.title,
        "Norges handlingsplaner for Open Government Partnership",
        "Norway's OGP action plans",
    )
    g.texts(
        s,
        DCTERMS.description,
        "Norges nasjonale handlingsplaner for Open Government Partnership, ett datasett per "
        "handlingsplan, i rekkefølgen planene gjelder: forpliktelser, milepæler, "
        "konsultasjoner og oppfølging. Fra OGP-registeret.",
        "Norway's national action plans for the Open Government Partnership, one dataset per "
        "action plan, in the order the plans run: commitments, milestones, consultations and "
        "follow-up. From the OGP registry.",
    )
    g.add(s, DCTERMS.publisher, publisher)
    g.add(s, DCAT3.contactPoint, u.contact_point)
    for theme in BASE_THEMES:
        g.add(s, DCAT3.theme, str(theme))
    g.add(s, DCTERMS.spatial, str(EU_COUNTRY.NOR))
    for nb, en in _SERIES_KEYWORDS:
        g.texts(s, DCAT3.keyword, nb, en)
    if complete and all(p[1] for p in periods.values()):
        period = s + "/temporal"
        g.add(s, DCTERMS.temporal, period)
        g.add(period, RDF.type, str(DCTERMS.PeriodOfTime))
        g.add(period, DCAT3.startDate, _typed(min(p[0] for p in periods.values()), XSD.date))
        g.add(period, DCAT3.endDate, _typed(max(p[1] for p in periods.values()), XSD.date))
    if complete:
        g.add(s, DCAT3.first, ordered[0])
        g.add(s, DCAT3.last, ordered[-1])
    for ds in plans:
        g.add(ds, DCAT3.inSeries, s)
    for before, after in zip(ordered, ordered[1:], strict=False):
        g.add(after, DCAT3.prev, before)
        g.add(before, DCAT3.next, after)


def _feed_service(
    g: _Triples, u: CatalogueUris, contents: list[DatasetContent], publisher: str
) -> None:
    """The change feed (``/feed``, docs/feed.md) as a data service: an LDES event stream of the
    versions of every item under ``{base}id/`` (the plans' and the organisations' data)."""
    s = u.feed_service
    g.add(u.catalog, DCAT3.service, s)
    g.add(s, RDF.type, str(DCAT3.DataService))
    g.add(s, DCTERMS.identifier, ox.Literal(s))
    g.texts(
        s, DCTERMS.title, "Endringsstrømmen til OGP-registeret", "Change feed of the OGP registry"
    )
    g.texts(
        s,
        DCTERMS.description,
        "Hver versjon av hver handlingsplan, forpliktelse, milepæl, møte, forslag, kommentar, "
        "vurdering og organisasjon i registeret, i den rekkefølgen endringene ble registrert, "
        "som en Linked Data Event Stream (LDES): start med øyeblikksbildet, les så endringene "
        "etter det, og kom tilbake senere for å lese videre.",
        "Every version of every action plan, commitment, milestone, meeting, proposal, comment, "
        "assessment and organisation in the registry, in the order the changes were recorded, "
        "as a Linked Data Event Stream (LDES): start from the snapshot, read the changes after "
        "it, and come back later to read on.",
    )
    g.add(s, DCAT3.endpointURL, u.feed)
    g.add(s, DCAT3.endpointDescription, u.feed)
    g.add(u.feed, RDF.type, str(LDES.EventStream))
    g.add(s, DCTERMS.conformsTo, LDES_SPEC)
    for c in contents:
        if c.kind in ("plan", "organisations"):
            g.add(s, DCAT3.servesDataset, u.dataset(c.key))
    g.add(s, DCTERMS.publisher, publisher)
    g.add(s, DCAT3.contactPoint, u.contact_point)
    g.add(s, DCTERMS.accessRights, str(EU_ACCESS_RIGHT.PUBLIC))
    g.add(s, DCTERMS.license, str(LICENCE))
    g.add(s, DCAT3.theme, str(EU_DATA_THEME.GOVE))
    for nb, en in (
        ("Open Government Partnership", "Open Government Partnership"),
        ("åpenhet", "transparency"),
        ("endringslogg", "change log"),
        ("LDES", "LDES"),
    ):
        g.texts(s, DCAT3.keyword, nb, en)


def build_graph_ap3(
    settings: Settings,
    reader: ox.Store,
    contents: list[DatasetContent],
    files: dict[str, list[ExportFile]],
    base: list[ox.Triple],
) -> list[ox.Triple]:
    """The DCAT-AP 3 profile of the revision whose DCAT-AP-NO 2.0 graph is ``base``."""
    u = CatalogueUris(settings.base_uri)
    publisher = publisher_iri(settings.publisher_orgnr)
    g = _Triples(base)
    _checksums(g, u, files)
    g.add(u.catalog, DCAT3.contactPoint, u.contact_point)
    g.add(u.contact_point, RDF.type, str(VCARD.Organization))
    g.add(u.catalog, DCTERMS.conformsTo, DCAT_AP_3)
    for c in contents:
        if c.kind == "vocabularies":
            for kind in _VOCABULARY_TYPES:
                g.add(u.dataset(c.key), DCTERMS.type, str(kind))
                _concept(g, str(kind), EU_DATASET_TYPE_SCHEME)
    _series(g, u, contents, publisher)
    _feed_service(g, u, contents, publisher)
    _vocabulary_terms(g, u, reader, settings)
    for std, (nb, en) in STANDARDS_AP3.items():
        g.add(std, RDF.type, str(DCTERMS.Standard))
        g.texts(std, DCTERMS.title, nb, en)
    return sorted(g.triples, key=str)
