"""The app for a WSGI server run by its own command (granian under ``ogpreg serve --server
granian``, or gunicorn, uWSGI...): ``endpoint.wsgi:served_app`` builds it from the
environment (``OGPREG_*``, docs/configuration.md), starts its query worker processes and stops
them when the process exits. ``ogpreg serve`` (waitress) does the same in its own process.

Example (granian's own command; ``ogpreg serve --server granian`` is the supported way;
``granian_app`` is ``served_app`` with the registry's ``Server`` header)::

    OGPREG_STORE=/var/lib/ogp-registry/store granian --interface wsgi --factory \
        endpoint.wsgi:granian_app
"""

from __future__ import annotations

import atexit
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from registry.i18n import Msg, as_lang, msg

if TYPE_CHECKING:
    from flask import Flask

    from endpoint.sparql.executor import QueryExecutor
    from registry.settings import Settings


def served_app() -> Flask:
    """The endpoint app built from the environment, its query workers started now and stopped
    at exit; prints whether those workers run without a network (:func:`network_line`)."""
    from endpoint.app import create_app, run_shutdown, run_startup, state

    app = create_app()
    st = state(app)
    run_startup(app)
    atexit.register(run_shutdown, app)
    executor = st.extras.get("executor")
    if executor is not None:
        print(network_line(executor, st.settings).render(as_lang(st.settings.lang)), flush=True)
    return app


def granian_app() -> Flask:
    """:func:`served_app` for ``ogpreg serve --server granian``: granian's threads read each
    request whole and the app runs in a pool of as many threads as under waitress
    (``endpoint/app_pool.py``); every answer also names the registry in its ``Server`` header,
    as under waitress (granian otherwise writes ``granian``; it keeps a ``Server`` header the
    app gives); the worker process does not take SIGINT (below). Not for gunicorn, which
    always writes its own ``Server`` header and reads requests its own way."""
    from endpoint.app import SERVER_NAME, state
    from endpoint.app_pool import AppPool
    from endpoint.listening import app_threads, body_limit

    # Ctrl-C in a terminal sends SIGINT to the whole foreground process group: this worker gets
    # it at the moment granian's main process, on the same Ctrl-C, sends it SIGTERM, and
    # granian (2.8) then missed its shutdown in 4 of 6 trials, so that the worker was killed
    # after its stop timeout (endpoint/granian_server.py). Blocked here, in the main thread
    # before granian and the app start any thread (they inherit it), SIGINT never reaches this
    # process; it stops on its main process's SIGTERM alone
    # (tests/test_endpoint_serving.py, Ctrl-C)
    if hasattr(signal, "pthread_sigmask"):  # not on Windows, where there are no groups
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    app = served_app()
    st = state(app)
    # bodies read whole before the app runs, and the app in as many threads as waitress's
    # (endpoint/app_pool.py says why)
    fast = st.extras.get("fastpath")
    inner = AppPool(
        app.wsgi_app,  # the fast path for repeats (endpoint/sparql/fastpath.py) included
        threads=app_threads(st.settings),
        body_limit=body_limit(st.settings),
        # exact repeats answered in granian's thread, before the hand-off to the pool
        front=fast.repeat if fast is not None else None,
    )

    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            # a new list: the fast path keeps the app's own to send again (with a Server
            # header added to it, a repeat carried two)
            return start_response(status, [*headers, ("Server", SERVER_NAME)], *exc_info)

        return inner(environ, start)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
    return app


def network_line(executor: QueryExecutor, settings: Settings) -> Msg:
    """Whether the query workers run without a network (a network namespace of their own,
    ``endpoint/sparql/worker.py``): the second layer under the refusal of SERVICE
    (``registry/sparql/queryguard.py``), which is there either way. Asked after the workers
    started."""
    if settings.engine != "embedded":
        return msg(
            "Query workers without network: no (queries are answered by {engine} at {url}; "
            "SERVICE is refused before a query is sent there).",
            engine=settings.engine,
            url=settings.engine_query_url,
        )
    if executor.network_isolated():
        return msg(
            "Query workers without network: yes (a network namespace of their own; SERVICE is "
            "also refused before a query runs).",
        )
    return msg(
        "Query workers without network: no (the kernel or a sandbox, e.g. a container under "
        "a default seccomp profile, does not allow unprivileged network namespaces here; "
        "SERVICE is still refused before a query runs).",
    )
