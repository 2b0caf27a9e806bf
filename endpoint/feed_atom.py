"""``/feed`` as Atom 1.0, for feed readers (``registry/publish/atom.py``; docs/feed.md, "Atom").

``endpoint/feed.py`` serves it when ``Accept`` prefers ``application/atom+xml`` or
``?format=atom`` asks for it (the pages link to ``{base}feed?format=atom``, which works
whatever a reader sends as ``Accept``). The language is the request's (``?lang=``, else
``Accept-Language``; bokmål by default), so the answer varies with ``Accept-Language`` too.
It holds the latest ``OGPREG_FEED_ENTRIES`` changes; ``?after=`` and ``?since=`` are for the
LDES representation and do not change it. Each body is built once per revision and language.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pyoxigraph as ox

from endpoint import conneg
from registry.history.versions import Change
from registry.i18n import Lang
from registry.publish import atom
from registry.settings import Settings
from registry.store.embedded import Revision

#: Atom among the feed's formats (after the RDF ones: ``*/*`` stays Turtle).
ATOM = conneg.Format("atom", "feed", atom.MEDIA_TYPE, (), ("atom",))
VARY = "Accept, Accept-Encoding, Accept-Language"


def named(values: Sequence[str]) -> bool:
    """Whether the ``format`` parameter's first value that names something names Atom."""
    for raw in values:
        value = raw.strip().lower()
        if value:
            return value in ATOM.names or value in (ATOM.name, ATOM.media_type)
    return False


class AtomBodies:
    """The Atom document per (revision, language), built once, from the changes read once per
    revision; older revisions dropped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._bodies: dict[tuple[int, str], bytes] = {}
        self._changes: dict[int, list[Change]] = {}

    def body(self, revision: Revision | None, reader: ox.Store, lang: Lang) -> bytes:
        number = revision.number if revision else 0
        key = (number, lang)
        with self._lock:
            found = self._bodies.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._changes.get(number)
        if found is None:  # read once per revision, whatever the language
            found = atom.latest_changes(
                reader, self.settings.feed_entries, self.settings.base_uri
            )
        body = atom.build_atom(
            reader,
            found,
            self.settings.base_uri,
            lang=lang,
            entries=self.settings.feed_entries,
            publisher=self.settings.publisher_name,
            committed=revision.committed if revision else None,
        )
        with self._lock:
            self._bodies = {k: v for k, v in self._bodies.items() if k[0] >= number}
            self._bodies[key] = body
            self._changes = {number: found}
        return body

    def answer(
        self, revision: Revision | None, reader: ox.Store, lang: Lang
    ) -> tuple[bytes, str, dict[str, str]]:
        """The body, its ETag and the headers of an Atom answer."""
        number = revision.number if revision else 0
        url = atom.feed_url(self.settings.base_uri, lang)
        headers = {
            "Vary": VARY,
            "Content-Language": lang,
            "Content-Location": url,
            "Link": f'<{url}>; rel="self"; type="{atom.MEDIA_TYPE}", '
            f'<{self.settings.base_uri}feed>; rel="alternate"; type="text/turtle"',
        }
        return self.body(revision, reader, lang), f"r{number}-feed-atom-{lang}", headers
