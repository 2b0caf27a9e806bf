"""The authenticated write paths: SPARQL 1.1 Update at ``POST /sparql/update`` and the SPARQL
1.1 Graph Store HTTP Protocol at ``/graph-store``.

Every write needs ``Authorization: Bearer <token>`` (401 with ``WWW-Authenticate: Bearer``
otherwise); the rules of who may write what are in registry/access/graphstore.py and
docs/security-writes.md. Every write attempt, allowed or not, is appended to the audit log.
The public ``/sparql`` never writes. Graph Store *reads* (``GET``/``HEAD`` with ``?graph=`` or
``?default``) are public, like the same data through ``/sparql`` and the dumps: no token needed,
but a token that is sent must be valid (401 otherwise). ``GET /graph-store`` without parameters
describes the token and needs one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_options_header

from endpoint import conneg
from endpoint.app import error_response, request_lang, state
from registry.access import graphstore
from registry.access.audit import AuditLog, Outcome
from registry.access.targets import target
from registry.access.tokens import TokenRecord, token_store
from registry.access.updates import update_targets
from registry.errors import (
    AuthenticationRequired,
    QueryError,
    RegistryError,
    UsageError,
    ValidationFailed,
)
from registry.i18n import as_lang, msg
from registry.loading.pipeline import LoadResult
from registry.loading.sources import sent_file_name
from registry.rdf.formats import RDF_FORMATS

bp = Blueprint("write", __name__)

REALM = "ogp-registry"

#: Media types accepted in PUT/POST bodies, and offered for GET, by RDF format name.
MEDIA_TYPES: dict[str, str] = {info.media_type: name for name, info in RDF_FORMATS.items()}
MEDIA_TYPES.update({"application/x-turtle": "turtle", "text/n-triples": "ntriples"})
#: what a read offers, in the pages' order of preference (endpoint/pages/negotiation.py)
_GET_TYPES = [RDF_FORMATS[n].media_type for n in ("turtle", "jsonld", "ntriples", "rdfxml")]
_DATASET_TYPES = [RDF_FORMATS[n].media_type for n in ("trig", "nquads")]
_TRUE = ("", "1", "true", "yes")


def _lang() -> str:
    return request_lang()


class _Unauthenticated(AuthenticationRequired):
    """A 401 that also tells the audit log why (never the client)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            msg(
                "This address needs a valid token: send 'Authorization: Bearer <token>'. "
                "Tokens are issued by the registry's operators with 'ogpreg token add'.",
            )
        )
        self.reason = reason


def _authenticate() -> TokenRecord:
    header = request.headers.get("Authorization")
    if header is None:
        raise _Unauthenticated("no Authorization header")
    m = re.fullmatch(r"\s*[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/=-]+)\s*", header)
    if m is None:
        raise _Unauthenticated("malformed Authorization header (not 'Bearer <token>')")
    record = token_store(state().registry).identify(m.group(1))
    if record is None:
        raise _Unauthenticated("unknown token")
    if record.revoked:
        raise _Unauthenticated(f"revoked token {record.id} ({record.organisation})")
    return record


def _error(exc: RegistryError) -> Response:
    lang = as_lang(_lang())
    if isinstance(exc, ValidationFailed):
        resp = jsonify(
            {
                "error": exc.code,
                "message": exc.render(lang),
                "status": exc.http_status,
                "report": json.loads(exc.report.to_json(lang)),
            }
        )
        resp.status_code = exc.http_status
    else:
        resp = error_response(exc.http_status, exc.code, exc.render(lang))
    if isinstance(exc, AuthenticationRequired):
        error = ', error="invalid_token"' if request.headers.get("Authorization") else ""
        resp.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}"{error}'
    return resp


def _outcome(status: int) -> Outcome:
    return "ok" if status < 400 else ("failed" if status >= 500 else "refused")


def _audited(action: str, target: str | None, work: Callable[[TokenRecord], Response]) -> Response:
    """Authenticate, run ``work``, and record the attempt in the audit log, whatever happens.

    ``work`` may name a more precise target in ``g.audit_target`` (the graphs of an update)."""
    st = state()
    log = AuditLog(st.registry.store.path)
    token: TokenRecord | None = None
    status = 500
    message = ""
    try:
        token = _authenticate()
        resp = work(token)
        status = resp.status_code
        message = str(getattr(resp, "audit_message", ""))
        return resp
    except _Unauthenticated as exc:
        status, message = exc.http_status, exc.reason
        return _error(exc)
    except RegistryError as exc:
        status, message = exc.http_status, exc.render("en")
        if isinstance(exc, ValidationFailed):
            message += " " + exc.report.summary("en")
        return _error(exc)
    except HTTPException as exc:  # 413 for a body over OGPREG_MAX_UPLOAD_BYTES, 415, 406 ...
        status = exc.code or 500
        message = exc.description or exc.name
        return error_response(status, exc.name.lower().replace(" ", "-"), message)
    except Exception as exc:
        status, message = 500, f"{type(exc).__name__}: {exc}"
        raise
    finally:
        log.record(
            action,
            _outcome(status),
            status=status,
            token_id=token.id if token else None,
            organisation=token.organisation if token else None,
            role=token.role if token else None,
            target=getattr(g, "audit_target", None) or target,
            remote=request.remote_addr,
            message=message,
        )


def _ok(body: object, status: int = 200, audit: str = "") -> Response:
    """A JSON answer to an authenticated request: never stored by a cache (it describes a
    token's writes, or the token itself)."""
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    resp.audit_message = audit  # type: ignore[attr-defined]
    return resp


def _load_json(r: LoadResult, created: bool) -> dict[str, object]:
    lang = as_lang(_lang())
    return {
        "file": r.file,
        "graph": r.graph,
        "source_id": r.source_id,
        "triples": r.triples,
        "added": r.added,
        "removed": r.removed,
        "unchanged": r.unchanged,
        "replaced": r.replaced,
        "created": created,
        "warnings": [w.to_dict(lang) for w in r.warnings],
    }


# -- Graph Store Protocol ----------------------------------------------------------------------
def _graph_param() -> str | None:
    """The graph named by ``?graph=IRI`` (an absolute IRI) or ``None`` for ``?default``."""
    has_graph, has_default = "graph" in request.args, "default" in request.args
    if has_graph == has_default:
        raise UsageError(
            msg(
                "Give exactly one of ?graph=<IRI> and ?default.",
            )
        )
    if has_default:
        return None
    iri = request.args.get("graph", "")
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", iri) or not _is_iri(iri):
        raise UsageError(
            msg(
                "?graph must be an absolute http(s) IRI, for example "
                "?graph={base}graph/source/kmd-2019; got {iri!r}.",
                base=state().registry.uris.base,
                iri=iri,
            )
        )
    return iri


def _is_iri(value: str) -> bool:
    """pyoxigraph's IRI check (a NUL, another control character or a broken percent-encoding
    passes the pattern above but is no IRI: a 400, not a 500)."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _target_label() -> str | None:
    if "default" in request.args:
        return "default"
    return request.args.get("graph")


def _body_format() -> str:
    mimetype = request.mimetype
    fmt = MEDIA_TYPES.get(mimetype)
    if fmt is None:
        raise _UnsupportedMediaType(mimetype)
    return fmt


class _UnsupportedMediaType(UsageError):
    http_status = 415
    code = "unsupported-media-type"

    def __init__(self, mimetype: str) -> None:
        super().__init__(
            msg(
                "Unsupported media type {type!r} for RDF. Use Content-Type: {allowed}.",
                type=mimetype or "(none)",
                allowed=", ".join(RDF_FORMATS[n].media_type for n in RDF_FORMATS),
            )
        )


def _file_name(fmt: str) -> str:
    """The file name for provenance: from Content-Disposition (its last path segment), else
    ``graph-store.<ext>``."""
    _kind, params = parse_options_header(request.headers.get("Content-Disposition", ""))
    name = sent_file_name(params.get("filename", ""))
    return name or "graph-store" + RDF_FORMATS[fmt].extensions[0]


def _info(token: TokenRecord) -> Response:
    reg = state().registry
    return _ok(
        {
            "base_uri": reg.uris.base,
            "source_graph_prefix": reg.uris.base + "graph/source/",
            "token": {
                "id": token.id,
                "organisation": token.organisation,
                "organisation_name": token.organisation_name,
                "role": token.role,
            },
        }
    )


def _get() -> Response:
    """A graph (``?graph=``) or the union of all graphs (``?default``), to anyone."""
    reg = state().registry
    graph = _graph_param()
    offered = _GET_TYPES + ([] if graph is None else _DATASET_TYPES)
    # the rules of /sparql and the pages (endpoint/conneg.py): the aliases clients send
    # (text/plain for N-Triples, application/json for JSON-LD), and at equal q a type named
    # outright before one reached through a wildcard
    chosen = conneg.best(
        conneg.parse_accept(request.headers.get("Accept")),
        [conneg.BY_NAME[MEDIA_TYPES[m]] for m in offered],
    )
    mimetype = chosen.media_type if chosen is not None else None
    if mimetype is None:
        return error_response(
            406,
            "not-acceptable",
            msg(
                "None of the types in Accept can be served. Available: {types}.",
                types=", ".join(offered),
            ).render(as_lang(_lang())),
        )
    fmt = MEDIA_TYPES[mimetype]
    body = reg.export(fmt, graph)
    resp = Response(body, content_type=f"{mimetype}; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    return resp


def _put_or_post(token: TokenRecord, merge: bool) -> Response:
    reg = state().registry
    graph = _graph_param()
    if graph is None:
        graphstore.authorise(reg, token, target(reg.uris, None), reg.store.reader())
    fmt = _body_format()
    dry_run = request.args.get("dry-run", "false").lower() in _TRUE
    assert graph is not None
    result, created = graphstore.put_graph(
        reg,
        token,
        graph,
        request.get_data(cache=False),
        fmt=fmt,
        file_name=_file_name(fmt),
        merge=merge,
        dry_run=dry_run,
    )
    status = 201 if created and not dry_run else 200
    audit = (
        f"{'dry run: ' if dry_run else ''}{result.triples} triples, {result.added} added, "
        f"{result.removed} removed{', unchanged' if result.unchanged else ''}; "
        f"file {result.file}"
    )
    return _ok({"dry_run": dry_run, "sources": [_load_json(result, created)]}, status, audit)


def _delete(token: TokenRecord) -> Response:
    reg = state().registry
    graph = _graph_param()
    if graph is None:
        graphstore.authorise(reg, token, target(reg.uris, None), reg.store.reader())
    assert graph is not None
    result = graphstore.delete_graph(reg, token, graph)
    lang = as_lang(_lang())
    removed = sum(c.removed for c in result.changes)
    return _ok(
        {
            "changes": [c.to_dict() for c in result.changes],
            "warnings": [w.to_dict(lang) for w in result.warnings],
        },
        200,
        f"{removed} triples removed",
    )


@bp.route("/graph-store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    method = request.method
    if method in ("GET", "HEAD"):
        # Reads are public, as through /sparql and the dumps (issue 15): standard Graph Store
        # clients send no token. A token that is sent is checked (RFC 6750: 401 for an invalid
        # one); without parameters the answer describes the token, so it needs one. Reads are
        # not audited (the log is about writes).
        try:
            if not request.args:
                return _info(_authenticate())
            if "Authorization" in request.headers:
                _authenticate()
            return _get()
        except _Unauthenticated as exc:
            return _error(exc)
    if method == "PUT":
        return _audited("graph-store.put", _target_label(), lambda t: _put_or_post(t, False))
    if method == "POST":
        return _audited("graph-store.post", _target_label(), lambda t: _put_or_post(t, True))
    return _audited("graph-store.delete", _target_label(), _delete)


# -- SPARQL Update -----------------------------------------------------------------------------
def _update_text() -> tuple[str, list[str], list[str]]:
    """The update's text and the protocol's ``using-graph-uri`` and ``using-named-graph-uri``
    values: in the URL for ``application/sparql-update``, in the form (or the URL) for
    ``application/x-www-form-urlencoded``."""
    args = request.args
    if request.mimetype == "application/sparql-update":
        text = request.get_data(cache=False).decode("utf-8", errors="strict")
        return (
            text,
            args.getlist("using-graph-uri"),
            args.getlist("using-named-graph-uri"),
        )
    if request.mimetype == "application/x-www-form-urlencoded":
        form = request.form
        field = form.get("update")
        if not field:
            raise QueryError(
                msg(
                    "The form lacks the parameter 'update'.",
                )
            )
        return (
            field,
            form.getlist("using-graph-uri") + args.getlist("using-graph-uri"),
            form.getlist("using-named-graph-uri") + args.getlist("using-named-graph-uri"),
        )
    raise UsageError(
        msg(
            "Send the update as Content-Type: application/sparql-update, or as the form "
            "update=… (application/x-www-form-urlencoded); got {type!r}.",
            type=request.mimetype or "(none)",
        )
    )


def _update(token: TokenRecord) -> Response:
    reg = state().registry
    try:
        text, using, using_named = _update_text()
    except UnicodeDecodeError as exc:
        raise UsageError(
            msg("The update is not valid UTF-8.")
        ) from exc
    try:
        g.audit_target = " ".join(t.iri or "default" for t in update_targets(reg, text))
    except QueryError:
        pass  # apply_update refuses it with the same message
    # The protocol's dataset parameters choose what the WHERE clauses read, never what is
    # written (registry.updates.with_dataset).
    result = graphstore.apply_update(reg, token, text, using=using, using_named=using_named)
    lang = as_lang(_lang())
    changed = [c for c in result.changes if not c.unchanged]
    return _ok(
        {
            "changes": [c.to_dict() for c in result.changes],
            "warnings": [w.to_dict(lang) for w in result.warnings],
        },
        200,
        "changed: " + (", ".join(c.graph for c in changed) or "nothing"),
    )


@bp.post("/sparql/update")
def sparql_update() -> Response:
    return _audited("sparql.update", "sparql-update", _update)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
