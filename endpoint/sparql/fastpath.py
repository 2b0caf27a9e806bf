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
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from endpoint.metrics import Metrics
from endpoint.sparql.answers import Answer
from endpoint.sparql.executor import QueryExecutor
from registry.errors import RegistryError

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

#: The environ key through which the full path marks a response as reusable.
MARK = "ogpreg.fastpath"
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
    __slots__ = ("answer", "status", "headers", "body", "__weakref__")

    def __init__(
        self, answer: Answer, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self.answer = answer
        self.status = status
        self.headers = headers
        self.body = body


class FastPath:
    """WSGI middleware serving exact repeats of cached GET answers."""

    def __init__(self, app: WSGIApp, executor: QueryExecutor, metrics: Metrics) -> None:
        self.app = app
        self.executor = executor
        self.metrics = metrics
        # key -> entry; an entry lives as long as its Answer is referenced (by the cache)
        self._entries: weakref.WeakValueDictionary[Key, _Entry] = weakref.WeakValueDictionary()
        self.hits = 0

    def _revision(self) -> int | None:
        """The current revision, or None when it cannot be read (an engine that does not
        answer): the app then answers the request, with its own error response (504, 503)."""
        try:
            return self.executor.revision()
        except RegistryError:
            return None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = request_key(environ)
        if key is None:
            return self.app(environ, start_response)
        t0 = time.perf_counter()
        entry = self._entries.get(key)
        if entry is not None and entry.answer.revision == self._revision():
            start_response(entry.status, list(entry.headers))
            self.hits += 1
            self.executor.note_hit()
            self.metrics.observe("sparql.sparql", 200, time.perf_counter() - t0)
            return [entry.body]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = headers
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
