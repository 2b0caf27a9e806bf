"""``ogpreg serve``: the SPARQL endpoint and the registry's web pages under waitress (or
granian, ``--server granian``: ``endpoint/granian_server.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ogpreg.context import State, lang_of, warn_unused
from registry.i18n import Msg, msg

if TYPE_CHECKING:
    from registry.i18n import Lang
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
    @click.option(
        "--server",
        "server_name",
        type=click.Choice(["waitress", "granian"]),
        default=None,
        help="HTTP server (default: $OGPREG_SERVER, else waitress). granian (the 'granian' "
        "extra) answers small queries faster and refuses GET requests over 64 kB with a bare "
        "414/431 (docs/deployment.md). Example: --server granian",
    )
    @click.pass_context
    def serve(
        ctx: click.Context, host: str, port: int, threads: int | None, server_name: str | None
    ) -> None:
        """Serve the public SPARQL endpoint (/sparql), its query UI and the registry's pages.

        Runs under waitress (a production WSGI server; --server granian for granian) until
        Ctrl-C or SIGTERM, with
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
        from endpoint.listening import check_listen, refusal
        from endpoint.server import Server
        from endpoint.wsgi import network_line
        from registry.settings import load_settings

        st = ctx.find_object(State)
        assert st is not None
        overrides = {**st.overrides, "http_threads": threads, "server": server_name}
        settings = load_settings(overrides)
        lang = lang_of(ctx)
        warn_unused(settings)
        if settings.server == "granian":
            from endpoint.granian_server import require

            require()  # before the store is opened: a refusal changes nothing
        check_listen(host, port)  # likewise: a port in use, a host not of this machine
        app = create_app(settings)  # opens (a new store: initialises) the store here
        if settings.server == "granian":
            _serve_granian(settings, overrides, host, port, lang)
            return
        try:
            server = Server(app, host=host, port=port, threads=settings.http_threads)
        except OSError as exc:  # taken since the check
            raise refusal(host, port, exc) from None
        server.start_workers()

        def ready() -> None:
            # printed once SIGTERM/SIGINT stop the server cleanly: a supervisor that stops
            # it as soon as it reads these lines gets a clean stop. The address comes last,
            # as under granian (whose worker prints the network line as it starts)
            click.echo(network_line(state(app).extras["executor"], settings).render(lang))
            click.echo(
                _started(server.url, settings, server.threads + server.query_threads).render(lang)
            )

        server.serve_forever(ready)
        click.echo(msg("Stopped.").render(lang))


def _started(url: str, settings: Settings, threads: int) -> Msg:
    return msg(
        "The OGP registry answers at {url} (SPARQL: {url}sparql; public base URI "
        "{base}; store {store}; {threads} HTTP threads, {workers} query processes, "
        "timeout {timeout:g} s). Stop with Ctrl-C.",
        url=url,
        base=settings.base_uri,
        store=settings.store,
        threads=threads,
        workers=settings.query_workers,
        timeout=settings.query_timeout,
    )


def _serve_granian(
    settings: Settings,
    overrides: dict[str, object | None],
    host: str,
    port: int,
    lang: Lang,
) -> None:
    """Under granian (``endpoint/granian_server.py``). The store was opened here first, so
    that a bad store or setting is reported before granian starts; granian's worker process
    builds its own app (the one built here starts no query workers)."""
    from endpoint.granian_server import serve as granian_serve

    def ready(url: str, threads: int) -> None:
        click.echo(_started(url, settings, threads).render(lang))

    granian_serve(settings, overrides, host=host, port=port, ready=ready)
    click.echo(msg("Stopped.").render(lang))
