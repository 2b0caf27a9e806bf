"""The endpoint's query path in front of an external SPARQL engine (``OGPREG_ENGINE``).

:class:`RemoteQueryExecutor` keeps the interface of :class:`endpoint.sparql.executor.QueryExecutor`
(the answer cache, the single flight of identical queries, the row cap, the statistics, the
error types), and replaces the worker processes by HTTP requests to the engine:

* **Stateless.** Nothing but caches lives in the endpoint process: the revision is read from
  the engine (reused for ``revision_ttl`` seconds for ETags and cache look-ups), so any number of
  endpoint processes can serve one engine (docs/deployment.md).
* **Before or after, never between.** The revision is read before a query (reused for
  ``revision_ttl`` seconds from its last confirmation, then confirmed again with
  :meth:`registry.store.engines.base.Engine.still_current`: on Oxigraph one ``ASK`` for the
  revision's marker graphs, on Virtuoso a fresh bookkeeping read). How an answer is kept from
  mixing two states depends on the engine (``Engine.snapshot_reads``):

  - *Virtuoso* reads committed rows while it evaluates, and its commit (the swap) is not one
    atomic request: the revision is checked again after the query, and the answer counts only
    if no commit finished in between, else the query runs again with a fresh revision; while
    a swap is being applied the executor waits for it to finish. The label (ETag, cache key,
    ``OGP-Revision``) is exact.
  - *Oxigraph* applies a commit in one transaction and evaluates each query on one snapshot
    taken when it starts: an answer is always one revision's, with no check after it. It is
    labelled with the revision confirmed at most ``revision_ttl`` before the query began, so
    for that long after a commit an answer may already show the newer
    revision under the older label (never the other way round: revisions only grow, and a
    cache hit is served only at a revision confirmed within ``revision_ttl``). This is the
    same bound as the staleness every endpoint process allows itself (docs/deployment.md),
    and it saves one engine request per query (docs/performance.md, fourth round).
* **Timeout.** The engine's own limit stops the work on the server (Virtuoso: the ``timeout``
  parameter; Oxigraph: ``oxigraph serve --timeout-s``), and the executor stops waiting at
  ``OGPREG_QUERY_TIMEOUT`` (it closes the connection; 504 either way).
* **Row cap.** SELECT answers read as TSV (Oxigraph) and graphs as N-Triples are read line by
  line up to the cap, then the connection is closed (which stops a streaming evaluation);
  Virtuoso's SELECT answers (JSON) are read whole, bounded by its ``ResultSetMaxRows``. When
  the query's own ``LIMIT`` keeps it within the cap and the engine writes the requested format
  exactly as the endpoint would (``Engine.passthrough``: Oxigraph's JSON, XML, CSV, TSV), the
  engine's bytes are the answer, without a parse and a rewrite.
* ``as_of`` queries need the registry as it stood (``registry.history.asof.state_as_of``, built from
  the engine's history graph) and pyoxigraph to query it: a small pool of worker processes
  (:class:`endpoint.sparql.executor.QueryExecutor` with an
  :class:`endpoint.sparql.worker.RemoteSource`; ``min(2, workers)`` processes, started by the
  first ``as_of`` query) does both, so the
  timeout stops it as on the embedded store: at the request's deadline the worker is killed
  (SIGKILL) and replaced, and the answer is 504. The workers need the network to reach the
  engine (no network namespace); ``SERVICE`` is refused before (below) and by the workers.
  The answer cache and the revision checks (above) apply to these answers too.
* ``SERVICE`` (and Virtuoso's ``bif:``/``sql:`` functions, some of which fetch URLs) never
  reaches the engine: ``endpoint/sparql/routes.py`` refuses it before, decided on the parsed query
  (``registry/sparql/queryguard.py``).
* **Errors.** What the engine refuses because of the query is a 400 with the endpoint's error
  shape (``Engine.check_answer``: its 400s, and its 500s that name a fault of the query); a text
  with no query form is refused before it is sent; an engine that fails otherwise, or sends an
  answer that cannot be read, is a 502/503/504, never a bare 500.
* ``workers`` (``OGPREG_QUERY_WORKERS``) limits the requests one endpoint process has open at
  the engine at once; admission (``queue``, the fair share, the bounded wait for a free one)
  is the embedded executor's (:class:`endpoint.sparql.admission.Admission`,
  :class:`endpoint.sparql.admission.FairQueue`).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any, cast

import pyoxigraph as ox

from endpoint.sparql.admission import INTERNAL, FairQueue
from endpoint.sparql.answers import Answer, NotAcceptable, QueryRequest
from endpoint.sparql.csvsafe import escape_csv
from endpoint.sparql.executor import _LIVE, QueryExecutor
from endpoint.sparql.worker import (
    BOOLEAN,
    GRAPH,
    SOLUTIONS,
    WITH_PREFIXES,
    RemoteSource,
    _mark_truncated,
    capped_tsv,
    graph_formats_by_name,
    solution_formats_by_name,
    uncapped,
)
from registry.errors import ExecutorBusy, QueryError, QueryTimeout, WorkerFailed
from registry.i18n import msg
from registry.rdf.writing import serialize as write_rdf
from registry.rdf.writing import xml_safe
from registry.sparql.querytext import form_of, inspect
from registry.store.embedded import Revision
from registry.store.engines.base import (
    NTRIPLES,
    SOLUTIONS_JSON,
    SOLUTIONS_TSV,
    EngineTimeout,
    Meta,
    bad_answer,
)
from registry.store.remote.query import prologue
from registry.store.remote.store import RemoteStore

_SOLUTION_FORMATS = solution_formats_by_name()
_GRAPH_FORMATS = graph_formats_by_name()
_WITH_PREFIXES = WITH_PREFIXES


class RemoteQueryExecutor(QueryExecutor):
    """Queries answered by an external SPARQL engine, with the embedded executor's rules."""

    def __init__(
        self,
        store: RemoteStore,
        base_uri: str,
        *,
        prefixes: dict[str, str] | None = None,
        workers: int = 2,
        timeout: float = 30.0,
        cache_bytes: int = 64 * 1024 * 1024,
        queue_timeout: float | None = None,
        queue: int = 16,
        truncation_link: str | None = None,
        revision_ttl: float = 0.5,
    ) -> None:
        super().__init__(
            store.path,
            base_uri,
            prefixes=prefixes,
            workers=workers,
            timeout=timeout,
            cache_bytes=cache_bytes,
            queue_timeout=queue_timeout,
            queue=queue,
            truncation_link=truncation_link,
            isolate_network=False,
        )
        self.remote = store
        self.engine = store.engine
        self.revision_ttl = revision_ttl
        # the requests open at the engine: tokens handed out like the embedded workers
        self._slots: FairQueue[int] = FairQueue()
        for slot in range(self.size):
            self._slots.add(slot)
        self._state: tuple[float, Meta | None] | None = None
        self._state_lock = threading.Lock()
        self._as_of: QueryExecutor | None = None  # the as-of workers, started when first needed
        self._as_of_lock = threading.Lock()

    # -- lifecycle: no processes but the as-of workers ------------------------------------------
    def start(self) -> None:
        self._started = True
        _LIVE.add(self)

    def close(self) -> None:
        self._closed = True
        with self._as_of_lock:
            pool, self._as_of = self._as_of, None
        if pool is not None:
            pool.close()
        self.cache.clear()
        _LIVE.discard(self)

    def worker_pids(self) -> list[int]:
        """The as-of workers' process ids (none before the first ``as_of`` query)."""
        pool = self._as_of
        return pool.worker_pids() if pool is not None else []

    def as_of_executor(self) -> QueryExecutor:
        """The pool of worker processes that evaluates ``as_of`` queries (created here, its
        processes started by its first query)."""
        with self._as_of_lock:
            pool = self._as_of
            if pool is None or pool.closed:
                pool = self._as_of = QueryExecutor(
                    RemoteSource.of(self.remote),
                    self.base_uri,
                    prefixes=self.prefixes,
                    workers=min(2, self.size),
                    timeout=self.timeout,
                    cache_bytes=0,  # answers are cached here
                    truncation_link=self.truncation_link,
                    isolate_network=False,  # the workers talk to the engine
                )
            return pool

    def network_isolated(self) -> bool:
        return False

    def busy_workers(self) -> int:
        """Requests open at the engine now."""
        return self._slots.busy()

    # -- the revision ------------------------------------------------------------------------
    def _meta(self, *, fresh: bool = False, stale_ok: bool = False) -> Meta | None:
        now = time.monotonic()
        cached = self._state
        if stale_ok and not fresh and cached is not None:
            return cached[1]  # confirmed by the check after the query (see execute)
        if not fresh and cached is not None and now - cached[0] <= self.revision_ttl:
            return cached[1]
        if not fresh and cached is not None and self.engine.cheap_check:
            # an older read confirmed with one cheap request (Oxigraph: one ASK)
            if self.engine.still_current(cached[1]):
                self._confirmed(now, cached[1])
                return cached[1]
        meta = self.remote.state()
        with self._state_lock:
            self._state = (now, meta)
        return meta

    def _confirmed(self, when: float, meta: Meta | None) -> None:
        """``meta`` was still current at ``when`` (a check after a query): as good as a read
        then, so the revision read is reused from then on (unless a newer one is known)."""
        with self._state_lock:
            known = self._state
            if known is None or known[0] < when and (
                known[1] is None or meta is None or known[1].number <= meta.number
            ):
                self._state = (when, meta)

    def current(self) -> Revision | None:
        meta = self._meta()
        if meta is None:
            return None
        return Revision(meta.number, meta.committed or datetime.fromtimestamp(0).astimezone())

    def _timeout(self) -> QueryTimeout:
        self._count("timeouts")
        return QueryTimeout(
            msg(
                "The query took more than {seconds:g} seconds and was stopped. Make it narrower "
                "(fewer patterns without shared variables, LIMIT), or download the full "
                "dataset and query it locally.",
                seconds=self.timeout,
            )
        )

    # -- evaluation --------------------------------------------------------------------------
    def execute(
        self, request: QueryRequest, revision: int | None = None, *, client: str | None = None
    ) -> Answer:
        """As :meth:`QueryExecutor.execute`. On an engine checked after each query (not
        ``snapshot_reads``: Virtuoso), called without ``revision`` when the last confirmation
        of the revision is older than ``revision_ttl``, a query the cache cannot answer is
        evaluated at once, without confirming the revision first: the check after the query
        confirms the whole interval since the last confirmation (revisions only grow; a commit
        in between makes the query run again), so it costs one check, not two. A cache hit is
        served only with a revision confirmed within ``revision_ttl``."""
        cached = self._state
        if (
            revision is None
            and not self.engine.snapshot_reads
            and cached is not None
            and time.monotonic() - cached[0] > self.revision_ttl
        ):
            stale = cached[1].number if cached[1] is not None else 0
            if self.cache.get(stale, request) is None:
                self._count("queries")
                self._count("cache_misses")
                who = INTERNAL if client is None else client
                with self.admitted(who):
                    answer = self._run(request, who, stale_ok=True)
                self.cache.put(request, answer)
                return answer
        return super().execute(request, revision, client=client)

    def _run(
        self, request: QueryRequest, client: str = INTERNAL, stale_ok: bool = False
    ) -> Answer:
        if self._closed or not self._started:
            self.start()
        slot = self._slots.acquire(client, self.queue_timeout)
        if slot is None:
            raise self._busy()
        started = time.monotonic()
        deadline = started + self.timeout
        try:
            fresh = False
            for _ in range(10):
                before = self._meta(fresh=fresh, stale_ok=stale_ok)
                while before is not None and before.committing:
                    if time.monotonic() > deadline:
                        raise self._timeout()
                    time.sleep(0.05)
                    before = self._meta(fresh=True)
                try:
                    answer = self._evaluate(request, before, deadline)
                    checked = time.monotonic()
                    # Oxigraph: one snapshot, labelled with the revision confirmed within
                    # revision_ttl before it; elsewhere no commit may have finished meanwhile
                    # (module docstring)
                    current = self.engine.snapshot_reads or self.engine.still_current(before)
                except EngineTimeout:
                    raise self._timeout() from None
                fresh = True
                if current:
                    if not self.engine.snapshot_reads:
                        self._confirmed(checked, before)
                    answer.elapsed = time.monotonic() - started
                    self._count("evaluation_seconds_sum", answer.elapsed)
                    self._count("evaluation_count")
                    return answer
                # a commit finished meanwhile: the answer may mix two states; ask again
            raise self._busy()
        except NotAcceptable:
            raise
        except Exception:
            self._count("errors")
            raise
        finally:
            self._slots.release(client, slot)

    def _evaluate(
        self,
        request: QueryRequest,
        meta: Meta | None,
        deadline: float,
    ) -> Answer:
        """The answer from the engine, labelled with ``meta``'s revision. A text that is not a
        query is refused here (400); an answer of the engine that cannot be read is a 502
        (:class:`registry.store.engines.base.EngineBadAnswer`), never a 500."""
        try:
            return self._evaluate_text(request, meta, deadline)
        except (SyntaxError, ValueError) as exc:  # pyoxigraph's parsers, on the engine's bytes
            raise bad_answer(self.engine.kind, exc) from exc

    def _evaluate_text(
        self,
        request: QueryRequest,
        meta: Meta | None,
        deadline: float,
    ) -> Answer:
        revision = meta.number if meta else 0
        committed = meta.committed.isoformat() if meta and meta.committed else None
        form = form_of(request.query)
        if form is None:
            raise QueryError(
                msg(
                    "The text is not a SPARQL query: it has no SELECT, ASK, CONSTRUCT or "
                    "DESCRIBE. (An update goes to /sparql/update.)",
                )
            )
        kind = SOLUTIONS
        if form in ("CONSTRUCT", "DESCRIBE"):
            kind = GRAPH
        elif form == "ASK":
            kind = BOOLEAN
        if kind == GRAPH and request.graph_format is None:
            raise NotAcceptable(GRAPH)
        if kind != GRAPH and request.solutions_format is None:
            raise NotAcceptable(kind)
        if request.as_of:
            return self._evaluate_as_of(request, revision, committed, deadline)
        text = prologue(self.prefixes, self.base_uri) + request.query
        dataset = request.default_graphs is not None or request.named_graphs is not None
        kwargs: dict[str, Any] = {
            "union": request.union_default and not dataset,
            "default_graphs": request.default_graphs,
            "named_graphs": request.named_graphs,
            "timeout": max(0.5, deadline - time.monotonic()),
        }
        engine = self.engine
        if kind == GRAPH:
            resp = engine.query(text, accept=NTRIPLES, stream=True, **kwargs)
            lines, truncated = self._lines(resp, request.row_cap, deadline, triples=True)
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)
            ] if lines else []
            return self._graph_answer(triples, truncated, request, revision, committed)
        fmt = cast(str, request.solutions_format)
        if kind == BOOLEAN:
            resp = engine.query(text, accept=SOLUTIONS_JSON, **kwargs)
            result = engine.read_solutions(resp)
            body = result.serialize(format=_SOLUTION_FORMATS[fmt]) or b""
            return Answer(body, fmt, BOOLEAN, 1, False, revision, committed, 0.0)
        media = engine.passthrough.get(fmt)
        limit = inspect(request.query).limit
        if media is not None and limit is not None and limit <= request.row_cap:
            # The query's own LIMIT keeps it within the row cap, and the engine writes this
            # format as the endpoint would: its bytes are the answer (no parse, no rewrite).
            resp = engine.query(text, accept=media, stream=True, **kwargs)
            if resp.headers.get("Content-Type", "").split(";")[0].strip() == media:
                body, rows = uncapped(resp.content, fmt)
                return Answer(body, fmt, SOLUTIONS, rows, False, revision, committed, 0.0)
            resp.close()  # not the format asked for: read it the general way below
        accept = engine.solutions_accept()
        resp = engine.query(text, accept=accept, stream=accept == SOLUTIONS_TSV, **kwargs)
        if resp.headers.get("Content-Type", "").startswith(SOLUTIONS_TSV):
            lines, truncated = self._lines(resp, request.row_cap + 1, deadline, triples=False)
            tsv = b"".join(lines)
        else:
            solutions = engine.read_solutions(resp)
            if not isinstance(solutions, ox.QuerySolutions):
                raise ValueError("a boolean answer to a SELECT query")
            tsv, truncated = capped_tsv(solutions, request.row_cap)
            del solutions  # freed in this thread (docs/testing.md, "pyoxigraph results")
        return self._solutions_answer(tsv, truncated, request, revision, committed)

    def _lines(
        self, resp: Any, limit: int, deadline: float, *, triples: bool
    ) -> tuple[list[bytes], bool]:
        """Up to ``limit`` lines of a streamed answer (N-Triples: statements only) and whether
        there were more; the connection is closed as soon as the cap is passed."""
        out: list[bytes] = []
        truncated = False
        try:
            for raw in resp.iter_lines(chunk_size=65536):
                if time.monotonic() > deadline:
                    raise EngineTimeout(msg("Time limit reached."))
                line = raw.strip() if triples else raw
                if triples and (not line or line.startswith(b"#")):
                    continue
                if len(out) >= limit:
                    truncated = True
                    break
                out.append(line + b"\n")
        finally:
            resp.close()
        return out, truncated

    def _solutions_answer(
        self,
        tsv: bytes,
        truncated: bool,
        request: QueryRequest,
        revision: int,
        committed: str | None,
    ) -> Answer:
        fmt = cast(str, request.solutions_format)
        rows = max(0, tsv.count(b"\n") - 1)
        if fmt == "tsv":
            body = tsv
        else:
            parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
            try:
                body = parsed.serialize(format=_SOLUTION_FORMATS[fmt]) or b""
            finally:
                del parsed  # dropped in this thread, not by a traceback freed in another
        if fmt == "csv":
            body = escape_csv(body)
        if fmt == "xml":
            body = xml_safe(body)  # only the characters XML 1.0 allows
        if truncated:
            body = _mark_truncated(body, fmt, rows, self.truncation_link)
        return Answer(body, fmt, SOLUTIONS, rows, truncated, revision, committed, 0.0)

    def _graph_answer(
        self,
        triples: list[ox.Triple],
        truncated: bool,
        request: QueryRequest,
        revision: int,
        committed: str | None,
    ) -> Answer:
        fmt = cast(str, request.graph_format)
        items: list[Any] = list(triples)
        if fmt in ("nquads", "trig"):
            items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        body = write_rdf(
            items, _GRAPH_FORMATS[fmt], self.prefixes if fmt in _WITH_PREFIXES else None
        )
        if truncated:
            body = _mark_truncated(body, fmt, len(triples), self.truncation_link)
        return Answer(body, fmt, GRAPH, len(triples), truncated, revision, committed, 0.0)

    def _evaluate_as_of(
        self, request: QueryRequest, revision: int, committed: str | None, deadline: float
    ) -> Answer:
        """Evaluate an ``as_of`` query in an as-of worker, waiting for it at most until
        ``deadline``; a worker still busy then is killed and replaced (504)."""
        pool = self.as_of_executor()
        begun = time.monotonic()
        pool.start()  # the first time: the processes' start does not count against the query
        deadline += time.monotonic() - begun
        try:
            answer = pool.run_in_worker(request, deadline)
        except QueryTimeout:
            self._count("worker_restarts")  # the pool killed the worker and starts another
            raise self._timeout() from None
        except ExecutorBusy:
            raise self._busy() from None
        except WorkerFailed:
            self._count("worker_restarts")  # the worker died: the pool starts another
            raise
        # the worker read the revision itself; the answer is labelled with the one this
        # executor read before (and checks after) the query, as every other answer
        answer.revision, answer.committed = revision, committed
        return answer
