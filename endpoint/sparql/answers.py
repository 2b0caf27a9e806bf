"""What is asked of the executor and what it answers: :class:`QueryRequest` (the query, its
dataset, the formats, the row cap, ``as_of``), :class:`Answer` (the serialised body with its
row count, truncation and revision), and the translation of a worker's reply into an answer or
the error the client is told (:func:`from_reply`).
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from endpoint.sparql.worker import BOOLEAN, GRAPH
from registry.errors import QueryError, RegistryError
from registry.i18n import msg
from registry.namespaces import PREFIXES
from registry.sparql.syntax import explain as explain_syntax


# -- errors ----------------------------------------------------------------------------------
class NotAcceptable(RegistryError):
    """No format the client accepts fits the query's result (SELECT/ASK or CONSTRUCT/DESCRIBE)."""

    http_status = 406
    code = "not-acceptable"

    def __init__(self, kind: str) -> None:
        from endpoint.conneg import GRAPH as GRAPH_KIND
        from endpoint.conneg import SOLUTIONS as SOLUTIONS_KIND
        from endpoint.conneg import accepted_types

        family = GRAPH_KIND if kind == GRAPH else SOLUTIONS_KIND
        self.kind = kind
        form = "CONSTRUCT/DESCRIBE" if kind == GRAPH else ("ASK" if kind == BOOLEAN else "SELECT")
        super().__init__(
            msg(
                "None of the formats the client accepts (the Accept header or the format "
                "parameter) fits a {form} query. Possible formats: {types}.",
                form=form,
                types=", ".join(accepted_types(family)),
            )
        )


# -- requests and answers --------------------------------------------------------------------
@dataclass(frozen=True)
class QueryRequest:
    """One query to evaluate. ``default_graphs``/``named_graphs`` are the protocol's
    ``default-graph-uri``/``named-graph-uri`` (None: not given). Without them the default
    graph is the union of all graphs, unless the query has its own FROM (``union_default``
    False)."""

    query: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    solutions_format: str | None = "json"
    graph_format: str | None = "turtle"
    row_cap: int = 10_000
    union_default: bool = True
    #: Evaluate over the registry as it stood at this instant (ISO, UTC): the worker builds
    #: ``registry.history.asof.state_as_of`` (default graph only), within the same timeout.
    as_of: str | None = None


@dataclass(eq=False)
class Answer:
    """A serialised query answer."""

    body: bytes
    format: str
    kind: str  # SOLUTIONS, BOOLEAN or GRAPH
    rows: int  # -1: not counted (a JSON/XML answer whose own LIMIT is within the row cap)
    truncated: bool
    revision: int
    committed: str | None  # ISO time of the revision's commit
    elapsed: float  # seconds the evaluation took, as the parent saw it
    #: seconds the worker spent on it (evaluation and serialisation); 0 where unknown
    worker_seconds: float = 0.0
    #: when the answer was made (``time.monotonic()``): a request that started later got it
    #: from the cache (or from an identical query evaluated at the same time)
    made: float = field(default_factory=time.monotonic)
    _gzip: bytes | None = field(default=None, repr=False)
    _cache: Any = field(default=None, repr=False)
    _key: Any = field(default=None, repr=False)
    #: Finished HTTP responses built from this answer (endpoint/sparql/fastpath.py).
    responses: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return len(self.body) + (len(self._gzip) if self._gzip is not None else 0) + 200

    def gzipped(self) -> bytes:
        """The body gzip-compressed (computed once, then kept with the cached answer)."""
        if self._gzip is None:
            compressed = gzip.compress(self.body, compresslevel=5, mtime=0)
            cache = self._cache
            if cache is not None:
                cache.attach_gzip(self, compressed)
            if self._gzip is None:
                self._gzip = compressed
        return self._gzip


# -- a worker's reply ------------------------------------------------------------------------
def from_reply(
    header: Any,
    body: bytes,
    elapsed: float,
    query: str = "",
    prefixes: Mapping[str, str] | None = None,
) -> Answer:
    """The answer a worker sent (``header``: ``("ok", kind, format, rows, truncated,
    revision, committed, worker seconds)``), or the error it reported, raised (``("error",
    code, detail)``: :class:`NotAcceptable` or :class:`registry.errors.QueryError`).
    ``elapsed``: the seconds the parent waited for it; ``query`` and the ``prefixes`` it was
    evaluated with, to explain a syntax error (``registry/sparql/syntax.py``)."""
    if header[0] == "ok":
        _, kind, fmt, rows, truncated, revision, committed, worker_seconds = header
        return Answer(
            body, fmt, kind, rows, truncated, revision, committed, elapsed, worker_seconds
        )
    _, code, detail = header
    if code == "not-acceptable":
        raise NotAcceptable(detail)
    if code == "service":
        raise QueryError(
            msg(
                "SERVICE (federated queries to other endpoints) is not allowed: queries "
                "may not use the network.",
            )
        )
    if code == "syntax":
        # line, column, what is wrong and what was expected, in the reader's language
        raise explain_syntax(query, detail, PREFIXES if prefixes is None else prefixes)
    raise QueryError(
        msg(
            "The query could not be evaluated: {detail}",
            detail=detail,
        )
    )
