"""The submission engine gives exactly the results of pySHACL with the full shapes: the
builder's own evaluation of the shapes' SHACL-SPARQL date rules plus pyshacl-turbo on the core
shapes report the same focus, path, value, severity, shape and messages, through the registry's
own validation path, for valid and invalid fixtures."""

from __future__ import annotations

import hashlib
import re
from functools import partial

import pytest

from loaders.engine import SubmissionValidator, turbo_available, validate_fast
from loaders.submission import Options, RawInput, read_submissions, serialise, submission_format
from registry.errors import ValidationFailed
from registry.service import Registry
from registry.validation.report import Issue, ValidationReport
from tests.conftest import FIXTURES

SUB = FIXTURES / "submissions"
SPARQL = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"


def key(issues: list[Issue]) -> list[tuple[str, ...]]:
    return sorted(
        (i.severity, i.focus, i.path or "", i.value or "", i.shape or "", _named(i.message_nb),
         _named(i.message_en))
        for i in issues
    )


def _named(message: str) -> str:
    """The builder's date rules name the commitment or plan by its identifier where the
    shapes' message has its IRI (``{?commitment}``): the same message otherwise."""
    return re.sub(r"http://localhost:8000/id/(?:commitment|plan)/(\S+?)(?=[ ,.)]|$)", r"\1",
                  message)


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
    fast = shacl(registry, files, SubmissionValidator(frozenset(f.name for f in files)))
    rules = [i for s in subs for i in s.build.issues if i.constraint == SPARQL]
    assert key([*fast.issues, *rules]) == key(full.issues)
    if names[0].startswith("bad-"):
        assert rules and not full.conforms


# -- long literals reach pyshacl-turbo as stand-ins (loaders/engine.py, StandIns) -----------
LONG_NB = "Oppdiktet lang beskrivelse med æøå. " * 40  # ~1,400 characters
LONG_EN = "Invented long description. " * 40


def _with(extra: str) -> bytes:
    base = (FIXTURES / "rdf" / "valid-commitment.ttl").read_text("utf-8")
    return (base + "\n<id/commitment/NO9901> " + extra + " .\n").encode("utf-8")


def _long_cases() -> dict[str, str]:
    from loaders.engine import STAND_IN_PREFIX

    digest = hashlib.blake2b(LONG_NB.strip().encode(), digest_size=16).hexdigest()
    return {
        "two-long-nb": f'ogp:ambition "{LONG_NB}"@nb, "{LONG_NB} (2)"@nb',
        "same-long-twice": f'ogp:ambition "{LONG_NB}"@nb, "{LONG_NB}"@nb',
        "long-untagged": f'ogp:problemAddressed "{LONG_EN}"',
        "long-german": f'ogp:ambition "{LONG_EN}"@de',
        "long-title-and-description": (f'dct:title "{LONG_NB}"@nb ; dct:description '
                                       f'"{LONG_EN}"@en'),
        # a short literal that looks like the stand-in of another is no longer equal to it
        "forged-stand-in": (f'ogp:ambition "{LONG_NB.strip()}"@nb, '
                            f'"{STAND_IN_PREFIX}{digest}"@nb'),
    }


@pytest.mark.parametrize("case", list(_long_cases()))
def test_long_literals_are_checked_exactly_as_by_pyshacl(registry: Registry, case: str) -> None:
    """Counts, languages and datatypes of long texts give the same results, values and
    messages with stand-ins in pyshacl-turbo as pySHACL gives on the original texts."""
    from registry.loading.sources import SourceFile

    if not turbo_available():
        pytest.fail("pyshacl-turbo is a dependency (pyproject.toml) and must be installed")
    files = [SourceFile("lang.ttl", _with(_long_cases()[case]), "lang")]
    full = shacl(registry, files, partial(validate_fast, engine="pyshacl"))
    fast = shacl(registry, files, SubmissionValidator(frozenset(f.name for f in files)))
    rules = [i for i in full.issues if i.constraint == SPARQL]
    assert key([*fast.issues, *rules]) == key(full.issues)
    expected = {
        "two-long-nb": ("UniqueLang", "ambition"),
        "same-long-twice": None,
        "long-untagged": ("Datatype", "problemAddressed"),
        "long-german": ("LanguageIn", "ambition"),
        "long-title-and-description": ("", "title"),
        "forged-stand-in": ("UniqueLang", "ambition"),
    }[case]
    if expected is None:
        assert full.conforms, full.render("en")
    else:
        assert any(expected[0] in (i.constraint or "") and (i.path or "").endswith(expected[1])
                   for i in full.issues), full.render("en")
    if case in ("long-untagged", "long-german"):  # the value shown is the original text
        assert any(len(i.value or "") > 256 for i in fast.issues)
    assert not any("ogpreg-long-literal:" in i.message_en + i.message_nb for i in fast.issues)


def test_which_predicates_keep_their_literals() -> None:
    """Paths with content constraints (sh:pattern on identifiers, sh:in, nested shapes) keep
    their values; descriptions do not; with SHACL-SPARQL in the shapes nothing is replaced."""
    from loaders.engine import value_sensitive_predicates

    sensitive = value_sensitive_predicates(True)
    assert sensitive is not None
    assert "http://purl.org/dc/terms/identifier" in sensitive
    assert "https://w3id.org/ogp-no/def#organisationNumber" in sensitive
    assert "http://purl.org/dc/terms/description" not in sensitive
    assert "https://w3id.org/ogp-no/def#ambition" not in sensitive
    assert value_sensitive_predicates(False) is None
