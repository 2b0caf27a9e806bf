"""The query worker process: evaluates one query at a time against the store's current
revision and sends back serialised bytes (see ``endpoint/sparql/executor.py`` for the design).

A worker reads either the embedded store (its path) or the registry on an external SPARQL
engine (a :class:`RemoteSource`; the endpoint's remote executor uses such workers for ``as_of``
queries, whose state is built and queried with pyoxigraph, so that the query timeout can stop
them as it stops any query on the embedded store).

This module is imported by the fork server that forks the workers, so it imports only
pyoxigraph and the store (no Flask, no rdflib).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from registry.store.engines.base import Connection as EngineConnection
    from registry.store.engines.base import Meta
    from registry.store.remote.store import RemoteStore

SOLUTIONS = "solutions"
BOOLEAN = "boolean"
GRAPH = "graph"


# -- what a worker reads ---------------------------------------------------------------
@dataclass(frozen=True)
class RemoteSource:
    """The registry on an external SPARQL engine, as a worker process opens it: what
    :func:`registry.store.remote.store.open_remote_store` builds, in a form that can be sent to the
    process (picklable)."""

    kind: str  # OGPREG_ENGINE: oxigraph, virtuoso
    connection: EngineConnection = field(repr=False)  # holds the engine's password
    base_uri: str
    state_dir: str

    @classmethod
    def of(cls, store: RemoteStore) -> RemoteSource:
        engine = store.engine
        return cls(engine.kind, engine.conn, engine.base_uri, str(store.path))

    def open(self) -> RemoteStore:
        from registry.store.engines.factory import make_engine
        from registry.store.remote.store import RemoteStore

        engine = make_engine(self.kind, self.connection, self.base_uri)
        return RemoteStore(engine, Path(self.state_dir))


class _Embedded:
    """Snapshots of the embedded store: a reader of the current committed revision."""

    def __init__(self, path: str) -> None:
        from registry.store.embedded import EmbeddedStore

        self.store = EmbeddedStore(Path(path))
        with contextlib.suppress(Exception):
            self.store.reader()  # open the current revision now, not on the first query

    def snapshot(self) -> tuple[Any, int, str | None]:
        for _ in range(10):
            before = self.store.revision()
            reader = self.store.reader()
            after = self.store.revision()
            if before == after:
                if after is None:
                    return reader, 0, None
                return reader, after.number, after.committed.isoformat()
        raise RuntimeError("the store's revision keeps changing")

    def unchanged(self) -> bool:
        """Whether everything read since :meth:`snapshot` came from its revision (a reader of
        the embedded store is a snapshot: always)."""
        return True


class _Remote:
    """Snapshots of a remote store: a :class:`registry.store.remote.reader.RemoteReader` (each
    read asks the engine for the latest state) and the revision read just before."""

    def __init__(self, source: RemoteSource) -> None:
        self.store = source.open()
        self.meta: Meta | None = None
        with contextlib.suppress(Exception):
            self.store.state()  # connect now, not on the first query

    def snapshot(self) -> tuple[Any, int, str | None]:
        from registry.store.remote.reader import RemoteReader

        meta = self.meta = self.store.state()
        if meta is None:
            return RemoteReader(self.store), 0, None
        committed = meta.committed.isoformat() if meta.committed else None
        return RemoteReader(self.store), meta.number, committed

    def unchanged(self) -> bool:
        """Whether no commit finished (or is being applied) since :meth:`snapshot`: only then
        is what was read since then from one revision. (The remote executor checks its own
        answers the same way and asks again if not; this keeps a mixed state out of the
        worker's cache.)"""
        meta = self.meta
        return not (meta is not None and meta.committing) and self.store.engine.still_current(
            meta
        )


# -- evaluation ----------------------------------------------------------------------
class _CapReached(Exception):
    """Raised by the row-counting sink to stop pyoxigraph's serialiser at the row cap."""


class _LineSink:
    """A binary file-like object that keeps what is written and stops after ``limit`` lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            raise _CapReached
        return len(chunk)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _isolate_network() -> bool:
    """Move this process into a network namespace of its own (no interfaces but a down
    loopback), so that nothing it evaluates can open a connection. Best effort: False where
    the kernel or a sandbox does not allow unprivileged namespaces."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    """Exit when the server process is gone (no orphan workers even after a SIGKILL)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _mark_truncated(body: bytes, fmt: str, rows: int, link: str) -> bytes:
    """Say in the body, where the format allows it, that the answer was cut at ``rows``."""
    unit = "rows" if fmt in ("json", "xml", "csv", "tsv") else "triples"
    note_en = f"Truncated: only the first {rows} {unit} are included. Full data: {link}"
    if fmt == "json" and body.startswith(b'{"head":{'):
        # SPARQL 1.1 Query Results JSON: head.link is an array of IRIs for further information.
        return b'{"head":{"link":["' + link.encode() + b'"],' + body[len(b'{"head":{') :]
    if fmt == "xml":
        # SPARQL Query Results XML: <link href="..."/> elements follow the variables in <head>.
        mark = b"</head>"
        i = body.find(mark)
        if i >= 0:
            extra = f'<link href="{link}"/><!-- {note_en} -->'.encode()
            return body[:i] + extra + body[i:]
        return body
    if fmt in ("turtle", "ntriples", "nquads", "trig"):
        return f"# {note_en}\n".encode() + body
    if fmt == "rdfxml":
        decl_end = body.find(b"?>")
        comment = f"\n<!-- {note_en} -->".encode()
        if body.startswith(b"<?xml") and decl_end >= 0:
            return body[: decl_end + 2] + comment + body[decl_end + 2 :]
        return comment.lstrip() + b"\n" + body
    return body  # CSV, TSV, JSON-LD: the response headers carry the signal


#: Graph formats whose serialisation declares the registry's prefixes.
WITH_PREFIXES = frozenset({"turtle", "trig", "rdfxml"})


def solution_formats_by_name() -> dict[str, Any]:
    """The SELECT/ASK result formats by the protocol's short names (imports pyoxigraph, so a
    function: this module is imported by the parent before any worker is started)."""
    import pyoxigraph as ox

    return {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
    }


def graph_formats_by_name() -> dict[str, Any]:
    """The CONSTRUCT/DESCRIBE formats by the protocol's short names."""
    import pyoxigraph as ox

    return {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
    }


def worker_main(
    conn: Connection,
    source: str | RemoteSource,
    base_uri: str,
    prefixes: dict[str, str],
    parent_pid: int,
    link: str,
    isolate: bool,
) -> None:
    """A query worker: answer requests from ``conn`` until told to stop or the parent dies.
    ``source`` is the embedded store's path or a :class:`RemoteSource`.

    SIGINT is ignored: Ctrl-C in a terminal signals every process of the foreground group, and
    a worker is stopped by its server (a message, or killed at a timeout), or ends when that
    server is gone; it printed a ``KeyboardInterrupt`` traceback per worker before."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolated = _isolate_network() if isolate else False
    _watch_parent(parent_pid)
    import pyoxigraph as ox

    from endpoint.sparql.csvsafe import escape_csv
    from registry.rdf.writing import serialize as write_rdf
    from registry.rdf.writing import xml_safe
    from registry.sparql.queryguard import verdict

    opened = _Remote(source) if isinstance(source, RemoteSource) else _Embedded(source)
    conn.send(("ready", os.getpid(), isolated))

    solution_formats = solution_formats_by_name()
    graph_formats = graph_formats_by_name()
    with_prefixes = WITH_PREFIXES
    snapshot = opened.snapshot

    as_of_stores: dict[tuple[int, str], Any] = {}  # (revision, instant) -> in-memory store

    def as_of_store(reader: Any, revision: int, when: str) -> Any:
        """The registry as of ``when`` (registry.history.asof.state_as_of), built here so that the
        query timeout covers it; a few kept per revision."""
        key = (revision, when)
        found = as_of_stores.get(key)
        if found is None:
            from datetime import datetime

            from registry.history.asof import state_as_of

            found = state_as_of(reader, datetime.fromisoformat(when), base_uri)
            if not opened.unchanged():
                return found  # read across a commit: used once, never kept
            for old in [k for k in as_of_stores if k[0] != revision]:
                del as_of_stores[old]
            if len(as_of_stores) >= 4:
                del as_of_stores[next(iter(as_of_stores))]
            as_of_stores[key] = found
        return found

    def evaluate(req: tuple[Any, ...]) -> tuple[tuple[Any, ...], bytes]:
        query, default_graphs, named_graphs, sfmt, gfmt, cap, union, as_of, limit = req
        if not isolated and not verdict(query).allowed:
            # refused before it gets here (endpoint/sparql/routes.py); a worker that can reach the
            # network (a remote engine's, or no namespace allowed) refuses it again, since
            # pyoxigraph would send it
            return ("error", "service", ""), b""
        reader, revision, committed = snapshot()
        kwargs: dict[str, Any] = {"prefixes": prefixes, "base_iri": base_uri}
        if as_of:
            reader = as_of_store(reader, revision, as_of)  # default graph only
        elif default_graphs is not None or named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        elif union:
            kwargs["use_default_graph_as_union"] = True
        try:
            result = reader.query(query, **kwargs)
        except SyntaxError as exc:
            return ("error", "syntax", str(exc.msg or exc)), b""
        try:
            if isinstance(result, ox.QueryBoolean):
                if sfmt is None:
                    return ("error", "not-acceptable", BOOLEAN), b""
                body = result.serialize(format=solution_formats[sfmt]) or b""
                return ("ok", BOOLEAN, sfmt, 1, False, revision, committed), body
            if isinstance(result, ox.QuerySolutions):
                if sfmt is None:
                    return ("error", "not-acceptable", SOLUTIONS), b""
                if limit is not None and limit <= cap:
                    # The query's own LIMIT keeps it within the row cap: no truncation is
                    # possible, so serialise once, straight into the requested format.
                    body, rows = uncapped(result.serialize(format=solution_formats[sfmt]), sfmt)
                    return ("ok", SOLUTIONS, sfmt, rows, False, revision, committed), body
                tsv, truncated = capped_tsv(result, cap)
                rows = tsv.count(b"\n") - 1
                if sfmt == "tsv":
                    body = tsv
                else:
                    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
                    body = parsed.serialize(format=solution_formats[sfmt]) or b""
                if sfmt == "csv":
                    body = escape_csv(body)  # spreadsheet-safe (endpoint/sparql/csvsafe.py)
                if sfmt == "xml":
                    body = xml_safe(body)  # only the characters XML 1.0 allows
                if truncated:
                    body = _mark_truncated(body, sfmt, rows, link)
                return ("ok", SOLUTIONS, sfmt, rows, truncated, revision, committed), body
            if gfmt is None:
                return ("error", "not-acceptable", GRAPH), b""
            triples = iter(result)
            counted = _Counter(itertools.islice(triples, cap))
            items: Iterator[Any] = iter(counted)
            if gfmt in ("nquads", "trig"):
                items = (ox.Quad(t.subject, t.predicate, t.object) for t in counted)
            body = write_rdf(
                items,
                graph_formats[gfmt],
                prefixes if gfmt in with_prefixes else None,
            )
            truncated = next(triples, None) is not None
            if truncated:
                body = _mark_truncated(body, gfmt, counted.n, link)
            return ("ok", GRAPH, gfmt, counted.n, truncated, revision, committed), body
        except (OSError, ValueError, RuntimeError, TypeError) as exc:
            return ("error", "evaluation", str(exc)), b""

    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        began = time.perf_counter()
        try:
            header, body = evaluate(request)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, the worker lives on
            header, body = ("error", "evaluation", str(exc)), b""
        if header[0] == "ok":  # the worker's own time: evaluation and serialisation
            header = (*header, time.perf_counter() - began)
        try:
            conn.send(header)
            conn.send_bytes(body)
        except (OSError, ValueError):
            return


def uncapped(body: bytes | None, fmt: str) -> tuple[bytes, int]:
    """A SELECT answer in ``fmt`` that the row cap cannot cut (the query's own LIMIT is within
    it), as sent: CSV made spreadsheet-safe (``endpoint/sparql/csvsafe.py``), XML without the
    characters XML 1.0 forbids (:func:`registry.rdf.writing.xml_safe`); and its row count where
    the format shows it line by line (CSV, TSV), else -1."""
    from endpoint.sparql.csvsafe import escape_csv
    from registry.rdf.writing import xml_safe

    data = body or b""
    if fmt == "xml":
        data = xml_safe(data)  # SPARQL XML: only the characters XML 1.0 allows
    if fmt == "csv":
        data = escape_csv(data)
    return data, data.count(b"\n") - 1 if fmt in ("csv", "tsv") else -1


def capped_tsv(solutions: Any, cap: int) -> tuple[bytes, bool]:
    """SELECT solutions as SPARQL TSV, stopped after the header and ``cap`` rows (the
    evaluation stops there too); whether rows were left out."""
    import pyoxigraph as ox

    sink = _LineSink(cap + 1)  # the header line and ``cap`` rows
    truncated = False
    try:
        solutions.serialize(cast(Any, sink), format=ox.QueryResultsFormat.TSV)
    except _CapReached:
        truncated = True
    except OSError:
        if sink.lines <= sink.limit:
            raise
        truncated = True
    tsv = sink.value()
    if truncated:
        tsv = _lines(tsv, cap + 1)
    return tsv, truncated


def _lines(data: bytes, n: int) -> bytes:
    """The first ``n`` newline-terminated lines of ``data``."""
    end = -1
    for _ in range(n):
        end = data.find(b"\n", end + 1)
        if end < 0:
            return data
    return data[: end + 1]


class _Counter:
    """Counts the items an iterator yields."""

    def __init__(self, it: Iterator[Any]) -> None:
        self._it = it
        self.n = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self._it:
            self.n += 1
            yield item
