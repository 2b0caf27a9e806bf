"""Where the pages answer: every route of the pages for people is registered here, and nowhere
else, so the modules that build the answers never need each other to be registered.

=====================================  ==============================================
path                                   answered by
=====================================  ==============================================
``/``, ``/search``                     ``endpoint/pages/home.py``
``/id/…``, ``/graph/…``                ``endpoint/pages/resource.py`` (versions and
                                       ``?as_of=``: ``endpoint/pages/versions.py``)
``/id/plan/<id>/co-creation[.<ext>]``  ``endpoint/pages/cocreation.py`` (issue 21)
``/def``, ``/def.<ext>``, ``/def/…``   ``endpoint/pages/vocabulary.py``
``/robots.txt``, ``/sitemap.xml``,     ``endpoint/pages/machines.py``
``/sitemap-<n>.xml``, ``/favicon.ico``
=====================================  ==============================================

``/catalog`` for browsers is ``endpoint/pages/catalog_page.py``, called by
``endpoint/catalog.py`` (the DCAT feed's route).

The blueprint and endpoint names (``pages.landing``, ``deref.resource``, …) are what
``/metrics`` counts requests by; they stay as they are. The query page (``/query``) is
``endpoint/pages/query.py``, a feature module of its own.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from endpoint import conneg
from endpoint.app import error_response, request_lang, state
from endpoint.pages import cocreation, home, machines, resource, vocabulary
from endpoint.pages.page import not_found_page
from registry.i18n import msg
from registry.model.planviews import PlanViews
from registry.model.resources import Resources

#: The landing page and the search.
pages = Blueprint("pages", __name__)
#: Every dereferenceable URI: resources, graphs and the vocabulary's documentation.
deref = Blueprint("deref", __name__)


@pages.get("/", endpoint="landing")
def _landing() -> Response:
    return home.landing()


@pages.get("/search", endpoint="search")
def _search() -> Response:
    return home.search()


@pages.get("/robots.txt", endpoint="robots")
def _robots() -> Response:
    return machines.robots()


@pages.get("/sitemap.xml", endpoint="sitemap")
def _sitemap() -> Response:
    return machines.sitemap()


@pages.get("/sitemap-<int:n>.xml", endpoint="sitemap_part")
def _sitemap_part(n: int) -> Response:
    return machines.sitemap_part(n)


@pages.get("/favicon.ico", endpoint="favicon")
def _favicon() -> Response:
    return machines.favicon()


@deref.get("/id/plan/<plan_id>/co-creation", endpoint="co_creation")
def _co_creation(plan_id: str) -> Response:
    return cocreation.page(plan_id)


@deref.get("/id/plan/<plan_id>/co-creation.<ext>", endpoint="co_creation_ext")
def _co_creation_ext(plan_id: str, ext: str) -> Response:
    return cocreation.page(plan_id, ext)


@deref.get("/id/<path:rest>", endpoint="resource")
def _resource(rest: str) -> Response:
    return resource.dereference("id/", rest)


@deref.get("/graph/<path:rest>", endpoint="graph")
def _graph(rest: str) -> Response:
    return resource.dereference("graph/", rest)


@deref.get("/def", endpoint="def_root")
def _def_root() -> Response:
    return vocabulary.root()


@deref.get("/def.<ext>", endpoint="def_root_ext")
def _def_root_ext(ext: str) -> Response:
    return vocabulary.root_with_extension(ext)


@deref.get("/def/<path:rest>", endpoint="def_path")
def _def_path(rest: str) -> Response:
    return vocabulary.under_def(rest)


def ucfirst(text: str) -> str:
    """A label as a heading or field name: its first letter upper-case, the rest as it is
    (the vocabulary's labels are lower-case: «sted» → «Sted», «OGP-verdi» stays)."""
    return text[:1].upper() + text[1:]


def _not_found(exc: NotFound) -> Response:
    """A path no route answers (or a route's ``abort(404)``): the registry's page in the
    reader's language for a browser, the endpoint's JSON error shape for a program, not
    Flask's bare English page."""
    ranges = conneg.parse_accept(request.headers.get("Accept"))
    if conneg.prefers_html(ranges, ()):
        resp = not_found_page(request.url)
    else:
        resp = error_response(
            404,
            "not-found",
            msg("Nothing is published at {path}.", path=request.path).render(request_lang()),
        )
    resp.headers["Vary"] = "Accept, Accept-Language"  # the page and the message: in its language
    return resp


def _method_not_allowed(exc: MethodNotAllowed) -> Response:
    """A method the path does not take: the JSON error shape, with the ``Allow`` header."""
    allowed = sorted(exc.valid_methods or ())
    resp = error_response(
        405,
        "method-not-allowed",
        msg(
            "{method} is not allowed on {path}. Allowed: {allowed}.",
            method=request.method,
            path=request.path,
            allowed=", ".join(allowed),
        ).render(request_lang()),
    )
    resp.headers["Allow"] = ", ".join(allowed)
    resp.headers["Vary"] = "Accept-Language"
    return resp


def init_app(app: Flask) -> None:
    """Share the resource reader and the plan views, register the pages' routes, and answer
    a path or method no route takes (404, 405) as the registry does, not as Flask does."""
    res = Resources(state(app).registry)
    state(app).extras["pages.resources"] = res
    state(app).extras["pages.views"] = PlanViews(res)
    app.jinja_env.filters["ucfirst"] = ucfirst
    # each page drawn from one revision (Resources.pin), for this app's own reader (the
    # blueprints are shared by every app made in a process: their hooks are set on the app)
    for name in (pages.name, deref.name):
        app.before_request_funcs.setdefault(name, []).append(res.pin)
        app.teardown_request_funcs.setdefault(name, []).append(lambda _exc: res.unpin())
    app.register_blueprint(pages)
    app.register_blueprint(deref)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(MethodNotAllowed, _method_not_allowed)
