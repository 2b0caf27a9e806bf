"""Every route of the submission pages and of ``POST /api/submissions``, in one blueprint
(docs/submitting-in-a-browser.md)."""

from __future__ import annotations

from flask import Blueprint, Flask

from endpoint.submit import api, forms, responses, signin, upload


def init_app(app: Flask) -> None:
    bp = Blueprint("submit", __name__)
    for module in (signin, upload, forms, responses, api):
        module.register(bp)
    app.register_blueprint(bp)
