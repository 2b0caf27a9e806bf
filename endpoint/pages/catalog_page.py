"""``/catalog`` for people: the DCAT catalogue as a page of dataset cards (issue 19).

A browser (a request that names ``text/html`` or ``application/xhtml+xml`` in ``Accept`` and
likes it at least as much as every RDF format, as for ``/sparql``: :func:`wants_html`) gets
this page; every other request gets exactly the RDF it got before (``endpoint/catalog.py``
asks :func:`wants_html` first, and nothing else changes there). ``?format=html`` asks for the
page outright. The page is drawn from the same :class:`registry.publish.dcat.Catalogue` the RDF
is serialised from (its DCAT-AP-NO 2.0 graph), so the two never disagree: title, description,
publisher, licence, dates, keywords, and per dataset its distributions with format, size and
download link, plus links to the SPARQL endpoint, the query page and the change feed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Response, request

from endpoint.conneg import parse_accept, quality
from endpoint.pages.page import Alternate, Page, page_lang, render
from registry.i18n import Lang
from registry.model.text import Text, literal_text, pick
from registry.publish.dcat import FEED_FORMATS, Catalogue

DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_HTML = ("text/html", "application/xhtml+xml")
#: The media types the RDF catalogue answers (endpoint/catalog.py ACCEPTED and FEED_FORMATS).
_RDF_TYPES = (
    *FEED_FORMATS.values(),
    "application/x-turtle",
    "application/turtle",
    "application/json",
)
#: Names of the file types the catalogue uses (EU file-type authority codes).
_FILE_TYPES = {
    "RDF_TURTLE": "Turtle",
    "RDF_N_TRIPLES": "N-Triples",
    "RDF_XML": "RDF/XML",
    "JSON_LD": "JSON-LD",
    "CSV": "CSV",
    "JSON": "JSON",
}
#: Licences by IRI -> the key of their name in the pages' words.
_LICENCES = {
    "http://publications.europa.eu/resource/authority/licence/NLOD_2_0": "licence_nlod",
    "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0": "licence_cc_by",
}


def wants_html() -> bool:
    """True for a browser: ``?format=html``, or an Accept header that names HTML outright (not
    only through ``*/*``) and likes it at least as much as every RDF format the catalogue has.
    A request with ``format``, ``_mediatype`` or ``_profile`` parameters or an Accept-Profile
    header asks for RDF and never gets the page."""
    if request.args.get("format", "").strip().lower() == "html":
        return True
    if any(k in request.args for k in ("format", "_mediatype", "_profile")):
        return False
    if any(h.strip() for h in request.headers.getlist("Accept-Profile")):
        return False
    ranges = parse_accept(request.headers.get("Accept"))
    explicit = [q for m, q in ranges if m in _HTML]
    if not explicit or max(explicit) <= 0:
        return False
    html_q = max(quality(ranges, m) for m in _HTML)
    return html_q >= max(quality(ranges, m) for m in _RDF_TYPES)


# -- the catalogue's graph, read ----------------------------------------------------------------
class _Graph:
    """The catalogue's triples by subject and predicate."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = (
            defaultdict(lambda: defaultdict(list))
        )
        for t in triples:
            if isinstance(t.subject, ox.NamedNode | ox.BlankNode) and not isinstance(
                t.object, ox.Triple
            ):
                key = t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject)
                self.out[key][t.predicate.value].append(t.object)

    def objects(self, s: str, p: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        return self.out.get(s, {}).get(p, [])

    def iris(self, s: str, p: str) -> list[str]:
        return sorted(o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode))

    def text(self, s: str, p: str, lang: Lang) -> Text | None:
        lits = [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]
        return pick(((o.value, o.language) for o in lits), lang)

    def literal(self, s: str, p: str, lang: Lang) -> Text | None:
        lits = [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]
        return literal_text(lits[0], lang) if lits else None

    def of_type(self, cls: str) -> list[str]:
        return sorted(
            s for s, props in self.out.items()
            if any(isinstance(o, ox.NamedNode) and o.value == cls for o in props.get(RDF_TYPE, []))
        )


@dataclass
class Distribution:
    iri: str
    title: Text | None
    description: Text | None
    format: str
    media_type: str
    size: int | None
    download: str


@dataclass
class DatasetCard:
    iri: str
    title: Text | None
    description: Text | None
    publisher: Text | None
    licence: str | None
    licence_iri: str | None
    modified: Text | None
    issued: Text | None
    keywords: list[str]
    distributions: list[Distribution] = field(default_factory=list)


def _size(n: int | None, lang: Lang) -> str:
    """``52.7 kB`` / ``52,7 kB`` (decimal units)."""
    if n is None:
        return ""
    value, unit = float(n), "B"
    for u in ("kB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, u
    text = f"{value:.0f}" if unit == "B" else f"{value:.1f}"
    if lang != "en":
        text = text.replace(".", ",")
    return f"{text}\u00a0{unit}"


def _distribution(g: _Graph, d: str, lang: Lang) -> Distribution:
    fmt_iri = next(iter(g.iris(d, DCT + "format")), "")
    code = fmt_iri.rsplit("/", 1)[-1]
    media = next(iter(g.iris(d, DCAT + "mediaType")), "")
    media_type = media.split("/media-types/", 1)[-1] if media else ""
    size_lit = next(
        (o for o in g.objects(d, DCAT + "byteSize") if isinstance(o, ox.Literal)), None
    )
    try:
        size = int(float(size_lit.value)) if size_lit is not None else None
    except ValueError:
        size = None
    download = next(iter(g.iris(d, DCAT + "downloadURL") or g.iris(d, DCAT + "accessURL")), "")
    return Distribution(
        iri=d,
        title=g.text(d, DCT + "title", lang),
        description=g.text(d, DCT + "description", lang),
        format=_FILE_TYPES.get(code, code or media_type),
        media_type=media_type,
        size=size,
        download=download,
    )


def _card(g: _Graph, ds: str, page: Page) -> DatasetCard:
    lang = page.lang
    publisher = next(iter(g.iris(ds, DCT + "publisher")), None)
    licence = next(iter(g.iris(ds, DCT + "license")), None)
    if licence is None:  # the distributions carry it
        licence = next(
            (x for d in g.iris(ds, DCAT + "distribution") for x in g.iris(d, DCT + "license")),
            None,
        )
    words = [o for o in g.objects(ds, DCAT + "keyword") if isinstance(o, ox.Literal)]
    mine = sorted({o.value for o in words if (o.language or "").startswith(lang[:2])})
    card = DatasetCard(
        iri=ds,
        title=g.text(ds, DCT + "title", lang),
        description=g.text(ds, DCT + "description", lang),
        publisher=g.text(publisher, FOAF + "name", lang) if publisher else None,
        licence=page.t[_LICENCES[licence]] if licence in _LICENCES else licence,
        licence_iri=licence,
        modified=g.literal(ds, DCT + "modified", lang),
        issued=g.literal(ds, DCT + "issued", lang),
        keywords=mine or sorted({o.value for o in words}),
    )
    dists = [_distribution(g, d, lang) for d in g.iris(ds, DCAT + "distribution")]
    card.distributions = sorted(dists, key=lambda x: (x.format != "CSV", x.format, x.download))
    return card


def render_catalog(cat: Catalogue) -> Response:
    """The catalogue page for ``cat`` (the revision's catalogue, as served as RDF)."""
    page = Page(page_lang())
    g = _Graph(cat.graph())
    catalogs = g.of_type(DCAT + "Catalog")
    root = catalogs[0] if catalogs else page.base + "catalog"
    datasets = g.iris(root, DCAT + "dataset") or g.of_type(DCAT + "Dataset")
    cards = [_card(g, ds, page) for ds in datasets]
    services = [
        {
            "iri": s,
            "title": g.text(s, DCT + "title", page.lang),
            "description": g.text(s, DCT + "description", page.lang),
            "endpoint": next(iter(g.iris(s, DCAT + "endpointURL")), ""),
        }
        for s in g.iris(root, DCAT + "service")
    ]
    publisher = next(iter(g.iris(root, DCT + "publisher")), None)
    catalog_url = page.base + "catalog"
    alternates = [
        Alternate(label, media_type, f"{catalog_url}?format={fmt}")
        for fmt, label, media_type in (
            ("turtle", "Turtle", FEED_FORMATS["turtle"]),
            ("rdfxml", "RDF/XML", FEED_FORMATS["rdfxml"]),
            ("jsonld", "JSON-LD", FEED_FORMATS["jsonld"]),
            ("ntriples", "N-Triples", FEED_FORMATS["ntriples"]),
        )
    ]
    title = g.text(root, DCT + "title", page.lang)
    resp = render(
        "pages/catalog.html",
        page,
        # the page's own name: the catalogue's dct:title begins with the site's name, which
        # base.html adds after it («<page> – <site>», WCAG 2.4.2); the h1 shows dct:title
        title=page.t["catalog_title"],
        alternates=alternates,
        heading=title,
        description=g.text(root, DCT + "description", page.lang),
        publisher=g.text(publisher, FOAF + "name", page.lang) if publisher else None,
        modified=g.literal(root, DCT + "modified", page.lang),
        cards=cards,
        services=services,
        size=lambda n: _size(n, page.lang),
    )
    resp.headers["Cache-Control"] = "no-cache"
    resp.set_etag(f"r{cat.revision}-html-{page.lang}")
    resp.last_modified = cat.modified
    resp.make_conditional(request)
    return resp
