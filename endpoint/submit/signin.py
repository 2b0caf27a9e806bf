"""Signing in and out, the start page and the templates (``/submit/``, ``/submit/sign-in``,
``/submit/sign-out``, ``/submit/templates``)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from endpoint.app import state
from endpoint.submit.session import (
    audit,
    csrf_ok,
    end_session,
    lang,
    require_sign_in,
    see_other,
    set_signin_cookie,
    show,
    signed_in,
    signin_token,
    start_session,
    tokens,
    url,
)
from endpoint.submit.text import words
from loaders import template as T  # noqa: N812
from loaders.columns import KINDS
from registry.errors import NotFound
from registry.i18n import Msg, msg

#: The templates' download names: ``{kind}.xlsx``, ``{kind}.json``, ``{kind}.{sheet}.csv``.
SCHEMA_NAME = "submission.schema.json"


def _safe_next(value: str | None) -> str:
    """Where to go after signing in: a submission page of this registry, else the start."""
    start = url("")
    if not value:
        return start
    base_path = start.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    path = value.lstrip("/")
    if path.startswith(base_path) and "//" not in value and "\\" not in value:
        rest = path[len(base_path):]
        segments = rest.split("/")
        if all(c.isalnum() or c in "-/." for c in rest) and not {".", ".."} & set(segments):
            return url(rest)
    return start


def sign_in() -> Response:
    s = words(lang())
    if request.method == "GET":
        if signed_in() is not None:
            return see_other(url(""))
        value = signin_token()
        resp = show("sign_in.html", title=s["signin_title"], errors={}, signin_csrf=value,
                    next=request.args.get("next", ""), hours=_hours(),
                    notice=s["signed_out"] if request.args.get("out") else "")
        set_signin_cookie(resp, value)
        return resp
    if not csrf_ok(None):
        audit("submit.sign-in", "refused", 403, message="bad form token (CSRF)")
        return show("error.html", title=s["csrf_title"], status=403, message=s["csrf_text"])
    secret = request.form.get("token", "").strip()
    record = tokens().identify(secret) if secret else None
    if record is None or record.revoked:
        # cheap to record: one line, the address and why (fail2ban can match it)
        why = "empty token" if not secret else (
            f"revoked token {record.id}" if record is not None else "unknown token")
        audit("submit.sign-in", "refused", 401, token=record, message=why)
        errors = {"token": s["signin_empty"] if not secret else s["signin_failed"]}
        resp = show("sign_in.html", title=s["signin_title"], status=401, errors=errors,
                    signin_csrf=request.form.get("csrf", ""),
                    next=request.form.get("next", ""), hours=_hours(), notice="")
        return resp
    resp = see_other(_safe_next(request.form.get("next")))
    start_session(resp, record)
    audit("submit.sign-in", "ok", 303, token=record, message="session started")
    return resp


def _hours() -> str:
    return f"{state().settings.session_lifetime / 3600:g}"


@require_sign_in
def sign_out() -> Response:
    who = signed_in()
    assert who is not None
    resp = see_other(url("sign-in", out="1"))
    end_session(resp, who)
    audit("submit.sign-out", "ok", 303, token=who.token, message="session ended")
    return resp


@require_sign_in
def start() -> Response:
    s = words(lang())
    return show("start.html", title=s["start_title"], current="")


def kind_labels() -> list[tuple[str, str]]:
    s = words(lang())
    return [(k, s["kind_" + k]) for k in KINDS]


@require_sign_in
def templates() -> Response:
    s = words(lang())
    csv = {k: list(T.csv_templates(k)) for k in KINDS}
    return show("templates.html", title=s["templates_title"], current="templates",
                kinds=kind_labels(), csv=csv)


def template_file(name: str) -> Response:
    """A template: the same generator as ``ogpreg template`` (public, like the schema)."""
    if name == SCHEMA_NAME:
        return _download(T.schema_text().encode("utf-8"), name, "application/schema+json")
    kind, _, rest = name.partition(".")
    if kind not in KINDS:
        raise NotFound(_no_template(name))
    if rest == "xlsx":
        from registry.model.organisations import organisations

        names = sorted({o.name for o in organisations(state().registry)})
        return _download(
            T.xlsx_template(kind, names), name,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if rest == "json":
        return _download(T.json_template(kind), name, "application/json")
    sheet, _, ext = rest.partition(".")
    files = T.csv_templates(kind)
    if ext == "csv" and sheet in files:
        return _download(files[sheet], name, "text/csv")
    raise NotFound(_no_template(name))


def _no_template(name: str) -> Msg:
    return msg("No template named {name}.", name=name)


def _download(data: bytes, name: str, mimetype: str) -> Response:
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/submit/", "start", start)
    bp.add_url_rule("/submit/sign-in", "sign_in", sign_in, methods=["GET", "POST"])
    bp.add_url_rule("/submit/sign-out", "sign_out", sign_out, methods=["POST"])
    bp.add_url_rule("/submit/templates", "templates", templates)
    bp.add_url_rule("/submit/templates/<name>", "template_file", template_file)
