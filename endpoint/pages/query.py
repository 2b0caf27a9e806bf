"""The query UI for browsers: ``/query``, and ``/sparql`` when a browser asks it for HTML
without a query (the protocol view calls ``extras["sparql_html"]``).

An editor with SPARQL highlighting, the registry's prefixes, the example queries shipped in
``endpoint/examples/`` and results as a table. The page talks to ``/sparql`` over the SPARQL 1.1
Protocol with ``fetch()``; its script and style sheet are package data under
``endpoint/static/ui/`` (nothing from a CDN, and a Content-Security-Policy that allows only this
server). See docs/queries.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from flask import Blueprint, Flask, Response, render_template, request

from endpoint.app import state
from registry.i18n import Lang, as_lang
from registry.namespaces import PREFIXES

bp = Blueprint("ui", __name__)

#: The order the examples are listed in: the questions people ask first come first.
#: Examples not named here follow in alphabetical order.
EXAMPLE_ORDER: tuple[str, ...] = (
    "commitments-by-lead-agency",
    "commitments-of-one-ministry",
    "commitments-per-theme",
    "commitments-per-ogp-value",
    "milestones",
    "milestones-due-in-period",
    "overdue-milestones",
    "progress-by-completion-level",
    "commitments-from-civil-society-proposals",
    "proposals-and-comments",
    "invited-organisations-participation",
    "organisations-with-register-links",
    "provenance",
    "statements-by-source",
    "commitments-without-english-title",
)

#: What the page allows the browser to load: this server only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'self'"
)

# Comments, strings and IRIs are skipped when looking for prefixed names (an IRI such as
# <https://w3id.org/ogp-no/def#> holds a "#" and a ":" that are neither).
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_PNAME = re.compile(r"(?<![\w.\-?$:])([A-Za-z][\w\-]*(?:\.[\w\-]+)*)?:")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w\-.]*)?:", re.IGNORECASE)


def used_prefixes(query: str) -> list[str]:
    """The registry's prefixes that ``query`` uses without declaring, in PREFIXES order."""
    code = _SKIP.sub(" ", query)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(code)}
    code = _DECLARED.sub(" ", code)
    used = {m.group(1) or "" for m in _PNAME.finditer(code)}
    return [p for p in PREFIXES if p in used and p not in declared]


def with_prefixes(query: str) -> str:
    """``query`` with a PREFIX line for every registry prefix it uses without declaring,
    inserted after its leading comment lines, so that it runs in any SPARQL tool."""
    missing = used_prefixes(query)
    if not missing:
        return query
    lines = query.splitlines(keepends=True)
    head = 0
    while head < len(lines) and lines[head].lstrip().startswith("#"):
        head += 1
    decl = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing)
    return "".join(lines[:head]) + decl + "".join(lines[head:])


@dataclass(frozen=True)
class Example:
    """One example query: the file's stem, its question in both languages, its text."""

    stem: str
    title_en: str
    title_nb: str
    text: str

    def title(self, lang: Lang) -> str:
        return self.title_en if lang == "en" else self.title_nb

    @property
    def query(self) -> str:
        """The text as shown in the editor: with the PREFIX lines it needs."""
        return with_prefixes(self.text)


def parse_example(stem: str, text: str) -> Example:
    """An example from its file: line 1 ``# question in English``, line 2 ``# in bokmål``."""
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("#").strip())
    if len(comments) < 2 or not all(comments[:2]):
        raise ValueError(
            f"example {stem}.rq must open with two comment lines: the question in English, "
            "then in bokmål"
        )
    return Example(stem, comments[0], comments[1], text)


@lru_cache(maxsize=1)
def load_examples() -> tuple[Example, ...]:
    """The example queries shipped in the package (``endpoint/examples/*.rq``), in
    :data:`EXAMPLE_ORDER`."""
    folder = resources.files("endpoint").joinpath("examples")
    found = {
        f.name[: -len(".rq")]: f.read_text("utf-8")
        for f in folder.iterdir()
        if f.name.endswith(".rq")
    }
    rank = {stem: i for i, stem in enumerate(EXAMPLE_ORDER)}
    stems = sorted(found, key=lambda s: (rank.get(s, len(rank)), s))
    return tuple(parse_example(s, found[s]) for s in stems)


#: The page's words. Keys are used by the template and (``js_*``) by the script.
STRINGS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "SPARQL-spørringer",
        "site": "OGP-registeret",
        "skip": "Hopp til spørringen",
        "intro": "Spør registeret over Norges handlingsplaner for Open Government Partnership "
        "med SPARQL. Velg et eksempel, eller skriv din egen spørring.",
        "switch": "English",
        "switch_lang": "en",
        "switch_label": "Switch to English",
        "examples": "Eksempler",
        "examples_hint": "Et klikk legger spørringen i redigeringsfeltet.",
        "editor": "SPARQL-spørring",
        "editor_hint": "Ctrl+Enter (⌘+Enter på Mac) kjører spørringen. Tab flytter fokus videre.",
        "run": "Kjør spørringen",
        "insert_prefixes": "Legg til manglende prefikser",
        "prefixes": "Prefikser",
        "prefixes_intro": "Registerets prefikser. Eksemplene tar med PREFIX-linjene de bruker, "
        "så de virker i alle SPARQL-verktøy.",
        "prefix": "Prefiks",
        "namespace": "Navnerom",
        "download": "Last ned svaret på spørringen:",
        "download_csv": "CSV",
        "download_json": "JSON",
        "results": "Resultat",
        "no_results_yet": "Kjør en spørring for å se svaret her.",
        "noscript": "Siden trenger JavaScript for å vise svaret som en tabell. Uten "
        "JavaScript sender «Kjør spørringen» spørringen rett til endepunktet.",
        "endpoint": "SPARQL-endepunkt",
        "js_running": "Kjører spørringen …",
        "js_rows": "{n} rader",
        "js_row": "1 rad",
        "js_triples": "{n} tripler",
        "js_true": "Ja (true)",
        "js_false": "Nei (false)",
        "js_ask": "Svar på ASK-spørringen:",
        "js_truncated": "Svaret er avkortet etter {n} rader, som er grensen på endepunktet. "
        "Avgrens spørringen (LIMIT, FILTER), eller last ned hele datasettet.",
        "js_truncated_unknown": "Svaret er avkortet (radgrensen på endepunktet). Avgrens "
        "spørringen (LIMIT, FILTER), eller last ned hele datasettet.",
        "js_dumps": "Fullstendige datadumper",
        "js_error": "Spørringen mislyktes",
        "js_network": "Fikk ikke kontakt med endepunktet. Prøv igjen om litt.",
        "js_empty_query": "Skriv en spørring først.",
        "js_loaded": "Eksempelet «{title}» er lagt i redigeringsfeltet.",
        "js_prefixes_added": "La til {n} PREFIX-linjer.",
        "js_prefixes_none": "Ingen prefikser manglet.",
        "js_raw": "Svaret ({type}):",
        "js_table_caption": "Svar på spørringen",
    },
    "en": {
        "title": "SPARQL queries",
        "site": "The OGP registry",
        "skip": "Skip to the query",
        "intro": "Query the registry of Norway's Open Government Partnership action plans "
        "with SPARQL. Pick an example or write your own query.",
        "switch": "Norsk (bokmål)",
        "switch_lang": "nb",
        "switch_label": "Bytt til norsk (bokmål)",
        "examples": "Examples",
        "examples_hint": "A click puts the query into the editor.",
        "editor": "SPARQL query",
        "editor_hint": "Ctrl+Enter (⌘+Enter on a Mac) runs the query. Tab moves the focus on.",
        "run": "Run the query",
        "insert_prefixes": "Add missing prefixes",
        "prefixes": "Prefixes",
        "prefixes_intro": "The registry's prefixes. The examples carry the PREFIX lines they "
        "use, so they work in any SPARQL tool.",
        "prefix": "Prefix",
        "namespace": "Namespace",
        "download": "Download the answer to the query:",
        "download_csv": "CSV",
        "download_json": "JSON",
        "results": "Results",
        "no_results_yet": "Run a query to see its answer here.",
        "noscript": "The page needs JavaScript to show the answer as a table. Without "
        "JavaScript, \u201cRun the query\u201d sends the query straight to the endpoint.",
        "endpoint": "SPARQL endpoint",
        "js_running": "Running the query …",
        "js_rows": "{n} rows",
        "js_row": "1 row",
        "js_triples": "{n} triples",
        "js_true": "Yes (true)",
        "js_false": "No (false)",
        "js_ask": "Answer to the ASK query:",
        "js_truncated": "The answer is truncated after {n} rows, the endpoint's limit. "
        "Narrow the query (LIMIT, FILTER) or download the whole dataset.",
        "js_truncated_unknown": "The answer is truncated (the endpoint's row limit). Narrow "
        "the query (LIMIT, FILTER) or download the whole dataset.",
        "js_dumps": "Full data dumps",
        "js_error": "The query failed",
        "js_network": "Could not reach the endpoint. Try again in a moment.",
        "js_empty_query": "Write a query first.",
        "js_loaded": "The example \u201c{title}\u201d is in the editor.",
        "js_prefixes_added": "Added {n} PREFIX lines.",
        "js_prefixes_none": "No prefixes were missing.",
        "js_raw": "The answer ({type}):",
        "js_table_caption": "Answer to the query",
    },
}


def _page_lang() -> Lang:
    """Bokmål unless ``?lang=en``: like the registry's pages, the page does not follow the
    browser's Accept-Language, so every link to it shows the same page."""
    try:
        return as_lang(request.args.get("lang") or None)
    except ValueError:
        return "nb"


def render_query_page() -> Response:
    """The query page for the current request (``?lang=en``, ``?example=<stem>`` to load an
    example, ``?query=`` to prefill the editor)."""
    lang = _page_lang()
    words = STRINGS[lang]
    examples = load_examples()
    by_stem = {e.stem: e for e in examples}
    selected = request.args.get("example", "")
    if request.args.get("query"):
        query = request.args["query"]
        selected = ""
    else:
        if selected not in by_stem:
            selected = examples[0].stem if examples else ""
        query = by_stem[selected].query if selected else ""
    root = request.script_root
    html = render_template(
        "ui/query.html",
        lang=lang,
        t=words,
        examples=examples,
        selected=selected,
        query=query,
        prefixes=PREFIXES,
        sparql_url=f"{root}/sparql",
        base_uri=state().settings.base_uri,
        switch_url=f"{root}{request.path}?lang={words['switch_lang']}",
        data={
            "lang": lang,
            "sparql": f"{root}/sparql",
            "base": state().settings.base_uri,
            "prefixes": PREFIXES,
            "examples": [
                {"stem": e.stem, "title": e.title(lang), "query": e.query} for e in examples
            ],
            "t": {k[3:]: v for k, v in words.items() if k.startswith("js_")},
        },
    )
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Language"] = lang
    resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/query")
def query_page() -> Response:
    return render_query_page()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    state(app).extras["sparql_html"] = render_query_page
