"""The co-creation standards page of a plan (issue 21): ``/id/plan/{id}/co-creation``.

For each minimum requirement of OGP's Participation and Co-Creation Standards, the evidence the
registry holds and the verdict computed from it (``registry/model/cocreation.py``), as a page
for people, as RDF (the same verdicts in W3C EARL: one ``earl:Assertion`` per requirement, its
``earl:TestResult`` with ``earl:passed``, ``earl:failed`` or ``earl:cantTell`` for "not
recorded", the evidence as ``dct:references``) and as CSV (one row per piece of evidence). The
routes are registered in ``endpoint/pages/routes.py``; see docs/co-creation.md.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyoxigraph as ox
from flask import Response, request

from endpoint.pages.negotiation import (
    BY_EXTENSION,
    HTML,
    Representation,
    choose,
    entity_tag,
    finish,
    not_found,
    serialize,
)
from endpoint.pages.page import Alternate, Page, alternates_for, page_lang, render, resources
from registry.i18n import LANGS, N_, Lang, gettext
from registry.model import cocreation as cc
from registry.model.description import Node
from registry.model.text import format_date
from registry.sparql.csvcells import escape_cell
from registry.uris import Uris

EARL = "http://www.w3.org/ns/earl#"
_DCT = "http://purl.org/dc/terms/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OUTCOME = {cc.MET: "passed", cc.NOT_MET: "failed", cc.NOT_RECORDED: "cantTell"}

#: The page's words (English msgids), by key.
WORDS: dict[str, str] = {
    "title": N_("Co-creation standards: {plan}"),
    "intro": N_("For each minimum requirement of OGP's Participation and Co-Creation Standards: "
                "the evidence the registry holds and the verdict computed from it. Where the "
                "registry lacks the data, it says \"not recorded\", never \"not met\". The "
                "requirements are in the registry's own words; OGP's text is authoritative."),
    "ogp_text": N_("OGP's Participation and Co-Creation Standards"),
    "met": N_("Met"),
    "not-met": N_("Not met"),
    "not-recorded": N_("Not recorded"),
    "verdict": N_("Verdict"),
    "evidence": N_("Evidence"),
    "no_evidence": N_("No evidence recorded."),
    "date": N_("Date"),
    "what": N_("What it shows"),
    "item": N_("Item"),
    "status": N_("Status"),
    "waiting": N_("Proposals waiting for a response"),
    "respond": N_("respond (coordinating ministry)"),
    "plan": N_("Action plan"),
    "summary": N_("Summary"),
    "as_of": N_("Computed on {date}."),
    "downloads": N_("Download"),
    "panel": N_("Co-creation standards"),
    "panel_link": N_("Evidence per minimum requirement"),
}


@dataclass(frozen=True)
class Row:
    """One piece of evidence as the page and the CSV show it."""

    note: str
    node: Node | None
    day: str | None
    status: str | None


def words(lang: Lang) -> dict[str, str]:
    return {k: gettext(lang, v) for k, v in WORDS.items()}


def plan_iri(plan_id: str) -> str:
    return Uris(resources().base).plan(plan_id)


def today() -> date:
    return datetime.now(UTC).date()


def _rows(req: cc.Requirement, lang: Lang) -> list[Row]:
    res = resources()
    return [
        Row(e.note.render(lang), res.node(e.iri, lang) if e.iri else None,
            format_date(e.day.isoformat(), lang) if e.day else None, e.status)
        for e in req.evidence
    ]


def page(plan_id: str, ext: str | None = None) -> Response:
    """The standards page of ``plan_id`` in the representation asked for (HTML, an RDF
    format, or CSV with ``.csv``)."""
    iri = plan_iri(plan_id)
    doc_url = iri + "/co-creation"
    rep: Representation | Response | None
    if ext == "csv" or (ext is None and request.args.get("format") == "csv"):
        rep = None
    elif ext is not None:
        found = BY_EXTENSION.get("." + ext)
        if found is None:
            return not_found(doc_url + "." + ext, HTML)
        rep = found
    else:
        rep = choose(None)
    if isinstance(rep, Response):
        return rep
    res = resources()
    lang = page_lang()
    if not res.exists(iri) or "ActionPlan" not in " ".join(res.types(iri)):
        return not_found(doc_url, rep or HTML)
    found_standards = cc.standards(res, iri, today())
    if rep is None:
        return _csv(found_standards, plan_id, lang)
    explicit = ext is not None or bool(request.args.get("format"))
    # the verdicts depend on the day too (a half-year or a period ends), not only the store
    tag = entity_tag(rep, lang)
    etag = f"{tag}-{found_standards.today.isoformat()}" if tag else None
    if etag and request.if_none_match.contains_weak(etag):
        resp = finish(Response(status=304), rep, doc_url, explicit)
    elif rep is HTML:
        resp = finish(_html(found_standards, iri, doc_url, lang), rep, doc_url, explicit)
    else:
        resp = finish(Response(serialize(triples(found_standards, doc_url), rep),
                               content_type=rep.content_type), rep, doc_url, explicit)
    if etag:
        resp.set_etag(etag)
    return resp


def _html(st: cc.Standards, iri: str, doc_url: str, lang: Lang) -> Response:
    pg = Page(lang)
    w = words(lang)
    plan = resources().node(iri, lang)
    name = plan.label.value if plan.label else iri
    reqs = [
        {
            "key": r.key,
            "title": gettext(lang, r.title),
            "text": gettext(lang, r.text),
            "verdict": r.verdict,
            "summary": [m.render(lang) for m in r.summary],
            "rows": _rows(r, lang),
        }
        for r in st.requirements
    ]
    alternates = [*alternates_for(doc_url), Alternate("CSV", "text/csv", doc_url + ".csv")]
    return render(
        "pages/cocreation.html",
        pg,
        title=w["title"].format(plan=name),
        alternates=alternates,
        w=w,
        plan=plan,
        reqs=reqs,
        waiting=[resources().node(p, lang) for p in st.waiting],
        counts=st.counts(),
        ogp_url=cc.OGP_STANDARDS_URL,
        computed=format_date(st.today.isoformat(), lang),
        doc_url=doc_url,
    )


def _csv(st: cc.Standards, plan_id: str, lang: Lang) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["plan", "requirement", "verdict", "evidence", "item", "date", "status"])
    for r in st.requirements:
        lines: list[tuple[str, str | None, str | None, str | None]] = [
            (m.render(lang), None, None, None) for m in r.summary]
        lines += [(e.note.render(lang), e.iri, e.day.isoformat() if e.day else None, e.status)
                  for e in r.evidence]
        for note, item, day, status in lines or [("", None, None, None)]:
            writer.writerow([escape_cell(c or "", keep_numbers=False) for c in
                             (plan_id, r.key, r.verdict, note, item, day, status)])
    resp = Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp.headers["Content-Language"] = lang
    resp.headers["Content-Disposition"] = (
        f'inline; filename="co-creation-{plan_id}.csv"')
    return resp


def triples(st: cc.Standards, doc_url: str) -> list[ox.Triple]:
    """The verdicts in W3C EARL."""
    out: list[ox.Triple] = []

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(n(s), n(p), o))

    add(doc_url, _DCT + "subject", n(st.plan))
    add(doc_url, _DCT + "references", n(cc.OGP_STANDARDS_URL))
    add(doc_url, _DCT + "modified", ox.Literal(st.today.isoformat(),
                                               datatype=n("http://www.w3.org/2001/XMLSchema#date")))
    for r in st.requirements:
        a, result = f"{doc_url}#{r.key}", f"{doc_url}#{r.key}-result"
        out.append(ox.Triple(n(a), _RDF_TYPE, n(EARL + "Assertion")))
        add(a, EARL + "subject", n(st.plan))
        add(a, EARL + "test", n(cc.OGP_STANDARDS_URL))
        add(a, EARL + "result", n(result))
        add(a, _DCT + "isPartOf", n(doc_url))
        out.append(ox.Triple(n(result), _RDF_TYPE, n(EARL + "TestResult")))
        add(result, EARL + "outcome", n(EARL + _OUTCOME[r.verdict]))
        for lang in LANGS:
            add(a, _DCT + "title", ox.Literal(gettext(lang, r.title), language=lang))
            add(a, _DCT + "description", ox.Literal(gettext(lang, r.text), language=lang))
            if r.summary:
                text = " ".join(m.render(lang) for m in r.summary)
                add(result, _DCT + "description", ox.Literal(text, language=lang))
        for iri in dict.fromkeys(e.iri for e in r.evidence if e.iri):
            assert iri is not None
            add(result, _DCT + "references", n(iri))
    return out


def panel_words(lang: Lang) -> dict[str, str]:
    """The dashboard panel's words."""
    return {"panel": gettext(lang, WORDS["panel"]),
            "panel_link": gettext(lang, WORDS["panel_link"]),
            **{v: gettext(lang, WORDS[v]) for v in cc.VERDICTS}}


def panel(plan_iri_: str, lang: Lang) -> dict[str, object]:
    """The dashboard panel of a plan: the verdicts and the link to the page."""
    st = cc.standards(resources(), plan_iri_, today())
    return {
        "href": plan_iri_ + "/co-creation",
        "words": panel_words(lang),
        "reqs": [(gettext(lang, r.title), r.verdict) for r in st.requirements],
    }


__all__ = ["WORDS", "page", "panel", "triples"]
