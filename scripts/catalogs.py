"""The message catalogs: extract the msgids from the code, update the catalogs, compile them.

    python scripts/catalogs.py update     # messages.pot from the code; new msgids into every .po
    python scripts/catalogs.py compile    # every .po into its .mo (the registry reads the .mo)
    python scripts/catalogs.py check      # exit 1 if a catalog lacks a translation, has a
                                          # placeholder the msgid lacks, or its .mo is stale

The msgids are the English texts in the code (registry/i18n.py explains how messages are
written): the first argument of ``msg()``, strings marked with ``N_()``, and the text argument
of the few helpers that wrap ``msg()`` (``KEYWORDS`` below). Catalogs live in
``registry/locale/<lang>/LC_MESSAGES/messages.po``; English is the source language, so its
catalog maps each msgid to itself (an editor may improve the English there). Needs Babel (the
``dev`` and ``test`` extras).
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "registry" / "locale"
PACKAGES = ("registry", "loaders", "endpoint", "ogpreg")
LANGS = ("nb", "en")
SOURCE_LANG = "en"
#: functions whose argument (1-based position) is a msgid
KEYWORDS: dict[str, tuple[int, ...]] = {
    "msg": (1,),
    "N_": (1,),
    "lang_message": (1,),  # endpoint/pages/page.py
    "_refuse_update": (1,),  # registry/access/updates.py
    "_error": (2,),  # loaders/fetch.py
    "_refuse": (2,),  # loaders/read/xlsx.py, loaders/read/zipcheck.py
    "_too_large": (2,),  # loaders/read/zipcheck.py
    "_changed": (2,),  # registry/backup.py
    "_unsigned": (2,),  # registry/backup.py
    "_Refused": (3,),  # endpoint/feed.py
}
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}(?!\})")


def sources() -> Iterator[Path]:
    for pkg in PACKAGES:
        yield from sorted((ROOT / pkg).rglob("*.py"))


def extract() -> Catalog:
    """Every msgid in the code, with where it occurs."""
    template = Catalog(project="ogp-registry", fuzzy=False)
    for path in sources():
        for lineno, message, comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            if isinstance(message, tuple):  # a keyword with several arguments
                message = message[0]
            if not message:
                continue
            template.add(
                message,
                locations=[(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                flags=("python-brace-format",) if _PLACEHOLDER.search(message) else (),
            )
    return template


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="ogp-registry", fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, omit_header=False)
    path.write_bytes(buf.getvalue())


def update() -> None:
    template = extract()
    write(template, LOCALE / "messages.pot")
    for lang in LANGS:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()  # msgids the code no longer uses
        for message in catalog:
            if message.id and lang == SOURCE_LANG and not message.string:
                message.string = message.id
        write(catalog, po_path(lang))


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> None:
    for lang in LANGS:
        catalog = read(lang)
        po_path(lang).with_suffix(".mo").write_bytes(mo_bytes(catalog))


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def problems() -> list[str]:
    """What is wrong with the catalogs, as lines (empty: all is well)."""
    out: list[str] = []
    template = extract()
    wanted = {m.id for m in template if m.id}
    for lang in LANGS:
        catalog = read(lang)
        have = {m.id: m for m in catalog if m.id}
        for msgid in sorted(wanted - have.keys()):
            out.append(f"{lang}: msgid missing from the catalog (run update): {msgid!r}")
        for msgid in sorted(wanted & have.keys()):
            m = have[msgid]
            if not m.string:
                out.append(f"{lang}: no translation for {msgid!r}")
            elif m.fuzzy:
                out.append(f"{lang}: fuzzy translation for {msgid!r}")
            elif placeholders(str(m.string)) - placeholders(msgid):
                out.append(
                    f"{lang}: the translation of {msgid!r} has placeholders the msgid lacks: "
                    f"{sorted(placeholders(str(m.string)) - placeholders(msgid))}"
                )
        for msgid in sorted(have.keys() - wanted):
            out.append(f"{lang}: msgid no longer in the code (run update): {msgid!r}")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            out.append(f"{lang}: {mo.relative_to(ROOT)} is not compiled from its .po (run compile)")
    return out


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["compile"]:
        compile_all()
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        print("\n".join(found) or "The catalogs are complete and compiled.")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
