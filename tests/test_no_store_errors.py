"""Error answers to authenticated requests are never stored by a cache (endpoint/app.py, the
``after_request`` hook ``_no_store_for_credentials``; docs/security-writes.md).

Successful JSON answers to a token carried ``Cache-Control: no-store`` (``_ok`` in
endpoint/write/graphstore.py), but a 400/401/403/404/405/413/415 to the same request did not,
although it may describe the token's rights or the data it sent. Now every error answer to a
request that carried a token (``Authorization``) or the session cookie says ``no-store``;
public answers to anonymous requests, and successful public reads with a token, keep the
headers they had. The real app on a real socket, under each server of ``ogpreg serve``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from endpoint.app import SESSION_COOKIES, EndpointState
from endpoint.submit.session import cookie_name
from registry.access import tokens
from registry.service import Registry
from tests.conftest import make_settings
from tests.endpoint_server import Served, copy_store, servers, serving

LIMIT = 50_000
_CSRF = re.compile(r'name="csrf" value="([^"]*)"')


@dataclass
class Site:
    run: Served
    submitter: str  # Nærings- og fiskeridepartementet
    approver: str  # Kommunal- og moderniseringsdepartementet

    @property
    def url(self) -> str:
        return self.run.url


@pytest.fixture(scope="module", params=servers())
def site(
    request: pytest.FixtureRequest, initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("nostore") / "store")
    with serving(request.param, store, max_upload_bytes=LIMIT, query_workers=1) as run:
        submitter = tokens.issue(run.registry, "912660680", "submitter", "NFD").secret
        approver = tokens.issue(run.registry, "972417858", "approver", "KMD").secret
        yield Site(run, submitter, approver)


def _bearer(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + token, **more}


def _request(method: str, url: str, **kw: Any) -> requests.Response:
    with requests.request(method, url, timeout=120, allow_redirects=False, **kw) as r:
        r.content  # noqa: B018 - read the body before the connection closes
        return r


def test_error_answers_to_a_token_are_not_stored(site: Site) -> None:
    u = site.url
    own = u + "graph/source/commitments-2019-2021-naerings-og-fiskeridepartementet"
    cases: dict[str, tuple[int, str, str, dict[str, Any]]] = {
        "graph store, no IRI": (400, "PUT", "graph-store", {
            "params": {"graph": "nope"}, "headers": _bearer(site.submitter), "data": b""}),
        "graph store, media type": (415, "PUT", "graph-store", {
            "params": {"graph": own},
            "headers": _bearer(site.submitter, **{"Content-Type": "text/foo"}), "data": b"x"}),
        "graph store, unknown graph": (404, "GET", "graph-store", {
            "params": {"graph": "http://example.org/no-such-graph"},
            "headers": _bearer(site.submitter)}),
        "graph store, invalid token": (401, "GET", "graph-store", {
            "params": {"graph": own}, "headers": _bearer("not-a-token")}),
        "update, a submitter": (403, "POST", "sparql/update", {
            "headers": _bearer(site.submitter, **{"Content-Type": "application/sparql-update"}),
            "data": b"CLEAR ALL"}),
        "update, syntax": (400, "POST", "sparql/update", {
            "headers": _bearer(site.approver, **{"Content-Type": "application/sparql-update"}),
            "data": b"INSERT nonsense"}),
        "update, method": (405, "GET", "sparql/update", {"headers": _bearer(site.approver)}),
        "status, no JSON object": (400, "POST", "api/status", {
            "headers": _bearer(site.approver), "json": []}),
        "status, unknown item": (404, "POST", "api/status", {
            "headers": _bearer(site.approver),
            "json": {"item": u + "id/commitment/NO0000", "status": "accepted"}}),
        "submissions, no file name": (400, "POST", "api/submissions", {
            "headers": _bearer(site.submitter), "data": b"x"}),
        "submissions, too large": (413, "POST", "api/submissions", {
            "headers": _bearer(site.submitter,
                               **{"Content-Disposition": 'attachment; filename="a.csv"'}),
            "data": b"x" * (LIMIT + 10_000)}),
    }
    for name, (status, method, path, kw) in cases.items():
        r = _request(method, u + path, **kw)
        assert r.status_code == status, (name, r.status_code, r.text[:300])
        assert r.headers.get("Cache-Control") == "no-store", (name, dict(r.headers))
        assert r.json()["status"] == status, name  # the endpoint's one error shape


def test_error_answers_to_a_signed_in_browser_are_not_stored(site: Site) -> None:
    u = site.url
    with requests.Session() as browser:
        form = browser.get(u + "submit/sign-in", timeout=60)
        m = _CSRF.search(form.text)
        assert m is not None
        signed = browser.post(u + "submit/sign-in", timeout=120, allow_redirects=False,
                              data={"token": site.submitter, "csrf": m.group(1)})
        assert signed.status_code == 303 and "ogpreg-session" in browser.cookies
        for path in ("submit/templates/no-such-template", "submit/no-such-page"):
            r = browser.get(u + path, timeout=60, allow_redirects=False)
            assert r.status_code == 404, (path, r.status_code)
            assert r.headers.get("Cache-Control") == "no-store", (path, dict(r.headers))
        # a session that has ended: the browser still sends its cookie
        browser.cookies.set("ogpreg-session", "ended-or-made-up")
        r = browser.get(u + "submit/templates/no-such-template", timeout=60)
        assert r.status_code == 404 and r.headers.get("Cache-Control") == "no-store"


def test_public_answers_keep_their_headers(site: Site) -> None:
    """The anonymous 404 page and a /sparql syntax error say nothing of caching, as before;
    successful public reads with a token keep their own caching (not no-store)."""
    u = site.url
    page = _request("GET", u + "finnes-ikke", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["Content-Type"]
    assert "Cache-Control" not in page.headers, dict(page.headers)
    assert page.headers["Vary"] == "Accept, Accept-Language"
    bad = _request("GET", u + "sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert bad.status_code == 400 and bad.json()["status"] == 400
    assert "Cache-Control" not in bad.headers, dict(bad.headers)
    assert bad.headers["Vary"] == "Accept, Accept-Encoding"
    for headers in ({}, _bearer(site.submitter)):
        ok = _request("GET", u + "sparql", params={"query": "ASK {}"}, headers=headers)
        assert ok.status_code == 200 and ok.headers["Cache-Control"] == "public, no-cache"
        assert ok.headers["ETag"].startswith('W/"r'), dict(ok.headers)
        read = _request("GET", u + "graph-store", params={"default": ""}, headers=headers)
        assert read.status_code == 200 and "Cache-Control" not in read.headers


@pytest.mark.parametrize("base", ("http://127.0.0.1/", "https://ogp.example.no/",
                                  "https://example.no/ogp/"))
def test_the_hook_knows_every_name_of_the_session_cookie(registry: Registry, base: str) -> None:
    """The session cookie's name depends on the base URI (endpoint/submit/session.py): plain,
    ``__Host-`` or ``__Secure-``; the hook must know each (the addresses are invented)."""
    app = Flask(__name__)
    app.extensions["ogpreg"] = EndpointState(make_settings(registry.store.path, base_uri=base),
                                             registry)
    with app.test_request_context("/"):
        assert cookie_name() in SESSION_COOKIES
