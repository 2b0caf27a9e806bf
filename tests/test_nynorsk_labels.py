"""Nynorsk labels of the vocabulary: every bokmål (``@nb``) literal of the ontology, the theme
scheme, the value sets and the SHACL shapes has a nynorsk (``@nn``) twin, so that a nynorsk page
shows class names, statuses, themes, field names and the shapes' texts in nynorsk instead of in
bokmål marked «(på bokmål)».

The files are read as they are shipped; the pages are the real app over a real socket on the
bundled data (``ogpreg init``), in a store of their own.
"""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ontology import ontology_files
from registry.namespaces import THEME_NS, VOCAB_NS
from shapes import shapes_file
from tests.endpoint_server import Running, running

BROWSER = "text/html,application/xhtml+xml"
SH = "http://www.w3.org/ns/shacl#"
#: the four files whose @nb literals need a twin
FILES = {
    "ontology/ogp.ttl": lambda: ontology_files()["ontology"],
    "ontology/themes.ttl": lambda: ontology_files()["themes"],
    "ontology/values.ttl": lambda: ontology_files()["values"],
    "shapes/ogp-shapes.ttl": shapes_file,
}
#: a commitment of the bundled data with a theme and a registry status
COMMITMENT = "id/commitment/NO0057"
THEME = URIRef(THEME_NS + "open-data")
STATUS = URIRef(VOCAB_NS + "status/completed")


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {
        name: Graph().parse(data=f().read_bytes(), format="turtle") for name, f in FILES.items()
    }


def _by_lang(g: Graph, s: object, p: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in g.objects(s, p):  # type: ignore[arg-type]
        if isinstance(o, Literal) and o.language:
            out.setdefault(o.language, []).append(str(o))
    return out


def _pairs(g: Graph) -> Iterator[tuple[object, object, str, list[str]]]:
    """Every subject and predicate with a bokmål literal: (s, p, bokmål, nynorsk texts)."""
    seen = set()
    for s, p, o in g:
        if isinstance(o, Literal) and o.language == "nb" and (s, p) not in seen:
            seen.add((s, p))
            langs = _by_lang(g, s, p)
            for nb in langs["nb"]:
                yield s, p, nb, langs.get("nn", [])


# -- the files ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(FILES))
def test_every_bokmal_literal_has_one_nynorsk_twin(graphs: dict[str, Graph], name: str) -> None:
    g = graphs[name]
    pairs = list(_pairs(g))
    assert len(pairs) > 25, name
    missing = [(str(s), str(p), nb) for s, p, nb, nn in pairs if not nn]
    assert not missing, f"{len(missing)} @nb literal(s) in {name} without @nn: {missing[:5]}"
    several = [(str(s), str(p), nn) for s, p, _nb, nn in pairs if len(nn) != 1]
    assert not several, f"more than one @nn for one subject and predicate: {several[:5]}"
    empty = [(str(s), str(p)) for s, p, _nb, nn in pairs if not nn[0].strip()]
    assert not empty, empty[:5]


def test_the_twins_are_nynorsk_not_copies_of_the_bokmal(graphs: dict[str, Graph]) -> None:
    """Texts differ between bokmål and nynorsk (a short label may be the same word, as
    «Handlingsplan» or «Status»; a longer text seldom is: «Frist for å sende inn forslag» is
    both), and no nynorsk text keeps the bokmål-only words of its twin."""
    sentences = same = 0
    bokmal_only = re.compile(r"\b(ikke|hvor|hva|hvem|hvilke|fra|mangler|må være|bare)\b")
    wrong = []
    for g in graphs.values():
        for s, p, nb, nn in _pairs(g):
            if len(nb) > 40:
                sentences += 1
                same += nb == nn[0]
            if bokmal_only.search(nn[0]) and not _quoted_only(nn[0], bokmal_only):
                wrong.append((str(s), str(p), nn[0]))
    assert sentences > 300
    assert same < sentences / 50, f"{same} of {sentences} texts copied unchanged from bokmål"
    assert not wrong, wrong[:5]


def _quoted_only(text: str, words: re.Pattern[str]) -> bool:
    """The bokmål words of ``text`` are all inside quotes («…», "…"): names of columns or
    examples the texts keep in bokmål on purpose."""
    unquoted = re.sub(r"«[^»]*»|\"[^\"]*\"", "", text)
    return not words.search(unquoted)


#: what a text must keep exactly, in the order tried: Turtle literals ("…"@nb, "…"^^xsd:date),
#: IRIs (<…>), pySHACL's placeholders and the texts' own ({?value}, {$this}, {base}), commands
#: in single quotes, regular expressions (^…$), prefixed names (ogp:leadAgency, vocab:status)
_SYNTAX = re.compile(
    r"\"[^\"]*\"(?:@[A-Za-z-]+|\^\^[A-Za-z]+:[A-Za-z]+)?"
    r"|<[^>\s]+>"
    r"|\{[?$]?[A-Za-z_][\w-]*\}"
    r"|'[^']*'"
    r"|\^\S+\$"
    r"|\b[a-z][a-z0-9]*:[A-Za-z_][\w.-]*\w"
)


def _syntax(text: str) -> Counter[str]:
    return Counter(_SYNTAX.findall(text))


def test_placeholders_and_turtle_in_the_texts_are_kept(graphs: dict[str, Graph]) -> None:
    """Every placeholder, IRI, prefixed name and Turtle literal of a bokmål text is in its
    nynorsk twin exactly, as often (the shapes' messages above all: pySHACL fills in
    ``{?value}``, ``{$this}``)."""
    checked = 0
    wrong = []
    for name, g in graphs.items():
        for s, p, nb, nn in _pairs(g):
            want = _syntax(nb)
            checked += bool(want)
            if nn and _syntax(nn[0]) != want:
                wrong.append((name, str(s), str(p), dict(want), dict(_syntax(nn[0]))))
    assert checked > 200
    assert not wrong, wrong[:3]
    # the SPARQL constraints' placeholders, in particular
    shapes = graphs["shapes/ogp-shapes.ttl"]
    with_value = [
        _by_lang(shapes, s, URIRef(SH + "message"))
        for s in set(shapes.subjects(URIRef(SH + "message"), None))
        if any("{?value}" in str(o) for o in shapes.objects(s, URIRef(SH + "message")))
    ]
    assert len(with_value) >= 4
    for texts in with_value:
        assert "{?value}" in texts["nn"][0], texts


def test_the_language_rules_allow_nynorsk_where_they_allow_bokmal_and_english(
    graphs: dict[str, Graph],
) -> None:
    """A list of allowed languages (``sh:languageIn``) with bokmål and English has nynorsk too
    (the registry takes nynorsk reasons for status changes, ``reason_lang``); a list with
    bokmål alone is a requirement (a title in bokmål) and stays so."""
    from rdflib.collection import Collection

    shapes = graphs["shapes/ogp-shapes.ttl"]
    lists = [
        [str(x) for x in Collection(shapes, o)]
        for o in shapes.objects(None, URIRef(SH + "languageIn"))
    ]
    assert ["nb"] in lists
    assert all("nn" in langs for langs in lists if "nb" in langs and "en" in langs), lists
    # the concepts' labels: at most one per language, as the shapes require (sh:uniqueLang)
    for name in ("ontology/themes.ttl", "ontology/values.ttl"):
        g = graphs[name]
        for c in g.subjects(RDF.type, SKOS.Concept):
            assert all(len(v) == 1 for v in _by_lang(g, c, SKOS.prefLabel).values()), c


# -- the pages ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = tmp_path_factory.mktemp("nynorsk-labels") / "store"
    shutil.copytree(initialised_store, store)
    with running(store) as r:
        yield r


def _get(site: Running, path: str) -> str:
    resp = requests.get(site.url + path, headers={"Accept": BROWSER}, timeout=30)
    assert resp.status_code == 200, (path, resp.status_code)
    assert resp.headers["Content-Language"] == "nn"
    return resp.text


#: a text shown in bokmål on a nynorsk page, with its visible note (endpoint/templates/pages/
#: _macros.html, macro ``text``)
_FALLBACK = re.compile(r'<span lang="nb">([^<]*)</span>\s*<span class="fallback">\(([^)<]*)\)')


def _vocabulary_fallbacks(page: str, graphs: dict[str, Graph]) -> list[str]:
    vocabulary = {nb for g in graphs.values() for _s, _p, nb, _nn in _pairs(g)}
    return [
        html.unescape(text)
        for text, _note in _FALLBACK.findall(page)
        if html.unescape(text) in vocabulary
    ]


def test_a_commitment_page_in_nynorsk_shows_its_theme_and_status_in_nynorsk(
    site: Running, graphs: dict[str, Graph]
) -> None:
    page = _get(site, COMMITMENT + "?lang=nn")
    theme = _by_lang(graphs["ontology/themes.ttl"], THEME, SKOS.prefLabel)
    status = _by_lang(graphs["ontology/values.ttl"], STATUS, SKOS.prefLabel)
    assert "nn" in theme and "nn" in status, "theme:open-data and status:completed in nynorsk"
    assert theme["nn"] != theme["nb"] and status["nn"] != status["nb"]
    # the theme, a link in the facts (and in the history's table); the status, a badge
    links = re.findall(r'<a href="[^"]*/theme/open-data\?lang=nn">(.*?)</a>', page, re.S)
    assert links, "the theme's link"
    for inner in links:
        # the label itself, in the page's language: no lang="nb", no «(på bokmål)»
        assert inner == html.escape(theme["nn"][0], quote=False), inner
    badge = re.search(r'<dd id="registry-status">(.*?)</dd>', page, re.S)
    assert badge is not None, "the status badge"
    assert f">{html.escape(status['nn'][0], quote=False)}</a>" in badge.group(1), badge.group(1)
    assert 'lang="nb"' not in badge.group(1) and "fallback" not in badge.group(1)
    # the bundled data's own bokmål texts (its title, names) are still marked; no label of
    # the vocabulary is
    assert _FALLBACK.search(page), "the commitment's bokmål title is marked (a premise)"
    assert _vocabulary_fallbacks(page, graphs) == []


@pytest.mark.parametrize("path", ["def", "def/theme", "def/vocab/status", "def/shapes"])
def test_the_vocabulary_pages_in_nynorsk_show_no_bokmal_label(
    site: Running, graphs: dict[str, Graph], path: str
) -> None:
    page = _get(site, path + "?lang=nn")
    assert _vocabulary_fallbacks(page, graphs) == []
    assert "(på bokmål)" not in html.unescape(page)
