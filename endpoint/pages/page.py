"""What every page shares: the language, the words, absolute links from the base URI, and the
rendering of a template with the pages' headers.

* Bokmål by default; ``?lang=nn`` for nynorsk, ``?lang=en`` for English, with a switch
  (bokmål · nynorsk · English) on every page. Internal links keep the language. A text from the
  data missing in the page's language is shown in the next language of
  ``registry.i18n.FALLBACKS``, marked visibly («på bokmål») and with its own ``lang``
  attribute.
* Every absolute URL comes from ``Settings.base_uri`` (never from the request's host), so the
  pages work behind a reverse proxy.
* Style sheet under ``endpoint/static/pages/``; nothing from a CDN, one small script
  (``scroll.js``: a scrolling region is a Tab stop only while it overflows; the pages work
  without it), and a Content-Security-Policy that allows only this server.

See docs/pages.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from flask import Response, render_template, request
from markupsafe import Markup, escape

from endpoint.app import state
from endpoint.pages.text import other_lang, words
from registry.i18n import DEFAULT_LANG, LANGS, Lang, as_lang, gettext, msg
from registry.model.description import Node
from registry.model.planviews import PlanViews
from registry.model.resources import Resources
from registry.model.text import Text, pick
from registry.namespaces import OGP, PREFIXES

#: the schemes an IRI may have to be shown as a link
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel", "urn"})

#: What pages may load: this server only; no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'self'"
)

#: The formats a resource page links to (name, label, media type, file extension).
ALTERNATES: tuple[tuple[str, str, str, str], ...] = (
    ("turtle", "Turtle", "text/turtle", ".ttl"),
    ("jsonld", "JSON-LD", "application/ld+json", ".jsonld"),
    ("ntriples", "N-Triples", "application/n-triples", ".nt"),
    ("rdfxml", "RDF/XML", "application/rdf+xml", ".rdf"),
    ("nquads", "N-Quads", "application/n-quads", ".nq"),
    ("trig", "TriG", "application/trig", ".trig"),
)


def _predicates() -> dict[str, str]:
    """Predicate IRIs by local name, for the templates (``P.leadAgency``, ``P.title``)."""
    out = {name: str(getattr(OGP, name)) for name in OGP.__annotations__}
    for prefix, names in (
        ("dct", "identifier title description source date dateSubmitted isReplacedBy"),
        ("schema", "startDate endDate position location address"),
        (
            "skos",
            "prefLabel altLabel notation definition inScheme broader narrower exactMatch "
            "closeMatch relatedMatch changeNote",
        ),
    ):
        for name in names.split():
            out[name] = PREFIXES[prefix] + name
    return out


PREDICATES: dict[str, str] = _predicates()


def resources() -> Resources:
    return state().extras["pages.resources"]  # type: ignore[no-any-return]


def views() -> PlanViews:
    return state().extras["pages.views"]  # type: ignore[no-any-return]


def page_lang() -> Lang:
    """``nn`` or ``en`` only when the page asks for it (``?lang=nn``, ``?lang=en``); bokmål
    otherwise. The pages do not follow Accept-Language: the language is in the URL, so every
    link says which one it is."""
    try:
        return as_lang(request.args.get("lang", "").strip() or None)
    except ValueError:
        return DEFAULT_LANG


def lang_message(text: str, **params: object) -> str:
    """A message in the page's language (:func:`page_lang`)."""
    return msg(text, **params).render(page_lang())


class Titled(Protocol):
    """An item with titles in several languages (``loaders.diff.ItemChange``)."""

    titles: list[tuple[str, str | None]]

    def title(self, lang: Lang) -> str | None: ...


@dataclass(frozen=True)
class LangLink:
    """One link of the language switch: this page in ``code``, named in that language."""

    code: Lang
    name: str
    label: str
    href: str
    #: the page is in this language (the link gets aria-current)
    current: bool
    #: the main link (``id="lang-switch"``): to :func:`~endpoint.pages.text.other_lang`
    main: bool


@dataclass(frozen=True)
class Alternate:
    label: str
    media_type: str
    href: str


class Page:
    """What every template gets: the language, its words and absolute URLs from the base."""

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang
        self.other: Lang = other_lang(lang)
        self.t = words(lang)
        self.base = state().settings.base_uri

    def url(self, path: str = "", fragment: str = "", **params: str) -> str:
        """``{base}{path}`` with ``params`` and, on nynorsk and English pages, ``lang=``."""
        query = {k: v for k, v in params.items() if v}
        if self.lang != DEFAULT_LANG:
            query["lang"] = self.lang
        out = self.base + path
        if query:
            out += "?" + urlencode(query)
        return out + ("#" + fragment if fragment else "")

    def linkable(self, target: Node | str) -> bool:
        """Whether ``target`` may be a link: an IRI of a web scheme (or a relative reference),
        not ``javascript:``, ``data:`` and the like, which anyone may load as an IRI (the
        Content-Security-Policy blocks them too; this holds without it)."""
        h = target.href if isinstance(target, Node) else target
        scheme, colon, _ = h.partition(":")
        if not colon or "/" in scheme or "?" in scheme or "#" in scheme:
            return True  # relative
        return scheme.lower() in _LINK_SCHEMES

    def link(self, target: Node | str) -> str:
        """Where a link goes: local pages keep the page's language; an IRI that must not be
        a link (:meth:`linkable`) goes nowhere (``#``)."""
        h = target.href if isinstance(target, Node) else target
        if not self.linkable(h):
            return "#"
        if self.lang == DEFAULT_LANG or not h.startswith(self.base):
            return h
        path, hash_, frag = h.partition("#")
        sep = "&" if "?" in path else "?"
        return f"{path}{sep}lang={self.lang}{hash_}{frag}"

    def switch_url(self, lang: Lang | None = None) -> str:
        """This page in ``lang`` (default: the main other language, :attr:`other`)."""
        target = lang or self.other
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        if target != DEFAULT_LANG:
            args.append(("lang", target))
        path = self.base + request.path.lstrip("/")
        return path + ("?" + urlencode(args) if args else "")

    def switches(self) -> list[LangLink]:
        """The language switch: this page in every language (bokmål · nynorsk · English)."""
        return [
            LangLink(
                code,
                self.t[f"lang_name_{code}"],
                self.t[f"lang_label_{code}"],
                self.switch_url(code),
                current=code == self.lang,
                main=code == self.other,
            )
            for code in LANGS
        ]

    def label(self, iri: str) -> Text | None:
        """The label of any IRI in the page's language (e.g. of a class)."""
        return resources().label(iri, self.lang)

    def fallback_note(self, text: Text | None) -> str:
        """The visible marker of a text shown in another language than the page's («på
        bokmål» on a nynorsk page, «in Norwegian» on an English one)."""
        if text is None or not text.fallback:
            return ""
        lang = (text.lang or "").lower()
        if lang.startswith("en"):
            return self.t["in_english"]
        if lang.startswith("nn"):
            return self.t["in_nynorsk"]
        if lang.startswith(("nb", "no")):
            return self.t["in_norwegian" if self.lang == "en" else "in_bokmal"]
        return self.t["in_other_language"].format(lang=text.lang or "?")

    def item_title(self, item: Titled) -> Text | None:
        """The title of an item a submission changes (``loaders.diff.ItemChange``) as the
        change lines show it (:meth:`~loaders.diff.ItemChange.title`: shortened, None when it
        is only the identifier), with the language :func:`~registry.model.text.pick` chose it
        in, so that the template's ``text`` macro marks a fallback with ``lang`` and
        «(på bokmål)» as on every other page (WCAG 3.1.2)."""
        value = item.title(self.lang)
        chosen = pick(item.titles, self.lang)
        if value is None or chosen is None:
            return None
        return Text(value, chosen.lang, chosen.fallback)

    def quoted(self, ident: str, title: Markup | str) -> Markup:
        """``NO0023 «title»`` (``NO0023 "title"`` in English), the way a change line names an
        item, with ``title`` already markup (a fallback's ``<span lang>``)."""
        return escape(gettext(self.lang, '{ident} "{title}"')).format(ident=ident, title=title)


def render(
    template: str,
    page: Page,
    *,
    title: str,
    status: int = 200,
    alternates: Iterable[Alternate] = (),
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Response:
    html = render_template(
        template,
        page=page,
        P=PREDICATES,
        t=page.t,
        lang=page.lang,
        title=title,
        alternates=list(alternates),
        **context,
    )
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Content-Language"] = page.lang
    resp.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    resp.headers["X-Content-Type-Options"] = "nosniff"
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def alternates_for(doc_url: str) -> list[Alternate]:
    """The RDF versions of a page: ``{url}.ttl`` and friends."""
    return [Alternate(label, mt, doc_url + ext) for _, label, mt, ext in ALTERNATES]


def not_found_page(iri: str, *, status: int = 404) -> Response:
    page = Page(page_lang())
    return render("pages/not_found.html", page, title=page.t["not_found"], status=status, iri=iri)
