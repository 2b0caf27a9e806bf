"""The ogpreg command line: exit codes, messages in both languages, formats, help text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ogpreg.cli import main
from tests.conftest import BASE, FIXTURES

RDF = FIXTURES / "rdf"


@pytest.fixture
def run(registry):  # type: ignore[no-untyped-def]
    store = str(registry.store.path)

    def _run(*args: str, input: str | None = None) -> click.testing.Result:
        runner = CliRunner()
        return runner.invoke(
            main,
            ["--store", store, "--base-uri", BASE, *args],
            input=input,
            catch_exceptions=False,
        )

    return _run


def test_query_table_is_readable(run) -> None:  # type: ignore[no-untyped-def]
    r = run("query", "SELECT ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id ; "
            'ogp:inActionPlan/dct:identifier "2019-2021" } ORDER BY ?id')
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].strip() == "id"
    assert lines[2].strip() == "NO0054"
    assert lines[-1] == "(9 rader)"  # bokmål by default, every line (issue 19)


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("json", '"bindings"'), ("csv", "id\n"), ("tsv", "?id"), ("xml", "<sparql")],
)
def test_query_result_formats(run, fmt: str, marker: str) -> None:  # type: ignore[no-untyped-def]
    r = run(
        "query", "--format", fmt, "SELECT ?id WHERE { ?c dct:identifier ?id ; a ogp:Commitment }"
    )
    assert r.exit_code == 0
    assert marker in r.stdout
    assert "NO0061" in r.stdout


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_construct_formats(run, fmt: str) -> None:  # type: ignore[no-untyped-def]
    r = run(
        "query",
        "--format",
        fmt,
        'CONSTRUCT { ?c dct:title ?t } WHERE { ?c dct:identifier "NO0061" ; dct:title ?t }',
    )
    assert r.exit_code == 0
    assert "Establish public register of the beneficial owners" in r.stdout


def test_query_from_stdin_and_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    q = tmp_path / "q.rq"
    q.write_text("ASK { ?c dct:identifier 'NO0062' }", "utf-8")
    assert run("query", f"@{q}").stdout == "true\n"
    assert run("query", "-", input="ASK { ?c dct:identifier 'NO9999' }").stdout == "false\n"


def test_sparql_syntax_error_shows_parser_message_and_exits_1(run) -> None:  # type: ignore[no-untyped-def]
    r = run("query", "SELECT ?x WHERE { ?x ?y }")
    assert r.exit_code == 1
    # line, column and what is wrong, in bokmål (issue 19: not the parser's character ranges)
    assert r.stderr.startswith(
        "Feil: Syntaksfeil i SPARQL-spørringen på linje 1, kolonne 19: et trippelmønster"
    ), r.stderr
    r = run("--lang", "en", "query", "SELEKT")
    assert r.exit_code == 1
    assert r.stderr.startswith(
        "Error: Syntax error in the SPARQL query at line 1, column 1: expected SELECT, "
        "CONSTRUCT, DESCRIBE or ASK, found “SELEKT”. Did you mean SELECT?"
    ), r.stderr


def test_wrong_format_for_query_kind_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    r = run("query", "--format", "turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert r.exit_code == 2
    assert "Tillatte verdier: table, json, xml, csv, tsv" in r.stderr


def test_load_invalid_file_exits_1_with_report_in_both_languages(run) -> None:  # type: ignore[no-untyped-def]
    r = run("load", str(RDF / "bad-orgnr.ttl"))
    assert r.exit_code == 1
    assert "kontrollsiffer" in r.stdout and "Eksempelforeningen" in r.stdout  # the report
    assert "ingenting er lastet" in r.stderr  # the verdict
    r = run("--lang", "en", "load", str(RDF / "bad-orgnr.ttl"))
    assert r.exit_code == 1
    assert "check digit" in r.stdout and "nothing was loaded" in r.stderr


def test_load_report_json(run) -> None:  # type: ignore[no-untyped-def]
    r = run("load", "--report", "json", str(RDF / "unknown-theme.ttl"))
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["conforms"] is False and report["errors"] >= 1
    assert any(i["value"].endswith("space-travel") for i in report["issues"])


def test_load_then_stats_and_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run(
        "load",
        "--submitted-by",
        "Nærings- og fiskeridepartementet",
        str(RDF / "valid-commitment.ttl"),
    )
    assert r.exit_code == 0, r.stderr
    assert "valid-commitment.ttl: lastet inn i" in r.stdout
    r = run("stats", "--format", "json")
    stats = json.loads(r.stdout)
    # the 31 commitments of reference/ogp-commitments-norway.csv, all bundled, and NO9901
    assert stats["classes"]["https://w3id.org/ogp-no/def#Commitment"] == 31 + 1
    graphs = {s["graph"]: s for s in stats["sources"]}
    assert graphs[BASE + "graph/source/valid-commitment"]["fileName"] == "valid-commitment.ttl"
    out = tmp_path / "g.ttl"
    assert run("export", "--graph", "valid-commitment", "-o", str(out)).exit_code == 0
    assert "NO9901" in out.read_text("utf-8")


def test_unknown_submitter_gets_suggestions(run) -> None:  # type: ignore[no-untyped-def]
    r = run("load", "--submitted-by", "Finansdepartemntet", str(RDF / "valid-commitment.ttl"))
    assert r.exit_code == 1
    assert "Mente du: Finansdepartementet," in r.stderr  # the closest name first


def test_missing_file_and_unknown_extension_are_usage_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("load", str(tmp_path / "nope.ttl")).exit_code == 2
    odd = tmp_path / "data.txt"
    odd.write_text("x", "utf-8")
    r = run("validate", str(odd))
    assert r.exit_code == 2
    assert "--format" in r.stderr


def test_validate_prints_report_and_exit_code(run) -> None:  # type: ignore[no-untyped-def]
    r = run("validate", str(RDF / "valid-commitment.ttl"))
    assert r.exit_code == 0
    assert "0 feil" in r.stdout
    r = run("validate", str(RDF / "end-before-start.ttl"))
    assert r.exit_code == 1


def _commands(group: click.Group) -> list[click.Command]:
    return [group.commands[n] for n in sorted(group.commands)]


def test_every_command_and_option_has_help_with_an_example() -> None:
    for cmd in [main, *_commands(main)]:
        assert cmd.help and "Example:" in cmd.help, cmd.name
        for p in cmd.params:
            if isinstance(p, click.Option) and p.name not in ("help", "version", "dry_run"):
                assert p.help and "Example" in p.help, f"{cmd.name} {p.name}"


def test_console_script_runs_in_a_real_process(registry, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "OGPREG_STORE": str(registry.store.path), "OGPREG_BASE_URI": BASE}
    p = subprocess.run(
        [sys.executable, "-m", "ogpreg", "query", "ASK { ?c dct:identifier 'NO0054' }"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (p.returncode, p.stdout) == (0, "true\n")
    p = subprocess.run(
        [sys.executable, "-m", "ogpreg", "query", "--format", "nope", "ASK {}"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert p.returncode == 2


def test_export_whole_registry_as_dataset_and_as_union(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    trig = tmp_path / "all.trig"
    assert run("export", "-o", str(trig)).exit_code == 0
    quads = list(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert BASE + "graph/provenance" in graphs
    assert BASE + "graph/source/bundled-plan-2019-2021" in graphs
    ttl = tmp_path / "all.ttl"
    assert run("export", "--format", "turtle", "-o", str(ttl)).exit_code == 0
    triples = set(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))
    assert len(triples) == len({(q.subject, q.predicate, q.object) for q in quads})


def test_query_with_from_uses_only_that_graph(run) -> None:  # type: ignore[no-untyped-def]
    q = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s a org:Organization }}"
    everything = run("query", "--format", "csv", q.format(""))
    one = run("query", "--format", "csv", q.format(f"FROM <{BASE}graph/source/bundled-plan-2019-2021>"))
    # the 47 of the 2018 invitation, 16 more bodies from norway-central-government.csv and the
    # IRM (the assessor of the bundled IRM assessments)
    assert everything.stdout.split()[1] == "64"
    assert one.stdout.split()[1] == "0"  # the plan's graph types no organisations


def test_service_is_refused_on_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    r = run("--lang", "en", "query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.exit_code == 1
    assert "SERVICE is not allowed" in r.stderr


def test_optimize_commits_a_compacted_revision_with_the_same_quads(run, registry) -> None:  # type: ignore[no-untyped-def]
    before = registry.store.revision()
    quads = set(registry.store.reader())
    r = run("optimize")
    assert r.exit_code == 0, r.stderr
    after = registry.store.revision()
    assert after.number == before.number + 1
    assert f"revisjon {after.number}" in r.stdout
    assert set(registry.store.reader()) == quads
    assert registry.store.uncompacted() == 0


def test_a_setting_the_embedded_store_does_not_read_is_named_at_start(
    registry, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """OGPREG_STATE_DIR is for an external engine; with the embedded store the tokens, the
    audit log and the write lock stay in the store's directory. An operator who sets it is told
    so on standard error (in the language asked for), once, and the command works as before."""
    store = str(registry.store.path)
    state = tmp_path / "state"

    def token_list(env: dict[str, str], *lang: str) -> click.testing.Result:
        return CliRunner().invoke(main, ["--store", store, "--base-uri", BASE, *lang,
                                         "token", "list"], env=env, catch_exceptions=False)

    told = token_list({"OGPREG_STATE_DIR": str(state)})
    assert told.exit_code == 0, told.output
    assert told.stderr.count("OGPREG_STATE_DIR") == 2, told.stderr  # the name, and the advice
    assert f"OGPREG_STATE_DIR ({state}) er satt, men den innebygde lagringen leser den ikke" \
        in told.stderr
    assert store in told.stderr and not state.exists()
    english = token_list({"OGPREG_STATE_DIR": str(state)}, "--lang", "en")
    assert "but the embedded store does not read it" in english.stderr
    quiet = token_list({"OGPREG_STATE_DIR": ""})
    assert quiet.exit_code == 0 and "OGPREG_STATE_DIR" not in quiet.stderr
    assert quiet.stdout == told.stdout
