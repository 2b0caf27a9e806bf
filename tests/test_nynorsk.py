"""Nynorsk (issue 19): the whole interface in nynorsk from the message catalogs, chosen with
``?lang=nn`` (pages), ``Accept-Language: nn``/``nn-NO`` (the JSON API), ``--lang nn`` (the
command line); a switch bokmål · nynorsk · English on every page; data shown in the reader's
language (nn → nb → en), with a visible note and its own ``lang`` when it is in another.

The catalog checks read registry/locale/nn/LC_MESSAGES/messages.po against the msgids in the
code (scripts/catalogs.py extracts them); the pages are the real app over a real socket on the
bundled data; the command line is the installed ``ogpreg`` in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from babel.messages.pofile import read_po

from registry.i18n import FALLBACKS, Lang, Msg, as_lang, msg, msg_n
from registry.model.text import pick
from tests.conftest import BASE
from tests.endpoint_server import Running, running

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import catalogs  # noqa: E402

LOCALE = ROOT / "registry" / "locale"
#: a placeholder of a msgid, as scripts/catalogs.py counts them
_PLACEHOLDER = catalogs._PLACEHOLDER  # noqa: SLF001
BROWSER = "text/html,application/xhtml+xml"
COMMITMENT = "id/commitment/NO0054"


def _po(lang: str) -> dict[object, object]:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def _forms(text: object) -> tuple[str, ...]:
    return tuple(text) if isinstance(text, (tuple, list)) else (str(text),)


# -- the catalogs ---------------------------------------------------------------------------------
def test_every_msgid_in_the_code_has_a_nynorsk_translation() -> None:
    """Strict: ``catalogs.py check`` only warns about a msgid without nynorsk (so that adding a
    msgid with its bokmål does not block anyone); this test and ``check --strict`` fail."""
    missing = catalogs.untranslated("nn")
    assert not missing, (
        f"{len(missing)} msgid(s) without nynorsk (python scripts/catalogs.py missing nn; add "
        f'{{"msgid": {{"nn": "…"}}}} to a JSON file and run python scripts/catalogs.py merge FILE): '
        f'{missing[:10]}'
    )
    assert not [p for p in catalogs.problems(strict=True) if p.startswith("nn:")]


def test_every_nynorsk_translation_keeps_the_placeholders() -> None:
    """Every ``{name}`` of a nynorsk translation is one of its msgid's, and every one the bokmål
    translation uses is there too (bokmål leaves out a few the English needs, such as
    ``{bokmal}`` beside a heading that is already in Norwegian)."""
    nn, nb = _po("nn"), _po("nb")
    assert len(nn) > 900
    wrong = []
    for msgid, text in nn.items():
        ids = _forms(msgid)
        for i, form in enumerate(_forms(text)):
            if not form:
                continue
            mine = set(_PLACEHOLDER.findall(form))
            allowed = {p for m in ids for p in _PLACEHOLDER.findall(m)}
            nb_forms = _forms(nb.get(msgid, ""))
            needed = set(_PLACEHOLDER.findall(nb_forms[min(i, len(nb_forms) - 1)]))
            if not mine <= allowed or not needed <= mine:
                wrong.append((msgid, form))
    assert not wrong, wrong[:5]


def test_nynorsk_is_a_catalog_of_its_own_with_plural_forms() -> None:
    assert as_lang("nn") == as_lang("nn-NO") == as_lang("nynorsk") == "nn"
    assert as_lang("nb-NO") == as_lang("no") == "nb"
    # a phrase that differs in every language
    text = msg("Write a query first.")
    assert (text.render("nb"), text.render("nn"), text.render("en")) == (
        "Skriv en spørring først.",
        "Skriv ei spørjing først.",
        "Write a query first.",
    )
    assert msg_n("{n} warning", "{n} warnings", 1).render("nn") == "1 åtvaring"
    assert msg_n("{n} warning", "{n} warnings", 3).render("nn") == "3 åtvaringar"
    # texts given per language (the shapes' messages): nynorsk falls back to bokmål
    assert Msg.texts(nb="bokmål", en="English").render("nn") == "bokmål"
    assert Msg.texts(nb="bokmål", nn="nynorsk", en="English").render("nn") == "nynorsk"


def test_data_is_chosen_in_the_readers_language_with_a_fallback() -> None:
    """registry/model/text.py pick(): nn → nb → en for a nynorsk reader, en → nb → nn for an
    English one, nb → nn → en for a bokmål one; a fallback is marked and keeps its tag."""
    assert FALLBACKS == {
        "nb": ("nb", "nn", "en"),
        "nn": ("nn", "nb", "en"),
        "en": ("en", "nb", "nn"),
    }
    three = [("English", "en"), ("Bokmål", "nb"), ("Nynorsk", "nn")]
    expected: tuple[tuple[Lang, str], ...] = (("nn", "Nynorsk"), ("nb", "Bokmål"), ("en", "English"))
    for lang, value in expected:
        found = pick(three, lang)
        assert found is not None and (found.value, found.fallback) == (value, False)
    for lang, texts, value in (
        ("nn", [("English", "en"), ("Bokmål", "nb")], "Bokmål"),
        ("nb", [("English", "en"), ("Nynorsk", "nn")], "Nynorsk"),
        ("en", [("Nynorsk", "nn"), ("Bokmål", "nb-NO")], "Bokmål"),
        ("nn", [("English", "en"), ("Ukjent", None)], "English"),
    ):
        found = pick(texts, lang)
        assert found is not None and (found.value, found.fallback) == (value, True), lang
        assert found.lang is not None and found.lang != lang


# -- the pages, over HTTP ------------------------------------------------------------------------
class Html(HTMLParser):
    """Every element with its attributes and its text (enough for these checks)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._open: list[int] = []
        self.texts: dict[int, str] = {}
        self.chunks: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("meta", "link", "input", "br", "img"):
            self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            i = self._open.pop()
            if self.elements[i][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        for i in self._open:
            self.texts[i] = self.texts.get(i, "") + data

    def find(self, tag: str, **attrs: str) -> list[tuple[dict[str, str], str]]:
        return [
            (a, self.texts.get(i, ""))
            for i, (t, a) in enumerate(self.elements)
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.chunks))


@pytest.fixture(scope="module")
def site(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = tmp_path_factory.mktemp("nynorsk") / "store"
    shutil.copytree(initialised_store, store)
    with running(store) as r:
        yield r


def page(site: Running, path: str, **headers: str) -> tuple[requests.Response, Html]:
    resp = requests.get(site.url + path, headers={"Accept": BROWSER, **headers}, timeout=30)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp, Html(resp.text)


def switch(doc: Html) -> dict[str, dict[str, str]]:
    """The language switch's links by language (``a.lang-link``)."""
    return {a["lang"]: a | {"text": t} for a, t in doc.find("a") if "lang-link" in a.get("class", "")}


def test_a_commitment_page_in_nynorsk_with_its_bokmal_title_marked(site: Running) -> None:
    resp, doc = page(site, COMMITMENT + "?lang=nn", **{"Accept-Language": "en"})
    assert resp.headers["Content-Language"] == "nn"
    assert doc.find("html")[0][0]["lang"] == "nn"
    # the interface in nynorsk
    assert "Hopp til innhaldet" in doc.text
    assert [t for _, t in doc.find("a", class_="skip-link")] == ["Hopp til innhaldet"]
    assert "Handlingsplanar" in doc.text and "Handlingsplaner" not in doc.text
    # the bundled commitment has no nynorsk title: bokmål, with its lang and a visible note
    h1 = doc.find("h1")[0][1]
    title = [t for a, t in doc.find("span", lang="nb") if t and t in h1]
    assert title, "the bokmål title must carry lang=nb on a nynorsk page"
    assert "(på bokmål)" in h1
    assert [t for _, t in doc.find("p", id="title-fallback")] == [
        "Tittelen eller namnet finst ikkje på nynorsk og blir difor vist på eit anna språk."
    ]
    # links inside the site keep the language
    hrefs = {a.get("href", "") for a, _ in doc.find("a")}
    assert BASE + "def?lang=nn" in hrefs
    assert not {h for h in hrefs if h.startswith(BASE) and "lang=en" in h} - {
        switch(doc)["en"]["href"]
    }


def test_every_page_has_the_switch_bokmal_nynorsk_english(site: Running) -> None:
    for path in ("", COMMITMENT, "search?q=innsyn", "def", "query"):
        sep = "&" if "?" in path else "?"
        for lang in ("nb", "nn", "en"):
            url = path + (f"{sep}lang={lang}" if lang != "nb" else "")
            _, doc = page(site, url)
            links = switch(doc)
            assert list(links) == ["nb", "nn", "en"], url
            assert [links[x]["text"].strip() for x in links] == [
                "Norsk (bokmål)",
                "Norsk (nynorsk)",
                "English",
            ]
            for code, a in links.items():
                assert a["hreflang"] == code
                # the current language is marked, the others say where they go in their language
                if code == lang:
                    assert a.get("aria-current") == "page", url
                else:
                    assert "aria-current" not in a
                    assert a["aria-label"] == {
                        "nb": "Bytt til norsk (bokmål)",
                        "nn": "Byt til norsk (nynorsk)",
                        "en": "Switch to English",
                    }[code]
                target = a["href"]
                assert ("lang=" + code in target) == (code != "nb"), (url, target)
            # the switch's main link (kept for scripts and old links): English, or bokmål
            main = [a for a in links.values() if a.get("id") == "lang-switch"]
            assert [a["lang"] for a in main] == ["nb" if lang == "en" else "en"]
            nav = doc.find("nav", class_="lang-switch")
            assert nav and nav[0][0]["aria-label"] == ("Language" if lang == "en" else "Språk")


def test_the_switch_from_nynorsk_and_the_search_form_keep_the_page(site: Running) -> None:
    _, doc = page(site, "search?q=innsyn&lang=nn")
    links = switch(doc)
    assert links["nb"]["href"] == BASE + "search?q=innsyn"
    assert links["en"]["href"] == BASE + "search?q=innsyn&lang=en"
    hidden = [a for a, _ in doc.find("input") if a.get("type") == "hidden"]
    assert {"name": "lang", "value": "nn"} in [
        {"name": a["name"], "value": a["value"]} for a in hidden
    ]


def test_pages_stay_bokmal_for_a_nynorsk_browser_until_lang_nn(site: Running) -> None:
    """Like English: the page language is in the URL, not taken from Accept-Language."""
    resp, doc = page(site, COMMITMENT, **{"Accept-Language": "nn-NO,nn;q=0.9"})
    assert resp.headers["Content-Language"] == "nb"
    assert doc.find("html")[0][0]["lang"] == "nb"
    resp, doc = page(site, "query?lang=nn")
    assert resp.headers["Content-Language"] == "nn"
    assert [t for _, t in doc.find("button", id="run-query")] == ["Køyr spørjinga"]
    data = json.loads([t for a, t in doc.find("script", id="ui-data")][0])
    assert data["lang"] == "nn"


def test_json_errors_in_nynorsk_by_accept_language_or_lang(site: Running) -> None:
    for headers, params in (
        ({"Accept-Language": "nn-NO"}, {}),
        ({"Accept-Language": "nn"}, {}),
        ({}, {"lang": "nn"}),
    ):
        resp = requests.get(
            site.sparql,
            params={"query": "SELEC ?x WHERE {}", **params},
            headers={"Accept": "application/sparql-results+json", **headers},
            timeout=30,
        )
        assert resp.status_code == 400, resp.text
        message = resp.json()["message"]
        assert message.startswith("Syntaksfeil i SPARQL-spørjinga på linje 1, kolonne 1"), message
    resp = requests.get(
        site.sparql,
        params={"query": "SELEC ?x WHERE {}"},
        headers={"Accept": "application/sparql-results+json", "Accept-Language": "en"},
        timeout=30,
    )
    assert resp.json()["message"].startswith("Syntax error in the SPARQL query")


# -- the command line ----------------------------------------------------------------------------
def _ogpreg(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("ogpreg")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGPREG_")}
    return subprocess.run(
        [str(exe), "--store", str(store), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_command_line_speaks_nynorsk_with_lang_nn(
    initialised_store: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "forpliktingar.csv"
    bad.write_text("x,y\n1,2\n", encoding="utf-8")
    for args in (("--lang", "nn", "validate", str(bad)), ("validate", "--lang", "nn", str(bad))):
        run = _ogpreg(*args, store=initialised_store)
        assert run.returncode == 1, run.stderr
        out = run.stdout + run.stderr
        assert "Fann ingen kjende kolonnar i fila." in out, out
        assert "1 feil og 0 åtvaringar." in out, out
    run = _ogpreg("query", "--lang", "nn", "SELEC ?x WHERE {}", store=initialised_store)
    assert run.returncode != 0
    assert "Syntaksfeil i SPARQL-spørjinga på linje 1, kolonne 1" in run.stderr, run.stderr
    run = _ogpreg("--lang", "nn", "validate", str(tmp_path / "finst-ikkje.csv"),
                  store=initialised_store)
    assert "Finn ikkje fila" in run.stderr, run.stderr
