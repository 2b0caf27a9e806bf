"""The authenticated lifecycle API: ``POST /api/status`` (change an item's registry status) and
``POST /api/erase`` (audited erase, admin only). Bearer tokens and the audit log as for the
write paths (endpoint/write/graphstore.py); the rules are in registry/lifecycle/ (change.py,
rules.py) and registry/erase.py (docs/lifecycle.md).

``POST /api/status`` takes JSON ``{"item", "status", "reason", "successor", "date", "plan",
"reason_lang"}`` and answers ``{"item", "from", "to", "change", "status_change", "version",
"time"}``; ``POST /api/erase`` takes ``{"item", "reason"}``. Errors use the endpoint's one JSON
shape: 400 malformed request, 401 no valid token, 403 a role or organisation that may not,
404 unknown item, 409 a transition the rules refuse (the message names the current status,
what may follow and who may set it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, g, request

from endpoint.app import state
from endpoint.write.graphstore import _audited, _ok
from registry.access.tokens import TokenRecord
from registry.erase import erase
from registry.errors import UsageError
from registry.i18n import msg
from registry.lifecycle.change import set_status

bp = Blueprint("lifecycle_api", __name__)

_FIELDS = {
    "status": {"item", "status", "reason", "successor", "date", "plan", "reason_lang"},
    "erase": {"item", "reason"},
}


def _json() -> Any:
    """The request's JSON, or None when it is not JSON, or JSON Python cannot hold (nested
    too deep: RecursionError; an integer of over 4,300 digits: ValueError)."""
    try:
        return request.get_json(silent=True)
    except (RecursionError, ValueError):
        return None


def _body(kind: str) -> dict[str, str]:
    """The JSON object of the request, with string values only and known keys only."""
    data: Any = _json()
    if not isinstance(data, dict):
        raise UsageError(
            msg(
                "The request must have a JSON object as its body (Content-Type: "
                "application/json), for example {example}.",
                example='{"item": "…/id/commitment/NO0054", "status": "accepted"}'
                if kind == "status"
                else '{"item": "…/id/organisation/…", "reason": "…"}',
            )
        )
    unknown = sorted(set(data) - _FIELDS[kind])
    wrong = sorted(k for k, v in data.items() if v is not None and not isinstance(v, str))
    if unknown or wrong:
        raise UsageError(
            msg(
                "Unknown fields {unknown} or fields that are not text {wrong}. Allowed fields: "
                "{allowed}.",
                unknown=unknown,
                wrong=wrong,
                allowed=", ".join(sorted(_FIELDS[kind])),
            )
        )
    out = {k: v for k, v in data.items() if isinstance(v, str)}
    if not out.get("item"):
        raise UsageError(msg("The field \"item\" is missing."))
    base = state().registry.settings.base_uri
    for key in ("item", "successor", "plan"):
        value = out.get(key)
        if value and "://" not in value:
            if key == "plan" and "/" not in value:
                out[key] = state().registry.uris.plan(value)
            else:
                out[key] = base + value.lstrip("/")
    g.audit_target = out["item"]
    return out


def _target() -> str | None:
    """The item named by the body, for the audit log of refused requests too."""
    data: Any = _json()
    item = data.get("item") if isinstance(data, dict) else None
    return item if isinstance(item, str) else None


@bp.post("/api/status")
def post_status() -> Response:
    """Change the registry status of a plan, commitment or proposal."""

    def work(token: TokenRecord) -> Response:
        body = _body("status")
        if not body.get("status"):
            raise UsageError(msg("The field \"status\" is missing."))
        result = set_status(
            state().registry,
            token,
            body["item"],
            body["status"],
            reason=body.get("reason"),
            successor=body.get("successor"),
            date=body.get("date"),
            plan=body.get("plan"),
            reason_lang=body.get("reason_lang", "nb"),
        )
        return _ok(
            {
                "item": result.item,
                "from": result.from_status,
                "to": result.to_status,
                "change": result.change,
                "status_change": result.status_change,
                "version": result.version,
                "time": result.time.isoformat(),
            },
            audit=f"{result.from_status or '-'} -> {result.to_status}; change {result.change}"
            + ("; admin correction" if result.correction else "")
            + (f"; reason: {body['reason']}" if body.get("reason") else ""),
        )

    return _audited("api.status", _target(), work)


@bp.post("/api/erase")
def post_erase() -> Response:
    """Erase an item loaded by mistake (admin tokens only)."""

    def work(token: TokenRecord) -> Response:
        body = _body("erase")
        result = erase(
            state().registry,
            token,
            body["item"],
            body.get("reason", ""),
            remote=request.remote_addr,
        )
        return _ok(
            {
                "item": result.item,
                "change": result.change,
                "triples": result.triples,
                "versions": result.versions,
                "status_changes": result.status_changes,
                "snapshots_scrubbed": result.snapshots_scrubbed,
                "contacts": result.contacts,
            },
            audit=f"reason: {body.get('reason', '')}; change {result.change}",
        )

    return _audited("api.erase", _target(), work)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
