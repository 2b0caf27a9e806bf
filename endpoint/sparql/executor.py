"""The query executor: SPARQL queries run in worker processes that can really be stopped.

pyoxigraph has no in-process timeout, so a query runs in a separate process: the parent (the
HTTP server) waits for the answer for at most the query timeout and, when it runs out, kills
the worker with SIGKILL and starts a replacement. The work stops with the process.

* **Workers** are started with the ``forkserver`` method (``spawn`` where there is none): a
  fresh interpreter that never held a pyoxigraph store forks them, so no store handle is ever
  copied into a child. Each worker opens the store's current committed revision read-only
  (:meth:`registry.store.EmbeddedStore.reader`, which re-reads ``CURRENT`` and switches to a
  newer revision for the next query), evaluates one query at a time and sends back the answer
  as bytes, already serialised in the requested format, with the row cap applied while
  streaming. Workers run without a network (a network namespace of their own where the
  kernel allows it), so no query can reach out, whatever the protocol layer let through; a
  worker that has a network refuses ``SERVICE`` itself.
* **Remote sources.** Built with a :class:`endpoint.sparql.worker.RemoteSource` instead of a store
  path, the same pool reads the registry on an external SPARQL engine (workers with a network,
  to reach it): the remote executor (``endpoint/sparql/remote_executor.py``) evaluates ``as_of``
  queries there, with :meth:`QueryExecutor.run_in_worker` and the request's deadline.
* **Row cap.** SELECT results are streamed by pyoxigraph's own serialiser into a sink that
  counts rows and stops the evaluation once the cap is passed (TSV, one row per line), then
  converted to the requested format by pyoxigraph's parser and serialiser. CONSTRUCT and
  DESCRIBE triples are streamed through ``itertools.islice``. Nothing past the cap is
  evaluated or held in memory.
* **Cache.** Answers are cached in the parent until the revision changes
  (``endpoint/sparql/cache.py``); identical queries arriving together are evaluated once (the
  others wait for the first).
* **Admission.** At most ``workers + queue`` queries the cache cannot answer are evaluated or
  wait at once (503 beyond), each client at most its fair share (429 beyond), and a freed
  worker goes to the waiting query whose client holds the fewest
  (``endpoint/sparql/admission.py``).

What is asked and answered (:class:`QueryRequest`, :class:`Answer`) is in
``endpoint/sparql/answers.py``.

The executor is thread-safe: any number of request threads share one pool.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import time
import traceback
import types
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from endpoint.sparql.admission import INTERNAL, RETRY_AFTER, Admission, FairQueue, TooManyQueries
from endpoint.sparql.answers import Answer, QueryRequest, from_reply
from endpoint.sparql.cache import AnswerCache, CacheKey
from endpoint.sparql.worker import RemoteSource, worker_main
from registry.errors import ExecutorBusy, QueryTimeout, RegistryError, WorkerFailed
from registry.i18n import msg
from registry.sparql.querytext import inspect
from registry.store.embedded import EmbeddedStore, Revision

log = logging.getLogger(__name__)


# -- the pool in the parent ------------------------------------------------------------------
@dataclass(eq=False)
class _Worker:
    process: Any  # multiprocessing.process.BaseProcess
    conn: Connection
    pid: int
    isolated: bool


class _Flight:
    """One evaluation that other threads asking the same thing wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: Answer | None = None
        self.error: BaseException | None = None


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # Preload this module (and pyoxigraph) in the fork server, so a new worker is a cheap
        # fork of a process that has imported everything but never opened a store.
        multiprocessing.set_forkserver_preload(["endpoint.sparql.worker", "pyoxigraph"])
        return ctx
    return multiprocessing.get_context("spawn")


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """Start a worker without making it re-run the parent's ``__main__``.

    multiprocessing re-imports the parent's main script in every child (for ``ogpreg`` that
    is the whole command line with rdflib and pySHACL; for code read from stdin it fails).
    A worker needs nothing from it, so the main module is hidden while the child's
    preparation data is taken."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


_LIVE: weakref.WeakSet[QueryExecutor] = weakref.WeakSet()


def close_all() -> None:
    """Stop every executor of this process (registered with atexit)."""
    for ex in list(_LIVE):
        ex.close()


class QueryExecutor:
    """A pool of query worker processes with a timeout, a row cap and an answer cache.
    ``store_path`` is the embedded store's directory, or a :class:`RemoteSource` (then the
    workers read the engine; give ``isolate_network=False``)."""

    def __init__(
        self,
        store_path: Path | str | RemoteSource,
        base_uri: str,
        *,
        prefixes: dict[str, str] | None = None,
        workers: int = 2,
        timeout: float = 30.0,
        cache_bytes: int = 64 * 1024 * 1024,
        queue_timeout: float | None = None,
        queue: int = 16,
        truncation_link: str | None = None,
        isolate_network: bool = True,
    ) -> None:
        if isinstance(store_path, RemoteSource):
            self.source: str | RemoteSource = store_path
            self.store_path = Path(store_path.state_dir)
        else:
            self.store_path = Path(store_path)
            self.source = str(self.store_path)
        self.base_uri = base_uri
        self.prefixes = dict(prefixes or {})
        self.size = max(1, workers)
        self.timeout = timeout
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        self.truncation_link = truncation_link or base_uri
        self.isolate_network = isolate_network
        self.cache = AnswerCache(cache_bytes)
        self.admission = Admission(self.size, queue)
        self._pool: FairQueue[_Worker] = FairQueue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._inflight: dict[CacheKey, _Flight] = {}
        self._started = False
        self._closed = False
        self._stats_lock = threading.Lock()
        self.stats: dict[str, float] = {
            "queries": 0,
            "cache_hits": 0,
            "cache_misses": 0,
            "shared": 0,
            "timeouts": 0,
            "busy": 0,
            "too_many": 0,
            "errors": 0,
            "worker_restarts": 0,
            "evaluation_seconds_sum": 0.0,
            "evaluation_count": 0,
        }
        self._store = EmbeddedStore(self.store_path)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the workers (idempotent; also done by the first query)."""
        with self._start_lock:
            if self._started:
                return
            if self._closed:
                raise WorkerFailed(
                    msg(
                        "The query executor has been shut down.",
                    )
                )
            ctx = _context()
            pending = [self._launch(ctx) for _ in range(self.size)]
            for process, conn in pending:
                worker = self._await_ready(process, conn)
                with self._lock:
                    self._workers.add(worker)
                self._pool.add(worker)
            self._started = True
            _LIVE.add(self)

    def _launch(self, ctx: Any) -> tuple[Any, Connection]:
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        process = ctx.Process(
            target=worker_main,
            args=(
                child_conn,
                self.source,
                self.base_uri,
                self.prefixes,
                os.getpid(),
                self.truncation_link,
                self.isolate_network,
            ),
            name="ogpreg-query-worker",
            daemon=True,
        )
        with _without_main():
            process.start()
        child_conn.close()
        return process, parent_conn

    def _await_ready(self, process: Any, conn: Connection) -> _Worker:
        if not conn.poll(60):
            process.kill()
            raise WorkerFailed(
                msg(
                    "A query worker process did not start in time.",
                )
            )
        try:
            tag, pid, isolated = conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed(
                msg(
                    "A query worker process stopped while starting: {error}",
                    error=exc,
                )
            ) from exc
        assert tag == "ready"
        if not isolated and self.isolate_network:
            log.info("query worker %s runs without network isolation (not permitted here)", pid)
        return _Worker(process, conn, int(pid), bool(isolated))

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones with SIGKILL) and wait for them."""
        with self._start_lock:
            self._closed = True
            with self._lock:
                workers = list(self._workers)
                self._workers.clear()
            idle = set(self._pool.drain())
            for w in workers:
                if w in idle:
                    with contextlib.suppress(OSError, ValueError):
                        w.conn.send(None)
                else:
                    w.process.kill()
            for w in workers:
                w.process.join(5)
                if w.process.is_alive():
                    w.process.kill()
                    w.process.join(5)
                with contextlib.suppress(OSError):
                    w.conn.close()
            self.cache.clear()
            _LIVE.discard(self)

    @property
    def closed(self) -> bool:
        return self._closed

    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def busy_workers(self) -> int:
        """Workers evaluating a query now."""
        return self._pool.busy()

    def network_isolated(self) -> bool:
        with self._lock:
            return bool(self._workers) and all(w.isolated for w in self._workers)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.process.kill()
        worker.process.join(5)
        with contextlib.suppress(OSError):
            worker.conn.close()
        self._count("worker_restarts")
        threading.Thread(target=self._replace, name="ogpreg-worker-restart", daemon=True).start()

    def _replace(self) -> None:
        delay = 0.1
        while not self._closed:
            try:
                process, conn = self._launch(_context())
                worker = self._await_ready(process, conn)
            except (RegistryError, OSError) as exc:
                log.warning("could not start a query worker: %s", exc)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            with self._start_lock:
                if self._closed:
                    worker.process.kill()
                    worker.process.join(5)
                    return
                with self._lock:
                    self._workers.add(worker)
                self._pool.add(worker)
            return

    # -- queries -----------------------------------------------------------------------------
    def current(self) -> Revision | None:
        """The committed revision (``CURRENT`` is re-read only when a commit replaced it:
        :meth:`registry.store.embedded.EmbeddedStore.revision`)."""
        return self._store.revision()

    def revision(self) -> int:
        rev = self.current()
        return rev.number if rev else 0

    def _count(self, name: str, amount: float = 1) -> None:
        with self._stats_lock:
            self.stats[name] += amount

    def note_hit(self) -> None:
        """Count a query answered from the cache outside :meth:`execute` (the fast path)."""
        with self._stats_lock:
            self.stats["queries"] += 1
            self.stats["cache_hits"] += 1

    def cached(self, request: QueryRequest) -> Answer | None:
        """The cached answer for ``request`` at the current revision, if any."""
        return self.cache.get(self.revision(), request)

    def execute(
        self, request: QueryRequest, revision: int | None = None, *, client: str | None = None
    ) -> Answer:
        """Evaluate ``request`` (or take its answer from the cache). ``revision`` is the
        current revision if the caller has just read it; ``client`` who asks (the remote
        address; None: the endpoint itself). A cache hit is answered at once; anything else
        must be admitted first (:meth:`admitted`)."""
        self._count("queries")
        if revision is None:
            revision = self.revision()
        answer = self.cache.get(revision, request)
        if answer is not None:
            self._count("cache_hits")
            return answer
        who = INTERNAL if client is None else client
        with self.admitted(who):
            return self._shared(request, revision, who)

    @contextlib.contextmanager
    def admitted(self, client: str) -> Iterator[None]:
        """Hold one of the places of queries that are evaluated or wait (:class:`Admission`),
        or raise at once: :class:`TooManyQueries` (429) when ``client`` has its share already,
        :class:`ExecutorBusy` (503) when every place is taken."""
        refused = self.admission.enter(client)
        if refused == "client":
            self._count("too_many")
            raise TooManyQueries(
                msg(
                    "You already have {n} queries being evaluated or waiting here, as many as "
                    "one client may have while others wait. Wait until they have finished, "
                    "and try again in {seconds} seconds.",
                    n=self.admission.clients().get(client, 0),
                    seconds=RETRY_AFTER,
                )
            )
        if refused is not None:
            raise self._busy()
        try:
            yield
        finally:
            self.admission.leave(client)

    def _shared(self, request: QueryRequest, revision: int, client: str) -> Answer:
        """Evaluate ``request``, once for all identical requests that arrive meanwhile."""
        key = (revision, request)
        with self._lock:
            flight = self._inflight.get(key)
            leader = flight is None
            if flight is None:
                flight = self._inflight[key] = _Flight()
        if not leader:
            self._count("shared")
            if not flight.done.wait(self.queue_timeout + self.timeout + 10):
                raise self._busy()
            if flight.error is not None:
                raise flight.error
            assert flight.answer is not None
            return flight.answer
        self._count("cache_misses")
        try:
            answer = self._run(request, client)
            self.cache.put(request, answer)
            flight.answer = answer
            return answer
        except BaseException as exc:
            # The error goes to the threads waiting for the same answer, and may be freed by
            # any of them: the locals of the frames it passed through are freed here, in the
            # thread that made them (a pyoxigraph result freed by another thread is an
            # "unsendable" error and a leak), and this frame lets go of ``flight``, so that
            # no reference cycle (error → traceback → this frame → flight → error) is left
            # for the garbage collector of whichever thread runs it next.
            traceback.clear_frames(exc.__traceback__)
            flight.error = exc
            raise
        finally:
            flight.done.set()
            with self._lock:
                self._inflight.pop(key, None)
            del flight

    def _busy(self) -> ExecutorBusy:
        self._count("busy")
        return ExecutorBusy(
            msg(
                "All query workers are busy. Try again shortly.",
            )
        )

    def _run(self, request: QueryRequest, client: str = INTERNAL) -> Answer:
        return self.run_in_worker(request, client=client)

    def run_in_worker(
        self, request: QueryRequest, deadline: float | None = None, *, client: str = INTERNAL
    ) -> Answer:
        """Evaluate ``request`` in a worker (no cache): wait at most ``queue_timeout`` for an
        idle worker (else :class:`ExecutorBusy`; a freed worker goes to the waiting query of
        the client that holds the fewest) and ``timeout`` for its answer (else the worker is
        killed and replaced: :class:`QueryTimeout`); with a ``deadline``
        (``time.monotonic()``), neither wait goes past it."""
        if self._closed or not self._started:
            self.start()  # refuses once the executor is shut down
        wait = self.queue_timeout
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        worker = self._pool.acquire(client, wait)
        if worker is None:
            raise self._busy()
        try:
            header, body, elapsed = self._ask(worker, request, deadline)
        except BaseException:
            self._pool.release(client, None)  # the worker was discarded; a replacement comes
            raise
        self._pool.release(client, worker)
        return self._answer(header, body, elapsed, request.query)

    def _ask(
        self, worker: _Worker, request: QueryRequest, deadline: float | None
    ) -> tuple[Any, bytes, float]:
        """Send ``request`` to ``worker`` and read its answer (header, body, seconds); the
        worker is discarded when that fails."""
        started = time.monotonic()
        wait = self.timeout
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - started))
        try:
            worker.conn.send(
                (
                    request.query,
                    request.default_graphs,
                    request.named_graphs,
                    request.solutions_format,
                    request.graph_format,
                    request.row_cap,
                    request.union_default,
                    request.as_of,
                    # the outermost LIMIT: the route has read it (inspect remembers the text),
                    # so the worker does not lex the query again
                    inspect(request.query).limit,
                )
            )
            if not worker.conn.poll(wait):
                self._count("timeouts")
                self._discard(worker)
                raise QueryTimeout(
                    msg(
                        "The query took more than {seconds:g} seconds and was stopped. Make it "
                        "narrower (fewer patterns without shared variables, LIMIT), or download "
                        "the full dataset and query it locally.",
                        seconds=self.timeout,
                    )
                )
            header = worker.conn.recv()
            body = worker.conn.recv_bytes()
        except (EOFError, OSError) as exc:
            self._count("errors")
            self._discard(worker)
            raise WorkerFailed(
                msg(
                    "The process evaluating the query stopped unexpectedly ({error}). Try again.",
                    error=type(exc).__name__,
                )
            ) from exc
        except QueryTimeout:
            raise
        except BaseException:
            self._discard(worker)
            raise
        return header, body, time.monotonic() - started

    def _answer(self, header: Any, body: bytes, elapsed: float, query: str = "") -> Answer:
        """The answer (or the error) a worker sent for ``query``."""
        self._count("evaluation_seconds_sum", elapsed)
        self._count("evaluation_count")
        if header[0] != "ok":
            self._count("errors")
        return from_reply(header, body, elapsed, query, self.prefixes)

atexit.register(close_all)
