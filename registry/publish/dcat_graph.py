"""The catalogue as triples (:func:`build_graph`): the catalog, one dataset per action plan, one
for the organisation register and one for the vocabularies, their distributions (the files
``registry/publish/exports.py`` writes) and the SPARQL endpoint as a ``dcat:DataService``, with
their titles, descriptions and keywords in bokmål and English, their themes (EU data themes
and the LOS themes the theme scheme maps a plan's themes to) and their periods."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD

from registry.namespaces import DCAT3, EU_COUNTRY, EU_DATA_THEME, SPDX, THEME_NS, VCARD
from registry.publish.dcat_dates import Dates
from registry.publish.dcat_terms import (
    BASE_THEMES,
    DCAT_AP_NO,
    EU_ACCESS_RIGHT,
    EU_FILE_TYPE,
    EU_FREQUENCY,
    EU_LANGUAGE,
    IANA_MEDIA_TYPE,
    LICENCE,
    LOS_THEME_NS,
    ONTOLOGY,
    RFC4180,
    SHAPES,
    SPARQL_PROTOCOL,
    STANDARDS,
    CatalogueUris,
    check_email,
    publisher_iri,
)
from registry.publish.exports import DatasetContent, ExportFile
from registry.settings import Settings

Obj = ox.NamedNode | ox.Literal


class _Graph:
    def __init__(self) -> None:
        self.triples: set[ox.Triple] = set()

    def add(self, s: str, p: str, o: Obj | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.triples.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(str(p)), obj))

    def texts(self, s: str, p: str, nb: str, en: str) -> None:
        self.add(s, p, ox.Literal(nb, language="nb"))
        self.add(s, p, ox.Literal(en, language="en"))


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(str(datatype)))


def _when(dt: datetime) -> ox.Literal:
    return _typed(dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), XSD.dateTime)


def _as_date(lit: ox.Literal, end: bool) -> ox.Literal | None:
    """A plan date at its precision (date, year-month, year) as the xsd:date DCAT-AP-NO wants:
    the first day of the month or year for a start, the last for an end."""
    v = lit.value
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v[:10]) and len(v) >= 10:
            return _typed(v[:10], XSD.date)
        if re.fullmatch(r"\d{4}-\d{2}", v[:7]) and len(v) >= 7:
            y, m = int(v[:4]), int(v[5:7])
            if not end:
                return _typed(f"{y:04d}-{m:02d}-01", XSD.date)
            nxt = datetime(y + (m == 12), m % 12 + 1, 1)
            return _typed((nxt - timedelta(days=1)).strftime("%Y-%m-%d"), XSD.date)
        if re.fullmatch(r"\d{4}", v[:4]):
            return _typed(f"{v[:4]}-12-31" if end else f"{v[:4]}-01-01", XSD.date)
    except ValueError:
        return None
    return None


def _literal(reader: ox.Store, s: str, p: str, lang: str | None = None) -> ox.Literal | None:
    found = sorted(
        (
            q.object
            for q in reader.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(str(p)), None)
            if isinstance(q.object, ox.Literal) and (lang is None or q.object.language == lang)
        ),
        key=str,
    )
    return found[0] if found else None


def _los_themes(reader: ox.Store, themes: set[str], memo: dict[str, frozenset[str]]) -> set[str]:
    """LOS themes the theme scheme maps the given themes (or their broader themes) to; each
    theme's are looked up once per catalogue (``memo``: they are the same for every dataset
    that uses it)."""
    out: set[str] = set()
    for t in themes:
        found = memo.get(t)
        if found is None:
            found = memo[t] = _los_of(reader, t)
        out |= found
    return out


def _los_of(reader: ox.Store, theme: str) -> frozenset[str]:
    """LOS themes the theme scheme maps ``theme`` (or its broader themes) to."""
    out: set[str] = set()
    seen: set[str] = set()
    todo = [theme]
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        node = ox.NamedNode(t)
        for p in (SKOS.closeMatch, SKOS.relatedMatch, SKOS.exactMatch, SKOS.broader):
            for q in reader.quads_for_pattern(node, ox.NamedNode(str(p)), None):
                if not isinstance(q.object, ox.NamedNode):
                    continue
                if q.object.value.startswith(LOS_THEME_NS):
                    out.add(q.object.value)
                elif p == SKOS.broader:
                    todo.append(q.object.value)
    return frozenset(out)


_KEYWORDS = {
    "common": [
        ("Open Government Partnership", "Open Government Partnership"),
        ("åpenhet", "transparency"),
        ("åpen forvaltning", "open government"),
    ],
    "plan": [
        ("handlingsplan", "action plan"),
        ("forpliktelser", "commitments"),
        ("medvirkning", "participation"),
    ],
    "organisations": [
        ("organisasjoner", "organisations"),
        ("departementer", "ministries"),
        ("sivilsamfunn", "civil society"),
    ],
    "vocabularies": [("temaer", "themes"), ("kodelister", "code lists"), ("SKOS", "SKOS")],
}

_DIST_TEXT: dict[str, tuple[str, str, str, str, str, str]] = {
    # kind: title nb, title en, description nb, description en, file type, conforms to
    "turtle": (
        "Hele datasettet som Turtle",
        "The whole dataset as Turtle",
        "Alle tripler i datasettet, som RDF Turtle (UTF-8).",
        "Every triple of the dataset, as RDF Turtle (UTF-8).",
        "RDF_TURTLE",
        ONTOLOGY,
    ),
    "ntriples": (
        "Hele datasettet som N-Triples",
        "The whole dataset as N-Triples",
        "Alle tripler i datasettet, som RDF N-Triples (UTF-8), én tripel per linje.",
        "Every triple of the dataset, as RDF N-Triples (UTF-8), one triple per line.",
        "RDF_N_TRIPLES",
        ONTOLOGY,
    ),
    "commitments-csv": (
        "Forpliktelsene som CSV (regneark)",
        "The commitments as CSV (spreadsheet)",
        "Én rad per forpliktelse: identifikator, titler, ansvarlig departement, datoer, status, "
        "temaer og politikkområder. UTF-8 med BOM, komma som skilletegn. Celler som begynner "
        "med =, +, -, @, tabulator eller vognretur har fått en apostrof foran (mot "
        "formelinjeksjon).",
        "One row per commitment: identifier, titles, lead agency, dates, status, themes and "
        "policy areas. UTF-8 with BOM, comma-separated. Cells beginning with =, +, -, @, tab "
        "or carriage return are prefixed with an apostrophe (against formula injection).",
        "CSV",
        RFC4180,
    ),
    "milestones-csv": (
        "Milepælene som CSV (regneark)",
        "The milestones as CSV (spreadsheet)",
        "Én rad per milepæl: forpliktelse, nummer, titler, datoer og gjennomføring. UTF-8 med "
        "BOM, komma som skilletegn. Celler som begynner med =, +, -, @, tabulator eller "
        "vognretur har fått en apostrof foran (mot formelinjeksjon).",
        "One row per milestone: commitment, position, titles, dates and completion. UTF-8 "
        "with BOM, comma-separated. Cells beginning with =, +, -, @, tab or carriage return "
        "are prefixed with an apostrophe (against formula injection).",
        "CSV",
        RFC4180,
    ),
}


def _dataset_texts(reader: ox.Store, c: DatasetContent) -> tuple[str, str, str, str]:
    if c.kind == "plan":
        assert c.plan is not None
        ident = c.plan_id or c.key
        nb_lit = _literal(reader, c.plan, DCTERMS.title, "nb")
        en_lit = _literal(reader, c.plan, DCTERMS.title, "en")
        title_nb = (
            nb_lit.value if nb_lit else f"Handlingsplan {ident} for Open Government Partnership"
        )
        title_en = en_lit.value if en_lit else f"Open Government Partnership action plan {ident}"
        return (
            f"{title_nb}: forpliktelser, milepæler og oppfølging",
            f"{title_en}: commitments, milestones and follow-up",
            f"Handlingsplanen «{title_nb}» som lenkede åpne data: planen, forpliktelsene og "
            "milepælene deres, møtene og forslagene i konsultasjonen, kommentarer og "
            "fremdriftsvurderinger. Fra OGP-registeret.",
            f"The action plan “{title_en}” as linked open data: the plan, its commitments and "
            "their milestones, the consultation's meetings and proposals, comments and progress "
            "assessments. From the OGP registry.",
        )
    if c.kind == "organisations":
        return (
            "Organisasjoner i OGP-registeret",
            "Organisations in the OGP registry",
            "Departementer, andre offentlige virksomheter, sivilsamfunnsorganisasjoner og andre "
            "organisasjoner som deltar i arbeidet med Norges handlingsplaner for Open Government "
            "Partnership, med organisasjonstype og, der en offentlig kilde oppgir det, "
            "organisasjonsnummer i Enhetsregisteret.",
            "Ministries, other public bodies, civil-society organisations and other "
            "organisations taking part in the work on Norway's Open Government Partnership "
            "action plans, with their kind and, where a public source gives it, their number "
            "in the Central Coordinating Register for Legal Entities.",
        )
    return (
        "Temaer og verdilister i OGP-registeret",
        "Themes and value sets of the OGP registry",
        "Temaskjemaet for Norges handlingsplaner for Open Government Partnership (SKOS), med "
        "koblinger til OGPs politikkområder, EUs datatemaer og LOS, og verdilistene registeret "
        "bruker: OGP-verdier, gjennomføringsgrad, status, organisasjonstyper og "
        "vurderingsskalaer.",
        "The theme scheme of Norway's Open Government Partnership action plans (SKOS), with "
        "mappings to OGP policy areas, EU data themes and LOS, and the value sets the registry "
        "uses: OGP values, completion levels, statuses, organisation kinds and assessment "
        "scales.",
    )


def _dataset_themes(
    reader: ox.Store, c: DatasetContent, memo: dict[str, frozenset[str]]
) -> set[str]:
    themes = {str(t) for t in BASE_THEMES}
    if c.kind == "plan":
        themes |= _los_themes(reader, c.used_themes(), memo)
    elif c.kind == "vocabularies":
        themes |= _los_themes(reader, {m for m in c.members if m.startswith(THEME_NS)}, memo)
    return themes


def build_graph(
    settings: Settings,
    reader: ox.Store,
    contents: list[DatasetContent],
    files: dict[str, list[ExportFile]],
    dates: dict[str, Dates],
) -> list[ox.Triple]:
    """The catalogue as triples (sorted): catalog, datasets, distributions, data service."""
    u = CatalogueUris(settings.base_uri)
    publisher = publisher_iri(settings.publisher_orgnr)
    los: dict[str, frozenset[str]] = {}  # theme -> LOS themes, looked up once per catalogue
    email = check_email(settings.contact_email)
    g = _Graph()

    g.add(u.catalog, RDF.type, str(DCAT3.Catalog))
    g.add(u.catalog, DCTERMS.identifier, ox.Literal(u.catalog))
    g.texts(
        u.catalog,
        DCTERMS.title,
        "OGP-registeret: Norges handlingsplaner for Open Government Partnership",
        "The OGP registry: Norway's Open Government Partnership action plans",
    )
    g.texts(
        u.catalog,
        DCTERMS.description,
        "Datasettene i OGP-registeret: Norges nasjonale handlingsplaner for Open Government "
        "Partnership med forpliktelser, milepæler, konsultasjoner og oppfølging, "
        "organisasjonene som deltar, og temaene og verdilistene registeret bruker. Alle data "
        "er lenkede åpne data og kan også spørres med SPARQL.",
        "The datasets of the OGP registry: Norway's national action plans for the Open "
        "Government Partnership with their commitments, milestones, consultations and "
        "follow-up, the organisations taking part, and the themes and value sets the "
        "registry uses. All data is linked open data and can also be queried with SPARQL.",
    )
    g.add(u.catalog, DCTERMS.publisher, publisher)
    g.add(u.catalog, FOAF.homepage, settings.base_uri)
    g.add(settings.base_uri, RDF.type, str(FOAF.Document))
    g.add(u.catalog, DCTERMS.license, str(LICENCE))
    g.add(u.catalog, DCTERMS.spatial, str(EU_COUNTRY.NOR))
    g.add(u.catalog, DCTERMS.conformsTo, DCAT_AP_NO)
    for lang in ("NOB", "ENG"):
        g.add(u.catalog, DCTERMS.language, str(EU_LANGUAGE[lang]))
    cat_dates = dates[u.catalog]
    g.add(u.catalog, DCTERMS.issued, _when(cat_dates.issued))
    g.add(u.catalog, DCTERMS.modified, _when(cat_dates.modified))
    g.add(u.catalog, DCAT3.service, u.service)

    g.add(publisher, RDF.type, str(FOAF.Agent))
    g.add(publisher, FOAF.name, ox.Literal(settings.publisher_name, language="nb"))
    g.add(publisher, DCTERMS.identifier, ox.Literal(settings.publisher_orgnr))

    g.add(u.contact_point, RDF.type, str(VCARD.Organization))
    g.add(u.contact_point, VCARD.fn, ox.Literal(settings.publisher_name))
    g.add(u.contact_point, VCARD.hasEmail, "mailto:" + email)

    used_standards = {DCAT_AP_NO, SPARQL_PROTOCOL}
    for c in contents:
        ds = u.dataset(c.key)
        g.add(u.catalog, DCAT3.dataset, ds)
        g.add(u.service, DCAT3.servesDataset, ds)
        g.add(ds, RDF.type, str(DCAT3.Dataset))
        g.add(ds, DCTERMS.identifier, ox.Literal(ds))
        title_nb, title_en, desc_nb, desc_en = _dataset_texts(reader, c)
        g.texts(ds, DCTERMS.title, title_nb, title_en)
        g.texts(ds, DCTERMS.description, desc_nb, desc_en)
        for nb, en in _KEYWORDS["common"] + _KEYWORDS[c.kind]:
            g.texts(ds, DCAT3.keyword, nb, en)
        g.add(ds, DCTERMS.publisher, publisher)
        g.add(ds, DCAT3.contactPoint, u.contact_point)
        for theme in sorted(_dataset_themes(reader, c, los)):
            g.add(ds, DCAT3.theme, theme)
        g.add(ds, DCTERMS.spatial, str(EU_COUNTRY.NOR))
        for lang in ("NOB", "ENG"):
            g.add(ds, DCTERMS.language, str(EU_LANGUAGE[lang]))
        g.add(ds, DCTERMS.accessRights, str(EU_ACCESS_RIGHT.PUBLIC))
        g.add(ds, DCTERMS.accrualPeriodicity, str(EU_FREQUENCY.IRREG))
        d = dates[ds]
        g.add(ds, DCTERMS.issued, _when(d.issued))
        g.add(ds, DCTERMS.modified, _when(d.modified))
        for std in (ONTOLOGY, SHAPES):
            g.add(ds, DCTERMS.conformsTo, std)
            used_standards.add(std)
        if c.kind == "plan" and c.plan:
            start = _literal(reader, c.plan, "https://schema.org/startDate")
            end = _literal(reader, c.plan, "https://schema.org/endDate")
            start_d = _as_date(start, end=False) if start else None
            end_d = _as_date(end, end=True) if end else None
            if start_d or end_d:
                period = ds + "/temporal"
                g.add(ds, DCTERMS.temporal, period)
                g.add(period, RDF.type, str(DCTERMS.PeriodOfTime))
                if start_d:
                    g.add(period, DCAT3.startDate, start_d)
                if end_d:
                    g.add(period, DCAT3.endDate, end_d)
        for f in files[c.key]:
            dist = u.distribution(c.key, f.kind)
            t_nb, t_en, d_nb, d_en, file_type, standard = _DIST_TEXT[f.kind]
            g.add(ds, DCAT3.distribution, dist)
            g.add(dist, RDF.type, str(DCAT3.Distribution))
            g.texts(dist, DCTERMS.title, t_nb, t_en)
            g.texts(dist, DCTERMS.description, d_nb, d_en)
            g.add(dist, DCAT3.accessURL, u.download(f.name))
            g.add(dist, DCAT3.downloadURL, u.download(f.name))
            g.add(dist, DCAT3.mediaType, IANA_MEDIA_TYPE + f.media_type)
            g.add(dist, DCTERMS["format"], str(EU_FILE_TYPE[file_type]))
            g.add(dist, DCAT3.byteSize, _typed(str(f.byte_size), XSD.decimal))
            g.add(dist, DCTERMS.license, str(LICENCE))
            g.add(dist, DCTERMS.conformsTo, standard)
            used_standards.add(standard)
            checksum = dist + "/checksum"
            g.add(dist, SPDX.checksum, checksum)
            g.add(checksum, RDF.type, str(SPDX.Checksum))
            g.add(checksum, SPDX.algorithm, str(SPDX.checksumAlgorithm_sha1))
            g.add(checksum, SPDX.checksumValue, _typed(f.sha1, XSD.hexBinary))

    g.add(str(SPDX.checksumAlgorithm_sha1), RDF.type, str(SPDX.ChecksumAlgorithm))

    s = u.service
    g.add(s, RDF.type, str(DCAT3.DataService))
    g.add(s, DCTERMS.identifier, ox.Literal(s))
    g.texts(
        s,
        DCTERMS.title,
        "SPARQL-endepunktet til OGP-registeret",
        "SPARQL endpoint of the OGP registry",
    )
    g.texts(
        s,
        DCTERMS.description,
        "Spørringer i SPARQL 1.1 over alle data i registeret: handlingsplaner, "
        "organisasjoner og vokabularer. Tjenestebeskrivelsen (SPARQL Service Description) "
        "ligger på samme adresse.",
        "SPARQL 1.1 queries over all the registry's data: action plans, organisations and "
        "vocabularies. The service description (SPARQL Service Description) is at the same "
        "address.",
    )
    g.add(s, DCAT3.endpointURL, u.sparql)
    g.add(s, DCAT3.endpointDescription, u.sparql)
    g.add(s, DCTERMS.publisher, publisher)
    g.add(s, DCAT3.contactPoint, u.contact_point)
    g.add(s, DCTERMS.accessRights, str(EU_ACCESS_RIGHT.PUBLIC))
    g.add(s, DCTERMS.license, str(LICENCE))
    g.add(s, DCTERMS.conformsTo, SPARQL_PROTOCOL)
    g.add(s, DCAT3.theme, str(EU_DATA_THEME.GOVE))
    for nb, en in _KEYWORDS["common"] + [("SPARQL", "SPARQL")]:
        g.texts(s, DCAT3.keyword, nb, en)

    for std in sorted(used_standards):
        g.add(std, RDF.type, str(DCTERMS.Standard))
        g.texts(std, DCTERMS.title, *STANDARDS[std])
    return sorted(g.triples, key=str)
