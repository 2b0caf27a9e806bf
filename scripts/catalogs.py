"""The message catalogs: extract the msgids from the code, update the catalogs, compile them.

    python scripts/catalogs.py update     # messages.pot from the code; new msgids into every .po
    python scripts/catalogs.py compile    # every .po into its .mo (the registry reads the .mo)
    python scripts/catalogs.py check      # exit 1 if a catalog lacks a translation, has a
                                          # placeholder the msgid lacks, or its .mo is stale
    python scripts/catalogs.py check --strict   # also exit 1 for a msgid without nynorsk
    python scripts/catalogs.py missing nn       # the msgids nynorsk lacks, as JSON to fill in
    python scripts/catalogs.py merge FILE.json  # translations into the catalogs, then compile

The msgids are the English texts in the code (registry/i18n.py explains how messages are
written): the first argument of ``msg()``, strings marked with ``N_()``, and the text argument
of the few helpers that wrap ``msg()`` (``KEYWORDS`` below). Catalogs live in
``registry/locale/<lang>/LC_MESSAGES/messages.po``; English is the source language, so its
catalog maps each msgid to itself (an editor may improve the English there). Needs Babel (the
``dev`` and ``test`` extras).

Nynorsk (``nn``) is checked like bokmål, except that a msgid still without a nynorsk
translation is a warning, not a failure, unless ``--strict`` (tests/test_nynorsk.py is
strict): several people add msgids at once, and the registry shows such a msgid in bokmål on a
nynorsk page until it is translated (registry/i18n.py). Translations come in through ``merge``
(a JSON file ``{"msgid": {"nb": "…", "nn": "…"}}``, after ``update`` has added the msgids) or
are written in ``registry/locale/<lang>/LC_MESSAGES/messages.po``.
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
LANGS = ("nb", "nn", "en")
SOURCE_LANG = "en"
#: languages whose missing translations are warnings unless --strict (see above)
LENIENT = ("nn",)
#: functions whose argument (1-based position) is a msgid
KEYWORDS: dict[str, tuple[int, ...]] = {
    "msg": (1,),
    "msg_n": (1, 2),  # registry/i18n.py: singular and plural msgids
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
            if isinstance(message, tuple):  # msg_n: (singular, plural), a plural message
                message = message if len(message) == 2 and all(message) else message[0]
            if not message:
                continue
            text = " ".join(message) if isinstance(message, tuple) else message
            template.add(
                message,
                locations=[(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                flags=("python-brace-format",) if _PLACEHOLDER.search(text) else (),
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
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and lang == SOURCE_LANG and not all(forms):
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


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    """The ``{name}`` placeholders of a msgid or translation (of all forms of a plural one)."""
    texts = text if isinstance(text, tuple) else (text,)
    return {p for t in texts for p in _PLACEHOLDER.findall(t)}


def untranslated(lang: str) -> list[str | tuple[str, ...]]:
    """The msgids of the code that the catalog of ``lang`` does not translate (yet)."""
    have = {m.id: m for m in read(lang) if m.id}
    out: list[str | tuple[str, ...]] = []
    for m in extract():
        if not m.id:
            continue
        found = have.get(m.id)
        forms = (
            ()
            if found is None
            else (found.string if isinstance(found.string, tuple) else (found.string,))
        )
        if found is None or not forms or not all(forms) or found.fuzzy:
            out.append(m.id if isinstance(m.id, str) else tuple(m.id))
    return out


def problems(strict: bool = False) -> list[str]:
    """What is wrong with the catalogs, as lines (empty: all is well). With ``strict=False`` a
    missing translation in a :data:`LENIENT` language is left to :func:`warnings`."""
    out: list[str] = []
    template = extract()
    wanted = {m.id for m in template if m.id}
    for lang in LANGS:
        catalog = read(lang)
        have = {m.id: m for m in catalog if m.id}
        for msgid in sorted(wanted - have.keys(), key=str):
            out.append(f"{lang}: msgid missing from the catalog (run update): {msgid!r}")
        for msgid in sorted(wanted & have.keys(), key=str):
            m = have[msgid]
            forms = m.string if isinstance(m.string, tuple) else (m.string,)
            if not all(forms):
                if strict or lang not in LENIENT:
                    out.append(f"{lang}: no translation for {msgid!r}")
            elif m.fuzzy:
                out.append(f"{lang}: fuzzy translation for {msgid!r}")
            elif placeholders(m.string) - placeholders(msgid):
                out.append(
                    f"{lang}: the translation of {msgid!r} has placeholders the msgid lacks: "
                    f"{sorted(placeholders(m.string) - placeholders(msgid))}"
                )
        for msgid in sorted(have.keys() - wanted, key=str):
            out.append(f"{lang}: msgid no longer in the code (run update): {msgid!r}")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            out.append(f"{lang}: {mo.relative_to(ROOT)} is not compiled from its .po (run compile)")
    return out


def warnings() -> list[str]:
    """The msgids without a translation in a :data:`LENIENT` language, as lines."""
    return [
        f"{lang}: no translation yet for {msgid!r} (shown in bokmål until there is one)"
        for lang in LENIENT
        for msgid in untranslated(lang)
    ]


def merge(pairs: dict[str, dict[str, str | list[str]]]) -> list[str]:
    """Write the translations of ``pairs`` (msgid -> language -> text; for a plural message
    its singular msgid -> language -> the list of forms) into the catalogs and compile them;
    the problems found instead (nothing is written then): a
    msgid the catalog lacks (run ``update`` first), a language that is not one of
    :data:`LANGS`, a placeholder the msgid lacks."""
    catalogs = {lang: read(lang) for lang in LANGS}
    found: list[str] = []
    for msgid, texts in pairs.items():
        for lang, text in texts.items():
            catalog = catalogs.get(lang)
            if catalog is None:
                found.append(f"{msgid!r}: unknown language {lang!r} (one of {', '.join(LANGS)})")
            elif catalog.get(msgid) is None:
                found.append(f"{lang}: {msgid!r} is not in the catalog (run update first)")
            elif isinstance(text, list) != isinstance(catalog.get(msgid).id, tuple):
                found.append(f"{lang}: {msgid!r}: give a list of forms for a plural message, "
                             "and a text for any other")
            elif extra := placeholders(
                tuple(text) if isinstance(text, list) else text
            ) - placeholders(catalog.get(msgid).id):
                found.append(f"{lang}: {msgid!r}: placeholders the msgid lacks: {sorted(extra)}")
            else:
                message = catalog.get(msgid)
                message.string = tuple(text) if isinstance(text, list) else text
                message.flags.discard("fuzzy")
    if not found:
        for lang, catalog in catalogs.items():
            write(catalog, po_path(lang))
        compile_all()
    return found


def main(argv: list[str]) -> int:
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["compile"]:
        compile_all()
        return 0
    if argv[1:] in (["check"], ["check", "--strict"]):
        strict = argv[2:] == ["--strict"]
        found = problems(strict=strict)
        warned = [] if strict else warnings()
        if warned:
            print("warning: " + "\nwarning: ".join(warned), file=sys.stderr)
            print(
                f"warning: {len(warned)} msgid(s) lack nynorsk: write them to a JSON file as "
                '{"msgid": {"nn": "…"}} and run python scripts/catalogs.py merge FILE.json',
                file=sys.stderr,
            )
        print("\n".join(found) or "The catalogs are complete and compiled.")
        return 1 if found else 0
    if len(argv) == 3 and argv[1] == "merge":
        import json

        found = merge(json.loads(Path(argv[2]).read_text("utf-8")))
        print("\n".join(found) or "Merged and compiled.")
        return 1 if found else 0
    if len(argv) == 3 and argv[1] == "missing" and argv[2] in LANGS:
        import json

        gaps = untranslated(argv[2])
        print(
            json.dumps(
                {(m if isinstance(m, str) else m[0]): "" for m in gaps},
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
