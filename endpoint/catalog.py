"""``/catalog`` (the DCAT-AP-NO feed) and ``/download/<file>`` (the distributions).

Both answer exactly what the national data catalogue's harvester expects: HTTP 200 with the
whole document, no redirect, UTF-8, compressed only when the request's Accept-Encoding asks for
gzip. The catalogue is Turtle unless the Accept header, ``?format=`` or ``?_mediatype=`` asks
for RDF/XML, JSON-LD or N-Triples. Both are built once per store revision
(``registry/publish/dcat.py``).

**Profiles** (W3C Content Negotiation by Profile; ``registry/publish/dcat_profiles.py``,
docs/dcat.md): without ``Accept-Profile`` and ``_profile`` the answer is the DCAT-AP-NO 2.0
catalogue, byte for byte what it was before profiles existed. ``Accept-Profile: <uri>`` or
``?_profile=token`` (the query parameter wins) selects DCAT-AP 3 / DCAT-AP-NO 3; a request that
names only profiles the catalogue does not have is 406. Every answer says which profiles its
body conforms to (``Content-Profile``) and lists the others (``Link``: the token of each profile
and every profile / media type combination); ``?_profile=all`` and ``/catalog/profiles`` list
them in a body (RDF in the Alternate Representations Data Model, or JSON).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import threading
from collections.abc import Callable

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, redirect, request

from endpoint import byteranges
from endpoint.app import error_response, request_lang, state
from endpoint.metrics import EXPOSED_HEADERS
from endpoint.pages import catalog_page
from registry.errors import NotFound, UsageError
from registry.i18n import Msg, as_lang, msg
from registry.publish import dcat_profiles as profiles
from registry.publish import materialise
from registry.publish.dcat import FEED_FORMATS, Catalogue, CataloguePublisher
from registry.publish.dcat_profiles import Profile
from registry.rdf.formats import RDF_FORMATS

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
    # named outright (rdflib's parse(format="nt") / format="n3" ask for these): N-Triples'
    # media type before RDF 1.1, and N3's, which Turtle is a part of
    "text/plain": "ntriples",
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "application/n3": "turtle",
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
_VARY = "Accept, Accept-Profile, Accept-Encoding"
#: What a script on another site may read of a download, besides the endpoint's headers.
_DOWNLOAD_EXPOSED = ", Accept-Ranges, Content-Range, Content-Disposition, Repr-Digest"
#: The list of profiles also comes as plain JSON (the specification's example).
_LIST_JSON = "json"


def _publisher() -> CataloguePublisher:
    return state().extras["dcat"]  # type: ignore[no-any-return]


def _catalog_url() -> str:
    return state().registry.settings.base_uri + "catalog"


def _media_type_param() -> str | None:
    """``?_mediatype=``: media types in the client's order, ``+`` kept (a query string turns an
    unescaped ``+`` into a space)."""
    value = request.args.get("_mediatype")
    return None if value is None else value.replace(" ", "+")


def choose_format(offers: dict[str, str] = ACCEPTED) -> str:
    """The feed format for this request: ``?format=`` first, then ``?_mediatype=``, then the
    Accept header; '' when none of them names a format we have."""
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
    qsa = _media_type_param()
    if qsa is not None:
        for media_type in qsa.split(","):
            found = offers.get(media_type.split(";")[0].strip().lower())
            if found:
                return found
        return ""
    if not request.headers.get("Accept", "").strip():
        return "turtle"
    best = request.accept_mimetypes.best_match(list(offers))
    if best is None:
        return ""
    return offers[best]


def choose_profile() -> Profile | str | None:
    """The profile asked for: ``?_profile=`` first (``all`` lists them), then Accept-Profile;
    the default without either; None when the client names only profiles we do not have."""
    qsa = request.args.get("_profile")
    if qsa is not None:
        names = profiles.parse_profile_param(qsa)
        if not names:
            return profiles.DEFAULT
        if profiles.LIST_ALL in (n.lower() for n in names):
            return profiles.LIST_ALL
        return profiles.choose([(name, 1.0) for name in names])
    headers = [h for h in request.headers.getlist("Accept-Profile") if h.strip()]
    if not headers:
        return profiles.DEFAULT
    return profiles.choose(profiles.parse_accept_profile(headers))


def _profiles_in_order(served: Profile) -> list[Profile]:
    """The profiles as the ``Link`` header lists them: the one served, then those with the same
    graph, then the others (each group in :data:`profiles.PROFILES` order)."""
    return sorted(
        profiles.PROFILES,
        key=lambda p: (p != served, p.graph != served.graph, profiles.PROFILES.index(p)),
    )


def links(current: tuple[Profile, str] | None = None) -> str:
    """The ``Link`` header of every answer: each profile's token (``rel="type"``), the
    representation served (``rel="self"``), every profile / media type combination
    (``rel="alternate"``) and the list of profiles (the Alternate Representations Data Model).

    The alternates of the profile served come first, the representation served among them:
    a reader that follows the first ``rel="alternate"`` of its media type other than the
    address it asked (rdflib's JSON-LD parser does, even when the answer is JSON-LD) then
    reads the profile it was served, not another one (docs/dcat.md, "Profiles")."""
    catalog = _catalog_url()
    parts = [
        f'<{profiles.PROF_PROFILE}>; rel="type"; token="{p.token}"; anchor="{p.uri}"'
        for p in profiles.PROFILES
    ]
    if current is not None:
        served, fmt = current
        parts.append(
            f'<{profiles.representation_url(catalog, served, FEED_FORMATS[fmt])}>; rel="self"; '
            f'type="{FEED_FORMATS[fmt]}"; profile="{served.uri}"'
        )
    for p in _profiles_in_order(current[0] if current else profiles.DEFAULT):
        for media_type in FEED_FORMATS.values():
            parts.append(
                f'<{profiles.representation_url(catalog, p, media_type)}>; rel="alternate"; '
                f'type="{media_type}"; profile="{p.uri}"'
            )
    parts.append(
        f'<{catalog}?_profile={profiles.LIST_ALL}>; rel="alternate"; type="text/turtle"; '
        f'profile="{profiles.ALTR}"'
    )
    return ", ".join(parts)


def _profile_headers(resp: Response, current: tuple[Profile, str] | None) -> Response:
    resp.headers["Vary"] = _VARY
    resp.headers["Link"] = links(current)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS + ", Content-Profile"
    return resp


class _Compressed:
    """gzip bodies (and their SHA-256) per (revision, name), so a repeated request costs
    nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision = -1
        self._cache: dict[str, bytes] = {}

    def _cached(self, revision: int, key: str, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if revision != self._revision:
                self._revision, self._cache = revision, {}
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    def get(self, revision: int, key: str, body: bytes) -> bytes:
        return self._cached(
            revision, key, lambda: gzip.compress(body, compresslevel=6, mtime=0)
        )

    def digest(self, revision: int, key: str, body: bytes) -> bytes:
        """The SHA-256 of ``body``, the compressed body of ``key``."""
        return self._cached(revision, "sha-256 " + key, lambda: hashlib.sha256(body).digest())


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


def _not_acceptable(text: Msg) -> Response:
    resp = error_response(406, "not-acceptable", text.render(as_lang(request_lang())))
    return _profile_headers(resp, None)


def _no_such_profile() -> Response:
    where = (
        msg("the _profile parameter")
        if request.args.get("_profile") is not None
        else msg("the Accept-Profile header")
    )
    return _not_acceptable(
        msg(
            "None of the profiles named in {where} is available. The catalogue is available in "
            "these profiles (token: URI): {available}. Without Accept-Profile and _profile you "
            "get {default}.",
            where=where,
            available="; ".join(f"{p.token}: <{p.uri}>" for p in profiles.PROFILES),
            default=profiles.DEFAULT.title,
        )
    )


def _no_such_format() -> Response:
    if _media_type_param() is not None:
        return _not_acceptable(
            msg(
                "None of the media types in ?_mediatype= can be served. The catalogue is "
                "available as {types}.",
                types=", ".join(FEED_FORMATS.values()),
            )
        )
    return _not_acceptable(
        msg(
            "None of the types in the Accept header can be served. The catalogue is available "
            "as {types}; without an Accept header (or with */*) you get Turtle.",
            types=", ".join(FEED_FORMATS.values()),
        )
    )


def _profile_list() -> Response:
    """``list profiles``: every profile and media type the catalogue has, as RDF (the Alternate
    Representations Data Model) or, when asked for ``application/json``, as JSON."""
    offers = {**ACCEPTED, "application/json": _LIST_JSON}
    fmt = choose_format(offers)
    if not fmt:
        return _no_such_format()
    catalog = _catalog_url()
    media_types = list(FEED_FORMATS.values())
    if fmt == _LIST_JSON:
        body = json.dumps(profiles.alternates_json(catalog, media_types), indent=1).encode()
        media_type = "application/json"
    else:
        info = RDF_FORMATS[fmt]
        body = (
            ox.serialize(
                profiles.alternates(catalog, media_types),
                format=info.ox_format,
                prefixes=profiles.ALTERNATES_PREFIXES,
            )
            or b""
        )
        media_type = info.media_type
    content_type = media_type + ("; charset=utf-8" if media_type in _CHARSET else "")
    resp = Response(body, status=200, content_type=content_type)
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Content-Profile"] = f"<{profiles.ALTR}>"
    return _profile_headers(resp, None)


def _preflight() -> Response:
    """``OPTIONS``: the methods, a CORS preflight that allows Accept-Profile, and the profiles."""
    resp = Response(status=204)
    resp.headers["Allow"] = "GET, HEAD, OPTIONS"
    resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Accept, Accept-Profile, If-None-Match"
    )
    resp.headers["Access-Control-Max-Age"] = "86400"
    return _profile_headers(resp, None)


@bp.route("/catalog", methods=["GET", "HEAD", "OPTIONS"])
def catalog() -> Response:
    """The whole catalogue in one document, in the profile and format asked for."""
    if request.method == "OPTIONS":
        return _preflight()
    if catalog_page.wants_html():  # a browser: the page (issue 19); RDF clients as before
        return _profile_headers(catalog_page.render_catalog(_publisher().current()), None)
    profile = choose_profile()
    if profile == profiles.LIST_ALL:
        return _profile_list()
    if not isinstance(profile, Profile):
        return _no_such_profile()
    fmt = choose_format()
    if not fmt:
        return _no_such_format()
    cat = _publisher().current()
    body = cat.serialise(fmt, profile.graph)
    resp = _send(cat, f"catalog.{profile.graph}.{fmt}", body, FEED_FORMATS[fmt])
    resp.headers["Content-Profile"] = ", ".join(f"<{uri}>" for uri in profile.conforms_to)
    return _profile_headers(resp, (profile, fmt))


@bp.route("/catalog/profiles", methods=["GET", "HEAD"])
def catalog_profiles() -> Response:
    """The profiles of ``/catalog`` (the same as ``/catalog?_profile=all``)."""
    return _profile_list()


@bp.route("/dataset/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/catalog/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/service/<path:rest>", methods=["GET", "HEAD"])
@bp.route("/series/<path:rest>", methods=["GET", "HEAD"])
def catalogue_resource(rest: str) -> Response:
    """A resource the catalogue mints (a dataset, a distribution, its checksum, the contact
    point, the services, the series): its description in the catalogue, both profiles' graphs,
    in the format asked for (Turtle by default); a browser is sent to the catalogue's page. A
    linked-data client following the catalogue's links no longer meets a 404."""
    iri = state().registry.settings.base_uri + request.path.lstrip("/")
    cat = _publisher().current()
    triples = cat.describe(iri)
    if not triples:
        raise NotFound(
            msg(
                "The catalogue has no resource {iri}. /catalog lists what it describes.",
                iri=iri,
            )
        )
    if catalog_page.wants_html():
        resp = redirect(_catalog_url(), code=303)
        resp.headers["Vary"] = _VARY
        return resp
    fmt = choose_format()
    if not fmt:
        return _no_such_format()
    body = cat.serialise_triples(triples, fmt)
    return _send(cat, f"resource:{iri}:{fmt}", body, FEED_FORMATS[fmt])


@bp.get("/download/<path:name>")
def download(name: str) -> Response:
    """One distribution: a dataset dump (Turtle, N-Triples) or a CSV export, whole or a byte
    range of it (``endpoint/byteranges.py``), so that an interrupted download resumes."""
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
    compressed: _Compressed = state().extras["dcat-gzip"]
    body, digest = f.data, bytes.fromhex(f.sha256)
    headers = {"Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    if _wants_gzip():
        body = compressed.get(cat.revision, "file:" + f.name, f.data)
        digest = compressed.digest(cat.revision, "file:" + f.name, body)
        headers["Content-Encoding"] = "gzip"
    headers["Repr-Digest"] = "sha-256=:" + base64.b64encode(digest).decode("ascii") + ":"
    headers["Content-Disposition"] = f'attachment; filename="{f.name}"'
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS + _DOWNLOAD_EXPOSED
    content_type = f.media_type + ("; charset=utf-8" if f.media_type in _CHARSET else "")
    resp = Response(body, status=200, content_type=content_type, headers=headers)
    # strong, and of the bytes sent: the same file in the next revision keeps its tag (a
    # download resumes across commits), the gzip body has a tag of its own
    resp.set_etag(digest.hex()[:32])
    resp.last_modified = cat.modified
    resp.make_conditional(request)  # 304 for If-None-Match / If-Modified-Since
    answer = byteranges.apply(request, resp, body)
    if isinstance(answer, byteranges.Unsatisfiable):
        refused = error_response(
            416,
            "range-not-satisfiable",
            msg(
                "The range asked for (Range: {range}) lies outside the file, which is {size} "
                "bytes long.",
                range=request.headers.get("Range", ""),
                size=answer.length,
            ).render(as_lang(request_lang())),
        )
        refused.headers["Content-Range"] = f"bytes */{answer.length}"
        for key in ("ETag", "Last-Modified", "Vary", "Access-Control-Expose-Headers"):
            refused.headers[key] = resp.headers[key]
        return refused
    return answer


def init_app(app: Flask) -> None:
    st = state(app)
    # the catalogue of each revision is built by its commit and read from files (issue 24)
    materialise.install(st.registry)
    st.extras["dcat"] = materialise.MaterialisedPublisher(st.registry)
    st.extras["dcat-gzip"] = _Compressed()
    app.register_blueprint(bp)
