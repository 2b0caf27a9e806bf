"""Messages in the reader's language, from standard gettext message catalogs.

Every text a person reads — command-line output, the endpoint's JSON errors, validation
reports, the pages — is written in the code in English, as the gettext ``msgid``, and
translated through the catalogs in ``registry/locale/<lang>/LC_MESSAGES/messages.po``
(compiled to ``messages.mo`` beside them; ``scripts/catalogs.py`` extracts, updates and
compiles them with Babel; CONTRIBUTING.md says how). Bokmål (``nb``) is the default language;
English (``en``) is the source language; a further catalog (nynorsk, ``nn``) is a folder there.

* :func:`msg` makes a :class:`Msg`: a msgid and its ``{name}`` parameters, translated when it is
  rendered, so one message object serves every language (a CLI run in English, a JSON error in
  bokmål). A parameter that is itself a :class:`Msg` is rendered in the same language.
* :meth:`Msg.texts` wraps text that already exists in several languages and is not the code's
  to translate (SHACL messages from the shapes, titles from the data).
* :func:`N_` marks a string for extraction without translating it (tables of page words).
* :func:`gettext` translates a msgid now.
"""

from __future__ import annotations

import functools
import gettext as _gettext
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Literal, Protocol

Lang = Literal["nb", "en"]
LANGS: tuple[Lang, ...] = ("nb", "en")
DEFAULT_LANG: Lang = "nb"
#: the language the msgids are written in
SOURCE_LANG: Lang = "en"
DOMAIN = "messages"


def as_lang(value: str | None) -> Lang:
    """Normalise a language code (``nb``, ``no``, ``nob``, ``en``...) to ``nb`` or ``en``."""
    if value is None:
        return DEFAULT_LANG
    v = value.strip().lower()
    if v in ("en", "eng", "en-gb", "en-us"):
        return "en"
    if v in ("nb", "no", "nob", "nb-no", "no-nb", "norsk", "bokmål", "bokmal"):
        return "nb"
    raise ValueError(f"unsupported language {value!r}: use 'nb' or 'en'")


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``lang`` (read once per process)."""
    path = files("registry").joinpath("locale", lang, "LC_MESSAGES", DOMAIN + ".mo")
    try:
        with path.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    except FileNotFoundError:
        return _gettext.NullTranslations()


def gettext(lang: str, msgid: str) -> str:
    """``msgid`` translated into ``lang`` (the msgid itself where the catalog has none)."""
    return translations(lang).gettext(msgid)


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``msgid`` for extraction; translate it later with :func:`gettext`."""
    return msgid


@dataclass(frozen=True)
class Msg:
    """A message: a msgid (English) with ``{name}`` placeholders filled from ``params`` when it
    is rendered in a language; or, from :meth:`texts`, text given in each language."""

    msgid: str
    params: dict[str, object] = field(default_factory=dict)
    #: text per language, not from the catalogs (see :meth:`texts`)
    given: dict[str, str] | None = None

    @classmethod
    def texts(cls, **by_lang: str) -> Msg:
        """Text that exists in several languages already (``nb=…, en=…``), shown as given;
        a language it lacks falls back to bokmål, then English."""
        return cls(by_lang.get(SOURCE_LANG) or next(iter(by_lang.values()), ""), {}, by_lang)

    def render(self, lang: Lang = DEFAULT_LANG) -> str:
        if self.given is not None:
            return (
                self.given.get(lang)
                or self.given.get(DEFAULT_LANG)
                or self.given.get(SOURCE_LANG)
                or self.msgid
            )
        template = gettext(lang, self.msgid)
        if not self.params:
            return template
        params = {
            k: (v.render(lang) if isinstance(v, (Msg, Lines)) else v)
            for k, v in self.params.items()
        }
        return template.format(**params)

    @property
    def nb(self) -> str:
        return self.render("nb")

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


def msg(msgid: str, **params: object) -> Msg:
    """A message to translate: ``msgid`` is the English text, ``params`` fill its ``{name}``
    placeholders (rendered in the reader's language when a parameter is a :class:`Msg`)."""
    return Msg(msgid, dict(params))
