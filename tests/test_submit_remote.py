"""``ogpreg load --remote`` with spreadsheets, CSV and JSON (issue 18): the files go to ``POST
/api/submissions`` on the real server (a real socket, tests/endpoint_server.py), which reads them
by the same path as a local load. The command prints the same report and exits with the same
code as ``ogpreg load --token`` on a copy of the same store, file for file.

The submissions are the invented examples of tests/fixtures/submissions (README there).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ogpreg.cli import main
from registry.access import tokens
from registry.access.audit import AuditLog
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads
from tests.endpoint_server import Served, servers, serving

SUB = FIXTURES / "submissions"


@dataclass
class Pair:
    """A served registry and a copy of it loaded locally, with the same tokens."""

    run: Served
    local: Path
    nfd: str
    kud: str
    tmp: Path

    def local_load(self, *args: str) -> Result:
        env = {"OGPREG_STORE": str(self.local), "OGPREG_BASE_URI": BASE}
        return CliRunner().invoke(main, ["--lang", "en", "load", *args], env=env)

    def remote_load(self, *args: str) -> Result:
        # the client's own store is never opened
        env = {"OGPREG_STORE": str(self.tmp / "client"), "OGPREG_BASE_URI": BASE}
        return CliRunner().invoke(
            main, ["--lang", "en", "load", "--remote", self.run.url, *args], env=env
        )


@pytest.fixture(params=servers())
def pair(request: pytest.FixtureRequest, registry: Registry, tmp_path: Path) -> Iterator[Pair]:
    nfd = tokens.issue(registry, "912660680", "submitter", "NFD").secret
    kud = tokens.issue(registry, "972417866", "submitter", "KUD").secret
    local = tmp_path / "local"
    shutil.copytree(registry.store.path, local)
    with serving(request.param, registry.store.path, query_workers=1) as run:
        yield Pair(run, local, nfd, kud, tmp_path)


def _same(pair: Pair, *args: str) -> Result:
    """Load locally and remotely; the same exit code, output and messages; the remote one."""
    here = pair.local_load(*args)
    there = pair.remote_load(*args)
    assert there.exit_code == here.exit_code, (here.output, there.output)
    assert there.stdout == here.stdout
    assert there.stderr == here.stderr
    return there


def test_remote_spreadsheets_and_json_report_and_exit_as_a_local_load(pair: Pair) -> None:
    served = pair.run.registry
    before = all_quads(served)
    # a bad submission of two files: the whole report, exit 1, nothing loaded
    bad = _same(pair, "--token", pair.nfd, str(SUB / "bad-unknown-theme.csv"),
                str(SUB / "milestones.csv"))
    assert bad.exit_code == 1
    assert "ERROR: bad-unknown-theme.csv, row 2, column «Tema»" in bad.stdout
    assert "value: Åpne dater" in bad.stdout and "Did you mean: Open data?" in bad.stdout
    assert "nothing was loaded" in bad.stderr
    assert all_quads(served) == before
    # a dry run of a workbook: the changes, the warning, nothing written
    dry = _same(pair, "--token", pair.nfd, "--dry-run", str(SUB / "commitments.xlsx"))
    assert dry.exit_code == 0 and "5 created, 0 updated, 0 unchanged, 0 removed" in dry.stdout
    assert "WARNING: commitments.xlsx, sheet «Notater»" in dry.stdout
    assert all_quads(served) == before
    # CSV files of one submission, loaded, the report as JSON
    here = pair.local_load("--token", pair.nfd, "--report", "json",
                           str(SUB / "commitments-utf8.csv"), str(SUB / "milestones.csv"))
    there = pair.remote_load("--token", pair.nfd, "--report", "json",
                             str(SUB / "commitments-utf8.csv"), str(SUB / "milestones.csv"))
    assert there.exit_code == here.exit_code == 0
    local, remote = json.loads(here.stdout), json.loads(there.stdout)
    # the server adds the change's number and new versions, and each source's counts
    assert set(remote) - set(local) == {"change", "versions"}
    assert [set(s) - set(t) for s, t in zip(remote["sources"], local["sources"], strict=True)] \
        == [{"added", "removed"}]
    assert {k: v for k, v in remote.items() if k in local} | {
        "sources": [{k: v for k, v in s.items() if k in t}
                    for s, t in zip(remote["sources"], local["sources"], strict=True)]
    } == local
    assert remote["versions"] and all(v.startswith(BASE + "id/") for v in remote["versions"])
    assert bool(served.query("ASK { ?c dct:identifier 'NO9901' }"))
    # the same submission as JSON: the source replaced, no item changed; then the same file
    again = _same(pair, "--token", pair.nfd, str(SUB / "commitments.json"))
    assert again.exit_code == 0 and "0 created, 0 updated, 5 unchanged" in again.stdout
    again = _same(pair, "--token", pair.nfd, str(SUB / "commitments.json"))
    assert again.exit_code == 0 and "unchanged (same file as before)" in again.stdout
    entries = [e for e in AuditLog(served.store.path).entries() if e.action == "api.submissions"]
    assert [(e.outcome, e.status) for e in entries] == [
        ("refused", 422), ("ok", 200), ("ok", 200), ("ok", 200), ("ok", 200)]
    assert entries[1].message.startswith("dry run: commitments.xlsx")


def test_remote_refusals_exit_as_a_local_load(pair: Pair) -> None:
    served = pair.run.registry
    # an unreadable workbook: exit 1 and the reader's message, from the server
    here = pair.local_load("--token", pair.nfd, str(SUB / "bad-corrupt.xlsx"))
    there = pair.remote_load("--token", pair.nfd, str(SUB / "bad-corrupt.xlsx"))
    assert here.exit_code == there.exit_code == 1
    assert here.stderr.removeprefix("Error: ") in there.stderr
    assert "HTTP 400" in there.stderr
    # a status only the coordinating ministry may give: refused by the server as locally
    before = all_quads(served)
    doc = {"kind": "proposals", "proposals": [{
        "id": "eksempel-f9", "title_nb": "Et oppdiktet forslag (eksempel)",
        "description_nb": "Oppdiktet.", "proposed_by": "912660680", "themes": ["Åpne data"],
        "date_submitted": "2018-06-01", "status": "Tatt inn i planen"}]}
    proposal = pair.tmp / "forslag.json"
    proposal.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    r = _same(pair, "--token", pair.nfd, str(proposal))
    assert r.exit_code == 1 and "approver" in r.output, r.output
    assert all_quads(served) == before
    csv = SUB / "commitments-utf8.csv"
    # a bad token: 401, exit 1; usage errors: exit 2 before anything is sent
    r = pair.remote_load("--token", "not-a-token", str(csv))
    assert r.exit_code == 1 and "HTTP 401" in r.stderr
    sent = len(list(AuditLog(served.store.path).entries()))
    for args in (["--token", pair.nfd, "--source", "x", str(csv)],
                 ["--token", pair.nfd, str(csv), str(FIXTURES / "rdf" / "valid-commitment.ttl")],
                 ["--token", pair.nfd, "https://example.org/forpliktelser.xlsx"],
                 ["--token", pair.nfd, "missing.xlsx"]):
        r = pair.remote_load(*args)
        assert r.exit_code == 2, (args, r.output)
    assert len(list(AuditLog(served.store.path).entries())) == sent
    assert pair.nfd not in "".join(e.message for e in AuditLog(served.store.path).entries())
