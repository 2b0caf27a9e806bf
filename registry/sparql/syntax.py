"""Syntax errors in a SPARQL text, said the way a person can act on them.

pyoxigraph's parser reports the furthest position its grammar reached and the character ranges
it would have accepted there (``error at 1:35: expected one of HAVING, OFFSET, …`` or
``['A' ..= 'Z' | 'a' ..= 'z' | '\\u{00C0}'..='\\u{00D6}' …]``): true, but no help. This module reads
the text with the registry's SPARQL lexer (``lexer.py``) and says what is wrong where, in the
reader's language (:func:`explain`):

* an empty text; a string or an IRI that is not closed;
* a bracket ``{ ( [`` that is never closed, a closing one that closes nothing or the wrong one;
* a prefix that is not declared (the registry's own prefixes are predeclared);
* a text that starts with neither SELECT, CONSTRUCT, DESCRIBE nor ASK (an update, a typo);
* a word that is no SPARQL keyword or function (``LIMT``: did you mean LIMIT?);
* otherwise the parser's position and what it expected there, its character ranges named
  ("a name", "a digit").

Every message gives the line and column (1-based, in characters) and what was expected, and
ends with the line of the text and a caret under the place.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from registry.errors import QueryError
from registry.i18n import Lines, Msg, msg
from registry.sparql.lexer import TOKEN

#: The words of the SPARQL 1.1 grammar (and SPARQL 1.2 and Oxigraph's extensions, which the
#: embedded engine accepts): keywords and built-in functions, upper-cased.
KEYWORDS: frozenset[str] = frozenset(
    (
        "BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE ORDER BY "
        "ASC DESC LIMIT OFFSET GROUP HAVING VALUES UNDEF OPTIONAL UNION MINUS GRAPH SERVICE "
        "SILENT BIND FILTER NOT EXISTS IN A TRUE FALSE SEPARATOR LATERAL "
        "INSERT DELETE DATA WITH USING DEFAULT ALL LOAD CLEAR DROP CREATE ADD MOVE COPY INTO TO "
        "STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT "
        "STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR "
        "MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 "
        "SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX "
        "SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT "
        "TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR ADJUST"
    ).split()
)
#: The words a query starts with (after PREFIX and BASE declarations).
QUERY_FORMS: tuple[str, ...] = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_WORDS: frozenset[str] = frozenset(
    "INSERT DELETE WITH LOAD CLEAR DROP CREATE ADD MOVE COPY".split()
)
_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_POSITION = re.compile(r"error at (\d+):(\d+)(?::\s*(.*))?", re.DOTALL)
# one alternative of the parser's "expected" list: a quoted literal, a character class or a word
_EXPECTED = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:[^\]\'\\]|\'(?:[^\'\\]|\\.)*\'|\\.)*\]|[^,\s][^,]*')


class QuerySyntaxError(QueryError):
    """A SPARQL text the parser refuses, with the line and column (1-based) of the problem."""

    def __init__(self, message: Msg, *, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Token:
    kind: str  # the lexer's group: comment, string, iri, var, word, other
    text: str
    start: int


def tokens(text: str) -> list[Token]:
    """The lexer's tokens of ``text``, white space and comments left out."""
    out = []
    for m in TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "comment" or (kind == "other" and m.group().isspace()):
            continue
        out.append(Token(kind, m.group(), m.start()))
    return out


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (clamped to the text)."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    before = sum(len(x) + 1 for x in lines[: line - 1])
    return min(len(text), before + max(0, min(column - 1, len(lines[line - 1]))))


def position_of(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    head = text[:offset]
    line = head.count("\n") + 1
    return line, offset - (head.rfind("\n") + 1) + 1


def excerpt(text: str, line: int, column: int) -> str:
    """The line of ``text`` with a caret under ``column``, numbered as an editor does."""
    lines = text.split("\n")
    shown = lines[line - 1].replace("\t", " ").rstrip("\r") if line <= len(lines) else ""
    number = f"{line} | "
    return f"{number}{shown}\n{' ' * (len(number) - 2)}| {' ' * (column - 1)}^"


# -- what the parser expected, named -----------------------------------------------------------
def _named(alternative: str) -> Msg | str | None:
    """One alternative of the parser's expected list as a reader would say it (None: leave it
    out: ``[_]`` is "any character", no help)."""
    a = alternative.strip()
    if a in ("[_]", "Prefix not found", ""):
        return None
    if a.startswith('"') and a.endswith('"') and len(a) >= 2:
        return "“" + a[1:-1].replace('\\"', '"').replace("\\\\", "\\") + "”"
    if a.startswith("["):
        if "'A'" in a or "'a'" in a or "u{00C0}" in a:
            return msg("a name (letters, digits, _)")
        if "'0'" in a:
            return msg("a digit")
        inner = a[1:-1].strip()
        if len(inner) == 3 and inner[0] == inner[2] == "'":
            return "“" + inner[1] + "”"
        return None
    return a


def expected_items(detail: str) -> list[Msg | str]:
    """The parser's ``expected …`` list (after the position), named, without repeats."""
    body = detail.strip()
    for head in ("expected one of ", "expected "):
        if body.startswith(head):
            body = body[len(head) :]
            break
    else:
        return []
    out: list[Msg | str] = []
    seen: set[str] = set()
    for m in _EXPECTED.finditer(body):
        named = _named(m.group())
        if named is None:
            continue
        key = named if isinstance(named, str) else named.msgid
        if key not in seen:
            seen.add(key)
            out.append(named)
    return out


def _found(text: str, offset: int) -> Msg:
    """What stands at ``offset``: a token, or the end of the text."""
    for t in tokens(text):
        if t.start <= offset < t.start + len(t.text) or t.start >= offset:
            shown = t.text if len(t.text) <= 40 else t.text[:39] + "…"
            return msg("found “{token}”", token=shown)
    return msg("the query ends here")


# -- diagnoses ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Diagnosis:
    offset: int
    problem: Msg


def _unclosed(text: str, toks: list[Token]) -> Diagnosis | None:
    """A string or IRI that is not closed, or brackets that do not pair up."""
    stack: list[Token] = []
    for t in toks:
        if t.kind != "other":
            continue
        c = t.text
        if c in ('"', "'"):
            return Diagnosis(
                t.start, msg("the string that starts here is not closed: end it with {quote}.",
                             quote=c * (3 if text.startswith(c * 3, t.start) else 1))
            )
        if c in _OPEN:
            stack.append(t)
        elif c in _CLOSE:
            if not stack:
                return Diagnosis(
                    t.start,
                    msg("this “{closer}” closes nothing: remove it, or add “{opener}” before it.",
                        closer=c, opener=_CLOSE[c]),
                )
            opener = stack.pop()
            if _OPEN[opener.text] != c:
                line, column = position_of(text, opener.start)
                return Diagnosis(
                    t.start,
                    msg(
                        "expected “{expected}” to close the “{opener}” at line {line}, column "
                        "{column}, but found “{found}”.",
                        expected=_OPEN[opener.text], opener=opener.text, line=line,
                        column=column, found=c,
                    ),
                )
    if stack:
        opener = stack[-1]
        return Diagnosis(
            opener.start,
            msg("the “{opener}” that opens here is never closed: add “{closer}” where it ends.",
                opener=opener.text, closer=_OPEN[opener.text]),
        )
    return None


def _undeclared(toks: list[Token], prefixes: Mapping[str, str]) -> Diagnosis | None:
    """The first prefixed name whose prefix is neither declared nor predeclared."""
    declared = set(prefixes)
    for i, t in enumerate(toks):
        if t.kind != "word" or ":" not in t.text or t.text.startswith("_:"):
            continue
        prefix = t.text.split(":", 1)[0]
        previous = toks[i - 1].text.upper() if i else ""
        if previous == "PREFIX":
            declared.add(prefix)
            continue
        if prefix not in declared:
            return Diagnosis(
                t.start,
                msg(
                    "the prefix “{prefix}:” is not declared. Declare it before the query "
                    "(PREFIX {prefix}: <…>), or use one of the registry's prefixes: {known}.",
                    prefix=prefix, known=", ".join(f"{p}:" for p in prefixes),
                ),
            )
    return None


def _form(toks: list[Token]) -> Diagnosis | None:
    """The text does not start (after its PREFIX and BASE lines) with a query form."""
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "PREFIX":
            i += 3  # PREFIX p: <iri>
        elif word == "BASE":
            i += 2
        else:
            break
    if i >= len(toks):
        return None
    first = toks[i]
    word = first.text.upper() if first.kind == "word" else ""
    if word in QUERY_FORMS:
        return None
    if word in UPDATE_WORDS:
        return Diagnosis(
            first.start,
            msg(
                "expected SELECT, CONSTRUCT, DESCRIBE or ASK: “{word}” starts a SPARQL Update, "
                "not a query. Queries only read; updates need a token and go to /sparql/update "
                "(or ogpreg load).",
                word=first.text,
            ),
        )
    return Diagnosis(first.start, _unknown_word(first.text, QUERY_FORMS, start=True))


def _unknown_word(word: str, candidates: tuple[str, ...] | frozenset[str], *,
                  start: bool = False) -> Msg:
    guess = difflib.get_close_matches(word.upper(), sorted(candidates), n=1, cutoff=0.6)
    if start:
        if guess:
            return msg(
                "expected SELECT, CONSTRUCT, DESCRIBE or ASK, found “{word}”. Did you mean "
                "{guess}?", word=word, guess=guess[0]
            )
        return msg("expected SELECT, CONSTRUCT, DESCRIBE or ASK, found “{word}”.", word=word)
    if guess:
        return msg("“{word}” is not a SPARQL keyword. Did you mean {guess}?",
                   word=word, guess=guess[0])
    return msg(
        "“{word}” is not a SPARQL keyword or function. Names of things are written as "
        "<IRI> or prefix:name, variables as ?name, text in quotes.",
        word=word,
    )


def _statements(text: str, toks: list[Token]) -> Diagnosis | None:
    """A triple pattern with too few or too many parts, in a group ``{ … }`` that holds only
    plain triple patterns (variables, IRIs, prefixed names, ``a``, strings with their language
    or datatype, separated by ``.``, ``;`` and ``,``)."""
    for i, t in enumerate(toks):
        if t.text != "{":
            continue
        body: list[Token] = []
        for u in toks[i + 1 :]:
            if u.text == "}":
                break
            body.append(u)
        else:
            continue
        if not _plain(body):
            continue
        for statement in _split(body, "."):
            for n, part in enumerate(_split(statement, ";")):
                for m, piece in enumerate(_split(part, ",")):
                    terms = _terms(piece)
                    want = 3 if n == 0 and m == 0 else 2 if m == 0 else 1
                    if terms and len(terms) != want and not (want == 2 and not terms):
                        where = terms[0].start if len(terms) < want else terms[want].start
                        problem = (
                            msg("a triple pattern needs a subject, a predicate and an object; "
                                "this one has {n} of them. Add what is missing, or end the "
                                "pattern with “.”.", n=len(terms))
                            if len(terms) < want else
                            msg("expected “.”, “;” or “,” before this: a triple pattern has a "
                                "subject, a predicate and an object, and this is one part "
                                "more.")
                        )
                        return Diagnosis(where, problem)
    return None


def _plain(body: list[Token]) -> bool:
    """Whether a group holds only plain triple patterns (nothing :func:`_statements` cannot
    count: no FILTER, OPTIONAL, numbers, blank node brackets …)."""
    for k, t in enumerate(body):
        if t.kind in ("var", "iri", "string"):
            continue
        if t.kind == "word" and (":" in t.text or t.text == "a"):
            continue
        if t.kind == "word" and k > 0 and body[k - 1].text == "@":
            continue  # a language tag
        if t.kind == "other" and t.text in (".", ";", ",", "@", "^"):
            continue
        return False
    return True


def _split(tokens_: list[Token], sep: str) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for t in tokens_:
        if t.kind == "other" and t.text == sep:
            out.append([])
        else:
            out[-1].append(t)
    return [x for x in out if x] if sep == "." else out


def _terms(piece: list[Token]) -> list[Token]:
    """The RDF terms of a piece: a string with its ``@lang`` or ``^^type`` counts once."""
    terms: list[Token] = []
    skip = False
    for k, t in enumerate(piece):
        if skip:
            skip = False
            continue
        if t.text == "@":
            skip = True  # the language tag that follows
            continue
        if t.text == "^":
            if k + 1 < len(piece) and piece[k + 1].text == "^":
                continue
            continue
        if k > 0 and piece[k - 1].text == "^":
            continue  # the datatype after ^^
        terms.append(t)
    return terms


def _stray_word(text: str, toks: list[Token], limit: int) -> Diagnosis | None:
    """The first bare word, at or before the parser's position, that SPARQL does not know."""
    for t in toks:
        if t.start > limit:
            break
        if t.kind != "word" or ":" in t.text:
            continue
        before = text[t.start - 1] if t.start else ""
        if before == "@" or before.isdigit():
            continue  # a language tag (@en-GB), an exponent (1e5)
        if t.text.upper() not in KEYWORDS:
            return Diagnosis(t.start, _unknown_word(t.text, KEYWORDS))
    return None


def diagnose(
    text: str, detail: str, prefixes: Mapping[str, str], *, update: bool = False
) -> Diagnosis:
    """What is wrong in ``text`` and where, given the parser's message ``detail``."""
    m = _POSITION.search(detail)
    parser_offset = offset_of(text, int(m.group(1)), int(m.group(2))) if m else len(text)
    rest = (m.group(3) or "") if m else detail
    toks = tokens(text)
    items = expected_items(rest)
    iri = None
    if "“>”" in items:
        start = text.rfind("<", 0, parser_offset)
        if start >= 0:
            iri = Diagnosis(start, msg("the IRI that starts here is not closed: end it with "
                                       "“>” (an IRI has no spaces)."))
    for diagnosis in (_unclosed(text, toks),
                      _undeclared(toks, prefixes) if "Prefix not found" in rest else None,
                      None if update else _form(toks),
                      iri,
                      _stray_word(text, toks, parser_offset),
                      _statements(text, toks)):
        if diagnosis is not None:
            return diagnosis
    found = _found(text, parser_offset)
    if items:
        return Diagnosis(
            parser_offset,
            msg("expected {expected}; {found}.", expected=Lines(
                [x if isinstance(x, Msg) else Msg.texts(en=x) for x in items], sep=", "),
                found=found),
        )
    return Diagnosis(parser_offset, msg("the text cannot be read from here on; {found}.",
                                        found=found))


def explain(text: str, detail: str, prefixes: Mapping[str, str], *,
            update: bool = False) -> QuerySyntaxError:
    """The error for a SPARQL text the parser refused with ``detail`` (pyoxigraph's message):
    where (line, column), what is wrong and what was expected, and the line with a caret."""
    if not text.strip():
        return QuerySyntaxError(
            msg("The SPARQL text is empty. Write a query that starts with SELECT, CONSTRUCT, "
                "DESCRIBE or ASK."),
            line=1, column=1,
        )
    d = diagnose(text, detail, prefixes, update=update)
    line, column = position_of(text, d.offset)
    params = {"line": line, "column": column, "problem": d.problem,
              "excerpt": excerpt(text, line, column)}
    message = (
        msg("Syntax error in the SPARQL update at line {line}, column {column}: {problem}\n"
            "{excerpt}", **params)
        if update else
        msg("Syntax error in the SPARQL query at line {line}, column {column}: {problem}\n"
            "{excerpt}", **params)
    )
    return QuerySyntaxError(
        message,
        line=line, column=column,
    )
