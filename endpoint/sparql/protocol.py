"""Reading SPARQL 1.1 Protocol requests: parameters, bodies, limits, refusals.

Parameters are decoded strictly as UTF-8 (Werkzeug's own parsing would replace bad bytes
silently), form bodies are parsed here too (so the endpoint's size limit, not Werkzeug's form
limit, applies), and every refusal is a :class:`BadRequest` with a bilingual message.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from flask import request
from werkzeug.datastructures import MultiDict

from endpoint.app import state
from endpoint.sparql import description
from registry.i18n import Msg, msg

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
MAX_PARAMS = 1000


class BadRequest(Exception):
    """A protocol error detected before evaluation: status, code and message."""

    def __init__(self, status: int, code: str, message: Msg, headers: dict[str, str] | None = None):
        super().__init__(message.render("en"))
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def parse_params(raw: bytes) -> MultiDict[str, str]:
    """``application/x-www-form-urlencoded`` pairs, percent-decoded, strictly UTF-8."""
    out: MultiDict[str, str] = MultiDict()
    if not raw:
        return out
    pairs = raw.split(b"&")
    if len(pairs) > MAX_PARAMS:
        raise BadRequest(
            400,
            "too-many-parameters",
            msg(
                "The request has more than {n} parameters.",
                n=MAX_PARAMS,
            ),
        )
    for pair in pairs:
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        try:
            key = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
            val = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(
                400,
                "bad-encoding",
                msg(
                    "The parameter {name} is not valid UTF-8. Encode the query as UTF-8 and "
                    "percent-encode it (for example æ as %C3%A6).",
                    name=name.decode("ascii", "replace"),
                ),
            ) from None
        out.add(key, val)
    return out


def too_large(limit: int) -> BadRequest:
    return BadRequest(
        413,
        "request-too-large",
        msg(
            "The request is too large: over {limit} bytes (OGPREG_MAX_REQUEST_BYTES). Make the "
            "query shorter, or download the full dataset ({dumps}).",
            limit=limit,
            dumps=description.dumps_url(state().settings.base_uri),
        ),
    )


def update_refused() -> BadRequest:
    url = description.update_url(state().settings.base_uri)
    return BadRequest(
        403,
        "update-not-allowed",
        msg(
            "SPARQL Update is not allowed on the public endpoint /sparql, and nothing was "
            "changed. Updates go to {url} with a valid token (Authorization: Bearer …).",
            url=url,
        ),
    )


def missing_query() -> BadRequest:
    return BadRequest(
        400,
        "missing-query",
        msg(
            "The request has no SPARQL query. Send it as the query parameter (GET or POST "
            "application/x-www-form-urlencoded) or as the body of a POST with "
            "Content-Type: application/sparql-query.",
        ),
    )


class Parsed:
    """What a protocol request asks for."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.default_graphs: list[str] = []
        self.named_graphs: list[str] = []
        self.formats: list[str] = []
        self.csv_modes: list[str] = []  # the ``csv`` parameter (endpoint/sparql/csvsafe.py)
        #: ``as_of`` in the URL (docs/lifecycle.md, "As of"), read with the other parameters
        #: (werkzeug's ``request.args`` would decode the whole query string a second time)
        self.as_of: str | None = None


def _read_body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return bytes(data)


def parse_request(limit: int) -> Parsed:
    """Read the protocol parameters of the current request (raises :class:`BadRequest`)."""
    if len(request.query_string) > limit:
        raise too_large(limit)
    args = parse_params(request.query_string)
    body: MultiDict[str, str] = MultiDict()
    direct: str | None = None
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == UPDATE:
            raise update_refused()
        raw = _read_body(limit)
        if ctype == FORM:
            body = parse_params(raw)
        elif ctype == QUERY:
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise BadRequest(
                    415,
                    "unsupported-charset",
                    msg(
                        "The query must be encoded as UTF-8, not {charset}.",
                        charset=charset,
                    ),
                )
            try:
                direct = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadRequest(
                    400,
                    "bad-encoding",
                    msg(
                        "The query is not valid UTF-8 (byte {pos}).",
                        pos=exc.start,
                    ),
                ) from None
            direct = direct.removeprefix("\ufeff")
        else:
            raise BadRequest(
                415,
                "unsupported-media-type",
                msg(
                    "A POST to /sparql must have Content-Type {form} or {query}, not {ctype}.",
                    form=FORM,
                    query=QUERY,
                    ctype=ctype or "(none)",
                ),
            )
    if "update" in args or "update" in body:
        raise update_refused()
    parsed = Parsed()
    parsed.queries = args.getlist("query") + body.getlist("query")
    if direct is not None:
        parsed.queries.append(direct)
    parsed.as_of = args.get("as_of")
    for source in (args, body):
        parsed.default_graphs += source.getlist("default-graph-uri")
        parsed.named_graphs += source.getlist("named-graph-uri")
        parsed.formats += source.getlist("format") + source.getlist("output")
        parsed.csv_modes += source.getlist("csv")
    return parsed


def check_iris(iris: list[str], param: str) -> tuple[str, ...]:
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise BadRequest(
                400,
                "bad-graph-uri",
                msg(
                    "{param}={iri!r} is not a valid IRI: {error}",
                    param=param,
                    iri=iri,
                    error=exc,
                ),
            ) from None
    return tuple(iris)
