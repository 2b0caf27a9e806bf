"""SERVICE refused on what the query means, not on how its text looks (issue 15).

A federated query (``SERVICE``) makes the engine open connections wherever the client says; the
registry refuses it on every engine, in every part of a query (sub-queries, ``FILTER EXISTS``,
``OPTIONAL``, ``MINUS``, ``UNION``, ``GRAPH``, expressions), with ``400 service-not-allowed``.
:func:`verdict` decides; :func:`refuse_service` raises.

How, and why it is sound:

1. **Cheap test first.** The text is decoded as a SPARQL parser may decode it: codepoint escapes
   ``\\uXXXX`` / ``\\UXXXXXXXX``, every one of them and again until nothing changes (a superset
   of what any engine decodes: oxigraph 0.5 decodes them inside strings and IRIs only, the
   grammar says everywhere before parsing, nobody twice), for at most :data:`MAX_DECODE_ROUNDS`
   rounds: a text still decoding after those is refused whatever it says (each round is linear;
   an unbounded number would be quadratic in the text's length). ``SERVICE`` is a keyword of
   ASCII letters, matched case-insensitively, so an engine that sees it sees the letters
   ``service`` in its text. Those letters survive decoding: they cannot overlap an escape
   sequence (``s``, ``r``, ``v`` and ``i`` are not hexadecimal digits and the word has no ``\\``
   or ``u``), so decoding keeps every occurrence and only adds new ones. Hence: **no ``service``
   (any case) in the decoded text, no SERVICE for any engine** — and no parse. The example
   queries and almost every real query stop here (a few microseconds per kilobyte).
2. A text that mentions ``service`` **and** contains escape sequences is refused: engines decode
   escapes at different stages (oxigraph only inside strings and IRIs, rdflib everywhere, with
   its own rules), so a parse by one tells nothing certain about the other — e.g.
   ``BIND("\\u0022" AS ?x) SERVICE <…> {…}`` followed by a comment that opens a long string is
   a SERVICE to oxigraph and a string to rdflib. Writing the characters themselves avoids it.
3. The lexer of ``registry/sparql/lexer.py`` (terminals of the SPARQL grammar, exact character
   classes, escapes in prefixed names) looks at every word outside strings, IRIs, comments and
   variables: ``SERVICE`` anywhere in a bare word, or in the prefix of a prefixed name, is
   refused — oxigraph matches keywords without a word boundary (``trueSERVICE <…> {…}``,
   ``SERVICEa: {…}`` are SERVICE calls to it).
4. Otherwise the query is parsed by a real SPARQL parser (rdflib's), and refused if its syntax
   tree holds a ``ServiceGraphPattern`` anywhere, or if it cannot be parsed (rdflib's grammar
   lags oxigraph's, e.g. for SPARQL 1.2 syntax: what cannot be checked does not run), or if it
   is longer than :data:`MAX_CHECKED_TOKENS` tokens (rdflib's parser is slow and recursive: a
   typical query takes 3-10 ms, the worst shapes measured about a millisecond per token, e.g.
   ``1+1+…``; it runs in the request thread, so parses run one at a time).

Updates are checked the same way for ``SERVICE`` and ``LOAD`` (the letters ``load`` cannot
overlap an escape either: ``l`` and ``o`` are not hexadecimal digits).

Virtuoso's built-in functions (``bif:http_get`` fetches a URL for an anonymous query) are
refused on every engine when ``bif:`` or ``sql:`` starts a word of the decoded text.

So a query runs only if the text has no ``service`` at all, or neither an exact lexer nor a
real parser finds one as a keyword: to get through, a disguise would have to fool two
independent readings the same way while oxigraph reads it a third. The query workers' network
namespace (``endpoint/sparql/worker.py``) stays as a second layer where the kernel allows it.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from registry.errors import QueryError
from registry.i18n import Msg, msg
from registry.sparql.lexer import CODEPOINT, TOKEN, unescape

#: Longest text (in tokens of the lexer) that is parsed to look for SERVICE; a longer text that
#: mentions ``service`` is refused. No real query that mentions the word comes near it.
MAX_CHECKED_TOKENS = 1000

#: Virtuoso's built-in functions and stored procedures, callable from SPARQL as ``bif:…`` and
#: ``sql:…`` (its predefined prefixes, or IRIs of those schemes): ``bif:http_get``,
#: ``bif:http_client`` fetch URLs for an anonymous query. An IRI of either scheme starts with
#: these letters in the text (an IRI ``<bif:…>``, a prefix declared as ``<bif:>``, the predefined
#: prefix); Virtuoso allows no colon in a local name, so ``<b>`` + ``if:…`` is a syntax error.
_BUILTIN = re.compile(r"(?<![\w.\-%])(?:bif|sql):", re.IGNORECASE)
_PARSE_LOCK = threading.Lock()


class ServiceNotAllowed(QueryError):
    """The query uses SERVICE (a federated query), or mentions the word in a way that cannot
    be checked; refused before any engine sees it."""

    code = "service-not-allowed"


class BuiltinNotAllowed(QueryError):
    """The query calls one of Virtuoso's built-in functions or procedures (``bif:``,
    ``sql:``), some of which fetch URLs; refused on every engine."""

    code = "function-not-allowed"


class EscapesNotAllowed(QueryError):
    """The query's escape sequences decode into escape sequences, level after level: refused
    unread (:data:`MAX_DECODE_ROUNDS`)."""

    code = "nested-escapes"


@dataclass(frozen=True)
class Verdict:
    """Whether a query may run as far as SERVICE is concerned."""

    #: None: allowed; else why not: "service", "escapes", "too-long", "unparsable",
    #: "builtin" (a ``bif:``/``sql:`` function) or "nested-escapes" (escapes that decode into
    #: escapes, more than :data:`MAX_DECODE_ROUNDS` deep)
    refused: str | None = None
    #: the parser's message for "unparsable"
    detail: str = ""

    @property
    def allowed(self) -> bool:
        return self.refused is None


ALLOWED = Verdict()


#: Most rounds of decoding a text gets. No engine decodes twice; a text whose escapes still
#: decode into escapes after this many rounds (``\\u005Cu005C…u0041``) is refused as it stands
#: (:func:`verdict`: "nested-escapes"): decoding it to the end would cost a round per level,
#: quadratic in its length (a 2 MB text: minutes of the request thread's time).
MAX_DECODE_ROUNDS = 3


def decode(query: str) -> str:
    """``query`` with every codepoint escape decoded, repeatedly until none is left that
    decodes, or :data:`MAX_DECODE_ROUNDS` rounds (see the module docstring, 1)."""
    return _decode(query)[0]


def _decode(query: str) -> tuple[str, bool]:
    """:func:`decode`, and whether it got to the end (no escape left that decodes)."""
    text = query
    for _ in range(MAX_DECODE_ROUNDS):
        if "\\u" not in text and "\\U" not in text:
            return text, True
        decoded = CODEPOINT.sub(unescape, text)
        if decoded == text:
            return text, True
        text = decoded
    return text, CODEPOINT.search(text) is None


def mentions_service(query: str) -> bool:
    """Whether the decoded text contains the letters ``service`` in any case (if not, no
    engine can read a SERVICE keyword in it)."""
    return "service" in decode(query).lower()


def _lexer_finds_service(text: str, keywords: tuple[str, ...]) -> tuple[bool, int]:
    """Whether a word of ``text`` (outside strings, IRIs, comments and variables) holds one of
    ``keywords`` (SERVICE; for updates LOAD too) as oxigraph may read it, and the number of
    tokens (spaces aside)."""
    tokens = 0
    found = False
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "other":
            if not m.group(0).isspace():
                tokens += 1
            continue
        tokens += 1
        if kind != "word" or found:
            continue
        word = m.group(0)
        if word.startswith("_:"):
            continue  # a blank node label
        head = word.split(":", 1)[0].upper()  # a bare word, or a prefixed name's prefix
        if any(k in head for k in keywords):
            found = True
    return found, tokens


def _walk(node: Any, sequences: tuple[type, ...]) -> Iterable[Any]:
    """Every node of rdflib's parse tree (CompValue dicts and ``sequences``), without
    recursion."""
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(dict.values(item))  # a CompValue's own values() resolves variables
        elif isinstance(item, sequences):
            stack.extend(cast(Iterable[Any], item))


def _parse_finds_service(text: str, update: bool) -> bool:
    """Whether rdflib's SPARQL parser finds a SERVICE pattern (or, in an update, a LOAD) in
    ``text`` (raises what the parser raises for a text it cannot read)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    with _PARSE_LOCK:
        tree = parseUpdate(text) if update else parseQuery(text)
    return any(
        isinstance(n, CompValue) and n.name in ("ServiceGraphPattern", "Load")
        for n in _walk(tree, (list, tuple, ParseResults))
    )


@functools.lru_cache(maxsize=4096)
def verdict(query: str, update: bool = False) -> Verdict:
    """Whether ``query`` may run (see the module docstring); an ``update`` must not ``LOAD``
    either (the same steps with the word ``load``). Remembered for the last 4,096 texts."""
    text, complete = _decode(query)
    if not complete:
        return Verdict("nested-escapes")
    low = text.lower()  # ASCII letters in any case match; other characters only add matches
    if ("bif:" in low or "sql:" in low) and _BUILTIN.search(text) is not None:
        return Verdict("builtin")
    if "service" not in low and not (update and "load" in low):
        return ALLOWED
    found, tokens = _lexer_finds_service(text, ("SERVICE", "LOAD") if update else ("SERVICE",))
    if found:
        return Verdict("service")
    if text != query:
        return Verdict("escapes")
    if tokens > MAX_CHECKED_TOKENS:
        return Verdict("too-long")
    try:
        uses = _parse_finds_service(text, update)
    except Exception as exc:  # noqa: BLE001 - pyparsing, RecursionError, ValueError alike
        first = str(exc).strip().splitlines()
        return Verdict("unparsable", (first[0] if first else type(exc).__name__)[:200])
    return Verdict("service") if uses else ALLOWED


def message(found: Verdict, update: bool = False) -> Msg:
    """What a refused query (or ``update``) is told, in bokmål and English."""
    if update:
        word = msg("\"service\" or \"load\"")
        what = msg("SERVICE and LOAD (the server fetches nothing from outside)")
        subject, kind = msg("The update"), msg("the update")
    else:
        word = msg("\"service\"")
        what = msg("SERVICE (federated queries are not allowed)")
        subject, kind = msg("The query"), msg("the query")
    if found.refused == "nested-escapes":
        return msg(
            "{subject} has \\u escape sequences that decode into further escape sequences "
            "more than {rounds} levels deep (such as \\u005Cu005C…), which no SPARQL engine "
            "reads that way; it is refused without being read further. Write the characters "
            "themselves.",
            subject=subject,
            rounds=MAX_DECODE_ROUNDS,
        )
    if found.refused == "builtin":
        return msg(
            "Virtuoso's built-in functions and procedures (bif:…, sql:…) are not allowed: some "
            "of them fetch data over the network. Use SPARQL's own functions. (The text bif: or "
            "sql: in a string is refused too; split the string, e.g. CONCAT(\"sql\", \":\").)",
        )
    rephrase = msg(
        "rephrase {kind} so that the word does not occur in it (rename a variable or a "
        "prefix; split a string, e.g. CONCAT(\"serv\", \"ice\")).",
        kind=kind,
    )
    params: dict[str, object] = {
        "subject": subject, "word": word, "what": what, "rephrase": rephrase,
        "limit": MAX_CHECKED_TOKENS,
    }
    if found.refused == "escapes":
        return msg(
            "{subject} contains the word {word} and \\u escape sequences, so it cannot "
            "be checked for {what}. Write the characters themselves instead of \\u…, or "
            "{rephrase}",
            **params,
        )
    if found.refused == "too-long":
        return msg(
            "{subject} contains the word {word} and is too long (over {limit} tokens) "
            "to be checked for {what}. Split it, or {rephrase}",
            **params,
        )
    if found.refused == "unparsable":
        return msg(
            "{subject} contains the word {word}, but the check that rules out "
            "{what} could not read it: {detail}. That may be a syntax error, or syntax the "
            "check does not know (such as SPARQL 1.2). Correct it, or {rephrase}",
            detail=found.detail,
            **params,
        )
    if update:
        return msg(
            "SERVICE and LOAD are not allowed in updates: the server fetches nothing from "
            "outside. Send the data with PUT to /graph-store (ogpreg load --remote).",
        )
    return msg(
        "SERVICE is not allowed: a federated query to another endpoint would make the registry "
        "fetch over the network while it answers. Fetch the data from the other endpoint "
        "yourself and combine it locally.",
    )


def refusal(query: str, update: bool = False) -> QueryError | None:
    """The error for ``query`` (an ``update``) if it must not run, else None."""
    found = verdict(query, update)
    if found.allowed:
        return None
    if found.refused == "nested-escapes":
        return EscapesNotAllowed(message(found, update))
    if found.refused == "builtin":
        return BuiltinNotAllowed(message(found, update))
    return ServiceNotAllowed(message(found, update))


def refuse_service(query: str, update: bool = False) -> None:
    """Raise :class:`ServiceNotAllowed` if ``query`` uses SERVICE (an ``update``: or LOAD), or
    cannot be checked; :class:`BuiltinNotAllowed` if it calls a ``bif:``/``sql:`` function."""
    error = refusal(query, update)
    if error is not None:
        raise error
