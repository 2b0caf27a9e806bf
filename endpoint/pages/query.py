"""The query UI for browsers: ``/query``, and ``/sparql`` when a browser asks it for HTML
without a query (the protocol view calls ``extras["sparql_html"]``).

An editor with SPARQL highlighting, the registry's prefixes, the example queries shipped in
``endpoint/examples/`` and results as a table. The page talks to ``/sparql`` over the SPARQL 1.1
Protocol with ``fetch()``; without JavaScript its form loads ``/query?query=…&run=1`` and the
page shows the answer itself (``endpoint/pages/query_results.py``). Its script and style sheet
are package data under ``endpoint/static/ui/`` (nothing from a CDN, and a
Content-Security-Policy that allows only this server). See docs/queries.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType

from flask import Blueprint, Flask, Response, render_template, request

from endpoint.app import state
from endpoint.pages.page import Page
from endpoint.pages.query_results import run_for_page
from endpoint.pages.text import words
from registry.i18n import N_, Lang, Msg, as_lang, gettext
from registry.namespaces import PREFIXES
from registry.sparql.querytext import form_of

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
        """The question in ``lang`` (text from the file, not from the catalogs)."""
        return Msg.texts(en=self.title_en, nb=self.title_nb).render(lang)

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


#: The page's words: key → English text, the msgid (translated by :func:`page_words`). The
#: template reads them as ``t.key``; the script gets the ``js_*`` ones in the page's JSON block.
STRINGS: dict[str, str] = {
    "title": N_("SPARQL queries"),
    "site": N_("The OGP registry"),
    "skip": N_("Skip to the query"),
    "intro": N_(
        "Query the registry of Norway's Open Government Partnership action plans with SPARQL. Pick "
        "an example or write your own query."
    ),
    "examples": N_("Examples"),
    "examples_hint": N_("A click puts the query into the editor."),
    "editor": N_("SPARQL query"),
    "editor_hint": N_("Ctrl+Enter (⌘+Enter on a Mac) runs the query. Tab moves the focus on."),
    "run": N_("Run the query"),
    "insert_prefixes": N_("Add missing prefixes"),
    "prefixes": N_("Prefixes"),
    "prefixes_intro": N_(
        "The registry's prefixes. The examples carry the PREFIX lines they use, so they work in "
        "any SPARQL tool."
    ),
    "prefix": N_("Prefix"),
    "namespace": N_("Namespace"),
    "download": N_("Download the answer to the query:"),
    "download_csv": N_("CSV"),
    "download_json": N_("JSON"),
    "download_graph": N_("Download the graph the query builds:"),
    "download_turtle": N_("Turtle"),
    "download_ntriples": N_("N-Triples"),
    "download_jsonld": N_("JSON-LD"),
    "goto_error": N_("Put the cursor where the error is"),
    "results": N_("Results"),
    "no_results_yet": N_("Run a query to see its answer here."),
    "endpoint": N_("SPARQL endpoint"),
    "js_running": N_("Running the query …"),
    "js_rows": N_("{n} rows"),
    "js_row": N_("1 row"),
    "js_triples": N_("{n} triples"),
    "js_true": N_("Yes (true)"),
    "js_false": N_("No (false)"),
    "js_ask": N_("Answer to the ASK query:"),
    "js_truncated": N_(
        "The answer is truncated after {n} rows, the endpoint's limit. Narrow the query (LIMIT, "
        "FILTER) or download the whole dataset."
    ),
    "js_truncated_unknown": N_(
        "The answer is truncated (the endpoint's row limit). Narrow the query (LIMIT, FILTER) or "
        "download the whole dataset."
    ),
    "js_dumps": N_("Full data dumps"),
    "js_error": N_("The query failed"),
    "js_network": N_("Could not reach the endpoint. Try again in a moment."),
    "js_empty_query": N_("Write a query first."),
    "js_loaded": N_("The example “{title}” is in the editor."),
    "js_prefixes_added": N_("Added {n} PREFIX lines."),
    "js_prefixes_none": N_("No prefixes were missing."),
    "js_raw": N_("The answer ({type}):"),
    "js_table_caption": N_("Answer to the query"),
    "js_cursor_at": N_("The cursor is at line {line}, column {column}."),
}


@cache
def page_words(lang: Lang) -> Mapping[str, str]:
    """The query page's words in ``lang``, from the message catalogs, with the link to the other
    language (``switch``, ``switch_label``, ``switch_lang``) as the registry's pages have it."""
    out = {key: gettext(lang, msgid) for key, msgid in STRINGS.items()}
    shared = words(lang)
    out.update({key: shared[key] for key in ("switch", "switch_label", "switch_lang")})
    return MappingProxyType(out)


def _page_lang() -> Lang:
    """Bokmål unless ``?lang=en``: like the registry's pages, the page does not follow the
    browser's Accept-Language, so every link to it shows the same page."""
    try:
        return as_lang(request.args.get("lang") or None)
    except ValueError:
        return "nb"


def _local_page(lang: Lang, root: str) -> Page:
    """The site's header for the query page (pages/_site_header.html) with links to this
    server (``root``), not the base URI: the page and its script only ever talk to the server
    that served them (its Content-Security-Policy allows no other)."""
    page = Page(lang)
    page.base = root
    return page


def render_query_page() -> Response:
    """The query page for the current request (``?lang=en``, ``?example=<stem>`` to load an
    example, ``?query=`` to prefill the editor and run it: the page's script keeps the typed
    query in the URL, so a copied link, or a ``/sparql?query=…`` link opened in a browser,
    shows the same query and its answer)."""
    lang = _page_lang()
    t = page_words(lang)
    examples = load_examples()
    by_stem = {e.stem: e for e in examples}
    selected = request.args.get("example", "")
    shared = bool(request.args.get("query"))
    if shared:
        query = request.args["query"]
        selected = ""
    else:
        if selected not in by_stem:
            selected = examples[0].stem if examples else ""
        query = by_stem[selected].query if selected else ""
    root = request.script_root
    # run=1: the form, sent without JavaScript; the page shows the answer itself
    shown = run_for_page(query, lang, f"{root}/") if shared and request.args.get("run") else None
    html = render_template(
        "ui/query.html",
        lang=lang,
        t=t,
        examples=examples,
        selected=selected,
        query=query,
        shown=shown,
        prefixes=PREFIXES,
        sparql_url=f"{root}/sparql",
        base_uri=state().settings.base_uri,
        graph_query=form_of(query) in ("CONSTRUCT", "DESCRIBE"),
        page=_local_page(lang, f"{root}/"),
        site=words(lang),
        data={
            "lang": lang,
            "sparql": f"{root}/sparql",
            "root": f"{root}/",
            "base": state().settings.base_uri,
            "run": shared and shown is None,
            # a syntax error the page shows itself: where "put the cursor" goes (line:column)
            "error_at": shown.position if shown else "",
            "prefixes": PREFIXES,
            "examples": [
                {"stem": e.stem, "title": e.title(lang), "query": e.query} for e in examples
            ],
            "t": {k[3:]: v for k, v in t.items() if k.startswith("js_")},
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
