"""The response form (``/submit/response``, issue 21): the coordinating ministry answers a
proposal — taken into which commitment(s), merged, or not taken forward with a reason.

Like the proposal form (endpoint/submit/forms.py), it builds a one-row proposals submission in
the registry's JSON format with the response columns (loaders/specs.py) and sends it through
the same path as an uploaded file (endpoint/submit/work.py): the same shapes, the same report,
all or nothing. The row restates the proposal's identifier, titles, proposer and themes as the
registry holds them; each proposal's response is a source of its own (``response-{id}``), so
answering again replaces the earlier answer. Approvers and admins only (the coordinating
ministry); the organisation of the token is the one that responded (``ogp:respondedBy``).
See docs/co-creation.md.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pyoxigraph as ox
from flask import Blueprint, Response, request

from endpoint.app import state
from endpoint.submit.session import audit, lang, require_sign_in, see_other, show, signed_in, url
from endpoint.submit.upload import report_rows
from endpoint.submit.work import run
from loaders.columns import sheet
from registry.errors import RegistryError, ValidationFailed
from registry.i18n import N_, gettext
from registry.uris import slugify
from registry.validation.report import ValidationReport

#: The form's words (English msgids), by key.
WORDS: dict[str, str] = {
    "title": N_("Respond to a proposal"),
    "lead": N_("Record what was done with a proposal: taken into the plan (name the "
               "commitments), merged with other proposals, or not taken forward (then give the "
               "reason). The response is published on the proposal's page and counts on the "
               "plan's co-creation standards page. Sending it again replaces it."),
    "editors_only": N_("Only the coordinating ministry (an approver or admin token) records "
                       "responses to proposals."),
    "proposal": N_("Proposal (ID)"),
    "show": N_("Show"),
    "unknown": N_("The registry has no proposal with the ID \"{id}\"."),
    "current": N_("Proposal: {title} (proposed by {by})."),
    "response": N_("Response"),
    "taken_into": N_("Taken into commitment (IDs, separated by ;)"),
    "merged_with": N_("Merged with proposal (IDs, separated by ;)"),
    "reason_nb": N_("Reason (Norwegian)"),
    "reason_en": N_("Reason (English)"),
    "reason_hint": N_("Required when the proposal is not taken forward."),
    "date": N_("Response date"),
    "send": N_("Send the response"),
    "choose": N_("Choose a response"),
}
_FIELDS = ("proposal", "response", "taken_into", "merged_with", "reason_nb", "reason_en", "date")
_PROPOSAL = """SELECT ?id ?p ?title ?by ?theme ?meeting WHERE {
  ?p a ogp:Proposal ; dct:identifier ?id .
  OPTIONAL { ?p dct:title ?title }
  OPTIONAL { ?p ogp:proposedBy ?by }
  OPTIONAL { ?p ogp:theme ?theme }
  OPTIONAL { ?p ogp:submittedAt ?meeting }
}"""


def _words() -> dict[str, str]:
    return {k: gettext(lang(), v) for k, v in WORDS.items()}


def _responses() -> list[tuple[str, str]]:
    col = sheet("proposals").column("response")
    return [("", _words()["choose"])] + [(c.label("nb"), c.label(lang())) for c in col.allowed]


def _proposal(ident: str) -> dict[str, Any] | None:
    """The proposal's facts as a proposals row (None: no such proposal)."""
    res = state().registry.query(_PROPOSAL, substitutions={ox.Variable("id"): ox.Literal(ident)})
    row: dict[str, Any] = {"id": ident, "themes": []}
    found = False
    for sol in res:  # type: ignore[union-attr]
        found = True
        title = sol["title"]
        if isinstance(title, ox.Literal) and title.language in ("nb", "nn", "en"):
            row[f"title_{title.language}"] = title.value
        if sol["by"] is not None:
            row["proposed_by"] = sol["by"].value
        theme = sol["theme"]
        if theme is not None and theme.value.rsplit("/", 1)[-1] not in row["themes"]:
            row["themes"].append(theme.value.rsplit("/", 1)[-1])
        meeting = sol["meeting"]
        if meeting is not None and "/id/meeting/" in meeting.value:
            row["meeting"] = meeting.value.rsplit("/", 1)[-1]
    del res
    return row if found else None


def _page(form: dict[str, str], errors: dict[str, str], *, status: int = 200,
          found: dict[str, Any] | None = None, report: ValidationReport | None = None,
          allowed: bool = True) -> Response:
    w = _words()
    report = report or ValidationReport()
    current = ""
    if found is not None:
        title = found.get("title_nb") or found.get("title_nn") or found.get("title_en") or ""
        current = w["current"].format(title=title, by=found.get("proposed_by", "?"))
    return show("response.html", title=w["title"], status=status, form=form, errors=errors,
                w=w, responses=_responses(), current_proposal=current, allowed=allowed,
                current="response", rows=report_rows(report, lang()),
                summary=report.summary(lang()))


@require_sign_in
def response() -> Response:
    w = _words()
    who = signed_in()
    assert who is not None
    today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    if request.method == "GET":
        form = {k: "" for k in _FIELDS} | {"date": today}
        form["proposal"] = request.args.get("proposal", "").strip().rsplit("/", 1)[-1]
        found = _proposal(form["proposal"]) if form["proposal"] else None
        errors = ({"proposal": w["unknown"].format(id=form["proposal"])}
                  if form["proposal"] and found is None else {})
        return _page(form, errors, found=found, allowed=who.token.is_editor)
    form = {k: request.form.get(k, "").strip() for k in _FIELDS}
    ident = form["proposal"].rsplit("/", 1)[-1]
    if not who.token.is_editor:
        audit("submit.response", "refused", 403, target=ident, message="not an editor token")
        return _page(form, {"": w["editors_only"]}, status=403, allowed=False)
    found = _proposal(ident) if ident else None
    if found is None:
        audit("submit.response", "refused", 400, target=ident, message="unknown proposal")
        return _page(form, {"proposal": w["unknown"].format(id=ident)}, status=400)
    row = dict(found)
    row["response"] = form["response"]
    row["responded_by"] = who.token.organisation
    row["response_date"] = form["date"]
    for key, col in (("taken_into", "taken_into"), ("merged_with", "merged_with"),
                     ("reason_nb", "response_reason_nb"), ("reason_en", "response_reason_en")):
        if form[key]:
            row[col] = form[key]
    doc = {"kind": "proposals", "comment": "Sent with the response form", "proposals": [row]}
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    reg = state().registry
    try:
        outcome = run(reg, who.token, [(f"svar-{ident}.json", data)], kind="proposals",
                      dry_run=False, source=slugify(f"response-{ident}")[:100])
    except ValidationFailed as exc:
        audit("submit.response", "refused", 422, target=ident,
              message=exc.render("en") + " " + exc.report.summary("en"))
        return _page(form, {}, status=422, found=found, report=exc.report)
    except RegistryError as exc:
        audit("submit.response", "refused", exc.http_status, target=ident,
              message=exc.render("en"))
        return _page(form, {"": exc.render(lang())}, status=exc.http_status, found=found)
    n = outcome.change.number if outcome.change is not None else 0
    audit("submit.response", "ok", 303, target=reg.uris.proposal(ident),
          message=f"response {form['response']!r} to {ident}; change {n}")
    return see_other(url(f"receipt/{n}"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/submit/response", "response", response, methods=["GET", "POST"])
