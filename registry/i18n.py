"""Messages in the reader's language, from standard gettext message catalogs.

Every text a person reads — command-line output, the endpoint's JSON errors, validation
reports, the pages — is written in the code in English, as the gettext ``msgid``, and
translated through the catalogs in ``registry/locale/<lang>/LC_MESSAGES/messages.po``
(compiled to ``messages.mo`` beside them; ``scripts/catalogs.py`` extracts, updates and
compiles them with Babel; CONTRIBUTING.md says how). Bokmål (``nb``) is the default language;
nynorsk (``nn``) is the other written Norwegian; English (``en``) is the source language.

* :func:`msg` makes a :class:`Msg`: a msgid and its ``{name}`` parameters, translated when it is
  rendered, so one message object serves every language (a CLI run in English, a JSON error in
  bokmål). A parameter that is itself a :class:`Msg` is rendered in the same language.
* :meth:`Msg.texts` wraps text that already exists in several languages and is not the code's
  to translate (SHACL messages from the shapes, titles from the data).
* :func:`msg_n` makes a :class:`Msg` whose words depend on a number ("1 advarsel", "2
  advarsler"): a singular and a plural msgid, translated with ``ngettext`` (the catalogs carry
  each language's plural forms).
* :func:`N_` marks a string for extraction without translating it (tables of page words).
* :func:`gettext` translates a msgid now.
* :func:`shown` makes text from outside (a value, a file name, a title) safe to show in a
  terminal: control characters and bidirectional overrides become visible ``\\u001B``
  escapes. Every parameter of a :class:`Msg` goes through it, so no message carries a
  terminal escape sequence from a submitted file (docs/security.md, "Hostile files").
"""

from __future__ import annotations

import functools
import gettext as _gettext
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Literal, Protocol

Lang = Literal["nb", "nn", "en"]
LANGS: tuple[Lang, ...] = ("nb", "nn", "en")
DEFAULT_LANG: Lang = "nb"
#: the language the msgids are written in
SOURCE_LANG: Lang = "en"
DOMAIN = "messages"
#: For a reader of each language, the languages to show a text from the data in, best first
#: (the one place that says so: titles and labels on the pages, texts given per language).
FALLBACKS: dict[Lang, tuple[Lang, ...]] = {
    "nb": ("nb", "nn", "en"),
    "nn": ("nn", "nb", "en"),
    "en": ("en", "nb", "nn"),
}

_ALIASES: dict[str, Lang] = {
    **dict.fromkeys(("en", "eng", "en-gb", "en-us", "english"), "en"),
    **dict.fromkeys(("nb", "no", "nob", "nb-no", "no-nb", "norsk", "bokmål", "bokmal"), "nb"),
    **dict.fromkeys(("nn", "nno", "nn-no", "no-nn", "nynorsk"), "nn"),
}


def as_lang(value: str | None) -> Lang:
    """Normalise a language code (``nb``, ``no``, ``nob``, ``nn``, ``nn-NO``, ``en``...) to
    ``nb``, ``nn`` or ``en``."""
    if value is None:
        return DEFAULT_LANG
    found = _ALIASES.get(value.strip().lower().replace("_", "-"))
    if found is None:
        raise ValueError(f"unsupported language {value!r}: use 'nb', 'nn' or 'en'")
    return found


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``lang`` (read once per process). A msgid the nynorsk catalog
    does not translate yet is shown in bokmål, not in English."""
    path = files("registry").joinpath("locale", lang, "LC_MESSAGES", DOMAIN + ".mo")
    try:
        with path.open("rb") as fh:
            found: _gettext.NullTranslations = _gettext.GNUTranslations(fh)
    except FileNotFoundError:
        found = _gettext.NullTranslations()
    if lang == "nn":
        found.add_fallback(translations(DEFAULT_LANG))
    return found


def gettext(lang: str, msgid: str) -> str:
    """``msgid`` translated into ``lang`` (the msgid itself where the catalog has none)."""
    return translations(lang).gettext(msgid)


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``msgid`` for extraction; translate it later with :func:`gettext`."""
    return msgid


#: What a terminal would act on rather than show: C0 controls but tab and line feed, DEL, C1
#: controls (``\x9b`` is an 8-bit CSI) and the bidirectional embeddings, overrides and isolates
#: ("Trojan Source"); with ``one_line`` the line feed and tab too.
_UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSHOWN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04X}"


def shown(text: str, *, one_line: bool = False) -> str:
    """``text`` with every character a terminal would act on (an escape sequence, a bell, a
    carriage return, a bidirectional override) written as ``\\u001B``; with ``one_line`` also
    line feeds and tabs (a table cell). Text without them is returned as it is."""
    pattern = _UNSHOWN_LINE if one_line else _UNSHOWN
    return pattern.sub(_escape, text) if pattern.search(text) else text


def _param(value: object, lang: Lang) -> object:
    if isinstance(value, (Msg, Lines)):
        return shown(value.render(lang))
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        return shown(path) if isinstance(path, str) else value
    return value


@dataclass(frozen=True)
class Msg:
    """A message: a msgid (English) with ``{name}`` placeholders filled from ``params`` when it
    is rendered in a language; or, from :meth:`texts`, text given in each language."""

    msgid: str
    params: dict[str, object] = field(default_factory=dict)
    #: text per language, not from the catalogs (see :meth:`texts`)
    given: dict[str, str] | None = None
    #: the plural msgid and the number that chooses the form (see :func:`msg_n`)
    plural: str | None = None
    count: int = 0

    @classmethod
    def texts(cls, **by_lang: str) -> Msg:
        """Text that exists in several languages already (``nb=…, en=…``), shown as given;
        a language it lacks falls back as :data:`FALLBACKS` says (nynorsk to bokmål)."""
        return cls(by_lang.get(SOURCE_LANG) or next(iter(by_lang.values()), ""), {}, by_lang)

    def render(self, lang: Lang = DEFAULT_LANG) -> str:
        if self.given is not None:
            order = (*FALLBACKS.get(lang, (lang,)), DEFAULT_LANG, SOURCE_LANG)
            found = (self.given.get(x) for x in order)
            return next((x for x in found if x), self.msgid)
        if self.plural is not None:
            template = translations(lang).ngettext(self.msgid, self.plural, self.count)
        else:
            template = gettext(lang, self.msgid)
        if not self.params:
            return template
        # text from outside cannot bring terminal escapes into a message (see :func:`shown`)
        params = {k: _param(v, lang) for k, v in self.params.items()}
        return template.format(**params)

    @property
    def nb(self) -> str:
        return self.render("nb")

    @property
    def nn(self) -> str:
        return self.render("nn")

    @property
    def en(self) -> str:
        return self.render("en")

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)


class Rendered(Protocol):
    """Anything that renders itself in a language (a :class:`Msg`, a registry error)."""

    def render(self, lang: Lang = DEFAULT_LANG) -> str: ...


@dataclass(frozen=True)
class Lines:
    """A message parameter: several messages, one per line (or joined by ``sep``: ``"; "``
    for a list in a sentence), in the reader's language."""

    items: Sequence[Rendered]
    sep: str = "\n"

    def render(self, lang: Lang = DEFAULT_LANG) -> str:
        return self.sep.join(item.render(lang) for item in self.items)


def msg_n(singular: str, plural: str, n: int, **params: object) -> Msg:
    """A message whose words depend on the number ``n`` (``{n}`` in the texts): ``singular``
    and ``plural`` are the English msgids; each language's catalog has its own plural forms."""
    return Msg(singular, {"n": n, **params}, plural=plural, count=n)


def msg(msgid: str, **params: object) -> Msg:
    """A message to translate: ``msgid`` is the English text, ``params`` fill its ``{name}``
    placeholders (rendered in the reader's language when a parameter is a :class:`Msg`)."""
    return Msg(msgid, dict(params))
