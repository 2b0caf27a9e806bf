"""``ogpreg serve``: the SPARQL endpoint and the registry's web pages under waitress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ogpreg.context import State, lang_of
from registry.i18n import Msg, msg

if TYPE_CHECKING:
    from endpoint.sparql.executor import QueryExecutor
    from registry.settings import Settings


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Address to listen on; 0.0.0.0 listens on every interface (put a reverse proxy "
        "in front). Example: --host 0.0.0.0",
    )
    @click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8000,
        show_default=True,
        help="TCP port; 0 picks a free one (the address is printed). Example: --port 8080",
    )
    @click.option(
        "--threads",
        type=click.IntRange(1, 1024),
        default=None,
        help="HTTP request threads (default: $OGPREG_HTTP_THREADS, else 8). The number of "
        "query worker processes is $OGPREG_QUERY_WORKERS (default 8); each query place "
        "(workers + $OGPREG_QUERY_QUEUE) gets a thread of its own on top. Example: --threads 16",
    )
    @click.pass_context
    def serve(ctx: click.Context, host: str, port: int, threads: int | None) -> None:
        """Serve the public SPARQL endpoint (/sparql), its query UI and the registry's pages.

        Runs under waitress (a production WSGI server) until Ctrl-C or SIGTERM, with
        OGPREG_QUERY_WORKERS query processes (a query is stopped after OGPREG_QUERY_TIMEOUT
        seconds) and an answer cache of OGPREG_CACHE_BYTES. Absolute URLs in responses come
        from --base-uri / OGPREG_BASE_URI, not from the request. Loads (`ogpreg load`) may run
        while it serves; queries see the registry before or after a load, never in between.

        \b
        Example:
          ogpreg serve
          ogpreg --store /var/lib/ogp-registry/store --base-uri https://ogp.example.no/ \\
                 serve --host 0.0.0.0 --port 8080 --threads 16
        """
        from endpoint.app import create_app, state
        from endpoint.server import Server
        from registry.settings import load_settings

        st = ctx.find_object(State)
        assert st is not None
        settings = load_settings({**st.overrides, "http_threads": threads})
        lang = lang_of(ctx)
        app = create_app(settings)
        server = Server(app, host=host, port=port, threads=settings.http_threads)
        server.start_workers()

        def ready() -> None:
            # printed once SIGTERM/SIGINT stop the server cleanly: a supervisor that stops
            # it as soon as it reads these lines gets a clean stop
            click.echo(
                msg(
                    "The OGP registry answers at {url} (SPARQL: {url}sparql; public base URI "
                    "{base}; store {store}; {threads} HTTP threads, {workers} query processes, "
                    "timeout {timeout:g} s). Stop with Ctrl-C.",
                    url=server.url,
                    base=settings.base_uri,
                    store=settings.store,
                    threads=server.threads + server.query_threads,
                    workers=settings.query_workers,
                    timeout=settings.query_timeout,
                ).render(lang)
            )
            click.echo(network_line(state(app).extras["executor"], settings).render(lang))

        server.serve_forever(ready)
        click.echo(msg("Stopped.").render(lang))


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
