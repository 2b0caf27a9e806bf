"""A row of Virtuoso's quad table missing from one of its two full indexes, made on purpose.

docs/deployment.md ("Virtuoso: a row missing from one of its indexes") describes a statement
that a look-up by object misses while a look-up by subject finds it: a row of
``DB.DBA.RDF_QUAD`` present in the primary key (P, S, O, G) and missing from ``RDF_QUAD_POGS``
(P, O, G, S). docs/lifecycle.md says the registry's change numbers are guarded against it
(registry/history/versions.py: ``change_node`` and ``last_change_number`` with ``base`` look a
change up by its IRI first). Here the state is made deterministically, with an SQL delete from
``RDF_QUAD_POGS`` alone (``index_only``), on a Virtuoso of this module's own (never the
session's shared one: the tests corrupt an index), and:

* the fault is real: a plain SPARQL look-up by object misses the statement, by subject finds it;
* the guard: ``last_change_number`` with the base gives the true last number (without it, the
  look-up by number over all graphs missed the last change in most runs and found it in one:
  which index Virtuoso uses for it is its own choice, so nothing here relies on it); and a load
  records the next change under a new number (no number used twice);
* the SQL of docs/deployment.md, read from the doc's ```sql blocks (so the doc and this test
  cannot drift), run as written: the first detection query lists exactly the corrupted row, the
  second nothing; the SQL repair, and the SPARQL repair (``DELETE DATA`` then ``INSERT DATA``
  with the listed row's terms), each leave both queries empty and the look-up by object
  finding the statement again.

A missing ``virtuoso-t`` / ``isql-vt`` skips these tests on a developer machine and fails them
under ``CI=true`` (tests/engines.py). The loaded commitment is invented
(tests/fixtures/rdf/valid-commitment.ttl).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from registry.history.terms import change_iri
from registry.history.versions import last_change_number
from registry.loading.sources import SourceFile
from registry.namespaces import OGP
from registry.service import Registry
from tests.conftest import BASE, FIXTURES
from tests.engines import EngineServer, _start_virtuoso, initialised_on, remote_settings

DEPLOYMENT = Path(__file__).resolve().parents[1] / "docs" / "deployment.md"
SECTION = "## Virtuoso: a row missing from one of its indexes"
HISTORY = BASE + "graph/history"
CHANGE_NUMBER = str(OGP.changeNumber)
VALID = FIXTURES / "rdf" / "valid-commitment.ttl"


# -- the doc's SQL --------------------------------------------------------------------------------
def _doc_sql() -> tuple[str, str]:
    """The two ```sql blocks of docs/deployment.md's section, verbatim: the two detection
    queries (with their comment lines), and the SQL repair."""
    text = DEPLOYMENT.read_text(encoding="utf-8")
    assert SECTION in text, f"{DEPLOYMENT} has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sql\n(.*?)^```", section, re.S | re.M)
    assert len(blocks) == 2, blocks
    assert blocks[0].count(";") == 2 and blocks[1].count(";") == 1, blocks
    return blocks[0], blocks[1]


DETECT, REPAIR = _doc_sql()


# -- the server -----------------------------------------------------------------------------------
@dataclass
class Virtuoso:
    """This module's own Virtuoso, its SQL port and a registry initialised on it."""

    srv: EngineServer
    sql_port: str
    reg: Registry

    def isql(self, script: str) -> list[list[str]]:
        """Run SQL as ``dba`` the way a person does, ``isql-vt PORT dba dba`` reading the
        statements on its input; the rows of each result set (each row a line of
        whitespace-separated columns). ``isql-vt`` exits with 0 after an error: its output
        is checked."""
        exe = shutil.which("isql-vt")
        assert exe is not None
        r = subprocess.run(
            [exe, self.sql_port, "dba", "dba"],
            input=script,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        out = r.stdout + r.stderr
        assert r.returncode == 0 and "*** Error" not in out, out
        return _result_sets(r.stdout)

    def sparql(self, query: str) -> list[dict[str, str]]:
        """A plain SPARQL query on Virtuoso's own endpoint (not through the registry)."""
        with requests.post(
            self.srv.query_url,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        ) as r:
            assert r.status_code == 200, r.text
            bindings = r.json()["results"]["bindings"]
        return [{k: v["value"] for k, v in b.items()} for b in bindings]

    def by_object(self, number: int) -> list[str]:
        """The changes numbered ``number``, looked up by object (index RDF_QUAD_POGS)."""
        rows = self.sparql(
            f"SELECT ?c WHERE {{ GRAPH <{HISTORY}> {{ ?c <{CHANGE_NUMBER}> {number} }} }}"
        )
        return [r["c"] for r in rows]

    def by_subject(self, number: int) -> list[str]:
        """The numbers of change ``number``'s IRI, looked up by subject (the primary key)."""
        iri = change_iri(BASE, number)
        rows = self.sparql(
            f"SELECT ?n WHERE {{ GRAPH <{HISTORY}> {{ <{iri}> <{CHANGE_NUMBER}> ?n }} }}"
        )
        return [r["n"] for r in rows]

    def drop_from(self, index: str, number: int) -> None:
        """Delete change ``number``'s ``ogp:changeNumber`` row from one index alone:
        ``RDF_QUAD_POGS``, or ``RDF_QUAD`` (the primary key)."""
        assert index in ("RDF_QUAD_POGS", "RDF_QUAD")
        self.isql(
            f"DELETE FROM DB.DBA.RDF_QUAD TABLE OPTION (INDEX {index}, INDEX_ONLY)"
            f" WHERE P = iri_to_id ('{CHANGE_NUMBER}') AND O = {number}"
            f" AND G = iri_to_id ('{HISTORY}') AND S = iri_to_id ('{change_iri(BASE, number)}')"
            f" OPTION (INDEX_ONLY, INDEX {index});\n"
        )

    def numbers_in_primary_key(self) -> list[int]:
        """Every ``ogp:changeNumber`` value of the history graph, one per row of the primary
        key (whatever RDF_QUAD_POGS holds)."""
        [rows] = self.isql(
            "SELECT __ro2sq (O) FROM DB.DBA.RDF_QUAD TABLE OPTION (INDEX RDF_QUAD)"
            f" WHERE P = iri_to_id ('{CHANGE_NUMBER}') AND G = iri_to_id ('{HISTORY}');\n"
        )
        return sorted(int(r) for r in rows)

    def detect(self) -> tuple[list[list[str]], list[list[str]]]:
        """What docs/deployment.md's two detection queries list."""
        first, second = self.isql(DETECT)
        return [r.split() for r in first], [r.split() for r in second]


def _result_sets(out: str) -> list[list[str]]:
    """The result sets of an ``isql-vt`` session: the lines between the line of underscores
    under a header and the ``N Rows.`` line closing it; checked against that count."""
    sets: list[list[str]] = []
    rows: list[str] | None = None
    for line in out.splitlines():
        if line.startswith("____"):
            rows = []
        elif rows is not None and (end := re.match(r"^(\d+) Rows\.", line)):
            assert len(rows) == int(end.group(1)), out
            sets.append(rows)
            rows = None
        elif rows is not None and line.strip():
            rows.append(line.strip())
    assert rows is None, out
    return sets


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    workdir = tmp_path_factory.mktemp("virtuoso-index-rows")
    srv = _start_virtuoso(workdir)  # skips, or fails under CI=true, without virtuoso-t/isql-vt
    try:
        port = re.search(
            r"\[Parameters\]\nServerPort = (\S+)", (workdir / "virtuoso.ini").read_text()
        )
        assert port is not None
        reg = initialised_on(srv, remote_settings(srv, workdir / "state"))
        yield Virtuoso(srv, port.group(1), reg)
    finally:
        srv.stop()


@pytest.fixture
def healthy(virtuoso: Virtuoso) -> Virtuoso:
    """The module's server with both indexes in step (what a test before left is checked)."""
    assert virtuoso.detect() == ([], [])
    return virtuoso


# -- the tests ------------------------------------------------------------------------------------
def test_the_change_number_guard_and_the_sql_repair_of_the_doc(healthy: Virtuoso) -> None:
    v = healthy
    reader = v.reg.store.reader()
    last = last_change_number(reader, BASE)
    assert last >= 2  # `ogpreg init` records more than one change
    assert last_change_number(reader) == last  # healthy: both ways agree
    assert v.by_object(last) == [change_iri(BASE, last)]

    # 1. the fault: the last change's number is missing from RDF_QUAD_POGS only (the last
    # one: the search for the last number always probes it)
    v.drop_from("RDF_QUAD_POGS", last)
    assert v.by_object(last) == []  # a look-up by object misses it
    assert v.by_subject(last) == [str(last)]  # a look-up by subject finds it

    # 2. the guard: by the changes' IRIs, the true last number. (By number alone the search
    # asks over all graphs, and Virtuoso may answer that from another index than the one
    # missing the row: it gave `last - 1`, so the next change would have reused `last`, in
    # every CI run until one on 7 December 2026 gave `last`. Not asserted either way.)
    reader = v.reg.store.reader()
    assert last_change_number(reader, BASE) == last

    # 3. the doc's detection queries: the first lists exactly the corrupted row, the second
    # nothing (each row: graph, subject, predicate, object)
    row = [HISTORY, change_iri(BASE, last), CHANGE_NUMBER, str(last)]
    assert v.detect() == ([row], [])
    # the doc's SQL repair puts the row back into RDF_QUAD_POGS
    assert v.isql(REPAIR) == []  # no result set
    assert v.detect() == ([], [])
    assert v.by_object(last) == [change_iri(BASE, last)]
    assert last_change_number(v.reg.store.reader()) == last


def test_a_load_after_the_fault_takes_a_new_number_and_the_sparql_repair(
    healthy: Virtuoso,
) -> None:
    v = healthy
    last = last_change_number(v.reg.store.reader(), BASE)
    assert v.numbers_in_primary_key() == list(range(1, last + 1))
    v.drop_from("RDF_QUAD_POGS", last)
    assert v.by_object(last) == []

    # a load through the registry records the next change under a new number: no number is
    # recorded twice (counted in the primary key, which holds every row)
    v.reg.load([SourceFile(VALID.name, VALID.read_bytes(), "valid-commitment", None)])
    assert v.numbers_in_primary_key() == list(range(1, last + 2))
    assert v.by_subject(last + 1) == [str(last + 1)]
    assert last_change_number(v.reg.store.reader(), BASE) == last + 1

    # the load left the row as it was: the doc's first query still lists it
    first, second = v.detect()
    assert first == [[HISTORY, change_iri(BASE, last), CHANGE_NUMBER, str(last)]]
    assert second == []
    assert v.by_object(last) == []

    # 4. the doc's SPARQL repair: DELETE DATA, then INSERT DATA, with the listed row's terms
    # (the integer as a plain number, as the query lists it)
    g, s, p, o = first[0]
    for op in ("DELETE DATA", "INSERT DATA"):
        v.srv.update(f"{op} {{ GRAPH <{g}> {{ <{s}> <{p}> {o} }} }}")
    assert v.detect() == ([], [])
    assert v.by_object(last) == [change_iri(BASE, last)]
    assert v.by_subject(last) == [str(last)]
    assert last_change_number(v.reg.store.reader()) == last + 1


def test_a_row_missing_from_the_primary_key_and_its_sparql_repair(healthy: Virtuoso) -> None:
    """The other way round (the doc's second query): the row in RDF_QUAD_POGS alone. The
    look-up by subject misses it; the guard's confirmation by number finds it."""
    v = healthy
    last = last_change_number(v.reg.store.reader(), BASE)
    v.drop_from("RDF_QUAD", last)
    assert v.by_subject(last) == []
    assert v.by_object(last) == [change_iri(BASE, last)]
    assert last_change_number(v.reg.store.reader(), BASE) == last
    first, second = v.detect()
    assert first == []
    assert second == [[HISTORY, change_iri(BASE, last), CHANGE_NUMBER, str(last)]]

    g, s, p, o = second[0]
    for op in ("DELETE DATA", "INSERT DATA"):
        v.srv.update(f"{op} {{ GRAPH <{g}> {{ <{s}> <{p}> {o} }} }}")
    assert v.detect() == ([], [])
    assert v.by_subject(last) == [str(last)]
    assert v.by_object(last) == [change_iri(BASE, last)]
