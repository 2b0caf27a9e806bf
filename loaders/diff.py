"""What a submission changes in the registry, item by item: created, updated (which fields),
unchanged, removed, dropped.

An item is a subject of the submission's graph (new or previous version). Its statements
before are everything the registry says about it; after, the previous version of this
submission's graph is replaced by the new one while other sources stay. An item the previous
version had and the new one has not is *removed* when no other source describes it, and
*dropped* (no longer in this submission, still in the registry from the sources named) when
another does: e.g. a commitment of a plan the registry ships as OGP publishes it. Each look-up
is by subject or by graph, so the cost follows the submission, not the registry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast
from urllib.parse import unquote

import pyoxigraph as ox

from loaders.columns import KINDS, sheet
from registry.i18n import N_, Lang, Msg, msg, msg_n
from registry.model.text import pick

_DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: what gives an item's title in a change line: a title (commitment, plan, milestone,
#: proposal), else a name (an organisation)
_TITLES = ("http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel")
#: a title longer than this is shortened in a change line (with "…")
_TITLE_WIDTH = 80
#: The line of an item that changes, by its status.
_ITEM_LINE = {
    "created": N_("created: {item}"),
    "updated": N_("updated: {item}"),
    "removed": N_("removed: {item}"),
    "dropped": N_(
        "no longer in this submission, still in the registry from {sources}: {item}"
    ),
}

Statement = tuple[str, "ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple"]


@dataclass
class ItemChange:
    """One item a submission changes. Every line names it the same way (:meth:`name`): its
    identifier (``label``: NO0023, NO0023/1 for a milestone, 2013-2015 for a plan) and its
    title in the reader's language."""

    iri: str
    label: str
    status: str  # created updated unchanged removed dropped
    fields: list[str] = field(default_factory=list)  # changed fields (keys "path@lang")
    #: for ``dropped``: the other sources (ids) that still describe the item
    sources: list[str] = field(default_factory=list)
    #: its titles (or names) as (text, language tag), after the change (before, if removed)
    titles: list[tuple[str, str | None]] = field(default_factory=list)

    def title(self, lang: Lang) -> str | None:
        """The title in ``lang``, else in the next language (nynorsk → bokmål → English);
        None when it has none, or it is the identifier itself."""
        text = pick(self.titles, lang)
        if text is None or text.value == self.label:
            return None
        value = " ".join(text.value.split())
        return value if len(value) <= _TITLE_WIDTH else value[: _TITLE_WIDTH - 1].rstrip() + "…"

    def name(self, lang: Lang) -> str:
        """The item as every change line names it: ``NO0023 «Whistleblowing»``."""
        title = self.title(lang)
        if title is None:
            return self.label
        return msg("{ident} \"{title}\"", ident=self.label, title=title).render(lang)


@dataclass
class Diff:
    graph: str
    items: list[ItemChange] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def removed(self) -> list[ItemChange]:
        return [i for i in self.items if i.status == "removed"]

    def to_dict(self, lang: Lang) -> dict[str, object]:
        return {
            "graph": self.graph,
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "removed": self.count("removed"),
            "dropped": self.count("dropped"),
            "items": [
                {
                    "item": i.label,
                    "title": i.title(lang),
                    "iri": i.iri,
                    "status": i.status,
                    "fields": [field_label(f, lang) for f in i.fields],
                    **({"sources": i.sources} if i.status == "dropped" else {}),
                }
                for i in self.items
                if i.status != "unchanged"
            ],
        }

    def render(self, lang: Lang) -> str:
        counts = msg(
            "{created}, {updated}, {unchanged}, {removed}",
            created=msg_n("{n} created", "{n} created", self.count("created")),
            updated=msg_n("{n} updated", "{n} updated", self.count("updated")),
            unchanged=msg_n("{n} unchanged", "{n} unchanged", self.count("unchanged")),
            removed=msg_n("{n} removed", "{n} removed", self.count("removed")),
        )
        text = counts.render(lang)
        if self.count("dropped"):
            text += ", " + dropped_count(self.count("dropped")).render(lang)
        lines = ["  " + text]
        for i in self.items:
            if i.status == "unchanged":
                continue
            text = "  " + msg(
                _ITEM_LINE[i.status], item=i.name(lang), sources=", ".join(i.sources)
            ).render(lang)
            if i.status == "updated" and i.fields:
                text += " (" + ", ".join(field_label(f, lang) for f in i.fields) + ")"
            lines.append(text)
        return "\n".join(lines)


def dropped_count(n: int) -> Msg:
    """The count of dropped items, for the line of counts (only when there are any)."""
    return msg_n(
        "{n} no longer in this submission but still in the registry from another source",
        "{n} no longer in this submission but still in the registry from other sources",
        n,
    )


def _key(predicate: str, obj: object) -> str:
    lang = getattr(obj, "language", None)
    return f"{predicate}@{lang}" if lang else predicate


def field_label(key: str, lang: Lang) -> str:
    """A readable field name: the column header of the property (and language)."""
    predicate, _, tag = key.partition("@")
    for keys in KINDS.values():
        for k in keys:
            for c in sheet(k).columns:
                if c.spec.path is not None and str(c.spec.path) == predicate and (
                    not tag or c.spec.lang == tag
                ):
                    return c.header(lang)
    from rdflib import Literal, URIRef
    from rdflib.namespace import SH

    from registry.validation.shacl import shapes_graph

    shapes = shapes_graph()
    for shape in shapes.subjects(SH.path, URIRef(predicate)):
        for name in shapes.objects(shape, SH.name):
            if isinstance(name, Literal) and name.language == lang:
                return str(name)
    label = _ontology_labels().get((predicate, lang))
    if label:
        return label
    local = predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return f"{local}@{tag}" if tag else local


@lru_cache(maxsize=1)
def _ontology_labels() -> dict[tuple[str, str], str]:
    """The ontology's ``rdfs:label`` of each property by language (e.g. ogp:supportStatement,
    which no column names: it keeps the text of the supporting-bodies cells as written)."""
    from ontology import ontology_files

    data = ontology_files()["ontology"].read_bytes()
    labels: dict[tuple[str, str], str] = {}
    for t in ox.parse(data, format=ox.RdfFormat.TURTLE):
        if t.predicate.value == _RDFS_LABEL and isinstance(t.object, ox.Literal):
            if t.object.language:
                labels[(t.subject.value, t.object.language)] = t.object.value
    return labels


def _label(iri: str, base: str, labels: dict[str, str], statements: set[Statement]) -> str:
    """An item's identifier, the same whether the submission names it or only the registry
    does (an item removed): the builder's label, else its ``dct:identifier``, else a
    milestone's commitment and number (NO0023/1), else the last part of its IRI."""
    if iri in labels:
        return labels[iri]
    for p, o in statements:
        if p == _DCT_IDENTIFIER and isinstance(o, ox.Literal):
            return o.value
    rel = iri[len(base) :] if iri.startswith(base) else iri
    parts = [unquote(p) for p in rel.split("/")]
    if len(parts) == 5 and parts[:2] == ["id", "commitment"] and parts[3] == "milestone":
        commitment = labels.get(iri.rsplit("/", 2)[0]) or parts[2]
        return f"{commitment}/{parts[4]}"
    return parts[-1]


def _titles(statements: set[Statement]) -> list[tuple[str, str | None]]:
    for prop in _TITLES:
        found = [(o.value, o.language) for p, o in statements
                 if p == prop and isinstance(o, ox.Literal)]
        if found:
            return found
    return []


def diff_graph(
    reader: ox.Store,
    graph: str,
    new: list[ox.Triple],
    *,
    base: str,
    labels: dict[str, str],
) -> Diff:
    """The change of replacing ``graph`` by the triples ``new``.

    The graph's current statements are read subject by subject, together with what other
    graphs say about each subject (one look-up per item); the graph itself is only asked for
    its subjects (a query that returns 6,000 IRIs, instead of decoding its 53,000 quads a
    second time: docs/performance.md)."""
    g = ox.NamedNode(graph)
    new_by: dict[str, set[Statement]] = defaultdict(set)
    order: list[str] = []
    for t in new:
        if isinstance(t.subject, ox.NamedNode):
            s = t.subject.value
            if s not in new_by:
                order.append(s)
            new_by[s].add((t.predicate.value, t.object))
    old_subjects: set[str] = set()
    solutions = reader.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
    for solution in cast(Iterable[ox.QuerySolution], solutions):
        subject = solution[0]
        if isinstance(subject, ox.NamedNode):
            old_subjects.add(subject.value)
    order += sorted(s for s in old_subjects if s not in new_by)
    out = Diff(graph)
    sources = base + "graph/source/"
    for s in order:
        other: set[Statement] = set()
        own: set[Statement] = set()  # in ``graph`` now
        elsewhere: set[str] = set()  # the other source graphs that describe it
        for q in reader.quads_for_pattern(ox.NamedNode(s), None, None, None):
            if q.graph_name != g:
                other.add((q.predicate.value, q.object))
                name = getattr(q.graph_name, "value", "")
                if name.startswith(sources):
                    elsewhere.add(name[len(sources):])
            else:
                own.add((q.predicate.value, q.object))
        before = other | own
        after = other | new_by.get(s, set())
        label = _label(s, base, labels, after or before)
        titles = _titles(after) or _titles(before)
        if not before:
            out.items.append(ItemChange(s, label, "created", titles=titles))
        elif not after or (s not in new_by and not other):
            out.items.append(ItemChange(s, label, "removed", titles=_titles(before)))
        elif s not in new_by and elsewhere:
            out.items.append(ItemChange(s, label, "dropped", sources=sorted(elsewhere),
                                        titles=titles))
        elif before == after:
            out.items.append(ItemChange(s, label, "unchanged", titles=titles))
        else:
            changed = sorted({_key(p, o) for p, o in before ^ after})
            out.items.append(ItemChange(s, label, "updated", changed, titles=titles))
    return out
