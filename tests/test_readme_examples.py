"""The README is true (issue 19): every command and URL example in README.md is run, in real
processes, against a real initialised store and the real server (``ogpreg serve`` on a free
port, as the README starts it), and must do what the README says.

Every example is found by :func:`examples` (lines of ``sh`` blocks; inline commands; URLs of
the local server) and must be classified in :data:`HOW` (or be a synopsis with metavariables,
whose options are checked against the command's ``--help``): a new README example fails
:func:`test_every_readme_example_is_covered` until it is run here or its skip is explained.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import requests

from endpoint.asof import OSLO
from endpoint.pages.query import load_examples
from tests.conftest import BASE
from tests.endpoint_server import address_line

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
VENV_BIN = Path(sys.executable).parent

#: How each concrete example is checked: "run" (a shell command, exit 0 unless its comment
#: says "exit N"), "http" (a URL or a request of the running server), or a reason to skip.
SKIP_INSTALL = "installs the package: .ci/run does exactly this in a fresh virtualenv"
SKIP_ENGINE = "an external engine (Oxigraph server): tests/test_remote_*.py run these paths"
SKIP_LONG = "a long benchmark or soak run, not a test (docs/performance.md)"
HOW: dict[str, str] = {
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/ogpreg serve": "serve",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest":
        "the test command itself",
    "python -m pytest": "the test command itself",
    "POST /api/submissions": "what `ogpreg load --remote` sends spreadsheets and JSON to: "
    "tests/test_submit_remote.py runs it against the real server",
    "ogpreg serve": "serve",
    "ogpreg serve --server granian": "tests/test_granian_server.py runs it in a real process",
    "curl -C -": "tests/test_download_range.py resumes a download with it from the real server",
    "ogpreg init": "run",
    "ogpreg export": "run",
    "ogpreg stats": "run",
    "ogpreg optimize": "run",
    "ogpreg token list": "run",
    "ogpreg dcat -o catalog.ttl": "run",
    ".venv/bin/ogpreg query @examples/queries/commitments-by-lead-agency.rq": "run",
    "curl -H 'Accept: text/csv' --data-urlencode "
    "'query@examples/queries/commitments-by-lead-agency.rq' http://localhost:8000/sparql": "run",
    "ogpreg query 'SELECT ?id ?title WHERE { ?c a ogp:Commitment ; dct:identifier ?id ; "
    'dct:title ?title FILTER(lang(?title)="nb") } ORDER BY ?id\'': "run",
    "ogpreg validate --lang en tests/fixtures/rdf/bad-orgnr.ttl": "run",
    "ogpreg load --submitted-by 972417858 tests/fixtures/rdf/valid-commitment.ttl": "run",
    "ogpreg query @examples/queries/provenance.rq": "run",
    "ogpreg token add --org 912660680 --role submitter > nfd.token": "run",
    "ogpreg load --remote https://ogp.example.no/ --token @nfd.token tillegg.ttl": "run",
    "ogpreg load --recorded-at 2019-06-01T12:00:00+02:00 FILE": "synopsis",
    "python ../shared/tools/validate_dcat.py http://127.0.0.1:8000/catalog --accept text/turtle":
        "run",
    "oxigraph serve --location /var/lib/oxigraph --bind 127.0.0.1:7878 --timeout-s 30":
        SKIP_ENGINE,
    "export OGPREG_ENGINE=oxigraph OGPREG_ENGINE_QUERY_URL=http://127.0.0.1:7878/query":
        SKIP_ENGINE,
    "export OGPREG_STATE_DIR=/var/lib/ogp-registry/state": SKIP_ENGINE,
    "ogpreg init && ogpreg serve": SKIP_ENGINE,
    ".venv/bin/pip install -e '.[bench]'": SKIP_INSTALL,
    ".venv/bin/python benchmarks/generate.py --commitments 10000 --seed 42 -o synthetic-10k.nq":
        SKIP_LONG,
    ".venv/bin/python benchmarks/bench_endpoint.py --commitments 10000": SKIP_LONG,
    ".venv/bin/python benchmarks/bench_submission.py": SKIP_LONG,
    ".venv/bin/python benchmarks/bench_remote.py": SKIP_LONG,
    ".venv/bin/python benchmarks/bench_pages.py --sizes 0,10000 --small-answers": SKIP_LONG,
    ".venv/bin/python benchmarks/bench_update.py --stores /tmp/pages/store-0 "
    "/tmp/pages/store-10000": SKIP_LONG,  # runs on a small store: tests/test_update_confined.py
    "python benchmarks/soak_crash.py": SKIP_LONG,
    "python benchmarks/soak_load.py": SKIP_LONG,
    "python scripts/mutation_check.py": "runs the named tests many times (docs/testing.md)",
    "python scripts/build_bundled.py": "rewrites registry/data/ from ../shared "
    "(tests/test_bundled.py checks the bundled data is what it builds)",
    "python scripts/build_bundled.py && python scripts/ogp_commitments.py": "rewrites "
    "registry/data/ from ../shared (tests/test_bundled.py and tests/test_bundled_ogp.py check "
    "the bundled files are what the scripts write)",
    "http://localhost:8000/": "http",
    "http://localhost:8000/query": "http",
    "http://localhost:8000/sparql": "http",
    "http://127.0.0.1:8000/catalog": "http",
    "http://127.0.0.1:8000/sparql?csv=raw&query=…": "http",
    "GET /catalog": "http",
    "GET /feed": "http",
    "POST /api/status": "http",
    "POST /api/erase": "http",
    "POST /sparql/update": "http",
    "?as_of=2019-07-01": "http",
    "/sparql?as_of=2019-07-01&query=…": "http",
}
#: Commands named in the prose without arguments (each must exist: ``--help`` works).
MENTIONS = ("ogpreg status", "ogpreg history", "ogpreg erase", "ogpreg load",
            "ogpreg load --remote", "ogpreg query --format csv", "ogpreg load URL",
            "ogpreg load --recorded-at", "/sparql?query=…")
_METAVAR = re.compile(r"\b(FILE|URI|URL|ID|TOKEN|QUERY|DIR|ORG|TEXT|STATUS|KIND)\b|…|\\\|")


def examples() -> list[str]:
    """Every command and URL example in the README, in order, without comments."""
    text = README.read_text("utf-8")
    found: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                found.append(line)
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    for m in re.finditer(r"`([^`\n]+)`", prose):
        c = m.group(1)
        if (re.match(r"(\.venv/bin/)?(ogpreg|curl|python3?) ", c) or c == "ogpreg serve"
                or c.startswith(("/sparql?", "?as_of", "GET /", "POST /"))
                or re.match(r"https?://(localhost|127\.0\.0\.1):8000/", c)):
            found.append(c)
    for m in re.finditer(r"(?<![`'])https?://(?:localhost|127\.0\.0\.1):8000/[^\s`'()]*", prose):
        found.append(m.group(0).rstrip(".,"))
    return list(dict.fromkeys(found))


def _synopsis(example: str) -> bool:
    return example.startswith("ogpreg ") and bool(_METAVAR.search(example))


def _exit_code(example: str) -> int:
    text = README.read_text("utf-8")
    line = next((x for x in text.splitlines() if x.strip().startswith(example)), "")
    m = re.search(r"#.*\bexit (\d)", line)
    return int(m.group(1)) if m else 0


# -- the README's claims -----------------------------------------------------------------------
def test_every_readme_example_is_covered() -> None:
    found = examples()
    assert len(found) > 40
    uncovered = [e for e in found if e not in HOW and not _synopsis(e) and e not in MENTIONS]
    assert uncovered == [], "README examples no test runs (add them to HOW): " + repr(uncovered)


def test_the_readme_counts_the_example_queries_the_page_shows() -> None:
    text = README.read_text("utf-8")
    m = re.search(r"(\d+) example queries", text)
    assert m, "the README names the number of example queries"
    shipped = load_examples()
    assert int(m.group(1)) == len(shipped) == len(list((ROOT / "examples" / "queries").glob(
        "*.rq")))


def _help(args: list[str]) -> str:
    p = subprocess.run([str(VENV_BIN / "ogpreg"), *args, "--help"], capture_output=True,
                       text=True, check=False, cwd=ROOT)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout


def test_every_synopsis_and_mention_names_a_real_command_and_real_options() -> None:
    for example in [e for e in examples() if _synopsis(e) or e in MENTIONS]:
        words = example.split()
        names = [w for w in words[1:3] if re.fullmatch(r"[a-z]+", w)]
        if names[1:] and names[0] != "token":
            names = names[:1]
        helptext = _help(names)
        for option in re.findall(r"--[a-z][a-z-]*", example):
            assert option in helptext, f"{example}: ogpreg {' '.join(names)} has no {option}"


# -- running them ------------------------------------------------------------------------------
@dataclass
class Site:
    url: str  # the running server, e.g. http://127.0.0.1:41234/
    work: Path  # the working directory of the commands
    env: dict[str, str]


@pytest.fixture(scope="module")
def site(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``ogpreg serve --port 0`` in a real process, on a copy of the initialised store, and a
    working directory with the repository's examples and fixtures (the README's paths)."""
    base = tmp_path_factory.mktemp("readme")
    store = base / "store"
    shutil.copytree(initialised_store, store)
    work = base / "work"
    work.mkdir()
    for name in ("tests", "examples", ".venv"):
        (work / name).symlink_to(ROOT / name if name != ".venv" else VENV_BIN.parent)
    shutil.copy(ROOT / "tests" / "fixtures" / "rdf" / "valid-commitment.ttl",
                work / "tillegg.ttl")
    env = {**os.environ, "OGPREG_STORE": str(store), "OGPREG_BASE_URI": BASE,
           "OGPREG_QUERY_WORKERS": "2", "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("OGPREG_TOKEN", None)
    proc = subprocess.Popen([str(VENV_BIN / "ogpreg"), "serve", "--port", "0", "--lang", "en"],
                            env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    assert proc.stdout is not None
    url, lines = address_line(proc.stdout, r"(http://127\.0\.0\.1:\d+/)")
    assert url, "".join(lines)
    try:
        yield Site(url, work, env)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()


def local(site: Site, text: str) -> str:
    """An example with the README's server address replaced by the running server's."""
    return re.sub(r"https?://(?:localhost|127\.0\.0\.1):8000/", site.url, text)


def sh(site: Site, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=site.work, env=site.env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_readme_commands_work_in_order(site: Site) -> None:
    ran = 0
    for example in examples():
        if HOW.get(example) != "run":
            continue
        command = local(site, example)
        if "../shared/tools/validate_dcat.py" in command:
            tool = ROOT.parent / "shared" / "tools" / "validate_dcat.py"
            if not tool.is_file():
                if os.environ.get("CI") == "true":
                    pytest.fail(f"{tool} is missing in CI")
                continue
            command = command.replace("python ../shared/tools/", f"{sys.executable} {tool.parent}/")
        if command.startswith("curl ") and shutil.which("curl") is None:
            if os.environ.get("CI") == "true":
                pytest.fail("curl is missing in CI")
            continue
        if "--remote" in command:
            command = command.replace("https://ogp.example.no/", site.url)
        p = sh(site, command)
        assert p.returncode == _exit_code(example), (example, p.stdout[-2000:], p.stderr[-2000:])
        ran += 1
        check_output(site, example, p)
    assert ran >= 13


def check_output(site: Site, example: str, p: subprocess.CompletedProcess[str]) -> None:
    """What the README says each command shows."""
    if example.startswith(".venv/bin/ogpreg query @examples/queries/commitments-by-lead"):
        assert p.stdout.split()[:5] == ["lead", "|", "id", "|", "title"]
    if example.startswith("curl "):  # the same question over HTTP, as CSV
        assert p.stdout.splitlines()[0] == "lead,id,title"
        assert "NO0055" in p.stdout
    if example.startswith("ogpreg query 'SELECT ?id ?title"):
        assert "NO0054" in p.stdout
    if "bad-orgnr" in example:
        assert "wrong check digit" in p.stdout  # in English: --lang after the command
    if "provenance.rq" in example:
        assert "bundled-plan-2019-2021" in p.stdout
    if example.startswith("ogpreg token add"):
        assert len((site.work / "nfd.token").read_text().strip()) > 20
    if example.startswith("ogpreg dcat"):
        assert "dcat:Catalog" in (site.work / "catalog.ttl").read_text("utf-8")


def get(site: Site, path: str, **kw: object) -> requests.Response:
    return requests.get(site.url + path.lstrip("/"), timeout=60, **kw)  # type: ignore[arg-type]


def test_the_readme_urls_answer_as_it_says(site: Site) -> None:
    assert get(site, "/").status_code == 200
    query = get(site, "query")
    assert query.status_code == 200 and 'id="query-editor"' in query.text
    # /sparql for browsers: the query page; for a program: the service description
    page = get(site, "sparql", headers={"Accept": "text/html"})
    assert page.headers["Content-Type"].startswith("text/html")
    sd = get(site, "sparql", headers={"Accept": "text/turtle"})
    assert sd.status_code == 200 and "sd:Service" in sd.text
    catalog = get(site, "catalog")
    assert catalog.status_code == 200 and "dcat:Catalog" in catalog.text
    raw = get(site, "sparql", params={"csv": "raw", "query": 'SELECT ("=1+1" AS ?x) {}'},
              headers={"Accept": "text/csv"})
    assert raw.text.replace("\r\n", "\n") == "x\n=1+1\n"  # unescaped, as the README says
    feed = get(site, "feed", headers={"Accept": "text/turtle"})
    assert feed.status_code == 200 and "EventStream" in feed.text
    for path in ("api/status", "api/erase", "sparql/update"):  # need a token
        r = requests.post(site.url + path, timeout=60)
        assert r.status_code in (401, 415), (path, r.status_code)


def test_the_readme_as_of_examples_answer_as_it_says(site: Site) -> None:
    """``?as_of=2019-07-01`` shows an item as the registry had it at the end of that day: on a
    store made by ``ogpreg init`` today the history starts today, so that date is before the
    registry knew the item (404, the page says so); today's date shows it."""
    item = "id/commitment/NO0054"
    before = get(site, item, params={"as_of": "2019-07-01"})
    assert before.status_code == 404
    assert 'id="as-of' in before.text or "2019" in before.text
    # today in Norway, as the registry reads a date (the end of that day, Europe/Oslo): the
    # machine's date is a day behind from 23:00 (22:00 in summer) UTC, and that day ended
    # before this store was made
    today = get(site, item, params={"as_of": datetime.now(OSLO).date().isoformat()})
    assert today.status_code == 200
    q = 'SELECT ?id WHERE { ?c dct:identifier ?id } LIMIT 1'
    then = get(site, "sparql", params={"as_of": "2019-07-01", "query": q},
               headers={"Accept": "text/csv"})
    assert then.status_code == 200 and then.headers["OGP-As-Of"]
    assert then.text.strip() == "id"  # nothing was in the registry then
