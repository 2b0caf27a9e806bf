"""What every engine adapter builds on: :class:`Engine` (the protocol client: SPARQL 1.1 Query,
Update and the Graph Store Protocol over HTTP with ``requests``), the registry's bookkeeping in
the engine (:class:`Meta`), where the engine answers (:class:`Connection`), what one commit
writes (:class:`CommitPlan`, :class:`GraphContents`), the errors of an engine's answers and the
helpers that write N-Triples and ``INSERT DATA`` blocks.

:class:`CommitPlan` is what a transaction hands an adapter: the new content of every graph it
replaced, the quads it added to and removed from the other graphs, and the revision to write.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

from registry.errors import QueryError, RegistryError, StoreError
from registry.i18n import Msg, msg
from registry.sparql.querytext import inspect

#: Accept headers by query form.
SOLUTIONS_JSON = "application/sparql-results+json"
SOLUTIONS_TSV = "text/tab-separated-values"
NTRIPLES = "application/n-triples"
#: a query sent as the request body
QUERY_TYPE = "application/sparql-query; charset=utf-8"


class EngineTimeout(RegistryError):
    """The engine stopped a query at its time limit (or the HTTP time limit ran out)."""

    http_status = 504
    code = "query-timeout"


class EngineBadAnswer(RegistryError):
    """The engine answered a query with something that cannot be read as the answer asked for
    (not the client's fault: 502)."""

    http_status = 502
    code = "engine-error"


def bad_answer(kind: str, exc: Exception) -> EngineBadAnswer:
    """The error for an answer of the engine ``kind`` that could not be read (``exc``)."""
    return EngineBadAnswer(
        msg(
            "The SPARQL engine ({kind}) gave an answer that could not be read: {error}. Try "
            "again, or rephrase the query.",
            kind=kind,
            error=str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__,
        )
    )


@dataclass(frozen=True)
class Connection:
    """Where the engine answers, and as whom the registry talks to it."""

    query_url: str
    update_url: str
    store_url: str
    user: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Meta:
    """The registry's bookkeeping in the engine: the committed revision, its time, the base
    URI the registry was created with, and whether a commit is being applied right now (only
    engines whose commit is not one atomic request, see ``virtuoso.py``)."""

    number: int
    committed: datetime | None
    base_uri: str | None = None
    committing: bool = False
    #: adapter-specific detail (Oxigraph: the marker graphs to replace at the next commit)
    detail: tuple[str, ...] = ()


class GraphContents(Mapping[str, list[ox.Triple]]):
    """The new content of the graphs a commit replaces, held in a pyoxigraph store: read as
    lists of triples (``contents[g]``), or as N-Triples written by pyoxigraph straight from the
    store (:meth:`ntriples`: no Python object per triple, the fast path of a large commit). A
    graph listed but absent from the store is removed by the commit."""

    def __init__(self, store: ox.Store, graphs: Iterable[str]) -> None:
        self._store = store
        self._graphs = list(dict.fromkeys(graphs))
        self._names = set(self._graphs)

    def __getitem__(self, graph: str) -> list[ox.Triple]:
        if graph not in self._names:
            raise KeyError(graph)
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        ]

    def __iter__(self) -> Iterator[str]:
        return iter(self._graphs)

    def __len__(self) -> int:
        return len(self._graphs)

    def ntriples(self, graph: str) -> bytes:
        """The graph's new content as N-Triples (empty: the graph is removed)."""
        if graph not in self._names:
            raise KeyError(graph)
        node = ox.NamedNode(graph)
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node) or b""


@dataclass
class CommitPlan:
    """Everything one transaction writes, applied by :meth:`Engine.commit` at once."""

    #: graphs whose whole content is replaced (an empty list removes the graph)
    replaced: Mapping[str, list[ox.Triple]] = field(default_factory=dict)
    #: quads added to / removed from graphs that are not replaced
    inserted: list[ox.Quad] = field(default_factory=list)
    deleted: list[ox.Quad] = field(default_factory=list)
    #: the revision the transaction started from (None: the registry is new)
    old: Meta | None = None
    #: the registry's graphs after the commit (engines that keep the list: Virtuoso)
    graphs: list[str] = field(default_factory=list)
    number: int = 1
    committed: datetime | None = None
    base_uri: str = ""

    def is_empty(self) -> bool:
        return not (self.replaced or self.inserted or self.deleted)

    def replaced_ntriples(self, graph: str) -> bytes:
        """The new content of a replaced graph as N-Triples."""
        if isinstance(self.replaced, GraphContents):
            return self.replaced.ntriples(graph)
        return ntriples(self.replaced[graph])


def nt(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term in N-Triples/SPARQL syntax (pyoxigraph escapes it; nothing is formatted by
    hand)."""
    return str(term)


def ntriples(triples: Iterable[ox.Triple]) -> bytes:
    out = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return out or b""


def has_blank(q: ox.Quad | ox.Triple) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    out: dict[str, list[ox.Triple]] = {}
    for q in quads:
        g = q.graph_name
        assert isinstance(g, ox.NamedNode)
        out.setdefault(g.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    return out


def data_block(keyword: str, graphs: Mapping[str, list[ox.Triple]]) -> bytes:
    """``INSERT DATA { GRAPH <g> { … } … }`` (or DELETE DATA) for ``graphs``."""
    parts = [keyword.encode(), b" {\n"]
    for g, triples in graphs.items():
        if not triples:
            continue
        parts += [b"GRAPH ", nt(ox.NamedNode(g)).encode(), b" {\n", ntriples(triples), b"}\n"]
    parts.append(b"}")
    return b"".join(parts)


class Engine(abc.ABC):
    """The protocol client every adapter builds on. Subclasses set ``kind``, implement the
    bookkeeping (:meth:`meta`, :meth:`commit`) and override what their engine does
    differently."""

    kind = "generic"
    #: the engine's commit is one atomic request (else: the staging protocol of the adapter)
    atomic_commit = True

    #: seconds a bookkeeping read may be reused for preparing queries (see the adapters)
    meta_ttl = 1.0
    #: seconds a bookkeeping read (:meth:`meta`, :meth:`still_current`, the adapters' own small
    #: reads) may take: an engine that stops answering holds a reader (every endpoint request
    #: reads or confirms the revision) this long, then :class:`EngineTimeout` (504), instead of
    #: ``http_timeout``, which is sized for a load's large requests
    bookkeeping_timeout = 30.0
    #: :meth:`prepare` changes query texts (else the text is sent as it is, unparsed)
    rewrites_queries = True
    #: queries are sent "via POST directly" (``application/sparql-query``); Virtuoso 7.2 does
    #: not answer those (the request hangs), so the default is the form-encoded POST
    direct_post = False

    def __init__(self, conn: Connection, base_uri: str, *, http_timeout: float = 300.0) -> None:
        self._meta: tuple[float, Meta | None] | None = None
        self.conn = conn
        self.base_uri = base_uri
        self.http_timeout = http_timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "ogp-registry"
        # The environment (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE…) is read once, here,
        # for the engine's host: requests would read it again on every request (about 0.5 ms
        # each, two requests per endpoint query).
        env = self.session.merge_environment_settings(conn.query_url, {}, None, None, None)
        self.session.proxies.update(env.get("proxies") or {})
        self.session.verify = env.get("verify", True)
        self.session.trust_env = False
        if conn.user:
            self.session.auth = self._auth(conn.user, conn.password or "")

    def _auth(self, user: str, password: str) -> Any:
        return requests.auth.HTTPBasicAuth(user, password)

    def close(self) -> None:
        self.session.close()

    # -- errors --------------------------------------------------------------------------------
    def _unreachable(self, url: str, exc: Exception) -> StoreError:
        return StoreError(
            msg(
                "The SPARQL engine ({kind}) at {url} does not answer: {error}. Check that it "
                "runs and that the OGPREG_ENGINE_* settings point to it.",
                kind=self.kind,
                url=url,
                error=type(exc).__name__,
            )
        )

    def _failed(self, what: str | Msg, resp: requests.Response) -> StoreError:
        text = resp.text.strip().splitlines()
        detail = " ".join(text[:3])[:500] if text else ""
        return StoreError(
            msg(
                "The SPARQL engine ({kind}) refused {what} (HTTP {status}): {detail}",
                kind=self.kind,
                what=what,
                status=resp.status_code,
                detail=detail,
            )
        )

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.http_timeout)
        try:
            return self.session.request(method, url, **kwargs)
        except requests.Timeout as exc:
            raise EngineTimeout(
                msg(
                    "The SPARQL engine did not answer within {seconds:g} seconds.",
                    seconds=kwargs["timeout"] if isinstance(kwargs["timeout"], float) else 0,
                )
            ) from exc
        except requests.RequestException as exc:
            raise self._unreachable(url, exc) from exc

    # -- reading ---------------------------------------------------------------------------
    def prepare(
        self,
        text: str,
        *,
        dataset: bool,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> str:
        """The query text as sent (an adapter may put pragmas in front); ``dataset``: the query
        names its own dataset (FROM, FROM NAMED or the protocol's graph parameters, which are
        ``default_graphs`` and ``named_graphs``)."""
        return text

    def _remember(self, meta: Meta | None) -> Meta | None:
        self._meta = (time.monotonic(), meta)
        return meta

    def forget_meta(self) -> None:
        self._meta = None

    def cached_meta_graphs(self) -> list[str]:
        """The registry's graphs from a bookkeeping read at most ``meta_ttl`` seconds old."""
        cached = self._meta
        if cached is None or time.monotonic() - cached[0] > self.meta_ttl:
            meta = self.meta()
        else:
            meta = cached[1]
        return list(meta.detail) if meta else []

    def query_params(
        self,
        *,
        union: bool,
        default_graphs: Iterable[str] | None,
        named_graphs: Iterable[str] | None,
        timeout: float | None,
    ) -> list[tuple[str, str]]:
        """Protocol parameters besides the query: the dataset and the engine's time limit."""
        params: list[tuple[str, str]] = []
        for g in default_graphs or ():
            params.append(("default-graph-uri", g))
        for g in named_graphs or ():
            params.append(("named-graph-uri", g))
        return params

    #: a query reads one snapshot, taken when its evaluation starts, and a commit is one
    #: transaction: an answer is always one revision's, so the endpoint does not check the
    #: revision after a query (it labels the answer with the revision confirmed within
    #: ``revision_ttl`` before it; endpoint/sparql/remote_executor.py)
    snapshot_reads = False
    #: result formats (the protocol's short names) the engine writes exactly as the endpoint
    #: would: an answer that cannot be cut by the row cap is passed on as the engine sent it
    passthrough: Mapping[str, str] = {}

    def solutions_accept(self) -> str:
        """The result format asked for SELECT/ASK (see :meth:`read_solutions`)."""
        return SOLUTIONS_JSON

    def query(
        self,
        text: str,
        *,
        accept: str,
        union: bool = True,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        timeout: float | None = None,
        stream: bool = False,
        raw: bool = False,
    ) -> requests.Response:
        """POST a query (SPARQL 1.1 Protocol: form-encoded, or with :attr:`direct_post` the
        text as the body and the other parameters in the URL, which saves encoding a long
        text). ``raw`` sends the text as is (the adapter's own bookkeeping reads)."""
        if raw:
            sent = text
        elif self.rewrites_queries:
            dataset = bool(default_graphs or named_graphs) or inspect(text).has_dataset
            sent = self.prepare(
                text, dataset=dataset, default_graphs=default_graphs, named_graphs=named_graphs
            )
        else:
            sent = text
        params = self.query_params(
            union=union, default_graphs=default_graphs, named_graphs=named_graphs, timeout=timeout
        )
        http_timeout = self.http_timeout if timeout is None else timeout + 5.0
        if self.direct_post:
            resp = self._request(
                "POST",
                self.conn.query_url,
                params=params,
                data=sent.encode("utf-8"),
                headers={"Accept": accept, "Content-Type": QUERY_TYPE},
                stream=stream,
                timeout=http_timeout,
            )
        else:
            resp = self._request(
                "POST",
                self.conn.query_url,
                data=[("query", sent), *params],
                headers={"Accept": accept},
                stream=stream,
                timeout=http_timeout,
            )
        self.check_answer(resp)
        return resp

    def check_answer(self, resp: requests.Response) -> None:
        """Raise for an error answer: a timeout as :class:`EngineTimeout`, a query the engine
        could not parse or evaluate as :class:`QueryError`."""
        if resp.status_code < 400:
            return
        text = resp.text.strip()
        detail = " ".join(text.splitlines()[:4])[:600]
        if resp.status_code in (408, 503, 504) or "timeout" in text.lower()[:200]:
            raise EngineTimeout(
                msg(
                    "The SPARQL engine stopped the query at its time limit: {detail}",
                    detail=detail,
                )
            )
        if resp.status_code == 400 or (resp.status_code == 500 and self.query_fault(text)):
            raise QueryError(
                msg(
                    "The SPARQL engine could not evaluate the query: {detail}",
                    detail=detail,
                )
            )
        raise self._failed(msg("the query"), resp)

    def query_fault(self, text: str) -> bool:
        """Whether an HTTP 500 answer of the engine (its body ``text``) says the query was at
        fault (an evaluation error the client can fix: 400), not the engine (503)."""
        return False

    def fix_solutions_json(self, body: bytes) -> bytes:
        """Repair the engine's SPARQL JSON results where it departs from the standard."""
        return body

    def read_solutions(self, resp: requests.Response) -> ox.QuerySolutions | ox.QueryBoolean:
        """The answer's solutions (or boolean); :class:`EngineBadAnswer` (502) for an answer
        that cannot be read as SPARQL results (Virtuoso answers some texts that are no query
        with an SQL result, whose variable names SPARQL does not allow)."""
        body = resp.content
        try:
            if resp.headers.get("Content-Type", "").startswith(SOLUTIONS_TSV):
                return ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
            return ox.parse_query_results(
                self.fix_solutions_json(body), format=ox.QueryResultsFormat.JSON
            )
        except (SyntaxError, ValueError) as exc:
            raise bad_answer(self.kind, exc) from exc

    def select(self, text: str, **kwargs: Any) -> list[ox.QuerySolution]:
        resp = self.query(text, accept=self.solutions_accept(), **kwargs)
        result = self.read_solutions(resp)
        assert isinstance(result, ox.QuerySolutions)
        try:
            return list(result)
        finally:
            # a pyoxigraph result must be dropped by the thread that made it: never kept alive
            # by a traceback that is freed elsewhere
            del result

    def graph_ntriples(self, graph: str) -> bytes:
        """A named graph's content as N-Triples (Graph Store Protocol GET); empty if absent."""
        resp = self._request(
            "GET", self.conn.store_url, params={"graph": graph}, headers={"Accept": NTRIPLES}
        )
        if resp.status_code == 404:
            return b""
        if resp.status_code >= 400:
            raise self._failed("GET " + graph, resp)
        return resp.content

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        data = self.graph_ntriples(graph)
        if not data.strip():
            return []
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        ]

    def graphs(self) -> list[str]:
        """The named graphs that have triples (the registry's, as user queries see them)."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(
            str(r["g"].value) for r in rows if isinstance(r["g"], ox.NamedNode)
        )

    def dump_all(self) -> Iterator[ox.Quad]:
        """Every quad of the registry's graphs (one GET per graph)."""
        for g in self.graphs():
            node = ox.NamedNode(g)
            for t in self.graph_triples(g):
                yield ox.Quad(t.subject, t.predicate, t.object, node)

    # -- writing ---------------------------------------------------------------------------
    def update(self, body: bytes | str, what: str = "SPARQL Update") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        resp = self._request(
            "POST",
            self.conn.update_url,
            data=data,
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        if resp.status_code >= 400:
            raise self._failed(what, resp)

    def put_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        self.put_ntriples(graph, ntriples(triples))

    def put_ntriples(self, graph: str, body: bytes) -> None:
        """Replace a named graph with ``body`` (N-Triples; Graph Store Protocol PUT)."""
        resp = self._request(
            "PUT",
            self.conn.store_url,
            params={"graph": graph},
            data=body,
            headers={"Content-Type": NTRIPLES},
        )
        if resp.status_code >= 400:
            raise self._failed("PUT " + graph, resp)

    # -- bookkeeping: each adapter's own ------------------------------------------------------
    @abc.abstractmethod
    def meta(self) -> Meta | None:
        """The registry's bookkeeping on the engine (its revision), or None before the first
        commit."""

    #: :meth:`still_current` costs less than :meth:`meta` (the endpoint then uses it to
    #: confirm an older bookkeeping read)
    cheap_check = False

    def still_current(self, meta: Meta | None) -> bool:
        """Whether ``meta`` (read earlier) is still the registry's bookkeeping: no commit
        finished, none is being applied. Adapters may answer with a cheaper request."""
        return self.meta() == meta

    @abc.abstractmethod
    def commit(self, plan: CommitPlan, state_dir: Path) -> None:
        """Apply ``plan`` on the engine as one revision (atomically, or by the adapter's
        staging protocol)."""

    def recover(self, state_dir: Path) -> bool:
        """Finish a commit that was interrupted half-way (True if there was one)."""
        return False

    def wait_settled(self, deadline: float) -> Meta | None:
        """The registry's revision once no commit is being applied (until ``deadline``)."""
        while True:
            meta = self.meta()
            if meta is None or not meta.committing or time.monotonic() > deadline:
                return meta
            time.sleep(0.05)
