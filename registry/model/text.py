"""Texts in several languages as a page shows them: the text in the language asked for, else a
marked fallback (:func:`pick`, the one place that chooses); dates at the precision they have;
literals as words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from registry.i18n import FALLBACKS, N_, Lang, gettext, msg
from registry.model.terms import XSD


@dataclass(frozen=True)
class Text:
    """A text shown on a page: its value, its language tag (None for plain strings) and
    whether it is in another language than the one asked for (a fallback)."""

    value: str
    lang: str | None = None
    fallback: bool = False


def lang_rank(tag: str | None, lang: Lang) -> int:
    """How well a text tagged ``tag`` suits a reader of ``lang`` (0 best, always below 4): the
    reader's language, then the others in the order of :data:`registry.i18n.FALLBACKS`
    (nynorsk → bokmål → English; English → bokmål → nynorsk; bokmål → nynorsk → English), then
    untagged text or any other language. ``no`` (Norwegian) counts as bokmål."""
    t = (tag or "").lower().split("-", 1)[0]
    t = "nb" if t in ("no", "nob") else "nn" if t == "nno" else t
    order = FALLBACKS.get(lang, (lang,))
    return order.index(t) if t in order else 3


def pick(texts: Iterable[tuple[str, str | None]], lang: Lang) -> Text | None:
    """The text in ``lang``; else in the next language of :data:`registry.i18n.FALLBACKS`
    (marked as a fallback, with its tag, so the page can say which language it is in); else a
    plain string; else any. ``texts`` are (value, language tag) pairs."""
    best: tuple[int, int, str, str | None] | None = None
    for value, tag in texts:
        key = (lang_rank(tag, lang), 1 if tag else 0, value, tag)  # plain before other tags
        if best is None or key[:3] < best[:3]:
            best = key
    if best is None:
        return None
    rank, _, value, tag = best
    return Text(value, tag or None, fallback=bool(tag) and rank != 0)


#: month names (msgids), January first
_MONTHS: tuple[str, ...] = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def format_date(value: str, lang: Lang) -> str:
    """A date at the precision it has: ``2019`` → 2019; ``2019-07`` → juli 2019 / July 2019;
    ``2019-07-01`` → 1. juli 2019 / 1 July 2019; a date-time adds the local time as given."""
    v = value.strip()
    try:
        if len(v) == 4 and v.isdigit():
            return v
        year, month = int(v[0:4]), int(v[5:7])
        name = gettext(lang, _MONTHS[month - 1])
        if len(v) == 7:
            return msg("{month} {year}", month=name, year=year).render(lang)
        day = int(v[8:10])
        text = msg("{day} {month} {year}", day=day, month=name, year=year).render(lang)
        if len(v) > 10 and v[10] == "T":
            text = msg("{date}, {time}", date=text, time=v[11:16]).render(lang)
        return text
    except (ValueError, IndexError):
        return value


_DATE_TYPES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear", XSD + "dateTime"}


def literal_text(lit: ox.Literal, lang: Lang) -> Text:
    """How a literal reads on a page (dates at their precision, booleans as words)."""
    dt = lit.datatype.value if lit.datatype else ""
    if lit.language:
        return Text(lit.value, lit.language, fallback=lang_rank(lit.language, lang) != 0)
    if dt in _DATE_TYPES:
        return Text(format_date(lit.value, lang))
    if dt == XSD + "boolean":
        yes = lit.value in ("true", "1")
        return Text(gettext(lang, N_("yes") if yes else N_("no")))
    return Text(lit.value)


def date_key(value: str | None) -> str:
    """A sort key for dates of any precision (missing dates last)."""
    return value if value else "9999"
