"""``ogpreg serve --server granian``: the endpoint under granian, an HTTP server written in Rust
that calls the Flask app through WSGI (issue 24, second part).

Why an option: measured against the default (waitress) on the same store with
``benchmarks/small_answers.py --servers`` (docs/performance.md, "Which WSGI server"), granian
answered first-time SPARQL lookups 2.1 times and light requests (``/health``) 6.9 times as fast
(with the app pool below; 1.8–2.4 and 7.7–9.2 times in three runs before it), cached answers
at 0.8 of waitress's: it parses and writes HTTP in compiled threads and holds Python's lock
only while the app runs, where waitress does both in Python and hands every request between
its threads.

Slow clients. granian hands a request to one of its threads as soon as its headers are in,
and that thread reads the body through ``wsgi.input`` with no time limit (granian has none, and
will not: emmett-framework/granian#177). With as many threads as the app has under waitress, a
dozen clients sending bodies a byte at a time held them all and nobody else was answered. So
granian gets as many threads as it takes requests at once (``backpressure``): ``max(100, 16 ×
(--threads + query places))``, the number of connections waitress takes
(``endpoint/listening.py``, :func:`connections_at_once`), started when needed and ended after
30 s idle (granian's own default is half its backpressure). They only read requests and wait:
the app itself runs in a pool of ``--threads`` + query places threads, each request once its
body is whole, in order (``endpoint/app_pool.py``) — waitress's model, with the reading done in
compiled code. A slow body then holds one of hundreds of reading threads and no app thread, and
shutting the server out takes as many slow connections as it takes under waitress
(tests/test_slow_clients.py: the same cases under both servers).

What granian does differently: the request target (path and query string) of a GET is limited
to 64 kB by the Rust HTTP library under granian, which answers a longer one with a bare 414
(431 past its buffer) before the app sees it, where the registry's own limit is
``OGPREG_MAX_REQUEST_BYTES`` (2 MB) with a message saying what to do (POST is not affected).
The tests of what a client sees of the server run under both (tests/endpoint_server.py,
``serving``).
Exact repeats of cached answers are answered in granian's thread before the hand-off to the
app's pool (``FastPath.repeat``, ``endpoint/sparql/fastpath.py``), as waitress answers them in
its I/O thread.

How it runs: ``ogpreg serve`` opens (and, if new, initialises) the store, puts its settings in
the environment, and calls granian, which starts one worker process (by ``spawn``, not
``fork``: the parent holds an open store) that binds the port. granian binds with
``SO_REUSEPORT``; the port is checked (in use: refused, ``endpoint/listening.py``) and held by
this process until the worker listens, so that ``--port 0`` prints a port nobody else takes.
The worker builds the app with ``endpoint.wsgi:granian_app`` (``served_app`` with the
registry's ``Server`` header) — the same app factory, the same query worker processes, answer
cache and admission as under waitress — and stops them when it exits. One granian worker:
the answer cache and the query workers are per process, as with waitress. The app's threads:
above.
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

from endpoint.listening import app_threads, connections_at_once, reserve
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
    ready: Callable[[str, int], None],
) -> None:
    """Serve under granian until SIGINT or SIGTERM (in the main thread). ``ready(url,
    threads)`` (the app's threads; ``--threads`` is in ``settings``) is called once the
    endpoint answers ``/health`` (a supervisor or a test that reads the start-up line can use
    the URL at once)."""
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
    # the app's pool in the worker (endpoint/wsgi.py) is as large
    threads = app_threads(settings)
    # requests granian takes at once, from their first byte, and as many threads to read them
    # (started when needed; the app runs in its own pool: module docstring); the number of
    # connections waitress takes with the same options (endpoint/server.py)
    taken = connections_at_once(threads)
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
        blocking_threads=taken,
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
        # so that neither slow headers nor slow bodies shut everybody else out before
        # waitress would be (tests/test_slow_clients.py)
        backpressure=taken,
    )

    # granian warns of more Python threads than 2 per core: here they wait on query workers'
    # pipes by design (endpoint/server.py), so that one warning is left out
    logging.getLogger("_granian").addFilter(
        lambda record: "Python threads" not in record.getMessage()
    )

    def announce() -> None:
        try:
            if _wait_until_answering(local, port, time.monotonic() + 120):
                ready(url, threads)
        finally:
            held.close()

    server.on_startup(lambda: threading.Thread(target=announce, daemon=True).start())
    try:
        server.serve()
    finally:
        held.close()
