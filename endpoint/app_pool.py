"""Under granian, what waitress does by its design: a request's body is read whole before the
app runs, and the app runs in a fixed number of threads, the requests waiting their turn in
order (``ogpreg serve --server granian``, ``endpoint.wsgi.granian_app``). Exact repeats of cached
answers are answered before that, in granian's thread (as waitress answers them in its I/O
thread).

Why. granian gives a request to one of its threads as soon as the headers are in, and that
thread reads the body through ``wsgi.input`` with no time limit (granian has none:
emmett-framework/granian#177). With as many granian threads as the app needs (``--threads``
plus one per query place, 32 at the defaults) a dozen clients sending bodies a byte at a time
held them all. With hundreds of them (as many as granian takes requests at once,
``connections_at_once``) slow bodies are harmless, but every one of those threads then runs the
app in turn, and each keeps the stack memory its deepest request touched: 200 clients asking
for pages of a 10,000-commitment registry took 863 MB at the peak against 583 MB, even with no
more than 32 requests in the app at once (a semaphore; its waiters are not served in order
either, and the slowest answers took twice as long). So granian's many threads only read
requests and wait; the app runs in :class:`AppPool`'s threads, as many as waitress has, in the
order the requests are whole (605 MB, and the slowest answers as with 32 threads). The hand-off
costs about a tenth of granian's first-time lookups per second (docs/performance.md, sixth
round).

The body is read into memory, past 512 KiB into a temporary file, up to the same limit as
waitress's (the larger of ``OGPREG_MAX_REQUEST_BYTES`` and ``OGPREG_MAX_UPLOAD_BYTES``, plus 64
KiB); a longer one is cut after one byte more and the app then refuses it (413) as it would the
whole. A body declared longer than that is not read at all: the app refuses it on its
``Content-Length`` alone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

#: bodies larger than this wait in a temporary file instead of memory (waitress's default)
SPOOL_BYTES = 512 * 1024
_CHUNK = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: answers a request without the app, or returns None (:class:`AppPool`'s ``front``)
Front = Callable[[dict[str, Any], Callable[..., Any]], "list[bytes] | None"]


def has_body(environ: dict[str, Any]) -> bool:
    """Whether the request comes with a body (a ``Content-Length`` above 0, or chunked)."""
    length = (environ.get("CONTENT_LENGTH") or "").strip()
    chunked = "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
    return chunked or length not in ("", "0")


def read_body(environ: dict[str, Any], limit: int) -> None:
    """Read the request's body whole (at most ``limit`` + 1 bytes) and give it to the app in
    ``environ`` as a file with its ``Content-Length``. A body declared longer than ``limit`` is
    left unread (the app refuses it unread). If the client stops halfway (or its chunks are
    broken), the app is given what came with a ``Content-Length`` one byte longer, so that it
    answers as it does to a body cut short (werkzeug: "client disconnected", 400)."""
    text = (environ.get("CONTENT_LENGTH") or "").strip()
    declared = int(text) if text.isdigit() else None  # None: chunked
    if declared is not None and declared > limit:
        return
    stream: IO[bytes] = environ["wsgi.input"]
    body: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    wanted = declared if declared is not None else limit + 1
    size = 0
    broken = False
    try:
        while size < wanted:
            chunk = stream.read(min(_CHUNK, wanted - size))
            if not chunk:
                break
            body.write(chunk)
            size += len(chunk)
    except Exception:  # noqa: BLE001 — whatever the server raises for a body cut short
        broken = True
    body.seek(0)
    if declared is not None:
        length = declared  # shorter than what came if the client stopped: werkzeug sees it
    else:
        length = size + 1 if broken else size
    environ["wsgi.input"] = body
    environ["CONTENT_LENGTH"] = str(length)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)  # the length now says where it ends


class AppPool:
    """A WSGI middleware: ``app`` runs in ``threads`` threads of its own, each request once its
    body is in (:func:`read_body`, up to ``body_limit``), in the order they come; the server's
    thread that read the request waits for the answer. ``front``, if given, is asked first in
    the server's thread and answers what it can without the app (exact repeats of cached
    answers: ``FastPath.repeat``, endpoint/sparql/fastpath.py), returning None for the rest;
    it must never wait. The body read here is closed (its temporary file deleted) once the app
    has answered: the registry's app builds every answer before it returns it (no answer is a
    generator)."""

    def __init__(
        self, app: WSGIApp, threads: int, body_limit: int, front: Front | None = None
    ) -> None:
        self.app = app
        self.body_limit = body_limit
        self.front = front
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="ogpreg-app")

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = has_body(environ)
        if body:
            read_body(environ, self.body_limit)
        elif self.front is not None:
            answered = self.front(environ, start_response)
            if answered is not None:
                return answered
        try:
            return self._pool.submit(self.app, environ, start_response).result()
        finally:
            if body:
                environ["wsgi.input"].close()
