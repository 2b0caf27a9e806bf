"""Upload, check, confirm, receipt, and our submissions (``/submit/upload``,
``/submit/confirm``, ``/submit/receipt/<n>``, ``/submit/submissions``).

A check runs the whole submission path as a dry run (endpoint/submit/work.py) and keeps the
uploaded bytes server-side (registry/access/uploads.py) under the session; the confirmation
form names the upload by its id (SHA-256 over the files' names and digests) and the check's
fingerprint, so "confirm" loads exactly what was checked, and refuses when the registry has
since changed so that the changes would differ from those shown."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from endpoint.app import state
from endpoint.submit.session import (
    SignedIn,
    audit,
    lang,
    require_sign_in,
    see_other,
    show,
    signed_in,
    size_text,
    too_large,
    uploads,
    url,
)
from endpoint.submit.signin import kind_labels
from endpoint.submit.text import words
from endpoint.submit.work import ChangedSinceCheck, Outcome, run
from loaders.columns import normalise_kind
from loaders.diff import ItemChange, field_label
from registry.access.audit import AuditLog
from registry.errors import RegistryError, SourceError, ValidationFailed
from registry.history.versions import change as change_of
from registry.i18n import Lang
from registry.lifecycle.rules import status_code, status_label
from registry.loading.sources import sent_file_name
from registry.validation.report import ValidationReport

_ICONS = {"violation": "✖", "warning": "!", "info": "i"}


def report_rows(report: ValidationReport, lang_: Lang) -> list[dict[str, Any]]:
    """The report's issues as table rows (errors first, as the loaders order them)."""
    s = words(lang_)
    rows = []
    for i in report.issues:
        loc = i.location
        column = loc.get("column")
        if column is not None and loc.get("cell"):
            column = f"{column} ({loc['cell']})"
        rows.append({
            "severity": i.severity,
            "icon": _ICONS.get(i.severity, "i"),
            "label": s.get("sev_" + i.severity, i.severity),
            "file": i.file or "",
            "sheet": loc.get("sheet", ""),
            "row": loc.get("row", loc.get("line", "")),
            "column": column if column is not None else loc.get("column_number", ""),
            "value": i.value,
            "item": i.focus_label or _short(i.focus),
            "field": label if (label := i.path_label(lang_)) and label != i.path else "",
            "message": i.message(lang_),
        })
    return rows


def _short(iri: str | None) -> str:
    """An item's IRI without the base URI (``id/commitment/NO9901``)."""
    base = state().settings.base_uri
    return (iri or "").removeprefix(base)


def _kind_options() -> list[tuple[str, str]]:
    return [("", words(lang())["kind_auto"]), *kind_labels()]


def _form_context(**extra: Any) -> dict[str, Any]:
    return {
        "current": "upload",
        "kind_options": _kind_options(),
        "max_size": size_text(state().settings.max_upload_bytes),
        **extra,
    }


@require_sign_in
def upload() -> Response:
    s = words(lang())
    if request.method == "GET":
        return show("upload.html", title=s["upload_title"], errors={}, **_form_context())
    who = signed_in()
    assert who is not None
    try:
        sent = request.files.getlist("file")
        kind = request.form.get("kind") or None
        files = [(_file_name(f.filename), f.read()) for f in sent if f.filename]
    except RequestEntityTooLarge:  # the form token was read first (session.require_sign_in)
        return too_large("submit.check")
    kind_key = normalise_kind(kind) if kind else None
    return _check(who, files, kind_key)


def _file_name(raw: str) -> str:
    """An uploaded file's name as the registry keeps it (provenance, pages, audit log): its last
    path segment, without control characters or bidirectional overrides (a browser sends what
    the file system allows; ``POST /api/submissions`` refuses such a name), at most 200
    characters from its end (the extension says the format)."""
    return sent_file_name(raw, strip=True) or "upload"


def _check(who: SignedIn, files: list[tuple[str, bytes]], kind: str | None) -> Response:
    s, lg = words(lang()), lang()
    names = ", ".join(n for n, _ in files)
    try:
        outcome = run(state().registry, who.token, files, kind=kind, dry_run=True)
    except ValidationFailed as exc:
        audit("submit.check", "refused", 422, target=names,
              message=exc.render("en") + " " + exc.report.summary("en"))
        return _report_page(s["failed_title"], exc.report, failed=True, status=422, kind=kind)
    except RegistryError as exc:
        audit("submit.check", "refused", exc.http_status, target=names, message=exc.render("en"))
        title = s["unreadable_title"] if isinstance(exc, SourceError) else s["refused_title"]
        return _report_page(title, ValidationReport(), failed=True, status=exc.http_status,
                            problem=exc.render(lg), kind=kind)
    upload_ = uploads().save(who.session.key, files, kind, outcome.fingerprint())
    audit("submit.check", "ok", 200, target=names,
          message=f"dry run; upload {upload_.id}; " + _counts(outcome))
    return _outcome_page(s["checked_title"], outcome, upload_, kind)


def _counts(outcome: Outcome) -> str:
    parts = []
    for src in outcome.sources:
        d = src.diff
        counts = (f"{d.count('created')} created, {d.count('updated')} updated, "
                  f"{d.count('removed')} removed, {d.count('dropped')} dropped"
                  ) if d else f"{src.added} added"
        parts.append(f"{src.graph}: {counts}")
    return "; ".join(parts)


def _report_page(
    title: str, report: ValidationReport, *, failed: bool, status: int = 200,
    problem: str = "", kind: str | None = None,
) -> Response:
    return show(
        "checked.html", title=title, status=status, failed=failed, problem=problem,
        rows=report_rows(report, lang()), summary=report.summary(lang()),
        outcome=None, errors={}, kind=kind,
        **_form_context(),
    )


def _outcome_page(title: str, outcome: Outcome, upload_: Any, kind: str | None,
                  status: int = 200, problem: str = "") -> Response:
    lg = lang()

    def fields(i: ItemChange) -> list[str]:
        return [field_label(f, lg) for f in i.fields]

    report = outcome.report
    return show(
        "checked.html", title=title, status=status, failed=False, problem=problem,
        rows=report_rows(report, lg), summary=report.summary(lg),
        outcome=outcome, sources=outcome.sources,
        upload=upload_, fields=fields, org_name=_name, errors={}, kind=kind,
        **_form_context(),
    )


@require_sign_in
def confirm() -> Response:
    s = words(lang())
    who = signed_in()
    assert who is not None
    upload_id = request.form.get("upload", "")
    kept = uploads().get(who.session.key, upload_id)
    if kept is None:
        audit("submit.confirm", "refused", 409, target=upload_id, message="no such upload kept")
        return show("error.html", title=s["refused_title"], status=409,
                    message=s["upload_gone"])
    upload_, files = kept
    names = ", ".join(n for n, _ in files)
    try:
        # the fingerprint kept with the upload, never one sent by the browser
        outcome = run(state().registry, who.token, files, kind=upload_.kind, dry_run=False,
                      checked=upload_.checked)
    except ChangedSinceCheck as exc:
        again = uploads().save(who.session.key, files, upload_.kind, exc.outcome.fingerprint())
        audit("submit.confirm", "refused", 409, target=names, message=exc.render("en"))
        return _outcome_page(s["changed_title"], exc.outcome, again, upload_.kind, status=409,
                             problem=exc.render(lang()))
    except ValidationFailed as exc:
        audit("submit.confirm", "refused", 422, target=names,
              message=exc.render("en") + " " + exc.report.summary("en"))
        return _report_page(s["failed_title"], exc.report, failed=True, status=422)
    except RegistryError as exc:
        audit("submit.confirm", "refused", exc.http_status, target=names,
              message=exc.render("en"))
        return _report_page(s["refused_title"], ValidationReport(), failed=True,
                            status=exc.http_status, problem=exc.render(lang()))
    uploads().discard(who.session.key)
    n = outcome.change.number if outcome.change is not None else 0
    audit("submit.confirm", "ok", 303, target=names,
          message=f"loaded upload {upload_id}; change {n or 'none (unchanged)'}; "
          + _counts(outcome))
    return see_other(url(f"receipt/{n}"))


@require_sign_in
def receipt(n: int) -> Response:
    s = words(lang())
    reg = state().registry
    c = change_of(reg.store.reader(), n, reg.settings.base_uri) if n > 0 else None
    if n > 0 and c is None:
        raise NotFound()  # no such change (receipt/0 is the one for a load that changed nothing)
    labels: dict[str, str] = {}
    agent = ""
    if c is not None:
        # the page's language first, then bokmål, English, nynorsk
        order = [lang(), "nb", "en", "nn"]
        for v in c.versions:
            found = {row["l"].language: row["l"].value
                     for row in _select(reg, _LABEL, i=ox.NamedNode(v.item))}
            best = next((found[lg] for lg in order if lg in found), None)
            if best is not None:
                labels[v.item] = best
        agent = _name(c.agent) if c.agent else (c.loaded_by or "")
    title = s["receipt_title"].format(n=n) if c is not None else s["receipt_none"]
    return show("receipt.html", title=title, change=c, labels=labels, agent=agent,
                current="submissions")


def _name(iri: str) -> str:
    from registry.access.graphstore import organisation_name

    return organisation_name(state().registry.store.reader(), iri)


_LABEL = ("SELECT ?i ?l WHERE { ?i dct:title|skos:prefLabel ?l "
          "FILTER(lang(?l) IN ('nb', 'nn', 'en')) }")
_SOURCES = """
SELECT ?prov ?org ?g ?sid ?file ?when ?by ?n WHERE {
  GRAPH ?prov { ?g ogp:submittedBy ?org ; ogp:sourceId ?sid .
    OPTIONAL { ?g ogp:fileName ?file } OPTIONAL { ?g prov:generatedAtTime ?when }
    OPTIONAL { ?g ogp:loadedBy ?by } OPTIONAL { ?g ogp:tripleCount ?n } }
} ORDER BY DESC(?when)
"""
_CHANGES = "SELECT DISTINCT ?g ?n WHERE { ?c prov:used ?g ; ogp:changeNumber ?n } ORDER BY ?n"
_STATUSES = """
SELECT ?g ?status (COUNT(DISTINCT ?item) AS ?count) WHERE {
  GRAPH ?g { ?item a ?type VALUES ?type { ogp:ActionPlan ogp:Commitment ogp:Proposal } }
  OPTIONAL { ?item ogp:registryStatus ?status }
} GROUP BY ?g ?status
"""


@require_sign_in
def submissions() -> Response:
    s = words(lang())
    who = signed_in()
    assert who is not None
    reg = state().registry
    org = ox.NamedNode(who.token.organisation)
    prov = ox.NamedNode(reg.uris.provenance_graph)
    rows = [dict(r) for r in _select(reg, _SOURCES, org=org, prov=prov)]
    sources = []
    for r in rows:
        g = r["g"]
        statuses = []
        for st in _select(reg, _STATUSES, g=g):
            code = status_code(st["status"].value) if st.get("status") else None
            statuses.append((status_label(code).render(lang()), int(st["count"].value)))
        changes = [int(c["n"].value) for c in _select(reg, _CHANGES, g=g)]
        sources.append({
            "graph": g.value, "source_id": r["sid"].value,
            "file": r["file"].value if r.get("file") else "",
            "loaded": r["when"].value[:19].replace("T", " ") if r.get("when") else "",
            "loaded_by": r["by"].value if r.get("by") else "",
            "triples": r["n"].value if r.get("n") else "",
            "statuses": sorted(statuses), "changes": changes,
        })
    log = AuditLog(reg.store.path)
    attempts = [e for e in log.entries()
                if e.organisation == who.token.organisation
                and e.action.startswith(("submit.", "api."))][-30:][::-1]
    return show("submissions.html", title=s["subs_title"], sources=sources,
                attempts=attempts, current="submissions")


def _select(reg: Any, query: str, **bind: ox.NamedNode) -> list[dict[str, Any]]:
    res = reg.query(query, substitutions={ox.Variable(k): v for k, v in bind.items()})
    out = [{v.value: sol[v] for v in res.variables if sol[v] is not None} for sol in res]
    del res
    return out


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/submit/upload", "upload", upload, methods=["GET", "POST"])
    bp.add_url_rule("/submit/confirm", "confirm", confirm, methods=["POST"])
    bp.add_url_rule("/submit/receipt/<int:n>", "receipt", receipt)
    bp.add_url_rule("/submit/submissions", "submissions", submissions)
