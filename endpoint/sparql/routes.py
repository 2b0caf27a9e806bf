"""``/sparql``: the SPARQL 1.1 Protocol (query operation), read-only; ``/void``; ``/metrics``.

See docs/endpoint.md for the rules. In short:

* query by GET (``?query=``), POST ``application/x-www-form-urlencoded`` (``query=`` in the
  body) or POST ``application/sparql-query`` (the query is the body, UTF-8);
  ``default-graph-uri`` / ``named-graph-uri`` set the dataset (they override FROM); without
  them the default graph is the union of all graphs and the registry's prefixes are
  predeclared;
* the answer's format by ``format`` (or ``output``) parameter, else by ``Accept``
  (``endpoint/conneg.py``); ``Vary: Accept, Accept-Encoding``;
* evaluation in worker processes with a timeout that kills the work, a row cap with
  ``OGP-Truncated: true``, and an answer cache valid until the next commit
  (``endpoint/sparql/executor.py``);
* ``ETag`` (the revision and format) and ``Last-Modified`` (the revision's commit), 304 on
  ``If-None-Match`` / ``If-Modified-Since``; gzip when the client accepts it; CORS;
* SPARQL Update is refused here (403, naming the authenticated path ``/sparql/update``);
  ``SERVICE`` is refused (400);
* GET without a query: the query UI for browsers (``extras["sparql_html"]``, registered by
  ``endpoint/pages/query.py``), else the service description; GET with a query from a
  browser (Accept names HTML and prefers it, no ``format``): the query UI with that query, so
  a shared ``/sparql?query=…`` link opens the page, while SPARQL clients get the answer;
* a syntax error is a 400 whose message says where (line, column), what is wrong and what was
  expected (``registry/sparql/syntax.py``), with ``OGP-Error-Position: line:column``.
"""

from __future__ import annotations

import functools
import gzip
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.http import http_date

from endpoint import conneg
from endpoint.app import EndpointState, error_response, request_lang, state
from endpoint.asof import AsOfError, parse_as_of
from endpoint.metrics import Metrics, install
from endpoint.sparql import description
from endpoint.sparql.admission import RETRY_AFTER, TooManyQueries
from endpoint.sparql.answers import Answer, QueryRequest
from endpoint.sparql.csvsafe import CSV_MODES, csv_from_tsv
from endpoint.sparql.executor import QueryExecutor
from endpoint.sparql.fastpath import MARK, FastPath
from endpoint.sparql.protocol import BadRequest, check_iris, missing_query, parse_request
from registry.errors import ExecutorBusy, RegistryError
from registry.history.terms import history_graph, lifecycle_graph
from registry.i18n import Lang, as_lang, msg
from registry.namespaces import PREFIXES
from registry.sparql.querytext import admitted
from registry.sparql.syntax import QuerySyntaxError

bp = Blueprint("sparql", __name__)

ALLOWED = "GET, HEAD, POST, OPTIONS"
_ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]
_VARY = "Accept, Accept-Encoding"
_CACHE_CONTROL = "public, no-cache"


def _lang() -> Lang:
    return as_lang(request_lang())


def _error(exc: BadRequest) -> Response:
    resp = error_response(exc.status, exc.code, exc.message.render(_lang()))
    for k, v in exc.headers.items():
        resp.headers[k] = v
    resp.headers["Vary"] = _VARY
    return resp


def _registry_error(exc: RegistryError) -> Response:
    resp = error_response(exc.http_status, exc.code, exc.render(_lang()))
    if isinstance(exc, QuerySyntaxError):
        # where the query page puts the cursor (line:column, 1-based, in characters)
        resp.headers["OGP-Error-Position"] = f"{exc.line}:{exc.column}"
    if isinstance(exc, (ExecutorBusy, TooManyQueries)):
        # 503: every worker busy (or every place taken); 429: this client has its share
        resp.headers["Retry-After"] = str(RETRY_AFTER)
    resp.headers["Vary"] = _VARY
    return resp


@functools.lru_cache(maxsize=1024)
def _negotiate(accept: str | None, formats: tuple[str, ...]) -> conneg.Choice:
    return conneg.negotiate(accept, formats)


def _choice(formats: list[str]) -> conneg.Choice:
    try:
        return _negotiate(request.headers.get("Accept"), tuple(formats))
    except conneg.UnknownFormat as exc:
        raise BadRequest(
            400,
            "unknown-format",
            msg(
                "Unknown format {value!r}. Allowed values: {allowed}, or a media type.",
                value=str(exc),
                allowed=", ".join(conneg.FORMAT_PARAMETER_VALUES),
            ),
        ) from None


#: The ETag tag of unescaped CSV answers (``csv=raw``), apart from escaped CSV's ``csv``.
RAW_CSV_TAG = "csv-raw"


def _raw_csv(modes: list[str], choice: conneg.Choice) -> bool:
    """Whether the request asks for unescaped CSV: ``csv=raw`` (default ``csv=safe``) and CSV
    is the negotiated format for solutions. Other formats ignore the parameter."""
    values = {m.strip().lower() for m in modes}
    bad = sorted(values - set(CSV_MODES))
    if bad or len(values) > 1:
        raise BadRequest(
            400,
            "bad-csv-parameter",
            msg(
                "Invalid value {value!r} of the parameter csv. Use csv=raw for CSV without "
                "protection against formulas (the values exactly as SPARQL 1.1 CSV has them), "
                "or csv=safe (the default: cells that start with = + - @ get a ' in front).",
                value=", ".join(bad or sorted(values)),
            ),
        )
    return values == {"raw"} and choice.solutions is not None and choice.solutions.name == "csv"


# -- responses -------------------------------------------------------------------------------
def _etag(revision: int, tag: str) -> str:
    return f"r{revision}-{tag}"


def _wants_gzip() -> bool:
    for value, q in request.accept_encodings:
        if value.lower() in ("gzip", "x-gzip") and q > 0:
            return True
    return False


def _not_modified(revision: int, committed: datetime | None, tags: list[str]) -> Response | None:
    """A 304 when the client's copy is current (GET and HEAD only)."""
    if request.method not in ("GET", "HEAD"):
        return None
    headers = request.headers
    fresh = False
    if headers.get("If-None-Match"):
        inm = request.if_none_match
        fresh = inm.star_tag or any(inm.contains_weak(_etag(revision, t)) for t in tags)
    elif (
        committed is not None
        and headers.get("If-Modified-Since")
        and request.if_modified_since is not None
    ):
        fresh = committed.replace(microsecond=0) <= request.if_modified_since
    if not fresh:
        return None
    resp = Response(status=304)
    if tags:
        resp.set_etag(_etag(revision, tags[0]), weak=True)
    if committed is not None:
        resp.headers["Last-Modified"] = http_date(committed)
    resp.headers["Vary"] = _VARY
    resp.headers["Cache-Control"] = _CACHE_CONTROL
    return resp


def _respond(
    body: bytes,
    fmt: conneg.Format,
    *,
    revision: int,
    committed: datetime | None,
    tag: str,
    gz: Callable[[], bytes] | None = None,
) -> Response:
    resp = Response(status=200)
    if gz is not None and _wants_gzip():
        resp.set_data(gz())
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp.set_data(body)
    resp.headers["Content-Type"] = fmt.content_type
    resp.headers["Vary"] = _VARY
    resp.headers["Cache-Control"] = _CACHE_CONTROL
    resp.set_etag(_etag(revision, tag), weak=True)
    if committed is not None:
        resp.headers["Last-Modified"] = http_date(committed)
    resp.headers["OGP-Revision"] = str(revision)
    return resp


def _answer_response(answer: Answer, row_cap: int, *, raw_csv: bool = False) -> Response:
    """The 200 response for an answer; GET answers are marked for the fast path. With
    ``raw_csv`` a TSV answer is sent as unescaped SPARQL CSV (``csv=raw``)."""
    fmt = conneg.BY_NAME[answer.format]
    committed = datetime.fromisoformat(answer.committed) if answer.committed else None
    body, tag, gz = answer.body, answer.format, answer.gzipped
    converted = raw_csv and answer.format == "tsv"
    if converted:
        body, fmt, tag = csv_from_tsv(answer.body), conneg.BY_NAME["csv"], RAW_CSV_TAG
        gz = functools.partial(gzip.compress, body, compresslevel=5, mtime=0)
    resp = _respond(
        body,
        fmt,
        revision=answer.revision,
        committed=committed,
        tag=tag,
        gz=gz,
    )
    if answer.truncated:
        base = state().settings.base_uri
        resp.headers["OGP-Truncated"] = "true"
        resp.headers["OGP-Row-Cap"] = str(row_cap)
        resp.headers["Link"] = f'<{description.dumps_url(base)}>; rel="related"; title="full dumps"'
    if request.method in ("GET", "HEAD"):
        sent = (
            resp.get_data() if converted
            else answer._gzip if resp.headers.get("Content-Encoding") == "gzip"
            else answer.body
        )
        request.environ[MARK] = (answer, sent)
    return resp


# -- descriptions ----------------------------------------------------------------------------
def _executor() -> QueryExecutor:
    return state().extras["executor"]  # type: ignore[no-any-return]


def _description(kind: str, fmt: conneg.Format) -> Response:
    st = state()
    ex: QueryExecutor = st.extras["executor"]
    rev = ex.current()
    number = rev.number if rev else 0
    committed = rev.committed if rev else None
    tag = f"{kind}-{fmt.name}"
    not_modified = _not_modified(number, committed, [tag])
    if not_modified is not None:
        return not_modified
    cache: dict[tuple[int, str], bytes] = st.extras.setdefault("description_cache", {})
    body = cache.get((number, tag))
    if body is None:
        base = st.settings.base_uri
        facts = description.dataset_facts(
            ex, st.registry.uris.provenance_graph, (lifecycle_graph(base), history_graph(base))
        )
        base = st.settings.base_uri
        if kind == "sd":
            triples = description.service_description(
                base, facts, timeout=st.settings.query_timeout, row_cap=st.settings.row_cap
            )
        else:
            triples = description.void_description(base, facts)
        body = description.serialize(triples, fmt.name)
        number = facts.revision
        if len(cache) > 64:
            cache.clear()
        cache[(number, tag)] = body
    return _respond(
        body,
        fmt,
        revision=number,
        committed=committed,
        tag=tag,
        gz=lambda: gzip.compress(body, compresslevel=5, mtime=0),
    )


def _not_acceptable_description() -> BadRequest:
    return BadRequest(
        406,
        "not-acceptable",
        msg(
            "The description exists as {types}; the Accept header accepts none of them.",
            types=", ".join(conneg.accepted_types(conneg.GRAPH)),
        ),
    )


# -- views -----------------------------------------------------------------------------------
def _preflight() -> Response:
    resp = Response(status=204)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = ALLOWED
    requested = request.headers.get("Access-Control-Request-Headers")
    resp.headers["Access-Control-Allow-Headers"] = (
        requested
        or "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since, Cache-Control"
    )
    resp.headers["Access-Control-Max-Age"] = "86400"
    resp.headers["Allow"] = ALLOWED
    return resp


def _method_not_allowed() -> BadRequest:
    return BadRequest(
        405,
        "method-not-allowed",
        msg(
            "The method {method} is not allowed on /sparql. Use GET or POST.",
            method=request.method,
        ),
        {"Allow": ALLOWED},
    )


@bp.route("/sparql", methods=_ALL_METHODS)
@bp.route("/sparql/", methods=_ALL_METHODS)
def sparql() -> Response:
    if request.method == "OPTIONS":
        return _preflight()
    try:
        if request.method not in ("GET", "HEAD", "POST"):
            raise _method_not_allowed()
        return _query()
    except BadRequest as exc:
        return _error(exc)
    except RegistryError as exc:
        return _registry_error(exc)


def _query() -> Response:
    st = state()
    settings = st.settings
    parsed = parse_request(settings.max_request_bytes)
    if not parsed.queries:
        if request.method == "POST":
            raise missing_query()
        return _service_or_ui(parsed.formats)
    page = _query_page(parsed.formats)
    if page is not None:
        return page
    if len(parsed.queries) > 1:
        raise BadRequest(
            400,
            "multiple-queries",
            msg(
                "The request has {n} queries; send exactly one.",
                n=len(parsed.queries),
            ),
        )
    query = parsed.queries[0]
    if not query.strip():
        raise missing_query()
    default_graphs = check_iris(parsed.default_graphs, "default-graph-uri")
    named_graphs = check_iris(parsed.named_graphs, "named-graph-uri")
    as_of = _as_of(parsed.as_of, bool(default_graphs or named_graphs))
    choice = _choice(parsed.formats)
    raw_csv = _raw_csv(parsed.csv_modes, choice)
    if not choice.any():
        raise BadRequest(
            406,
            "not-acceptable",
            msg(
                "The Accept header accepts none of the formats the endpoint can give: {types}.",
                types=", ".join(
                    conneg.accepted_types(conneg.SOLUTIONS) + conneg.accepted_types(conneg.GRAPH)
                ),
            ),
        )
    ex = _executor()
    # The revision is needed first only to answer a conditional request; otherwise the
    # executor reads it (on an external engine it may then save a round trip: see
    # endpoint/sparql/remote_executor.py, RemoteQueryExecutor.execute).
    conditional = bool(request.headers.get("If-None-Match") or
                       request.headers.get("If-Modified-Since"))
    rev = ex.current() if conditional else None
    if rev is not None:
        tags = [f.name for f in (choice.solutions, choice.graph) if f is not None]
        if raw_csv:
            tags = [RAW_CSV_TAG if t == "csv" else t for t in tags]
        not_modified = _not_modified(rev.number, rev.committed, tags)
        if not_modified is not None:
            return not_modified
    text = admitted(query)  # 400: nested too deep, or SERVICE (decided on the parsed query)
    req = QueryRequest(
        query=query,
        default_graphs=default_graphs or None,
        named_graphs=named_graphs or None,
        # csv=raw: evaluated (and cached) as TSV, written as unescaped CSV here
        solutions_format="tsv" if raw_csv else choice.solutions.name if choice.solutions else None,
        graph_format=choice.graph.name if choice.graph else None,
        row_cap=settings.row_cap,
        union_default=not text.has_dataset,
        as_of=as_of,
    )
    asked = time.monotonic()
    # the client's share of the workers is counted by its address (behind a reverse proxy:
    # the proxy's; docs/endpoint.md, "Admission")
    answer = ex.execute(
        req, rev.number if rev is not None else None, client=request.remote_addr or "unknown"
    )
    resp = _answer_response(answer, settings.row_cap, raw_csv=raw_csv)
    if as_of is not None:
        resp.headers["OGP-As-Of"] = as_of
    resp.headers["Server-Timing"] = _server_timing(answer, asked)
    return resp


def _server_timing(answer: Answer, asked: float) -> str:
    """The ``Server-Timing`` header (W3C Server Timing): whether the answer came from the
    cache, and for an answer evaluated for this request the milliseconds spent by the query
    worker (evaluation and serialisation, ``worker``), waiting for it (``executor``: queue,
    pipe and worker) and in the endpoint until the response (``app``)."""
    began = g.get("ogpreg_t0")  # set by endpoint/metrics.py for every request
    spent = time.perf_counter() - began if began is not None else 0.0
    app = f"app;dur={spent * 1000:.1f}"
    if answer.made < asked:
        return f'cache;desc="hit", {app}'
    parts = ['cache;desc="miss"']
    if answer.worker_seconds:
        parts.append(f"worker;dur={answer.worker_seconds * 1000:.1f}")
    parts.append(f"executor;dur={answer.elapsed * 1000:.1f}")
    parts.append(app)
    return ", ".join(parts)


def _as_of(value: str | None, with_dataset: bool) -> str | None:
    """``?as_of=YYYY-MM-DD`` (or a timestamp) in the URL (``value``): the instant the query
    asks about (docs/lifecycle.md, "As of"); None without it."""
    if value is None:
        return None
    try:
        when = parse_as_of(value).when
    except AsOfError as exc:
        raise BadRequest(400, "bad-as-of", exc.message) from None
    if with_dataset:
        raise BadRequest(
            400,
            "as-of-with-dataset",
            msg(
                "as_of cannot be combined with default-graph-uri or named-graph-uri: the "
                "registry as it stood is one default graph without named graphs.",
            ),
        )
    return when.isoformat()


def _query_page(formats: list[str]) -> Response | None:
    """The query page with the query filled in, for a browser that opens a ``/sparql?query=…``
    link (GET or HEAD, no ``format``, an Accept header that names HTML and likes it at least
    as much as every result format: what browsers send, never what SPARQL clients send); None
    for everyone else, who gets the answer."""
    hook: Callable[[], Any] | None = state().extras.get("sparql_html")
    if hook is None or formats or request.method not in ("GET", "HEAD"):
        return None
    if not conneg.prefers_html(conneg.parse_accept(request.headers.get("Accept")),
                               conneg.ALL_FORMATS):
        return None
    resp = current_app.make_response(hook())
    resp.headers["Vary"] = _VARY
    return resp


def _service_or_ui(formats: list[str]) -> Response:
    st = state()
    hook: Callable[[], Any] | None = st.extras.get("sparql_html")
    if hook is not None and not formats:
        ranges = conneg.parse_accept(request.headers.get("Accept"))
        if conneg.prefers_html(ranges, conneg.GRAPH_FORMATS):
            resp = current_app.make_response(hook())
            resp.headers["Vary"] = _VARY
            return resp
    try:
        fmt = conneg.negotiate_graph(request.headers.get("Accept"), formats)
    except conneg.UnknownFormat:
        fmt = None
    if fmt is None:
        raise missing_query()
    return _description("sd", fmt)


@bp.route("/void", methods=["GET", "HEAD", "OPTIONS"])
def void() -> Response:
    if request.method == "OPTIONS":
        return _preflight()
    try:
        parsed = parse_request(state().settings.max_request_bytes)
        try:
            fmt = conneg.negotiate_graph(request.headers.get("Accept"), parsed.formats)
        except conneg.UnknownFormat:
            fmt = None
        if fmt is None:
            raise _not_acceptable_description()
        return _description("void", fmt)
    except BadRequest as exc:
        return _error(exc)
    except RegistryError as exc:
        return _registry_error(exc)


@bp.get("/metrics")
def metrics() -> Response:
    st = state()
    m: Metrics = st.extras["metrics"]
    rev = st.registry.store.revision()
    fast = st.extras.get("fastpath")
    text = m.render(st.extras.get("executor"), rev.number if rev else 0, fast.hits if fast else 0)
    return Response(text, content_type="text/plain; version=0.0.4; charset=utf-8")


# -- registration ----------------------------------------------------------------------------
def make_executor(st: EndpointState) -> QueryExecutor:
    s = st.settings
    if s.engine != "embedded":
        # an external SPARQL engine answers (endpoint/sparql/remote_executor.py)
        from endpoint.sparql.remote_executor import RemoteQueryExecutor
        from registry.store.remote.store import RemoteStore

        assert isinstance(st.registry.store, RemoteStore)
        return RemoteQueryExecutor(
            st.registry.store,
            s.base_uri,
            prefixes=dict(PREFIXES),
            workers=s.query_workers,
            timeout=s.query_timeout,
            cache_bytes=s.cache_bytes,
            queue_timeout=s.query_wait,
            queue=s.query_queue,
            truncation_link=description.dumps_url(s.base_uri),
        )
    return QueryExecutor(
        st.registry.store.path,
        s.base_uri,
        prefixes=dict(PREFIXES),
        workers=s.query_workers,
        timeout=s.query_timeout,
        cache_bytes=s.cache_bytes,
        queue_timeout=s.query_wait,
        queue=s.query_queue,
        truncation_link=description.dumps_url(s.base_uri),
    )


def init_app(app: Flask) -> None:
    """Register ``/sparql``, ``/void`` and ``/metrics``; create the app's query executor.

    The executor's workers start on :func:`endpoint.server` start-up (``extras["startup"]``)
    or on the first query, and stop on shut-down (``extras["shutdown"]``) or at exit. Each
    app has its own executor, so tests can build several apps in one process."""
    st = state(app)
    executor = make_executor(st)
    st.extras["executor"] = executor
    st.extras.setdefault("startup", []).append(executor.start)
    st.extras.setdefault("shutdown", []).append(executor.close)
    metrics_ = Metrics()
    st.extras["metrics"] = metrics_
    install(app, metrics_)
    app.register_blueprint(bp)
    fast = FastPath(app.wsgi_app, executor, metrics_)
    st.extras["fastpath"] = fast
    app.wsgi_app = fast  # type: ignore[method-assign]
