"""Fixtures of the browser tests: the real server with its own store, and headless Chromium.

The store is initialised with the server's own address as its base URI (the links in the pages
come from the base URI, so a browser can only follow them if the base is where the server is).
Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright for Python; ``playwright
install`` is never run. Without Chromium or Playwright the tests are skipped on a developer
machine and fail when ``CI=true``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from endpoint.app import create_app
from registry.loading.sources import SourceFile
from registry.service import open_registry
from tests.conftest import make_settings
from tests.endpoint_server import running_granian, servers

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts" / "browser"
PAGES = ROOT / "tests" / "fixtures" / "pages"


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing in CI (.ci/run installs Debian's chromium)")
    pytest.skip(f"{what} not available")


#: axe-core, installed by ``npm ci`` in tests/browser (.ci/run does it; package.json pins it)
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
#: the rules checked: WCAG 2.1 A and AA (the law for Norwegian public web sites)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_axe() -> None:
    """Skip (fail in CI) when axe-core is not installed."""
    if not AXE.is_file():
        _missing(f"{AXE} (cd tests/browser && npm ci)")


def axe_violations(page: Any) -> list[str]:
    """Inject axe-core into ``page`` (its context must bypass the pages' Content-Security-Policy,
    which allows no injected script) and run the WCAG 2.1 A/AA rules: one line per violation,
    with up to three of the elements concerned."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(n["target"][0] + " " + n["html"][:120] for n in v["nodes"][:3])
        for v in result["violations"]
    ]


@pytest.fixture(scope="session")
def playwright_api() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        _missing(CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (pip install -e '.[test]')")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_api: Any) -> Iterator[Any]:
    b = playwright_api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session", params=servers())
def live_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The registry with the bundled data and the page fixtures, served by the production
    server at a base URI that is its own address: waitress (endpoint/server.py, in this
    process) and granian (``ogpreg serve --server granian``, a process of its own; in CI
    always), each test once under each. Yields the base URI."""
    from endpoint.server import Server

    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    store = tmp_path_factory.mktemp("browser") / "store"
    settings = make_settings(store, base_uri=base)
    registry = open_registry(settings)
    registry.init()
    for sid, name, by in (
        ("pages-story", "commitment-story.ttl", None),
        ("pages-story-cs", "commitment-story-civil-society.ttl", "norsk-journalistlag"),
        ("pages-withdrawn", "withdrawn.ttl", None),
    ):
        data = (PAGES / name).read_bytes()
        org = base + "id/organisation/" + by if by else None
        registry.load([SourceFile(name, data, sid)], submitted_by=org)
    if request.param == "granian":
        with running_granian(store, port=port, base_uri=base, http_threads=4) as served:
            assert served.url == base, (served.url, base)
            yield base
        return
    app = create_app(settings, registry=registry)
    server = Server(app, host="127.0.0.1", port=port, threads=4)
    server.start_in_thread()
    try:
        yield base
    finally:
        server.close()


@pytest.fixture
def page(browser: Any, live_site: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


@pytest.fixture
def tab(browser: Any) -> Iterator[Callable[..., Any]]:
    """A new page: ``tab(width, js=True, forced=False)``, in a context of its own (closed after
    the test) that bypasses the pages' Content-Security-Policy, so that a test may inject
    axe-core or add a reader's style sheet; ``forced``: forced colours, dark. A test module
    may define a ``tab`` of its own (test_query_page_browser.py, test_a11y_forms.py)."""
    contexts: list[Any] = []

    def make(width: int = 1280, js: bool = True, forced: bool = False) -> Any:
        ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO",
                                  bypass_csp=True, java_script_enabled=js)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        if forced:
            cdp = ctx.new_cdp_session(page)
            cdp.send("Emulation.setEmulatedMedia", {"features": [
                {"name": "forced-colors", "value": "active"},
                {"name": "prefers-color-scheme", "value": "dark"},
            ]})
        return page

    yield make
    for ctx in contexts:
        ctx.close()
