"""History on the pages: the timeline of every resource page, version pages and "as of" pages
(docs/lifecycle.md, "As of"; docs/pages.md).

* Every page of an item (an IRI under ``{base}id/``) shows its versions, oldest first: when,
  what (created, updated, deleted; a status change says so), who, and the source or reason,
  each linking to the version's page.
* ``{item}/version/{n}`` is the page of one version: its statements as recorded (the
  snapshot), what changed since the previous version, and the timeline; by content
  negotiation (or ``.ttl``/``.jsonld``/``.nt``/``.rdf``, ``?format=``) the snapshot's triples
  plus the version's and its change's metadata from the history graph.
* ``{item}?as_of=2019-07-01`` shows the item as it stood at the end of that day (Europe/Oslo)
  with a banner that names the version and links to the current page; 404 if it did not exist
  then, 410 with a notice if it had been deleted. RDF by negotiation as for a version.
* An item removed by a later load (its latest version is an ``ogp:Delete``) answers 410 with a
  notice and its history.

The versions and their changes come from :mod:`registry.history` (``versions.py``:
``versions``, ``diff``; ``asof.py``: ``snapshot_as_of``); the RDF of a version adds the history
graph's own statements about the version and its change. Every answer reads one committed revision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from flask import Response, request

from endpoint.app import error_response
from endpoint.asof import OSLO, AsOf, AsOfError, parse_as_of
from endpoint.feed import HistoryGraph
from endpoint.pages.negotiation import (
    BY_EXTENSION,
    HTML,
    Representation,
    candidates,
    choose,
    finish,
    serialize,
)
from endpoint.pages.page import Page, alternates_for, page_lang, render, resources
from registry.history.asof import snapshot_as_of
from registry.history.terms import history_graph
from registry.history.versions import Version, diff, versions
from registry.i18n import Lang, msg
from registry.model.description import Node, Property, Value, node_sort_key
from registry.model.description import predicate_rank as _predicate_rank
from registry.model.description import value_sort_key as _value_sort_key
from registry.model.resources import Resources
from registry.model.text import Text, format_date, literal_text, pick
from registry.namespaces import OGP, PREFIXES

_VERSION_PATH = re.compile(r"(?P<item>.+)/version/(?P<n>[0-9]{1,12})(?P<ext>\.[a-z]+)?")
PROV = PREFIXES["prov"]
DCT = PREFIXES["dct"]
IS_VERSION_OF = ox.NamedNode(DCT + "isVersionOf")


# -- the versions of an item, as the pages show them -------------------------------------------
@dataclass
class Entry:
    """One version of an item with the details of the change that made it."""

    number: int
    uri: str
    time: datetime
    action: str  # create | update | delete
    triples: list[ox.Triple]
    raw: Version
    change: str = ""
    kind: str = ""  # load | status | erase | ""
    agents: list[Node] = field(default_factory=list)
    loaded_by: str | None = None
    sources: list[Node] = field(default_factory=list)
    reason: Text | None = None
    time_text: str = ""
    current: bool = False  # the version this page shows

    @property
    def iso(self) -> str:
        return self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_time_text(when: datetime, lang: Lang) -> str:
    """``27. november 2026 kl. 10:00`` in Norwegian time."""
    local = when.astimezone(OSLO).replace(tzinfo=None)
    return format_date(local.isoformat(timespec="minutes"), lang)


def entries(reader: ox.Store, item: str, lang: Lang) -> list[Entry]:
    """The versions of ``item`` at the revision ``reader`` reads, oldest first."""
    res = resources()
    out: list[Entry] = []
    for v in versions(reader, item):
        c = v.change
        e = Entry(
            number=v.number,
            uri=v.uri,
            time=v.time,
            action=v.action,
            triples=list(v.snapshot),
            raw=v,
            change=c.uri,
            kind=c.kind,
            agents=[res.node(c.agent, lang)] if c.agent else [],
            loaded_by=c.loaded_by,
            sources=sorted((res.node(s, lang) for s in c.sources), key=node_sort_key),
            reason=pick(((text, tag or None) for tag, text in c.reasons), lang),
        )
        e.time_text = local_time_text(e.time, lang)
        out.append(e)
    return out


def timeline(item: str, lang: Lang) -> list[Entry]:
    """The versions shown on an item's page (none for IRIs outside ``{base}id/``)."""
    res = resources()
    if not item.startswith(res.base + "id/"):
        return []
    return entries(res.registry.store.reader(), item, lang)


# -- statements of a snapshot ------------------------------------------------------------------
def _value(res: Resources, term: Any, lang: Lang) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(node=res.node(term.value, lang))
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype and not term.language else None
        return Value(text=literal_text(term, lang), raw=term.value, datatype=dt)
    return Value(text=Text("[…]"))


def snapshot_properties(triples: Sequence[ox.Triple], item: str, lang: Lang) -> list[Property]:
    """The item's statements in a snapshot, grouped by property like a resource page."""
    res = resources()
    props: dict[str, Property] = {}
    nested: dict[Any, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode):
            nested.setdefault(t.subject, []).append(t)
    for t in triples:
        if not (isinstance(t.subject, ox.NamedNode) and t.subject.value == item):
            continue
        prop = props.get(t.predicate.value)
        if prop is None:
            prop = props[t.predicate.value] = Property(res.node(t.predicate.value, lang))
        val = _value(res, t.object, lang)
        for sub in nested.get(t.object, []):
            target = next((q for q in val.nested if q.predicate.iri == sub.predicate.value), None)
            if target is None:
                target = Property(res.node(sub.predicate.value, lang))
                val.nested.append(target)
            target.values.append(_value(res, sub.object, lang))
        prop.values.append(val)
    ordered = sorted(props.values(), key=lambda p: _predicate_rank(p.predicate.iri))
    for p in ordered:
        p.values.sort(key=_value_sort_key)
    return ordered


def _title(triples: Sequence[ox.Triple], item: str, lang: Lang) -> Text | None:
    for pred in (PREFIXES["skos"] + "prefLabel", DCT + "title", PREFIXES["rdfs"] + "label"):
        texts = [
            (t.object.value, t.object.language)
            for t in triples
            if isinstance(t.subject, ox.NamedNode)
            and t.subject.value == item
            and t.predicate.value == pred
            and isinstance(t.object, ox.Literal)
        ]
        if texts:
            return pick(texts, lang)
    return None


# -- responses ----------------------------------------------------------------------------------
def _diff(previous: Entry | None, entry: Entry) -> tuple[list[Property], list[Property]]:
    """(added, removed) statements of ``entry`` against the version before it."""
    if previous is None:
        return [], []
    added, removed = diff(previous.raw, entry.raw)
    lang = page_lang()
    return (
        snapshot_properties(list(added), _item_of(entry), lang),
        snapshot_properties(list(removed), _item_of(entry), lang),
    )


def _item_of(entry: Entry) -> str:
    return entry.uri.rsplit("/version/", 1)[0]


def _rdf(entry: Entry, hist: HistoryGraph) -> list[ox.Triple]:
    """A version in RDF: its snapshot's triples, its metadata (without the snapshot literal,
    which says the same as the triples) and its change's metadata."""
    v = ox.NamedNode(entry.uri)
    out = list(entry.triples)
    out += [t for t in hist.statements(v) if t.predicate.value != str(OGP.snapshot)]
    if entry.change:
        out += hist.statements(ox.NamedNode(entry.change))
    return out


def _page(
    entry: Entry | None,
    items: list[Entry],
    item: str,
    *,
    status: int,
    doc_url: str,
    as_of: AsOf | None = None,
    deleted: Entry | None = None,
) -> Response:
    lang = page_lang()
    page = Page(lang)
    res = resources()
    node = res.node(item, lang)
    shown = entry or deleted
    for e in items:
        e.current = shown is not None and e.number == shown.number
    previous = None
    following = None
    if shown is not None:
        earlier = [e for e in items if e.number < shown.number]
        later = [e for e in items if e.number > shown.number]
        previous = earlier[-1] if earlier else None
        following = later[0] if later else None
    title_text = None
    if entry is not None and entry.triples:
        title_text = _title(entry.triples, item, lang)
    elif previous is not None:
        title_text = _title(previous.triples, item, lang)
    title_text = title_text or node.label
    properties = snapshot_properties(entry.triples, item, lang) if entry else []
    added, removed = _diff(previous, entry) if entry is not None else ([], [])
    return render(
        "pages/version.html",
        page,
        title=title_text.value if title_text else item,
        status=status,
        alternates=alternates_for(doc_url),
        item=node,
        title_text=title_text,
        entry=entry,
        deleted=deleted,
        shown=shown,
        previous=previous,
        following=following,
        latest=items[-1] if items else None,
        timeline=items,
        as_of=as_of,
        as_of_text=_as_of_text(as_of, lang) if as_of else "",
        properties=properties,
        added=added,
        removed=removed,
        doc_url=doc_url,
    )


def _answer(
    reader: ox.Store,
    rep: Representation,
    entry: Entry | None,
    items: list[Entry],
    item: str,
    *,
    status: int,
    doc_url: str,
    explicit: bool,
    as_of: AsOf | None = None,
    deleted: Entry | None = None,
) -> Response:
    if rep is HTML:
        resp = _page(
            entry, items, item, status=status, doc_url=doc_url, as_of=as_of, deleted=deleted
        )
    else:
        hist = HistoryGraph(reader, resources().base)
        shown = entry or deleted
        triples = _rdf(shown, hist) if shown is not None else []
        resp = Response(serialize(triples, rep), status=status, content_type=rep.content_type)
    resp = finish(resp, rep, doc_url, explicit)
    if as_of is not None:
        etag = resp.get_etag()[0]
        if etag:
            resp.set_etag(f"{etag}-asof-{as_of.key}")
    return resp


def _as_of_text(as_of: AsOf, lang: Lang) -> str:
    if as_of.day is not None:
        return format_date(as_of.day.isoformat(), lang)
    return local_time_text(as_of.when, lang)


def _not_then(iri: str, rep: Representation, items: list[Entry], as_of: AsOf) -> Response:
    """404: the item had no version yet at ``as_of`` (with its history, if it has one)."""
    lang = page_lang()
    if rep is HTML:
        page = Page(lang)
        resp = render(
            "pages/as_of_missing.html",
            page,
            title=page.t["not_then_heading"],
            status=404,
            item=resources().node(iri, lang),
            timeline=items,
            as_of_text=_as_of_text(as_of, lang),
        )
    else:
        resp = error_response(
            404,
            "not-found",
            msg(
                "{iri} did not exist in the registry at {date} (as_of={value}).",
                iri=iri,
                date=_as_of_text(as_of, lang),
                value=as_of.text,
            ).render(lang),
        )
    resp.headers["Vary"] = "Accept"
    return resp


def _bad_as_of(exc: AsOfError) -> Response:
    resp = error_response(400, "bad-as-of", exc.message.render(page_lang()))
    resp.headers["Vary"] = "Accept"
    return resp


def version_page(rest: str) -> Response | None:
    """``{base}id/<item>/version/<n>[.ext]``: the page or RDF of one version; None when the
    path is not a version path."""
    m = _VERSION_PATH.fullmatch(rest)
    if m is None:
        return None
    ext = None
    if m["ext"]:
        ext = BY_EXTENSION.get(m["ext"])
        if ext is None:
            return None
    chosen = choose(ext)
    if isinstance(chosen, Response):
        return chosen
    number = int(m["n"])
    reader = resources().registry.store.reader()
    lang = page_lang()
    for item in candidates("id/", m["item"]):
        items = entries(reader, item, lang)
        entry = next((e for e in items if e.number == number), None)
        if entry is None:
            continue
        explicit = ext is not None or bool(request.args.get("format"))
        if entry.action == "delete":
            return _answer(
                reader,
                chosen,
                None,
                items,
                item,
                status=200,
                doc_url=entry.uri,
                explicit=explicit,
                deleted=entry,
            )
        return _answer(
            reader, chosen, entry, items, item, status=200, doc_url=entry.uri, explicit=explicit
        )
    return None  # no such version: the usual dereferencing answers (404 unless it exists)


def as_of_page(iri: str, rep: Representation, *, explicit: bool) -> Response:
    """``{item}?as_of=…``: the item as it stood then."""
    try:
        as_of = parse_as_of(request.args.get("as_of", ""))
    except AsOfError as exc:
        return _bad_as_of(exc)
    reader = resources().registry.store.reader()
    items = entries(reader, iri, page_lang())
    then = [e for e in items if e.time <= as_of.when]
    if not then:
        return _not_then(iri, rep, items, as_of)
    entry = then[-1]
    # The representation is that of the version shown (its URI is the stable one): the
    # alternates and Content-Location name the version, not the current item.
    if entry.action == "delete":
        return _answer(
            reader,
            rep,
            None,
            items,
            iri,
            status=410,
            doc_url=entry.uri,
            explicit=explicit,
            as_of=as_of,
            deleted=entry,
        )
    snapshot = snapshot_as_of(reader, iri, as_of.when)
    if snapshot is not None:
        entry.triples = list(snapshot)
    return _answer(
        reader,
        rep,
        entry,
        items,
        iri,
        status=200,
        doc_url=entry.uri,
        explicit=explicit,
        as_of=as_of,
    )


def deleted_page(
    iri: str, rep: Representation, *, doc_url: str, explicit: bool
) -> Response | None:
    """The answer for an item whose latest version is a deletion and that nothing describes
    now (410 with its history), else None."""
    res = resources()
    reader = res.registry.store.reader()
    hist_graph = ox.NamedNode(history_graph(res.base))
    subject = ox.NamedNode(iri)
    for q in reader.quads_for_pattern(subject, None, None, None):
        if q.graph_name != hist_graph:
            return None  # described now
    items = entries(reader, iri, page_lang())
    if not items or items[-1].action != "delete":
        return None
    return _answer(
        reader,
        rep,
        None,
        items,
        iri,
        status=410,
        doc_url=doc_url,
        explicit=explicit,
        deleted=items[-1],
    )


def hidden_backlinks() -> list[str]:
    """Backlinks the timeline replaces (the versions point to their item)."""
    return [IS_VERSION_OF.value]


__all__ = [
    "Entry",
    "as_of_page",
    "deleted_page",
    "entries",
    "hidden_backlinks",
    "timeline",
    "version_page",
]
