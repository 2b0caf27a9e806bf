"""Each file of a load goes to a source graph of its own (registry/loading/pipeline.py,
``one_graph_each``; docs/submissions.md). A load replaces each file's source graph with the
file, so of two files with one source id the second replaced the first in the same commit,
silently, and the report even credited the first file with the second's items. Two files of
one load that would go to one graph are now refused, naming both and how to load them, and
nothing is written.

The organisations below are INVENTED (their numbers are built to pass the mod-11 check and
start with 1, as no real organisation number does); the commitments are the real 2013–2015
rows of tests/fixtures/submissions/real-plans/ as OGP publishes them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from ogpreg.cli import main
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads
from tests.test_orgnames_across_files import KIND, _csv, _invented_numbers, _workbook

KDD = "972417858"
REAL = FIXTURES / "submissions" / "real-plans"


def _load(reg: Registry, *args: str) -> Result:
    return CliRunner().invoke(
        main, ["--store", str(reg.store.path), "--base-uri", BASE, "--lang", "en", "load",
               *args], catch_exceptions=False, env={"OGPREG_USER": "tester"},
    )


def test_two_organisation_submissions_of_one_organisation_are_refused_not_merged_away(
    registry: Registry, tmp_path: Path
) -> None:
    x, y = _invented_numbers()[2:4]
    a = _workbook(tmp_path / "a.xlsx", ["Eksempelforeningen A (oppdiktet)", "", "", KIND, int(x)])
    b = _csv(tmp_path / "b.csv", ["Eksempelforeningen B (oppdiktet)", "", "", KIND, y])
    before = all_quads(registry)
    r = _load(registry, "--submitted-by", KDD, str(a), str(b))
    assert r.exit_code == 2, r.output
    graph = BASE + "graph/source/organisations-kommunal-og-moderniseringsdepartementet"
    assert f"a.xlsx and b.csv would both be loaded into the source graph {graph}" in r.output
    assert "Give each file its own source id" in r.output
    assert all_quads(registry) == before
    # one at a time, each under its own source id, both organisations stay
    for path, source in ((a, "organisations-a"), (b, "organisations-b")):
        assert _load(registry, "--submitted-by", KDD, "--source", source, str(path)).exit_code == 0
    names = {str(q.object.value) for q in registry.store.reader().quads_for_pattern(
        None, None, None, None) if "(oppdiktet)" in str(getattr(q.object, "value", ""))}
    assert {"Eksempelforeningen A (oppdiktet)", "Eksempelforeningen B (oppdiktet)"} <= names


def test_one_plan_sent_twice_in_one_load_is_refused(registry: Registry) -> None:
    """The same plan's commitments as a workbook and as CSV (the real 2013–2015 rows): one
    source graph, so refused rather than loaded twice over itself."""
    before = all_quads(registry)
    r = _load(registry, "--submitted-by", KDD, str(REAL / "2013-2015.xlsx"),
              str(REAL / "2013-2015.csv"))
    assert r.exit_code == 2, r.output
    assert "2013-2015.xlsx and 2013-2015.csv would both be loaded" in r.output
    assert all_quads(registry) == before


def test_rdf_files_of_one_name_are_refused_every_pair_named(
    registry: Registry, tmp_path: Path
) -> None:
    """Files named alike in different folders get one source id (the name without its
    extension): every clash is named."""
    body = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
    files = []
    for folder in ("one", "two", "three"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "commitment.ttl").write_bytes(body)
        files.append(str(tmp_path / folder / "commitment.ttl"))
    before = all_quads(registry)
    r = _load(registry, *files)
    assert r.exit_code == 2, r.output
    assert "Files of this load would replace each other" in r.output
    assert r.output.count("would both be loaded") == 2
    assert f"{files[0]} and {files[1]} would both" in r.output.replace("\n", " ")
    assert f"{files[0]} and {files[2]} would both" in r.output.replace("\n", " ")
    assert "(source id commitment)" in r.output
    assert all_quads(registry) == before
