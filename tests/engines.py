"""External SPARQL engines for the remote-store tests (a pytest plugin, listed in conftest.py).

Each engine is started once per test session on 127.0.0.1 and a free port, with a temporary
database, and stopped at the end:

* Oxigraph's server: ``oxigraph serve --location DIR --bind 127.0.0.1:PORT --timeout-s 5``
  (PyPI package ``oxigraph``, in the ``test`` extra);
* Virtuoso Open Source 7 (Debian package ``virtuoso-opensource``, installed by ``.ci/run``):
  ``virtuoso-t +foreground`` with a temporary ``virtuoso.ini``; the anonymous SPARQL user is
  granted ``SPARQL_UPDATE`` with ``isql-vt``.

A missing engine skips its tests on a developer machine and fails them when ``CI=true``.

``remote_registry`` gives each test a registry on a clean engine, holding what ``ogpreg init``
writes (copied from a template made once per engine and session, without validating again).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from loaders.bundled import init as bundled_init
from registry.service import Registry, open_registry
from registry.settings import Settings
from tests.conftest import BASE, make_settings

ENGINE_KINDS = ("oxigraph", "virtuoso")
QUERY_TIMEOUT = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing in CI (.ci/run installs it)")
    pytest.skip(f"{what} not installed")


def _wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"engine exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            r = requests.get(url, params={"query": "ASK {}"}, timeout=2)
            if r.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"engine did not answer in {seconds} s: {log.read_text()[-2000:]}")


@dataclass
class EngineServer:
    """A running engine."""

    kind: str
    query_url: str
    proc: subprocess.Popen[bytes]
    workdir: Path
    template: list[ox.Quad] = field(default_factory=list)

    def overrides(self) -> dict[str, object]:
        return {"engine": self.kind, "engine_query_url": self.query_url}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def update(self, text: str) -> None:
        r = requests.post(
            self.update_url,
            data=text.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=600,
        )
        assert r.status_code < 300, r.text

    @property
    def update_url(self) -> str:
        if self.kind == "oxigraph":
            return self.query_url.rsplit("/", 1)[0] + "/update"
        return self.query_url

    def reset(self) -> None:
        """Remove everything the registry wrote (and the bookkeeping)."""
        if self.kind == "oxigraph":
            self.update("DROP ALL")
            return
        r = requests.post(
            self.query_url,
            data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=600,
        )
        graphs = [b["g"]["value"] for b in r.json()["results"]["bindings"]]
        mine = [g for g in graphs if g.startswith(BASE) or g.startswith("urn:ogpreg:")]
        if mine:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in mine))


def _start_oxigraph(tmp: Path) -> EngineServer:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(exe).exists():
        _missing("oxigraph (pip install oxigraph)")
    port = _free_port()
    log = tmp / "oxigraph.log"
    with open(log, "wb") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [exe, "serve", "--location", str(tmp / "db"), "--bind", f"127.0.0.1:{port}",
             "--timeout-s", str(QUERY_TIMEOUT)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/query"
    _wait_http(url, proc, 30, log)
    return EngineServer("oxigraph", url, proc, tmp)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {d}
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
MaxQueryMem = 1G
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/vsp
MaxClientConnections = 20
ServerThreads = 20
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""


def _start_virtuoso(tmp: Path) -> EngineServer:
    exe = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if exe is None or isql is None:
        _missing("virtuoso-t (Debian package virtuoso-opensource)")
    assert exe is not None and isql is not None
    sql, http = _free_port(), _free_port()
    (tmp / "vsp").mkdir()
    ini = tmp / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=tmp, sql=sql, http=http))
    log = tmp / "stdout.log"
    with open(log, "wb") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            [exe, "+foreground", "+configfile", str(ini)],
            cwd=tmp,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{http}/sparql"
    _wait_http(url, proc, 90, log)
    subprocess.run(
        [isql, f"127.0.0.1:{sql}", "dba", "dba", 'exec=grant SPARQL_UPDATE to "SPARQL";'],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return EngineServer("virtuoso", url, proc, tmp)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineServer]:
    srv = _start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineServer]:
    srv = _start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield srv
    srv.stop()


@pytest.fixture(params=ENGINE_KINDS)
def engine_server(request: pytest.FixtureRequest) -> EngineServer:
    """Each engine in turn."""
    return request.getfixturevalue(f"{request.param}_server")  # type: ignore[no-any-return]


def remote_settings(srv: EngineServer, state: Path, **overrides: object) -> Settings:
    """The test settings of a registry on ``srv`` keeping its state in ``state``."""
    return make_settings(state, **{**srv.overrides(), "query_timeout": QUERY_TIMEOUT, **overrides})


@pytest.fixture
def remote_registry(engine_server: EngineServer, tmp_path: Path) -> Registry:
    """A registry on a clean engine with what ``ogpreg init`` writes."""
    return initialised_on(engine_server, remote_settings(engine_server, tmp_path / "state"))


@pytest.fixture(params=ENGINE_KINDS)
def runaway_registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    """:func:`remote_registry` for a test that sends queries that never end (a cross product
    counted): on Oxigraph a server of its own, stopped when the test ends. Oxigraph cannot stop
    an evaluation (``--timeout-s`` limits the HTTP exchange, not the work:
    oxigraph/oxigraph#1336, #1871; docs/deployment.md), so on the session's shared server such
    a query would keep both cores busy for the rest of the test session. Virtuoso's
    anytime-query limit stops them: its shared server is used."""
    if request.param == "virtuoso":
        srv: EngineServer = request.getfixturevalue("virtuoso_server")
        yield initialised_on(srv, remote_settings(srv, tmp_path / "state"))
        return
    shared: EngineServer = request.getfixturevalue("oxigraph_server")
    workdir = tmp_path / "oxigraph"
    workdir.mkdir()
    own = _start_oxigraph(workdir)
    own.template = shared.template  # the copy of `ogpreg init` (made here if still empty)
    try:
        yield initialised_on(own, remote_settings(own, tmp_path / "state"))
    finally:
        own.stop()
        shared.template = shared.template or own.template


def initialised_on(srv: EngineServer, settings: Settings) -> Registry:
    """A registry with ``settings`` (on ``srv``), opened after resetting the engine, holding
    what ``ogpreg init`` writes (loaders/bundled.py: the bundled Turtle and the bundled
    submissions): made once per engine and session, then copied. Every test module that needs
    an initialised engine goes through here, so that the copy is the same whichever module
    runs first."""
    srv.reset()
    reg = open_registry(settings)
    if not srv.template:
        bundled_init(reg)
        srv.template = list(reg.store.reader())
    else:
        with reg.store.transaction(fresh=True) as tx:
            tx.extend(srv.template)
    return reg
