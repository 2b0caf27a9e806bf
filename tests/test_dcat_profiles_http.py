"""The catalogue's profiles over a real socket (issue 20): the default answer byte for byte what
a harvester got before profiles existed (tests/fixtures/dcat-default), W3C Content Negotiation
by Profile (Accept-Profile, ?_profile=, ?_mediatype=, Content-Profile, Link, list profiles,
406), and the official-shapes validator (../shared/tools/validate_dcat.py) on every profile in
every RDF format, as a harvester reads it: one GET, exactly 200, the registered Accept type.

The invented plan loaded here is tests/test_dcat.py's INVENTED_PLAN: made-up test data.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.service import Registry
from tests.conftest import BASE, shared_file
from tests.endpoint_server import servers
from tests.endpoint_server import serving as served_by
from tests.test_dcat import INVENTED_PLAN, RDFLIB_JSONLD, load
from tests.test_dcat_http import ACCEPTS, get, local, parse
from tests.test_dcat_profiles import DEFAULT, fixed_registry

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ALTR = Namespace("http://www.w3.org/ns/dx/conneg/altr#")
V2 = "https://data.norge.no/specification/dcat-ap-no/v2"
NO3 = "https://data.norge.no/specification/dcat-ap-no"
AP3 = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"
AP3_PROFILE = f"<{NO3}>, <{AP3}>"


@pytest.fixture(params=servers())
def fixed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The endpoint on the fixed store of tests/fixtures/dcat-default, under each server of
    ``ogpreg serve`` (waitress in this process, granian in a process of its own)."""
    reg = fixed_registry(tmp_path / "store")
    with served_by(request.param, reg.store.path) as run:
        yield run.url


@pytest.fixture(params=servers())
def served(request: pytest.FixtureRequest, registry: Registry) -> Iterator[str]:
    """The endpoint on a copy of the initialised store, under each server of ``ogpreg
    serve``; plans a test loads through ``registry`` are seen by either (a new revision)."""
    with served_by(request.param, registry.store.path) as run:
        yield run.url


# -- the default answer ---------------------------------------------------------------------------
def test_the_default_answer_is_byte_for_byte_what_a_harvester_got_before(fixed: str) -> None:
    answers = json.loads((DEFAULT / "answers.json").read_text())
    for a in answers:
        r = get(fixed + "catalog" + a["query"], a["accept"])
        what = (a["query"], a["accept"])
        assert r.status_code == 200 and not r.history, what
        if a["accept"] and a["accept"].startswith("text/html"):
            # a browser's header: since issue 19 the page for people (docs/dcat.md); every RDF
            # request is checked byte for byte in tests/test_public_pages.py as well
            assert r.headers["Content-Type"] == "text/html; charset=utf-8", what
            continue
        assert r.headers["Content-Type"] == a["content_type"], what
        assert "Content-Encoding" not in r.headers, what
        assert r.content == (DEFAULT / a["body"]).read_bytes(), what
        assert r.headers["Content-Profile"] == f"<{V2}>", what
    # naming the default profile gives the same bytes
    for accept in ACCEPTS:
        body = get(fixed + "catalog", accept).content
        assert get(fixed + "catalog", accept, **{"Accept-Profile": f"<{V2}>"}).content == body
        assert get(fixed + "catalog?_profile=dcat-ap-no-2", accept).content == body
        qsa = get(fixed + "catalog?_profile=dcat-ap-no-2&_mediatype=" + accept.replace("+", "%2B"))
        assert qsa.content == body and qsa.headers["Content-Type"].split(";")[0] == accept


# -- negotiation ----------------------------------------------------------------------------------
def test_accept_profile_and_the_profile_parameter_choose_the_graph(served: str) -> None:
    default = get(served + "catalog", "text/turtle")
    assert default.headers["Content-Profile"] == f"<{V2}>"
    assert default.headers["Vary"] == "Accept, Accept-Profile, Accept-Encoding"
    for how in (
        {"Accept-Profile": f"<{AP3}>"},
        {"Accept-Profile": f"<urn:x>;q=1, <{NO3}>;q=0.4"},
        {"Accept-Profile": "dcat-ap-3"},
    ):
        r = get(served + "catalog", "text/turtle", **how)
        assert r.status_code == 200, how
        assert r.headers["Content-Profile"] == AP3_PROFILE, how
        assert (URIRef(BASE + "series/action-plans"), RDF.type, DCAT.DatasetSeries) in parse(
            r.content, "text/turtle"
        )
        assert r.headers["ETag"] != default.headers["ETag"]
        again = get(
            served + "catalog", "text/turtle", **how, **{"If-None-Match": default.headers["ETag"]}
        )
        assert again.status_code == 200  # another body, another ETag
    # the query parameter wins over the header (QSA before HTTP)
    r = get(
        served + "catalog?_profile=dcat-ap-no-2", "text/turtle", **{"Accept-Profile": f"<{AP3}>"}
    )
    assert r.content == default.content
    # a + in ?_mediatype= that the client did not escape
    r = get(served + "catalog?_profile=dcat-ap-no-3&_mediatype=application/ld+json")
    assert r.headers["Content-Type"] == "application/ld+json"
    assert r.headers["Content-Profile"] == AP3_PROFILE
    head = requests.head(
        served + "catalog?_profile=dcat-ap-3", headers={"Accept-Encoding": "identity"}, timeout=60
    )
    assert head.status_code == 200 and head.headers["Content-Profile"] == AP3_PROFILE
    with requests.get(
        served + "catalog?_profile=dcat-ap-3",
        headers={"Accept-Encoding": "gzip"},
        stream=True,
        timeout=60,
    ) as zipped:
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert (
            gzip.decompress(zipped.raw.read()) == get(served + "catalog?_profile=dcat-ap-3").content
        )


def test_every_answer_lists_the_profiles_in_link_headers(served: str) -> None:
    r = get(served + "catalog", "application/rdf+xml")
    links = r.headers["Link"]
    for token, uri in (("dcat-ap-no-2", V2), ("dcat-ap-no-3", NO3), ("dcat-ap-3", AP3)):
        assert (
            f'<http://www.w3.org/ns/dx/prof/Profile>; rel="type"; token="{token}"; anchor="{uri}"'
            in links
        )
    reps = re.findall(r'<([^>]*_mediatype=[^>]*)>; rel="(self|alternate)"; type="([^"]*)"', links)
    self_url = BASE + "catalog?_profile=dcat-ap-no-2&_mediatype=application/rdf%2Bxml"
    assert len(reps) == 13  # every combination as an alternate, the one served also as self
    assert [u for u, rel, _ in reps if rel == "self"] == [self_url]
    assert len({(u, rel) for u, rel, _ in reps if rel == "alternate"}) == 12
    assert f'<{BASE}catalog?_profile=all>; rel="alternate"; type="text/turtle"' in links
    # every representation a Link names is there, at that address, with that profile
    for url, _rel, media_type in reps:
        got = get(local(served, url))
        assert got.status_code == 200, url
        assert got.headers["Content-Type"].split(";")[0] == media_type, url
        token = url.split("_profile=", 1)[1].split("&", 1)[0]
        expected = f"<{V2}>" if token == "dcat-ap-no-2" else AP3_PROFILE
        assert got.headers["Content-Profile"] == expected, url
    options = requests.options(
        served + "catalog",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Headers": "accept-profile",
        },
        timeout=60,
    )
    assert options.status_code == 204
    assert options.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert options.headers["Access-Control-Allow-Headers"] == "accept-profile"
    self_link = f'<{self_url}>; rel="self"; type="application/rdf+xml"; profile="{V2}", '
    assert self_link in links
    assert options.headers["Link"] == links.replace(self_link, "")
    assert "Content-Profile" in r.headers["Access-Control-Expose-Headers"]


def test_list_profiles(served: str) -> None:
    for path in ("catalog?_profile=all", "catalog/profiles"):
        r = get(served + path)
        assert r.status_code == 200
        assert r.headers["Content-Profile"] == "<http://www.w3.org/ns/dx/conneg/altr>"
        g = parse(r.content, "text/turtle")
        catalog = URIRef(BASE + "catalog")
        assert len(set(g.objects(catalog, ALTR.hasRepresentation))) == 12
        assert g.value(catalog, ALTR.hasDefaultRepresentation) == URIRef(
            BASE + "catalog?_profile=dcat-ap-no-2&_mediatype=text/turtle"
        )
    data = get(served + "catalog/profiles", "application/json").json()
    assert [p["token"] for p in data["profiles"]] == ["dcat-ap-no-2", "dcat-ap-no-3", "dcat-ap-3"]
    assert data["default"]["token"] == "dcat-ap-no-2"
    assert get(served + "catalog?_profile=all&_mediatype=application/json").json() == data


def test_a_client_that_insists_on_an_unknown_profile_gets_406(served: str) -> None:
    for path, headers in (
        ("catalog?lang=en", {"Accept-Profile": "<https://example.org/no-such-profile>"}),
        ("catalog?lang=en", {"Accept-Profile": f"<{AP3}>;q=0"}),
        ("catalog?lang=en&_profile=no-such-profile", {}),
    ):
        r = get(served + path, "text/turtle", **headers)
        assert r.status_code == 406, (path, headers)
        assert r.json()["error"] == "not-acceptable"
        assert (
            "dcat-ap-no-3: <https://data.norge.no/specification/dcat-ap-no>" in r.json()["message"]
        )
        assert 'token="dcat-ap-3"' in r.headers["Link"]
    r = get(served + "catalog?_mediatype=image/png&lang=en")
    assert r.status_code == 406 and "?_mediatype=" in r.json()["message"]
    r = get(served + "catalog", **{"Accept-Profile": "<https://example.org/x>"})
    assert "Accept-Profile" in r.json()["message"] or "Accept-Profile-hodet" in r.json()["message"]


# -- what a DCAT-AP 3 reader finds ----------------------------------------------------------------
@RDFLIB_JSONLD
def test_a_dcat_3_reader_finds_the_series_the_services_and_checks_every_download(
    served: str, registry: Registry
) -> None:
    load(registry, "invented-plan", INVENTED_PLAN)
    g = parse(
        get(served + "catalog?_profile=dcat-ap-no-3", "application/ld+json").content,
        "application/ld+json",
    )
    catalog = URIRef(BASE + "catalog")
    series = URIRef(BASE + "series/action-plans")
    assert series in set(g.objects(catalog, DCAT.dataset))
    members = set(g.subjects(DCAT.inSeries, series))
    plans = {d for d in g.objects(catalog, DCAT.dataset) if "/dataset/plan/" in str(d)}
    assert members == plans
    assert URIRef(BASE + "dataset/plan/test-2031-2032") in members
    assert {str(g.value(s, DCAT.endpointURL)) for s in g.objects(catalog, DCAT.service)} == {
        BASE + "sparql",
        BASE + "feed",
    }
    for d in g.subjects(RDF.type, DCAT.Distribution):
        r = get(local(served, g.value(d, DCAT.downloadURL)))
        assert r.status_code == 200
        assert len(r.content) == int(g.value(d, DCAT.byteSize))  # type: ignore[arg-type]
        checksum = g.value(d, SPDX.checksum)
        assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(r.content).hexdigest()
    # the feed the catalogue announces is there and is an LDES event stream
    feed = get(served + "feed", "text/turtle")
    assert feed.status_code == 200
    assert (URIRef(BASE + "feed"), RDF.type, URIRef("https://w3id.org/ldes#EventStream")) in parse(
        feed.content, "text/turtle"
    )


# -- the official shapes --------------------------------------------------------------------------
#: The DCAT-AP 3.0.1 recommended-property warnings the DCAT-AP 3 profile leaves, each listed with
#: its reason in docs/dcat.md ("Recommended properties"): focus node and path, as the validator
#: prints them (the prefix of DC Terms depends on the format the feed was read from).
ALLOWED_AP3_WARNINGS = [
    r"<.*> (dct|dcterms):publisher",  # the publisher is not in the EU corporate-body table
    r"<.*/dataset/.*> dcat:theme|<.*/series/action-plans> dcat:theme",  # LOS themes
    r"<.*/dataset/(organisations|vocabularies)> (dct|dcterms):temporal",
    r"<.*/distribution/.*> <http://data.europa.eu/r5r/availability>",
    r"<.*/series/action-plans> dcat:distribution",
    r"<http://publications.europa.eu/resource/authority/country/NOR> dcat:(bbox|centroid)",
    r"<http://publications.europa.eu/resource/authority/licence/(CC0|CC_BY_4_0)> (dct|dcterms):type",
]
_RESULT = re.compile(r"^\s+\d+\. \[(Violation|Warning|Info)\] (\S+)\s+(\S+)", re.MULTILINE)


def _section(out: str, label: str) -> str:
    return out.split(f"[{label}", 1)[1].split("\n[", 1)[0]


def run_validator(runs: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """validate_dcat.py with --ap 3.0.1 --recommended on each (URL, Accept), four at a time;
    the outputs."""
    tool = shared_file("tools", "validate_dcat.py")
    outs: list[tuple[str, str, str]] = []
    for i in range(0, len(runs), 4):
        procs = [
            (
                url,
                accept,
                subprocess.Popen(
                    [
                        sys.executable,
                        str(tool),
                        url,
                        "--accept",
                        accept,
                        "--ap",
                        "3.0.1",
                        "--recommended",
                        "-n",
                        "500",
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                ),
            )
            for url, accept in runs[i : i + 4]
        ]
        for url, accept, proc in procs:
            out, _ = proc.communicate(timeout=300)
            outs.append((url, accept, out))
    return outs


def check_ap3_report(out: str, what: object, undated: Collection[str] = ()) -> None:
    """No violation, harvest checks fine, and only the warnings ALLOWED_AP3_WARNINGS lists, plus
    the period of each plan in ``undated`` (the data gives it none) and then of the series."""
    allowed = list(ALLOWED_AP3_WARNINGS)
    if undated:
        allowed.append(r"<.*/series/action-plans> (dct|dcterms):temporal")
        allowed += [f"<{re.escape(d)}> (dct|dcterms):temporal" for d in undated]
    assert "0 problems" in out, f"{what}: harvest checks\n{out}"
    ap = _section(out, "DCAT-AP 3.0.1 + recommended")
    assert "Violation: 0" in ap.split("\n", 1)[0], f"{what}\n{out}"
    for severity, focus, path in _RESULT.findall(ap):
        line = f"{focus} {path}"
        assert severity == "Warning", f"{what}: {line}"
        assert any(re.fullmatch(p, line) for p in allowed), f"{what}: {line}\n{out}"
    # against DCAT-AP-NO 2.0 the DCAT-AP 3 profile breaks exactly the two rules the profiles
    # disagree on: the byte size's datatype and the checksum algorithm (and, when a plan has no
    # period, DCAT-AP-NO 2.2's mandatory dcat:first of the series: its place is unknown)
    no = _section(out, "DCAT-AP-NO 2.00")
    expected = {"byteSize", "algorithm"} | ({"first"} if undated else set())
    for severity, _focus, path in _RESULT.findall(no):
        if severity == "Violation":
            local = re.split("[:#/]", path.strip("<>"))[-1]  # prefixes depend on the format
            assert local in expected, f"{what}: {path}\n{out}"


def test_the_validator_passes_every_profile_in_every_format(
    served: str, registry: Registry
) -> None:
    # plans whose period the bundled data does not give have no dct:temporal in either profile
    default = parse(get(served + "catalog", "text/turtle").content, "text/turtle")
    undated = {
        str(d)
        for d in default.subjects(RDF.type, DCAT.Dataset)
        if "/dataset/plan/" in str(d) and default.value(d, DCTERMS.temporal) is None
    }
    runs = [(served + "catalog", a) for a in ACCEPTS]
    runs += [
        (served + f"catalog?_profile={t}", a)
        for t in ("dcat-ap-no-3", "dcat-ap-3")
        for a in ACCEPTS
    ]
    for url, accept, out in run_validator(runs):
        what = (url, accept)
        if "_profile=" not in url:
            assert "Result: PASS" in out, f"{what}\n{out}"
            assert "0 problems" in out, f"{what}\n{out}"
            assert "conforms=True" in _section(out, "DCAT-AP-NO 2.00").split("\n", 1)[0], out
        else:
            check_ap3_report(out, what, undated)
    load(registry, "invented-plan", INVENTED_PLAN)  # one more plan in the series
    for url, accept, out in run_validator(
        [(served + "catalog?_profile=dcat-ap-no-3", "text/turtle")]
    ):
        check_ap3_report(out, (url, accept, "another plan"), undated)
