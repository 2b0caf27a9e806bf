"""Every route of the submission pages and of ``POST /api/submissions``, in one blueprint
(docs/submitting-in-a-browser.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask

from endpoint.submit import api, forms, responses, signin, upload


def norwegian_time(value: object) -> str:
    """A time the registry keeps in UTC (an ISO string or a datetime) as Norwegian local time,
    ``2026-12-07 05:40`` (the submission pages' readers are in Norway; the audit log and the
    history keep UTC)."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo("Europe/Oslo")).strftime("%Y-%m-%d %H:%M")


def init_app(app: Flask) -> None:
    bp = Blueprint("submit", __name__)
    for module in (signin, upload, forms, responses, api):
        module.register(bp)
    app.register_blueprint(bp)
    app.jinja_env.filters["norwegian_time"] = norwegian_time
