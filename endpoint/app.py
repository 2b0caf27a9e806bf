"""The Flask app factory. Importing this module does nothing; ``create_app`` opens resources
and registers the blueprints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import InternalServerError

from loaders import bundled as bundled_data
from registry.errors import RegistryError
from registry.i18n import as_lang, msg
from registry.service import Registry, open_registry
from registry.settings import Settings, load_settings


@dataclass
class EndpointState:
    """What the blueprints share, kept in ``app.extensions["ogpreg"]``."""

    settings: Settings
    registry: Registry
    extras: dict[str, Any] = field(default_factory=dict)


def state(app: Flask | None = None) -> EndpointState:
    from flask import current_app

    return (app or current_app).extensions["ogpreg"]  # type: ignore[no-any-return]


#: the ``Server`` header of every answer, under waitress (its ``ident``, endpoint/server.py) and
#: granian (``endpoint.wsgi.granian_app``) alike
SERVER_NAME = "ogp-registry"


def run_startup(app: Flask) -> None:
    """Run the app's start-up hooks (the query executor starts its worker processes): once,
    by whatever serves the app (``endpoint/server.py``, ``endpoint/wsgi.py``)."""
    for hook in _hooks(app, "startup"):
        hook()


def run_shutdown(app: Flask) -> None:
    """Run the app's shutdown hooks (the query workers stop); a hook that fails is logged and
    the others still run."""
    for hook in _hooks(app, "shutdown"):
        try:
            hook()
        except Exception:  # noqa: BLE001 - every hook gets its turn
            logging.getLogger(__name__).exception("shutdown hook failed")


def _hooks(app: Flask, name: str) -> list[Callable[[], None]]:
    return list(state(app).extras.get(name, []))


def error_response(status: int, code: str, message: str) -> Response:
    """The endpoint's one JSON error shape: ``{"error": code, "message": text, "status": n}``."""
    resp = jsonify({"error": code, "message": message, "status": status})
    resp.status_code = status
    return resp


#: The session cookie of the submission pages under each of its names (``cookie_name`` in
#: endpoint/submit/session.py: plain over http, ``__Host-``/``__Secure-`` over https).
SESSION_COOKIES = ("ogpreg-session", "__Host-ogpreg-session", "__Secure-ogpreg-session")


def carried_credentials() -> bool:
    """Whether the request carried a credential: a token (an ``Authorization`` header, valid
    or not) or a session cookie (live or ended)."""
    return "Authorization" in request.headers or any(c in request.cookies for c in SESSION_COOKIES)


def request_lang() -> str:
    """bokmål unless the request asks for nynorsk or English (``?lang=nn``, ``?lang=en``, or
    Accept-Language: ``nn``, ``nn-NO``, ``en``...)."""
    explicit = request.args.get("lang")
    if explicit:
        try:
            return as_lang(explicit)
        except ValueError:
            return "nb"
    best = request.accept_languages.best_match(["nb", "no", "nn", "en"], default="nb")
    return best if best in ("nn", "en") else "nb"


def create_app(
    settings: Settings | None = None, *, registry: Registry | None = None
) -> Flask:
    """Build the endpoint for ``settings`` (default: from the environment)."""
    settings = settings or load_settings()
    registry = registry or open_registry(settings)
    if registry.initialiser is None:  # an empty store gets everything bundled (ogpreg init)
        bundled_data.install(registry)
    registry.ensure_initialised()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["ogpreg"] = EndpointState(settings, registry)

    @app.errorhandler(RegistryError)
    def _registry_error(exc: RegistryError) -> Response:
        return error_response(exc.http_status, exc.code, exc.render(request_lang()))  # type: ignore[arg-type]

    @app.errorhandler(InternalServerError)
    def _internal_error(exc: InternalServerError) -> Response:
        # a fault of the registry (Flask has logged it with its traceback): the error shape
        # every other answer has, nothing of the traceback
        return error_response(
            500,
            "internal-error",
            msg(
                "The registry could not answer this request because of a fault on the server; "
                "the fault is logged."
            ).render(request_lang()),
        )

    @app.after_request
    def _no_store_for_credentials(resp: Response) -> Response:
        # An error answer to a request that carried a token or a session cookie may describe
        # the token's rights or the data it sent: no cache keeps it (docs/security-writes.md).
        # Successful answers set their own caching (the authenticated ones no-store:
        # ``_ok`` in endpoint/write/graphstore.py); an anonymous request's answers are left as
        # they are.
        # Registered before the features' hooks, so it runs after them (Flask runs the app's
        # hooks in reverse order).
        if resp.status_code >= 400 and carried_credentials():
            resp.headers["Cache-Control"] = "no-store"
        return resp

    # Each feature lives in its own module with an ``init_app(app)`` (see docs/endpoint.md).
    import importlib

    for name in BLUEPRINT_MODULES:
        importlib.import_module(f"endpoint.{name}").init_app(app)
    return app


#: Feature modules of the endpoint, in registration order.
BLUEPRINT_MODULES: tuple[str, ...] = (
    "health",
    "sparql.routes",
    "pages.query",
    "write.graphstore",
    "write.status",
    "catalog",
    "pages.routes",
    "feed",
    "submit.routes",
)
