"""Bilingual messages: bokmål (``nb``) by default, English (``en``) on request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["nb", "en"]
LANGS: tuple[Lang, ...] = ("nb", "en")
DEFAULT_LANG: Lang = "nb"


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


@dataclass(frozen=True)
class Msg:
    """A message in bokmål and English, with ``{name}`` placeholders filled from ``params``."""

    nb: str
    en: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self, lang: Lang = DEFAULT_LANG) -> str:
        template = self.en if lang == "en" else self.nb
        return template.format(**self.params) if self.params else template

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)


def msg(nb: str, en: str, **params: object) -> Msg:
    """Shorthand for :class:`Msg`."""
    return Msg(nb, en, dict(params))
