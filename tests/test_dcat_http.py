"""The DCAT-AP-NO feed and its downloads over a real socket: the endpoint app served by each
HTTP server of ``ogpreg serve`` (waitress, granian) on a free port, read by the official-shapes
validator (../shared/tools), by a plain DCAT consumer (rdflib + requests), and compared with
`ogpreg dcat`.

The invented plan loaded here is the one in tests/test_dcat.py (INVENTED_PLAN): made-up test
data, not a real action plan.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from registry.namespaces import OGP
from registry.service import Registry
from tests.conftest import BASE, shared_file
from tests.endpoint_server import servers
from tests.endpoint_server import serving as served_by
from tests.test_dcat import INVENTED_PLAN, RDFLIB_JSONLD, load, plan_datasets

SPDX = Namespace("http://spdx.org/rdf/terms#")
ACCEPTS = ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples")
RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
RELATIVE = "http://relative-iri.invalid/"


@pytest.fixture(params=servers())
def served(request: pytest.FixtureRequest, registry: Registry) -> Iterator[str]:
    """The endpoint on a copy of the initialised store, over a real socket, under each HTTP
    server of ``ogpreg serve`` (waitress in this process, granian in its own: a harvester sees
    granian's HTTP layer too). Its base URI is http://localhost:8000/ (conftest.BASE); links
    in the feed are fetched from the server by mapping the base URI to the server's URL, as a
    reverse proxy in front of it would. Plans loaded through ``registry`` by a test are seen
    by either server (a new revision of the same store)."""
    with served_by(request.param, registry.store.path) as run:
        yield run.url


def local(url: str, link: object) -> str:
    """Where the server answers for a link minted under the base URI."""
    text = str(link)
    assert text.startswith(BASE), text
    return url + text[len(BASE) :]


def get(url: str, accept: str | None = None, **headers: str) -> requests.Response:
    h = {"Accept-Encoding": "identity", **headers}
    if accept is not None:
        h["Accept"] = accept
    return requests.get(url, headers=h, allow_redirects=False, timeout=60)


def parse(body: bytes, media_type: str) -> Graph:
    g = Graph()
    g.parse(data=body, format=RDFLIB_FORMAT[media_type], publicID=RELATIVE)
    return g


# -- the acceptance test: the official shapes and harvester checks ------------------------------
def run_validator(url: str) -> None:
    """validate_dcat.py on the live feed, once per RDF format (in parallel), as the harvester
    reads it: one GET with exactly that Accept header."""
    tool = shared_file("tools", "validate_dcat.py")
    runs = [["--accept", accept] for accept in ACCEPTS]
    # also the 2021 revision of the shapes, the copy data.norge.no's quality check uses
    runs.append(["--accept", "text/turtle", "--no-version", "2.00-2021"])
    procs = [
        (
            args,
            subprocess.Popen(
                [sys.executable, str(tool), url + "catalog", *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ),
        )
        for args in runs
    ]
    for args, proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{args}\n{out}"
        assert "0 problems" in out, f"{args}: harvest checks\n{out}"
        assert "conforms=True" in out.split("[DCAT-AP-NO", 1)[1].split("\n", 1)[0], out


@RDFLIB_JSONLD
def test_validator_passes_on_the_bundled_data_and_after_loading_another_plan(
    served: str, registry: Registry
) -> None:
    run_validator(served)
    load(registry, "invented-plan", INVENTED_PLAN)
    run_validator(served)


# -- HTTP behaviour the harvester relies on ---------------------------------------------------
@RDFLIB_JSONLD
def test_catalog_is_one_uncompressed_utf8_document_in_each_format(served: str) -> None:
    for accept in (None, "*/*", "text/turtle", "text/turtle,text/html;q=0.5,*/*;q=0.1"):
        r = get(served + "catalog", accept)
        assert r.status_code == 200 and not r.history, accept
        assert r.headers["Content-Type"] == "text/turtle; charset=utf-8", accept
        assert "Content-Encoding" not in r.headers
    # a browser (HTML named outright, liked best) gets the page (issue 19,
    # tests/test_public_pages.py checks that every RDF request still gets the same bytes)
    r = get(served + "catalog", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    graphs = []
    for accept in ACCEPTS:
        r = get(served + "catalog", accept)
        assert r.status_code == 200
        assert r.headers["Content-Type"].split(";")[0] == accept
        assert "Content-Encoding" not in r.headers
        assert "milepæler".encode() in r.content  # UTF-8, not escaped away
        g = parse(r.content, accept)
        relative = [
            t
            for triple in g
            for t in triple
            if isinstance(t, URIRef) and str(t).startswith(RELATIVE)
        ]
        assert not relative, relative[:3]
        graphs.append(g)
    for g in graphs[1:]:
        assert isomorphic(g, graphs[0])
    for value, media_type in (
        ("turtle", "text/turtle"),
        ("rdfxml", "application/rdf+xml"),
        ("jsonld", "application/ld+json"),
        ("ntriples", "application/n-triples"),
    ):
        r = get(served + "catalog?format=" + value, "application/rdf+xml")
        assert r.status_code == 200
        assert r.headers["Content-Type"].split(";")[0] == media_type
        assert isomorphic(parse(r.content, media_type), graphs[0])


def test_no_accept_encoding_means_no_compression(served: str) -> None:
    host, port = served[len("http://") :].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.putrequest("GET", "/catalog", skip_accept_encoding=True)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.status == 200
    assert resp.getheader("Content-Encoding") is None
    assert resp.getheader("Content-Type") == "text/turtle; charset=utf-8"
    assert int(resp.getheader("Content-Length") or -1) == len(body)
    plain = get(served + "catalog").content
    assert body == plain
    with requests.get(
        served + "catalog", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=60
    ) as zipped:
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.raw.read()) == plain


def test_unknown_format_and_unacceptable_type_are_errors(served: str) -> None:
    r = get(served + "catalog?format=excel&lang=en")
    assert r.status_code == 400
    assert r.json()["error"] == "usage-error"
    assert "Unknown format 'excel'" in r.json()["message"]
    r = get(served + "catalog", "image/png")
    assert r.status_code == 406
    assert r.json()["error"] == "not-acceptable"


def test_head_and_conditional_requests(served: str) -> None:
    r = get(served + "catalog")
    head = requests.head(served + "catalog", headers={"Accept-Encoding": "identity"}, timeout=60)
    assert head.status_code == 200
    assert int(head.headers["Content-Length"]) == len(r.content)
    again = get(served + "catalog", **{"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


# -- a plain DCAT consumer --------------------------------------------------------------------
def test_a_dcat_consumer_finds_every_dataset_distribution_and_the_data_service(
    served: str, registry: Registry
) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    g = parse(get(served + "catalog", "text/turtle").content, "text/turtle")
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert catalogs == [URIRef(BASE + "catalog")]
    catalog = catalogs[0]
    datasets = set(g.objects(catalog, DCAT.dataset))
    assert datasets == {
        URIRef(x) for x in plan_datasets(registry) | {BASE + "dataset/organisations",
                                                      BASE + "dataset/vocabularies"}
    }
    assert URIRef(BASE + "dataset/plan/test-2031-2032") in datasets
    for ds in datasets:
        assert g.value(ds, DCTERMS.modified) is not None and g.value(ds, DCTERMS.issued)
        dists = set(g.objects(ds, DCAT.distribution))
        kinds = {str(g.value(d, DCAT.mediaType)).rsplit("media-types/", 1)[1] for d in dists}
        expected = {"text/turtle", "application/n-triples"}
        if "/plan/" in str(ds):
            expected.add("text/csv")
            assert len(dists) == 4
        assert kinds == expected, ds
        for d in dists:
            download = g.value(d, DCAT.downloadURL)
            assert g.value(d, DCAT.accessURL) == download
            assert str(download).startswith(BASE + "download/")
            r = get(local(served, download))
            assert r.status_code == 200, download
            media_type = str(g.value(d, DCAT.mediaType)).rsplit("media-types/", 1)[1]
            assert r.headers["Content-Type"].split(";")[0] == media_type
            assert len(r.content) == int(g.value(d, DCAT.byteSize))
            checksum = g.value(d, SPDX.checksum)
            assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
            assert (
                str(g.value(checksum, SPDX.checksumValue))
                == hashlib.sha1(r.content, usedforsecurity=False).hexdigest()
            )
            assert (
                r.headers["Repr-Digest"]
                == "sha-256=:" + base64.b64encode(hashlib.sha256(r.content).digest()).decode() + ":"
            )
            if media_type != "text/csv":
                dump = parse(r.content, media_type)
                subjects = {str(x) for x in dump.subjects()}
                if "/plan/" in str(ds):
                    plan = str(ds).replace("/dataset/plan/", "/id/plan/")
                    assert (URIRef(plan), RDF.type, OGP.ActionPlan) in dump
                elif str(ds).endswith("organisations"):
                    assert BASE + "id/organisation/kommunal-og-moderniseringsdepartementet" in (
                        subjects
                    )
                else:
                    assert "https://w3id.org/ogp-no/theme/scheme" in subjects
    services = list(g.objects(catalog, DCAT.service))
    assert len(services) == 1
    service = services[0]
    assert (service, RDF.type, DCAT.DataService) in g
    assert g.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert g.value(service, DCAT.endpointDescription) == URIRef(BASE + "sparql")
    assert set(g.objects(service, DCAT.servesDataset)) == datasets


def test_a_removed_plan_disappears_from_the_feed_and_its_files_are_gone(
    served: str, registry: Registry
) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    assert get(served + "download/plan-test-2031-2032.ttl").status_code == 200
    load(registry, "invented-plan", "")
    g = parse(get(served + "catalog").content, "text/turtle")
    assert (URIRef(BASE + "dataset/plan/test-2031-2032"), None, None) not in g
    assert (URIRef(BASE + "dataset/plan/2019-2021"), RDF.type, DCAT.Dataset) in g
    r = get(served + "download/plan-test-2031-2032.ttl?lang=en")
    assert r.status_code == 404
    assert r.json()["error"] == "not-found"
    assert "plan-2019-2021.ttl" in r.json()["message"]


# -- the command writes the same graph --------------------------------------------------------
@RDFLIB_JSONLD
def test_ogpreg_dcat_writes_the_same_graph_as_the_endpoint(
    served: str, registry: Registry, tmp_path: Path
) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    env = {**os.environ, "OGPREG_LANG": "en"}
    for name, accept in (("catalog.ttl", "text/turtle"), ("catalog.jsonld", "application/ld+json")):
        out = tmp_path / name
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "ogpreg",
                "--store",
                str(registry.store.path),
                "--base-uri",
                BASE,
                "dcat",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert "Wrote the catalogue to" in proc.stderr
        from_cli = parse(out.read_bytes(), accept)
        from_endpoint = parse(get(served + "catalog", accept).content, accept)
        assert isomorphic(from_cli, from_endpoint), name


def test_every_iri_the_catalogue_mints_dereferences(served: str) -> None:
    """A real-clients audit found 87 of the catalogue's own IRIs (datasets, distributions,
    checksums, the contact point, the services, the series) answering 404, and Comunica's link
    traversal from /catalog stopped at the first. Each now answers its description, in both
    profiles' graphs; a browser is sent to the catalogue's page."""
    minted: set[str] = set()
    for profile in ("", "?_profile=dcat-ap-no-3"):
        g = Graph().parse(data=requests.get(served + "catalog" + profile, timeout=60,
                                            headers={"Accept": "text/turtle"}).text,
                          format="turtle")
        minted |= {str(s) for s in g.subjects() if isinstance(s, URIRef)
                   and str(s).startswith(BASE) and str(s) not in (BASE, BASE + "catalog")}
    assert any("/distribution/" in m for m in minted) and len(minted) > 40
    for iri in sorted(minted):
        path = iri[len(BASE):]
        r = requests.get(served + path, headers={"Accept": "text/turtle"}, timeout=60)
        if path in ("feed", "sparql"):  # the feed and the endpoint answer as themselves
            assert r.status_code == 200, path
            continue
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
        described = Graph().parse(data=r.text, format="turtle")
        assert (URIRef(iri), None, None) in described, path
    dataset = sorted(m for m in minted if m.count("/") == BASE.count("/") + 1
                     and "/dataset/" in m)[0][len(BASE):]
    page = requests.get(served + dataset, allow_redirects=False, timeout=60,
                        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 303 and page.headers["Location"] == BASE + "catalog"
    assert requests.get(served + "dataset/finnes-ikke", timeout=60).status_code == 404
