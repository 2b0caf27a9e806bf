"""A plan's commitment list in pages of 100 (issue 24: a plan of 863 commitments rendered 884 kB
in one page), with links between the pages and the whole list as the plan's CSV download; over
a real socket, on a registry with a synthetic plan of more than 100 commitments (invented data,
benchmarks/generate.py)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
import requests

from benchmarks.bulkload import build_store
from endpoint.pages.resource import PLAN_PAGE_SIZE
from registry.model import digest
from tests.conftest import BASE
from tests.endpoint_server import Running, running

ROW = re.compile(r'<tr><th scope="row">([^<]*)</th>')


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, str, int]]:
    store = tmp_path_factory.mktemp("pagination") / "store"
    reg, _, _ = build_store(store, 2500, 7, base_uri=BASE, log=False)
    d = digest.open_digest(reg.store)
    assert d is not None
    sizes = {p: len(set(d.rows(
        "SELECT s FROM facts WHERE p = ? AND o = ?",
        "https://w3id.org/ogp-no/def#inActionPlan", p))) for p in d.plan_iris()}
    plan, total = max(sizes.items(), key=lambda kv: kv[1])
    assert total > 2 * PLAN_PAGE_SIZE, sizes  # the premise: a list of three pages or more
    with running(store) as srv:
        yield srv, plan, total


def _get(srv: Running, path: str) -> str:
    with requests.get(srv.url + path, headers={"Accept": "text/html"}, timeout=60) as r:
        assert r.status_code == 200, path
        return r.text


def test_the_pages_together_list_every_commitment_once(big: tuple[Running, str, int]) -> None:
    srv, plan, total = big
    path = plan[len(BASE) :]
    seen: list[str] = []
    html = _get(srv, path)
    assert 'rel="prev"' not in html
    pages = 0
    while True:
        pages += 1
        rows = ROW.findall(html.split('id="commitment-table"')[1].split("</table>")[0])
        assert len(rows) == (PLAN_PAGE_SIZE if pages * PLAN_PAGE_SIZE <= total
                             else total % PLAN_PAGE_SIZE)
        seen += rows
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        if not nxt:
            break
        assert nxt.group(1).startswith(BASE)
        html = _get(srv, nxt.group(1)[len(BASE) :].replace("&amp;", "&"))
        assert 'rel="prev"' in html
    assert pages == -(-total // PLAN_PAGE_SIZE)
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)


def test_the_whole_list_downloads_as_csv(big: tuple[Running, str, int]) -> None:
    srv, plan, total = big
    html = _get(srv, plan[len(BASE) :])
    link = re.search(r'<a id="commitments-csv" href="([^"]+)"', html)
    assert link is not None
    with requests.get(link.group(1).replace(BASE, srv.url), timeout=120) as r:
        assert r.status_code == 200
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == total
    first = ROW.findall(html)[:PLAN_PAGE_SIZE]
    assert first == [row["identifier"] for row in rows][:PLAN_PAGE_SIZE]


@pytest.mark.parametrize("page", ["0", "abc", "999999999", "-1"])
def test_a_page_number_out_of_range_gives_a_page(
    big: tuple[Running, str, int], page: str
) -> None:
    srv, plan, total = big
    html = _get(srv, plan[len(BASE) :] + "?page=" + page)
    assert len(ROW.findall(html)) in (PLAN_PAGE_SIZE, total % PLAN_PAGE_SIZE or PLAN_PAGE_SIZE)


def test_a_small_plan_has_no_pager(big: tuple[Running, str, int]) -> None:
    srv, _, _ = big
    html = _get(srv, "id/plan/2019-2021")
    assert 'rel="next"' not in html and 'rel="prev"' not in html

