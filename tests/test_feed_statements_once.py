"""Every page of ``/feed`` says each statement once (client audit, finding 3): page 0 said
``<{base}feed?after=0> a tree:Node`` twice, once in the event stream's description (its
``tree:view``) and once about itself. Read over a real socket in Turtle and N-Triples, on
tests/test_feed.py's store (invented commitments; see there)."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import requests

from tests.endpoint_server import Running
from tests.test_feed import site

__all__ = ["site"]  # the module's fixture, shared with tests/test_feed.py

FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}


def statements(site: Running, path: str, accept: str) -> tuple[list[str], str | None]:
    r = requests.get(site.url + path, headers={"Accept": accept}, timeout=60)
    assert r.status_code == 200
    parsed = ox.parse(r.content, FORMATS[accept], rename_blank_nodes=False)
    # blank nodes keep their labels within one document: a repeated statement stays equal
    found = [str(ox.Triple(q.subject, q.predicate, q.object)) for q in parsed]
    nxt = r.links.get("next", {}).get("url")
    return found, nxt


def test_no_page_repeats_a_statement(site: Running) -> None:
    pages = 0
    for accept in FORMATS:
        path: str | None = "feed"
        while path is not None:
            found, nxt = statements(site, path, accept)
            repeated = [s for s, n in Counter(found).items() if n > 1]
            assert not repeated, (path, accept, repeated)
            pages += 1
            path = nxt.split("/", 3)[3] if nxt else None
    assert pages >= 4  # more than one page in each format

