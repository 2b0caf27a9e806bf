"""A small SPARQL lexer: the terminals of the SPARQL 1.1 grammar that decide where a token ends.

pyoxigraph exposes no query algebra, so the registry reads what it needs of a query's text with
this lexer (``querytext.py``: keywords, nesting, FROM; ``queryguard.py``: SERVICE;
``registry/access/updates.py``: where ``USING`` clauses go). Comments, strings and IRIs are
tokens of their own, so a keyword is a bare word outside them; codepoint escapes
``\\uXXXX`` are decoded first (:data:`CODEPOINT`, :func:`unescape`), as the SPARQL grammar
prescribes.
"""

from __future__ import annotations

import re

CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# Character classes of the SPARQL 1.1 grammar (§19.8), so that a prefixed name, a variable or a
# blank node label ends exactly where a SPARQL parser ends it: a lexer that stopped early would
# read the rest (an escaped quote ``ex:a\\'`` or ``#``, a combining mark) as the start of a
# string or a comment, and miss what follows (issue 15).
_PN_CHARS_BASE = (
    "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
    "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
    "\U00010000-\U000EFFFF"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
    f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_BLANK_NODE_LABEL = f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
#: a bare word (a keyword, or words run together with dots: ``true.SERVICE`` is ``true``, ``.``
#: and ``SERVICE`` to a SPARQL parser; :func:`bare_words` splits it); it takes in what a failed
#: ``PN_PREFIX`` before a colon would, so that no run of characters is scanned twice
_BARE = f"[{_PN_CHARS_U}][{_PN_CHARS}.]*"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"

#: One token of a query's text; the group names it: ``comment``, ``string``, ``iri``, ``var``,
#: ``word`` (a keyword, a prefixed name or a blank node label) or ``other`` (one character).
TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>
        \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n\r]|\\.)*"
      | '(?:[^'\\\n\r]|\\.)*'
    )
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]VARNAME)
  | (?P<word>BLANK|(?:PREFIX)?:(?:LOCAL)?|BARE)
  | (?P<other>.)
    """.replace("VARNAME", _VARNAME)
    .replace("BLANK", _BLANK_NODE_LABEL)
    .replace("PREFIX", _PN_PREFIX)
    .replace("LOCAL", _PN_LOCAL)
    .replace("BARE", _BARE),
    re.VERBOSE | re.DOTALL,
)


def unescape(match: re.Match[str]) -> str:
    """The character of one :data:`CODEPOINT` escape (the escape itself if it names none)."""
    code = int(match.group(1) or match.group(2), 16)
    try:
        return chr(code)
    except ValueError:
        return match.group(0)
