"""Basic request metrics in the Prometheus text format, and CORS for every read path.

``/metrics`` (registered by ``endpoint/sparql/routes.py``) shows:

* ``ogpreg_http_requests_total{endpoint, status}``: every response, by Flask endpoint name
  (``sparql.sparql``, ``health.health``...) and status code;
* ``ogpreg_http_request_seconds_sum`` / ``_count``: time spent in the app per request;
* ``ogpreg_query_*``: the query executor: queries asked, cache hits and misses, identical
  queries that shared one evaluation, timeouts, busy refusals, errors, worker restarts,
  evaluation time (sum and count, as the server saw it), cache size and entries, workers;
* ``ogpreg_fastpath_hits_total``: exact repeats of GET queries answered by
  ``endpoint/sparql/fastpath.py`` without Flask (also counted as cache hits);
* ``ogpreg_revision``: the registry revision being served.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Protocol

from flask import Flask, Response, g, request

#: Headers a browser script may read from a cross-origin response.
EXPOSED_HEADERS = (
    "ETag, Last-Modified, Link, OGP-Truncated, OGP-Row-Cap, OGP-Revision, OGP-As-Of, "
    "OGP-Last-Change, Content-Encoding, Content-Length, Vary, Server-Timing, "
    "Content-Location, Content-Profile, Location"
)


class _Cache(Protocol):
    @property
    def nbytes(self) -> int: ...

    def __len__(self) -> int: ...


class QueryStats(Protocol):
    """What the metrics read of a query executor (``endpoint/sparql/executor.py``, and the
    remote one): its counters, its answer cache, its workers. A protocol, so that this module,
    which every request passes, needs nothing of the query path."""

    stats: dict[str, float]

    @property
    def cache(self) -> _Cache: ...

    def worker_pids(self) -> list[int]: ...


class Metrics:
    """Counters shared by all request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.seconds_sum = 0.0
        self.count = 0

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(endpoint, status)] += 1
            self.seconds_sum += seconds
            self.count += 1

    def render(self, executor: QueryStats | None, revision: int, fast_hits: int = 0) -> str:
        lines = [
            "# HELP ogpreg_http_requests_total HTTP responses by Flask endpoint and status.",
            "# TYPE ogpreg_http_requests_total counter",
        ]
        with self._lock:
            for (endpoint, status), n in sorted(self.requests.items()):
                lines.append(
                    f'ogpreg_http_requests_total{{endpoint="{endpoint}",status="{status}"}} {n}'
                )
            lines += [
                "# HELP ogpreg_http_request_seconds Time spent in the app per request.",
                "# TYPE ogpreg_http_request_seconds summary",
                f"ogpreg_http_request_seconds_sum {self.seconds_sum:.6f}",
                f"ogpreg_http_request_seconds_count {self.count}",
            ]
        if executor is not None:
            s = dict(executor.stats)
            counters = (
                ("queries", "Queries asked of the executor (cache hits included)."),
                ("cache_hits", "Answers served from the answer cache."),
                ("cache_misses", "Queries evaluated by a worker."),
                ("shared", "Queries that waited for an identical query's evaluation."),
                ("timeouts", "Queries stopped at the timeout (worker killed)."),
                ("busy", "Queries refused because every worker stayed busy."),
                ("errors", "Queries that ended in an error."),
                ("worker_restarts", "Worker processes replaced."),
            )
            for name, help_text in counters:
                lines += [
                    f"# HELP ogpreg_query_{name}_total {help_text}",
                    f"# TYPE ogpreg_query_{name}_total counter",
                    f"ogpreg_query_{name}_total {int(s[name])}",
                ]
            lines += [
                "# HELP ogpreg_query_seconds Evaluation time of queries in the workers.",
                "# TYPE ogpreg_query_seconds summary",
                f"ogpreg_query_seconds_sum {s['evaluation_seconds_sum']:.6f}",
                f"ogpreg_query_seconds_count {int(s['evaluation_count'])}",
                "# HELP ogpreg_query_cache_bytes Bytes held by the answer cache.",
                "# TYPE ogpreg_query_cache_bytes gauge",
                f"ogpreg_query_cache_bytes {executor.cache.nbytes}",
                "# HELP ogpreg_query_cache_entries Answers held by the answer cache.",
                "# TYPE ogpreg_query_cache_entries gauge",
                f"ogpreg_query_cache_entries {len(executor.cache)}",
                "# HELP ogpreg_query_workers Live query worker processes.",
                "# TYPE ogpreg_query_workers gauge",
                f"ogpreg_query_workers {len(executor.worker_pids())}",
            ]
        lines += [
            "# HELP ogpreg_fastpath_hits_total Repeated GET queries answered before Flask.",
            "# TYPE ogpreg_fastpath_hits_total counter",
            f"ogpreg_fastpath_hits_total {fast_hits}",
            "# HELP ogpreg_revision The registry revision being served.",
            "# TYPE ogpreg_revision gauge",
            f"ogpreg_revision {revision}",
        ]
        return "\n".join(lines) + "\n"


def install(app: Flask, metrics: Metrics) -> None:
    """Count every response and allow cross-origin reads on every path."""

    @app.before_request
    def _start_clock() -> None:
        g.ogpreg_t0 = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        t0 = g.get("ogpreg_t0")
        elapsed = time.perf_counter() - t0 if t0 is not None else 0.0
        metrics.observe(request.endpoint or "unmatched", response.status_code, elapsed)
        if "Access-Control-Allow-Origin" not in response.headers:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if (
            request.method == "OPTIONS"
            and "Access-Control-Request-Method" in request.headers
            and "Access-Control-Allow-Methods" not in response.headers
            and response.status_code < 400
        ):
            # a CORS preflight on a path without its own (the pages, /download, /graph-store):
            # reading from another site's page (GET, HEAD) with the headers it asks for, but
            # never a token: the write paths take none from other sites
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            asked = [
                h.strip()
                for h in request.headers.get("Access-Control-Request-Headers", "").split(",")
                if h.strip() and h.strip().lower() not in ("authorization", "cookie")
            ]
            if asked:
                response.headers["Access-Control-Allow-Headers"] = ", ".join(asked)
            response.headers["Access-Control-Max-Age"] = "86400"
        return response
