"""The bundled plans' values are the facts alone (docs/data-model.md, "ogp:ActionPlan"): an IRM
report (``ogp:irmReport``) is its name as published, a number of commitments the source gives
as one number is an ``xsd:integer``, and what the source says about either (a link, a date, "no
URL seen", "KMD slides, 17 March 2014") is an ``ogp:editorialNote`` of the plan naming the report
or count it is about. Expectations are derived from ../shared/data/reference/action-plans.csv
(real data); the registry is the one ``ogpreg init`` builds (tests/conftest.py)."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from registry.service import Registry, open_registry
from tests.conftest import BASE, make_settings, shared_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from bundled_reference import PLAN_IDS  # noqa: E402

OGP = "https://w3id.org/ogp-no/def#"
GRAPH = BASE + "graph/source/bundled-plans"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
#: An entry of a cell: a name, then at most one note in parentheses; entries end at a semicolon
#: outside the parentheses.
ENTRY = re.compile(r"\s*([^;()]+?)\s*(?:\(([^()]*)\))?\s*(?:;|$)")


def _plans() -> list[dict[str, str]]:
    with shared_file("data", "reference", "action-plans.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def reg(initialised_store: Path) -> Registry:
    return open_registry(make_settings(initialised_store))


def _objects(reg: Registry, plan_id: str, prop: str) -> list[ox.Literal]:
    plan = ox.NamedNode(BASE + "id/plan/" + plan_id)
    objects = [q.object for q in reg.store.reader().quads_for_pattern(
        plan, ox.NamedNode(OGP + prop), None, ox.NamedNode(GRAPH))]
    literals = [o for o in objects if isinstance(o, ox.Literal)]
    assert literals == objects, objects
    return literals


def _notes(reg: Registry, plan_id: str) -> set[str]:
    notes = _objects(reg, plan_id, "editorialNote")
    assert all(n.language for n in notes)
    return {n.value for n in notes if n.language == "en"}


@pytest.mark.parametrize("row", _plans(), ids=lambda r: r["plan"])
def test_irm_reports_are_named_without_the_sources_notes(
    reg: Registry, row: dict[str, str]
) -> None:
    plan_id = PLAN_IDS[row["plan"]]
    entries = [(m[1], m[2]) for m in ENTRY.finditer(row["irm_reports"]) if m[1]]
    values = _objects(reg, plan_id, "irmReport")
    assert sorted(v.value for v in values) == sorted(name for name, _ in entries)
    for v in values:
        assert "(" not in v.value and ")" not in v.value and "http" not in v.value, v
        assert v.datatype.value == "http://www.w3.org/2001/XMLSchema#string", v
    notes = _notes(reg, plan_id)
    for name, note in entries:
        if note:  # the note is kept, word for word, naming the report
            assert f"IRM report «{name}»: {note.strip()}" in notes, (name, notes)


@pytest.mark.parametrize("row", _plans(), ids=lambda r: r["plan"])
def test_a_number_of_commitments_given_as_one_number_is_an_integer(
    reg: Registry, row: dict[str, str]
) -> None:
    plan_id = PLAN_IDS[row["plan"]]
    text = row["number_of_commitments"]
    values = _objects(reg, plan_id, "numberOfCommitments")
    if not text:
        assert values == []
        return
    (value,) = values
    m = re.fullmatch(r"(\d+)\s*(?:\((.*)\))?", text)
    if m is None:  # the source says more than one number: kept as the source states it
        assert value == ox.Literal(text), value
        return
    assert value.datatype.value == INTEGER and int(value.value) == int(m[1]), value
    if m[2]:
        assert f"Number of commitments «{m[1]}»: {m[2]}" in _notes(reg, plan_id)


def test_the_sources_say_one_count_in_words() -> None:
    """The test above covers both cases: the reference data gives one count as more than a
    number (NAP4), and at least one as a number with a note (NAP2)."""
    counts = {r["plan"]: r["number_of_commitments"] for r in _plans()}
    assert counts["NAP4"] == "8 at start; 10 after 2021 amendments"
    assert re.fullmatch(r"\d+ \(.+\)", counts["NAP2"])
