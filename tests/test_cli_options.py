"""The command line's global options after the command, every line in the chosen language, and
``ogpreg status`` by identifier (issue 19)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from ogpreg.cli import GLOBAL_OPTIONS, main
from registry.service import Registry
from tests.conftest import BASE, FIXTURES

Run = Callable[..., Result]


@pytest.fixture
def run(registry: Registry) -> Run:
    """``ogpreg ARGS`` with ``{store}`` in ARGS replaced by the test's store."""
    store = str(registry.store.path)

    def _run(*args: str) -> Result:
        argv = [a.replace("{store}", store) for a in args]
        return CliRunner().invoke(main, argv, catch_exceptions=False)

    return _run


def commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, cmd in sorted(group.commands.items()):
        yield prefix + name, cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, prefix + name + " ")


# -- global options after the command ----------------------------------------------------------
def test_every_command_takes_the_global_options_after_its_name() -> None:
    found = list(commands(main))
    assert len(found) > 15
    for name, cmd in found:
        opts = {o for p in cmd.params for o in getattr(p, "opts", ())}
        for decl, _, _ in GLOBAL_OPTIONS:
            assert decl in opts, f"ogpreg {name} lacks {decl}"


def test_the_readme_example_validate_lang_en_file_works(run: Run) -> None:
    bad = str(FIXTURES / "rdf" / "bad-orgnr.ttl")
    r = run("--store", "{store}", "validate", "--lang", "en", bad)
    assert r.exit_code == 1, r.output
    assert "wrong check digit" in r.stdout
    assert "nothing was loaded" in r.stderr
    # the same before the command, and bokmål without it
    before = run("--store", "{store}", "--lang", "en", "validate", bad)
    assert (before.exit_code, before.stdout) == (1, r.stdout)
    nb = run("--store", "{store}", "validate", bad)
    assert "feil kontrollsiffer" in nb.stdout


def test_store_and_base_uri_after_the_command_and_after_wins_over_before(
    registry: Registry, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "not-this-store"
    env = {"OGPREG_STORE": str(elsewhere), "OGPREG_BASE_URI": "http://elsewhere.example/"}
    store = str(registry.store.path)
    q = "SELECT ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id } ORDER BY ?id"

    def run(*args: str) -> Result:
        return CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)

    before = run("--store", store, "--base-uri", BASE, "query", "--format", "csv", q)
    after = run("query", "--store", store, "--base-uri", BASE, "--format", "csv", q)
    assert (after.exit_code, after.stdout) == (0, before.stdout)
    assert "NO0054" in after.stdout
    assert not elsewhere.exists()  # the store after the command was used, not the default
    r = run("--lang", "nb", "query", "--store", store, "--base-uri", BASE, "--lang", "en",
            "NOT SPARQL")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: Syntax error in the SPARQL query at line 1, column 1")
    r = run("token", "list", "--store", store, "--base-uri", BASE, "--lang", "en")
    assert r.exit_code == 0 and r.stdout.startswith("id | organisation | role")
    assert not elsewhere.exists()


# -- every line in the chosen language ---------------------------------------------------------
def test_query_tables_speak_the_chosen_language(run: Run) -> None:
    select = "SELECT ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id } LIMIT 9"
    construct = 'CONSTRUCT { ?c dct:identifier ?id } WHERE { ?c dct:identifier "NO0054", ?id }'
    nb = run("--store", "{store}", "query", select).stdout.splitlines()
    en = run("--store", "{store}", "query", "--lang", "en", select).stdout.splitlines()
    assert (nb[-1], en[-1]) == ("(9 rader)", "(9 rows)")
    one = run("--store", "{store}", "query", select.replace("9", "1")).stdout.splitlines()
    assert one[-1] == "(1 rad)"
    nb = run("--store", "{store}", "query", construct).stdout.splitlines()
    en = run("--store", "{store}", "query", construct, "--lang", "en").stdout.splitlines()
    assert [c.strip() for c in nb[0].split("|")] == ["subjekt", "predikat", "objekt"]
    assert [c.strip() for c in en[0].split("|")] == ["subject", "predicate", "object"]
    assert (nb[-1], en[-1]) == ("(1 trippel)", "(1 triple)")


# -- ogpreg status ID --------------------------------------------------------------------------
def test_status_takes_an_identifier_as_well_as_a_uri(run: Run) -> None:
    by_id = run("--store", "{store}", "status", "NO0054")
    by_uri = run("--store", "{store}", "status", BASE + "id/commitment/NO0054")
    by_path = run("--store", "{store}", "status", "id/commitment/NO0054")
    assert by_id.exit_code == 0, by_id.output
    assert by_id.stdout == by_uri.stdout == by_path.stdout
    assert by_id.stdout.startswith(BASE + "id/commitment/NO0054: ")
    plan = run("--store", "{store}", "status", "2019-2021", "--format", "json")
    assert plan.exit_code == 0 and f'"{BASE}id/plan/2019-2021"' in plan.stdout


@pytest.mark.parametrize(
    ("item", "nb", "en"),
    [
        ("NO0054X",
         "Feil: Ingen handlingsplan, forpliktelse eller forslag har identifikatoren NO0054X.",
         "Error: No action plan, commitment or proposal has the identifier NO0054X."),
        ("id/commitment/NO9999",
         f"Feil: {BASE}id/commitment/NO9999 finnes ikke i registeret.",
         f"Error: {BASE}id/commitment/NO9999 does not exist in the registry."),
        (BASE + "id/plan/1999-2000",
         f"Feil: {BASE}id/plan/1999-2000 finnes ikke i registeret.",
         f"Error: {BASE}id/plan/1999-2000 does not exist in the registry."),
    ],
)
def test_status_of_an_unknown_item_is_an_error_with_exit_1(
    run: Run, item: str, nb: str, en: str
) -> None:
    r = run("--store", "{store}", "status", item)
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.startswith(nb), r.stderr
    r = run("--store", "{store}", "status", item, "--lang", "en")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.startswith(en), r.stderr


def test_status_of_an_item_without_a_registry_status_is_a_usage_error(run: Run) -> None:
    r = run("--store", "{store}", "status", "id/organisation/kulturdepartementet", "--lang", "en")
    assert r.exit_code == 2
    assert "is neither an action plan, a commitment nor a proposal" in r.stderr
