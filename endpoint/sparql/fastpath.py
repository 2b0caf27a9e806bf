"""A fast path for repeated GET queries, in front of Flask.

A cached answer still costs Flask's request and response machinery (about 0.2 ms of Python per
request). For an exact repeat of a GET or HEAD request to ``/sparql`` — same query string, same
``Accept`` and ``Accept-Encoding`` headers, no conditional headers — whose answer was served
at the current revision, this WSGI middleware sends the very status, headers and body the full
path produced the first time, and skips Flask.

Correctness: an entry is used only while the registry's revision (``CURRENT``, checked with one
``stat`` per request) is the one the answer was computed at; the entries point weakly at the
executor's cached answers, so they vanish with them (the answer cache's byte budget holds).
Everything else — POST, conditional requests, errors, other paths — takes the full path.

**Before waitress's threads too** (issue 24, :func:`channel_class`): under ``ogpreg serve`` the
same exact repeats are answered by waitress's I/O thread as soon as the request is parsed,
without handing the request to a request thread and back, and without building a WSGI
environ: the status, headers and body the full path produced, with waitress's own ``Date`` and
``Server``. Measured at concurrency 8 on two cores (docs/performance.md, "Small answers"): a
constant answer through a waitress request thread 3,209 req/s, from the I/O thread 5,144. Only
a GET of HTTP/1.1 that keeps its connection, without a body and with no request of the same
connection still being answered, takes this way; anything else goes to the request threads as
before. The killable query workers are not involved: these answers were computed by them before.
"""

from __future__ import annotations

import importlib.metadata
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from waitress.channel import HTTPChannel
from waitress.utilities import build_http_date

from endpoint.metrics import Metrics
from endpoint.sparql.answers import Answer
from endpoint.sparql.executor import QueryExecutor
from registry.errors import RegistryError

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

#: The environ key through which the full path marks a response as reusable.
MARK = "ogpreg.fastpath"
#: The environ key by which :meth:`FastPath.repeat` says it found no answer already.
_ASKED = "ogpreg.fastpath.asked"
_PATHS = ("/sparql", "/sparql/")
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_RANGE")

Key = tuple[str, str, str]
#: Most request variants (Accept strings...) remembered per answer.
MAX_VARIANTS = 16


def request_key(environ: dict[str, Any]) -> Key | None:
    """The key of a request the fast path may answer, or None."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    if environ.get("PATH_INFO") not in _PATHS:
        return None
    for h in _CONDITIONAL:
        if environ.get(h):
            return None
    qs = environ.get("QUERY_STRING", "")
    if not qs:
        return None
    return (qs, environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_ENCODING", ""))


class _Entry:
    __slots__ = ("answer", "status", "headers", "body", "raw", "lines", "__weakref__")

    def __init__(
        self, answer: Answer, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self.answer = answer
        self.status = status
        self.headers = headers
        self.body = body
        self.raw: bytes | None = None  # set once ``lines`` are (for the I/O thread)
        self.lines: list[tuple[str, str]] = []

    def http(self, ident: str) -> bytes | None:
        """The whole response as waitress would write it to an HTTP/1.1 client that keeps
        its connection (``waitress.task.Task.build_response_header``: header names
        capitalised, ``Server`` or ``Via``, ``Date``, sorted by name), or None when waitress
        would have to add more (no ``Content-Length``)."""
        if self.raw is None:
            headers = [
                ("-".join(x.capitalize() for x in k.split("-")), v) for k, v in self.headers
            ]
            names = {k for k, _ in headers}
            if "Content-Length" not in names:
                return None
            headers.append(("Via", ident) if "Server" in names else ("Server", ident))
            self.lines = headers
            self.raw = self.body
        date = build_http_date(time.time())
        lines = sorted([*self.lines, ("Date", date)], key=lambda kv: kv[0])
        head = f"HTTP/1.1 {self.status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in lines)
        return head.encode("latin-1") + b"\r\n" + self.body


class FastPath:
    """WSGI middleware serving exact repeats of cached GET answers."""

    def __init__(self, app: WSGIApp, executor: QueryExecutor, metrics: Metrics) -> None:
        self.app = app
        self.executor = executor
        self.metrics = metrics
        # key -> entry; an entry lives as long as its Answer is referenced (by the cache)
        self._entries: weakref.WeakValueDictionary[Key, _Entry] = weakref.WeakValueDictionary()
        self.hits = 0
        #: of those, answered by waitress's I/O thread (:func:`channel_class`)
        self.io_hits = 0

    def _revision(self) -> int | None:
        """The current revision, or None when it cannot be read (an engine that does not
        answer): the app then answers the request, with its own error response (504, 503)."""
        try:
            return self.executor.revision()
        except RegistryError:
            return None

    def answer_parsed(self, request: Any, ident: str) -> bytes | None:
        """The whole HTTP response to a request waitress has parsed (``waitress.parser``), when
        it is an exact repeat this path may answer from the I/O thread; else None."""
        # a request waitress could not parse has an error and may lack command and version
        if getattr(request, "error", None) is not None:
            return None
        if getattr(request, "command", None) != "GET" or getattr(request, "version", "") != "1.1":
            return None
        if request.path not in _PATHS or not request.query or request.content_length:
            return None
        headers = request.headers
        if "close" in headers.get("CONNECTION", "").lower():
            return None
        for h in _CONDITIONAL:
            if headers.get(h[5:]):
                return None
        t0 = time.perf_counter()
        key = (request.query, headers.get("ACCEPT", ""), headers.get("ACCEPT_ENCODING", ""))
        entry = self._entries.get(key)
        if entry is None or entry.answer.revision != self._revision():
            return None
        raw = entry.http(ident)
        if raw is None:
            return None
        self.hits += 1
        self.io_hits += 1
        self.executor.note_hit()
        self.metrics.observe("sparql.sparql", 200, time.perf_counter() - t0)
        return raw

    def repeat(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes] | None:
        """The answer to an exact repeat, or None (then nothing was started): quick and never
        waiting for a query, so that a server can call it in its own thread before handing the
        request to the app's (granian: ``endpoint/app_pool.py``). A miss is marked in
        ``environ``, so that :meth:`__call__` does not look again."""
        key = request_key(environ)
        if key is None:
            return None
        found = self._repeat(key, start_response)
        if found is None:
            environ[_ASKED] = True
        return found

    def _repeat(self, key: Key, start_response: StartResponse) -> list[bytes] | None:
        t0 = time.perf_counter()
        entry = self._entries.get(key)
        if entry is None or entry.answer.revision != self._revision():
            return None
        start_response(entry.status, list(entry.headers))
        self.hits += 1
        self.executor.note_hit()
        self.metrics.observe("sparql.sparql", 200, time.perf_counter() - t0)
        return [entry.body]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = request_key(environ)
        if key is None:
            return self.app(environ, start_response)
        repeated = None if environ.get(_ASKED) else self._repeat(key, start_response)
        if repeated is not None:
            return repeated
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = list(headers)  # as the app gave them (a server may add more)
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        result = self.app(environ, capture)
        mark = environ.get(MARK)
        if mark is not None and captured.get("status", "").startswith("200"):
            answer, body = mark
            if len(answer.responses) < MAX_VARIANTS:
                # a repeat is a cache hit: its Server-Timing says so, not the first timings
                headers = [
                    (k, 'cache;desc="hit"' if k.lower() == "server-timing" else v)
                    for k, v in captured["headers"]
                ]
                entry = _Entry(answer, captured["status"], headers, body)
                # the Answer keeps the entry alive; the weak dictionary lets it go with it
                answer.responses[key] = entry
                self._entries[key] = entry
        return result


def channel_class(fast: FastPath) -> type[HTTPChannel] | None:
    """A waitress channel that answers :class:`FastPath` repeats in the I/O thread (see the
    module docstring); None when this waitress lacks what it relies on (then waitress's own
    channel serves, and the repeats are answered by :class:`FastPath` in a request thread)."""
    try:
        major = int(importlib.metadata.version("waitress").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
    if major != 3 or not all(
        hasattr(HTTPChannel, name) for name in ("received", "send_continue", "_flush_some")
    ):
        return None

    class FastChannel(HTTPChannel):  # type: ignore[misc]
        def received(self, data: bytes) -> bool:
            # waitress's HTTPChannel.received (3.x), with one addition: a completed request
            # that the fast path answers is written here instead of becoming a task
            ch: Any = self  # waitress is untyped
            if not data:
                return False
            with ch.requests_lock:
                if ch.will_close or ch.close_when_flushed:
                    return False
                while data:
                    if ch.request is None:
                        ch.request = ch.parser_class(ch.adj)
                    n = ch.request.received(data)
                    if (
                        ch.request.expect_continue
                        and ch.request.headers_finished
                        and not ch.requests
                        and not ch.sent_continue
                    ):
                        ch.send_continue()
                    if ch.request.completed:
                        ch.sent_continue = False
                        request, ch.request = ch.request, None
                        if not request.empty:
                            raw = None if ch.requests else fast.answer_parsed(
                                request, ch.adj.ident)
                            if raw is not None:
                                with ch.outbuf_lock:
                                    ch.outbufs[-1].append(raw)
                                    ch.current_outbuf_count += len(raw)
                                    ch.total_outbufs_len += len(raw)
                                    ch._flush_some()
                            else:
                                ch.requests.append(request)
                                if len(ch.requests) == 1:
                                    ch.server.add_task(self)
                    if n >= len(data):
                        break
                    data = data[n:]
            return True

    return FastChannel
