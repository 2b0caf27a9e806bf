"""Loading RDF: validation before writing, all-or-nothing, replacement, provenance."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from registry.errors import SourceError, ValidationFailed
from registry.loading.sources import SourceFile, source_id_for
from registry.service import Registry
from tests.conftest import BASE, FIXTURES, all_quads

RDF = FIXTURES / "rdf"


def source(name: str, source_id: str | None = None) -> SourceFile:
    path = RDF / name
    return SourceFile(path.name, path.read_bytes(), source_id_for(path.name, source_id))


def count(reg: Registry, sparql: str) -> int:
    result = reg.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))["n"].value)


def test_valid_file_loads_into_its_own_graph_with_provenance(registry: Registry) -> None:
    results = registry.load(
        [source("valid-commitment.ttl")],
        submitted_by=BASE + "id/organisation/naerings-og-fiskeridepartementet",
    )
    assert [r.source_id for r in results] == ["valid-commitment"]
    graph = BASE + "graph/source/valid-commitment"
    result = registry.query(
        """SELECT ?file ?sha ?who ?org ?when ?tool ?n WHERE {
             GRAPH ?g { ?c dct:identifier "NO9901" }
             ?g ogp:fileName ?file ; ogp:sha256 ?sha ; ogp:loadedBy ?who ; ogp:submittedBy ?org ;
                prov:generatedAtTime ?when ; ogp:toolVersion ?tool ; ogp:tripleCount ?n }"""
    )
    rows = list(result)  # type: ignore[arg-type]
    assert len(rows) == 1
    row = rows[0]
    assert row["file"].value == "valid-commitment.ttl"
    assert row["sha"].value == source("valid-commitment.ttl").sha256
    assert row["who"].value == "tester"
    assert row["org"].value.endswith("naerings-og-fiskeridepartementet")
    assert row["tool"].value.startswith("ogp-registry ")
    assert int(row["n"].value) == sum(
        1 for _ in registry.store.reader().quads_for_pattern(None, None, None, ox.NamedNode(graph))
    )


def test_reloading_a_source_replaces_it_without_duplicates(registry: Registry) -> None:
    registry.load([source("valid-commitment.ttl")])
    first = all_quads(registry)
    registry.load([source("valid-commitment.ttl")])
    assert all_quads(registry) == first  # same content: unchanged, nothing duplicated
    changed = (
        (RDF / "valid-commitment.ttl")
        .read_text("utf-8")
        .replace("Kartlegging (eksempel)", "Kartlegging, endret (eksempel)")
    )
    registry.load([SourceFile("valid-commitment.ttl", changed.encode(), "valid-commitment")])
    titles = count(
        registry,
        'SELECT (COUNT(?t) AS ?n) WHERE { ?m schema:position 1 ; ogp:ofCommitment/dct:identifier "NO9901" ; dct:title ?t FILTER(lang(?t) = "nb") }',
    )
    assert titles == 1
    sources = count(
        registry,
        'SELECT (COUNT(?g) AS ?n) WHERE { ?g ogp:sourceId "valid-commitment" }',
    )
    assert sources == 1


def test_syntax_error_names_file_line_column_and_changes_nothing(registry: Registry) -> None:
    before = all_quads(registry)
    rev = registry.store.revision()
    with pytest.raises(SourceError) as err:
        registry.load([source("syntax-error.ttl")])
    assert err.value.file == "syntax-error.ttl"
    assert err.value.line == 7
    assert err.value.column is not None
    assert err.value.render("nb").startswith(f"syntax-error.ttl:7:{err.value.column}: syntaksfeil")
    assert "syntax error" in err.value.render("en")
    assert all_quads(registry) == before
    assert registry.store.revision() == rev


def test_wrong_check_digit_names_organisation_field_and_rule(registry: Registry) -> None:
    before = all_quads(registry)
    with pytest.raises(ValidationFailed) as err:
        registry.load([source("bad-orgnr.ttl")])
    [issue] = [i for i in err.value.report.violations if "organisationNumber" in (i.path or "")]
    assert issue.focus_label == "Eksempelforeningen"
    assert issue.value == "972417859"
    nb = issue.render("nb")
    en = issue.render("en")
    assert "Eksempelforeningen" in nb and "kontrollsiffer" in nb and "11" in nb
    assert "Eksempelforeningen" in en and "check digit" in en
    assert all_quads(registry) == before


def test_unknown_theme_lists_the_allowed_values(registry: Registry) -> None:
    with pytest.raises(ValidationFailed) as err:
        registry.load([source("unknown-theme.ttl")])
    [issue] = [i for i in err.value.report.violations if i.path and i.path.endswith("#theme")]
    assert issue.value and issue.value.endswith("space-travel")
    assert "public-procurement" in issue.message("nb")
    assert "open-data" in issue.message("en")


def test_end_before_start_is_refused(registry: Registry) -> None:
    with pytest.raises(ValidationFailed) as err:
        registry.load([source("end-before-start.ttl")])
    assert any("NO9905" == i.focus_label for i in err.value.report.violations)


def test_one_bad_file_among_several_loads_nothing(registry: Registry) -> None:
    before = all_quads(registry)
    with pytest.raises(ValidationFailed):
        registry.load([source("valid-commitment.ttl"), source("bad-orgnr.ttl")])
    assert all_quads(registry) == before


def test_dry_run_reports_and_writes_nothing(registry: Registry) -> None:
    before = all_quads(registry)
    [result] = registry.load([source("valid-commitment.ttl")], dry_run=True)
    assert result.added > 0 and result.removed == 0 and not result.replaced
    assert all_quads(registry) == before


def test_first_command_on_empty_store_initialises_it(empty_registry: Registry) -> None:
    assert not empty_registry.is_initialised()
    n = count(empty_registry, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a ogp:Commitment }")
    assert n == 9
    assert empty_registry.is_initialised()


def test_every_rdf_format_loads(registry: Registry, tmp_path: Path) -> None:
    ttl = (RDF / "valid-commitment.ttl").read_bytes()
    parsed = list(ox.parse(ttl, ox.RdfFormat.TURTLE, base_iri=BASE))
    for fmt, ext in (
        (ox.RdfFormat.N_TRIPLES, "nt"),
        (ox.RdfFormat.N_QUADS, "nq"),
        (ox.RdfFormat.TRIG, "trig"),
        (ox.RdfFormat.RDF_XML, "rdf"),
        (ox.RdfFormat.JSON_LD, "jsonld"),
    ):
        data = ox.serialize(parsed, format=fmt)
        assert data is not None
        [r] = registry.load([SourceFile(f"valid.{ext}", data, f"valid-{ext}")])
        assert r.triples == len(parsed), ext


def test_missing_english_title_is_reported_as_a_warning_and_does_not_block(
    registry: Registry,
) -> None:
    """Regression: with pySHACL's focus_nodes option this warning used to vanish."""
    data = (RDF / "valid-commitment.ttl").read_text("utf-8")
    data = data.replace(',\n              "Open data on public procurement (example)"@en', "")
    [result] = registry.load([SourceFile("no-en.ttl", data.encode(), "no-en")])
    warnings = [w for w in result.warnings if w.focus_label == "NO9901"]
    assert warnings and all(w.severity == "warning" for w in warnings)
    assert "English" in warnings[0].message("en") or "engelsk" in warnings[0].message("nb")
