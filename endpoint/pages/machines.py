"""What search engines and browsers ask of every site (issue 19): ``/robots.txt``,
``/sitemap.xml`` and ``/favicon.ico``.

* ``/robots.txt``: everything may be crawled except the SPARQL endpoint, the query page's
  answers, the Graph Store and the write paths (costly or private, never pages); it names the
  sitemap (an absolute URL from the base URI).
* ``/sitemap.xml``: every page of the registry: the landing page, the catalogue, the query page,
  the vocabulary documentation (``/def``, ``/def/theme``, ``/def/vocab``, ``/def/shapes`` and
  the page of every theme, value set and value) and every resource minted under ``{base}id/``
  and ``{base}graph/`` that the registry gives a type (withdrawn and superseded ones left out:
  they answer 410; versions left out: they are reached from their resource's history). Up to
  :data:`PAGE_SIZE` URLs it is one ``<urlset>``; beyond, it is a ``<sitemapindex>`` of
  ``/sitemap-<n>.xml`` files of that many each (the sitemaps protocol allows 50,000). Built once
  per store revision.
* ``/favicon.ico``: a small icon (16 and 32 px), package data, cached for a day.
"""

from __future__ import annotations

import threading
from importlib.resources import files
from xml.sax.saxutils import escape

import pyoxigraph as ox
from flask import Response, abort

from endpoint.app import state
from endpoint.pages.page import resources
from registry.model.terms import GONE_STATUSES, doc_iri

#: URLs per sitemap file.
PAGE_SIZE = 10_000
#: Paths a crawler should leave alone (relative to the base URI); ``query?``: the query page
#: with a query runs it (``/query?query=…&run=1``), while ``/query`` itself is a page
DISALLOWED = ("sparql", "query?", "graph-store", "api/", "submit", "download/")

_GONE = ", ".join(f"<{s}>" for s in GONE_STATUSES)
_SUBJECTS = f"""SELECT DISTINCT ?prefix ?s WHERE {{
  ?s a ?type .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?prefix)))
  FILTER NOT EXISTS {{ ?s ogp:registryStatus ?gone FILTER(?gone IN ({_GONE})) }}
}}"""
_VOCABULARY = """SELECT DISTINCT ?c WHERE {
  { ?c skos:inScheme ?scheme } UNION { ?c a skos:ConceptScheme }
}"""

_lock = threading.Lock()
_cache: dict[str, object] = {}


def robots() -> Response:
    base = state().settings.base_uri
    lines = ["User-agent: *", *(f"Disallow: /{p}" for p in DISALLOWED), "Allow: /", ""]
    lines.append(f"Sitemap: {base}sitemap.xml")
    resp = Response("\n".join(lines) + "\n", mimetype="text/plain")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


def favicon() -> Response:
    data = files("endpoint").joinpath("static/pages/favicon.ico").read_bytes()
    resp = Response(data, mimetype="image/vnd.microsoft.icon")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


def page_urls() -> list[str]:
    """Every page URL of the current revision, in a stable order (remembered per revision)."""
    res = resources()
    revision = res.revision()
    with _lock:
        if _cache.get("revision") == revision and "urls" in _cache:
            return _cache["urls"]  # type: ignore[return-value]
    base = state().settings.base_uri
    fixed = [base, base + "catalog", base + "query"]
    fixed += [base + p for p in ("def", "def/theme", "def/vocab", "def/shapes")]
    vocab = set()
    for row in res.select(_VOCABULARY):
        term = row["c"]
        if isinstance(term, ox.NamedNode):
            local = doc_iri(term.value, base)
            if local and "#" not in local:
                vocab.add(local)
    minted = {
        row["s"].value
        for row in res.select(_SUBJECTS, prefix=ox.Literal(base))
        if isinstance(row["s"], ox.NamedNode)
        and row["s"].value[len(base):].startswith(("id/", "graph/"))
        and "#" not in row["s"].value
        and "/version/" not in row["s"].value
    }
    urls = list(dict.fromkeys(fixed + sorted(vocab) + sorted(minted)))
    with _lock:
        _cache.clear()
        _cache.update(revision=revision, urls=urls)
    return urls


def _xml(body: str) -> Response:
    resp = Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, mimetype="application/xml")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _urlset(urls: list[str]) -> Response:
    items = "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in urls)
    return _xml(f"<urlset {_NS}>\n{items}</urlset>\n")


def sitemap() -> Response:
    """One ``<urlset>``, or a ``<sitemapindex>`` when there are more than PAGE_SIZE pages."""
    urls = page_urls()
    if len(urls) <= PAGE_SIZE:
        return _urlset(urls)
    base = state().settings.base_uri
    parts = (len(urls) + PAGE_SIZE - 1) // PAGE_SIZE
    items = "".join(
        f"<sitemap><loc>{escape(base)}sitemap-{n}.xml</loc></sitemap>\n"
        for n in range(1, parts + 1)
    )
    return _xml(f"<sitemapindex {_NS}>\n{items}</sitemapindex>\n")


def sitemap_part(n: int) -> Response:
    urls = page_urls()
    chunk = urls[(n - 1) * PAGE_SIZE : n * PAGE_SIZE] if n >= 1 else []
    if not chunk or len(urls) <= PAGE_SIZE:
        abort(404)
    return _urlset(chunk)

