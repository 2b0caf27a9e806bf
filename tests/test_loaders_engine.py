"""The submission engine gives exactly the results of pySHACL with the full shapes: the
builder's own evaluation of the shapes' SHACL-SPARQL date rules plus pyshacl-turbo on the core
shapes report the same focus, path, value, severity, shape and messages, through the registry's
own validation path, for valid and invalid fixtures."""

from __future__ import annotations

from functools import partial

import pytest

from loaders.engine import SubmissionValidator, turbo_available, validate_fast
from loaders.submission import Options, RawInput, read_submissions, serialise, submission_format
from registry.errors import ValidationFailed
from registry.service import Registry
from registry.validation import Issue, ValidationReport
from tests.conftest import FIXTURES

SUB = FIXTURES / "submissions"
SPARQL = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"


def key(issues: list[Issue]) -> list[tuple[str, ...]]:
    return sorted(
        (i.severity, i.focus, i.path or "", i.value or "", i.shape or "", i.message_nb,
         i.message_en)
        for i in issues
    )


def shacl(registry: Registry, files, validator) -> ValidationReport:  # type: ignore[no-untyped-def]
    try:
        return registry.validate(files, validator=validator)
    except ValidationFailed as exc:
        return exc.report


@pytest.mark.parametrize(
    "names",
    [("commitments.xlsx",), ("bad-end-before-start.xlsx",), ("bad-milestone-outside.xlsx",),
     ("proposals.xlsx",), ("comments.csv",), ("organisations.xlsx",)],
)
def test_builder_rules_plus_turbo_core_equal_pyshacl_full(registry: Registry, names: tuple[str, ...]) -> None:
    if not turbo_available():
        pytest.fail("pyshacl-turbo is a dependency (pyproject.toml) and must be installed")
    opts = Options(submitted_by="http://localhost:8000/id/organisation/kommunal-og-moderniseringsdepartementet")
    subs = read_submissions(
        registry, [(RawInput(n, path=SUB / n), submission_format(n)) for n in names], opts
    )
    serialise(subs)
    files = [s.file for s in subs if s.file is not None]
    full = shacl(registry, files, partial(validate_fast, engine="pyshacl"))
    fast = shacl(registry, files, SubmissionValidator())
    rules = [i for s in subs for i in s.build.issues if i.constraint == SPARQL]
    assert key([*fast.issues, *rules]) == key(full.issues)
    if names[0].startswith("bad-"):
        assert rules and not full.conforms
