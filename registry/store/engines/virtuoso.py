"""Virtuoso Open Source 7 (Debian package ``virtuoso-opensource``) as the registry's engine.

Endpoints: ``/sparql`` (SPARQL Query and Update; Update needs ``GRANT SPARQL_UPDATE TO
"SPARQL"`` for the anonymous endpoint, or a user with that role on ``/sparql-auth``) and
``/sparql-graph-crud`` (Graph Store Protocol; ``/sparql-graph-crud-auth`` with a user; both
``?graph=``). With ``OGPREG_ENGINE_USER`` set, HTTP Digest authentication is used (Virtuoso's
``-auth`` endpoints ask for it).

Quirks, measured on 7.2.5 (Debian bookworm), and how the registry handles them:

* **No multi-operation transactions over HTTP.** Each operation of an update request is
  committed on its own: ``INSERT DATA {…} ; CREATE GRAPH <existing>`` keeps the insert although
  the request fails (``tests/test_remote_store.py`` pins this). A single operation is atomic.
* **Small update texts only.** ``INSERT DATA`` with more than a few thousand triples fails in
  the SPARQL compiler ("memory exhausted"), and a request text over 10 MB is refused. Blank
  nodes are not allowed in ``INSERT DATA`` ("not allowed in a constant clause").
* **The default graph is the union of every graph**, Virtuoso's own included
  (``virtrdf:``, ``ldp:``…). Its ``define input:default-graph-exclude`` pragma would hide the
  others, but with it (or its ``named-graph-exclude``) a constant ``GRAPH <iri> { … }`` pattern
  matches nothing (pinned by a test). So the registry does the opposite: every query that names
  no dataset of its own gets ``define input:default-graph-uri <g>`` and
  ``define input:named-graph-uri <g>`` for each of the registry's graphs, whose list is kept in
  the bookkeeping graph with the revision (no scan of Virtuoso's graphs). Virtuoso does not
  let ``FROM``/``FROM NAMED`` or the protocol's ``default-graph-uri``/``named-graph-uri``
  replace the pragmas, nor the pragmas replace them: it uses all of them together (pinned by a
  test). So a query that names its own dataset gets the same treatment: its ``FROM`` clauses
  are taken out of the text (``registry.sparql.querytext.dataset``) and the graphs it names, limited
  to the registry's committed graphs, become the pragmas (``urn:ogpreg:none`` when none is
  left). No query through the registry sees a graph that is not committed (staging graphs, a
  graph being loaded, Virtuoso's own), whatever it names. The list grows with the registry's
  graphs (two lines per graph in every query); see docs/performance.md for what that costs.
* **Anytime queries.** When a query reaches the time limit (the ``timeout`` parameter, in
  milliseconds, which the registry sets to ``OGPREG_QUERY_TIMEOUT``; ``MaxQueryExecutionTime``
  in ``virtuoso.ini`` caps it) Virtuoso stops the work and answers **200 with partial results**
  and the header ``X-SQL-State: S1TAT``. The registry treats that as a timeout (504), never as an
  answer.
* **Row limit.** ``ResultSetMaxRows`` in ``virtuoso.ini`` silently cuts every SELECT; set it
  above the endpoint's row cap and the registry's largest pattern read (the test fixture uses
  1,000,000). Whole graphs are always read with the Graph Store Protocol, which is not cut.
* **Result forms.** Typed values are stored by value: ``"1.50"^^xsd:decimal`` comes back as
  ``1.5``; in SPARQL JSON results booleans come back as ``"1"``/``"0"`` and blank nodes as
  ``nodeID://b…`` (both repaired here); its TSV is not SPARQL TSV (not used).

**All-or-nothing: direct writes of new graphs, staging, a journal and roll-forward.** A commit:

1. finishes an interrupted earlier commit, if the journal says there is one (see 5), or removes
   the new graphs of a commit that stopped before its swap (the pending file, see 2);
2. writes every *new* graph (one the committed revision does not list) once, straight under its
   own name (Graph Store PUT, Virtuoso's fast loader path), after listing it in the pending file
   ``<state dir>/virtuoso-pending.json``: no query through the registry sees a graph its
   revision does not list (``prepare``), so the new graph stays invisible until the swap lists
   it, and a commit that fails before the swap removes it again (at once, or by the next
   writer from the pending file). It uploads the new content of every large replaced graph
   that *exists* into a staging graph ``urn:ogpreg:staging:{k}`` that no user query sees;
3. marks the bookkeeping graph ``urn:ogpreg:meta`` "committing" in one operation that succeeds
   only if the revision is still the one the transaction read (compare-and-set across hosts);
4. writes the journal (``<state dir>/virtuoso-commit.json``: every operation still to run),
   then runs them: ``DROP SILENT GRAPH`` of the replaced graphs that existed, ``COPY`` from
   staging, ``INSERT DATA``/``DELETE DATA`` in chunks, the new list of the registry's graphs, and
   finally one operation that writes the new revision and clears the mark; every operation is
   idempotent;
5. removes the journal, the pending file and the staging graphs.

A failure before step 4 changes nothing users see. A failure during step 4 is finished by the
next writer (step 1) or ``ogpreg`` command that writes: the commit is then complete, never
half. While the mark is set, the endpoint waits and never answers from a mixed state: it
compares the revision before and after every query (``endpoint/sparql/remote_executor.py``). A first
load writes every triple once (a reload of an existing graph twice: staging, then ``COPY``).
Clients that query Virtuoso directly, not through the registry, may see a new graph before its
commit and the swap half-done; the registry's own endpoint never does. Two loader hosts must
not load the same *new* source at the same instant (the second PUT would replace the first's
graph before the compare-and-set refuses it): run loads from one host, as the write lock
(``registry/store/locks.py``) assumes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

from registry.errors import StoreError
from registry.i18n import msg
from registry.sparql.querytext import dataset as querytext_dataset
from registry.store.engines.base import (
    CommitPlan,
    Engine,
    EngineTimeout,
    Meta,
    by_graph,
    data_block,
    has_blank,
    nt,
)

#: Virtuoso's 500 answers that name a fault of the query (Engine.query_fault)
_QUERY_FAULT = re.compile(r"Virtuoso (?:22[0-9A-Z]{3}|37000|42[0-9A-Z]{3}) Error ")
META = "urn:ogpreg:meta"
#: a graph that never holds triples: the dataset of a query that names none of the registry's
NONE = "urn:ogpreg:none"
_REGISTRY = "<urn:ogpreg:registry>"
_P_REVISION = "<urn:ogpreg:revision>"
_P_COMMITTED = "<urn:ogpreg:committed>"
_P_BASE = "<urn:ogpreg:baseUri>"
_P_STATE = "<urn:ogpreg:state>"
_P_GRAPH = "<urn:ogpreg:graph>"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: staging graphs (a fixed set, so a commit can drop left-overs without asking which exist;
#: 8 were too few for a first load of 10,000 commitments: docs/performance.md)
STAGING = tuple(f"urn:ogpreg:staging:{k}" for k in range(64))
#: graphs at least this large are staged with the Graph Store Protocol
STAGE_MIN = 500
#: triples per INSERT DATA / DELETE DATA operation, operations per request
CHUNK = 400
OPS_PER_REQUEST = 20
JOURNAL = "virtuoso-commit.json"
#: the new graphs a commit writes before its swap (removed again if it stops short of it)
PENDING = "virtuoso-pending.json"


class SimulatedCrash(BaseException):
    """Tests only (``fail_at = "staging-crash"``): the process stopping after its uploads,
    before it could clean up (a ``BaseException``, so no handler of the commit runs)."""


class VirtuosoEngine(Engine):
    """Virtuoso 7: staged commits with a journal; hidden bookkeeping and system graphs."""

    kind = "virtuoso"
    atomic_commit = False
    #: tests only: "staging" fails after the uploads, "swap" fails half-way through the swap
    fail_at: str | None = None

    def _auth(self, user: str, password: str) -> Any:
        return requests.auth.HTTPDigestAuth(user, password)

    # -- reading ---------------------------------------------------------------------------
    def prepare(
        self,
        text: str,
        *,
        dataset: bool,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> str:
        committed = self.cached_meta_graphs()
        if not dataset:
            defaults: list[str] = committed
            named: list[str] = committed
        else:
            # The query's own dataset, limited to the registry's committed graphs: Virtuoso
            # adds FROM clauses and the protocol's graph parameters to the pragmas instead of
            # replacing them, so they are taken out of the text and given as pragmas too.
            own = querytext_dataset(text)
            if own is not None:
                text = own.text
            if default_graphs is not None or named_graphs is not None:
                wanted_default, wanted_named = list(default_graphs or ()), list(named_graphs or ())
            elif own is not None:
                wanted_default, wanted_named = list(own.default), list(own.named)
            else:
                wanted_default, wanted_named = [], []
            known = set(committed)
            defaults = [g for g in wanted_default if g in known]
            named = [g for g in wanted_named if g in known]
        lines = []
        for g in defaults or [NONE]:
            lines.append(f"define input:default-graph-uri <{g}>")
        for g in named or [NONE]:
            lines.append(f"define input:named-graph-uri <{g}>")
        return "\n".join(lines) + "\n" + text

    def query_params(
        self,
        *,
        union: bool,
        default_graphs: Iterable[str] | None,
        named_graphs: Iterable[str] | None,
        timeout: float | None,
    ) -> list[tuple[str, str]]:
        # the dataset goes into the pragmas (prepare); Virtuoso would add these to them
        params: list[tuple[str, str]] = []
        if timeout is not None:
            params.append(("timeout", str(max(1, int(timeout * 1000)))))
        return params

    def check_answer(self, resp: requests.Response) -> None:
        state = resp.headers.get("X-SQL-State", "")
        if state == "S1TAT" or (resp.status_code < 400 and state):
            resp.close()
            raise EngineTimeout(
                msg(
                    "Virtuoso stopped the query at its time limit and gave a partial answer "
                    "({message}); the answer was discarded.",
                    message=resp.headers.get("X-SQL-Message", state),
                )
            )
        super().check_answer(resp)

    def query_fault(self, text: str) -> bool:
        # SQL states of a query's own fault: 22xxx data exceptions (an invalid regular
        # expression: 2201B), 37000 syntax errors of the SPARQL/SQL compiler (a negative
        # OFFSET: SQ074), 42xxx access-rule violations (an undefined procedure: 42001)
        return _QUERY_FAULT.match(text.strip()) is not None

    def fix_solutions_json(self, body: bytes) -> bytes:
        if b"nodeID://" not in body and (_XSD + "boolean").encode() not in body:
            return body
        data = json.loads(body)
        for row in data.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("type") == "bnode" and term["value"].startswith("nodeID://"):
                    term["value"] = term["value"][len("nodeID://") :]
                elif term.get("datatype") == _XSD + "boolean":
                    term["value"] = {"1": "true", "0": "false"}.get(term["value"], term["value"])
        return json.dumps(data).encode()

    def graph_ntriples(self, graph: str) -> bytes:
        data = super().graph_ntriples(graph)
        return b"" if data.startswith(b"# Empty") else data

    def meta(self) -> Meta | None:
        rows = self.select(
            f"SELECT ?p ?o WHERE {{ GRAPH <{META}> {{ {_REGISTRY} ?p ?o }} }}", raw=True,
            timeout=self.bookkeeping_timeout,
        )
        values = {nt(r["p"]): r["o"] for r in rows}
        graphs = sorted(str(r["o"].value) for r in rows if nt(r["p"]) == _P_GRAPH)
        rev = values.get(_P_REVISION)
        if rev is None:
            return self._remember(None)
        number = int(rev.value)
        when = values.get(_P_COMMITTED)
        base = values.get(_P_BASE)
        state = values.get(_P_STATE)
        return self._remember(Meta(
            number,
            datetime.fromisoformat(when.value) if when is not None else None,
            base.value if base is not None else None,
            state is not None and state.value.startswith("committing"),
            tuple(graphs),
        ))

    def graphs(self) -> list[str]:
        meta = self.meta()
        return list(meta.detail) if meta else []

    def select(self, text: str, **kwargs: Any) -> list[ox.QuerySolution]:
        resp = self.query(text, accept="application/sparql-results+json", **kwargs)
        result = self.read_solutions(resp)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    # -- writing ---------------------------------------------------------------------------
    def _journal(self, state_dir: Path) -> Path:
        return state_dir / JOURNAL

    def _pending(self, state_dir: Path) -> Path:
        return state_dir / PENDING

    def recover(self, state_dir: Path) -> bool:
        path = self._journal(state_dir)
        if path.is_file():
            journal = json.loads(path.read_text("utf-8"))
            for request in journal["requests"]:
                self.update(request, "commit (roll-forward)")
            self._cleanup(state_dir)
            return True
        if self._pending(state_dir).is_file():
            self._roll_back(state_dir)  # the commit stopped before its swap
            return True
        return False

    def _roll_back(self, state_dir: Path) -> None:
        """Remove the new graphs a commit wrote under their own names before it stopped
        short of its swap (they are listed in the pending file; a graph the committed
        revision lists is kept)."""
        pending = self._pending(state_dir)
        graphs = json.loads(pending.read_text("utf-8"))["graphs"]
        meta = self.meta()
        listed = set(meta.detail) if meta else set()
        drops = [f"DROP SILENT GRAPH <{g}>" for g in graphs if g not in listed]
        for i in range(0, len(drops), OPS_PER_REQUEST):
            self.update(" ;\n".join(drops[i : i + OPS_PER_REQUEST]), "commit (roll back)")
        pending.unlink(missing_ok=True)
        self.forget_meta()

    def _cleanup(self, state_dir: Path) -> None:
        self._journal(state_dir).unlink(missing_ok=True)
        self._pending(state_dir).unlink(missing_ok=True)
        self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in STAGING), "drop staging")
        self.forget_meta()

    def commit(self, plan: CommitPlan, state_dir: Path) -> None:
        assert plan.committed is not None
        self.recover(state_dir)
        self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in STAGING), "drop staging")
        contents = {g: plan.replaced_ntriples(g) for g in plan.replaced}  # N-Triples
        # 2a. new graphs (the committed revision does not list them): written once, straight
        # under their own names; no query through the registry sees them before the swap
        # lists them (``prepare``), and the pending file lets a failure remove them again
        listed = set(plan.old.detail) if plan.old is not None else set()
        direct = [g for g in sorted(contents) if g not in listed and contents[g].strip()]
        if direct:
            pending = self._pending(state_dir)
            tmp = pending.with_suffix(".tmp")
            tmp.write_text(json.dumps({"number": plan.number, "graphs": direct}), "utf-8")
            os.replace(tmp, pending)
        try:
            for g in direct:
                self.put_ntriples(g, contents[g])
            # 2b. replaced graphs that exist: large ones (and any with blank nodes) into
            # staging graphs through the Graph Store Protocol, the largest first (a graph left
            # over when the slots run out goes in chunks)
            staged: dict[str, str] = {}
            pool = iter(STAGING)
            existing = {g: c for g, c in contents.items() if g not in direct}
            for g in sorted(existing, key=lambda g: -len(existing[g])):
                content = existing[g]
                if content.count(b"\n") >= STAGE_MIN or b"_:" in content:  # (or in a literal)
                    slot = next(pool, None)
                    if slot is None:
                        break
                    self.put_ntriples(slot, content)
                    staged[g] = slot
            if self.fail_at in ("staging", "staging-crash"):
                if self.fail_at == "staging-crash":
                    raise SimulatedCrash("test: the process stops after the uploads")
                raise StoreError(msg("Test failure after staging."))
            self._mark(plan)
        except Exception:
            if direct:
                with contextlib.suppress(Exception):  # else the next writer's recover does it
                    self._roll_back(state_dir)
            raise
        self._swap(plan, state_dir, direct, staged)

    def _mark(self, plan: CommitPlan) -> None:
        # 3. mark "committing" if the revision is still the one read (compare-and-set)
        mark = f'"committing {plan.number}"'
        if plan.old is None:
            where = f"FILTER NOT EXISTS {{ GRAPH <{META}> {{ {_REGISTRY} {_P_REVISION} ?n }} }}"
        else:
            where = (
                f"GRAPH <{META}> {{ {_REGISTRY} {_P_REVISION} ?n }} "
                f"FILTER(?n = {plan.old.number})"
            )
        self.update(
            f"INSERT {{ GRAPH <{META}> {{ {_REGISTRY} {_P_STATE} {mark} }} }} WHERE {{ {where} }}",
            "commit (mark)",
        )
        rows = self.select(
            f"SELECT ?s WHERE {{ GRAPH <{META}> {{ {_REGISTRY} {_P_STATE} ?s }} }}", raw=True,
            timeout=self.bookkeeping_timeout,
        )
        if [str(r["s"].value) for r in rows] != [mark.strip('"')]:
            self.update(
                f"DELETE DATA {{ GRAPH <{META}> {{ {_REGISTRY} {_P_STATE} {mark} }} }}",
                "commit (unmark)",
            )
            raise StoreError(
                msg(
                    "Another writer changed the registry meanwhile (revision {rev} is no "
                    "longer current); nothing was changed. Try again.",
                    rev=plan.old.number if plan.old else 0,
                )
            )

    def _swap(
        self, plan: CommitPlan, state_dir: Path, direct: list[str], staged: dict[str, str]
    ) -> None:
        assert plan.committed is not None
        # 4. the swap: journal first, then idempotent operations in order
        written = set(direct)
        ops: list[str] = [f"DROP SILENT GRAPH <{g}>" for g in plan.replaced if g not in written]
        ops += [f"COPY <{slot}> TO <{g}>" for g, slot in staged.items()]
        rest = {
            g: t
            for g in plan.replaced
            if g not in staged and g not in written and (t := plan.replaced[g])
        }
        for g, triples in by_graph(plan.deleted).items():
            for i in range(0, len(triples), CHUNK):
                ops.append(data_block("DELETE DATA", {g: triples[i : i + CHUNK]}).decode())
        for g, triples in by_graph(plan.inserted).items():
            rest.setdefault(g, []).extend(triples)
        for g, triples in rest.items():
            plain = [t for t in triples if not has_blank(t)]
            blank = [t for t in triples if has_blank(t)]
            for i in range(0, len(plain), CHUNK):
                ops.append(data_block("INSERT DATA", {g: plain[i : i + CHUNK]}).decode())
            if blank:  # blank nodes: a template (fresh nodes, labels shared within it)
                body = data_block("INSERT", {g: blank}).decode()
                ops.append(body + " WHERE { }")
        poison = len(ops) // 2
        ops.append(f"DELETE WHERE {{ GRAPH <{META}> {{ {_REGISTRY} {_P_GRAPH} ?g }} }}")
        for i in range(0, len(plan.graphs), CHUNK):
            objects = ", ".join(f"<{g}>" for g in plan.graphs[i : i + CHUNK])
            ops.append(f"INSERT DATA {{ GRAPH <{META}> {{ {_REGISTRY} {_P_GRAPH} {objects} }} }}")
        when = f'"{plan.committed.isoformat()}"^^<{_XSD}dateTime>'
        base = json.dumps(plan.base_uri)
        ops.append(
            f"DELETE {{ GRAPH <{META}> {{ {_REGISTRY} ?p ?o }} }} "
            f"INSERT {{ GRAPH <{META}> {{ {_REGISTRY} {_P_REVISION} {plan.number} ; "
            f"{_P_COMMITTED} {when} ; {_P_BASE} {base} }} }} "
            f"WHERE {{ OPTIONAL {{ GRAPH <{META}> {{ {_REGISTRY} ?p ?o "
            f"FILTER(?p != {_P_GRAPH}) }} }} }}"
        )
        requests_ = [
            " ;\n".join(ops[i : i + OPS_PER_REQUEST]) for i in range(0, len(ops), OPS_PER_REQUEST)
        ]
        journal = self._journal(state_dir)
        tmp = journal.with_suffix(".tmp")
        tmp.write_text(json.dumps({"number": plan.number, "requests": requests_}), "utf-8")
        os.replace(tmp, journal)
        if self.fail_at == "swap":
            # Run the first half of the swap, then fail like a lost connection would.
            for op in ops[: max(1, poison)]:
                self.update(op, "commit (swap)")
            raise StoreError(msg("Test failure in the swap."))
        for request in requests_:
            self.update(request, "commit (swap)")
        self._cleanup(state_dir)
