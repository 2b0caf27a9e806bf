"""Fetching submissions by URL from a real HTTP server on 127.0.0.1 (port 0): loopback and
private addresses refused unless allowed, every redirect re-checked, size and content type
checked, file: refused; malformed URLs and refused connections are clear errors, proxies from
the environment are not used. DNS rebinding and embedded addresses: test_fetch_rebinding.py."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from loaders.fetch import check_url, fetch
from ogpreg.cli import main
from registry.errors import SourceError
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads

XLSX = (FIXTURES / "submissions" / "commitments.xlsx").read_bytes()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        port = self.server.server_address[1]
        routes = {
            "/forpliktelser.xlsx": (200, XLSX_TYPE, XLSX, {}),
            "/side.html": (200, "text/html", b"<html>ikke en fil</html>", {}),
            "/stor.csv": (200, "text/csv", b"x" * 5000, {}),
            "/videre": (302, "text/plain", b"", {"Location": f"http://127.0.0.2:{port}/forpliktelser.xlsx"}),
            "/videre-lokalt": (302, "text/plain", b"", {"Location": "/forpliktelser.xlsx"}),
            "/ugyldig": (302, "text/plain", b"", {"Location": "http://127.0.0.1:99999/x.ttl"}),
        }
        status, ctype, body, headers = routes.get(self.path, (404, "text/plain", b"", {}))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


ONLY_127_0_0_1 = [ipaddress.ip_network("127.0.0.1/32")]


def test_fetch_from_an_allowed_address(server: str) -> None:
    got = fetch(server + "/forpliktelser.xlsx", max_bytes=10**6, allow_private=True)
    assert got.data == XLSX
    assert got.name == "forpliktelser.xlsx"


def test_loopback_is_refused_without_the_flag(server: str) -> None:
    with pytest.raises(SourceError) as exc:
        fetch(server + "/forpliktelser.xlsx", max_bytes=10**6)
    assert "127.0.0.1" in exc.value.render("en")
    assert "--allow-private-urls" in exc.value.render("en")


def test_every_redirect_is_checked_again(server: str) -> None:
    ok = fetch(server + "/videre-lokalt", max_bytes=10**6, allowed=ONLY_127_0_0_1)
    assert ok.data == XLSX
    with pytest.raises(SourceError) as exc:
        fetch(server + "/videre", max_bytes=10**6, allowed=ONLY_127_0_0_1)
    assert "127.0.0.2" in exc.value.render("en")


def test_size_limit_and_content_type(server: str) -> None:
    with pytest.raises(SourceError) as exc:
        fetch(server + "/stor.csv", max_bytes=1000, allow_private=True)
    assert "larger than the limit of 1000 bytes" in exc.value.render("en")
    with pytest.raises(SourceError) as exc:
        fetch(server + "/side.html", max_bytes=10**6, allow_private=True)
    assert "'text/html' is not a submission" in exc.value.render("en")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/x.csv", "http://[::1]/x.csv", "http://10.0.0.1/x",
     "http://169.254.169.254/latest/meta-data", "http://192.168.1.1/x", "http://localhost/x",
     "http://[::ffff:127.0.0.1]/x"],
)
def test_forbidden_urls(url: str) -> None:
    with pytest.raises(SourceError):
        check_url(url, allow_private=False)


def test_cli_loads_a_url_only_with_the_flag(registry: Registry, server: str) -> None:
    store = str(registry.store.path)

    def run(*args: str) -> click.testing.Result:
        return CliRunner().invoke(main, ["--store", store, "--base-uri", BASE, *args],
                                  catch_exceptions=False)

    before = all_quads(registry)
    r = run("--lang", "en", "load", server + "/forpliktelser.xlsx")
    assert r.exit_code == 1
    assert "is local, private or reserved" in r.stderr
    assert all_quads(registry) == before
    r = run("load", "--allow-private-urls", server + "/forpliktelser.xlsx")
    assert r.exit_code == 0, r.output
    assert "5 nye" in r.stdout


def _cli(registry: Registry, *args: str) -> click.testing.Result:
    return CliRunner().invoke(
        main, ["--store", str(registry.store.path), "--base-uri", BASE, "--lang", "en", *args],
        catch_exceptions=False,
    )


def test_invalid_port_is_a_usage_error_not_a_traceback(registry: Registry) -> None:
    """Issue 15, item 8: `ogpreg load http://127.0.0.1:99999/x.ttl` printed a traceback."""
    before = all_quads(registry)
    for flag in ((), ("--allow-private-urls",)):
        r = _cli(registry, "load", *flag, "http://127.0.0.1:99999/x.ttl")
        assert r.exit_code == 2
        assert r.stderr == (
            "Error: http://127.0.0.1:99999/x.ttl: the URL is invalid (Port out of range "
            "0-65535). The port must be a number from 1 to 65535, and an IPv6 address is "
            "written in brackets, as in http://[2001:db8::1]:8080/file.csv.\n"
        )
    r = _cli(registry, "load", "http://127.0.0.1:0/x.ttl")
    assert (r.exit_code, r.stderr) == (
        2, "Error: http://127.0.0.1:0/x.ttl: port 0 cannot be used (1–65535).\n")
    r = _cli(registry, "load", "http://[::1/x.ttl")
    assert r.exit_code == 2
    assert "the URL is invalid (Invalid IPv6 URL)" in r.stderr
    assert all_quads(registry) == before


def test_connection_refused_is_a_clear_error(registry: Registry) -> None:
    with socket.socket() as s:  # a port nobody listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        r = _cli(registry, "load", "--allow-private-urls", f"http://127.0.0.1:{port}/x.ttl")
    assert (r.exit_code, r.stderr) == (
        1, f"Error: http://127.0.0.1:{port}/x.ttl: could not fetch the file from 127.0.0.1: "
        "connection refused.\n")


def test_redirect_to_an_invalid_url_is_a_source_error(server: str) -> None:
    with pytest.raises(SourceError) as exc:
        fetch(server + "/ugyldig", max_bytes=10**6, allow_private=True)
    assert exc.value.render("en") == (
        "http://127.0.0.1:99999/x.ttl: the server redirected to an invalid URL: the URL is "
        "invalid (Port out of range 0-65535). The port must be a number from 1 to 65535, and an "
        "IPv6 address is written in brackets, as in http://[2001:db8::1]:8080/file.csv."
    )


def test_proxies_from_the_environment_are_not_used(
    server: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A proxy would resolve the name itself, after the check: the fetch ignores them."""
    hits: list[int] = []
    proxy = socket.socket()
    proxy.bind(("127.0.0.1", 0))
    proxy.listen(5)
    proxy.settimeout(0.01)
    url = f"http://127.0.0.1:{proxy.getsockname()[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        got = fetch(server + "/forpliktelser.xlsx", max_bytes=10**6, allow_private=True,
                    timeout=(5.0, 5.0))  # through the silent proxy, this would fail
        try:
            conn, _ = proxy.accept()
            conn.close()
            hits.append(1)
        except TimeoutError:
            pass
    finally:
        proxy.close()
    assert got.data == XLSX
    assert hits == []
