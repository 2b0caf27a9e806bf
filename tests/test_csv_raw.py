"""Unescaped SPARQL CSV for programs (``csv=raw``) over a real socket: the default CSV stays
spreadsheet-safe; ``csv=raw`` gives the values exactly as SPARQL 1.1 CSV (and the in-process
evaluator) writes them, by GET, POST, ``format`` or ``Accept``; other formats ignore it; a
wrong value is a 400 in the endpoint's error shape; caching, the fast path, ETags, gzip and
the row cap keep the two CSVs apart. One server for the module."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from tests.endpoint_server import Running, copy_store, running
from tests.test_hostile_files import INJECTION, _inject

ROW_CAP = 20
QUERY = (
    "SELECT ?t ?n ?m ?tab WHERE { ?c dct:identifier 'NO9901' ; dct:title ?t "
    "FILTER(lang(?t) = 'en') BIND(-5 AS ?n) BIND('@me' AS ?m) BIND('\\tx' AS ?tab) }"
)
RAW_ROW = [INJECTION, "-5", "@me", "\tx"]
SAFE_ROW = ["'" + INJECTION, "-5", "'@me", "'\tx"]


@pytest.fixture(scope="module")
def srv(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("csvraw") / "store")
    with running(store, row_cap=ROW_CAP, query_workers=1) as r:
        _inject(r.registry)
        yield r


def rows(resp: requests.Response) -> list[list[str]]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8"), newline="")))


def get(srv: Running, **params: str) -> requests.Response:
    headers = {"Accept": "text/csv"} if "format" not in params else {}
    return requests.get(srv.sparql, params={"query": QUERY, **params}, headers=headers,
                        timeout=30)


def test_default_csv_is_escaped_and_raw_is_exact(srv: Running) -> None:
    assert rows(get(srv)) == [["t", "n", "m", "tab"], SAFE_ROW]
    assert rows(get(srv, csv="safe")) == [["t", "n", "m", "tab"], SAFE_ROW]
    raw = get(srv, csv="raw")
    assert rows(raw) == [["t", "n", "m", "tab"], RAW_ROW]
    # byte for byte what the evaluator writes as SPARQL 1.1 CSV
    result = srv.registry.query(QUERY)
    assert isinstance(result, ox.QuerySolutions)
    assert raw.content == result.serialize(format=ox.QueryResultsFormat.CSV)


@pytest.mark.parametrize("how", ["format=csv", "format=text/csv", "post-form", "post-query"])
def test_raw_by_every_way_of_asking(srv: Running, how: str) -> None:
    if how.startswith("format="):
        resp = requests.get(srv.sparql, params={"query": QUERY, "format": how[7:], "csv": "raw"},
                            timeout=30)
    elif how == "post-form":
        resp = requests.post(srv.sparql, data={"query": QUERY, "csv": "raw"},
                             headers={"Accept": "text/csv"}, timeout=30)
    else:
        resp = requests.post(srv.sparql + "?csv=raw", data=QUERY.encode(),
                             headers={"Accept": "text/csv",
                                      "Content-Type": "application/sparql-query"}, timeout=30)
    assert rows(resp)[1] == RAW_ROW


def test_other_formats_ignore_the_parameter(srv: Running) -> None:
    for fmt in ("json", "tsv"):
        plain = requests.get(srv.sparql, params={"query": QUERY, "format": fmt}, timeout=30)
        raw = requests.get(srv.sparql, params={"query": QUERY, "format": fmt, "csv": "raw"},
                           timeout=30)
        assert plain.status_code == raw.status_code == 200
        assert plain.content == raw.content
        assert plain.headers["Content-Type"] == raw.headers["Content-Type"]
    ask = requests.get(srv.sparql, params={"query": "ASK { ?s ?p ?o }", "format": "csv",
                                           "csv": "raw"}, timeout=30)
    assert ask.status_code == 200 and ask.content == b"true"


@pytest.mark.parametrize("value", ["none", "RAW,safe", ""])
def test_a_wrong_value_is_refused(srv: Running, value: str) -> None:
    params = {"query": QUERY, "csv": value}
    resp = requests.get(srv.sparql, params=params, headers={"Accept": "text/csv"}, timeout=30)
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == "bad-csv-parameter"
    assert "csv=raw" in body["message"] and "csv=safe" in body["message"]
    both = requests.get(srv.sparql + "?csv=raw&csv=safe", params={"query": QUERY}, timeout=30)
    assert both.status_code == 400 and both.json()["error"] == "bad-csv-parameter"
    en = requests.get(srv.sparql, params=params,
                      headers={"Accept": "text/csv", "Accept-Language": "en"}, timeout=30)
    assert en.json()["message"].startswith("Invalid value")


def test_cache_and_fast_path_keep_the_two_apart(srv: Running) -> None:
    """Alternating requests: each answer is the one asked for, also when the repeats are
    served by the fast path (exact repeats of a GET) from the cached TSV answer."""
    before = fast_hits(srv)
    for _ in range(3):
        assert rows(get(srv, csv="raw"))[1] == RAW_ROW
        assert rows(get(srv))[1] == SAFE_ROW
    assert fast_hits(srv) >= before + 4


def fast_hits(srv: Running) -> int:
    from endpoint.app import state

    return int(state(srv.app).extras["fastpath"].hits)


def test_etags_differ_and_revalidate(srv: Running) -> None:
    raw = get(srv, csv="raw")
    safe = get(srv)
    assert raw.headers["ETag"] != safe.headers["ETag"]
    assert "csv-raw" in raw.headers["ETag"]
    again = requests.get(srv.sparql, params={"query": QUERY, "csv": "raw"},
                         headers={"Accept": "text/csv", "If-None-Match": raw.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 304
    other = requests.get(srv.sparql, params={"query": QUERY, "csv": "raw"},
                         headers={"Accept": "text/csv", "If-None-Match": safe.headers["ETag"]},
                         timeout=30)
    assert other.status_code == 200 and rows(other)[1] == RAW_ROW


def test_gzip(srv: Running) -> None:
    with requests.get(srv.sparql, params={"query": QUERY, "csv": "raw"},
                      headers={"Accept": "text/csv", "Accept-Encoding": "gzip"}, stream=True,
                      timeout=30) as resp:
        assert resp.headers.get("Content-Encoding") == "gzip"
        body = gzip.decompress(resp.raw.read(decode_content=False))
    assert list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))[1] == RAW_ROW


def test_row_cap_applies(srv: Running) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    resp = requests.get(srv.sparql, params={"query": query, "csv": "raw"},
                        headers={"Accept": "text/csv"}, timeout=30)
    got = rows(resp)
    assert resp.headers["OGP-Truncated"] == "true"
    assert resp.headers["OGP-Row-Cap"] == str(ROW_CAP)
    assert got[0] == ["s", "p", "o"] and len(got) == ROW_CAP + 1
