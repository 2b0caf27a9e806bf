"""``ogpreg serve --server granian``: the endpoint under granian, an HTTP server written in Rust
that calls the Flask app through WSGI (issue 24, second part).

Why an option: measured against the default (waitress) on the same store, three runs of
``benchmarks/small_answers.py --servers`` (docs/performance.md, "Which WSGI server"), granian
answered first-time SPARQL lookups 1.8–2.4 times and light requests (``/health``) 7.7–9.2 times
as fast, cached answers the same: it parses and writes HTTP in compiled threads and holds
Python's lock only while the app runs, where waitress does both in Python and hands every
request between its threads. Why not the default, two reasons. A request's body is read by the
app's own thread through ``wsgi.input``, with no time limit (granian has none, and will not:
emmett-framework/granian#177), so a handful of clients sending bodies a byte at a time hold
every thread and nobody else is answered; waitress reads a body whole in its I/O thread before a
thread sees the request (tests/test_slow_clients.py shows both). granian is for a deployment
behind a proxy that buffers request bodies (nginx does by default: docs/deployment.md). And the
request target (path and query string) of a GET is limited to 64 kB by the Rust HTTP library
under granian, which answers a longer one with a bare 414 (431 past its buffer) before the app
sees it, where the registry's own limit is ``OGPREG_MAX_REQUEST_BYTES`` (2 MB) with a message
saying what to do (POST is not affected).
The tests of what a client sees of the server run under both (tests/endpoint_server.py,
``serving``).
Exact repeats are answered by the app's fast path (``endpoint/sparql/fastpath.py``), not from
an I/O thread as under waitress.

How it runs: ``ogpreg serve`` opens (and, if new, initialises) the store, puts its settings in
the environment, and calls granian, which starts one worker process (by ``spawn``, not
``fork``: the parent holds an open store) that binds the port. granian binds with
``SO_REUSEPORT``; the port is checked (in use: refused, ``endpoint/listening.py``) and held by
this process until the worker listens, so that ``--port 0`` prints a port nobody else takes.
The worker builds the app with ``endpoint.wsgi:granian_app`` (``served_app`` with the
registry's ``Server`` header) — the same app factory, the same query worker processes, answer
cache and admission as under waitress — and stops them when it exits. One granian worker:
the answer cache and the query workers are per process, as with waitress. granian gets as
many threads for the app as waitress would (``--threads`` plus one per query place), for the
same reason (``endpoint/server.py``).
"""

from __future__ import annotations

import http.client
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from endpoint.listening import reserve
from registry.errors import ConfigurationError
from registry.i18n import msg
from registry.settings import Settings, environment_of

#: granian's factory target, imported in granian's worker process
TARGET = "endpoint.wsgi:granian_app"
#: seconds a stopping worker gets before granian kills it (its query workers end with it:
#: they watch their parent, endpoint/sparql/worker.py)
STOP_SECONDS = 10


def require() -> None:
    """Raise :class:`ConfigurationError` unless granian is installed (``pip install
    'ogp-registry[granian]'``): asked before anything is opened, so that the refusal changes
    nothing."""
    try:
        import granian  # noqa: F401
    except ImportError:
        raise ConfigurationError(
            msg(
                "--server granian needs granian, which is not installed. Install it with: "
                "pip install 'ogp-registry[granian]' (or choose --server waitress)."
            )
        ) from None


def _wait_until_answering(host: str, port: int, deadline: float) -> bool:
    """Whether ``/health`` answers 200 before ``deadline`` (straight to the socket: no proxy
    from the environment is ever asked)."""
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        try:
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    return False


def serve(
    settings: Settings,
    overrides: Mapping[str, object | None],
    *,
    host: str,
    port: int,
    threads: int,
    ready: Callable[[str, int], None],
) -> None:
    """Serve under granian until SIGINT or SIGTERM (in the main thread). ``ready(url,
    threads)`` is called once the endpoint answers ``/health`` (a supervisor or a test that
    reads the start-up line can use the URL at once)."""
    require()
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    # the port is held from here until granian's worker listens on it (``--port 0``: chosen
    # here, so that it can be printed; granian binds it in its worker)
    held = reserve(host, port)
    # granian takes an address, not a name ("localhost"): the one the name resolved to
    address, port = str(held.getsockname()[0]), int(held.getsockname()[1])
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    # where this process asks whether the worker answers (any address: the loopback)
    local = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(address, address)
    capacity = settings.query_workers + settings.query_queue
    app_threads = threads + capacity
    # the worker reads its settings where the parent found them, plus the command's options
    os.environ.update(environment_of(overrides))
    multiprocessing.set_start_method("spawn", force=True)
    server: Any = Granian(
        TARGET,
        factory=True,
        address=address,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=app_threads,
        http=HTTPModes.http1,
        websockets=False,
        # request headers up to twice the registry's request limit, as under waitress (the
        # request target itself stops at 64 kB in granian's HTTP library: module docstring)
        http1_settings=HTTP1Settings(max_buffer_size=max(417_792, 2 * settings.max_request_bytes)),
        log_level=LogLevels.warning,
        # on SIGINT/SIGTERM the worker gets this long to finish (as waitress's requests get
        # theirs, endpoint/server.py); then granian kills it, so that ``ogpreg serve`` never
        # waits for ever nor leaves a worker serving on the port after it has ended
        workers_kill_timeout=STOP_SECONDS,
        backlog=1024,
        # requests granian holds at once, from their first byte (waiting for a thread
        # included): as many as waitress takes connections (endpoint/server.py), so that
        # clients sending their headers slowly do not shut everybody else out
        # (tests/test_slow_clients.py; slow bodies do, module docstring)
        backpressure=max(100, 16 * app_threads),
    )

    # granian warns of more Python threads than 2 per core: here they wait on query workers'
    # pipes by design (endpoint/server.py), so that one warning is left out
    logging.getLogger("_granian").addFilter(
        lambda record: "Python threads" not in record.getMessage()
    )

    def announce() -> None:
        try:
            if _wait_until_answering(local, port, time.monotonic() + 120):
                ready(url, app_threads)
        finally:
            held.close()

    server.on_startup(lambda: threading.Thread(target=announce, daemon=True).start())
    try:
        server.serve()
    finally:
        held.close()
