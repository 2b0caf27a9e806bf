"""The proposal form and the status page (``/submit/proposal``, ``/submit/status``).

The proposal form builds a one-row proposals submission in the registry's own JSON format
(loaders/schema/submission.schema.json) and sends it through the same path as an uploaded
file (endpoint/submit/work.py), so the same rules and report apply; each proposal gets a source
of its own (``proposal-{id}``), so a new proposal never replaces an earlier one. The contact
person is kept out of the RDF (registry/access/contacts.py).

The status page calls ``registry.lifecycle.change.set_status`` as ``ogpreg status`` and
``POST /api/status`` do: the same rules and messages.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pyoxigraph as ox
from flask import Blueprint, Response, request

from endpoint.app import state
from endpoint.submit.session import (
    audit,
    lang,
    require_sign_in,
    see_other,
    show,
    signed_in,
    url,
)
from endpoint.submit.text import words
from endpoint.submit.upload import report_rows
from endpoint.submit.work import run
from loaders.columns import sheet
from registry.access.contacts import ContactBook
from registry.errors import RegistryError, ValidationFailed
from registry.lifecycle.change import set_status
from registry.lifecycle.rules import STATUSES, allowed_next, label, status_label
from registry.lifecycle.state import item_facts
from registry.uris import slugify
from registry.validation.report import ValidationReport

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_FIELDS = ("title_nb", "title_en", "description_nb", "meeting", "contact_name", "contact_email")
_MEETINGS = """
SELECT ?lang ?m ?start ?title WHERE { ?m a ogp:ConsultationMeeting ; schema:startDate ?start .
  OPTIONAL { ?m dct:title ?title FILTER(lang(?title) = ?lang) } } ORDER BY DESC(?start)
"""
_TAKEN = "ASK { ?p dct:identifier ?id }"


def _themes() -> list[tuple[str, str]]:
    """(value the loader reads, label in the page's language) of every theme."""
    col = sheet("proposals").column("themes")
    return [(c.label("nb"), c.label(lang())) for c in col.allowed]


def _meetings() -> list[tuple[str, str]]:
    s = words(lang())
    res = state().registry.query(_MEETINGS, substitutions={ox.Variable("lang"): ox.Literal(lang())})
    out = [("", s["p_no_meeting"])]
    for row in res:  # type: ignore[union-attr]
        day = row["start"].value[:10]
        title = row["title"].value if row["title"] is not None else ""
        out.append((day, f"{day} – {title}" if title else day))
    del res
    return out


def _submitted_label() -> str:
    col = sheet("proposals").column("status")
    return next(c.label("nb") for c in col.allowed if c.iri.endswith("/submitted"))


def _new_id(org_iri: str) -> str:
    """``{year}-{organisation}-{n}``: the next free proposal identifier of the organisation."""
    year = datetime.now(ZoneInfo("Europe/Oslo")).year
    org = slugify(org_iri.rstrip("/").rsplit("/", 1)[-1])[:60]
    n = 1
    while True:
        ident = f"{year}-{org}-{n}"
        taken = state().registry.query(_TAKEN, substitutions={ox.Variable("id"): ox.Literal(ident)})
        if not bool(taken):
            return ident
        n += 1


def _blank() -> dict[str, Any]:
    return {k: "" for k in _FIELDS} | {"themes": []}


def _page(form: dict[str, Any], errors: dict[str, str], status: int = 200,
          report: ValidationReport | None = None) -> Response:
    s = words(lang())
    report = report or ValidationReport()
    return show("proposal.html", title=s["proposal_title"], status=status, form=form,
                errors=errors, themes=_themes(), meetings=_meetings(), current="proposal",
                rows=report_rows(report, lang()),
                summary=report.summary(lang()))


@require_sign_in
def proposal() -> Response:
    s = words(lang())
    if request.method == "GET":
        form = _blank()
        meetings = _meetings()
        form["meeting"] = meetings[1][0] if len(meetings) > 1 else ""
        return _page(form, {})
    who = signed_in()
    assert who is not None
    form = {k: request.form.get(k, "").strip() for k in _FIELDS}
    form["themes"] = request.form.getlist("themes")
    errors: dict[str, str] = {}
    labels = {"title_nb": s["p_title_nb"], "description_nb": s["p_description"],
              "themes": s["p_themes"], "contact_name": s["p_contact_name"],
              "contact_email": s["p_contact_email"]}
    for key, name in labels.items():
        if not form[key]:
            errors[key] = s["p_missing"].format(field=name)
    if form["contact_email"] and not _EMAIL.match(form["contact_email"]):
        errors["contact_email"] = s["p_bad_email"]
    if errors:
        audit("submit.proposal", "refused", 400, message="form incomplete: " + ", ".join(errors))
        return _page(form, errors, 400)
    ident = _new_id(who.token.organisation)
    row: dict[str, Any] = {
        "id": ident,
        "title_nb": form["title_nb"],
        "description_nb": form["description_nb"],
        "proposed_by": who.token.organisation,
        "themes": form["themes"],
        "date_submitted": datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat(),
        "status": _submitted_label(),
    }
    if form["title_en"]:
        row["title_en"] = form["title_en"]
    if form["meeting"]:
        row["meeting"] = form["meeting"]
    doc = {"kind": "proposals", "comment": "Sent with the proposal form", "proposals": [row]}
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    name = f"forslag-{ident}.json"
    reg = state().registry
    try:
        outcome = run(reg, who.token, [(name, data)], kind="proposals", dry_run=False,
                      source=slugify(f"proposal-{ident}")[:100])
    except ValidationFailed as exc:
        audit("submit.proposal", "refused", 422, target=ident,
              message=exc.render("en") + " " + exc.report.summary("en"))
        for i in exc.report.violations:
            key = str(i.location.get("column", ""))
            if key in form and key not in errors:
                errors[key] = i.message(lang())
        return _page(form, errors, 422, exc.report)
    except RegistryError as exc:
        audit("submit.proposal", "refused", exc.http_status, target=ident,
              message=exc.render("en"))
        return _page(form, {"": exc.render(lang())}, exc.http_status)
    item = reg.uris.proposal(ident)
    ContactBook(reg.store.path).add(item, who.token.organisation, who.token.id,
                                    form["contact_name"], form["contact_email"])
    n = outcome.change.number if outcome.change is not None else 0
    audit("submit.proposal", "ok", 303, target=item,
          message=f"proposal {ident}; change {n}; contact person stored (not published)")
    return see_other(url(f"receipt/{n}"))


def _item_iri(value: str) -> str:
    value = value.strip()
    if value and "://" not in value:
        return state().registry.settings.base_uri + value.lstrip("/")
    return value


@require_sign_in
def status() -> Response:
    s = words(lang())
    who = signed_in()
    assert who is not None
    reg = state().registry
    lg = lang()
    keys = ("item", "status", "plan", "date", "reason", "successor")
    if request.method == "GET":
        form = {k: "" for k in keys} | {"item": _item_iri(request.args.get("lookup", ""))}
        return _status_page(form, {}, None)
    form = {k: request.form.get(k, "").strip() for k in keys}
    item = _item_iri(form["item"])
    form["item"] = item
    plan = form["plan"]
    if plan and "/" not in plan:
        plan = reg.uris.plan(plan)
    try:
        result = set_status(
            reg, who.token, item, form["status"], reason=form["reason"] or None,
            successor=_item_iri(form["successor"]) or None, date=form["date"] or None,
            plan=plan or None, reason_lang=lg,
        )
    except RegistryError as exc:
        audit("submit.status", "refused", exc.http_status, target=item, message=exc.render("en"))
        field = "item" if not item else "status"
        return _status_page(form, {field: exc.render(lg)}, None, exc.http_status)
    audit("submit.status", "ok", 200, target=item,
          message=f"{result.from_status or '-'} -> {result.to_status}; change {result.change}"
          + ("; admin correction" if result.correction else "")
          + (f"; reason: {form['reason']}" if form["reason"] else ""))
    done = {
        "text": s["s_done"].format(item=item, old=status_label(result.from_status).render(lg),
                                   new=status_label(result.to_status).render(lg),
                                   n=result.change),
        "version": result.version,
    }
    return _status_page({k: "" for k in keys} | {"item": item}, {}, done)


def _status_page(form: dict[str, str], errors: dict[str, str], done: dict[str, str] | None,
                 code: int = 200) -> Response:
    s = words(lang())
    who = signed_in()
    assert who is not None
    reg = state().registry
    lg = lang()
    current = ""
    contacts: list[Any] = []
    item = form.get("item", "")
    if item:
        facts = item_facts(reg.store.reader(), reg.settings.base_uri, item)
        if facts.kinds:
            nxt = ", ".join(label(t.to).render(lg) for t in allowed_next(facts.current))
            current = s["s_current"].format(item=item, status=label(facts.current).render(lg))
            if nxt:
                current += " " + s["s_allowed"].format(statuses=nxt)
            if who.token.is_editor and "proposal" in facts.kinds:
                contacts = ContactBook(reg.store.path).of(item)
    statuses = [(code_, status_label(code_).render(lg)) for code_ in STATUSES]
    return show("status.html", title=s["status_title"], status=code, form=form, errors=errors,
                done=done, current_status=current, current="status", statuses=statuses,
                contacts=contacts, example=reg.settings.base_uri + "id/proposal/2018-tin-01")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/submit/proposal", "proposal", proposal, methods=["GET", "POST"])
    bp.add_url_rule("/submit/status", "status", status, methods=["GET", "POST"])
