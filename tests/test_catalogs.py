"""The message catalogs (registry/locale/, scripts/catalogs.py): every msgid in the code has a
bokmål and an English translation with the same placeholders, the compiled .mo files are those
of the .po files, messages render through them, and no bilingual pair is left in the code."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from registry.errors import SourceError
from registry.i18n import Lines, Msg, gettext, msg, translations

ROOT = Path(__file__).resolve().parents[1]


def _catalogs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalogs"] = module
    spec.loader.exec_module(module)
    return module


def test_every_msgid_is_translated_and_every_catalog_compiled() -> None:
    """As ``catalogs.py check``: a msgid without nynorsk is only a warning here (it is shown in
    bokmål until translated); tests/test_nynorsk.py requires nynorsk for every msgid."""
    problems = _catalogs().problems()
    assert not problems, "\n".join(problems[:40])


def test_the_extraction_sees_the_messages() -> None:
    """The check above is only as good as the extraction: it must find known msgids, also
    those passed to the wrappers listed in scripts/catalogs.py."""
    ids = {m.id for m in _catalogs().extract() if m.id}
    assert "{count} files could not be read:\n{errors}" in ids  # msg()
    assert any(isinstance(i, str) and i.startswith("{file}: the file is empty")
               for i in ids)  # _refuse(file, …)
    assert ("{n} warning", "{n} warnings") in ids  # msg_n(): singular and plural
    assert len(ids) > 300


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_compiled_catalogs_are_read(lang: str) -> None:
    catalog = translations(lang)
    assert type(catalog).__name__ == "GNUTranslations", f"no compiled catalog for {lang}"


def test_a_message_renders_in_each_language_with_nested_parameters() -> None:
    inner = [
        SourceError(msg("{file}: the file is empty.", file="a.csv")),
        SourceError(msg("{file}: the file is empty.", file="b.csv")),
    ]
    joined = msg("{count} files could not be read:\n{errors}", count=2, errors=Lines(inner))
    assert joined.render("en") == (
        "2 files could not be read:\na.csv: the file is empty.\nb.csv: the file is empty."
    )
    nb = joined.render("nb")
    assert nb.startswith("2 filer kunne ikke leses:\na.csv: ") and "tom" in nb
    assert gettext("nb", "{count} files could not be read:\n{errors}") != (
        "{count} files could not be read:\n{errors}"
    )


def test_text_given_per_language_is_shown_as_given() -> None:
    given = Msg.texts(nb="Tittel mangler", en="Title missing")
    assert given.render("nb") == "Tittel mangler" and given.render("en") == "Title missing"
    assert Msg.texts(en="Only English").render("nb") == "Only English"


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def test_no_bilingual_pair_is_left_in_the_code() -> None:
    """A message is one English msgid: no msg()/Msg() with two texts, no ``*_nb``/``*_en``
    parameter pair passed into a message (a parameter that differs by language is a Msg)."""
    found = []
    for pkg in ("registry", "loaders", "endpoint", "ogpreg"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path.name == "i18n.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for call in _calls(tree):
                name = _name(call)
                if name not in ("msg", "Msg"):
                    continue
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                strings = [
                    a for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                if len(strings) > 1:
                    found.append(f"{where}: two texts in one {name}()")
                pairs = [
                    k.arg for k in call.keywords if k.arg and k.arg.endswith(("_nb", "_en"))
                ]
                if pairs:
                    found.append(f"{where}: language-specific parameters {pairs}")
    assert not found, "\n".join(found)


def test_merge_refuses_what_it_cannot_write_and_writes_nothing_then() -> None:
    """``catalogs.py merge``: a msgid the catalogs lack, a language that is none of theirs and
    a placeholder the msgid lacks are each named, and no catalog is written."""
    catalogs = _catalogs()
    files = {p: p.read_bytes() for p in (ROOT / "registry" / "locale").rglob("messages.*")}
    known = "Give at least one file."
    found = catalogs.merge({
        "A msgid nobody wrote": {"nb": "x"},
        known: {"se": "x", "nn": "Gi minst éi fil {file}."},
    })
    assert any("A msgid nobody wrote" in p and "run update" in p for p in found)
    assert any("'se'" in p for p in found)
    assert any(p.startswith("nn:") and "['file']" in p for p in found)
    assert {p: p.read_bytes() for p in files} == files
