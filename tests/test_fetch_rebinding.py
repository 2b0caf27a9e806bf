"""DNS rebinding and embedded private addresses in ``ogpreg load URL`` (issue 15, item 5).

The attacker controls a DNS name that answers a public address to the registry's check and
127.0.0.1 to the connection made right after it. The fetch runs in a child process whose
``socket.getaddrinfo`` plays that attacker's DNS server for the name ``rebind.test`` (every
other name and every address goes to the real resolver); the code under test, the sockets
and the HTTP servers are real. The servers answer HTTP/1.0 with ``Connection: close``: the
case in which the old check of the peer address after connecting was skipped.

No public address can serve a test, so the "public" server listens on 127.0.0.2 and the
fetch is told to accept that one network (``allowed=``, a real parameter of ``fetch``); the
loopback server on 127.0.0.1, same port, is the target the attacker wants reached. Where the
real command line is used, a DNS answer carries a real public address, and nothing may
connect to it.
"""

from __future__ import annotations

import errno
import http.server
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loaders.fetch import fetch, forbidden
from registry.errors import SourceError
from registry.service import Registry
from tests.conftest import BASE, FIXTURES

ROOT = Path(__file__).resolve().parents[1]
NAME = "rebind.test"
PUBLIC_BODY = b"# the public server\n"
SECRET_BODY = b"# loopback only: must never be fetched\n"
XLSX = (FIXTURES / "submissions" / "commitments.xlsx").read_bytes()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The child process: the attacker's DNS for NAME, then a real fetch or the real CLI.
CHILD = r"""
import json, socket, sys
cfg = json.loads(sys.argv[1])
real = socket.getaddrinfo
lookups = []

def attacker_dns(host, port, family=0, type=0, proto=0, flags=0):
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.rstrip(".").lower() != cfg["name"]:
        return real(host, port, family, type, proto, flags)
    answers = cfg["answers"]
    ips = answers[min(len(lookups), len(answers) - 1)]
    lookups.append(ips)
    out = []
    for ip in ips:
        if ":" in ip:
            out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, int(port), 0, 0)))
        else:
            out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port))))
    return out

socket.getaddrinfo = attacker_dns

if "cli" in cfg:
    from ogpreg.cli import main
    try:
        main(cfg["cli"], prog_name="ogpreg")
        code = 0
    except SystemExit as exc:
        code = exc.code
    print("\n@@" + json.dumps({"exit": code, "lookups": lookups}))
else:
    import ipaddress
    from loaders.fetch import fetch
    from registry.errors import SourceError
    try:
        got = fetch(cfg["url"], max_bytes=10**6, allowed=[ipaddress.ip_network(n) for n in
                    cfg.get("allowed", [])], allow_private=cfg.get("allow_private", False),
                    verify=cfg.get("verify", True))
        result = {"data": got.data.decode("latin-1")}
    except SourceError as exc:
        result = {"error": exc.render("en")}
    result["lookups"] = lookups
    print("@@" + json.dumps(result))
"""


def run_child(cfg: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps({"name": NAME, **cfg})],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@")]
    assert lines, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    result: dict[str, Any] = json.loads(lines[-1][2:])
    result["stderr"] = proc.stderr
    return result


class Server(http.server.ThreadingHTTPServer):
    """An HTTP/1.0 server that closes every connection; counts connections and requests."""

    daemon_threads = True

    def __init__(self, host: str, port: int, routes: dict[str, tuple[int, str, bytes, str]]):
        self.routes = routes
        self.connections = 0
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        super().__init__((host, port), _Handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.connections += 1
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: Server

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        status, ctype, body, location = self.server.routes.get(
            self.path, (404, "text/plain", b"", ""))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(srv: http.server.HTTPServer) -> threading.Thread:
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    return t


@pytest.fixture
def pair() -> Iterator[tuple[Server, Server, int]]:
    """(the "public" server on 127.0.0.2, the loopback server on 127.0.0.1, their port)."""
    for _ in range(20):
        loopback = Server("127.0.0.1", 0, {})
        port = loopback.server_address[1]
        try:
            public = Server("127.0.0.2", port, {})
            break
        except OSError as exc:
            loopback.server_close()
            if exc.errno != errno.EADDRINUSE:
                raise
    else:
        pytest.fail("no port free on both 127.0.0.1 and 127.0.0.2")
    redirect = f"http://{NAME}:{port}/x.ttl"
    public.routes = {"/x.ttl": (200, "text/turtle", PUBLIC_BODY, ""),
                     "/forpliktelser.xlsx": (200, XLSX_TYPE, XLSX, ""),
                     "/videre": (302, "text/plain", b"", redirect)}
    loopback.routes = {"/x.ttl": (200, "text/turtle", SECRET_BODY, ""),
                       "/forpliktelser.xlsx": (200, XLSX_TYPE, XLSX, "")}
    _serve(public), _serve(loopback)
    yield public, loopback, port
    for srv in (public, loopback):
        srv.shutdown()
        srv.server_close()


def test_rebinding_name_is_resolved_once_and_fetched_from_the_checked_address(
    pair: tuple[Server, Server, int],
) -> None:
    public, loopback, port = pair
    got = run_child({"url": f"http://{NAME}:{port}/x.ttl", "allowed": ["127.0.0.2/32"],
                     "answers": [["127.0.0.2"], ["127.0.0.1"]]})
    assert got.get("data") == PUBLIC_BODY.decode(), got
    assert got["lookups"] == [["127.0.0.2"]]  # the name was resolved exactly once
    assert public.requests == [("/x.ttl", f"{NAME}:{port}")]  # Host keeps the name
    assert loopback.connections == 0
    assert loopback.requests == []


def test_a_redirect_is_resolved_once_and_checked_again(pair: tuple[Server, Server, int]) -> None:
    public, loopback, port = pair
    got = run_child({"url": f"http://{NAME}:{port}/videre", "allowed": ["127.0.0.2/32"],
                     "answers": [["127.0.0.2"], ["127.0.0.1"]]})
    assert got.get("error") == (
        f"http://{NAME}:{port}/x.ttl: {NAME} resolves to 127.0.0.1, which is local, private or "
        "reserved (loopback, private network, link-local or similar); such addresses are not "
        "fetched. Pass --allow-private-urls if you really mean to fetch from an internal "
        "network."
    ), got
    assert got["lookups"] == [["127.0.0.2"], ["127.0.0.1"]]  # once per URL
    assert public.requests == [("/videre", f"{NAME}:{port}")]
    assert loopback.connections == 0


def test_cli_load_never_resolves_twice(
    pair: tuple[Server, Server, int], registry: Registry,
) -> None:
    """The real `ogpreg load` with --allow-private-urls (no check at all): still one lookup,
    and the connection goes to the address it gave."""
    public, loopback, port = pair
    got = run_child({"cli": ["--store", str(registry.store.path), "--base-uri", BASE, "load",
                             "--allow-private-urls", f"http://{NAME}:{port}/forpliktelser.xlsx"],
                     "answers": [["127.0.0.2"], ["127.0.0.1"]]})
    assert got["exit"] == 0, got["stderr"]
    assert got["lookups"] == [["127.0.0.2"]]
    assert public.requests == [("/forpliktelser.xlsx", f"{NAME}:{port}")]
    assert loopback.connections == 0


def test_cli_refuses_a_name_with_one_private_address_among_public_ones(
    pair: tuple[Server, Server, int], registry: Registry,
) -> None:
    """Every address of the answer is checked before anything connects (93.184.215.14 is a
    public address: nothing may connect to it either)."""
    public, loopback, port = pair
    store = str(registry.store.path)
    got = run_child({"cli": ["--store", store, "--base-uri", BASE, "--lang", "en", "load",
                             f"http://{NAME}:{port}/x.ttl"],
                     "answers": [["93.184.215.14", "127.0.0.1"]]})
    assert got["exit"] == 1
    assert got["stderr"].strip() == (
        f"Error: http://{NAME}:{port}/x.ttl: {NAME} resolves to 127.0.0.1, which is local, "
        "private or reserved (loopback, private network, link-local or similar); such "
        "addresses are not fetched. Pass --allow-private-urls if you really mean to fetch from "
        "an internal network."
    )
    assert got["lookups"] == [["93.184.215.14", "127.0.0.1"]]
    assert public.connections == 0
    assert loopback.connections == 0


@pytest.fixture
def listener() -> Iterator[Server]:
    srv = Server("127.0.0.1", 0, {"/x.ttl": (200, "text/turtle", SECRET_BODY, "")})
    _serve(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


def _teredo(client: str) -> str:
    """A Teredo address (server 65.54.227.120, the client address XOR-ed into the last bits)."""
    c = int.from_bytes(socket.inet_aton(client), "big") ^ 0xFFFFFFFF
    return f"2001:0:4136:e378:8000:63bf:{c >> 16:x}:{c & 0xFFFF:x}"


@pytest.mark.parametrize(
    ("host", "embedded"),
    [
        ("[2002:7f00:1::]", "127.0.0.1 (6to4)"),
        ("[2002:a00:1::]", "10.0.0.1 (6to4)"),
        ("[64:ff9b::7f00:1]", "127.0.0.1 (NAT64)"),
        ("[64:ff9b::a9fe:a9fe]", "169.254.169.254 (NAT64)"),
        ("[::ffff:127.0.0.1]", "127.0.0.1 (IPv4-mapped)"),
        ("[::127.0.0.1]", "127.0.0.1 (IPv4-compatible)"),
        (f"[{_teredo('127.0.0.1')}]", "127.0.0.1 (Teredo)"),
        (f"[{_teredo('192.168.1.1')}]", "192.168.1.1 (Teredo)"),
    ],
)
def test_embedded_private_ipv4_is_refused_before_connecting(
    listener: Server, host: str, embedded: str,
) -> None:
    port = listener.server_address[1]
    url = f"http://{host}:{port}/x.ttl"
    with pytest.raises(SourceError) as exc:
        fetch(url, max_bytes=10**6)
    text = exc.value.render("en")
    assert f"embeds the IPv4 address {embedded}, which is local, private or reserved" in text
    assert "--allow-private-urls" in text
    assert "inneholder IPv4-adressen" in exc.value.render("nb")
    assert listener.connections == 0


@pytest.mark.parametrize(
    "host",
    ["127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "0.0.0.0", "[::]", "localhost",
     "100.64.0.1", "198.18.0.1", "192.0.0.9", "192.88.99.1", "240.0.0.1", "[64:ff9b:1::7f00:1]",
     "[fd00::1]", "[fe80::1]", "[2001:db8::1]"],
)
def test_other_spellings_of_local_addresses_are_refused(listener: Server, host: str) -> None:
    port = listener.server_address[1]
    with pytest.raises(SourceError) as exc:
        fetch(f"http://{host}:{port}/x.ttl", max_bytes=10**6)
    assert "local, private or reserved" in exc.value.render("en")
    assert listener.connections == 0


# --- HTTPS: the pinned connection keeps SNI and the certificate check on the name ---------


def _cert(tmp: Path, name: str) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is missing in CI")
        pytest.skip("openssl not installed")
    key, crt = tmp / f"{name}.key", tmp / f"{name}.crt"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
         "-addext", "basicConstraints=critical,CA:TRUE", "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True,
    )
    return key, crt


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Server, list[str | None], Path, Path]]:
    """An HTTPS server on 127.0.0.1 with a certificate for NAME; records the SNI names."""
    key, crt = _cert(tmp_path, NAME)
    _, other = _cert(tmp_path, "other.test")
    srv = Server("127.0.0.1", 0, {"/x.ttl": (200, "text/turtle", PUBLIC_BODY, "")})
    sni: list[str | None] = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    ctx.sni_callback = lambda _s, name, _c: sni.append(name)  # type: ignore[assignment,misc]
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    _serve(srv)
    yield srv, sni, crt, other
    srv.shutdown()
    srv.server_close()


def test_https_keeps_sni_and_the_certificate_check_on_the_name(
    tls_server: tuple[Server, list[str | None], Path, Path],
) -> None:
    srv, sni, crt, other = tls_server
    port = srv.server_address[1]
    url = f"https://{NAME}:{port}/x.ttl"
    got = run_child({"url": url, "allow_private": True, "verify": str(crt),
                     "answers": [["127.0.0.1"], ["127.0.0.3"]]})
    assert got.get("data") == PUBLIC_BODY.decode(), got
    assert got["lookups"] == [["127.0.0.1"]]
    assert sni == [NAME]
    assert srv.requests == [("/x.ttl", f"{NAME}:{port}")]
    # A certificate for another name is refused, although the address is the same.
    bad = run_child({"url": url, "allow_private": True, "verify": str(other),
                     "answers": [["127.0.0.1"]]})
    assert bad.get("error", "").startswith(
        f"{url}: could not fetch the file from {NAME} (127.0.0.1): the TLS check failed"), bad
    assert len(srv.requests) == 1


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808",
     "2002:808:808::1"],
)
def test_public_addresses_and_their_translations_pass(address: str) -> None:
    """The checks refuse what they must and no more: a NAT64 or IPv4-mapped form of a public
    address is judged by that address (no connection is made here)."""
    assert forbidden(ipaddress.ip_address(address)) is None
