"""Terminal escape sequences from submitted data never reach the operator's terminal, and file
names with control characters are not kept (docs/security.md, "Hostile files").

A submitter writes through the real server on a socket (Graph Store ``PUT``, the browser's
upload, ``POST /api/submissions``); the operator then runs the real command line on the same
store (``ogpreg query``, ``ogpreg stats``, ``ogpreg validate``) in a child process. Before the
fix, a title with ``ESC ] 0 ; … BEL`` (set the window title), ``ESC [ 2 K`` / ``ESC [ 1 A``
(erase a line, move up: forge the lines above) or a C1 ``CSI`` reached the terminal as is.
NO9902/NO9903 and their texts are invented.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from registry.access import tokens
from registry.i18n import shown
from registry.loading.sources import MAX_FILE_NAME, sent_file_name
from registry.service import Registry
from tests.conftest import BASE, FIXTURES
from tests.endpoint_server import running

VALID = FIXTURES / "rdf" / "valid-commitment.ttl"
CSV = FIXTURES / "submissions" / "commitments-utf8.csv"
PROV = BASE + "graph/provenance"
#: what a terminal acts on: ESC, BEL, CR, C1 CSI, DEL, a right-to-left override
HOSTILE = "\x1b]0;owned\x07\x1b[2K\x1b[1A\x1b[31mFAKE\r\x9b2J\x7f\u202eltt."
UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def live(registry: Registry) -> Iterator[tuple[str, str]]:
    nfd = tokens.issue(registry, "912660680", "submitter", "NFD")
    with running(registry.store.path, query_workers=1) as served:
        yield served.url.rstrip("/"), nfd.secret


def _turtle(title: str) -> bytes:
    text = VALID.read_text("utf-8").replace("NO9901", "NO9902")
    escaped = "".join(f"\\u{ord(c):04X}" if UNSHOWN.match(c) else c for c in title)
    return text.replace(
        "Åpne data om offentlige anskaffelser (eksempel)", "Harmless" + escaped
    ).encode("utf-8")


def _cli(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OGPREG_STORE": str(store), "OGPREG_BASE_URI": BASE}
    return subprocess.run(
        [sys.executable, "-m", "ogpreg", *args], capture_output=True, text=True,
        encoding="utf-8", env=env, timeout=300, check=False,
    )


def _no_escapes(text: str) -> None:
    found = UNSHOWN.findall(text)
    assert not found, f"terminal control characters in the output: {found!r}"


def test_submitted_escape_sequences_never_reach_the_terminal(
    live: tuple[str, str], registry: Registry, tmp_path: Path
) -> None:
    url, secret = live
    r = requests.put(
        url + "/graph-store", params={"graph": BASE + "graph/source/esc"},
        data=_turtle(HOSTILE),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/turtle"},
        timeout=120,
    )
    assert r.status_code == 201, r.text
    store = registry.store.path

    query = _cli(store, "query", f"SELECT ?t WHERE {{ <{BASE}id/commitment/NO9902> dct:title ?t }}")
    assert query.returncode == 0, query.stderr
    _no_escapes(query.stdout)
    # visible instead: the escape written out, and one row per line
    assert "Harmless\\u001B]0;owned\\u0007" in query.stdout
    assert len(query.stdout.splitlines()) == 5  # header, rule, two titles, the count

    stats = _cli(store, "stats")
    assert stats.returncode == 0, stats.stderr
    _no_escapes(stats.stdout)

    # a CSV of another title for NO9902: the report quotes the stored title, and the cell
    rows = CSV.read_text("utf-8").splitlines()
    rows[2] = rows[2].replace("2019-07", "2019-07" + HOSTILE.replace("\r", ""), 1)
    bad = tmp_path / ("esc" + HOSTILE.replace("\r", "").replace("\x00", "") + ".csv")
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = _cli(store, "validate", str(bad))
    assert report.returncode == 1
    assert "Harmless\\u001B" in report.stdout
    _no_escapes(report.stdout + report.stderr)


def _file_names(url: str) -> list[str]:
    q = f"SELECT ?f WHERE {{ GRAPH <{PROV}> {{ ?g <https://w3id.org/ogp-no/def#fileName> ?f }} }}"
    r = requests.get(url + "/sparql", params={"query": q},
                     headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    return [b["f"]["value"] for b in r.json()["results"]["bindings"]]


def test_file_names_with_control_characters_are_not_kept(live: tuple[str, str]) -> None:
    url, secret = live
    body = _turtle("")
    name = "../evil" + HOSTILE + "\nnext line.ttl"

    # the API refuses such a name (C1, DEL and bidi controls as well as C0), writing nothing
    for bad in ("a\x9b2Jb.ttl", "a\x7fb.ttl", "a\u202eb.ttl", "a\x1bb.ttl"):
        r = requests.post(
            url + "/api/submissions", files={"file": (bad, body, "text/turtle")},
            headers={"Authorization": f"Bearer {secret}"}, timeout=120,
        )
        assert r.status_code == 400, (bad, r.text)

    # the browser's upload keeps the name without them
    s = requests.Session()
    page = s.get(url + "/submit/sign-in", timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    r = s.post(url + "/submit/sign-in", data={"csrf": csrf.group(1), "token": secret},
               timeout=60, allow_redirects=False)  # to the base URI, not this server
    assert r.status_code == 303, r.text
    form = s.get(url + "/submit/upload", timeout=60)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    r = s.post(url + "/submit/upload", data={"csrf": csrf.group(1)},
               files={"file": (name, body, "text/turtle")}, timeout=120)
    assert r.status_code == 200, r.text
    upload = re.search(r'name="upload" value="([^"]+)"', r.text)
    assert upload is not None
    r = s.post(url + "/submit/confirm", data={"csrf": csrf.group(1), "upload": upload.group(1)},
               timeout=120, allow_redirects=False)
    assert r.status_code == 303, r.text
    kept = [f for f in _file_names(url) if "evil" in f]
    assert len(kept) == 1, kept
    assert kept[0].startswith("evil]0;owned") and kept[0].endswith("next line.ttl"), kept
    assert shown(kept[0], one_line=True) == kept[0]


@pytest.mark.parametrize(
    ("raw", "kept", "stripped"),
    [
        ("forpliktelser.xlsx", "forpliktelser.xlsx", "forpliktelser.xlsx"),
        ("C:\\Users\\kari\\plan 2019.xlsx", "plan 2019.xlsx", "plan 2019.xlsx"),
        ("../../etc/passwd", "passwd", "passwd"),
        ("  med mellomrom.csv  ", "med mellomrom.csv", "med mellomrom.csv"),
        ("\x1b]0;pwned\x07plan.xlsx", None, "]0;pwnedplan.xlsx"),
        ("plan\u202egpj.xlsx", None, "plangpj.xlsx"),
        ("", None, None),
        ("dir/", "dir", "dir"),
        ("\x1b", None, None),
        ("a" * (MAX_FILE_NAME + 1) + ".ttl", None, ("a" * (MAX_FILE_NAME + 1) + ".ttl")[-200:]),
    ],
)
def test_one_rule_for_the_name_of_a_sent_file(
    raw: str, kept: str | None, stripped: str | None
) -> None:
    """The submissions API refuses what gives None, the Graph Store names the file after
    itself, the browser's upload keeps the name without the characters a terminal or a page
    would act on (``registry.loading.sources.sent_file_name``)."""
    assert sent_file_name(raw) == kept
    assert sent_file_name(raw, strip=True) == stripped
