"""rdflib reads ``/catalog`` as JSON-LD over a real socket and gets the profile it was served
(client audit, finding 1; docs/dcat.md, "Profiles").

``rdflib.Graph().parse(url, format="json-ld")`` follows the first ``Link: <…>;
rel="alternate"; type="application/ld+json"`` whose address is not the one it asked, even
when the answer is already JSON-LD (rdflib/parser.py, ``URLInputSource``). The links must
therefore lead to the served profile's JSON-LD first. To follow them for real, the registry is
served at its own base URI: the fixed store of tests/fixtures/dcat-default with its base URI
rewritten to the server's address (``http://127.0.0.1:PORT/``).
"""

from __future__ import annotations

import gzip
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from endpoint.app import create_app
from endpoint.server import Server
from registry.service import open_registry
from tests.conftest import BASE, make_settings
from tests.test_dcat import RDFLIB_JSONLD
from tests.test_dcat_profiles import DEFAULT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def own_base(tmp_path: Path) -> Iterator[str]:
    """The endpoint (waitress, this process) answering at the base URI its store was made
    with, so that every link it gives can be followed; its address."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    settings = make_settings(tmp_path / "store", base_uri=base)
    reg = open_registry(settings)
    text = gzip.decompress((DEFAULT / "store.nq.gz").read_bytes()).decode("utf-8")
    with reg.store.transaction(compact=True) as tx:
        tx.extend(ox.parse(text.replace(BASE, base).encode(), format=ox.RdfFormat.N_QUADS))
    server = Server(create_app(settings, registry=reg), host="127.0.0.1", port=port)
    server.start_in_thread()
    try:
        assert server.url == base
        yield base
    finally:
        server.close()


def _graph(url: str) -> Graph:
    with requests.get(url, headers={"Accept": "application/n-triples"}, timeout=60) as r:
        assert r.status_code == 200, url
        return Graph().parse(data=r.content, format="nt")


@RDFLIB_JSONLD
def test_rdflib_reads_the_default_profile_of_catalog_as_json_ld(own_base: str) -> None:
    default = _graph(own_base + "catalog")
    ap3 = _graph(own_base + "catalog?_profile=dcat-ap-3")
    assert not isomorphic(default, ap3)

    got = Graph().parse(own_base + "catalog", format="json-ld")
    assert isomorphic(got, default)


@RDFLIB_JSONLD
@pytest.mark.parametrize("token", ["dcat-ap-3", "dcat-ap-no-3", "dcat-ap-no-2"])
def test_rdflib_reads_the_profile_the_parameter_chose(own_base: str, token: str) -> None:
    expected = _graph(f"{own_base}catalog?_profile={token}")
    got = Graph().parse(f"{own_base}catalog?_profile={token}", format="json-ld")
    assert isomorphic(got, expected)


def test_the_served_profile_s_alternates_come_first(own_base: str) -> None:
    """For every format: the first alternate of each media type is the served profile's."""
    for path, profile in (
        ("catalog", "https://data.norge.no/specification/dcat-ap-no/v2"),
        ("catalog?_profile=dcat-ap-3", "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"),
    ):
        for accept in ("text/turtle", "application/ld+json", "application/rdf+xml"):
            r = requests.head(own_base + path, headers={"Accept": accept}, timeout=60)
            first: dict[str, str] = {}
            for link in r.headers["Link"].split(", "):
                parts = [p.strip() for p in link.split(";")]
                if 'rel="alternate"' in parts:
                    kind = next((p for p in parts if p.startswith("type=")), "")
                    prof = next((p for p in parts if p.startswith("profile=")), "")
                    first.setdefault(kind, prof)
            for media_type in ("text/turtle", "application/ld+json", "application/rdf+xml",
                               "application/n-triples"):
                assert first[f'type="{media_type}"'] == f'profile="{profile}"', (path, accept)
