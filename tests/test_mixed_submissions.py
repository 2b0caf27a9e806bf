"""One load of several files, some good and some bad (issue 22): all or nothing, in any order,
with the report of every problem, never a traceback. The files are the invented fixtures of
tests/fixtures/submissions/ and tests/fixtures/rdf/ (see their READMEs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from loaders.load import load as load_submissions
from loaders.load import validate as validate_submissions
from loaders.submission import Options, RawInput, read_submissions, submission_format
from ogpreg.cli import main
from registry.errors import SourceError, ValidationFailed
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads

SUB = FIXTURES / "submissions"
GOOD = SUB / "comments.csv"  # two comments by KMD (loads on its own)
BAD = SUB / "bad-check-digit.csv"  # lead agency 912660681: a wrong check digit
GOOD_RDF = FIXTURES / "rdf" / "valid-commitment.ttl"
BAD_RDF = FIXTURES / "rdf" / "bad-orgnr.ttl"  # organisation number 972417859
BAD_LINES = (
    "ERROR: bad-check-digit.csv, row 2, column «Ansvarlig virksomhet *»\n"
    "  value: 912660681\n"
    "  The organisation number 912660681 has a wrong check digit"
)
NOTHING = (
    "The submission has errors; nothing was loaded. Correct the errors above and send the "
    "file again."
)


def _cli(registry: Registry, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["--store", str(registry.store.path), "--base-uri", BASE, "--lang", "en", *args],
        catch_exceptions=False,  # a traceback fails the test instead of becoming an exit code
        env={"OGPREG_USER": "tester"},
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "files",
    [(GOOD, BAD), (BAD, GOOD), (GOOD_RDF, BAD), (BAD, GOOD_RDF), (GOOD, BAD, GOOD_RDF)],
    ids=lambda files: "+".join(f.name for f in files),
)
@pytest.mark.parametrize("command", ["validate", "load"])
def test_one_bad_file_and_nothing_is_loaded(
    registry: Registry, files: tuple[Path, ...], command: str
) -> None:
    for f in files:  # the premise: the good files are good on their own
        if f is not BAD:
            assert _cli(registry, "validate", str(f))[0] == 0, f
    before, revision = all_quads(registry), registry.store.revision()
    code, out = _cli(registry, command, *(str(f) for f in files))
    assert code == 1, out
    assert BAD_LINES in out
    assert out.count("ERROR:") == 1, out
    assert out.rstrip().endswith(NOTHING), out
    assert all_quads(registry) == before
    assert registry.store.revision() == revision


def _read(registry: Registry, *paths: Path) -> list[object]:
    return read_submissions(  # type: ignore[return-value]
        registry,
        [(RawInput(p.name, path=p), str(submission_format(p.name))) for p in paths],
        Options(),
    )


@pytest.mark.parametrize("order", [(GOOD, BAD), (BAD, GOOD)], ids=["good-first", "bad-first"])
def test_the_loaders_refuse_a_mixed_set_with_the_bad_files_problem(
    registry: Registry, order: tuple[Path, Path]
) -> None:
    before = all_quads(registry)
    for run in (validate_submissions, load_submissions):
        with pytest.raises(ValidationFailed) as info:
            run(registry, _read(registry, *order))  # type: ignore[operator]
        violations = [i for i in info.value.report.issues if i.severity == "violation"]
        assert [(i.file, i.location, i.value) for i in violations] == [
            ("bad-check-digit.csv", {"row": 2, "column": "Ansvarlig virksomhet *"}, "912660681")
        ]
    assert all_quads(registry) == before


@pytest.mark.parametrize("command", ["validate", "load"])
def test_a_bad_rdf_file_with_a_good_submission_is_refused(
    registry: Registry, command: str
) -> None:
    """Regression (found by the issue-22 audit): an RDF file given with a spreadsheet was
    checked with the submissions' core shapes only, so its check digit went unchecked."""
    assert _cli(registry, "validate", str(BAD_RDF))[0] == 1  # refused on its own
    before = all_quads(registry)
    code, out = _cli(registry, command, str(GOOD), str(BAD_RDF))
    assert all_quads(registry) == before, "the invalid RDF file was loaded"
    assert code == 1 and "972417859" in out, out


def test_an_unreadable_rdf_file_among_good_ones_loads_nothing(registry: Registry) -> None:
    """Every file is read before anything is written: one syntax error among good files
    refuses the whole load, and names the file."""
    good = [FIXTURES / "rdf" / "valid-commitment.ttl", FIXTURES / "rdf" / "no-english-title.ttl"]
    bad = FIXTURES / "rdf" / "syntax-error.ttl"
    before, revision = all_quads(registry), registry.store.revision()
    for order in ([*good, bad], [bad, *good]):
        files = [SourceFile(p.name, p.read_bytes(), p.stem) for p in order]
        with pytest.raises(SourceError) as info:
            registry.load(files)
        assert info.value.file == "syntax-error.ttl"
        code, out = _cli(registry, "load", *(str(p) for p in order))
        assert code == 1 and "syntax-error.ttl:7:" in out, out
    assert all_quads(registry) == before
    assert registry.store.revision() == revision
