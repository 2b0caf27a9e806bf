"""Where ``ogpreg serve`` listens: a host and port it cannot listen on is refused before anything
starts, in words (in use, not allowed, not an address of this machine), instead of a traceback
from the HTTP server (waitress) or a panic from granian's worker.

Why a check of its own: waitress binds inside its constructor and raises a bare ``OSError``;
granian binds in its worker process, after the parent has started, and that process ends with a
Rust panic. A plain ``bind`` here, before the store is opened, reports the same causes with a
message saying what to do, and changes nothing (a new store is not initialised for a server
that cannot start).

granian binds with ``SO_REUSEPORT`` (on Linux, always), so two granian servers on one port would
share its connections without a word; the plain ``bind`` of the check (without that option)
fails against a listening granian too, so a second ``ogpreg serve`` on a taken port is refused
under either server. :func:`reserve` holds a port for granian between choosing and binding it.

And how much it takes there, the same under both servers: :func:`app_threads`,
:func:`connections_at_once`, :func:`body_limit`.
"""

from __future__ import annotations

import errno
import socket

from registry.errors import UsageError
from registry.i18n import msg
from registry.settings import Settings


def app_threads(settings: Settings) -> int:
    """Requests in the app at once: ``--threads`` plus one per query place (a query waiting
    for a worker holds one), as waitress's threads (``endpoint/server.py``)."""
    return settings.http_threads + settings.query_workers + settings.query_queue


def body_limit(settings: Settings) -> int:
    """The largest request body taken (waitress's ``max_request_body_size``): the write paths
    need ``OGPREG_MAX_UPLOAD_BYTES``, the public ones ``OGPREG_MAX_REQUEST_BYTES``, and the app
    refuses what its path does not allow."""
    return max(settings.max_request_bytes, settings.max_upload_bytes) + 65_536


def connections_at_once(threads: int) -> int:
    """How many connections (waitress) or requests (granian) ``ogpreg serve`` takes at once
    with ``threads`` threads for the app (``--threads`` plus one per query place): past that
    a new one waits in the listen queue. The bar a crowd of slow clients must reach to shut
    everybody else out, the same under both servers (tests/test_slow_clients.py)."""
    return max(100, 16 * threads)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _address(host: str, port: int) -> tuple[socket.AddressFamily, tuple[object, ...]]:
    """The first address ``host`` resolves to for listening (``""``: every IPv4 address)."""
    try:
        infos = socket.getaddrinfo(
            host or None, port, _family(host) if host else socket.AF_INET, socket.SOCK_STREAM,
            0, socket.AI_PASSIVE,
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(
            msg("The host {host} for the server cannot be found: {reason}.", host=host,
                reason=getattr(exc, "strerror", None) or str(exc)),
            hint=msg("Give a name or address of this machine, e.g. --host 127.0.0.1 (only this "
                     "machine) or --host 0.0.0.0 (every network)."),
        ) from None
    family, _type, _proto, _name, address = infos[0]
    return family, address


def refusal(host: str, port: int, exc: OSError) -> UsageError:
    """What to tell the person who ran ``ogpreg serve`` when listening on ``host:port`` failed
    with ``exc``."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return UsageError(
            msg("Port {port} on {host} is already in use by another program.", port=port,
                host=host),
            hint=msg("Stop that program or choose another port, e.g. --port 8081 (--port 0 "
                     "picks a free one and prints it)."),
        )
    if exc.errno == errno.EACCES:
        return UsageError(
            msg("This user may not listen on port {port}: ports under 1024 need extra "
                "privileges.", port=port),
            hint=msg("Choose a port over 1023, e.g. --port 8080, and put a reverse proxy "
                     "(nginx, Apache) in front for port 80 or 443."),
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return UsageError(
            msg("{host} is not an address of this machine.", host=host),
            hint=msg("Give a name or address of this machine, e.g. --host 127.0.0.1 (only this "
                     "machine) or --host 0.0.0.0 (every network)."),
        )
    return UsageError(
        msg("The server cannot listen on {where}: {reason}.", where=where,
            reason=exc.strerror or str(exc)),
    )


def check_listen(host: str, port: int) -> None:
    """Refuse (:class:`UsageError`, saying what to do) a host and port this process cannot
    listen on. With port 0 only the host is checked (the server picks a free port)."""
    family, address = _address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # as the servers do: a port left in TIME_WAIT by a server that just stopped is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise refusal(host, port, exc) from None


def reserve(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (0: a free port; read it with ``getsockname``) with
    ``SO_REUSEPORT``, not listening: no other program can take the port, granian's worker (which
    binds with the same option) can, and no connection is ever queued on this socket. Close it
    once granian listens. Call :func:`check_listen` first for a port that is given."""
    family, address = _address(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise refusal(host, port, exc) from None
    return sock
