"""Reading one cell: text, dates, numbers, yes/no, allowed values, links.

Each reader returns the RDF terms for the cell, or raises :class:`CellError` with a message
(rendered in the reader's language) saying what is wrong and how to fix it. References to other
items (organisations, plans, commitments...) are resolved by the builder, which knows the whole
submission.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime

import pyoxigraph as ox

from loaders.build.dates import DateError, PartialDate, is_date_attempt, parse_date
from loaders.columns import MULTI_SEPARATORS, Column, labels, norm_code
from loaders.read.jsonfile import is_bad_json
from loaders.read.table import BadCell, is_blank
from registry.i18n import Msg, msg

XSD = "http://www.w3.org/2001/XMLSchema#"
OGP_ID = re.compile(r"^NO[0-9]{4}$")
COMMITMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_NUMBER = re.compile(r"^[\d\s.]+$")
_SPACES = re.compile(r"[ \t\u00a0]+")
_INTEGER = re.compile(r"[+-]?\d+")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_URL_SEPARATORS = re.compile(r"[\s;|]+")
_WHITESPACE = re.compile(r"\s+")
_TRUE = {"ja", "j", "yes", "y", "true", "sann", "x", "1"}
_FALSE = {"nei", "n", "no", "false", "usann", "0"}


class CellError(ValueError):
    """A cell value that cannot be used, with what is wrong and how to fix it."""

    def __init__(self, message: Msg, severity: str = "violation") -> None:
        super().__init__(message.render("en"))
        self.message = message
        self.severity = severity


def text_of(value: object) -> str:
    """The cell as trimmed text (numbers without a trailing ``.0``; dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _SPACES.sub(" ", str(value)).strip()


def check_cell(value: object) -> None:
    """Refuse formulas, error values and JSON values of the wrong type."""
    if isinstance(value, BadCell):
        if value.kind == "formula":
            raise CellError(
                msg(
                    "The cell contains a formula ({text}). Paste the values instead (Copy, "
                    "then Paste Special > Values) and send the file again.",
                    text=value.text,
                )
            )
        raise CellError(
            msg(
                "The cell contains the error value {text}. Fix the formula or the reference in "
                "the spreadsheet and paste the values.",
                text=value.text,
            )
        )
    if is_bad_json(value):
        raise CellError(
            msg(
                "The value {text} has the wrong JSON type: use a string, a number, a boolean or "
                "an array of strings.",
                text=str(value),
            )
        )


def split(value: object, column: Column) -> list[str]:
    """The values of a cell (several, separated by ';' or line breaks, where allowed)."""
    if type(value) is str:  # the usual cell: no formula, error or JSON value to refuse
        text = value.strip()
        if not text:
            return []
    else:
        check_cell(value)
        if is_blank(value):
            return []
        text = text_of(value) if not isinstance(value, str) else value.strip()
    if column.spec.multiple:
        if column.spec.kind == "url":  # links hold no spaces: " | " and spaces separate too
            return [p for p in _URL_SEPARATORS.split(text) if p]
        return [p.strip() for p in MULTI_SEPARATORS.split(text) if p.strip()]
    if "  " not in text and "\t" not in text and "\u00a0" not in text:
        return [text]  # already what the substitution below gives
    return [_SPACES.sub(" ", text).strip()]


def literal_text(text: str, lang: str | None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


class NotADate(CellError):  # noqa: N818 - a cell, not a failure of the program
    """A cell with words instead of a date ("Ongoing", "2024/2025"), which a start or end of
    a plan, commitment or milestone keeps as the source's text."""


def read_date(value: object, column: Column) -> tuple[ox.Literal, PartialDate]:
    try:
        d = parse_date(value)
    except DateError:
        # words instead of a date may be kept as the source's text (NotADate); a failed
        # attempt at a date ("31.02.2020") may not
        words = not is_date_attempt(value) and isinstance(value, str)
        raise (NotADate if words else CellError)(
            msg(
                "\"{value}\" is not a date. Write the date as {hint}.",
                value=text_of(value),
                hint=column.format_hint(),
            )
        ) from None
    if d.precision not in column.spec.precisions:
        raise CellError(
            msg(
                "\"{value}\" lacks the day or month: the field needs a full date, e.g. "
                "2019-07-01 or 01.07.2019.",
                value=text_of(value),
            )
        )
    return ox.Literal(d.lexical, datatype=ox.NamedNode(d.datatype)), d


def read_integer(value: object) -> int:
    if isinstance(value, bool):
        raise CellError(msg("Expected a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    t = text_of(value)
    if _INTEGER.fullmatch(t):
        return int(t)
    raise CellError(
        msg(
            "\"{value}\" is not a whole number. Write a whole number, e.g. 1.",
            value=t,
        )
    )


def read_boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    t = text_of(value).casefold()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise CellError(
        msg(
            "\"{value}\" is neither yes nor no. Write \"yes\" or \"no\".",
            value=text_of(value),
        )
    )


def read_url(text: str) -> ox.NamedNode:
    if _URL.fullmatch(text):
        return ox.NamedNode(text)
    raise CellError(
        msg(
            "\"{value}\" is not a link. Write the whole address, starting with https:// or "
            "http://.",
            value=text,
        )
    )


def read_concept(text: str, column: Column) -> ox.NamedNode:
    """The allowed value ``text`` names: bokmål, English or nynorsk label, code or notation,
    case-insensitively (a nynorsk label that is another value's bokmål or English label names
    that value: the templates offer those)."""
    key = norm_code(text)
    iri = _concept_index(column).get(key)
    if iri is not None:
        return ox.NamedNode(iri)
    pool: dict[str, int] = {}
    for i, c in enumerate(column.allowed):
        for n in (c.label_nb, c.label_en, c.label_nn, c.code):
            if n:
                pool.setdefault(norm_code(n), i)
    close: list[int] = []
    for k in difflib.get_close_matches(key, list(pool), 4, 0.6):
        if pool[k] not in close:
            close.append(pool[k])
    close = close[:2]
    allowed = labels(column.allowed, "; ")
    if close:
        raise CellError(
            msg(
                "Unknown value \"{value}\" for \"{header}\". Did you mean: {close}? Allowed "
                "values: {allowed} (name in Norwegian Bokmål, Nynorsk or English, or the code).",
                value=text,
                header=column.heading,
                close=labels([column.allowed[i] for i in close], ", "),
                allowed=allowed,
            )
        )
    raise CellError(
        msg(
            "Unknown value \"{value}\" for \"{header}\". Allowed values: {allowed} (name in "
            "Norwegian Bokmål, Nynorsk or English, or the code).",
            value=text,
            header=column.heading,
            allowed=allowed,
        )
    )


_INDEX: dict[int, dict[str, str]] = {}


def _concept_index(column: Column) -> dict[str, str]:
    """Normalised name (code, IRI, notation, bokmål, English or nynorsk label) → concept IRI."""
    idx = _INDEX.get(id(column))
    if idx is None:
        idx = {}
        for c in column.allowed:
            for n in (c.code, c.iri, c.notation, c.label_nb, c.label_en):
                if n is not None:
                    idx.setdefault(norm_code(n), c.iri)
        for c in column.allowed:  # after every other name: a template's label wins
            if c.label_nn is not None:
                idx.setdefault(norm_code(c.label_nn), c.iri)
        _INDEX[id(column)] = idx
    return idx


def read_ogp_id(text: str) -> str:
    """An OGP id: NO and four digits (spaces and case forgiven)."""
    ident = _WHITESPACE.sub("", text).upper()
    if not OGP_ID.match(ident):
        raise CellError(
            msg(
                "\"{value}\" is not an OGP ID. An OGP ID is NO and four digits, e.g. NO0054. "
                "Leave the cell empty while OGP has not given the commitment one.",
                value=text,
            )
        )
    return ident


def is_ogp_id(text: str) -> bool:
    return bool(OGP_ID.match(_WHITESPACE.sub("", text).upper()))


def read_commitment_id(text: str) -> str:
    """A commitment's registry id: the OGP id, or e.g. the plan's id and a number."""
    ident = text.strip()
    if is_ogp_id(ident):
        return _WHITESPACE.sub("", ident).upper()
    if not COMMITMENT_ID.match(ident):
        raise CellError(
            msg(
                "\"{value}\" cannot be used as a commitment's ID: use letters (a–z), digits, "
                "hyphens, full stops or underscores, at most 100 characters, e.g. NO0054 or "
                "2023-2027-03.",
                value=text,
            )
        )
    return ident


def is_number(text: str) -> bool:
    """Whether ``text`` looks like an organisation number (digits, spaces and dots only)."""
    return bool(_NUMBER.match(text.strip())) and any(ch.isdigit() for ch in text)


def read_identifier(text: str) -> str:
    ident = text.strip()
    if "/" in ident or any(ch.isspace() for ch in ident) or len(ident) > 100:
        raise CellError(
            msg(
                "\"{value}\" cannot be used as an identifier: use at most 100 characters "
                "without spaces and \"/\", e.g. 2018-tin-01.",
                value=text,
            )
        )
    return ident


def required_missing(column: Column) -> CellError:
    """The error of an empty cell in a required column: the column and what to write in it
    (in the words of the spreadsheet, not the shapes' RDF)."""
    return CellError(
        msg(
            "\"{header}\" is required, but the cell is empty. Fill in {hint}.",
            header=column.heading,
            hint=column.format_hint(),
        )
    )
