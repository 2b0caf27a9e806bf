"""Docs checked by tests: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from ogpreg.cli import main
from registry.settings import SETTINGS, settings_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_configuration_doc_embeds_the_settings_table() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    table = doc.split("<!-- settings-table -->\n", 1)[1].split("<!-- /settings-table -->", 1)[0]
    assert table == settings_markdown(), "regenerate the table in docs/configuration.md"


def test_readme_names_every_setting() -> None:
    """Every setting is named in the README, or in docs/configuration.md, which the README
    links. (Each alternative is checked per setting: a link alone does not document one.)"""
    readme = (ROOT / "README.md").read_text("utf-8")
    config = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    assert "](docs/configuration.md)" in readme, "the README must link docs/configuration.md"
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme and f"`{s.env}`" not in config]
    assert not missing, f"settings documented nowhere: {missing}"


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name, cmd in main.commands.items():
        assert f"ogpreg {name}" in readme, f"README lacks `ogpreg {name}`"
        if isinstance(cmd, click.Group):
            for sub in cmd.commands:
                assert f"ogpreg {name} {sub}" in readme, f"README lacks `ogpreg {name} {sub}`"


def test_readme_opens_with_the_two_fresh_machine_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    head = readme.split("## What you can do", 1)[0]
    assert "pip install -e ." in head and "ogpreg" in head
    assert "<!-- test-command -->" in head and "python -m pytest" in head
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "<!-- test-command -->" in ci  # .ci/run runs the README's test command


def test_every_turtle_file_in_the_package_parses() -> None:
    import pyoxigraph as ox

    files = [
        *ROOT.glob("ontology/*.ttl"),
        *ROOT.glob("shapes/*.ttl"),
        *ROOT.glob("registry/data/*.ttl"),
    ]
    assert len(files) >= 8
    for f in files:
        assert list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE, base_iri="http://localhost:8000/")), f


def test_every_fixture_folder_has_a_readme_naming_each_of_its_files() -> None:
    """The README's promise: fixtures double as examples, each folder says what is in it (and
    invented data says so). A file is named in the README of the nearest folder that has one."""
    fixtures = ROOT / "tests" / "fixtures"
    missing = []
    for path in sorted(fixtures.rglob("*")):
        if path.is_dir() and path.parent == fixtures and not (path / "README.md").is_file():
            missing.append(f"{path.relative_to(ROOT)}/README.md")
        if not path.is_file() or path.name == "README.md" or "__pycache__" in path.parts:
            continue
        folder = path.parent
        while not (folder / "README.md").is_file() and folder != fixtures:
            folder = folder.parent
        readme = folder / "README.md"
        if not readme.is_file() or path.name not in readme.read_text("utf-8"):
            missing.append(f"{path.relative_to(ROOT)} (not named in {readme.relative_to(ROOT)})")
    assert not missing, "\n".join(missing)
