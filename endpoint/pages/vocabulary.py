"""The vocabulary's documentation: the ontology, the theme scheme, the value sets and the SHACL
shapes, as pages generated from the vocabulary graphs (docs/pages.md).

The vocabulary (``https://w3id.org/ogp-no/…``) is documented at ``{base}def`` (ontology),
``{base}def/theme`` (themes; ``def/theme/<code>`` one theme), ``{base}def/vocab`` (value sets;
``def/vocab/<set>`` one set, ``def/vocab/<set>/<code>`` one value) and ``{base}def/shapes``
(SHACL). ``{base}def?uri=<w3id IRI>`` redirects to the right page. In production the w3id.org
redirects point at these paths. By content negotiation (``endpoint/pages/negotiation.py``) each
page is also the RDF it was generated from; one theme or value is a resource page
(``endpoint/pages/resource.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Response, request

from endpoint.app import error_response, state
from endpoint.pages.negotiation import (
    BY_EXTENSION,
    HTML,
    Representation,
    choose,
    dataset_document,
    finish,
    located,
    not_found,
    serialize,
    serialize_quads,
    split_extension,
    valid_iri,
)
from endpoint.pages.page import Page, alternates_for, lang_message, page_lang, render, resources
from endpoint.pages.resource import represent
from registry.i18n import Lang
from registry.model.description import Node, Term, node_sort_key
from registry.model.resources import Resources
from registry.model.terms import (
    ONTOLOGY_IRI,
    RDF_TYPE,
    SKOS,
    THEME_SCHEME,
    doc_iri,
    term_anchor,
    vocabulary_iri,
)
from registry.model.text import Text, literal_text, pick
from registry.namespaces import PREFIXES, VOCAB_NS

SH = PREFIXES["sh"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]


@dataclass
class TermDoc:
    """One documented term (class, property, concept or shape)."""

    iri: str
    anchor: str
    label: Text | None
    definition: Text | None
    comment: Text | None = None
    kinds: list[Node] = field(default_factory=list)
    links: list[tuple[str, list[Node]]] = field(default_factory=list)  # (string key, nodes)
    notation: str | None = None
    children: list[TermDoc] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _texts(props: dict[str, list[Term]], predicate: str, lang: Lang) -> Text | None:
    return pick(
        ((o.value, o.language) for o in props.get(predicate, []) if isinstance(o, ox.Literal)), lang
    )


def _nodes(res: Resources, props: dict[str, list[Term]], predicate: str, lang: Lang) -> list[Node]:
    return [
        res.node(o.value, lang) for o in props.get(predicate, []) if isinstance(o, ox.NamedNode)
    ]


def _ontology_doc(res: Resources, lang: Lang) -> dict[str, Any]:
    graph = res.registry.uris.vocabulary_graph("ontology")
    terms = res.terms_in_graph(graph)
    classes: list[TermDoc] = []
    properties: list[TermDoc] = []
    by_domain: dict[str, list[Node]] = defaultdict(list)
    for iri, props in terms.items():
        types = {o.value for o in props.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)}
        for d in props.get(RDFS + "domain", []):
            by_domain[d.value].append(res.node(iri, lang))
        if iri == ONTOLOGY_IRI:
            continue
        doc = TermDoc(
            iri=iri,
            anchor=term_anchor(iri),
            label=_texts(props, RDFS + "label", lang),
            definition=_texts(props, SKOS + "definition", lang),
            comment=_texts(props, RDFS + "comment", lang),
            kinds=_nodes(res, props, RDF_TYPE, lang),
            links=[
                (key, _nodes(res, props, pred, lang))
                for key, pred in (
                    ("subclass_of", RDFS + "subClassOf"),
                    ("subproperty_of", RDFS + "subPropertyOf"),
                    ("domain", RDFS + "domain"),
                    ("range", RDFS + "range"),
                    ("inverse_of", OWL + "inverseOf"),
                )
                if props.get(pred)
            ],
        )
        if types & {OWL + "Class", RDFS + "Class"}:
            classes.append(doc)
        else:
            properties.append(doc)
    for c in classes:
        members = sorted(by_domain.get(c.iri, []), key=node_sort_key)
        if members:
            c.links.append(("properties_of_class", members))
    ontology = terms.get(ONTOLOGY_IRI, {})

    def order(d: TermDoc) -> tuple[bool, str]:
        return (
            not d.iri.startswith(PREFIXES["ogp"]),
            (d.label.value if d.label else d.iri).casefold(),
        )

    return {
        "ontology_title": _texts(ontology, PREFIXES["dct"] + "title", lang),
        "ontology_description": _texts(ontology, PREFIXES["dct"] + "description", lang),
        "version": next((o.value for o in ontology.get(OWL + "versionInfo", [])), None),
        "classes": sorted(classes, key=order),
        "properties": sorted(properties, key=order),
    }


def _concept_doc(res: Resources, iri: str, props: dict[str, list[Term]], lang: Lang) -> TermDoc:
    notation = next((o.value for o in props.get(SKOS + "notation", [])), None)
    matches = [
        n
        for pred in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
        for n in _nodes(res, props, SKOS + pred, lang)
    ]
    return TermDoc(
        iri=iri,
        anchor=notation or iri.rsplit("/", 1)[-1],
        label=_texts(props, SKOS + "prefLabel", lang),
        definition=_texts(props, SKOS + "definition", lang),
        notation=notation,
        links=[("matches", matches)] if matches else [],
        extra={"href": doc_iri(iri, res.base) or iri},
    )


def _scheme_doc(res: Resources, scheme: str, graph: str, lang: Lang) -> dict[str, Any]:
    terms = res.terms_in_graph(graph)
    props = terms.get(scheme)
    if props is None:
        return {}
    concepts = {
        iri: _concept_doc(res, iri, p, lang)
        for iri, p in terms.items()
        if any(o.value == scheme for o in p.get(SKOS + "inScheme", []))
    }
    tops = []
    for iri, doc in concepts.items():
        broader = [o.value for o in terms[iri].get(SKOS + "broader", []) if o.value in concepts]
        if broader:
            concepts[broader[0]].children.append(doc)
        else:
            tops.append(doc)

    def order(d: TermDoc) -> tuple[tuple[int, ...], str]:
        parts = tuple(int(p) for p in (d.notation or "").split(".") if p.isdigit())
        return (parts or (10**6,), (d.label.value if d.label else d.iri).casefold())

    for doc in concepts.values():
        doc.children.sort(key=order)
    return {
        "scheme": TermDoc(
            iri=scheme,
            anchor="scheme",
            label=_texts(props, SKOS + "prefLabel", lang),
            definition=_texts(props, SKOS + "definition", lang),
        ),
        "concepts": sorted(tops, key=order),
        "count": len(concepts),
    }


def _value_sets(res: Resources, lang: Lang) -> list[TermDoc]:
    graph = res.registry.uris.vocabulary_graph("values")
    terms = res.terms_in_graph(graph)
    out = []
    for iri, props in terms.items():
        if any(o.value == SKOS + "ConceptScheme" for o in props.get(RDF_TYPE, [])):
            n = sum(
                1
                for p in terms.values()
                if any(o.value == iri for o in p.get(SKOS + "inScheme", []))
            )
            out.append(
                TermDoc(
                    iri=iri,
                    anchor=iri[len(VOCAB_NS) :],
                    label=_texts(props, SKOS + "prefLabel", lang),
                    definition=_texts(props, SKOS + "definition", lang),
                    extra={"href": doc_iri(iri, res.base) or iri, "count": n},
                )
            )
    return sorted(out, key=lambda d: d.anchor)


_CONSTRAINTS: tuple[tuple[str, str], ...] = (
    ("datatype", "sh:datatype"),
    ("class", "sh:class"),
    ("nodeKind", "sh:nodeKind"),
    ("node", "sh:node"),
    ("pattern", "sh:pattern"),
    ("minInclusive", "sh:minInclusive"),
    ("uniqueLang", "sh:uniqueLang"),
    ("hasValue", "sh:hasValue"),
)


def _shapes_doc(res: Resources, lang: Lang) -> dict[str, Any]:
    graph = res.registry.uris.vocabulary_graph("shapes")
    terms = res.terms_in_graph(graph)
    lists = res.lists_in_graph(graph)
    node_shapes: list[TermDoc] = []
    for iri, props in terms.items():
        types = {o.value for o in props.get(RDF_TYPE, [])}
        if SH + "NodeShape" not in types:
            continue
        doc = TermDoc(
            iri=iri,
            anchor=iri.rsplit("#", 1)[-1],
            label=_texts(props, RDFS + "label", lang),
            definition=_texts(props, RDFS + "comment", lang),
            links=[
                (key, _nodes(res, props, SH + pred, lang))
                for key, pred in (("target_class", "targetClass"),)
                if props.get(SH + pred)
            ],
        )
        targets = [
            o.value
            for o in props.get(SH + "targetSubjectsOf", []) + props.get(SH + "targetObjectsOf", [])
        ]
        doc.extra["targets"] = [res.node(t, lang) for t in targets]
        rules = []
        for ps in sorted(
            o.value
            for o in props.get(SH + "property", []) + props.get(SH + "sparql", [])
            if isinstance(o, ox.NamedNode)
        ):
            rules.append(_rule_doc(res, ps, terms.get(ps, {}), lists, lang))
        doc.children = rules
        node_shapes.append(doc)
    node_shapes.sort(key=lambda d: d.anchor)
    seen: set[str] = set()  # a shared rule gets its anchor where it first appears
    for shape in node_shapes:
        seen.add(shape.anchor)
    for shape in node_shapes:
        for rule in shape.children:
            rule.extra["anchor"] = rule.anchor not in seen
            seen.add(rule.anchor)
    shapes_iri = "https://w3id.org/ogp-no/shapes"
    meta = terms.get(shapes_iri, {})
    return {
        "shapes_title": _texts(meta, RDFS + "label", lang),
        "shapes_description": _texts(meta, RDFS + "comment", lang),
        "node_shapes": node_shapes,
    }


def _rule_doc(
    res: Resources,
    iri: str,
    props: dict[str, list[Term]],
    lists: dict[tuple[str, str], list[Term]],
    lang: Lang,
) -> TermDoc:
    def lit(pred: str) -> str | None:
        return next((o.value for o in props.get(SH + pred, []) if isinstance(o, ox.Literal)), None)

    constraints: list[tuple[str, list[Node | Text]]] = []
    for _key, curie in _CONSTRAINTS:
        pred = SH + curie.split(":", 1)[1]
        vals: list[Node | Text] = [
            res.node(o.value, lang) if isinstance(o, ox.NamedNode) else literal_text(o, lang)
            for o in props.get(pred, [])
            if isinstance(o, ox.NamedNode | ox.Literal)
        ]
        if vals:
            constraints.append((curie, vals))
    for key in ("in", "languageIn"):
        members = lists.get((iri, SH + key), [])
        if members:
            constraints.append(
                (
                    "sh:" + key,
                    [
                        res.node(m.value, lang) if isinstance(m, ox.NamedNode) else Text(m.value)
                        for m in members
                    ],
                )
            )
    lo, hi = (
        lit("minCount") or lit("qualifiedMinCount"),
        lit("maxCount") or lit("qualifiedMaxCount"),
    )
    cardinality = f"{lo or 0}..{hi or '*'}" if (lo or hi) else ""
    severity = next(
        (o.value.rsplit("#", 1)[-1] for o in props.get(SH + "severity", [])), "Violation"
    )
    return TermDoc(
        iri=iri,
        anchor=iri.rsplit("#", 1)[-1],
        label=_texts(props, SH + "name", lang) or _texts(props, RDFS + "label", lang),
        definition=_texts(props, SH + "description", lang),
        comment=_texts(props, SH + "message", lang),
        links=[("path", _nodes(res, props, SH + "path", lang))] if props.get(SH + "path") else [],
        extra={
            "cardinality": cardinality,
            "constraints": constraints,
            "severity": severity,
            "sparql": bool(props.get(SH + "select")),
        },
    )


_DOC_GRAPHS: dict[str, str] = {
    "": "ontology",
    "theme": "themes",
    "vocab": "values",
    "shapes": "shapes",
}
_DOC_TEMPLATES: dict[str, tuple[str, str]] = {
    "": ("pages/doc_ontology.html", "ontology"),
    "theme": ("pages/doc_scheme.html", "theme_scheme"),
    "vocab": ("pages/doc_vocab.html", "value_sets"),
    "shapes": ("pages/doc_shapes.html", "shapes"),
}


def _doc_context(res: Resources, stem: str, graph: str, lang: Lang) -> dict[str, Any]:
    if stem == "":
        return _ontology_doc(res, lang)
    if stem == "theme":
        return _scheme_doc(res, THEME_SCHEME, graph, lang)
    if stem == "vocab":
        return {"value_sets": _value_sets(res, lang)}
    return _shapes_doc(res, lang)


def _rdf(
    triples: Sequence[ox.Triple],
    rep: Representation,
    doc_url: str,
    explicit: bool,
    quads: Callable[[], Sequence[ox.Quad]],
) -> Response:
    """``triples`` as ``rep``; in a dataset format the statements in their graphs (``quads``)."""
    body = (
        serialize_quads(dataset_document(triples, quads()), rep)
        if rep.dataset
        else serialize(triples, rep)
    )
    return finish(Response(body, content_type=rep.content_type), rep, doc_url, explicit)


def vocabulary_doc(stem: str, ext: Representation | None) -> Response:
    """``{base}def[/stem]``: the documentation page or, by negotiation, the RDF it was
    generated from (the vocabulary graph, or the value set and its concepts). One theme or
    value (``def/theme/<code>``, ``def/vocab/<set>/<code>``) is a resource page."""
    res = resources()
    base = state().settings.base_uri
    chosen = choose(ext)
    if isinstance(chosen, Response):
        return chosen
    explicit = ext is not None or bool(request.args.get("format"))
    doc_url = base + ("def/" + stem if stem else "def")
    lang = page_lang()
    page = Page(lang)
    if stem in _DOC_GRAPHS:
        graph = res.registry.uris.vocabulary_graph(_DOC_GRAPHS[stem])
        if chosen is not HTML:
            triples = res.graph_triples(graph)
            node = ox.NamedNode(graph)
            return _rdf(
                triples,
                chosen,
                doc_url,
                explicit,
                lambda: [ox.Quad(t.subject, t.predicate, t.object, node) for t in triples],
            )
        template, title_key = _DOC_TEMPLATES[stem]
        resp = render(
            template,
            page,
            title=page.t[title_key],
            alternates=alternates_for(doc_url),
            doc_url=doc_url,
            graph=graph,
            **_doc_context(res, stem, graph, lang),
        )
        return finish(resp, chosen, doc_url, explicit)
    iri = _vocabulary_iri(stem)
    if iri is None or not res.exists(iri):
        return not_found(doc_url, chosen)
    parts = stem.split("/")
    if parts[0] == "vocab" and len(parts) == 2:  # a value set
        if chosen is not HTML:
            triples = res.scheme_triples(iri)
            return _rdf(triples, chosen, doc_url, explicit, lambda: located(res, triples))
        graph = res.registry.uris.vocabulary_graph("values")
        ctx = _scheme_doc(res, iri, graph, lang)
        label = ctx["scheme"].label if ctx else None
        resp = render(
            "pages/doc_scheme.html",
            page,
            title=label.value if label else iri,
            alternates=alternates_for(doc_url),
            doc_url=doc_url,
            graph=graph,
            **ctx,
        )
        return finish(resp, chosen, doc_url, explicit)
    return represent(iri, doc_url, chosen, explicit=explicit)


def root() -> Response:
    """``{base}def``: the ontology's page, or with ``?uri=`` a redirect (:func:`resolve_uri`)."""
    uri = request.args.get("uri", "").strip()
    if uri:
        return resolve_uri(uri)
    return vocabulary_doc("", None)


def root_with_extension(ext: str) -> Response:
    """``{base}def.<ext>``: the ontology in the format the extension names."""
    rep = BY_EXTENSION.get("." + ext)
    if rep is None:
        return not_found(state().settings.base_uri + "def." + ext, HTML)
    return vocabulary_doc("", rep)


def under_def(rest: str) -> Response:
    """``{base}def/<rest>``: a documentation page, a value set, one theme or value; with a file
    extension, in the format it names."""
    rest = rest.rstrip("/")
    if (
        rest in _DOC_GRAPHS
        or _vocabulary_iri(rest) is not None
        and resources().exists(_vocabulary_iri(rest) or "")
    ):
        return vocabulary_doc(rest, None)
    stem, ext = split_extension(rest)
    return vocabulary_doc(stem, ext)


#: The longest value ``/def?uri=`` accepts; the registry mints no IRI near it.
MAX_URI_LENGTH = 2000


def _bad_uri(uri: str) -> Response:
    shown = uri if len(uri) <= 80 else uri[:80] + "…"
    resp = error_response(
        400,
        "bad-uri",
        lang_message(
            "The parameter uri={uri!r} is not a valid IRI: it must be absolute (https://…), at "
            "most {max} characters, without spaces, line breaks or other control characters. "
            "Example: def?uri=https://w3id.org/ogp-no/def%23leadAgency",
            uri=shown,
            max=MAX_URI_LENGTH,
        ),
    )
    resp.headers["Vary"] = "Accept"
    return resp


def resolve_uri(uri: str) -> Response:
    """``/def?uri=<IRI>``: send a browser to the page of a vocabulary term (or of a resource
    under the base URI). A value that is no IRI (a line break, a control character, too long,
    plain text) is a 400 in the endpoint's error shape, never a redirect."""
    if len(uri) > MAX_URI_LENGTH or not valid_iri(uri):
        return _bad_uri(uri)
    base = state().settings.base_uri
    target = doc_iri(uri, base) or (uri if uri.startswith(base) else None)
    if target is None:
        return not_found(uri, HTML)
    page = Page(page_lang())
    resp = Response(status=303)
    resp.headers["Location"] = page.link(target)
    return resp


def _vocabulary_iri(path: str) -> str | None:
    """:func:`vocabulary_iri`, or None when ``path`` makes no valid IRI (``/def/vocab/a b``)."""
    iri = vocabulary_iri(path)
    return iri if iri is not None and valid_iri(iri) else None
