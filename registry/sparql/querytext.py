"""What the registry needs to know about a query's text before it is evaluated.

pyoxigraph exposes no query algebra, so a small SPARQL lexer (``registry/sparql/lexer.py``:
comments, strings and IRIs skipped, codepoint escapes ``\\uXXXX`` decoded first, as the SPARQL
grammar prescribes) finds the keywords that matter to the protocol:

* ``SERVICE``: federated queries reach out over the network; every query path refuses them
  (:attr:`QueryText.uses_service`). That is decided on a real parser's reading of the query, not
  on these tokens: see ``registry/sparql/queryguard.py`` (the query workers also run without a
  network where the kernel allows it, see ``endpoint/sparql/executor.py``);
* ``FROM`` / ``FROM NAMED``: the query names its own dataset, so the endpoint must not replace
  the default graph with the union of all graphs; :func:`dataset` reads the graphs it names
  (prefixed names and relative IRIs resolved) and gives the text without those clauses, for
  an engine that must be told the dataset another way (Virtuoso, ``registry/store/engines``).

A keyword is a bare word outside strings, IRIs and comments: ``?service``, ``ex:SERVICE`` and
``"SERVICE"`` do not count. Prefixed names, variables and blank node labels are read with the
grammar's own character classes and escapes (``ex:a\\'`` is one name, not a name and the start
of a string), so that each token ends where a SPARQL parser ends it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from registry.errors import QueryError
from registry.i18n import Msg, msg
from registry.sparql.lexer import CODEPOINT, TOKEN, unescape
from registry.sparql.queryguard import refuse_service, verdict

#: The lexer's token pattern under its former name, which registry/store/remote/query.py
#: imports; it lives in registry/sparql/lexer.py.


@dataclass(frozen=True)
class QueryText:
    """Facts about one query's text."""

    has_dataset: bool
    #: deepest nesting of ``{ }``, ``( )`` and ``[ ]`` outside strings, IRIs and comments
    depth: int = 0
    #: the outermost ``LIMIT`` (outside every group), or None; when it is at most the row
    #: cap, an answer cannot be truncated and the endpoint serialises it once
    limit: int | None = None
    text: str = field(default="", repr=False)

    @property
    def uses_service(self) -> bool:
        """Whether the query must be refused for SERVICE: it uses SERVICE, or mentions the
        word in a way that cannot be checked (``registry/sparql/queryguard.py``, which decides on
        rdflib's parse; only texts that contain the letters ``service`` are parsed)."""
        return not verdict(self.text).allowed


#: Deeper nesting than this is refused before parsing: oxigraph's recursive-descent parser
#: overflows its stack somewhere above 2,000 levels; no real query comes near 200.
MAX_DEPTH = 200


def keywords(query: str) -> set[str]:
    """The bare words of a query (upper-cased), outside strings, IRIs and comments."""
    text = CODEPOINT.sub(unescape, query)
    found: set[str] = set()
    for m in TOKEN.finditer(text):
        if m.lastgroup == "word":
            word = m.group("word")
            if ":" not in word:
                found.add(word.upper())
    return found


@functools.lru_cache(maxsize=4096)
def inspect(query: str) -> QueryText:
    """Whether ``query`` uses SERVICE and whether it has a FROM / FROM NAMED clause (and its
    nesting depth and outermost LIMIT). Remembered for the last 4,096 texts: the endpoint asks
    for the same text's facts more than once per request."""
    text = CODEPOINT.sub(unescape, query)
    words: set[str] = set()
    depth = deepest = 0
    limit: int | None = None
    digits: str | None = None  # collecting the number after an outermost LIMIT
    for m in TOKEN.finditer(text):
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
    return QueryText(has_dataset="FROM" in words, depth=deepest, limit=limit, text=query)


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def form_of(query: str) -> str | None:
    """The query's form: SELECT, ASK, CONSTRUCT or DESCRIBE — the first bare word that starts
    with one of them (oxigraph reads ``CONSTRUCTWHERE{…}`` as ``CONSTRUCT WHERE {…}``) — or
    None when there is none (only a prologue or comments, an update)."""
    for m in TOKEN.finditer(CODEPOINT.sub(unescape, query)):
        if m.lastgroup == "word" and ":" not in m.group(0):
            word = m.group(0).upper()
            for form in _FORMS:
                if word.startswith(form):
                    return form
    return None


@dataclass(frozen=True)
class Dataset:
    """The dataset a query's own ``FROM`` / ``FROM NAMED`` clauses name, and its text without
    them (codepoint escapes decoded, as a SPARQL parser reads it)."""

    default: tuple[str, ...]
    named: tuple[str, ...]
    text: str


_PN_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def dataset(query: str) -> Dataset | None:
    """The graphs of the query's ``FROM`` (default graph) and ``FROM NAMED`` clauses, with
    ``PREFIX`` and ``BASE`` of its prologue applied, and the text with those clauses blanked
    out; None when the query has no such clause. An IRI that cannot be resolved (an
    undeclared prefix) is left as written: the engine's parser will refuse the query."""
    text = CODEPOINT.sub(unescape, query)
    tokens = [
        m
        for m in TOKEN.finditer(text)
        if m.lastgroup != "comment" and not (m.lastgroup == "other" and m.group(0).isspace())
    ]
    prefixes: dict[str, str] = {}
    base: str | None = None
    default: list[str] = []
    named: list[str] = []
    spans: list[tuple[int, int]] = []

    def resolve(tok: re.Match[str]) -> str:
        if tok.lastgroup == "iri":
            iri = tok.group(0)[1:-1]
            return urljoin(base, iri) if base else iri
        prefix, _, local = tok.group(0).partition(":")
        ns = prefixes.get(prefix)
        return tok.group(0) if ns is None else ns + _PN_LOCAL_ESCAPE.sub(r"\1", local)

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        word = tok.group(0).upper() if tok.lastgroup == "word" else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "PREFIX" and nxt is not None and i + 2 < len(tokens):
            iri = tokens[i + 2]
            if nxt.lastgroup == "word" and iri.lastgroup == "iri":
                ns = iri.group(0)[1:-1]
                prefixes[nxt.group(0).rstrip(":")] = urljoin(base, ns) if base else ns
                i += 3
                continue
        if word == "BASE" and nxt is not None and nxt.lastgroup == "iri":
            given = nxt.group(0)[1:-1]
            base = urljoin(base, given) if base else given
            i += 2
            continue
        if word == "FROM" and nxt is not None:
            into, target, step = default, nxt, 2
            if nxt.lastgroup == "word" and nxt.group(0).upper() == "NAMED":
                into, step = named, 3
                target = tokens[i + 2] if i + 2 < len(tokens) else nxt
            if target.lastgroup == "iri" or (
                target.lastgroup == "word" and ":" in target.group(0)
            ):
                into.append(resolve(target))
                spans.append((tok.start(), target.end()))
                i += step
                continue
        i += 1
    if not spans:
        return None
    out = []
    last = 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(" " * (end - start))
        last = end
    out.append(text[last:])
    return Dataset(tuple(default), tuple(named), "".join(out))


def too_deep(depth: int) -> Msg:
    """The message for a query nested deeper than :data:`MAX_DEPTH`."""
    return msg(
        "The query is nested {depth} levels deep; at most {limit} are allowed. Rewrite it "
        "with fewer nested groups.",
        depth=depth,
        limit=MAX_DEPTH,
    )


def admitted(query: str) -> QueryText:
    """:func:`inspect`'s facts of a query that may run: raise :class:`QueryError` (400
    ``query-error``) if it is nested deeper than :data:`MAX_DEPTH`, and
    :func:`~registry.sparql.queryguard.refuse_service`'s refusals if it uses ``SERVICE``. One
    gate for every way a query comes in: ``/sparql``, the query page's answer without
    JavaScript, ``Registry.query``."""
    facts = inspect(query)
    if facts.depth > MAX_DEPTH:
        raise QueryError(too_deep(facts.depth))
    if facts.uses_service:
        refuse_service(query)  # decided on the parsed query (registry/sparql/queryguard.py)
    return facts
