"""Where the pages answer: every route of the pages for people is registered here, and nowhere
else, so the modules that build the answers never need each other to be registered.

=====================================  ==============================================
path                                   answered by
=====================================  ==============================================
``/``, ``/search``                     ``endpoint/pages/home.py``
``/id/…``, ``/graph/…``                ``endpoint/pages/resource.py`` (versions and
                                       ``?as_of=``: ``endpoint/pages/versions.py``)
``/def``, ``/def.<ext>``, ``/def/…``   ``endpoint/pages/vocabulary.py``
=====================================  ==============================================

The blueprint and endpoint names (``pages.landing``, ``deref.resource``, …) are what
``/metrics`` counts requests by; they stay as they are. The query page (``/query``) is
``endpoint/pages/query.py``, a feature module of its own.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from endpoint.app import state
from endpoint.pages import home, resource, vocabulary
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


def init_app(app: Flask) -> None:
    """Share the resource reader and the plan views, and register the pages' routes."""
    res = Resources(state(app).registry)
    state(app).extras["pages.resources"] = res
    state(app).extras["pages.views"] = PlanViews(res)
    app.register_blueprint(pages)
    app.register_blueprint(deref)
