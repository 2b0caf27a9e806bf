"""``ogpreg serve`` on an address it cannot listen on (endpoint/listening.py), under either
server: a port in use (also by a running granian, which binds with ``SO_REUSEPORT``), a port
under 1024 without the privilege, an address that is not this machine's, a host name that does
not resolve. Each is refused in words, in the reader's language, with exit code 2, no
traceback, and no store created. And ``--port 0`` under granian: the port it prints is held
from the moment it is chosen.

Real processes and real sockets; the missing privilege is real too (``setpriv`` drops the
capability to bind low ports from the command it runs, as root; on a machine without setpriv,
or not as root, that test is skipped, in CI it fails)."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from endpoint.listening import check_listen, reserve
from registry.errors import UsageError
from tests.conftest import BASE
from tests.endpoint_server import copy_store, running_granian, servers

#: an address reserved for documentation (RFC 5737): never one of this machine's
NOT_OURS = "192.0.2.1"


def serve(
    store: Path, *args: str, lang: str = "en", **more_env: str
) -> subprocess.CompletedProcess[str]:
    """``ogpreg serve`` with ``args``; it is expected to stop on its own (a refusal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGPREG_")}
    env.update(OGPREG_BASE_URI=BASE, OGPREG_QUERY_WORKERS="1", **more_env)
    return subprocess.run(
        [sys.executable, "-m", "ogpreg", "--store", str(store), "--lang", lang, "serve", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )


def refused(r: subprocess.CompletedProcess[str], store: Path, *words: str) -> None:
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert "Traceback" not in out and "panicked" not in out, out
    for w in words:
        assert w in out, (w, out)
    assert not store.exists(), "a refused serve initialised a store"


@pytest.fixture
def taken() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


@pytest.mark.parametrize("server", servers())
def test_a_port_in_use_is_refused_in_words(server: str, taken: int, tmp_path: Path) -> None:
    store = tmp_path / "new-store"
    r = serve(store, "--server", server, "--port", str(taken))
    refused(r, store, f"Port {taken} on 127.0.0.1 is already in use by another program.",
            "--port 0")
    nb = serve(store, "--server", server, "--port", str(taken), lang="nb")
    refused(nb, store, f"Port {taken} på 127.0.0.1 er allerede i bruk av et annet program.")


@pytest.mark.parametrize("server", servers())
def test_serve_names_a_setting_the_embedded_store_does_not_read(
    server: str, taken: int, tmp_path: Path
) -> None:
    """``OGPREG_STATE_DIR`` with the embedded store: said on standard error as the server
    starts, before anything else (here the port refusal), and the state directory is not made."""
    store, state = tmp_path / "new-store", tmp_path / "state"
    r = serve(store, "--server", server, "--port", str(taken), OGPREG_STATE_DIR=str(state))
    refused(r, store, f"Port {taken} on 127.0.0.1 is already in use by another program.")
    assert r.stderr.startswith(f"OGPREG_STATE_DIR ({state}) is set, but the embedded store "
                               "does not read it"), r.stderr
    assert not state.exists()


@pytest.mark.parametrize("server", servers())
def test_an_address_not_of_this_machine_and_an_unknown_host_are_refused(
    server: str, tmp_path: Path
) -> None:
    store = tmp_path / "new-store"
    r = serve(store, "--server", server, "--host", NOT_OURS, "--port", "0")
    refused(r, store, f"{NOT_OURS} is not an address of this machine.", "--host 127.0.0.1")
    r = serve(store, "--server", server, "--host", "no-such-host.invalid", "--port", "0")
    refused(r, store, "The host no-such-host.invalid for the server cannot be found",
            "--host 0.0.0.0")


def _low_port() -> int:
    """A port this system keeps for privileged programs (below
    net.ipv4.ip_unprivileged_port_start)."""
    start = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    if start <= 1:
        pytest.skip("this system lets every user listen on any port")
    return start - 1


@pytest.mark.parametrize("server", servers())
def test_a_privileged_port_without_the_privilege_is_refused(server: str, tmp_path: Path) -> None:
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root with util-linux's setpriv")
        pytest.skip("needs root and setpriv to drop the privilege")
    port = _low_port()
    store = tmp_path / "new-store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGPREG_")}
    env.update(OGPREG_BASE_URI=BASE, OGPREG_QUERY_WORKERS="1")
    r = subprocess.run(
        [setpriv, "--bounding-set", "-net_bind_service", sys.executable, "-m", "ogpreg",
         "--store", str(store), "--lang", "en", "serve", "--server", server, "--port", str(port)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    refused(r, store, f"This user may not listen on port {port}", "--port 8080")


def test_a_second_server_on_a_granian_port_is_refused(
    initialised_store: Path, tmp_path: Path
) -> None:
    """granian listens with SO_REUSEPORT: without the check a second granian on its port would
    silently share its connections (and answer from another store)."""
    if "granian" not in servers():
        pytest.skip("granian is not installed")
    store = copy_store(initialised_store, tmp_path / "store")
    with running_granian(store, query_workers=1) as first:
        port = int(first.url.rsplit(":", 1)[1].strip("/"))
        for server in servers():
            second = tmp_path / f"second-{server}"
            r = serve(second, "--server", server, "--port", str(port))
            refused(r, second, f"Port {port} on 127.0.0.1 is already in use")
        assert requests.get(first.url + "health", timeout=30).status_code == 200


def test_granian_takes_a_host_name_and_prints_it(initialised_store: Path, tmp_path: Path) -> None:
    if "granian" not in servers():
        pytest.skip("granian is not installed")
    store = copy_store(initialised_store, tmp_path / "store")
    with running_granian(store, host="localhost", query_workers=1) as served:
        assert served.url.startswith("http://localhost:"), served.url
        assert requests.get(served.url + "health", timeout=30).status_code == 200


# -- the functions themselves ---------------------------------------------------------------------
def test_a_reserved_port_is_held_and_queues_no_connection() -> None:
    held = reserve("127.0.0.1", 0)
    try:
        port = int(held.getsockname()[1])
        # another program (a plain bind, as waitress and most servers do) cannot take it
        with socket.socket() as other, pytest.raises(OSError) as err:
            other.bind(("127.0.0.1", port))
        assert err.value.errno == errno.EADDRINUSE
        # the reservation listens to nothing: a connection is refused, not queued
        with socket.socket() as client, pytest.raises(ConnectionRefusedError):
            client.connect(("127.0.0.1", port))
        # a server that binds with SO_REUSEPORT, as granian does, can take it
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            server.bind(("127.0.0.1", port))
            server.listen()
        # and the check refuses the reserved port to a server that would not share it
        with pytest.raises(UsageError):
            check_listen("127.0.0.1", port)
    finally:
        held.close()
    check_listen("127.0.0.1", port)  # free again
