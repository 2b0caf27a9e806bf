"""Range requests on ``/download/…`` over a real socket (client audit, finding 2; docs/dcat.md,
"HTTP behaviour"): an interrupted download of a dump resumes (``curl -C -``), a range outside
the file is 416, ``If-Range`` guards against splicing two versions of a file, and the ETag is
per representation (identity and gzip) and survives a commit that leaves the file as it was.

The plan loaded in the last test is tests/test_dcat.py's INVENTED_PLAN: made-up test data.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from registry.service import Registry
from tests.endpoint_server import Running, running
from tests.test_dcat import INVENTED_PLAN, load

DUMP = "download/plan-2019-2021.ttl"


@pytest.fixture
def site(registry: Registry) -> Iterator[Running]:
    with running(registry.store.path) as r:
        yield r


def get(site: Running, path: str = DUMP, **headers: str) -> requests.Response:
    h = {"Accept-Encoding": "identity", **headers}
    return requests.get(site.url + path, headers=h, timeout=60)


def test_a_download_advertises_ranges_and_a_strong_etag(site: Running) -> None:
    whole = get(site)
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["ETag"].startswith('"')  # strong: If-Range may use it
    assert "Content-Range" in whole.headers["Access-Control-Expose-Headers"]
    head = requests.head(site.url + DUMP, headers={"Accept-Encoding": "identity"}, timeout=60)
    assert head.status_code == 200 and head.headers["Accept-Ranges"] == "bytes"
    assert head.headers["ETag"] == whole.headers["ETag"]


def test_one_range_is_206_with_content_range(site: Running) -> None:
    full = get(site).content
    n = len(full)
    assert n > 100
    for asked, first, last in (
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, n - 1),
        ("bytes=-7", n - 7, n - 1),
        (f"bytes=5-{n + 1000}", 5, n - 1),  # past the end: to the end
        (f"bytes=-{n + 5}", 0, n - 1),
        ("BYTES = 3-4", 3, 4),
    ):
        r = get(site, Range=asked)
        assert r.status_code == 206, asked
        assert r.headers["Content-Range"] == f"bytes {first}-{last}/{n}", asked
        assert r.content == full[first : last + 1], asked
        assert int(r.headers["Content-Length"]) == last - first + 1
        assert r.headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_a_range_outside_the_file_is_416(site: Running) -> None:
    n = len(get(site).content)
    for asked in (f"bytes={n}-", f"bytes={n + 10}-{n + 20}", "bytes=-0"):
        r = get(site, Range=asked, **{"Accept-Language": "en"})
        assert r.status_code == 416, asked
        assert r.headers["Content-Range"] == f"bytes */{n}"
        assert r.json()["error"] == "range-not-satisfiable"
        assert f"{n} bytes long" in r.json()["message"]


def test_what_a_server_may_ignore_gets_the_whole_file(site: Running) -> None:
    whole = get(site)
    for asked in ("bytes=0-1,5-6", "items=0-9", "bytes=9-3", "bytes=a-b", "bytes=0-9,", "0-9"):
        r = get(site, Range=asked)
        assert r.status_code == 200, asked
        assert r.content == whole.content
    head = requests.head(site.url + DUMP, headers={"Range": "bytes=0-9"}, timeout=60)
    assert head.status_code == 200


def test_if_range_resumes_only_the_same_file(site: Running) -> None:
    whole = get(site)
    etag = whole.headers["ETag"]
    r = get(site, Range="bytes=100-", **{"If-Range": etag})
    assert r.status_code == 206 and whole.content[:100] + r.content == whole.content
    for validator in ('"not-this-file"', "W/" + etag, whole.headers["Last-Modified"]):
        r = get(site, Range="bytes=100-", **{"If-Range": validator})
        assert r.status_code == 200, validator
        assert r.content == whole.content
    # the preconditions come first: a client that has the file gets 304, not a part of it
    r = get(site, Range="bytes=100-", **{"If-None-Match": etag})
    assert r.status_code == 304


def test_gzip_is_a_representation_of_its_own_with_its_own_ranges(site: Running) -> None:
    plain = get(site)
    zipped = requests.get(site.url + DUMP, headers={"Accept-Encoding": "gzip"}, stream=True,
                          timeout=60)
    with zipped:
        body = zipped.raw.read()
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert zipped.headers["Accept-Ranges"] == "bytes"
    with requests.get(
        site.url + DUMP,
        headers={"Accept-Encoding": "gzip", "Range": "bytes=20-",
                 "If-Range": zipped.headers["ETag"]},
        stream=True,
        timeout=60,
    ) as rest:
        tail = rest.raw.read()
        assert rest.status_code == 206
        assert rest.headers["Content-Range"] == f"bytes 20-{len(body) - 1}/{len(body)}"
    assert gzip.decompress(body[:20] + tail) == plain.content
    # the identity tag does not resume the gzip body
    r = requests.get(
        site.url + DUMP,
        headers={"Accept-Encoding": "gzip", "Range": "bytes=20-", "If-Range": plain.headers["ETag"]},
        stream=True,
        timeout=60,
    )
    with r:
        assert r.status_code == 200 and r.raw.read() == body


def program(name: str) -> str:
    """The path of the client ``name``: missing, a skip on a developer machine and a failure
    in CI (.ci/run installs it)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing in CI (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def test_curl_resumes_an_interrupted_download(site: Running, tmp_path: Path) -> None:
    curl = program("curl")
    whole = get(site).content
    target = tmp_path / "plan.ttl"
    target.write_bytes(whole[: len(whole) // 3])  # what an interrupted download left
    done = subprocess.run(
        [curl, "--silent", "--show-error", "--fail", "-C", "-", "-o", str(target),
         "-w", "%{http_code}", site.url + DUMP],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "206"
    assert target.read_bytes() == whole
    # and an already complete file: curl asks past its end, 416, and keeps it
    done = subprocess.run(
        [curl, "--silent", "-C", "-", "-o", str(target), "-w", "%{http_code}",
         site.url + DUMP],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.stdout == "416"
    assert target.read_bytes() == whole


def test_wget_continues_an_interrupted_download(site: Running, tmp_path: Path) -> None:
    """``wget -c``, the other common way to resume: a Range request from the partial file's
    length, and the rest appended."""
    wget = program("wget")
    whole = get(site).content
    target = tmp_path / "plan.ttl"
    target.write_bytes(whole[: len(whole) // 2])
    done = subprocess.run(
        [wget, "--quiet", "--server-response", "-c", "-O", str(target), site.url + DUMP],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert " 206 " in done.stderr  # it asked for the rest, and got it
    assert target.read_bytes() == whole


def test_an_unchanged_file_keeps_its_etag_across_a_commit(site: Running) -> None:
    before = {
        name: get(site, "download/" + name)
        for name in ("plan-2019-2021.ttl", "organisations.ttl")
    }
    load(site.registry, "invented-plan", INVENTED_PLAN)
    for name, old in before.items():
        new = get(site, "download/" + name)
        same = hashlib.sha256(new.content).digest() == hashlib.sha256(old.content).digest()
        assert (new.headers["ETag"] == old.headers["ETag"]) == same, name
        r = get(site, "download/" + name, Range="bytes=10-", **{"If-Range": old.headers["ETag"]})
        assert r.status_code == (206 if same else 200), name
        assert (old.content[:10] + r.content if same else r.content) == new.content
    assert get(site, "download/plan-2019-2021.ttl").headers["ETag"] == before[
        "plan-2019-2021.ttl"
    ].headers["ETag"]
