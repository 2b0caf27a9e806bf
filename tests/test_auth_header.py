"""The ``Authorization`` header at its boundaries (issue 22): exactly ``Bearer <token>``
(RFC 6750: the scheme in any case, one or more spaces, the token and nothing after it) is
accepted; anything more, less or else is refused with a 401, and writes nothing.

Sent byte for byte with http.client (requests would tidy some of these values) to the real
server; the answer to ``GET /graph-store`` without parameters names the token it identified.
"""

from __future__ import annotations

import http.client
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from registry.access import tokens
from registry.service import Registry, open_registry
from tests.conftest import BASE, FIXTURES, all_quads, make_settings
from tests.endpoint_server import servers, serving

GRAPH = BASE + "graph/source/valid-commitment"


@dataclass
class Site:
    host: str
    port: int
    registry: Registry
    token: tokens.IssuedToken
    other: tokens.IssuedToken

    def send(
        self, method: str, path: str, values: list[str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.putrequest(method, path)
            for value in values:  # each value a header line of its own, as given
                conn.putheader("Authorization", value.encode("latin-1"))
            if body is not None:
                conn.putheader("Content-Type", "text/turtle")
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


@pytest.fixture(scope="module", params=servers())
def site(
    request: pytest.FixtureRequest,
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    """The registry with two tokens, served by each HTTP server of ``ogpreg serve`` (waitress
    in this process, granian in a process of its own: the header reaches the app through
    granian's own HTTP parser there)."""
    path = tmp_path_factory.mktemp("auth") / "store"
    shutil.copytree(initialised_store, path)
    reg = open_registry(make_settings(path))
    token = tokens.issue(reg, "912660680", "submitter", "NFD")
    other = tokens.issue(reg, "972417866", "submitter", "KUD")
    with serving(request.param, path, query_workers=1) as run:
        parts = urlsplit(run.url)
        yield Site(parts.hostname or "127.0.0.1", parts.port or 80, reg, token, other)


#: Accepted: the header forms that carry exactly the token. ``{t}`` is the token.
ACCEPTED = [
    "Bearer {t}",
    "bearer {t}",  # the scheme is case-insensitive (RFC 7235, 2.1)
    "BEARER {t}",
    "bEaReR {t}",
    "Bearer   {t}",  # 1*SP
    " Bearer {t} ",  # optional whitespace around a field value is not part of it (RFC 9110)
]
#: Refused: everything else. Values with ``{t}`` hold the real token and something more or
#: less; the others hold no valid token at all.
REFUSED = [
    "Bearer {t} junk",  # a full match, not a prefix match
    "Bearer {t} {t}",
    "Bearer {t},",
    "Bearer {t};",
    "Bearer {t}\tx",
    "Bearer {t}x",
    "Bearer x{t}",
    "Bearer {t}ø",
    "Bearer Bearer {t}",
    "Bearer\t{t}",  # the separator is a space
    "Bearer{t}",
    "Basic {t}",
    "Token {t}",
    "{t}",
    "Bearer",
    "Bearer ",
    "",
    "Bearer {t_short}",  # the token less its last character
    "Bearer {t_long}",  # the token and 300 more characters (longer than any token)
    "Bearer " + "A" * 43,  # a token's length, no token
    "Bearer " + "A" * 300,
]


def _value(template: str, site: Site) -> str:
    t = site.token.secret
    return template.format(t=t, t_short=t[:-1], t_long=t + "A" * 300)


@pytest.mark.parametrize("template", ACCEPTED, ids=repr)
def test_a_well_formed_header_is_accepted(site: Site, template: str) -> None:
    status, _headers, body = site.send("GET", "/graph-store", [_value(template, site)])
    assert status == 200, body
    assert json.loads(body)["token"]["id"] == site.token.record.id


@pytest.mark.parametrize("template", REFUSED, ids=repr)
def test_a_malformed_header_is_refused(site: Site, template: str) -> None:
    value = _value(template, site)
    status, headers, body = site.send("GET", "/graph-store", [value])
    assert status == 401, (value, body)
    assert headers["www-authenticate"].startswith('Bearer realm="ogp-registry"')
    assert json.loads(body)["error"] == "authentication-required"
    assert site.token.secret.encode() not in body


def test_two_authorization_headers_are_refused(site: Site) -> None:
    """Two header lines (even two valid tokens) are one value joined by a comma (RFC 9110,
    5.3): not one token."""
    for values in (
        [f"Bearer {site.token.secret}", f"Bearer {site.token.secret}"],
        [f"Bearer {site.token.secret}", f"Bearer {site.other.secret}"],
    ):
        status, _headers, body = site.send("GET", "/graph-store", values)
        assert status == 401, body


def test_no_malformed_header_writes(site: Site) -> None:
    """The write path takes the same check: a PUT with each refused header is a 401, and the
    store is unchanged; the same PUT with the token alone is written."""
    data = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
    path = "/graph-store?graph=" + GRAPH
    before = all_quads(site.registry)
    for template in REFUSED:
        status, _headers, body = site.send("PUT", path, [_value(template, site)], data)
        assert status == 401, (template, body)
    assert all_quads(site.registry) == before
    status, _headers, body = site.send("PUT", path, [f"Bearer {site.token.secret}"], data)
    assert status == 201, body
    assert all_quads(site.registry) != before


@pytest.mark.parametrize(
    "secret", ["", " ", "x", "{t} ", " {t}", "{t}x", "{t_short}", "{t_long}", "{t}\n"],
    ids=repr,
)
def test_the_token_store_identifies_only_the_exact_token(site: Site, secret: str) -> None:
    store = tokens.token_store(site.registry)
    assert store.identify(_value(secret, site)) is None
    assert store.verify(_value(secret, site)) is None
    found = store.identify(site.token.secret)
    assert found is not None and found.id == site.token.record.id
    other = store.identify(site.other.secret)
    assert other is not None and other.id == site.other.record.id
