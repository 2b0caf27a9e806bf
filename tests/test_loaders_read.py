"""Submissions read from XLSX, CSV (every supported encoding and delimiter) and JSON give the
expected RDF, compared by graph isomorphism with the Turtle kept next to the fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from loaders.submission import Options, RawInput, read_submissions, submission_format
from registry.errors import UsageError
from registry.rdf.convert import quads_to_graph
from registry.service import Registry
from tests.conftest import BASE, FIXTURES

SUB = FIXTURES / "submissions"
KMD = BASE + "id/organisation/kommunal-og-moderniseringsdepartementet"


def read(registry: Registry, *names: str, submitted_by: str | None = None):  # type: ignore[no-untyped-def]
    inputs = [(RawInput(n, path=SUB / n), submission_format(n)) for n in names]
    subs = read_submissions(registry, inputs, Options(submitted_by=submitted_by))  # type: ignore[arg-type]
    assert len(subs) == 1
    return subs[0]


def expected(name: str) -> Graph:
    return Graph().parse(SUB / name, format="turtle", publicID=BASE)


def assert_isomorphic(got: Graph, want: Graph) -> None:
    if not isomorphic(got, want):
        _both, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        lines = ["graphs differ", "only in the loader's output:"]
        lines += sorted(f"  {t}" for t in only_got)
        lines += ["only in the expected Turtle:"] + sorted(f"  {t}" for t in only_want)
        pytest.fail("\n".join(lines))


@pytest.mark.parametrize(
    "names",
    [
        ("commitments.xlsx",),
        ("commitments-utf8.csv", "milestones.csv"),
        ("commitments-utf8-bom.csv", "milestones.csv"),
        ("commitments-cp1252.csv", "milestones.csv"),
        ("commitments.json",),
    ],
    ids=["xlsx", "csv-utf8-comma", "csv-utf8-bom-semicolon", "csv-windows-1252", "json"],
)
def test_commitments_in_every_format_give_the_same_rdf(registry: Registry, names: tuple[str, ...]) -> None:
    sub = read(registry, *names)
    assert sub.build.ok, [i.render("en") for i in sub.build.issues]
    assert sub.kind == "commitments"
    assert sub.source_id == "commitments-2019-2021-naerings-og-fiskeridepartementet"
    assert_isomorphic(quads_to_graph(sub.build.triples), expected("commitments.expected.ttl"))


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("commitments-utf8.csv", "Encoding UTF-8, delimiter comma (',')."),
        ("commitments-utf8-bom.csv", "Encoding UTF-8 with BOM, delimiter semicolon (';')."),
        ("commitments-cp1252.csv", "Encoding Windows-1252, delimiter semicolon (';')."),
    ],
)
def test_the_report_says_which_encoding_and_delimiter_were_assumed(
    registry: Registry, name: str, note: str
) -> None:
    sub = read(registry, name)
    infos = [i.message_en for i in sub.build.issues if i.severity == "info"]
    assert note in infos


@pytest.mark.parametrize(
    ("name", "expected_ttl", "submitted_by", "source_id"),
    [
        ("proposals.xlsx", "proposals.expected.ttl", None,
         "proposals-transparency-international-norge"),
        ("comments.csv", "comments.expected.ttl", None,
         "comments-kommunal-og-moderniseringsdepartementet"),
        ("assessments.json", "assessments.expected.ttl", KMD,
         "assessments-kommunal-og-moderniseringsdepartementet"),
        ("organisations.xlsx", "organisations.expected.ttl", KMD,
         "organisations-kommunal-og-moderniseringsdepartementet"),
    ],
)
def test_every_submission_kind(
    registry: Registry, name: str, expected_ttl: str, submitted_by: str | None, source_id: str
) -> None:
    sub = read(registry, name, submitted_by=submitted_by)
    assert sub.build.ok, [i.render("en") for i in sub.build.issues]
    assert sub.source_id == source_id
    assert_isomorphic(quads_to_graph(sub.build.triples), expected(expected_ttl))


def test_example_blank_and_english_header_rows_are_skipped(registry: Registry) -> None:
    sub = read(registry, "commitments.xlsx")
    assert sub.build.examples == 1
    assert sub.build.rows == 5  # 2 commitments + 3 milestones; the blank rows are not rows
    warnings = [i for i in sub.build.issues if i.severity == "warning"]
    assert [i.message_en for i in warnings] == [
        'The sheet "Notater" is not a known submission sheet and is not read.'
    ]


def test_several_submitters_need_submitted_by(registry: Registry) -> None:
    sub = read(registry, "assessments.json")
    errors = [i for i in sub.build.issues if i.severity == "violation"]
    assert len(errors) == 1
    assert "--submitted-by" in errors[0].message_en
    assert sub.source_id == ""


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.xlsx", "xlsx"), ("a.XLSX", "xlsx"), ("a.csv", "csv"), ("a.json", "json"),
     ("a.ttl", None), ("a.jsonld", None)],
)
def test_formats_by_extension(name: str, fmt: str | None) -> None:
    assert submission_format(name) == fmt


def test_json_ld_under_a_json_name_is_rdf() -> None:
    assert submission_format("a.json", b'{"@context": {}}') is None


def test_unknown_format_names_the_supported_ones() -> None:
    with pytest.raises(UsageError) as exc:
        submission_format("plan.docx", b"not a submission")
    text = exc.value.render("en")
    assert "Unknown file format of plan.docx" in text
    assert ".xlsx" in text and ".csv" in text and ".json" in text and ".ttl" in text


def test_fixtures_are_documented() -> None:
    readme = (SUB / "README.md").read_text("utf-8")
    for f in sorted(SUB.iterdir()):
        if f.name in ("README.md", "make_fixtures.py") or f.suffix == ".ttl":
            continue
        assert f"`{f.name}`" in readme, f"{f.name} is not described in README.md"
    assert "INVENTED" in readme or "invented" in readme


def test_fixture_files_exist() -> None:
    assert Path(SUB / "commitments.xlsx").read_bytes().startswith(b"PK")
