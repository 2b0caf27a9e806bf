"""``/catalog`` (the DCAT-AP-NO feed) and ``/download/<file>`` (the distributions).

Both answer exactly what the national data catalogue's harvester expects: HTTP 200 with the
whole document, no redirect, UTF-8, compressed only when the request's Accept-Encoding asks for
gzip. The catalogue is Turtle unless the Accept header or ``?format=`` asks for RDF/XML,
JSON-LD or N-Triples. Both are built once per store revision (``registry.dcat``).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading

from flask import Blueprint, Flask, Response, request

from endpoint.app import error_response, request_lang, state
from registry.errors import NotFound, UsageError
from registry.i18n import msg
from registry.publish.dcat import FEED_FORMATS, Catalogue, CataloguePublisher

bp = Blueprint("dcat", __name__)

#: Accept-header media types -> feed format. "*/*" and a missing header mean Turtle.
ACCEPTED: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "ntriples",
}
#: ``?format=`` values -> feed format.
FORMAT_PARAM: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "xml": "rdfxml",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "json": "jsonld",
    "ntriples": "ntriples",
    "nt": "ntriples",
}
_CHARSET = {"text/turtle", "application/rdf+xml", "application/n-triples", "text/csv"}


def _publisher() -> CataloguePublisher:
    return state().extras["dcat"]  # type: ignore[no-any-return]


def choose_format() -> str:
    """The feed format for this request: ``?format=`` first, then the Accept header."""
    explicit = request.args.get("format")
    if explicit is not None:
        fmt = FORMAT_PARAM.get(explicit.strip().lower())
        if fmt is None:
            raise UsageError(
                msg(
                    "Unknown format {value!r} in ?format=. Allowed values: {allowed}.",
                    value=explicit,
                    allowed=", ".join(FORMAT_PARAM),
                )
            )
        return fmt
    if not request.headers.get("Accept", "").strip():
        return "turtle"
    best = request.accept_mimetypes.best_match(list(ACCEPTED))
    if best is None:
        return ""
    return ACCEPTED[best]


class _Compressed:
    """gzip bodies per (revision, name), so a repeated request costs nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision = -1
        self._cache: dict[str, bytes] = {}

    def get(self, revision: int, key: str, body: bytes) -> bytes:
        with self._lock:
            if revision != self._revision:
                self._revision, self._cache = revision, {}
            if key not in self._cache:
                self._cache[key] = gzip.compress(body, compresslevel=6, mtime=0)
            return self._cache[key]


def _wants_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _send(cat: Catalogue, key: str, body: bytes, media_type: str) -> Response:
    content_type = media_type + ("; charset=utf-8" if media_type in _CHARSET else "")
    headers = {"Vary": "Accept, Accept-Encoding", "Cache-Control": "no-cache"}
    if _wants_gzip():
        compressed: _Compressed = state().extras["dcat-gzip"]
        body = compressed.get(cat.revision, key, body)
        headers["Content-Encoding"] = "gzip"
    headers["Repr-Digest"] = (
        "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"
    )
    resp = Response(body, status=200, content_type=content_type, headers=headers)
    resp.set_etag(f"r{cat.revision}-{hashlib.sha256(body).hexdigest()[:16]}")
    resp.last_modified = cat.modified
    resp.make_conditional(request)  # 304 only for If-None-Match / If-Modified-Since
    return resp


@bp.get("/catalog")
def catalog() -> Response:
    """The whole DCAT-AP-NO catalogue in one document."""
    fmt = choose_format()
    if not fmt:
        lang = request_lang()
        text = msg(
            "None of the types in the Accept header can be served. The catalogue is available "
            "as {types}; without an Accept header (or with */*) you get Turtle.",
            types=", ".join(FEED_FORMATS.values()),
        ).render(lang)  # type: ignore[arg-type]
        return error_response(406, "not-acceptable", text)
    cat = _publisher().current()
    return _send(cat, "catalog." + fmt, cat.serialise(fmt), FEED_FORMATS[fmt])


@bp.get("/download/<path:name>")
def download(name: str) -> Response:
    """One distribution: a dataset dump (Turtle, N-Triples) or a CSV export."""
    cat = _publisher().current()
    f = cat.files.get(name)
    if f is None:
        raise NotFound(
            msg(
                "The file {name} does not exist. The downloadable files are listed in /catalog: "
                "{files}.",
                name=name,
                files=", ".join(sorted(cat.files)),
            )
        )
    resp = _send(cat, "file:" + f.name, f.data, f.media_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{f.name}"'
    return resp


def init_app(app: Flask) -> None:
    st = state(app)
    st.extras["dcat"] = CataloguePublisher(st.registry)
    st.extras["dcat-gzip"] = _Compressed()
    app.register_blueprint(bp)
