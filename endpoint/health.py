"""``/health``: is the registry readable, which revision does it serve."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify

from endpoint.app import state

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Response:
    st = state()
    rev = st.registry.store.revision()
    return jsonify(
        {
            "status": "ok",
            "revision": rev.number if rev else 0,
            "modified": rev.committed.isoformat() if rev else None,
        }
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
