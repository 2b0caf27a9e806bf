"""One resource, dereferenced: ``{base}id/…`` (plans, commitments, milestones, organisations,
meetings, places, proposals, comments, assessments) and ``{base}graph/…`` (source, provenance
and vocabulary graphs) answer with a page for people and RDF for programs (content negotiation:
``endpoint/pages/negotiation.py``; docs/pages.md).

* The HTML page of a resource shows its statements with their sources, what links to it, what
  its kind adds (a commitment's milestones and assessments, an organisation's roles and register
  entry, a plan's commitments) and its timeline (``endpoint/pages/versions.py``).
* Withdrawn or superseded: 410 Gone, with the description, the reason and the successor
  (``Link: <…>; rel="successor-version"``).
* ``{item}/version/<n>``, ``{item}?as_of=`` and an item a later load deleted are answered by
  ``endpoint/pages/versions.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pyoxigraph as ox
from flask import Response, request
from markupsafe import Markup

from endpoint.app import state
from endpoint.pages import versions
from endpoint.pages.negotiation import (
    HTML,
    REPRESENTATIONS,
    Representation,
    candidates,
    choose,
    dataset_document,
    description_quads,
    entity_tag,
    finish,
    not_found,
    serialize,
    serialize_quads,
    split_extension,
)
from endpoint.pages.page import Page, alternates_for, page_lang, render, resources, views
from registry.i18n import Lang
from registry.model import progress
from registry.model.description import Description
from registry.model.resources import Resources
from registry.model.terms import DCT_IS_REPLACED_BY, GONE_STATUSES
from registry.model.text import Text
from registry.namespaces import OGP

_ORG_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("org_leads", (str(OGP.leadAgency),)),
    (
        "org_supports",
        (str(OGP.supportingPublicBody), str(OGP.supportingNonGovernmentalActor)),
    ),
    ("org_proposed", (str(OGP.proposedBy),)),
    ("org_coordinates", (str(OGP.coordinatedBy),)),
    ("org_approved", (str(OGP.approvedBy),)),
    ("org_invited_by", (str(OGP.invitedBy),)),
    ("org_invited", (str(OGP.invited),)),
    ("org_attended", (str(OGP.attendee),)),
    ("org_assessed", (str(OGP.assessedBy),)),
    ("org_submitted", (str(OGP.submittedBy),)),
)

_TITLE = "http://purl.org/dc/terms/title"

#: Register entries follow the pattern the data model gives for ogp:registerRecord.
BRREG_ENTRY = "https://data.brreg.no/enhetsregisteret/api/enheter/"
#: The register's page of an entity for people (issue 19).
BRREG_PAGE = "https://virksomhet.brreg.no/nb/oppslag/enheter/"


_LEAD_NAMES = """SELECT ?c ?org ?name ?from ?to ?successor WHERE {
  ?c ogp:PREDICATE ?org .
  OPTIONAL { ?org dct:isReplacedBy ?successor }
  OPTIONAL { ?org ogp:hasName ?n . ?n skos:prefLabel ?name .
             OPTIONAL { ?n schema:startDate ?from } OPTIONAL { ?n schema:endDate ?to } }
}"""
_PERIOD = """SELECT ?c ?start ?end ?planStart ?planEnd WHERE {
  OPTIONAL { ?c schema:startDate ?start } OPTIONAL { ?c schema:endDate ?end }
  OPTIONAL { ?c ogp:inActionPlan ?p OPTIONAL { ?p schema:startDate ?planStart }
             OPTIONAL { ?p schema:endDate ?planEnd } }
}"""


def _value(row: ox.QuerySolution, var: str) -> str:
    term = row[var]
    return term.value if term is not None else ""


def leads_at_the_time(
    iri: str, res: Resources, lang: Lang, predicate: str = "leadAgency"
) -> list[dict[str, Any]]:
    """A commitment's lead agencies (``predicate``: a plan's ``coordinatedBy``) by the name
    each had in the item's period (else its plan's), with the body that replaced it, or its
    current name where it was renamed. Where several names could have been valid then (the
    sources date none), the current name."""
    assert predicate in ("leadAgency", "coordinatedBy")
    c = ox.NamedNode(iri)
    period = res.select(_PERIOD, c=c)
    first = period[0] if period else None
    start = (_value(first, "start") or _value(first, "planStart")) if first else ""
    end = (_value(first, "end") or _value(first, "planEnd")) if first else ""
    lo, hi = (start + "-01-01")[:10], (end + "-12-31")[:10] if end else "9999"
    names: dict[str, dict[str, set[str]]] = {}  # org -> language -> the names valid then
    successor: dict[str, str] = {}
    for row in res.select(_LEAD_NAMES.replace("PREDICATE", predicate), c=c):
        org = _value(row, "org")
        names.setdefault(org, {})
        if row["successor"] is not None:
            successor[org] = _value(row, "successor")
        name = row["name"]
        valid_from, valid_to = _value(row, "from"), _value(row, "to")
        if not isinstance(name, ox.Literal) or (valid_to and (valid_to + "-12-31")[:10] < lo):
            continue
        if valid_from and (valid_from + "-01-01")[:10] > hi:
            continue
        names[org].setdefault(name.language or "", set()).add(name.value)
    out: list[dict[str, Any]] = []
    for org, found in names.items():
        node = res.node(org, lang)
        # one name only: where the sources date no name, the name of the time is not known
        by_lang = {k: next(iter(v)) for k, v in found.items() if len(v) == 1}
        then = by_lang.get(lang) or by_lang.get("nb")
        renamed = then is not None and node.label is not None and then != node.label.value
        shown = node
        if then is not None and renamed:
            shown = replace(node, label=Text(then, lang if lang in by_lang else "nb"))
        out.append({
            "node": node, "then": shown, "renamed": renamed,
            "successor": res.node(successor[org], lang) if org in successor else None,
        })
    return sorted(out, key=lambda x: x["then"].label.value if x["then"].label else x["node"].iri)


def _kind_context(desc: Description, res: Resources, lang: Lang) -> dict[str, Any]:
    """What the page of one kind of resource shows beyond its statements."""
    kind = desc.node.kind
    iri = desc.node.iri
    pv = views()
    ctx: dict[str, Any] = {}
    if kind == "plan":  # its coordinating ministry by its name in the plan's period
        ctx["coordinators"] = leads_at_the_time(iri, res, lang, "coordinatedBy")
    if kind == "commitment":
        ctx["leads"] = leads_at_the_time(iri, res, lang)
        ctx["milestones"] = pv.milestones(iri, lang)
        ctx["assessments"] = pv.assessments(iri, lang)
        ctx["progress"] = progress.commitment_progress(
            iri, ctx["assessments"], ctx["milestones"]
        )
        ctx["complete_level"] = progress.LEVELS[-1]
        ctx["proposals"] = pv.proposals(
            (n.iri for n in desc.nodes(str(OGP.derivedFromProposal))), lang
        )
        ctx["comments"] = pv.comments(iri, lang)
        ctx["hide_backlinks"] = [
            str(OGP.ofCommitment),
            str(OGP.assesses),
            str(OGP.commentOn),
        ]
    elif kind == "milestone":
        ctx["assessments"] = pv.assessments(iri, lang, with_milestones=False)
    elif kind == "proposal":
        ctx["comments"] = pv.comments(iri, lang)
        ctx["derived"] = desc.linking(str(OGP.derivedFromProposal))
    elif kind == "organisation":
        ctx["roles"] = [(key, desc.linking(*preds)) for key, preds in _ORG_ROLES]
        ctx["hide_backlinks"] = [p for _, preds in _ORG_ROLES for p in preds] + [str(OGP.commentBy)]
        ctx["comments_by"] = pv.comments_by(iri, lang)
        number = desc.first(str(OGP.organisationNumber))
        records = desc.nodes(str(OGP.registerRecord))
        ctx["orgnr"] = number.raw if number else None
        ctx["register"] = (
            records[0].iri
            if records
            else (BRREG_ENTRY + number.raw if number and number.raw else None)
        )
        # people get the register's page; the data (RDF, the API record) keeps the API IRI
        ctx["register_page"] = BRREG_PAGE + number.raw if number and number.raw else None
    elif kind == "plan":
        ctx.update(_commitment_page(pv, iri, lang))  # a page of the list (issue 24)
        ctx["meetings"] = desc.linking(str(OGP.forActionPlan))
        ctx["hide_backlinks"] = [str(OGP.inActionPlan), str(OGP.forActionPlan)]
    elif kind == "source":
        ctx["source"] = res.source(iri, lang)
    if desc.is_graph and "source" not in ctx:
        ctx["source"] = res.source(iri, lang)
    return ctx


_JSONLD = next(r for r in REPRESENTATIONS if r.name == "jsonld")
#: Characters that must not appear raw inside <script>: escaped the JSON way (inside JSON
#: strings, the only place JSON-LD has them), so "</script>" in a title cannot end the element.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def embedded_jsonld(iri: str, res: Resources) -> Markup:
    """The resource's description as JSON-LD for a ``<script type="application/ld+json">``:
    its own statements and those of its blank nodes (not the backlinks, which the RDF has)."""
    subject = ox.NamedNode(iri)
    own = [
        t for t in res.triples(iri) if t.subject == subject or isinstance(t.subject, ox.BlankNode)
    ]
    text = serialize(own, _JSONLD).decode("utf-8")
    return Markup(text.translate(_SCRIPT_SAFE))


def resource_page(
    desc: Description, *, status: int, doc_url: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The HTML page of one resource (``status`` 410 for a withdrawn one)."""
    page = Page(desc.lang)
    res = resources()
    ctx = _kind_context(desc, res, desc.lang)
    ctx["timeline"] = versions.timeline(desc.node.iri, desc.lang)
    ctx["hide_backlinks"] = ctx.get("hide_backlinks", []) + versions.hidden_backlinks()
    title_text = desc.node.label
    title = title_text.value if title_text else desc.node.iri
    if desc.node.kind in ("commitment", "plan", "milestone"):
        # a missing bokmål or English title is a warning when the item is loaded: shown here
        langs = {(v.text.lang or "").lower() for v in desc.values(_TITLE) if v.text}
        ctx["missing_titles"] = [lang for lang in ("nb", "en") if lang not in langs]
    type_nodes = desc.nodes("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return render(
        "pages/resource.html",
        page,
        title=title,
        status=status,
        alternates=alternates_for(doc_url),
        headers=headers,
        d=desc,
        node=desc.node,
        kind=desc.node.kind,
        types=type_nodes,
        doc_url=doc_url,
        jsonld=embedded_jsonld(desc.node.iri, res),
        **ctx,
    )


def dereference(prefix: str, rest: str) -> Response:
    """Answer for the resource at ``{base}{prefix}{rest}``."""
    if prefix == "id/" and "/version/" in rest:
        answer = versions.version_page(rest)
        if answer is not None:
            return answer
    res = resources()
    found: tuple[str, Representation | None] | None = None
    for iri in candidates(prefix, rest):
        if res.exists(iri):
            found = (iri, None)
            break
    if found is None:
        stem, ext = split_extension(rest)
        if ext is not None:
            for iri in candidates(prefix, stem):
                if res.exists(iri):
                    found = (iri, ext)
                    break
    chosen = choose(found[1] if found else None)
    if isinstance(chosen, Response):
        return chosen
    if found is None:
        return not_found(state().settings.base_uri + prefix + rest, chosen)
    iri, ext = found
    explicit = ext is not None or bool(request.args.get("format"))
    if prefix == "id/":
        if "as_of" in request.args:
            return versions.as_of_page(iri, chosen, explicit=explicit)
        gone = versions.deleted_page(iri, chosen, doc_url=iri, explicit=explicit)
        if gone is not None:
            return gone
    return represent(iri, iri, chosen, explicit=explicit)


def represent(iri: str, doc_url: str, rep: Representation, *, explicit: bool) -> Response:
    """The resource ``iri`` (documented at ``doc_url``) as ``rep``: 200, or 410 when it is
    withdrawn or superseded."""
    res = resources()
    lang = page_lang()
    props = res.outgoing(iri)
    statuses = {
        o.value for o in props.get(str(OGP.registryStatus), []) if isinstance(o, ox.NamedNode)
    }
    gone = bool(statuses & set(GONE_STATUSES))
    successors = [o.value for o in props.get(DCT_IS_REPLACED_BY, []) if isinstance(o, ox.NamedNode)]
    headers = (
        {"Link": ", ".join(f'<{s}>; rel="successor-version"' for s in successors)}
        if successors
        else {}
    )
    etag = entity_tag(rep, lang)
    if etag and request.if_none_match.contains_weak(etag) and not gone:
        resp = Response(status=304)
        return finish(resp, rep, doc_url, explicit)
    status = 410 if gone else 200
    if rep is HTML:
        desc = res.describe(iri, lang)
        if desc is None:
            return not_found(iri, rep)
        resp = resource_page(desc, status=status, doc_url=doc_url, headers=headers)
    else:
        if rep.dataset:
            body = serialize_quads(
                dataset_document(res.triples(iri), description_quads(res, iri)), rep
            )
        else:
            body = serialize(res.triples(iri), rep)
        resp = Response(body, status=status, content_type=rep.content_type)
        for k, v in headers.items():
            resp.headers[k] = v
    return finish(resp, rep, doc_url, explicit)


#: Commitments per page of a plan's list; the whole list is the plan's CSV download.
PLAN_PAGE_SIZE = 100


def _commitment_page(pv: Any, plan: str, lang: Lang) -> dict[str, Any]:
    """One page of the plan's commitment list (``?page=N``, from 1) and what the links to the
    other pages and to the whole list need."""
    total = len(pv.commitment_order(plan))
    pages = max(1, -(-total // PLAN_PAGE_SIZE))
    raw = request.args.get("page", "1").strip()
    number = min(max(int(raw), 1), pages) if raw.isdigit() and len(raw) < 7 else 1
    rows = pv.commitment_rows(plan, lang, offset=(number - 1) * PLAN_PAGE_SIZE,
                              limit=PLAN_PAGE_SIZE)
    ident = plan.rstrip("/").rsplit("/", 1)[-1]
    return {
        "commitments": rows,
        "list_page": {"number": number, "pages": pages, "total": total,
                      "path": request.path.lstrip("/"),
                      "csv": f"download/plan-{ident}-commitments.csv"},
    }
