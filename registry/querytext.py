"""What the registry needs to know about a query's text before it is evaluated.

pyoxigraph exposes no query algebra, so a small SPARQL lexer (comments, strings and IRIs
skipped, codepoint escapes ``\\uXXXX`` decoded first, as the SPARQL grammar prescribes) finds
the keywords that matter to the protocol:

* ``SERVICE``: federated queries reach out over the network; the public endpoint refuses them
  (the query workers also run without a network, see ``endpoint/executor.py``);
* ``FROM`` / ``FROM NAMED``: the query names its own dataset, so the endpoint must not replace
  the default graph with the union of all graphs.

A keyword is a bare word outside strings, IRIs and comments: ``?service``, ``ex:SERVICE`` and
``"SERVICE"`` do not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.i18n import Msg, msg

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>
        \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n\r]|\\.)*"
      | '(?:[^'\\\n\r]|\\.)*'
    )
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\W]+)
  | (?P<word>(?:[^\W\d]|_)[\w.\-]*(?::[^\s{}()<>,;"'\#]*)?|:[^\s{}()<>,;"'\#]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryText:
    """Facts about one query's text."""

    uses_service: bool
    has_dataset: bool
    #: deepest nesting of ``{ }``, ``( )`` and ``[ ]`` outside strings, IRIs and comments
    depth: int = 0
    #: the outermost ``LIMIT`` (outside every group), or None; when it is at most the row
    #: cap, an answer cannot be truncated and the endpoint serialises it once
    limit: int | None = None


#: Deeper nesting than this is refused before parsing: oxigraph's recursive-descent parser
#: overflows its stack somewhere above 2,000 levels; no real query comes near 200.
MAX_DEPTH = 200


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    try:
        return chr(code)
    except ValueError:
        return match.group(0)


def keywords(query: str) -> set[str]:
    """The bare words of a query (upper-cased), outside strings, IRIs and comments."""
    text = _CODEPOINT.sub(_unescape, query)
    found: set[str] = set()
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word":
            word = m.group("word")
            if ":" not in word:
                found.add(word.upper())
    return found


def inspect(query: str) -> QueryText:
    """Whether ``query`` uses SERVICE and whether it has a FROM / FROM NAMED clause."""
    text = _CODEPOINT.sub(_unescape, query)
    words: set[str] = set()
    depth = deepest = 0
    limit: int | None = None
    digits: str | None = None  # collecting the number after an outermost LIMIT
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if digits is not None:
            ch = m.group(0)
            if kind == "other" and ch.isdigit() and ch.isascii():
                digits += ch
                continue
            if not (kind == "other" and ch.isspace() and not digits):
                limit = int(digits) if digits else None
                digits = None
        if kind == "word":
            word = m.group("word")
            if ":" not in word:
                words.add(word.upper())
                if depth == 0 and word.upper() == "LIMIT":
                    digits = ""
        elif kind == "other":
            ch = m.group("other")
            if ch in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif ch in "})]":
                depth -= 1
    if digits:
        limit = int(digits)
    return QueryText(
        uses_service="SERVICE" in words,
        has_dataset="FROM" in words,
        depth=deepest,
        limit=limit,
    )


def too_deep(depth: int) -> Msg:
    """The message for a query nested deeper than :data:`MAX_DEPTH`."""
    return msg(
        "Spørringen er nøstet {depth} nivåer dypt; høyst {limit} er tillatt. Skriv den "
        "om med færre nøstede grupper.",
        "The query is nested {depth} levels deep; at most {limit} are allowed. Rewrite it "
        "with fewer nested groups.",
        depth=depth,
        limit=MAX_DEPTH,
    )
