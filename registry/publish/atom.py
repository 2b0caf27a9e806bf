"""The change feed as Atom 1.0 (RFC 4287), for feed readers (docs/feed.md, "Atom").

One ``atom:entry`` per change (a load, a status change, an erase: one commit that changed
data), newest first, the latest ``OGPREG_FEED_ENTRIES`` of them. Each entry has the change's
IRI as its ``atom:id`` (stable: a change is never renumbered), the time it was recorded as
``atom:updated``, a title and a summary in the reader's language (bokmål, nynorsk or English),
a link to the change's page (``rel="alternate"``) and to the pages of the items it changed
(``rel="related"``, at most :data:`ITEMS_PER_ENTRY`; the content lists the same items and says
how many more). The LDES representation of ``/feed`` is the complete record; this one is
for people. Nothing here knows HTTP: ``endpoint/feed_atom.py`` serves it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from html import escape
from urllib.parse import urlencode

import pyoxigraph as ox

from registry.history.versions import Change, Version, changes, last_change_number, version
from registry.i18n import DEFAULT_LANG, N_, Lang, Msg, gettext, msg, msg_n
from registry.model.terms import LABEL_PREDICATES
from registry.model.text import pick
from registry.namespaces import PREFIXES
from registry.rdf.writing import xml_text

MEDIA_TYPE = "application/atom+xml"
ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Items an entry links to and lists; a change with more says how many more.
ITEMS_PER_ENTRY = 20
_IDENTIFIER = PREFIXES["dct"] + "identifier"
_NAMES = (*LABEL_PREDICATES, PREFIXES["foaf"] + "name")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_url(base: str, lang: Lang) -> str:
    """The address of the Atom feed in ``lang`` (its ``atom:id`` and ``rel="self"``)."""
    return page_url(base + "feed", lang, format="atom")


def page_url(url: str, lang: Lang, **params: str) -> str:
    """A page of the registry in ``lang``: ``?lang=`` on nynorsk and English, as the pages'
    own links (endpoint/pages/page.py)."""
    query = dict(params)
    if lang != DEFAULT_LANG:
        query["lang"] = lang
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(query)


def _stamp(when: datetime) -> str:
    """An RFC 3339 date-time in UTC (``atom:updated``)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _label(triples: tuple[ox.Triple, ...] | list[ox.Triple], item: str, lang: Lang) -> str:
    """``NO0054 Title`` (identifier and name in ``lang`` or the next language), whichever of
    them the description has; else the last segment of the IRI."""
    subject = ox.NamedNode(item)
    ident = next(
        (t.object.value for t in triples
         if t.subject == subject and t.predicate.value == _IDENTIFIER
         and isinstance(t.object, ox.Literal)),
        None,
    )
    name = None
    for predicate in _NAMES:
        texts = [
            (t.object.value, t.object.language)
            for t in triples
            if t.subject == subject and t.predicate.value == predicate
            and isinstance(t.object, ox.Literal)
        ]
        found = pick(texts, lang)
        if found is not None:
            name = found.value
            break
    if ident and name:
        return name if ident in name else f"{ident} {name}"
    return ident or name or item.rstrip("/").rsplit("/", 1)[-1]


class _Reader:
    """Labels from one revision: items from their versions, agents from the store."""

    def __init__(self, reader: ox.Store, lang: Lang) -> None:
        self.reader = reader
        self.lang = lang
        self._agents: dict[str, str | None] = {}

    def item(self, v: Version) -> str:
        snapshot = v.snapshot
        if not snapshot and v.previous:  # a removal: the name it had
            number = v.previous.rstrip("/").rsplit("/", 1)[-1]
            earlier = version(self.reader, v.item, int(number)) if number.isdigit() else None
            snapshot = earlier.snapshot if earlier is not None else ()
        return _label(snapshot, v.item, self.lang)

    def agent(self, iri: str | None) -> str | None:
        if iri is None:
            return None
        if iri not in self._agents:
            node = ox.NamedNode(iri)
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for p in _NAMES
                for q in self.reader.quads_for_pattern(node, ox.NamedNode(p), None, None)
            ]
            self._agents[iri] = _label(triples, iri, self.lang) if triples else None
        return self._agents[iri]


_DONE = {
    "create": N_("Change {number}: {item} was added"),
    "update": N_("Change {number}: {item} was updated"),
    "delete": N_("Change {number}: {item} was removed"),
}
#: what happened to an item, as the content's list says it
_ACTION = {
    "create": N_("item added"),
    "update": N_("item updated"),
    "delete": N_("item removed"),
}


def _title(c: Change, first: str | None) -> Msg:
    n = len(c.versions)
    if c.kind == "erase":
        return msg("Change {number}: data erased", number=c.number)
    if c.kind == "status":
        if n == 1 and first is not None:
            return msg("Change {number}: new status for {item}", number=c.number, item=first)
        return msg_n(
            "Change {number}: new status for {n} item",
            "Change {number}: new status for {n} items",
            n,
            number=c.number,
        )
    if n == 1 and first is not None:
        return msg(_DONE[c.versions[0].action], number=c.number, item=first)
    return msg_n(
        "Change {number}: a load changed {n} item",
        "Change {number}: a load changed {n} items",
        n,
        number=c.number,
    )


def _summary(c: Change, who: str | None, lang: Lang) -> str:
    counts = Counter(v.action for v in c.versions)
    parts: list[Msg] = []
    if c.kind == "erase":
        parts.append(msg("Data was erased from the registry."))
    elif c.kind == "status":
        parts.append(msg_n("The status of {n} item was changed.",
                           "The status of {n} items was changed.", len(c.versions)))
    else:
        parts.append(
            msg(
                "Added: {added}. Updated: {updated}. Removed: {removed}.",
                added=counts["create"],
                updated=counts["update"],
                removed=counts["delete"],
            )
        )
    if who:
        parts.append(msg("By: {who}.", who=who))
    reason = c.reason(lang)
    if reason:
        parts.append(msg("Reason: {reason}", reason=reason))
    return " ".join(p.render(lang) for p in parts)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)  # in the default namespace, ATOM
    if text is not None:
        el.text = xml_text(text)  # a text from the data may hold what XML 1.0 cannot
    return el


def _entry(feed: ET.Element, c: Change, labels: _Reader, base: str, lang: Lang) -> None:
    shown = c.versions[:ITEMS_PER_ENTRY]
    names = [labels.item(v) for v in shown]
    who = labels.agent(c.agent)
    entry = _sub(feed, "entry")
    _sub(entry, "id", c.uri)
    _sub(entry, "title", _title(c, names[0] if names else None).render(lang), type="text")
    _sub(entry, "updated", _stamp(c.time))
    _sub(entry, "published", _stamp(c.time))
    if who:
        _sub(_sub(entry, "author"), "name", who)
    _sub(entry, "link", rel="alternate", type="text/html", href=page_url(c.uri, lang))
    for v in shown:
        _sub(entry, "link", rel="related", type="text/html", href=page_url(v.item, lang))
    summary = _summary(c, who, lang)
    _sub(entry, "summary", summary, type="text")
    items = "".join(
        f'<li><a href="{escape(page_url(v.item, lang))}">{escape(name)}</a> '
        f"({escape(gettext(lang, _ACTION[v.action]))})</li>"
        for v, name in zip(shown, names, strict=True)
    )
    html = f"<p>{escape(summary)}</p>" + (f"<ul>{items}</ul>" if items else "")
    more = len(c.versions) - len(shown)
    if more:
        text = msg_n("… and {n} more item.", "… and {n} more items.", more).render(lang)
        html += f"<p>{escape(text)}</p>"
    _sub(entry, "content", html, type="html")


def latest_changes(reader: ox.Store, entries: int, base: str | None = None) -> list[Change]:
    """The latest ``entries`` changes in ``reader`` (one committed revision), newest first
    (looked up by their IRIs under ``base`` first, see ``versions.change_node``)."""
    latest = last_change_number(reader, base)
    found = changes(reader, after=max(0, latest - entries), limit=entries, base=base)
    return sorted(found, key=lambda c: c.number, reverse=True)


def build_atom(
    reader: ox.Store,
    found: list[Change],
    base: str,
    *,
    lang: Lang,
    entries: int,
    publisher: str,
    committed: datetime | None,
) -> bytes:
    """The Atom feed document of the changes ``found`` (:func:`latest_changes` of
    ``reader``, at most ``entries``), in ``lang``."""
    feed = ET.Element("feed", {"xmlns": ATOM, _XML_LANG: lang})
    _sub(feed, "id", feed_url(base, lang))
    _sub(feed, "title", msg("Changes in the OGP registry").render(lang), type="text")
    subtitle = msg(
        "The latest changes to Norway's register of Open Government Partnership action plans "
        "and commitments, newest first (at most {n}).",
        n=entries,
    )
    _sub(feed, "subtitle", subtitle.render(lang), type="text")
    newest = found[0].time if found else (committed or _EPOCH)
    _sub(feed, "updated", _stamp(newest))
    _sub(_sub(feed, "author"), "name", publisher)
    _sub(feed, "link", rel="self", type=MEDIA_TYPE, href=feed_url(base, lang))
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url(base, lang))
    _sub(feed, "link", rel="alternate", type="text/turtle", href=base + "feed")
    labels = _Reader(reader, lang)
    for c in found:
        _entry(feed, c, labels, base, lang)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
