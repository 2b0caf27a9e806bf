"""``/feed`` as Atom 1.0 for feed readers (client audit, finding 4; docs/feed.md, "Atom"), over
a real socket, read by the real feedparser and checked against RFC 4287's rules.

The store is tests/test_feed.py's (tests/history_store.py): changes 1-3 from the history store
(3: NO9921 updated, NO9922 removed), 4: NO9921's status changed, 5: an invented bulk load of
40 commitments. NO9921, NO9922 and NO97xx and their titles are invented.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import feedparser
import pytest
import requests

from registry.lifecycle.change import set_status
from registry.loading.sources import SourceFile
from registry.publish.atom import ITEMS_PER_ENTRY
from registry.service import open_registry
from tests.conftest import BASE, FIXTURES, make_settings
from tests.endpoint_server import Running, running
from tests.history_store import KMD, NO9921, NO9922, TITLE_V2, V1_AT, history_store
from tests.test_feed import BULK, admin, bulk_submission

A = "{http://www.w3.org/2005/Atom}"
ATOM_URL = BASE + "feed?format=atom"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = history_store(tmp_path_factory.mktemp("atom"), tmp_path_factory.getbasetemp())
    with running(store) as r:
        set_status(r.registry, admin(), NO9921, "submitted")
        r.registry.load(
            [SourceFile("bulk.ttl", bulk_submission(0, BULK), "feed-bulk")], submitted_by=KMD
        )
        yield r


def atom(site: Running, path: str = "feed?format=atom", **headers: str) -> requests.Response:
    r = requests.get(site.url + path, headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return r


def test_feedparser_reads_the_feed_it_asks_for_at_feed(site: Running) -> None:
    """feedparser fetches /feed with its own Accept header (Atom first) and gets valid Atom."""
    d = feedparser.parse(site.url + "feed")
    assert d.bozo == 0, d.get("bozo_exception")
    assert d.version == "atom10"
    assert d.headers["content-type"].startswith("application/atom+xml")
    assert d.feed.title == "Endringer i OGP-registeret"
    assert d.feed.id == ATOM_URL
    assert [e.id for e in d.entries] == [BASE + f"id/change/{n}" for n in (5, 4, 3, 2, 1)]
    assert all(e.title.startswith(f"Endring {n}:") for e, n in zip(d.entries, (5, 4, 3, 2, 1),
                                                                   strict=True))


def test_an_entry_says_what_changed_with_links_to_the_items(site: Running) -> None:
    d = feedparser.parse(atom(site).content)
    assert d.bozo == 0
    by_id = {e.id: e for e in d.entries}
    status = by_id[BASE + "id/change/4"]
    assert status.title == f"Endring 4: ny status for NO9921 {TITLE_V2}"
    links = {(link.rel, link.href) for link in status.links}
    assert ("alternate", BASE + "id/change/4") in links
    assert ("related", NO9921) in links
    mixed = by_id[BASE + "id/change/3"]
    assert mixed.summary.startswith("Lagt til: 0. Oppdatert: 1. Fjernet: 1.")
    # a removed item is named by the name it had
    assert "NO9922 Forpliktelse som blir fjernet (eksempel)" in mixed.content[0].value
    assert {link.href for link in mixed.links if link.rel == "related"} == {NO9921, NO9922}
    created = by_id[BASE + "id/change/2"]
    assert created.updated == V1_AT.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    bulk = by_id[BASE + "id/change/5"]
    assert bulk.title == f"Endring 5: en innlasting endret {BULK} ressurser"
    assert len([link for link in bulk.links if link.rel == "related"]) == ITEMS_PER_ENTRY
    assert f"… og {BULK - ITEMS_PER_ENTRY} ressurser til." in bulk.content[0].value


def test_the_language_is_the_reader_s(site: Running) -> None:
    nb = atom(site)
    en = atom(site, **{"Accept-Language": "en-GB,en;q=0.9"})
    nn = feedparser.parse(atom(site, "feed?format=atom&lang=nn").content)
    assert "Accept-Language" in nb.headers["Vary"]
    assert nb.headers["ETag"] != en.headers["ETag"]
    d = feedparser.parse(en.content)
    assert d.feed.title == "Changes in the OGP registry"
    assert d.feed.id == ATOM_URL + "&lang=en"
    assert d.entries[1].title == "Change 4: new status for NO9921 Open change log, revised (example)"
    assert {link.href for link in d.entries[1].links} >= {
        BASE + "id/change/4?lang=en",
        NO9921 + "?lang=en",
    }
    assert nn.feed.title == "Endringar i OGP-registeret"
    assert ET.fromstring(en.content).get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_the_document_keeps_rfc_4287_s_rules(site: Running) -> None:
    root = ET.fromstring(atom(site).content)
    assert root.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(A + name)) == 1, name
    assert root.find(f"{A}author/{A}name") is not None  # so entries may leave it out
    selfs = [link for link in root.findall(A + "link") if link.get("rel") == "self"]
    assert [link.get("href") for link in selfs] == [ATOM_URL]
    stamps = [root.findtext(A + "updated")]
    for entry in root.findall(A + "entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(A + name)) == 1, name
        assert (entry.findtext(A + "id") or "").startswith(BASE)
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in entry.findall(A + "link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == len(set(alternates))
        assert entry.find(A + "summary") is not None
        stamps.append(entry.findtext(A + "updated"))
    assert all(s and RFC3339.match(s) for s in stamps), stamps


def test_negotiation_keeps_rdf_where_it_was(site: Running) -> None:
    get = requests.get
    assert get(site.url + "feed", timeout=60).headers["Content-Type"].startswith("text/turtle")
    r = get(site.url + "feed", headers={"Accept": "*/*"}, timeout=60)
    assert r.headers["Content-Type"].startswith("text/turtle")
    r = get(site.url + "feed", headers={"Accept": "application/atom+xml"}, timeout=60)
    assert r.headers["Content-Type"].startswith("application/atom+xml")
    assert r.headers["Content-Location"] == ATOM_URL
    # ?format=atom wins over Accept (a reader that sends text/html or nothing)
    atom(site, Accept="text/html")
    r = get(site.url + "feed/snapshot?format=atom&lang=en", timeout=60)
    assert r.status_code == 400 and "turtle, ntriples, jsonld." in r.json()["message"]
    r = get(site.url + "feed?format=yaml&lang=en", timeout=60)
    assert r.status_code == 400 and "atom" in r.json()["message"]
    r = get(site.url + "feed?lang=en", headers={"Accept": "image/png"}, timeout=60)
    assert r.status_code == 406 and "application/atom+xml" in r.json()["message"]
    first = atom(site)
    again = requests.get(
        site.url + "feed?format=atom", headers={"If-None-Match": first.headers["ETag"]},
        timeout=60,
    )
    assert again.status_code == 304


def test_the_pages_link_to_the_feed_for_feed_readers(site: Running) -> None:
    for path, href in (("", ATOM_URL), ("?lang=en", ATOM_URL + "&amp;lang=en")):
        html = requests.get(site.url + path, headers={"Accept": "text/html"}, timeout=60).text
        assert f'<link rel="alternate" type="application/atom+xml" href="{href}">' in html
    d = feedparser.parse(site.url + "feed?format=atom&lang=en")  # where the link leads
    assert d.bozo == 0 and d.feed.title == "Changes in the OGP registry"


def test_the_feed_holds_the_latest_changes_only(site: Running) -> None:
    with running(site.registry.store.path, feed_entries=2) as few:
        d = feedparser.parse(atom(few).content)
    assert [e.id for e in d.entries] == [BASE + "id/change/5", BASE + "id/change/4"]
    assert "(høyst 2)" in d.feed.subtitle


def test_a_title_with_a_control_character_leaves_the_feed_well_formed(
    initialised_store: Path, tmp_path: Path
) -> None:
    """A title may hold a character XML 1.0 cannot carry (Turtle's ``\\u0001``, copy-paste
    debris); the Atom feed writes U+FFFD in its place (``registry.rdf.writing.xml_text``), so a
    feed reader's XML parser reads the whole feed. NO9908 is invented."""
    store = tmp_path / "store"
    shutil.copytree(initialised_store, store)
    ttl = (FIXTURES / "rdf" / "valid-commitment.ttl").read_text(encoding="utf-8")
    ttl = ttl.replace("NO9901", "NO9908").replace(
        "Åpne data om offentlige anskaffelser (eksempel)", "Åpne\\u0001data\\uFFFE (eksempel)"
    )
    open_registry(make_settings(store)).load([SourceFile("c.ttl", ttl.encode(), "atom-control")])
    with running(store) as r:
        body = atom(r).content
    root = ET.fromstring(body)  # strict: an ill-formed document raises
    texts = ["".join(e.itertext()) for e in root.findall(A + "entry")]
    assert any("NO9908 Åpne\ufffddata\ufffd (eksempel)" in t for t in texts), texts
    assert feedparser.parse(body).bozo == 0
