"""A real endpoint on a free port for HTTP tests: the app from ``create_app`` under the
production server (``endpoint/server.py``, waitress) in a background thread (:func:`running`),
or ``ogpreg serve --server granian`` in a process of its own (:func:`running_granian`)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from flask import Flask

from endpoint.app import create_app, state
from endpoint.server import Server
from endpoint.sparql.executor import QueryExecutor
from registry.service import Registry, open_registry
from registry.settings import environment_of
from tests.conftest import BASE, make_settings


class Served(Protocol):
    """What a test needs of any running endpoint: where it answers, and the registry it serves
    (opened in the test's process on the same store)."""

    @property
    def url(self) -> str: ...

    @property
    def sparql(self) -> str: ...

    @property
    def registry(self) -> Registry: ...


@dataclass
class Running:
    """A server under test."""

    server: Server
    app: Flask
    registry: Registry

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def sparql(self) -> str:
        return self.server.url + "sparql"

    @property
    def executor(self) -> QueryExecutor:
        return state(self.app).extras["executor"]  # type: ignore[no-any-return]


def copy_store(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


@contextmanager
def running(store: Path, **overrides: object) -> Iterator[Running]:
    """Serve the registry in ``store`` on 127.0.0.1 and a free port until the block ends."""
    settings = make_settings(store, **overrides)
    registry = open_registry(settings)
    app = create_app(settings, registry=registry)
    server = Server(app, host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        yield Running(server, app, registry)
    finally:
        server.close()


def servers() -> list[str]:
    """The HTTP servers of ``ogpreg serve`` to run a test against: waitress, and granian where
    it is installed (in CI always: there a missing granian fails the tests instead of leaving
    them out)."""
    import importlib.util

    found = ["waitress"]
    if os.environ.get("CI") or importlib.util.find_spec("granian") is not None:
        found.append("granian")
    return found


@contextmanager
def serving(server: str, store: Path, **overrides: object) -> Iterator[Served]:
    """:func:`running` (waitress, in this process) or :func:`running_granian`."""
    manager = running_granian if server == "granian" else running
    with manager(store, **overrides) as served:
        yield served


@dataclass
class GranianServed:
    """``ogpreg serve --server granian`` in a process of its own (endpoint/granian_server.py)."""

    proc: subprocess.Popen[str]
    url: str
    registry: Registry
    #: what it printed up to the line with its address
    first_lines: list[str] = field(default_factory=list)
    #: what it printed after that (read all the time, so that its output never blocks it)
    later_lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def sparql(self) -> str:
        return self.url + "sparql"

    def stop(self, signum: int = signal.SIGINT, timeout: float = 60) -> str:
        """Send ``signum``, wait for the process to end; everything it printed. Raises
        :class:`AssertionError` (after killing them) if processes of its own are left 15 s
        after it ended: a granian worker left serving on the port, say. It runs in a process
        group of its own (:func:`running_granian`), which is how they are found."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        left = _group_left(self.proc.pid, 15)
        if self._reader is not None:
            self._reader.join(10)
        printed = "".join(self.first_lines + self.later_lines)
        assert not left, f"processes of ogpreg serve left after it ended: {left}\n{printed}"
        return printed


def _group_left(pgid: int, within: float) -> list[int]:
    """The processes of process group ``pgid`` still running after up to ``within`` seconds;
    those are then killed (so that nothing keeps serving, or holds a pipe the test reads)."""
    left = still_alive((p for p, (_s, _pp, g) in _processes().items() if g == pgid), within)
    if left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    return left


@contextmanager
def running_granian(
    store: Path, *, port: int = 0, host: str | None = None, **overrides: object
) -> Iterator[GranianServed]:
    """Serve the registry in ``store`` with ``ogpreg serve --server granian --port PORT`` (0: a
    free one; ``--host HOST`` if given; the settings of :func:`running`, passed as its
    environment) until the block ends; then stop it with SIGINT, or kill it."""
    values: dict[str, object | None] = {
        "store": str(store), "base_uri": BASE, "user": "tester", "query_workers": 2,
        **overrides,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGPREG_")}
    env.update(environment_of(values))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ogpreg", "--lang", "en", "serve", "--server", "granian",
         "--port", str(port), *(["--host", host] if host is not None else [])],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True,  # a process group of its own: GranianServed.stop checks it
    )
    assert proc.stdout is not None
    url, lines = address_line(proc.stdout, r"answers at (http://\S+/) ")
    served = GranianServed(proc, url, open_registry(make_settings(store, **overrides)), lines)
    out = proc.stdout

    def drain() -> None:
        for line in out:
            served.later_lines.append(line)

    served._reader = threading.Thread(target=drain, daemon=True)
    served._reader.start()
    try:
        assert url, "".join(lines)
        yield served
    finally:
        try:
            served.stop()
        finally:
            if served._reader is None or not served._reader.is_alive():
                out.close()  # (never while the reader reads: that would wait for it)


# -- processes ----------------------------------------------------------------------------------
def _stat(pid: int | str) -> tuple[str, int, int] | None:
    """State, parent and process group of ``pid`` from /proc (None: it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1]), int(fields[2])


def _processes() -> dict[int, tuple[str, int, int]]:
    """Every process of this machine: its state, parent and process group."""
    found = {int(e.name): _stat(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()}
    return {pid: stat for pid, stat in found.items() if stat is not None}


def descendants(pid: int, table: dict[int, tuple[str, int, int]] | None = None) -> set[int]:
    """Every process below ``pid`` (children, their children...), from /proc."""
    children: dict[int, list[int]] = {}
    for child, (_state, ppid, _pgid) in (table or _processes()).items():
        children.setdefault(ppid, []).append(child)
    out: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def query_workers(pid: int) -> set[int]:
    """The query worker processes below ``pid`` (``ogpreg serve`` under either server): the
    living children of the executor's fork server (endpoint/sparql/executor.py)."""
    table = _processes()
    out: set[int] = set()
    for child in descendants(pid, table):
        state, parent, _pgid = table[child]
        try:
            cmdline = Path(f"/proc/{parent}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing.forkserver" in cmdline and state != "Z":
            out.add(child)
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (exists and is not a zombie)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def still_alive(pids: Iterable[int], within: float) -> list[int]:
    """The processes of ``pids`` still running after waiting up to ``within`` seconds for all
    of them to end (an empty list: none is left)."""
    pids = list(pids)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def address_line(stream: Iterable[str], pattern: str) -> tuple[str, list[str]]:
    """Read a server's output up to the line in which ``pattern`` (one group: its address)
    matches: the address ("" if the output ended first) and the lines read."""
    lines: list[str] = []
    for line in stream:
        lines.append(line)
        m = re.search(pattern, line)
        if m:
            return m.group(1), lines
    return "", lines
