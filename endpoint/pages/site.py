"""The registry's web pages: the landing page with the plans and a dashboard, the text search,
and the HTML of every resource page (``endpoint/pages/deref.py`` does the URI dereferencing and
content negotiation and calls :func:`resource_page` for HTML).

* Bokmål by default; ``?lang=en`` for English, with a link to switch on every page. Internal
  links keep the language. A text missing in the page's language is shown in the other one,
  marked visibly and with its own ``lang`` attribute.
* Every absolute URL comes from ``Settings.base_uri`` (never from the request's host), so the
  pages work behind a reverse proxy.
* Charts are server-side SVG (``endpoint/pages/charts.py``), each with a data table. Style sheet
under
  ``endpoint/static/pages/``; nothing from a CDN, no script, and a Content-Security-Policy that
  allows only this server.

See docs/pages.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, render_template, request
from markupsafe import Markup

from endpoint.app import state
from endpoint.pages import charts
from endpoint.pages.text import STRINGS
from registry.i18n import Lang
from registry.model.planviews import Dashboard, PlanViews
from registry.model.resources import (
    Description,
    Node,
    Resources,
    Text,
)
from registry.namespaces import OGP, PREFIXES

bp = Blueprint("pages", __name__)

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
    """``en`` only when the page asks for it (``?lang=en``); bokmål otherwise. The pages do not
    follow Accept-Language: the language is in the URL, so every link says which one it is."""
    return "en" if request.args.get("lang", "").strip().lower() in ("en", "eng") else "nb"


@dataclass(frozen=True)
class Alternate:
    label: str
    media_type: str
    href: str


class Page:
    """What every template gets: the language, its words and absolute URLs from the base."""

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang
        self.other: Lang = "en" if lang == "nb" else "nb"
        self.t = STRINGS[lang]
        self.base = state().settings.base_uri

    def url(self, path: str = "", fragment: str = "", **params: str) -> str:
        """``{base}{path}`` with ``params`` and, on English pages, ``lang=en``."""
        query = {k: v for k, v in params.items() if v}
        if self.lang == "en":
            query["lang"] = "en"
        out = self.base + path
        if query:
            out += "?" + urlencode(query)
        return out + ("#" + fragment if fragment else "")

    def link(self, target: Node | str) -> str:
        """Where a link goes: local pages keep the page's language."""
        h = target.href if isinstance(target, Node) else target
        if self.lang != "en" or not h.startswith(self.base):
            return h
        path, hash_, frag = h.partition("#")
        sep = "&" if "?" in path else "?"
        return f"{path}{sep}lang=en{hash_}{frag}"

    def switch_url(self) -> str:
        """This page in the other language."""
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        if self.other == "en":
            args.append(("lang", "en"))
        path = self.base + request.path.lstrip("/")
        return path + ("?" + urlencode(args) if args else "")

    def label(self, iri: str) -> Text | None:
        """The label of any IRI in the page's language (e.g. of a class)."""
        return resources().label(iri, self.lang)

    def fallback_note(self, text: Text | None) -> str:
        """The visible marker of a text shown in the other language."""
        if text is None or not text.fallback:
            return ""
        lang = (text.lang or "").lower()
        if lang.startswith("en"):
            return self.t["in_english"]
        if lang.startswith(("nb", "no", "nn")):
            return self.t["in_norwegian"]
        return self.t["in_other_language"].format(lang=text.lang or "?")


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


# -- resource pages ------------------------------------------------------------------------
_ORG_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("org_leads", (str(OGP.leadAgency),)),
    (
        "org_supports",
        (str(OGP.supportingPublicBody), str(OGP.supportingNonGovernmentalActor)),
    ),
    ("org_proposed", (str(OGP.proposedBy),)),
    ("org_coordinates", (str(OGP.coordinatedBy),)),
    ("org_approved", (str(OGP.approvedBy),)),
    ("org_invited_by", (str(OGP.invitedBy),)),
    ("org_invited", (str(OGP.invited),)),
    ("org_attended", (str(OGP.attendee),)),
    ("org_assessed", (str(OGP.assessedBy),)),
    ("org_submitted", (str(OGP.submittedBy),)),
)

#: Register entries follow the pattern the data model gives for ogp:registerRecord.
BRREG_ENTRY = "https://data.brreg.no/enhetsregisteret/api/enheter/"


def _kind_context(desc: Description, res: Resources, lang: Lang) -> dict[str, Any]:
    """What the page of one kind of resource shows beyond its statements."""
    kind = desc.node.kind
    iri = desc.node.iri
    pv = views()
    ctx: dict[str, Any] = {}
    if kind == "commitment":
        ctx["milestones"] = pv.milestones(iri, lang)
        ctx["assessments"] = pv.assessments(iri, lang)
        ctx["proposals"] = pv.proposals(
            (n.iri for n in desc.nodes(str(OGP.derivedFromProposal))), lang
        )
        ctx["comments"] = pv.comments(iri, lang)
        ctx["hide_backlinks"] = [
            str(OGP.ofCommitment),
            str(OGP.assesses),
            str(OGP.commentOn),
        ]
    elif kind == "milestone":
        ctx["assessments"] = pv.assessments(iri, lang, with_milestones=False)
    elif kind == "proposal":
        ctx["comments"] = pv.comments(iri, lang)
        ctx["derived"] = desc.linking(str(OGP.derivedFromProposal))
    elif kind == "organisation":
        ctx["roles"] = [(key, desc.linking(*preds)) for key, preds in _ORG_ROLES]
        ctx["hide_backlinks"] = [p for _, preds in _ORG_ROLES for p in preds] + [str(OGP.commentBy)]
        ctx["comments_by"] = pv.comments_by(iri, lang)
        number = desc.first(str(OGP.organisationNumber))
        records = desc.nodes(str(OGP.registerRecord))
        ctx["orgnr"] = number.raw if number else None
        ctx["register"] = (
            records[0].iri
            if records
            else (BRREG_ENTRY + number.raw if number and number.raw else None)
        )
    elif kind == "plan":
        ctx["commitments"] = pv.commitment_rows(iri, lang)
        ctx["meetings"] = desc.linking(str(OGP.forActionPlan))
        ctx["hide_backlinks"] = [str(OGP.inActionPlan), str(OGP.forActionPlan)]
    elif kind == "source":
        ctx["source"] = res.source(iri, lang)
    if desc.is_graph and "source" not in ctx:
        ctx["source"] = res.source(iri, lang)
    return ctx


def resource_page(
    desc: Description, *, status: int, doc_url: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The HTML page of one resource (``status`` 410 for a withdrawn one)."""
    from endpoint.pages import versions

    page = Page(desc.lang)
    res = resources()
    ctx = _kind_context(desc, res, desc.lang)
    ctx["timeline"] = versions.timeline(desc.node.iri, desc.lang)
    ctx["hide_backlinks"] = ctx.get("hide_backlinks", []) + versions.hidden_backlinks()
    title_text = desc.node.label
    title = title_text.value if title_text else desc.node.iri
    type_nodes = desc.nodes("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return render(
        "pages/resource.html",
        page,
        title=title,
        status=status,
        alternates=alternates_for(doc_url),
        headers=headers,
        d=desc,
        node=desc.node,
        kind=desc.node.kind,
        types=type_nodes,
        doc_url=doc_url,
        **ctx,
    )


def not_found_page(iri: str, *, status: int = 404) -> Response:
    page = Page(page_lang())
    return render("pages/not_found.html", page, title=page.t["not_found"], status=status, iri=iri)


# -- landing page and dashboard -----------------------------------------------------------------
def _chart_context(dash: Dashboard, page: Page) -> dict[str, Markup]:
    t = page.t
    theme_items = [charts.Item(b.label.value, b.value, b.label.lang) for b in dash.themes]
    stacks = [
        charts.StackSeries(s.label.value, s.values, s.label.lang) for s in dash.milestone_series
    ]
    years = [y or t["no_date"] for y in dash.milestone_years]
    part = [charts.Item(b.label.value, b.value, b.label.lang) for b in dash.participation]
    return {
        "chart_themes": charts.bar_chart(
            "chart-themes",
            theme_items,
            title=t["chart_themes"],
            desc=t["chart_themes_desc"].format(n=dash.commitments),
        ),
        "chart_milestones": charts.stacked_chart(
            "chart-milestones",
            years,
            stacks,
            title=t["chart_milestones"],
            desc=t["chart_milestones_desc"].format(n=dash.milestones),
        ),
        "chart_participation": charts.bar_chart(
            "chart-participation",
            part,
            title=t["chart_participation"],
            desc=t["chart_participation_desc"],
        ),
    }


@bp.get("/")
def landing() -> Response:
    page = Page(page_lang())
    pv = views()
    plans = pv.plans(page.lang)
    wanted = request.args.get("plan", "").strip()
    selected = next((p for p in plans if wanted and p.identifier == wanted), None)
    if selected is None and plans:
        selected = plans[0]
    dash = pv.dashboard(selected.node.iri, page.lang) if selected else None
    charts_ctx: dict[str, Any] = _chart_context(dash, page) if dash else {}
    return render(
        "pages/landing.html",
        page,
        title=page.t["landing_title"],
        plans=plans,
        selected=selected,
        dash=dash,
        unknown_plan=bool(wanted) and (selected is None or selected.identifier != wanted),
        wanted=wanted,
        **charts_ctx,
    )


@bp.get("/search")
def search() -> Response:
    page = Page(page_lang())
    q = request.args.get("q", "").strip()[:200]
    hits = resources().search(q, page.lang) if q else []
    return render(
        "pages/search.html",
        page,
        title=page.t["search_title"] + (f": {q}" if q else ""),
        q=q,
        hits=hits,
    )


def init_app(app: Flask) -> None:
    from endpoint.pages import deref

    res = Resources(state(app).registry)
    state(app).extras["pages.resources"] = res
    state(app).extras["pages.views"] = PlanViews(res)
    app.register_blueprint(bp)
    deref.init_app(app)
