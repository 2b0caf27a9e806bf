"""Submitting from a browser (issue 18) at the HTTP level: the real app under the production
server on a real socket (tests/endpoint_server.py), driven by ``requests`` as a browser would
(cookies, hidden form fields, no redirects followed: the base URI is not the server's address).

Sign-in and its cookie, the form token (CSRF) on every form, session expiry and sign-out, the
size limit, escaping of every value a submitter controls, the audit log, all-or-nothing loads
and a confirmation refused when the registry has changed since the check, templates for every
kind, our submissions, the proposal form, and status changes with the rules and messages of
``ogpreg status``. NO9901/NO9902 and the proposals are invented examples
(tests/fixtures/submissions/README.md); the organisations are real ones of the bundled register.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from loaders import template as T  # noqa: N812
from loaders.columns import KINDS
from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.access.sessions import SESSIONS_FILE
from registry.history.versions import last_change_number
from registry.service import Registry, open_registry
from tests.conftest import BASE, FIXTURES, all_quads, make_settings
from tests.endpoint_server import Served, running, servers, serving

SUB = FIXTURES / "submissions"
XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
NFD_GRAPH = BASE + "graph/source/commitments-2019-2021-naerings-og-fiskeridepartementet"
_CSRF = re.compile(r'name="csrf" value="([^"]*)"')
_UPLOAD = re.compile(r'name="upload" value="([0-9a-f]{64})"')


@dataclass
class Site:
    run: Served
    nfd: str  # submitter, Nærings- og fiskeridepartementet
    kud: str  # submitter, Kulturdepartementet
    tin: str  # submitter, Transparency International Norge (civil society)
    kmd: str  # approver, Kommunal- og moderniseringsdepartementet
    clients: list[Client] = field(default_factory=list)

    @property
    def registry(self) -> Registry:
        return self.run.registry

    def client(self) -> Client:
        c = Client(self.run.url)
        self.clients.append(c)
        return c

    def audit(self) -> list[Any]:
        return list(AuditLog(self.registry.store.path).entries())


class Client:
    """A browser: a cookie jar, forms with their hidden fields, no redirects followed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.csrf = ""

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.url + path, allow_redirects=False, timeout=120, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             **kw: Any) -> requests.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        return self.http.post(self.url + path, data=form, allow_redirects=False, timeout=120,
                              **kw)

    def sign_in(self, token: str) -> requests.Response:
        page = self.get("submit/sign-in")
        assert page.status_code == 200
        r = self.post("submit/sign-in", {"token": token, "csrf": _form_csrf(page.text)})
        if r.status_code == 303:
            start = self.get("submit/")
            assert start.status_code == 200, start.text
            self.csrf = _form_csrf(start.text)
        return r

    def upload(self, *files: tuple[str, bytes], kind: str = "") -> requests.Response:
        return self.post("submit/upload", {"kind": kind},
                         files=[("file", (n, d, "application/octet-stream")) for n, d in files])

    def confirm(self, checked_page: requests.Response) -> requests.Response:
        m = _UPLOAD.search(checked_page.text)
        assert m is not None, checked_page.text
        return self.post("submit/confirm", {"upload": m.group(1)})


def _form_csrf(text: str) -> str:
    m = _CSRF.search(text)
    assert m is not None, text
    return m.group(1)


def _text(page: requests.Response) -> str:
    """The page's text: tags removed, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def _commitments(title: str = "Åpne data (oppdiktet eksempel)", theme: str = "Åpne data") -> bytes:
    doc = json.loads((SUB / "commitments.json").read_text("utf-8"))
    doc["commitments"][0]["title_nb"] = title
    doc["commitments"][0]["themes"] = [theme]
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _rows(reg: Registry, query: str, *names: str) -> list[tuple[str, ...]]:
    """The values of ``names`` in every row; the results are dropped here, on this thread
    (pyoxigraph results must not be freed by another thread's garbage collection)."""
    res = reg.query(query)
    out = [tuple(row[n].value for n in names) for row in res]  # type: ignore[union-attr]
    del res
    return out


def _exists(reg: Registry, ident: str) -> bool:
    return bool(reg.query(f"ASK {{ ?c dct:identifier '{ident}' }}"))


@pytest.fixture(params=servers())
def site(request: pytest.FixtureRequest, registry: Registry) -> Iterator[Site]:
    """The bundled registry with four tokens, served by each HTTP server of ``ogpreg serve``
    (waitress in this process, granian in a process of its own: uploads, cookies and
    redirects cross granian's HTTP layer too)."""
    nfd = tokens.issue(registry, "912660680", "submitter", "NFD").secret
    kud = tokens.issue(registry, "972417866", "submitter", "KUD").secret
    tin = tokens.issue(registry, "Transparency International Norge", "submitter", "TI").secret
    kmd = tokens.issue(registry, "972417858", "approver", "KMD").secret
    with serving(
        request.param, registry.store.path, max_upload_bytes=200_000, query_workers=1
    ) as run:
        s = Site(run, nfd, kud, tin, kmd)
        try:
            yield s
        finally:
            for c in s.clients:
                c.http.close()


# -- signing in ------------------------------------------------------------------------------
def test_sign_in_sets_one_session_cookie_with_its_flags_and_sign_out_ends_it(site: Site) -> None:
    c = site.client()
    assert c.get("submit/upload").headers["Location"] == BASE + "submit/sign-in?next=%2Fsubmit%2Fupload"
    refused = c.sign_in("not-a-token")
    assert refused.status_code == 401 and "ikke gyldig" in _text(refused)
    assert "ogpreg-session" not in refused.headers.get("Set-Cookie", "")
    r = c.sign_in(site.nfd)
    assert r.status_code == 303 and r.headers["Location"] == BASE + "submit/"
    cookie = next(v for v in r.raw.headers.getlist("Set-Cookie") if v.startswith("ogpreg-session="))
    flags = [f.strip().lower() for f in cookie.split(";")[1:]]
    assert {"httponly", "samesite=strict", "path=/", "max-age=28800"} <= set(flags)
    assert "secure" not in flags  # http: the cookie would never come back
    assert site.nfd not in cookie  # the cookie holds a session id, never the token
    stored = (site.registry.store.path / SESSIONS_FILE).read_text("utf-8")
    assert cookie.split(";")[0].split("=", 1)[1] not in stored  # only its SHA-256 is kept
    start = c.get("submit/")
    assert start.status_code == 200 and "Nærings- og fiskeridepartementet" in _text(start)
    assert start.headers["Cache-Control"] == "no-store"
    out = c.post("submit/sign-out")
    assert out.status_code == 303 and out.headers["Location"].endswith("submit/sign-in?out=1")
    # the server forgot the session: the old cookie value no longer signs anyone in
    again = requests.get(c.url + "submit/", cookies={"ogpreg-session": cookie.split(";")[0]
                         .split("=", 1)[1]}, allow_redirects=False, timeout=60)
    assert again.status_code == 303 and "sign-in" in again.headers["Location"]
    actions = [(e.action, e.outcome, e.status) for e in site.audit()]
    assert actions == [("submit.sign-in", "refused", 401), ("submit.sign-in", "ok", 303),
                       ("submit.sign-out", "ok", 303)]
    assert all(e.remote == "127.0.0.1" for e in site.audit())


def test_under_https_the_cookie_is_secure_and_host_bound(tmp_path: Path) -> None:
    for base, name in (("https://ogp.example.no/", "__Host-ogpreg-session"),
                       ("https://example.no/ogp/", "__Secure-ogpreg-session")):
        store = tmp_path / name
        reg = open_registry(make_settings(store, base_uri=base))
        reg.init()
        secret = tokens.issue(reg, "912660680", "submitter", "NFD").secret
        with running(store, base_uri=base, session_lifetime=3600) as run, \
                requests.Session() as http:
            page = http.get(run.url + "submit/sign-in", timeout=60)
            signin_cookie = page.raw.headers["Set-Cookie"]
            assert "Secure" in signin_cookie and "SameSite=Strict" in signin_cookie
            r = http.post(run.url + "submit/sign-in", allow_redirects=False, timeout=60,
                          data={"token": secret, "csrf": _form_csrf(page.text)},
                          cookies={"ogpreg-signin": _form_csrf(page.text)})
            assert r.status_code == 303, r.text
            cookie = next(v for v in r.raw.headers.getlist("Set-Cookie")
                          if v.startswith(name + "="))
            flags = {f.strip().lower() for f in cookie.split(";")[1:]}
            path = "/ogp/" if "/ogp/" in base else "/"
            assert {"secure", "httponly", "samesite=strict", "max-age=3600",
                    f"path={path}"} <= flags


def test_every_form_needs_its_form_token(site: Site) -> None:
    c = site.client()
    # sign-in: the form's token must match the cookie set with the form
    page = c.get("submit/sign-in")
    forged = requests.post(c.url + "submit/sign-in", timeout=60, allow_redirects=False,
                           data={"token": site.nfd, "csrf": _form_csrf(page.text)})
    assert forged.status_code == 403 and "ogpreg-session" not in forged.headers.get(
        "Set-Cookie", "")
    assert c.sign_in(site.nfd).status_code == 303
    before = all_quads(site.registry)
    data = ("forpliktelser.json", _commitments())
    for form in ({"csrf": ""}, {"csrf": "x" * 43}):
        r = c.post("submit/upload", form, files=[("file", data)])
        assert r.status_code == 403 and "Skjemaet er utløpt" in _text(r)
    # the right token from another site's page (the Origin says so) is refused too
    r = c.post("submit/upload", files=[("file", data)],
               headers={"Origin": "https://angriper.example"})
    assert r.status_code == 403
    checked = c.upload(data)
    assert checked.status_code == 200, _text(checked)
    m = _UPLOAD.search(checked.text)
    assert m is not None
    for path, form in (("submit/confirm", {"upload": m.group(1)}),
                       ("submit/proposal", {"title_nb": "x"}),
                       ("submit/status", {"item": "id/plan/2019-2021", "status": "withdrawn"}),
                       ("submit/sign-out", {})):
        r = c.post(path, {**form, "csrf": "wrong"})
        assert r.status_code == 403, path
    assert all_quads(site.registry) == before
    assert c.get("submit/").status_code == 200  # still signed in: the sign-out was refused
    refused = [(e.action, e.status) for e in site.audit() if e.outcome == "refused"]
    assert refused == [("submit.sign-in", 403), ("submit.upload", 403), ("submit.upload", 403),
                       ("submit.upload", 403), ("submit.confirm", 403),
                       ("submit.proposal", 403), ("submit.status", 403),
                       ("submit.sign-out", 403)]


def test_an_expired_or_revoked_session_does_nothing(site: Site) -> None:
    c = site.client()
    assert c.sign_in(site.nfd).status_code == 303
    path = site.registry.store.path / SESSIONS_FILE
    doc = json.loads(path.read_text("utf-8"))
    doc["sessions"][0]["expires"] = "2000-01-01T00:00:00+00:00"  # as if the hours had passed
    path.write_text(json.dumps(doc), "utf-8")
    assert c.get("submit/upload").status_code == 303
    r = c.upload(("forpliktelser.json", _commitments()))
    assert r.status_code == 401 and "Økten din er avsluttet" in _text(r)
    assert not _exists(site.registry, "NO9901")
    # a revoked token ends its sessions at once
    d = site.client()
    assert d.sign_in(site.kud).status_code == 303
    kud = next(t for t in tokens.list_tokens(site.registry) if t.label == "KUD")
    tokens.revoke(site.registry, kud.id)
    assert d.get("submit/").status_code == 303
    assert d.sign_in(site.kud).status_code == 401
    assert ("submit.upload", "refused", 401) in [(e.action, e.outcome, e.status)
                                                  for e in site.audit()]


def test_next_after_sign_in_stays_on_the_submission_pages(site: Site) -> None:
    for nxt, where in (("/submit/upload", "submit/upload"), ("https://evil.example/", "submit/"),
                       ("//evil.example/submit/", "submit/"), ("/submit/../sparql", "submit/"),
                       ("/id/plan/2019-2021", "submit/")):
        c = site.client()
        page = c.get("submit/sign-in", params={"next": nxt})
        r = c.post("submit/sign-in", {"token": site.nfd, "next": nxt,
                                      "csrf": _form_csrf(page.text)})
        assert r.headers["Location"] == BASE + where, nxt


# -- upload, report, changes, confirm, receipt ----------------------------------------------------
def test_upload_report_changes_confirm_and_receipt_with_every_value_escaped(site: Site) -> None:
    reg = site.registry
    c = site.client()
    c.sign_in(site.nfd)
    bad = c.upload((f"{XSS}.json", _commitments(XSS, "Åpne dater")))
    assert bad.status_code == 422
    text = _text(bad)
    assert "Filen har feil" in text and "Ingenting ble lastet inn" in text
    # the whole report: file, column, value, what is wrong and how to fix it
    assert f"{XSS}.json" in text and "themes" in text and "Åpne dater" in text
    assert "Mente du: Åpne data?" in text  # the allowed value it probably meant
    assert XSS not in bad.text and ESCAPED in bad.text
    # a bad value that is markup: shown as text in the value column and in the message
    bad = c.upload(("forpliktelser.json", _commitments("Tittel (oppdiktet)", XSS)))
    assert bad.status_code == 422
    assert f"<code>{ESCAPED}</code>" in bad.text and f"«{ESCAPED}»" in bad.text
    assert XSS not in bad.text
    assert not _exists(reg, "NO9901")

    checked = c.upload(("forpliktelser.json", _commitments(XSS)))
    assert checked.status_code == 200, _text(checked)
    text = _text(checked)
    assert "5 nye, 0 endret, 0 uendret, 0 fjernet" in text  # 2 commitments, 3 milestones
    assert "Sendt inn av Nærings- og fiskeridepartementet" in text
    assert "NO9901" in text and "NO9902" in text and XSS not in checked.text
    assert not _exists(reg, "NO9901")  # a check writes nothing
    before = last_change_number(reg.store.reader())
    r = c.confirm(checked)
    assert r.status_code == 303 and r.headers["Location"] == BASE + f"submit/receipt/{before + 1}"
    assert last_change_number(reg.store.reader()) == before + 1  # one commit
    receipt = c.get(f"submit/receipt/{before + 1}")
    assert receipt.status_code == 200 and XSS not in receipt.text and ESCAPED in receipt.text
    # no such change: not found (receipt/0 is a load that changed nothing, and says so)
    assert c.get(f"submit/receipt/{before + 1000}").status_code == 404
    assert c.get("submit/receipt/0").status_code == 200
    # when, in Norwegian time (the receipt said UTC; the other pages Norwegian time)
    assert re.search(r"Lastet inn \d{4}-\d\d-\d\d \d\d:\d\d \(norsk tid\)", _text(receipt))
    for item in ("commitment/NO9901", "commitment/NO9902", "commitment/NO9901/milestone/1"):
        assert f'href="{BASE}id/{item}"' in receipt.text
        assert f'href="{BASE}id/{item}/version/' in receipt.text
    page = c.get("id/commitment/NO9901")
    assert page.status_code == 200 and XSS not in page.text and ESCAPED in page.text
    # the kept upload is gone: confirming twice loads nothing twice
    again = c.confirm(checked)
    assert again.status_code == 409
    assert last_change_number(reg.store.reader()) == before + 1
    # a changed title: one item updated, with the field named
    update = c.upload(("forpliktelser.json", _commitments("Ny tittel (oppdiktet eksempel)")))
    text = _text(update)
    assert "0 nye, 1 endret, 4 uendret, 0 fjernet" in text
    row = re.search(r"~ endret NO9901 «Ny tittel \(oppdiktet eksempel\)» \S+ ([^~]+?) Laster inn",
                    text)
    assert row is not None and "Tittel" in row.group(1), text
    assert last_change_number(reg.store.reader()) == before + 1

    subs = c.get("submit/submissions")
    text = _text(subs)
    # the audit log's own words are English, and marked so for screen readers
    assert "Tid (norsk tid)" in text and '<td lang="en">' in subs.text
    assert "commitments-2019-2021-naerings-og-fiskeridepartementet" in text
    assert f'href="{BASE}submit/receipt/{before + 1}"' in subs.text
    assert "submit.confirm" in text and "submit.check" in text
    # another organisation sees neither the source nor the actions
    other = site.client()
    other.sign_in(site.kud)
    text = _text(other.get("submit/submissions"))
    assert "naerings-og-fiskeridepartementet" not in text and "submit.confirm" not in text

    entries = [(e.action, e.outcome, e.status) for e in site.audit()
               if e.action.startswith("submit.") and e.action != "submit.sign-in"]
    assert entries == [("submit.check", "refused", 422), ("submit.check", "refused", 422),
                       ("submit.check", "ok", 200),
                       ("submit.confirm", "ok", 303), ("submit.confirm", "refused", 409),
                       ("submit.check", "ok", 200)]
    ok = [e for e in site.audit() if e.action == "submit.confirm" and e.outcome == "ok"][0]
    assert ok.target == "forpliktelser.json" and f"change {before + 1}" in ok.message
    assert ok.organisation == BASE + "id/organisation/naerings-og-fiskeridepartementet"


def test_a_commitment_left_out_of_a_new_version_is_named_on_the_check_page(site: Site) -> None:
    """KMD submits three of the 2013–2015 commitments the registry ships (real rows as OGP
    publishes them), then a version without the third: the check page says it is no longer in
    the submission and which source still holds it, instead of calling it unchanged."""
    text = (SUB / "real-plans" / "2013-2015.csv").read_text("utf-8-sig")
    lines = text.splitlines(keepends=True)
    c = site.client()
    c.sign_in(site.kmd)
    first = c.upload(("kmd-2013-2015.csv", "".join(lines[:4]).encode("utf-8")))
    assert first.status_code == 200, _text(first)
    assert c.confirm(first).status_code == 303
    second = c.upload(("kmd-2013-2015.csv", "".join(lines[:3]).encode("utf-8")))
    assert second.status_code == 200, _text(second)
    page = _text(second)
    # the report's caption counts warnings and notices apart, as the command line does
    assert "Rapporten: 0 feil, 4 advarsler og 5 merknader." in page
    third = lines[3].split(";")[1]  # its OGP ID
    assert ("0 nye, 0 endret, 2 uendret, 0 fjernet; 1 ikke lenger i innsendingen, men "
            "fortsatt i registeret fra andre kilder") in page
    # its title exists in English only: marked, as on every page, «(på engelsk)»
    row = re.search(rf"− ikke lenger i innsendingen {third} «[^»]+» \(på engelsk\) \S+ fortsatt "
                    r"i registeret fra ([^−]+?) Laster inn", page)
    assert row is not None and "bundled-ogp-2013-2015" in row.group(1), page


def test_the_check_page_names_each_change_by_identifier_and_title(site: Site) -> None:
    """KMD submits two of the 2013–2015 commitments the registry ships (real rows as OGP
    publishes them, English titles only), one with a bokmål title added (invented): each line
    of the table of changes names the commitment by its ID and its title in the page's
    language, as the command line's change lines do."""
    lines = (SUB / "real-plans" / "2013-2015.csv").read_text("utf-8-sig").splitlines(True)
    first = lines[1].split(";")
    first[3] = "Innbyggerundersøkelsen (oppdiktet bokmålstittel)"
    c = site.client()
    c.sign_in(site.kmd)
    checked = c.upload(("kmd-2013-2015.csv",
                        (lines[0] + ";".join(first) + lines[2]).encode("utf-8")))
    assert checked.status_code == 200, _text(checked)
    table = re.search(r'<table class="changes">.*?</table>', checked.text, re.S)
    assert table is not None, _text(checked)
    rows = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", tr)).split())
            for tr in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)]
    assert any(row.startswith(
        f"~ endret {first[1]} «{first[3]}» {BASE}id/commitment/{first[1]} Tittel (bokmål)")
        for row in rows), rows



def test_a_submission_of_several_files_loads_all_or_nothing(site: Site) -> None:
    reg = site.registry
    c = site.client()
    c.sign_in(site.nfd)
    before = all_quads(reg)
    milestones = ("milestones.csv", (SUB / "milestones.csv").read_bytes())
    bad = c.upload(("bad-unknown-theme.csv", (SUB / "bad-unknown-theme.csv").read_bytes()),
                   milestones)
    assert bad.status_code == 422 and "bad-unknown-theme.csv" in _text(bad)
    assert all_quads(reg) == before  # the good milestones file is not loaded either
    good = ("commitments-utf8.csv", (SUB / "commitments-utf8.csv").read_bytes())
    checked = c.upload(good, milestones)
    assert checked.status_code == 200, _text(checked)
    # the registry changes between the check and the confirmation: the same submission is
    # loaded through POST /api/submissions, so the confirmation would now change nothing
    api = requests.post(c.url + "api/submissions", timeout=120,
                        headers={"Authorization": f"Bearer {site.nfd}"},
                        files=[("file", good), ("file", milestones)])
    assert api.status_code == 200, api.text
    n = last_change_number(reg.store.reader())
    refused = c.confirm(checked)
    assert refused.status_code == 409
    assert "Registeret er endret siden kontrollen din" in _text(refused)
    assert "0 nye, 0 endret, 5 uendret, 0 fjernet" in _text(refused)
    assert last_change_number(reg.store.reader()) == n
    # the page shows the new changes (none) with a new confirmation
    r = c.confirm(refused)
    assert r.status_code == 303 and r.headers["Location"].endswith("submit/receipt/0")
    assert last_change_number(reg.store.reader()) == n


def test_uploads_over_the_size_limit_are_refused(site: Site) -> None:
    c = site.client()
    c.sign_in(site.nfd)
    before = all_quads(site.registry)
    big = _commitments(title="Å" * 120_000)  # 240 kB of UTF-8, over the 200 kB limit
    r = c.upload(("forpliktelser.json", big))
    assert r.status_code == 413
    assert "200 kB" in _text(r) and "Filen er for stor" in _text(r)
    assert all_quads(site.registry) == before
    last = site.audit()[-1]
    assert (last.action, last.outcome, last.status) == ("submit.upload", "refused", 413)
    api = requests.post(c.url + "api/submissions", timeout=120,
                        headers={"Authorization": f"Bearer {site.nfd}"},
                        files=[("file", ("forpliktelser.json", big))])
    assert api.status_code == 413 and api.json()["status"] == 413
    assert site.audit()[-1].action == "api.submissions"


def test_a_submitter_is_refused_another_organisations_graph(site: Site) -> None:
    c = site.client()
    c.sign_in(site.nfd)
    c.confirm(c.upload(("forpliktelser.json", _commitments())))
    kud = site.client()
    kud.sign_in(site.kud)
    before = all_quads(site.registry)
    # RDF naming NFD's source graph (the file name gives the graph)
    ttl = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
    name = NFD_GRAPH.rsplit("/", 1)[-1] + ".ttl"
    r = kud.upload((name, ttl))
    assert r.status_code == 403 and "Nærings- og fiskeridepartementet" in _text(r)
    assert all_quads(site.registry) == before
    assert site.audit()[-1].outcome == "refused" and site.audit()[-1].status == 403


# -- templates --------------------------------------------------------------------------------
def test_templates_for_every_kind_are_those_of_ogpreg_template(site: Site) -> None:
    c = site.client()
    c.sign_in(site.nfd)
    page = c.get("submit/templates")
    assert page.status_code == 200
    for kind in KINDS:
        assert f'href="{BASE}submit/templates/{kind}.xlsx"' in page.text
        x = c.get(f"submit/templates/{kind}.xlsx")
        assert x.status_code == 200 and x.content[:2] == b"PK"
        assert x.headers["Content-Disposition"] == f'attachment; filename="{kind}.xlsx"'
        assert c.get(f"submit/templates/{kind}.json").content == T.json_template(kind)
        for sheet, data in T.csv_templates(kind).items():
            assert f"submit/templates/{kind}.{sheet}.csv" in page.text
            assert c.get(f"submit/templates/{kind}.{sheet}.csv").content == data
    assert c.get("submit/templates/submission.schema.json").content == T.schema_text().encode()
    assert c.get("submit/templates/nothing.xlsx").status_code == 404


# -- proposals and statuses -------------------------------------------------------------------
def _propose(c: Client, title: str) -> str:
    r = c.post("submit/proposal", {
        "title_nb": title, "description_nb": "Et oppdiktet forslag (eksempel).",
        "themes": ["Åpne data"], "meeting": "2018-06-19",
        "contact_name": "Kari Nordmann (oppdiktet)", "contact_email": "kari@example.no",
    })
    assert r.status_code == 303, _text(r)
    receipt = c.get(r.headers["Location"].removeprefix(BASE))
    m = re.search(rf'href="({re.escape(BASE)}id/proposal/[^"/]+)"', receipt.text)
    assert m is not None, receipt.text
    return m.group(1)


def test_a_proposal_from_the_form_is_a_proposals_submission(site: Site) -> None:
    c = site.client()
    c.sign_in(site.tin)
    incomplete = c.post("submit/proposal", {"title_nb": XSS, "contact_email": "kari"})
    assert incomplete.status_code == 400
    text = _text(incomplete)
    assert "Fyll ut: Beskrivelse." in text and "navn@eksempel.no" in text
    assert XSS not in incomplete.text and f'value="{ESCAPED}"' in incomplete.text
    item = _propose(c, XSS)
    reg = site.registry
    [(by, g)] = _rows(reg, f"""SELECT ?by ?g WHERE {{ GRAPH ?g {{ <{item}> a ogp:Proposal ;
        ogp:proposedBy ?by }} }}""", "by", "g")
    assert by == BASE + "id/organisation/transparency-international-norge"
    assert g.startswith(BASE + "graph/source/proposal-")
    nt = reg.export("ntriples").decode("utf-8")
    assert "kari@example.no" not in nt and "Kari Nordmann" not in nt
    second = _propose(c, "Et annet forslag (oppdiktet)")
    assert second != item and _exists(reg, item.rsplit("/", 1)[-1])  # the first one stays
    page = c.get(item.removeprefix(BASE))
    assert XSS not in page.text and ESCAPED in page.text
    last = [e for e in site.audit() if e.action == "submit.proposal"]
    assert [e.outcome for e in last] == ["refused", "ok", "ok"]
    assert "kari@example.no" not in "".join(e.message for e in last)


def _status(c: Client, item: str, to: str, **form: str) -> requests.Response:
    return c.post("submit/status", {"item": item, "status": to, **form})


def _field_error(page: requests.Response) -> str:
    m = re.search(r'class="field-error" id="[^"]+"><strong>[^<]*</strong> ([^<]*)</p>', page.text)
    assert m is not None, _text(page)
    return html.unescape(m.group(1))


def _cli_status(reg: Registry, token: str, item: str, *args: str) -> Any:
    env = {"OGPREG_STORE": str(reg.store.path), "OGPREG_BASE_URI": BASE}
    return CliRunner().invoke(main, ["status", item, "--token", token, *args], env=env)


def test_statuses_move_with_the_rules_and_messages_of_ogpreg_status(site: Site) -> None:
    tin = site.client()
    tin.sign_in(site.tin)
    first = _propose(tin, "Første forslag (oppdiktet)")
    second = _propose(tin, "Andre forslag (oppdiktet)")
    third = _propose(tin, "Tredje forslag (oppdiktet)")
    # a submitter may not accept: refused, with the message of 'ogpreg status'
    r = _status(tin, first, "accepted", plan="2019-2021")
    assert r.status_code == 403
    cli = _cli_status(site.registry, site.tin, first, "--set", "accepted", "--plan", "2019-2021")
    assert cli.exit_code != 0 and _field_error(r) in cli.output
    kmd = site.client()
    kmd.sign_in(site.kmd)
    shown = kmd.get("submit/status", params={"lookup": first})
    assert "kari@example.no" in shown.text  # the coordinating ministry sees the contact
    assert "kari@example.no" not in tin.get("submit/status", params={"lookup": first}).text
    # approving needs a date the rules accept; the same refusal as on the command line
    ok = _status(kmd, first, "accepted", plan="2019-2021")
    assert ok.status_code == 200 and "tatt inn i planen" in _text(ok)
    r = _status(kmd, first, "approved", date="ikke en dato")
    cli = _cli_status(site.registry, site.kmd, first, "--set", "approved", "--date",
                      "ikke en dato")
    assert r.status_code in (400, 409, 422) and _field_error(r) in cli.output
    assert _status(kmd, first, "approved", date="2019-06-21").status_code == 200
    r = _status(kmd, second, "withdrawn")
    assert r.status_code != 200  # withdrawing needs a reason
    ok = _status(kmd, second, "withdrawn", reason="Slått sammen med et annet (oppdiktet)")
    assert ok.status_code == 200
    r = _status(kmd, third, "superseded")
    assert r.status_code != 200  # superseding needs the successor
    ok = _status(kmd, third, "superseded", successor=first.removeprefix(BASE))
    assert ok.status_code == 200
    codes = {i: [s.rsplit("/", 1)[-1] for (s,) in _rows(
        site.registry, f"SELECT ?s WHERE {{ <{i}> ogp:registryStatus ?s }}", "s")]
        for i in (first, second, third)}
    assert codes == {first: ["approved"], second: ["withdrawn"], third: ["superseded"]}
    # the accepted proposal is on the consultation meeting's page
    meeting = kmd.get("id/meeting/2018-06-19")
    assert f'href="{first}"' in meeting.text
    audit = [(e.action, e.outcome) for e in site.audit() if e.action == "submit.status"]
    assert audit.count(("submit.status", "ok")) == 4
    assert audit.count(("submit.status", "refused")) == 4


def test_tokens_never_reach_the_pages_and_pages_are_not_cached(site: Site) -> None:
    c = site.client()
    c.sign_in(site.nfd)
    for path in ("submit/", "submit/upload", "submit/templates", "submit/submissions",
                 "submit/proposal", "submit/status"):
        r = c.get(path)
        assert r.status_code == 200, path
        assert site.nfd not in r.text
        assert r.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]


def test_no_two_fields_of_a_submission_page_have_the_same_label(site: Site) -> None:
    """WCAG 2.4.6: a label tells its field from the others. The status page had «Element» on
    the look-up field and on the field of the item to change."""
    c = site.client()
    c.sign_in(site.kmd)
    for lang in ("nb", "nn", "en"):
        for path in ("submit/upload", "submit/proposal", "submit/status"):
            page = c.get(path, params={"lang": lang})
            labels = [_text_of(x) for x in re.findall(r"<label\b[^>]*>(.*?)</label>", page.text,
                                                       re.S)]
            assert labels and len(labels) == len(set(labels)), (path, lang, labels)


def test_workbooks_and_rdf_files_are_checked_and_loaded_the_same_way(site: Site) -> None:
    reg = site.registry
    c = site.client()
    c.sign_in(site.nfd)
    bad = c.upload(("slutt.xlsx", (SUB / "bad-end-before-start.xlsx").read_bytes()))
    assert bad.status_code == 422
    row = re.search(r'<tr class="sev-violation">(.*?)</tr>', bad.text, re.S)
    assert row is not None
    cells = [_text_of(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    # file, sheet, row, column (with the cell), value; then what is wrong and how to fix it
    assert cells[1:6] == ["slutt.xlsx", "Forpliktelser", "2", "Sluttdato (K2)", "2019-07-01"]
    assert "Startdato" in cells[6] or "start" in cells[6].lower(), cells
    workbook = c.upload(("forpliktelser.xlsx", (SUB / "commitments.xlsx").read_bytes()))
    text = _text(workbook)
    assert workbook.status_code == 200 and "Notater" in text  # the warning, in the report
    assert "5 nye, 0 endret, 0 uendret, 0 fjernet" in text
    ttl = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
    checked = c.upload(("valid-commitment.ttl", ttl))
    assert checked.status_code == 200, _text(checked)
    assert BASE + "graph/source/valid-commitment" in _text(checked)
    r = c.confirm(checked)
    assert r.status_code == 303
    graphs = {g for (g,) in _rows(reg, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "g")}
    assert BASE + "graph/source/valid-commitment" in graphs
    receipt = c.get(r.headers["Location"].removeprefix(BASE))
    assert "/version/" in receipt.text


def _text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
