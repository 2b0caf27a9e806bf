"""Property-based tests (hypothesis) for the parsers that read what users send: dates,
organisation numbers, CSV and JSON submissions, and the endpoint's request parsing. No crash
other than a RegistryError with a message, no partial write, never a 500.

Profiles: ``dev`` (default) and ``ci`` (``derandomize=True``, chosen when CI=true or with
``--hypothesis-profile=ci``), both with modest example counts so the file stays quick.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endpoint.app import create_app
from loaders.build.dates import DateError, parse_date
from loaders.build.refs import check_digit_ok
from loaders.load import load
from loaders.submission import Options, RawInput, read_submissions
from registry.errors import ConfigurationError, RegistryError
from registry.publish.dcat_terms import check_orgnr
from registry.service import Registry, open_registry
from tests.conftest import FIXTURES, all_quads, make_settings

settings.register_profile("dev", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("dev"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


# -- dates ---------------------------------------------------------------------------------
@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.none()))
def test_parse_date_never_crashes(value: object) -> None:
    try:
        d = parse_date(value)
    except DateError:
        return
    assert d.precision in ("day", "month", "year")
    assert d.earliest <= d.latest


@given(st.dates(min_value=date(1000, 1, 1)))
def test_parse_date_round_trips_both_notations(d: date) -> None:
    assert parse_date(d.isoformat()).lexical == d.isoformat()
    assert parse_date(f"{d.day}.{d.month}.{d.year:04d}").lexical == d.isoformat()
    assert parse_date(f" {d.day:02d}.{d.month:02d}.{d.year:04d} ").lexical == d.isoformat()


@given(st.integers(1, 31), st.integers(1, 12), st.integers(0, 99))
def test_two_digit_years_are_refused(day: int, month: int, year: int) -> None:
    with pytest.raises(DateError):
        parse_date(f"{day:02d}.{month:02d}.{year:02d}")


# -- organisation numbers ----------------------------------------------------------------------
@given(st.text(alphabet="0123456789", min_size=0, max_size=11) | st.text(max_size=12))
def test_orgnr_checks_agree(number: str) -> None:
    """The loaders' check and the DCAT settings check are the same mod-11 rule."""
    try:
        check_orgnr(number)
        dcat_ok = True
    except ConfigurationError:
        dcat_ok = False
    assert check_digit_ok(number) == dcat_ok


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.integers(0, 9))
def test_exactly_one_check_digit_or_none(stem: str, digit: int) -> None:
    valid = [d for d in range(10) if check_digit_ok(stem + str(d))]
    assert len(valid) <= 1
    if valid and digit != valid[0]:
        assert not check_digit_ok(stem + str(digit))


# -- submissions -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_registry(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    path = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(initialised_store, path)
    yield open_registry(make_settings(path))


_HEADER = (FIXTURES / "submissions" / "commitments-utf8.csv").read_text(
    encoding="utf-8").splitlines()[0]
_cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20
) | st.sampled_from(["NO0054", "2019-2021", "972417858", "=1+1", "@x", "-", "01.07.2019", ""])


def _submit(reg: Registry, name: str, data: bytes, fmt: str) -> None:
    before = all_quads(reg)
    try:
        subs = read_submissions(reg, [(RawInput(name, data=data), fmt)], Options())
        load(reg, subs, dry_run=True)
    except RegistryError as exc:
        assert exc.render("en").strip()
    assert all_quads(reg) == before


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(st.lists(st.lists(_cell, min_size=0, max_size=20), min_size=0, max_size=4),
       st.sampled_from([",", ";", "\t"]))
def test_csv_submission_fuzz(fuzz_registry: Registry, rows: list[list[str]], sep: str) -> None:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep)
    writer.writerow(_HEADER.split(","))
    writer.writerows(rows)
    _submit(fuzz_registry, "fuzz.csv", buf.getvalue().encode("utf-8"), "csv")


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _cell,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["kind", "plan", "commitments", "milestones", "ogp_id", "title_nb",
                         "lead_agency", "start_date", "x"]), inner, max_size=5),
    max_leaves=15,
))
def test_json_submission_fuzz(fuzz_registry: Registry, doc: object) -> None:
    import json

    _submit(fuzz_registry, "fuzz.json", json.dumps(doc).encode("utf-8"), "json")


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_as_csv_or_xlsx(fuzz_registry: Registry, data: bytes) -> None:
    _submit(fuzz_registry, "fuzz.csv", data, "csv")
    _submit(fuzz_registry, "fuzz.xlsx", b"PK\x03\x04" + data, "xlsx")


# -- the endpoint's request parsing ------------------------------------------------------------
@pytest.fixture(scope="module")
def app(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    path = tmp_path_factory.mktemp("fuzzapp") / "store"
    shutil.copytree(initialised_store, path)
    settings_ = make_settings(path, query_timeout=5, max_request_bytes=5000)
    yield create_app(settings_, registry=open_registry(settings_))


_text = st.text(max_size=60)
_param = st.sampled_from(["query", "format", "output", "default-graph-uri", "named-graph-uri",
                          "update", "lang", "x"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_param, _text | st.sampled_from(["ASK {}", "SELECT * {?s ?p ?o}"])),
             max_size=4),
    st.dictionaries(st.sampled_from(["Accept", "Content-Type", "Accept-Language",
                                     "Accept-Encoding", "If-None-Match"]),
                    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                            max_size=40), max_size=3),
    st.sampled_from(["GET", "POST", "HEAD", "PUT", "OPTIONS"]),
    st.binary(max_size=200),
)
def test_endpoint_request_parsing_never_500(
    app: Flask, params: list[tuple[str, str]], headers: dict[str, str], method: str, body: bytes
) -> None:
    client = app.test_client()
    if method in ("GET", "HEAD"):
        resp = client.open("/sparql", method=method, query_string=params, headers=headers)
    else:
        resp = client.open("/sparql", method=method, query_string=params, headers=headers,
                           data=body)
    assert resp.status_code < 500, (resp.status_code, resp.get_data()[:300])
    if resp.status_code >= 400 and method != "HEAD":
        err = resp.get_json()
        assert err is not None and set(err) == {"error", "message", "status"}
