"""The production WSGI server: waitress, one process, ``http_threads`` request threads.

Why waitress: it is pure Python (no compiler, no C extension, works wherever Python does),
threaded, and mature (the Pylons project's server). One process with threads suits this
endpoint: the heavy work (SPARQL evaluation) already runs in the query worker processes
(``endpoint/sparql/executor.py``), so the HTTP process mostly waits on pipes and sockets, and a
single
process means one pool of query workers and one answer cache shared by every request (a
pre-forking server such as gunicorn would give each of its processes its own cache and pool,
and would fork a process that may hold resources). Put a reverse proxy (nginx, Apache) in
front for TLS and, if wanted, HTTP caching; it can honour the ETags.

Threads. A query the answer cache cannot answer holds its request thread while it is
evaluated or waits for a query worker; if every thread could end up doing that, ``/health``,
cached answers, pages and files would wait behind slow queries. So the query executor admits
at most ``OGPREG_QUERY_WORKERS + OGPREG_QUERY_QUEUE`` such queries at once (more: 503 at once;
more than a client's fair share: 429; see ``endpoint/sparql/admission.py``), and waitress gets
exactly that many threads on top of ``OGPREG_HTTP_THREADS`` (``--threads``), which are
thus always left for everything else. A query waits at most ``OGPREG_QUERY_WAIT`` seconds for a
worker (503 with ``Retry-After``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import waitress
from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.trigger import trigger as Trigger  # noqa: N812

from endpoint.app import SERVER_NAME, run_shutdown, run_startup, state
from endpoint.listening import body_limit, connections_at_once
from endpoint.sparql import fastpath


class Server:
    """The endpoint app under waitress, with the query workers started and stopped with it."""

    def __init__(
        self,
        app: Flask,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        threads: int | None = None,
    ) -> None:
        self.app = app
        st = state(app)
        settings = st.settings
        #: threads for everything that does not wait for a query worker
        self.threads = threads or settings.http_threads
        executor = st.extras.get("executor")
        #: threads for the queries the executor admits (evaluated or waiting for a worker)
        self.query_threads: int = executor.admission.capacity if executor is not None else 0
        limit = settings.max_request_bytes
        self._server: Any = waitress.create_server(
            app,
            host=host,
            port=port,
            threads=self.threads + self.query_threads,
            # Let long query strings reach the app, which answers 413 with a message;
            # beyond twice the limit waitress itself refuses the request (431).
            max_request_header_size=max(262_144, 2 * limit + 65_536),
            max_request_body_size=body_limit(settings),
            connection_limit=connections_at_once(self.threads + self.query_threads),
            ident=SERVER_NAME,
            asyncore_use_poll=True,
            expose_tracebacks=False,
        )
        self._map: dict[int, Any] = getattr(self._server, "_map", None) or self._server.map
        # exact repeats of cached GET answers straight from waitress's I/O thread (issue 24;
        # endpoint/sparql/fastpath.py): one listening server, or each of several
        fast = st.extras.get("fastpath")
        channel = fastpath.channel_class(fast) if fast is not None else None
        if channel is not None:
            for srv in [self._server, *self._map.values()]:
                if hasattr(srv, "channel_class"):
                    srv.channel_class = channel
        self._thread: threading.Thread | None = None
        self._closed = False
        self._close_lock = threading.Lock()
        self._started_hooks = False
        #: the loop's trigger, once out of the loop and not yet closed (:meth:`_close_all`)
        self._trigger_left: Any = None

    # -- addresses ---------------------------------------------------------------------------
    @property
    def host(self) -> str:
        if hasattr(self._server, "effective_host"):
            return str(self._server.effective_host)
        return str(self._server.effective_listen[0][0])

    @property
    def port(self) -> int:
        if hasattr(self._server, "effective_port"):
            return int(self._server.effective_port)
        return int(self._server.effective_listen[0][1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    # -- lifecycle ---------------------------------------------------------------------------
    def start_workers(self) -> None:
        """Run the app's start-up hooks (the query executor starts its worker processes)."""
        if not self._started_hooks:
            self._started_hooks = True
            run_startup(self.app)

    def serve_forever(self, ready: Callable[[], None] | None = None) -> None:
        """Serve in this thread until SIGINT or SIGTERM; then stop cleanly. ``ready`` is called
        once the signal handlers are in place (start-up messages go there).

        The first signal asks the event loop to close its sockets (through waitress's
        trigger, so no exception is thrown into whatever the loop is doing); the loop then
        ends, the request threads finish and the query workers are stopped. A second signal
        interrupts at once."""
        self.start_workers()
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            if stopping:
                raise KeyboardInterrupt
            stopping = True
            self._stop_loop()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if ready is not None:
                ready()
            self._server.run()  # returns when the loop has no sockets left
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.close()

    def _close_all(self) -> None:
        """Close every socket of the loop; a connection through its ``handle_close``, which also
        closes its output buffers (a large answer is buffered in a temporary file, which
        ``wasyncore.close_all`` would leave open). The trigger leaves the loop too (so that the
        loop ends) but stays open until the request threads are done (:meth:`close`): a thread
        finishing a request pulls it, and found it closed (a "Bad file descriptor" traceback
        on stderr when a request had just been answered as the server stopped)."""
        for d in list(self._map.values()):
            if isinstance(d, HTTPChannel):
                with contextlib.suppress(OSError):
                    d.handle_close()
            elif isinstance(d, Trigger):
                d.del_channel()  # out of the loop, still open
                self._trigger_left = d
            elif isinstance(d, BaseWSGIServer):
                # a listening socket: its own close() would close the trigger too
                with contextlib.suppress(OSError):
                    wasyncore.dispatcher.close(d)
        wasyncore.close_all(self._map)

    def _stop_loop(self) -> bool:
        trigger = next((d for d in self._map.values() if isinstance(d, Trigger)), None)
        if trigger is None:
            return False
        try:
            trigger.pull_trigger(self._close_all)
        except OSError:
            # The trigger's pipe is already closed: the loop is closing its sockets on its own
            # (seen once in CI when close() raced with the loop's own shutdown).
            return False
        return True

    def start_in_thread(self) -> Server:
        """Serve from a background thread (tests, benchmarks). Stop with :meth:`close`."""
        self.start_workers()
        self._thread = threading.Thread(target=self._server.run, name="ogpreg-http", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, wait for the request threads, stop the query workers."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        if self._thread is not None and self._thread.is_alive():
            self._stop_loop()
            self._thread.join(10)
        else:
            with contextlib.suppress(Exception):
                self._close_all()
        self._server.task_dispatcher.shutdown()
        if self._trigger_left is not None:
            with contextlib.suppress(OSError):
                self._trigger_left.close()
        run_shutdown(self.app)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
