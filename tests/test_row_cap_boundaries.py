"""The row cap at its boundary (issue 22): answers of cap − 1, cap and cap + 1 rows, for SELECT
and CONSTRUCT, in every format, through the real endpoint: on the embedded store (the query
worker's cap, endpoint/sparql/worker.py) and on each external engine (the remote executor's
own cap, endpoint/sparql/remote_executor.py: TSV lines from Oxigraph's server, JSON read and
cut on Virtuoso, N-Triples lines from both).

A complete answer of exactly the cap is not truncated; one row more is, and says so. The
answers come from VALUES blocks, so their size does not depend on the data. (The command line,
registry/sparql/results.py, has no row cap: ``ogpreg query`` prints every row.)
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from registry.service import Registry
from tests.endpoint_server import Running, copy_store, running
from tests.test_remote_endpoint import serving

CAP = 5
SIZES = (CAP - 1, CAP, CAP + 1)
SRX = "{http://www.w3.org/2005/sparql-results#}"


def select(n: int, limit: str = "") -> str:
    values = " ".join(str(i) for i in range(1, n + 1))
    return f"SELECT ?n WHERE {{ VALUES ?n {{ {values} }} }} {limit}".strip()


def construct(n: int) -> str:
    values = " ".join(f"(<urn:x-row-cap:{i}> {i})" for i in range(1, n + 1))
    return (
        "CONSTRUCT { ?s <urn:x-row-cap:n> ?n } WHERE { VALUES (?s ?n) { " + values + " } }"
    )


def _csv_rows(body: bytes) -> int:
    return len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) - 1


def _triples(fmt: ox.RdfFormat) -> Callable[[bytes], int]:
    return lambda body: len(list(ox.parse(body, format=fmt)))


@dataclass(frozen=True)
class Format:
    name: str
    accept: str
    rows: Callable[[bytes], int]
    #: what the body says when it was cut (where the format has room for it)
    note: bytes | None


SELECT_FORMATS = (
    Format("json", "application/sparql-results+json",
           lambda b: len(json.loads(b)["results"]["bindings"]), b'"link":['),
    Format("xml", "application/sparql-results+xml",
           lambda b: len(ET.fromstring(b).findall(f"{SRX}results/{SRX}result")), b"<link href="),
    Format("csv", "text/csv", _csv_rows, None),
    Format("tsv", "text/tab-separated-values", lambda b: b.count(b"\n") - 1, None),
)
GRAPH_FORMATS = (
    Format("ntriples", "application/n-triples", _triples(ox.RdfFormat.N_TRIPLES),
           b"# Truncated: only the first"),
    Format("turtle", "text/turtle", _triples(ox.RdfFormat.TURTLE), b"# Truncated: only the first"),
)


def check(sparql_url: str) -> list[str]:
    """Every size in every format; the problems found (empty: all as they should be)."""
    problems: list[str] = []

    def ask(kind: str, n: int, query: str, fmt: Format, *, truncated: bool) -> None:
        with requests.get(
            sparql_url, params={"query": query}, headers={"Accept": fmt.accept}, timeout=60
        ) as r:
            where = f"{kind} of {n} rows as {fmt.name}"
            if r.status_code != 200:
                problems.append(f"{where}: {r.status_code} {r.text[:200]}")
                return
            got = fmt.rows(r.content)
            want = CAP if truncated else n
            said = r.headers.get("OGP-Truncated")
            if got != want:
                problems.append(f"{where}: {got} rows, expected {want}")
            if truncated and (said != "true" or r.headers.get("OGP-Row-Cap") != str(CAP)):
                problems.append(f"{where}: not marked truncated ({dict(r.headers)})")
            if not truncated and said is not None:
                problems.append(f"{where}: marked truncated, but it is complete")
            if fmt.note is not None and (fmt.note in r.content) != truncated:
                problems.append(f"{where}: the body's note is {'missing' if truncated else 'there'}")

    for n in SIZES:
        for fmt in SELECT_FORMATS:
            ask("SELECT", n, select(n), fmt, truncated=n > CAP)
        for fmt in GRAPH_FORMATS:
            ask("CONSTRUCT", n, construct(n), fmt, truncated=n > CAP)
    for fmt in SELECT_FORMATS:
        # the query's own LIMIT: within the cap, served uncapped; one over it, the capped
        # path, with an answer that fits (cap rows) or not (cap + 1)
        ask("SELECT LIMIT cap", CAP, select(CAP + 1, f"LIMIT {CAP}"), fmt, truncated=False)
        ask("SELECT LIMIT cap+1", CAP, select(CAP, f"LIMIT {CAP + 1}"), fmt, truncated=False)
        ask("SELECT LIMIT cap+1", CAP + 1, select(CAP + 1, f"LIMIT {CAP + 1}"), fmt,
            truncated=True)
    return problems


@pytest.fixture(scope="module")
def srv(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("rowcap") / "store")
    with running(store, row_cap=CAP, query_workers=1) as r:
        yield r


def test_the_queries_answer_what_they_say(srv: Running) -> None:
    """The premise: without a cap in the way, each query has exactly n rows."""
    reader = srv.registry.store.reader()
    for n in SIZES:
        assert len(list(reader.query(select(n)))) == n  # type: ignore[arg-type]
        assert len(list(reader.query(construct(n)))) == n  # type: ignore[arg-type]


def test_the_cap_on_the_embedded_store(srv: Running) -> None:
    problems = check(srv.sparql)
    assert not problems, "\n".join(problems)


def test_the_cap_on_an_external_engine(remote_registry: Registry) -> None:
    with serving(remote_registry, row_cap=CAP) as (url, _executor):
        problems = check(url + "sparql")
    assert not problems, "\n".join(problems)
