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
from typing import Any

import pyoxigraph as ox
from flask import Response, request

from endpoint.app import state
from endpoint.pages import versions
from endpoint.pages.negotiation import (
    HTML,
    Representation,
    candidates,
    choose,
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
from registry.model.description import Description
from registry.model.resources import Resources
from registry.model.terms import DCT_IS_REPLACED_BY, GONE_STATUSES
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

#: Register entries follow the pattern the data model gives for ogp:registerRecord.
BRREG_ENTRY = "https://data.brreg.no/enhetsregisteret/api/enheter/"


def _kind_context(desc: Description, res: Resources, lang: Lang) -> dict[str, Any]:
    """What the page of one kind of resource shows beyond its statements."""
    kind = desc.node.kind
    iri = desc.node.iri
    pv = views()
    ctx: dict[str, Any] = {}
    if kind == "commitment":
        ctx["milestones"] = pv.milestones(iri, lang)
        ctx["assessments"] = pv.assessments(iri, lang)
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
    elif kind == "plan":
        ctx["commitments"] = pv.commitment_rows(iri, lang)
        ctx["meetings"] = desc.linking(str(OGP.forActionPlan))
        ctx["hide_backlinks"] = [str(OGP.inActionPlan), str(OGP.forActionPlan)]
    elif kind == "source":
        ctx["source"] = res.source(iri, lang)
    if desc.is_graph and "source" not in ctx:
        ctx["source"] = res.source(iri, lang)
    return ctx


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
    if etag and request.if_none_match.contains(etag) and not gone:
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
            body = serialize_quads(description_quads(res, iri), rep)
        else:
            body = serialize(res.triples(iri), rep)
        resp = Response(body, status=status, content_type=rep.content_type)
        for k, v in headers.items():
            resp.headers[k] = v
    return finish(resp, rep, doc_url, explicit)
